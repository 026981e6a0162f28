/**
 * `npm run validate`: synthesizes the app for each variant and runs AWS's own validators over
 * the templates (cfn-lint; the AWS Control Tower proactive controls with cfn-guard; IAM policies
 * against the Service Authorization Reference). Any unacknowledged finding fails the run.
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { cdkSynth, REPO_ROOT } from '../shared/cdk-synth';
import { afterDashes, columns, type UsageRow, wantsHelp } from '../shared/cli';
import { loadTemplates } from '../shared/assembly';
import { runCfnLint } from './cfn-lint';
import { runControlTower } from './control-tower';
import { checkTemplatePolicies } from './iam';
import { resolveTemplate } from './resolve';
import { type Finding, type ValidatorName, VALIDATORS } from './types';

export { REPO_ROOT };
export const ACKNOWLEDGED_FILE = join(__dirname, 'acknowledged.json');

/** The context each variant synthesizes with. */
export const VARIANTS: Readonly<Record<string, readonly string[]>> = {
  // dev's default NAT is one NAT instance; dev-gateway keeps the NAT gateway path validated.
  dev: [],
  'dev-gateway': ['-c', 'natProvider=gateway'],
  prod: ['-c', 'profile=prod'],
  iam: ['-c', 'consumerAuth=iam'],
  rotation: ['-c', 'scramRotationDays=30'],
  // A provisioned consumer with its default Kafka dead-letter topic (orders.dlt), in each auth
  // mode: no SQS queue and no SQS endpoint.
  'dlt-scram': [
    '-c',
    'consumers=[{"name":"consumer","topic":"orders","minPollers":1,"maxPollers":2}]',
  ],
  'dlt-iam': [
    '-c',
    'consumers=[{"name":"consumer","topic":"orders","auth":"iam","minPollers":1,"maxPollers":2}]',
  ],
};

/** A finding that is known and accepted, with why. Optional fields narrow what it matches. */
export interface Acknowledgement {
  readonly validator: ValidatorName;
  readonly rule: string;
  readonly resource?: string;
  readonly variant?: string;
  /** A substring of the finding's message. */
  readonly message?: string;
  readonly reason: string;
}

export interface VariantResult {
  readonly variant: string;
  readonly templatesDir: string;
  readonly resolvedDir: string;
  readonly validators: readonly ValidatorName[];
  /** Unacknowledged findings: each one fails the run. */
  readonly findings: Finding[];
  readonly acknowledged: { finding: Finding; reason: string }[];
  readonly notes: string[];
}

export interface ValidateOptions {
  /** Default: all of them. */
  readonly validators?: readonly ValidatorName[];
  /** Default: tools/validate/acknowledged.json. */
  readonly acknowledgements?: readonly Acknowledgement[];
  /** Where the resolved copies go; default: a new temporary directory. */
  readonly resolvedDir?: string;
}

export function loadAcknowledgements(path = ACKNOWLEDGED_FILE): Acknowledgement[] {
  const data: unknown = JSON.parse(readFileSync(path, 'utf8'));
  if (!Array.isArray(data)) throw new Error(`${path}: expected a JSON list`);
  for (const [i, a] of data.entries()) {
    const ok =
      typeof a === 'object' &&
      a !== null &&
      (VALIDATORS as readonly string[]).includes(a.validator) &&
      typeof a.rule === 'string' &&
      typeof a.reason === 'string' &&
      a.reason.trim() !== '';
    if (!ok)
      throw new Error(`${path}[${i}]: needs validator (${VALIDATORS.join('|')}), rule and reason`);
  }
  return data as Acknowledgement[];
}

export function acknowledgementFor(
  finding: Finding,
  variant: string,
  acknowledgements: readonly Acknowledgement[],
): Acknowledgement | undefined {
  return acknowledgements.find(
    (a) =>
      a.validator === finding.validator &&
      a.rule === finding.rule &&
      (a.resource === undefined || a.resource === finding.resource) &&
      (a.variant === undefined || a.variant === variant) &&
      (a.message === undefined || finding.message.includes(a.message)),
  );
}

/** Validates the templates of one synthesized cloud assembly (`cdk synth -o templatesDir`). */
export async function validateTemplates(
  templatesDir: string,
  variant: string,
  options: ValidateOptions = {},
): Promise<VariantResult> {
  const validators = options.validators ?? VALIDATORS;
  const acknowledgements = options.acknowledgements ?? loadAcknowledgements();
  const stacks = loadTemplates(templatesDir);
  if (stacks.length === 0) throw new Error(`${templatesDir}: the cloud assembly has no stacks`);
  const byName = new Map(stacks.map((s) => [s.stackName, s.template]));
  if (byName.size !== stacks.length) {
    throw new Error(
      `${templatesDir}: several cloud assemblies with the same stack names; validate one at a time`,
    );
  }

  const resolvedDir = options.resolvedDir ?? mkdtempSync(join(tmpdir(), `validate-${variant}-`));
  mkdirSync(resolvedDir, { recursive: true });
  const notes = new Set<string>();
  const resolved = stacks.map((stack) => {
    const result = resolveTemplate(stack.template, { stackName: stack.stackName, stacks: byName });
    result.notes.forEach((n) => notes.add(n));
    const templateFile = join(resolvedDir, basename(stack.templateFile));
    writeFileSync(templateFile, `${JSON.stringify(result.template, null, 1)}\n`);
    return { ...stack, templateFile, template: result.template };
  });

  // cfn-lint runs in a child process while cfn-guard and the IAM checks run here.
  const lint = validators.includes('cfn-lint')
    ? runCfnLint(stacks.map((s) => s.templateFile))
    : Promise.resolve([]);
  lint.catch(() => undefined); // awaited below; not an unhandled rejection meanwhile
  const all: Finding[] = [];
  try {
    if (validators.includes('control-tower'))
      all.push(...runControlTower(resolved.map((s) => s.templateFile)));
    if (validators.includes('iam')) {
      for (const stack of resolved) {
        all.push(
          ...(await checkTemplatePolicies(
            stack.template,
            basename(stack.templateFile),
            stack.stackName,
          )),
        );
      }
    }
  } finally {
    // A check that throws still waits for cfn-lint: no child process outlives the run.
    await lint.catch(() => undefined);
  }
  all.unshift(...(await lint));

  const findings: Finding[] = [];
  const acknowledged: VariantResult['acknowledged'] = [];
  for (const finding of all) {
    const ack = acknowledgementFor(finding, variant, acknowledgements);
    if (ack) acknowledged.push({ finding, reason: ack.reason });
    else findings.push(finding);
  }
  return {
    variant,
    templatesDir: resolve(templatesDir),
    resolvedDir,
    validators,
    findings,
    acknowledged,
    notes: [...notes],
  };
}

// ---------------------------------------------------------------------------------------------
// Synthesis

/** `cdk synth` of one variant into `outDir` (emptied first). */
export function synthesize(variant: string, outDir: string): Promise<void> {
  const context = VARIANTS[variant];
  if (!context) throw new Error(`unknown variant ${variant} (${Object.keys(VARIANTS).join(', ')})`);
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  return cdkSynth(outDir, context, `${variant}: ${context.join(' ') || 'defaults'}`);
}

// ---------------------------------------------------------------------------------------------
// Report

function countsLine(result: VariantResult): string {
  const parts = result.validators.map((v) => {
    const mine = result.findings.filter((f) => f.validator === v);
    const warnings = mine.filter((f) => f.severity === 'warning').length;
    return `${v} ${mine.length}${warnings ? ` (${warnings} warning${warnings === 1 ? '' : 's'})` : ''}`;
  });
  const acks = result.acknowledged.length;
  return `${result.variant}: ${parts.join(', ')}${acks ? `; ${acks} acknowledged` : ''}`;
}

function findingLine(f: Finding): string {
  const where = f.resource
    ? `${f.resource}${f.path ? ` (${f.path})` : ''}`
    : (f.path ?? '(template)');
  const severity = f.severity === 'warning' ? ' [warning]' : '';
  return `${f.validator} ${f.rule}${severity} ${f.file} ${where}: ${f.message}`;
}

export function formatReport(results: readonly VariantResult[]): string {
  const lines = results.map(countsLine);
  for (const r of results) {
    lines.push('', `${r.variant}: templates ${r.templatesDir}, resolved copies ${r.resolvedDir}`);
    for (const f of r.findings) lines.push(`  ${findingLine(f)}`);
    for (const a of r.acknowledged)
      lines.push(`  acknowledged: ${findingLine(a.finding)} (${a.reason})`);
    for (const n of r.notes) lines.push(`  note: cross-stack value not shaped: ${n}`);
  }
  const total = results.reduce((n, r) => n + r.findings.length, 0);
  lines.push(
    '',
    total === 0
      ? `validate: OK (${results.map((r) => r.variant).join(', ')})`
      : `validate: ${total} unacknowledged finding${total === 1 ? '' : 's'}`,
  );
  return `${lines.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------
// Command line

/** Each option of the command line and what it does, one line each. */
const OPTIONS: readonly UsageRow[] = [
  ['--variant NAME', 'only this variant (repeatable); default: all of them'],
  [
    '--templates DIR',
    'no synthesis: validate a cloud assembly synthesized before (`cdk synth -o DIR`),',
    'or a directory of them, one per variant, as npm run validate leaves them in',
    join(tmpdir(), 'msk-secure-stack-validate'),
  ],
  ['--validator NAME', `only this validator (repeatable): ${VALIDATORS.join(', ')}`],
  ['-h, --help', 'print this help and exit'],
];

/** What `npm run validate -- --help` prints. */
export function usage(): string {
  const variants = Object.entries(VARIANTS).map(
    ([name, context]) => [name, context.join(' ') || '(defaults)'] as const,
  );
  return [
    'usage: npm run validate -- [--variant NAME]... [--templates DIR] [--validator NAME]... [--help]',
    '',
    "Synthesizes the app once per variant and runs AWS's own validators over every template",
    '(nested stacks included): cfn-lint, the AWS Control Tower proactive controls (cfn-guard) and',
    'the IAM policies against the Service Authorization Reference. A finding that',
    'tools/validate/acknowledged.json does not acknowledge fails the run.',
    '',
    'Variants (the context each synthesizes with):',
    ...columns(variants),
    '',
    'Options:',
    ...columns(OPTIONS),
    '',
    'Exit code: 0 when no variant has an unacknowledged finding, 1 when one has, 2 when a',
    'validator could not run or an argument is wrong.',
    afterDashes('validate'),
    '',
  ].join('\n');
}

export interface CliOptions {
  readonly variants: string[];
  readonly templates?: string;
  /** Only these validators (`--validator NAME`, repeatable); default all. */
  readonly validators?: ValidatorName[];
}

export function parseArgs(argv: readonly string[]): CliOptions {
  const variants: string[] = [];
  const validators: ValidatorName[] = [];
  let templates: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    if (arg === '--variant') variants.push(value());
    else if (arg.startsWith('--variant=')) variants.push(arg.slice('--variant='.length));
    else if (arg === '--templates') templates = value();
    else if (arg.startsWith('--templates=')) templates = arg.slice('--templates='.length);
    else if (arg === '--validator') {
      const v = value();
      if (!(VALIDATORS as readonly string[]).includes(v)) {
        throw new Error(`unknown validator ${v} (${VALIDATORS.join(', ')})`);
      }
      validators.push(v as ValidatorName);
    } else {
      throw new Error(
        `unknown argument ${arg}: npm run validate takes ${OPTIONS.map(([o]) => o).join(', ')} ` +
          '(npm run validate -- --help)',
      );
    }
  }
  if (!templates) {
    for (const v of variants) {
      if (!VARIANTS[v])
        throw new Error(`unknown variant ${v} (${Object.keys(VARIANTS).join(', ')})`);
    }
  }
  return { variants, templates, validators: validators.length ? validators : undefined };
}

/** A cloud assembly, as `cdk synth -o DIR` writes it. */
const isAssembly = (dir: string): boolean => existsSync(join(dir, 'manifest.json'));

/**
 * What `--templates DIR` names: DIR itself when it is a cloud assembly (one variant, called
 * after `--variant` or DIR), or, as `npm run validate` leaves its output, one sub-directory per
 * variant.
 */
export function templateSets(
  dir: string,
  variants: readonly string[],
): { variant: string; dir: string }[] {
  const root = resolve(dir);
  if (isAssembly(root)) {
    if (variants.length > 1)
      throw new Error(`${dir} is one set of templates: give at most one --variant`);
    return [{ variant: variants[0] ?? basename(root), dir: root }];
  }
  const subdirs = readdirSync(root)
    .map((name) => ({ variant: name, dir: join(root, name) }))
    .filter((s) => !s.variant.endsWith('.resolved'))
    .filter((s) => statSync(s.dir).isDirectory() && isAssembly(s.dir))
    .filter((s) => variants.length === 0 || variants.includes(s.variant));
  if (subdirs.length === 0) {
    throw new Error(
      `${dir}: no cloud assembly (a manifest.json, as \`cdk synth -o DIR\` writes), neither in it nor in its sub-directories`,
    );
  }
  return subdirs;
}

/** The whole command; returns the exit code. */
export async function main(
  argv: readonly string[],
  write: (text: string) => void = (t) => process.stdout.write(t),
): Promise<number> {
  if (wantsHelp(argv)) {
    write(usage());
    return 0;
  }
  const options = parseArgs(argv);
  const acknowledgements = loadAcknowledgements();
  let sets: { variant: string; dir: string }[];
  const root = join(tmpdir(), 'msk-secure-stack-validate');
  if (options.templates) {
    sets = templateSets(options.templates, options.variants);
  } else {
    const variants = options.variants.length ? options.variants : Object.keys(VARIANTS);
    sets = variants.map((variant) => ({ variant, dir: join(root, variant) }));
    write(`synthesizing ${variants.join(', ')} into ${root}/<variant> …\n`);
    const started = Date.now();
    // Two at a time: synthesis is CPU-bound and CI has two cores.
    const queue = [...sets];
    await Promise.all(
      [0, 1].map(async () => {
        for (let s = queue.shift(); s; s = queue.shift()) await synthesize(s.variant, s.dir);
      }),
    );
    write(`synthesized in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  }
  const results: VariantResult[] = [];
  for (const s of sets) {
    const resolvedDir = options.templates
      ? join(tmpdir(), 'msk-secure-stack-validate-resolved', s.variant)
      : join(root, `${s.variant}.resolved`);
    rmSync(resolvedDir, { recursive: true, force: true });
    results.push(
      await validateTemplates(s.dir, s.variant, {
        acknowledgements,
        resolvedDir,
        validators: options.validators,
      }),
    );
  }
  write(formatReport(results));
  return results.some((r) => r.findings.length > 0) ? 1 : 0;
}
