#!/usr/bin/env node
/**
 * `npm run deploy [-- -c setting=value … [--yes] | --allow-removal <name> … | cdk deploy options]`:
 * check credentials, synthesize, check the plan against what is deployed, then deploy exactly
 * the checked cloud assembly.
 *
 * 0. `-c` settings that differ from the committed config/<profile>.json are listed, and only
 *    deployed with `--yes` (`overrides.ts`).
 * 1. Credentials and a Region (the SDK's default chain, a few seconds at most): without them it
 *    stops before synthesizing anything.
 * 2. `cdk synth` into `cdk.out.deploy`.
 * 3. The guard compares every stack and nested stack with the deployed one: it prints what
 *    changes on the platform (`platform.ts`: SCRAM users, ACLs, topics, consumers, alarms) and
 *    refuses replacements CloudFormation cannot do or that would leave a reader of
 *    `Fn::GetStackOutput` on an old value (`replacement.ts`), and removals that lose data or
 *    access unless `--allow-removal <name>` names each one.
 * 4. `cdk deploy --app cdk.out.deploy`.
 *
 * See docs/deploying.md#deploy.
 */
import { spawnSync } from 'node:child_process';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { ConfigError } from '../../lib/config/validation';
import { checkCredentials, PreflightError } from '../aws/preflight';
import { readAssembly } from '../shared/assembly';
import { afterDashes, columns, swallowedContext, wantsHelp } from '../shared/cli';
import { checkOverrides } from './overrides';
import { checkAssembly, formatProblems, NoCredentialsError } from './plan';
import { formatChanges, formatRemovals } from './platform';

// The SDK's notice that it will need Node 22 from 2027 is in docs/development.md#requirements; here it
// would bury the one line that matters (as in tools/integ/run.ts).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const ASSEMBLY = 'cdk.out.deploy';
/** How long the credential chain and STS may take before `npm run deploy` gives up. */
const PREFLIGHT_TIMEOUT_MS = 10_000;

export interface DeployArgs {
  /** `-c k=v` / `--context k=v`: for synth. */
  readonly context: string[];
  /** Everything else: for `cdk deploy`. */
  readonly deploy: string[];
  /** `--allow-removal <name>` (repeatable): for the guard, never passed to cdk. */
  readonly allowRemoval: string[];
  /** `--yes`: deploy with `-c` settings that differ from config/<profile>.json. */
  readonly yes: boolean;
}

/** `-c k=v` / `--context k=v` go to synth, `--allow-removal` to the guard, the rest to `cdk deploy`. */
export function splitArgs(args: readonly string[]): DeployArgs {
  const context: string[] = [];
  const deploy: string[] = [];
  const allowRemoval: string[] = [];
  let yes = false;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '-c' || args[i] === '--context') context.push(args[i], args[++i] ?? '');
    else if (/^--context=/.test(args[i])) context.push(args[i]);
    else if (args[i] === '--allow-removal') allowRemoval.push(args[++i] ?? '');
    else if (/^--allow-removal=/.test(args[i])) allowRemoval.push(args[i].slice(16));
    else if (args[i] === '--yes') yes = true;
    else deploy.push(args[i]);
  }
  return { context, deploy, allowRemoval, yes };
}

/** What `npm run deploy -- --help` prints. */
export function usage(): string {
  return [
    'usage: npm run deploy -- [-c key=value]... [--yes] [--allow-removal KIND:NAME]... ' +
      '[cdk deploy options] [--help]',
    '',
    'Deploys the app after checking it: AWS credentials and a Region first; `cdk synth` into',
    `${ASSEMBLY}; then the deploy guard compares every stack and nested stack with the deployed`,
    'one, prints what changes on the platform, and refuses replacements CloudFormation cannot do,',
    'outputs other stacks read that would change, and removals that lose data or access; then',
    `\`cdk deploy --app ${ASSEMBLY}\` of exactly the checked assembly. A refused check deploys nothing.`,
    '',
    'Options:',
    ...columns([
      [
        '-c, --context key=value',
        'a setting to synthesize with (repeatable), e.g. -c profile=prod',
      ],
      ['--yes', 'deploy with -c settings that differ from config/<profile>.json'],
      [
        '--allow-removal KIND:NAME',
        'accept one removal the guard refuses (repeatable); the refusal names it:',
        'user:, topic:, consumer:, group:, key:, log-group:, failure-queue:',
      ],
      ['-h, --help', 'print this help and exit'],
      ['anything else', 'passed on to cdk deploy (npx cdk deploy --help)'],
    ]),
    '',
    'Exit code: 0 when deployed, 1 when a check refused or failed, else what cdk exits with.',
    afterDashes('deploy'),
    '',
  ].join('\n');
}

function cdk(args: readonly string[]): void {
  const result = spawnSync('cdk', ['--no-notices', ...args], { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
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
  // Before anything else: deploying the default profile in place of the one asked for.
  const swallowed = swallowedContext('deploy');
  if (swallowed) {
    console.error(`${swallowed}\nNothing was synthesized or deployed.`);
    return 2;
  }
  const { context, deploy, allowRemoval, yes } = splitArgs(argv);
  if (allowRemoval.some((name) => !/^[a-z-]+:./.test(name))) {
    console.error(
      '--allow-removal takes <kind>:<name>, e.g. user:billing, topic:orders, consumer:consumer ' +
        '(the refusal message says which). Nothing was synthesized or deployed.',
    );
    return 1;
  }
  // Local and cheap, before credentials: -c settings that the committed file does not have.
  try {
    const overrides = checkOverrides(context, process.cwd());
    for (const line of overrides.lines) console.error(line);
    if (overrides.needsConfirmation && !yes) {
      console.error('Nothing was synthesized or deployed.');
      return 1;
    }
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  }
  try {
    const caller = await checkCredentials({
      command: 'npm run deploy',
      account: 'to deploy to',
      timeoutMs: PREFLIGHT_TIMEOUT_MS,
    });
    console.error(
      `Deploying to account ${caller.account}, Region ${caller.region}, as ${caller.arn}`,
    );
  } catch (error) {
    if (error instanceof PreflightError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  }
  cdk(['synth', '--quiet', '**', ...context, '--output', ASSEMBLY]);
  try {
    const { plans, problems, changes, removals } = await checkAssembly(
      readAssembly(ASSEMBLY),
      { cloudFormation: (region) => new CloudFormationClient({ region }) },
      { allowRemoval },
    );
    console.error(formatChanges(changes));
    const report = formatRemovals(removals);
    if (report) console.error(report);
    if (problems.length > 0) console.error(formatProblems(problems));
    if (problems.length > 0 || removals.refused.length > 0) return 1;
    const stacks = plans.filter((p) => !p.stackName.includes('/'));
    const existing = stacks.filter((p) => p.deployed).length;
    console.error(
      `Deploy guard: ${stacks.length} stacks and ${plans.length - stacks.length} nested stacks ` +
        `checked (${existing} stacks deployed, ${stacks.length - existing} new): no custom-named ` +
        'replacement, no read output changes, no removal that was not allowed.',
    );
  } catch (error) {
    if (error instanceof NoCredentialsError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  }
  cdk(['deploy', '--app', ASSEMBLY, '**', ...deploy]);
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(
        `Deploy guard failed: ${error instanceof Error ? error.message : String(error)}`,
      );
      process.exit(1);
    },
  );
}
