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
