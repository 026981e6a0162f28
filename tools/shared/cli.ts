/** What the tools' command lines (`npm run validate`, `cost`, `deploy`) share. */

/** `--help` or `-h` among the arguments: the command prints its usage and exits 0. */
export const wantsHelp = (argv: readonly string[]): boolean =>
  argv.some((arg) => arg === '--help' || arg === '-h');

/**
 * npm reads the options written before `--` as its own: `npm run validate --help` prints npm's
 * help for `run` and never starts the script, and `npm run validate --variant=prod` runs every
 * variant (npm keeps `--variant` as a config setting). The line each usage ends with.
 */
export const afterDashes = (script: string): string =>
  `Options go after \`--\` (npm run ${script} -- --help): npm takes those written before it as its own.`;

/** A row of a usage text: the option (or name), then what it does, one line each. */
export type UsageRow = readonly [string, ...string[]];

/** Rows as two aligned columns, indented by two spaces. */
export function columns(rows: readonly UsageRow[]): string[] {
  const width = Math.max(...rows.map(([left]) => left.length)) + 2;
  return rows.flatMap(([left, ...right]) =>
    right.map((line, i) => `  ${(i === 0 ? left : '').padEnd(width)}${line}`),
  );
}

/**
 * A `-c`/`--context` that npm kept for itself because it came before `--`. `npm run deploy -c
 * profile=prod` runs the script with no arguments and sets `npm_config_call=profile=prod` (npm's
 * `-c` is its `--call`); `npm run deploy --context profile=prod` sets `npm_config_context=true`
 * and passes `profile=prod` alone. Either way the setting is lost and the default profile would
 * be used (seen with npm 11 on 2026-12-08). Returns the refusal to print, or undefined.
 */
export function swallowedContext(
  script: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): string | undefined {
  const call = env.npm_config_call;
  if (call === undefined && env.npm_config_context === undefined) return undefined;
  const written = call === undefined ? '--context …' : `-c ${call}`;
  return (
    `npm took ${written} as its own option (it came before \`--\`), so the setting would be lost. ` +
    `Write it after \`--\`: npm run ${script} -- ${call === undefined ? '-c key=value' : `-c ${call}`}`
  );
}

/**
 * Runs a command's `main` with the process's arguments: its result is the exit code; an error
 * prints its message (no stack) and exits with `failureCode`.
 */
export function runCommand(
  main: (argv: readonly string[]) => Promise<number>,
  failureCode = 2,
): void {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exitCode = failureCode;
    },
  );
}
