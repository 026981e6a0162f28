#!/usr/bin/env node
/**
 * `npm run integ [-- --keep | --destroy-only]`: deploys the integ app (`integ.platform.ts`) to
 * the caller's account and Region, which runs the assertions (they are custom resources of its
 * Assertions stack), then destroys everything, printing how long each step took.
 *
 * Steps: credentials (STS, fails fast without them) → synth (into a temporary directory) →
 * deploy each stack in the test's order → the assertions' own timings, from CloudFormation's
 * events → destroy each stack in reverse order, waiting out Lambda's VPC network interfaces
 * when they hold the subnets → check that no stack is left.
 *
 * It runs the project's own CDK CLI (aws-cdk 2.1148), not `@aws-cdk/integ-runner`, whose
 * latest release pins a CLI (2.1115) that cannot read this cloud assembly (docs/integ.md).
 *
 * Exit codes: 0 passed; 1 failed (deployment or an assertion), everything destroyed; 2 teardown
 * incomplete (stacks left: it says which, and how to finish); 3 not started (no credentials).
 */
import { spawn } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { EC2Client } from '@aws-sdk/client-ec2';
import { assertionLabels, readIntegStacks, StackRef, stepNumber } from './assembly';
import { Caller, checkCredentials, PreflightError } from '../aws/preflight';
import {
  creationTimings,
  failedAssertions,
  formatDuration,
  remainingStacks,
  vpcOfStack,
  waitForLambdaInterfaces,
} from './cloud';

// The SDK's notice that it will need Node 22 from 2027 is in docs/development.md#requirements; here it
// would bury the one line that matters (the jest config silences it the same way).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const ROOT = path.join(__dirname, '..', '..');
/** Outside the working tree: nothing to ignore or clean up in git. */
const OUTDIR = path.join(os.tmpdir(), 'msk-secure-stack-integ');
const APP = 'npx tsx test/integ/integ.platform.ts';
const CDK = require.resolve('aws-cdk/bin/cdk');
/** How long to wait for Lambda to release the VPC network interfaces, and how often to look. */
const ENI_WAIT = { timeoutMs: 45 * 60_000, intervalMs: 30_000 };
const DESTROY_ATTEMPTS = 3;

interface StepResult {
  readonly name: string;
  readonly ms: number;
  readonly ok: boolean;
}

const say = (line: string): void => {
  console.error(`[integ ${new Date().toISOString().slice(11, 19)}] ${line}`);
};

const steps: StepResult[] = [];

async function step<T>(name: string, run: () => Promise<T>): Promise<T> {
  say(`▶ ${name}`);
  const started = Date.now();
  try {
    const result = await run();
    const ms = Date.now() - started;
    steps.push({ name, ms, ok: true });
    say(`✔ ${name}: ${formatDuration(ms)}`);
    return result;
  } catch (error) {
    const ms = Date.now() - started;
    steps.push({ name, ms, ok: false });
    say(`✖ ${name} failed after ${formatDuration(ms)}: ${(error as Error).message}`);
    throw error;
  }
}

/** Runs the project's CDK CLI; resolves when it exits 0, rejects otherwise. */
function cdk(args: readonly string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CDK, '--no-notices', ...args], {
      cwd: ROOT,
      env,
      stdio: 'inherit',
    });
    child.on('error', reject);
    child.on('exit', (code, signal) =>
      code === 0
        ? resolve()
        : reject(new Error(`cdk ${args[0]} exited with ${signal ?? `code ${code}`}`)),
    );
  });
}

/** One line per assertion: step label, how long it took, and why it failed. */
async function reportAssertions(cfn: CloudFormationClient, stack: StackRef): Promise<void> {
  const labels = assertionLabels(stack.templateFile);
  const timings = await creationTimings(cfn, stack.name, (type) =>
    type.startsWith('Custom::DeployAssert@'),
  );
  const labelled = timings
    .filter((t) => labels.has(t.logicalId))
    .map((t) => ({ ...t, label: labels.get(t.logicalId)! }))
    .sort((a, b) => stepNumber(a.label) - stepNumber(b.label));
  if (labelled.length === 0) {
    say(`no assertion events found for ${stack.name}`);
    return;
  }
  say('assertions (from CloudFormation events):');
  for (const t of labelled) {
    const mark = t.status.endsWith('_COMPLETE') ? '✔' : t.status.endsWith('_FAILED') ? '✖' : '…';
    const took = t.durationMs === undefined ? 'not finished' : formatDuration(t.durationMs);
    console.error(`    ${mark} ${t.label} (${took})`);
    if (t.reason) console.error(`        ${t.reason}`);
  }
}

/** Destroys the stacks one by one, last first, waiting out Lambda's network interfaces. */
async function teardown(
  all: StackRef[],
  network: StackRef,
  env: NodeJS.ProcessEnv,
  cfn: CloudFormationClient,
  ec2: EC2Client,
): Promise<boolean> {
  const vpcId = await vpcOfStack(cfn, network.name);
  for (const stack of [...all].reverse()) {
    let destroyed = false;
    for (let attempt = 1; attempt <= DESTROY_ATTEMPTS && !destroyed; attempt++) {
      const label = `destroy ${stack.path}${attempt > 1 ? ` (attempt ${attempt})` : ''}`;
      try {
        await step(label, () =>
          cdk(['destroy', '--app', OUTDIR, '--exclusively', '--force', stack.path], env),
        );
        destroyed = true;
      } catch {
        if (attempt === DESTROY_ATTEMPTS) break;
        if (vpcId) {
          say(
            `${stack.name} could not be deleted. The usual cause is a subnet or security group ` +
              'still used by Lambda network interfaces, which Lambda deletes only some time ' +
              `after the functions; waiting (at most ${formatDuration(ENI_WAIT.timeoutMs)}) ` +
              `until ${vpcId} has none, then destroying again.`,
          );
          await step(`wait for Lambda network interfaces in ${vpcId}`, async () => {
            await waitForLambdaInterfaces(ec2, vpcId, { ...ENI_WAIT, log: say });
          }).catch(() => undefined);
        } else {
          say(`${stack.name} could not be deleted; trying again.`);
        }
      }
    }
  }
  const left = await remainingStacks(
    cfn,
    all.map((s) => s.name),
  );
  if (left.length > 0) {
    say(`left behind: ${left.map((s) => `${s.name} (${s.status})`).join(', ')}`);
    say(
      'finish with `npm run integ -- --destroy-only` once the cause is fixed (see "Reading a ' +
        'failure" in docs/integ.md), or delete the stacks in the CloudFormation console.',
    );
    return false;
  }
  say(
    `no stack left. By design still there: the platform KMS key, pending deletion for 7 days, ` +
      'and the service-linked role AWSServiceRoleForKafka (docs/deploying.md#teardown).',
  );
  return true;
}

/** Exactly this stack (its dependencies are deployed before it), without prompts. */
const deployArgs = (stack: StackRef): string[] => [
  'deploy',
  '--app',
  OUTDIR,
  '--exclusively',
  '--require-approval',
  'never',
  stack.path,
];

function summary(): void {
  say('summary:');
  for (const s of steps) {
    console.error(`    ${s.ok ? '✔' : '✖'} ${s.name.padEnd(52)} ${formatDuration(s.ms)}`);
  }
  const total = steps.reduce((sum, s) => sum + s.ms, 0);
  console.error(`    ${'total'.padEnd(54)} ${formatDuration(total)}`);
}

async function main(argv: readonly string[]): Promise<number> {
  const keep = argv.includes('--keep');
  const destroyOnly = argv.includes('--destroy-only');
  const unknown = argv.filter((a) => !['--keep', '--destroy-only'].includes(a));
  if (unknown.length > 0 || (keep && destroyOnly)) {
    console.error(
      `Usage: npm run integ [-- --keep | --destroy-only]\n` +
        '  --keep          deploy and assert, leave the stacks for inspection\n' +
        '  --destroy-only  destroy what an earlier run left',
    );
    return 3;
  }

  let caller: Caller;
  const started = Date.now();
  try {
    caller = await checkCredentials({ command: 'npm run integ', account: 'to test in' });
  } catch (error) {
    if (error instanceof PreflightError) {
      console.error(error.message);
      return 3;
    }
    throw error;
  }
  steps.push({ name: 'credentials (STS GetCallerIdentity)', ms: Date.now() - started, ok: true });
  say(`account ${caller.account}, Region ${caller.region}, as ${caller.arn}`);
  const env: NodeJS.ProcessEnv = { ...process.env, AWS_REGION: caller.region };
  const cfn = new CloudFormationClient({ region: caller.region });
  const ec2 = new EC2Client({ region: caller.region });

  await step('synth', () => cdk(['synth', '--app', APP, '--output', OUTDIR, '--quiet', '**'], env));
  const { stacks, assertions } = readIntegStacks(OUTDIR);
  const all = [...stacks, assertions];

  let passed = !destroyOnly;
  let interrupted = false;
  const onSignal = () => {
    if (interrupted) process.exit(2);
    interrupted = true;
    say('interrupted: no further deployment; tearing down (press Ctrl-C again to leave now)');
  };
  process.on('SIGINT', onSignal);

  if (!destroyOnly) {
    try {
      for (const stack of stacks) {
        if (interrupted) throw new Error('interrupted');
        await step(`deploy ${stack.path}`, () => cdk(deployArgs(stack), env));
      }
      if (interrupted) throw new Error('interrupted');
      try {
        await step(`deploy ${assertions.path} (runs the assertions)`, () =>
          cdk(deployArgs(assertions), env),
        );
        const failed = await failedAssertions(cfn, assertions.name);
        for (const f of failed) say(`✖ assertion ${f.output}: ${f.result}`);
        if (failed.length > 0) throw new Error(`${failed.length} assertion(s) failed`);
      } finally {
        await reportAssertions(cfn, assertions).catch((error: Error) =>
          say(`could not read the assertions' events: ${error.message}`),
        );
      }
    } catch {
      passed = false;
    }
  }

  let clean = true;
  if (keep) {
    say(`--keep: the stacks stay. Destroy them with: npm run integ -- --destroy-only`);
  } else {
    const network = stacks.find((s) => s.path.endsWith('/Network')) ?? stacks[0];
    clean = await teardown(all, network, env, cfn, ec2);
  }
  process.off('SIGINT', onSignal);
  summary();
  if (!clean) return 2;
  if (destroyOnly) return 0;
  say(passed ? 'PASSED' : 'FAILED (see the first ✖ above, and docs/integ.md "Reading a failure")');
  return passed ? 0 : 1;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(
        `npm run integ failed: ${error instanceof Error ? error.message : String(error)}`,
      );
      process.exit(2);
    },
  );
}
