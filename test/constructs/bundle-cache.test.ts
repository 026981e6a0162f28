/**
 * The bundle cache of SecureFunction (node_modules/.cache/secure-msk-constructs/): a bundle is
 * reused only when what esbuild would read is unchanged. Each synth here loads SecureFunction
 * afresh (jest.isolateModules), as a new `cdk synth` process does, so the per-process memo does
 * not answer instead of the cache.
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
import { join } from 'node:path';
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as secureFunction from '../../secure-msk-constructs/constructs/secure-function';

let project: string;
let cacheDir: string;
beforeEach(() => {
  // A project of its own: its node_modules (empty: the handler imports no package) holds the cache.
  project = mkdtempSync(join(tmpdir(), 'bundle-cache-'));
  mkdirSync(join(project, 'node_modules'));
  mkdirSync(join(project, 'handler', 'greeting'), { recursive: true });
  writeFileSync(
    join(project, 'handler', 'index.ts'),
    "import { greeting } from './greeting';\nexport const handler = async () => greeting;\n",
  );
  writeFileSync(
    join(project, 'handler', 'greeting', 'index.ts'),
    "export const greeting = 'from-folder';\n",
  );
  cacheDir = join(project, 'node_modules', '.cache', 'secure-msk-constructs');
});
afterEach(() => {
  rmSync(project, { recursive: true, force: true });
  delete process.env.SECURE_MSK_BUNDLE_CACHE;
});

/** A fresh module instance of SecureFunction, as a new synth process has. */
function freshSecureFunction(): typeof secureFunction.SecureFunction {
  let loaded!: typeof secureFunction;
  jest.isolateModules(() => {
    loaded = jest.requireActual('../../secure-msk-constructs/constructs/secure-function');
  });
  return loaded.SecureFunction;
}

/** Synthesizes one function of the project's handler; returns its bundle's code. */
function synth(): string {
  const SecureFunction = freshSecureFunction();
  const outdir = mkdtempSync(join(project, 'cdk.out-'));
  const app = new App({ outdir });
  const stack = new Stack(app, 'Functions');
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 1, natGateways: 0 });
  const key = new kms.Key(stack, 'Key');
  new SecureFunction(stack, 'Fn', {
    entry: join(project, 'handler', 'index.ts'),
    description: 'a function for the cache',
    encryptionKey: key,
    logs: {
      encryptionKey: key,
      logGroupNamePrefix: '/test/',
      logRetention: logs.RetentionDays.ONE_DAY,
      logRemovalPolicy: RemovalPolicy.DESTROY,
    },
    vpc,
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    securityGroups: [new ec2.SecurityGroup(stack, 'Group', { vpc })],
    logGroupName: 'lambda/fn',
    unreservedReason: 'a test function',
    noDeadLetterQueueReason: 'a test function',
  });
  app.synth();
  const [asset] = readdirSync(outdir).filter((name) => name.startsWith('asset.'));
  return readFileSync(join(outdir, asset, 'index.js'), 'utf8');
}

/** The cache's files and their modification times. */
const cacheState = () =>
  Object.fromEntries(
    readdirSync(cacheDir).map((name) => [name, statSync(join(cacheDir, name)).mtimeMs]),
  );

test('a bundle is kept, and reused untouched when nothing it was made from changed', () => {
  const first = synth();
  expect(first).toContain('from-folder');
  const kept = cacheState();
  expect(Object.keys(kept).sort()).toEqual([
    expect.stringMatching(/^[0-9a-f]{64}\.index\.js$/),
    expect.stringMatching(/^[0-9a-f]{64}\.index\.js\.map$/),
    expect.stringMatching(/^[0-9a-f]{64}\.json$/),
  ]);
  expect(synth()).toBe(first);
  // A miss writes the cache again; a hit only reads it.
  expect(cacheState()).toEqual(kept);
});

test('an input changed: bundled again, with the change', () => {
  synth();
  writeFileSync(
    join(project, 'handler', 'greeting', 'index.ts'),
    "export const greeting = 'edited';\n",
  );
  const code = synth();
  expect(code).toContain('edited');
  expect(code).not.toContain('from-folder');
});

test('a new file that an import now resolves to: bundled again (./greeting.ts before ./greeting/index.ts)', () => {
  synth();
  writeFileSync(join(project, 'handler', 'greeting.ts'), "export const greeting = 'from-file';\n");
  const code = synth();
  expect(code).toContain('from-file');
  expect(code).not.toContain('from-folder');
});

test('packages installed or removed (npm rewrites node_modules/.package-lock.json): bundled again', () => {
  synth();
  const before = cacheState();
  writeFileSync(join(project, 'node_modules', '.package-lock.json'), '{"packages":{}}');
  synth();
  const manifests = (state: Record<string, number>) =>
    Object.entries(state).filter(([name]) => name.endsWith('.json'));
  expect(manifests(cacheState())).not.toEqual(manifests(before));
});

test('a tampered cached bundle is not used', () => {
  const first = synth();
  const [cached] = readdirSync(cacheDir).filter((name) => name.endsWith('.index.js'));
  writeFileSync(join(cacheDir, cached), 'exports.handler = async () => "tampered";');
  const code = synth();
  expect(code).toBe(first);
  expect(code).not.toContain('tampered');
});

test('SECURE_MSK_BUNDLE_CACHE=off: nothing is kept', () => {
  process.env.SECURE_MSK_BUNDLE_CACHE = 'off';
  expect(synth()).toContain('from-folder');
  expect(existsSync(cacheDir)).toBe(false);
});
