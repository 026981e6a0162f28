/**
 * The synth goal of docs/development.md: a full `cdk synth` of dev takes at most 1.4x the wall
 * time of a one-stack app with one SNS topic, on the same CLI. Both run as `npm run synth` does
 * (`cdk synth --no-notices --quiet '**'`, the app through `npx tsx`, cdk.json's feature flags),
 * each into its own temporary output folder; median of PAIRS interleaved pairs, after one
 * untimed pair that warms the file cache. Prints the figures; never fails on them (a synth
 * that fails is an error, not a figure).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { BUNDLE_CACHE_ENV } from '../secure-msk-constructs';

const ROOT = join(__dirname, '..');
const PAIRS = 5;
export const GOAL = 1.4;

/** The project's own CLI (package.json's aws-cdk), for both apps. */
const CDK = join(ROOT, 'node_modules', '.bin', 'cdk');

const EMPTY_APP = `import { App, Stack } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';

const app = new App();
new sns.Topic(new Stack(app, 'OneTopic'), 'Topic');
`;

/** A one-stack app with one SNS topic in a temporary folder, with cdk.json's feature flags. */
function writeEmptyApp(dir: string): void {
  const { context } = JSON.parse(readFileSync(join(ROOT, 'cdk.json'), 'utf8'));
  writeFileSync(join(dir, 'app.ts'), EMPTY_APP);
  writeFileSync(join(dir, 'cdk.json'), JSON.stringify({ app: 'npx tsx app.ts', context }));
  // aws-cdk-lib and tsx from this project, resolved as the project's own app resolves them.
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
}

/** Seconds of one `cdk synth` in `cwd`, into a fresh output folder. */
function synth(cwd: string, outRoot: string, extraEnv: Record<string, string> = {}): number {
  const out = mkdtempSync(join(outRoot, 'cdk.out-'));
  const start = performance.now();
  const result = spawnSync(CDK, ['synth', '--no-notices', '--quiet', '**', '--output', out], {
    cwd,
    encoding: 'utf8',
    // No AWS account: the CLI's credential chain must not wait for an instance metadata service.
    env: { ...process.env, AWS_EC2_METADATA_DISABLED: 'true', ...extraEnv },
  });
  const seconds = (performance.now() - start) / 1000;
  rmSync(out, { recursive: true, force: true });
  if (result.status !== 0) {
    throw new Error(`cdk synth in ${cwd} failed (${result.status}):\n${result.stderr}`);
  }
  return seconds;
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

export function run(): void {
  const work = mkdtempSync(join(tmpdir(), 'synth-ratio-'));
  try {
    const emptyApp = join(work, 'one-topic-app');
    mkdirSync(emptyApp);
    writeEmptyApp(emptyApp);
    // The warm-up pair also fills the bundle cache (node_modules/.cache/secure-msk-constructs):
    // the first row is a synth of unchanged code, the second bundles every handler afresh.
    synth(ROOT, work);
    synth(emptyApp, work);
    for (const [label, env] of [
      ['bundle cache on (unchanged handlers)', {}],
      ['bundle cache off (SECURE_MSK_BUNDLE_CACHE=off)', { [BUNDLE_CACHE_ENV]: 'off' }],
    ] as const) {
      const dev: number[] = [];
      const empty: number[] = [];
      for (let i = 0; i < PAIRS; i++) {
        // Interleaved, and which goes first alternates, so drift in the machine's load hits both.
        if (i % 2 === 0) {
          dev.push(synth(ROOT, work, env));
          empty.push(synth(emptyApp, work));
        } else {
          empty.push(synth(emptyApp, work));
          dev.push(synth(ROOT, work, env));
        }
      }
      const ratio = median(dev) / median(empty);
      const runs = (xs: number[]) => xs.map((x) => x.toFixed(1)).join(', ');
      console.log(`${label}:`);
      console.log(
        `  cdk synth of dev (all stacks):  median ${median(dev).toFixed(1)} s (${runs(dev)})`,
      );
      console.log(
        `  cdk synth of a one-topic app:   median ${median(empty).toFixed(1)} s (${runs(empty)})`,
      );
      console.log(
        `  ratio ${ratio.toFixed(2)}x (goal <= ${GOAL}x) ${ratio <= GOAL ? 'met' : 'MISSED'}; ` +
          `median of ${PAIRS} interleaved pairs, after one warm-up pair`,
      );
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
