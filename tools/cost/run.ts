/**
 * `npm run cost [-- [-c key=value]... [--templates [NAME=]DIR]... [--check-docs | --write-docs]]`
 *
 * Synthesizes the app (`cdk synth --no-notices --quiet '**' -o <tmpdir>`) for `dev`,
 * `dev-gateway` (dev with `natProvider=gateway`) and `prod` (`DEFAULT_VARIANTS`), or for the one
 * profile a `-c profile=NAME` names (the other `-c` settings are passed on), or
 * reads templates synthesized before (`--templates DIR`, repeatable; the profile is NAME=, else
 * `-c profile=`, else the one in the stacks' descriptions, else the directory name). Prints, per
 * profile, the markdown tables (without markers) that docs/operations.md holds between
 * `<!-- cost:<profile>:start -->` and `<!-- cost:<profile>:end -->`. `--check-docs` exits 1 when
 * that file's blocks differ; `--write-docs` replaces them (appending a `## Cost` section when the
 * markers are missing). `--doc PATH` names another file.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative, resolve } from 'node:path';
import { cdkSynth, REPO_ROOT } from '../shared/cdk-synth';
import { afterDashes, columns, wantsHelp } from '../shared/cli';
import { loadTemplates } from '../shared/assembly';
import { estimate, TemplateInput } from './estimate';
import { costBlock, extractBlock, formatMarkdown, replaceBlock } from './format';
import { loadPriceTable } from './prices';

export { REPO_ROOT };
/** The document that holds the cost tables (docs/operations.md#cost). */
export const COST_DOC = join(REPO_ROOT, 'docs', 'operations.md');
/**
 * What `npm run cost` prices without `-c profile=` or `--templates`: each name is a cost block.
 * dev's default NAT is one NAT instance; `dev-gateway` prices dev with a NAT gateway instead.
 */
export const DEFAULT_VARIANTS: Readonly<
  Record<string, { readonly profile: string; readonly context: readonly string[] }>
> = {
  dev: { profile: 'dev', context: [] },
  'dev-gateway': { profile: 'dev', context: ['natProvider=gateway'] },
  prod: { profile: 'prod', context: [] },
};
/** The cost doc's blocks (the names of `DEFAULT_VARIANTS`). */
export const DEFAULT_PROFILES = Object.keys(DEFAULT_VARIANTS);

export interface CliOptions {
  /** `-c key=value` pairs other than `profile`, in order. */
  readonly context: readonly string[];
  /** From `-c profile=NAME`. */
  readonly profile?: string;
  readonly templates: readonly { readonly name?: string; readonly dir: string }[];
  readonly mode: 'print' | 'check-docs' | 'write-docs';
  /** The file `--check-docs` and `--write-docs` use. */
  readonly doc: string;
}

const USAGE =
  'usage: npm run cost -- [-c key=value]... [--templates [NAME=]DIR]... ' +
  '[--check-docs | --write-docs] [--doc PATH] [--help]';

/** What `npm run cost -- --help` prints. */
export function usage(): string {
  return [
    USAGE,
    '',
    'Prices the app per month at list price, nested stacks included: synthesizes it for',
    `${DEFAULT_PROFILES.join(', ')} (dev-gateway is dev with natProvider=gateway), or for the profile`,
    "that -c profile=NAME names, and prints each one's cost table (markdown). A resource it",
    'cannot price fails the run.',
    '',
    'Options:',
    ...columns([
      [
        '-c, --context key=value',
        'a setting to synthesize with (repeatable);',
        'profile=NAME: that profile only',
      ],
      [
        '--templates [NAME=]DIR',
        'no synthesis: a cloud assembly synthesized before (repeatable);',
        'NAME: its profile',
      ],
      ['--check-docs', 'exit 1 when the cost blocks of docs/operations.md differ'],
      ['--write-docs', 'replace the cost blocks of docs/operations.md'],
      ['--doc PATH', 'the file --check-docs and --write-docs use'],
      ['-h, --help', 'print this help and exit'],
    ]),
    '',
    'Exit code: 0 on success, 1 when --check-docs finds a block stale, 2 when the estimate',
    'could not be made or an argument is wrong.',
    afterDashes('cost'),
    '',
  ].join('\n');
}

export function parseArgs(argv: readonly string[]): CliOptions {
  const context: string[] = [];
  const templates: { name?: string; dir: string }[] = [];
  let profile: string | undefined;
  let mode: CliOptions['mode'] = 'print';
  let doc = COST_DOC;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new Error(`${arg} needs a value\n${USAGE}`);
      return v;
    };
    if (arg === '-c' || arg === '--context') {
      const pair = value();
      if (!/^[^=]+=/.test(pair)) throw new Error(`${arg} ${pair}: expected key=value`);
      if (pair.startsWith('profile=')) profile = pair.slice('profile='.length);
      else context.push(pair);
    } else if (arg === '--templates') {
      const spec = value();
      const named = /^([a-zA-Z][\w-]*)=(.+)$/.exec(spec);
      templates.push(named ? { name: named[1], dir: named[2] } : { dir: spec });
    } else if (arg === '--check-docs' || arg === '--write-docs') {
      if (mode !== 'print') throw new Error(`give one of --check-docs, --write-docs\n${USAGE}`);
      mode = arg.slice(2) as CliOptions['mode'];
    } else if (arg === '--doc') {
      doc = resolve(value());
    } else if (/^--(check|write)-readme$|^--readme$/.test(arg)) {
      // The tables moved from README.md to docs/operations.md, and the flags with them.
      throw new Error(
        `${arg} is now ${arg.replace('readme', arg === '--readme' ? 'doc' : 'docs')}\n${USAGE}`,
      );
    } else {
      throw new Error(`unknown argument ${arg}\n${USAGE}`);
    }
  }
  if (templates.length > 1 && profile !== undefined && templates.some((t) => !t.name)) {
    throw new Error('with several --templates, name each one (--templates NAME=DIR)');
  }
  return { context, profile, templates, mode, doc };
}

/** `cdk synth` of one profile into a new temporary directory. */
export async function synthesize(profile: string, context: readonly string[]): Promise<string> {
  const outDir = mkdtempSync(join(tmpdir(), `msk-secure-stack-cost-${profile}-`));
  const args = [`profile=${profile}`, ...context].flatMap((pair) => ['-c', pair]);
  await cdkSynth(outDir, args, `profile ${profile}`);
  return outDir;
}

/** The profile a set of templates was synthesized for, from the stage's stack descriptions. */
export function profileOf(templates: readonly TemplateInput[]): string | undefined {
  for (const { template } of templates) {
    const match = /\((\w+), cluster [^)]+\)/.exec(String(template.Description ?? ''));
    if (match) return match[1];
  }
  return undefined;
}

/** The whole command; returns the exit code. */
export async function main(
  argv: readonly string[],
  write: (text: string) => void = (t) => process.stdout.write(t),
  log: (text: string) => void = (t) => process.stderr.write(t),
): Promise<number> {
  if (wantsHelp(argv)) {
    write(usage());
    return 0;
  }
  const options = parseArgs(argv);
  const table = loadPriceTable();
  const sets: { profile: string; templates: TemplateInput[]; cleanup?: string }[] = [];
  if (options.templates.length > 0) {
    for (const { name, dir } of options.templates) {
      const templates = loadTemplates(dir);
      if (templates.length === 0) throw new Error(`${dir}: no *.template.json (nor assembly-*/)`);
      const profile =
        name ??
        (options.templates.length === 1 ? options.profile : undefined) ??
        profileOf(templates) ??
        basename(resolve(dir));
      sets.push({ profile, templates });
    }
  } else {
    const variants = options.profile
      ? { [options.profile]: { profile: options.profile, context: [] } }
      : DEFAULT_VARIANTS;
    log(`synthesizing ${Object.keys(variants).join(', ')} …\n`);
    for (const [name, variant] of Object.entries(variants)) {
      const dir = await synthesize(variant.profile, [...variant.context, ...options.context]);
      sets.push({ profile: name, templates: loadTemplates(dir), cleanup: dir });
    }
  }
  const tables = new Map<string, string>();
  try {
    for (const set of sets) {
      tables.set(set.profile, formatMarkdown(estimate(set.profile, set.templates, table)));
    }
  } finally {
    for (const set of sets) if (set.cleanup) rmSync(set.cleanup, { recursive: true, force: true });
  }

  // For a human: the tables alone; the markers matter only to the file that holds them.
  if (options.mode === 'print') {
    write(`${[...tables.values()].map((t) => t.trimEnd()).join('\n\n')}\n`);
    return 0;
  }
  const blocks = new Map([...tables].map(([profile, t]) => [profile, costBlock(profile, t)]));
  let doc = readFileSync(options.doc, 'utf8');
  if (options.mode === 'write-docs') {
    for (const [profile, block] of blocks) doc = replaceBlock(doc, profile, block);
    writeFileSync(options.doc, doc);
    write(`updated ${options.doc}: ${[...blocks.keys()].join(', ')}\n`);
    return 0;
  }
  let stale = 0;
  for (const [profile, block] of blocks) {
    const current = extractBlock(doc, profile);
    if (current === block) continue;
    stale += 1;
    write(
      current === undefined
        ? `${options.doc}: no <!-- cost:${profile}:start --> … <!-- cost:${profile}:end --> block\n`
        : `${options.doc}: the ${profile} block differs; it should be:\n${block}\n`,
    );
  }
  if (stale > 0) {
    write(`run \`npm run cost -- --write-docs\` to update ${relative(REPO_ROOT, options.doc)}\n`);
    return 1;
  }
  write(`${options.doc}: cost blocks up to date (${[...blocks.keys()].join(', ')})\n`);
  return 0;
}
