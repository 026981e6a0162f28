/**
 * SecureFunction bundles for real here (the other unit tests skip bundling): the deployed code is
 * what esbuild makes of the tested handler, so how it is bundled is part of the contract.
 */
import {
  cpSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { SecureCustomResourceProvider } from '../../secure-msk-constructs/constructs/custom-resource-provider';
import {
  LAMBDA_SOURCE_ROOT,
  SecureFunction,
  SecureFunctionProps,
} from '../../secure-msk-constructs/constructs/secure-function';
import { noBundlingApp } from '../helpers/no-bundling';
import { acknowledgements } from '../helpers/synth';

const outdir = mkdtempSync(join(tmpdir(), 'secure-function-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

function network(stack: Stack) {
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    maxAzs: 2,
    natGateways: 0,
    restrictDefaultSecurityGroup: false,
  });
  const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
  return {
    encryptionKey: key,
    logs: {
      encryptionKey: key,
      logGroupNamePrefix: '/test/',
      logRetention: logs.RetentionDays.ONE_MONTH,
      logRemovalPolicy: RemovalPolicy.DESTROY,
    },
    vpc,
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    securityGroups: [new ec2.SecurityGroup(stack, 'Group', { vpc })],
  };
}

function build(overrides: Partial<SecureFunctionProps> = {}, app = new App({ outdir })) {
  const stack = new Stack(app, 'Functions');
  const fn = new SecureFunction(stack, 'Association', {
    // A handler that imports the AWS SDK v3, which the Node.js runtime also provides.
    entry: 'scram-secret-association/index.ts',
    description: 'A handler bundled for real',
    ...network(stack),
    logGroupName: 'lambda/association',
    unreservedReason: 'A test function that nothing invokes, so it needs no reserved concurrency.',
    noDeadLetterQueueReason: 'A test function that nothing invokes, so nothing can fail.',
    ...overrides,
  });
  return { app, stack, fn };
}

describe('bundled by the local esbuild', () => {
  const { app, stack } = build();
  app.synth();
  const [asset] = readdirSync(outdir).filter((name) => name.startsWith('asset.'));
  const code = readFileSync(join(outdir, asset, 'index.js'), 'utf8');
  const map = JSON.parse(readFileSync(join(outdir, asset, 'index.js.map'), 'utf8'));

  test('one file and its source map, nothing else', () => {
    expect(readdirSync(join(outdir, asset)).sort()).toEqual(['index.js', 'index.js.map']);
  });

  test('minified: over 50 kB on fewer than 200 lines (multi-line strings and licence comments)', () => {
    expect(code.length).toBeGreaterThan(50_000);
    expect(code.split('\n').length).toBeLessThan(200);
  });

  test('everything bundled, the AWS SDK too: the deployed code is the tested code', () => {
    expect(map.sources).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/handlers\/scram-secret-association\/index\.ts$/),
        expect.stringMatching(/node_modules\/@aws-sdk\/client-kafka\//),
      ]),
    );
  });

  test('source maps without the sources, and Node told to use them', () => {
    expect(map.sourcesContent).toBeUndefined();
    const [fn] = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'));
    expect(fn.Properties).toMatchObject({
      Handler: 'index.handler',
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      MemorySize: 256,
      Timeout: 300,
      Environment: { Variables: { NODE_OPTIONS: '--enable-source-maps' } },
      LoggingConfig: { LogFormat: 'JSON' },
    });
  });
});

test('refuses a function with neither reserved concurrency nor a reason', () => {
  expect(() => build({ unreservedReason: undefined }, noBundlingApp())).toThrow(
    'SecureFunction Association: give reservedConcurrentExecutions or unreservedReason',
  );
});

test('reserved concurrency needs no reason, and no concurrency rule is acknowledged', () => {
  const { stack, fn } = build(
    { reservedConcurrentExecutions: 2, unreservedReason: undefined },
    noBundlingApp(),
  );
  const [resource] = Object.values(
    Template.fromStack(stack).findResources('AWS::Lambda::Function'),
  );
  expect(resource.Properties.ReservedConcurrentExecutions).toBe(2);
  expect(acknowledgements(fn).map(([id]) => id)).toEqual([
    'Annotation::AwsSolutions-IAM5[Resource::*]',
    'Annotation::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:<AWS::Region>:<AWS::AccountId>:*/*]',
    'Annotation::NIST.800.53.R5-LambdaDLQ',
    'Annotation::HIPAA.Security-LambdaDLQ',
  ]);
});

test('an entry that is not a handler file is refused with the value and what is allowed', () => {
  expect(() => build({ entry: 'no-such-handler/index.ts' }, noBundlingApp())).toThrow(
    `SecureFunction Association: entry = "no-such-handler/index.ts": no file at ${join(LAMBDA_SOURCE_ROOT, 'no-such-handler', 'index.ts')}; give an absolute path or one relative to ${LAMBDA_SOURCE_ROOT}`,
  );
  expect(() => build({ entry: 'scram-secret-association' }, noBundlingApp())).toThrow(
    'SecureFunction Association: entry = "scram-secret-association" is not a handler source file',
  );
});

test("a handler that does not bundle is refused with esbuild's message", () => {
  const dir = mkdtempSync(join(tmpdir(), 'secure-function-broken-'));
  try {
    const entry = join(dir, 'index.ts');
    writeFileSync(entry, "import 'no-such-package';\nexport const handler = () => 1;\n");
    expect(() => build({ entry }, new App({ outdir: join(dir, 'cdk.out') }))).toThrow(
      new RegExp(
        `SecureFunction Association: esbuild could not bundle entry ${entry}:\\n.*Could not resolve "no-such-package"`,
        's',
      ),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bundling is skipped as CDK skips it: nothing is built or copied into the assembly', () => {
  const { app, stack } = build({}, noBundlingApp());
  const assembly = app.synth();
  expect(Template.fromStack(stack).findResources('AWS::Lambda::Function')).not.toEqual({});
  expect(readdirSync(assembly.directory).filter((name) => /^(asset\.|bundle-)/.test(name))).toEqual(
    [],
  );
});

test('with asset staging disabled (cdk synth --no-staging) the bundle stays where the template points', () => {
  const dir = mkdtempSync(join(tmpdir(), 'secure-function-no-staging-'));
  try {
    const app = new App({
      outdir: dir,
      context: { 'aws:cdk:disable-asset-staging': true, 'aws:cdk:enable-asset-metadata': true },
    });
    const { stack } = build({}, app);
    const [fn] = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'));
    const bundleDir = fn.Metadata['aws:asset:path'];
    expect(bundleDir).toMatch(new RegExp(`^${dir}/bundle-[0-9a-f]{64}$`));
    expect(readdirSync(bundleDir).sort()).toEqual(['index.js', 'index.js.map']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

describe('a copy of the library elsewhere, with no package.json or lock file around it', () => {
  // As a forker copies it: the library folder beside their own node_modules (here a link to ours).
  const forkRoot = mkdtempSync(join(tmpdir(), 'secure-function-fork-'));
  afterAll(() => rmSync(forkRoot, { recursive: true, force: true }));
  cpSync(join(__dirname, '..', '..', 'secure-msk-constructs'), join(forkRoot, 'constructs'), {
    recursive: true,
  });
  symlinkSync(join(__dirname, '..', '..', 'node_modules'), join(forkRoot, 'node_modules'), 'dir');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const copy: typeof import('../../secure-msk-constructs') = require(join(forkRoot, 'constructs'));

  test('bundles the handler found relative to the copy', () => {
    const app = new App({ outdir: mkdtempSync(join(forkRoot, 'cdk.out-')) });
    const stack = new Stack(app, 'Fork');
    new copy.SecureFunction(stack, 'Association', {
      entry: 'scram-secret-association/index.ts',
      description: 'A handler of the copied library',
      ...network(stack),
      logGroupName: 'lambda/association',
      unreservedReason: 'A test function that nothing invokes.',
      noDeadLetterQueueReason: 'A test function that nothing invokes.',
    });
    const assembly = app.synth();
    const [asset] = readdirSync(assembly.directory).filter((name) => name.startsWith('asset.'));
    const map = JSON.parse(readFileSync(join(assembly.directory, asset, 'index.js.map'), 'utf8'));
    expect(map.sources).toEqual(
      expect.arrayContaining(['handlers/scram-secret-association/index.ts']),
    );
    // Only the asset and the templates: the bundle's staging folder is gone.
    expect(readdirSync(assembly.directory).filter((name) => name.startsWith('bundle-'))).toEqual(
      [],
    );
  });
});

describe('SecureCustomResourceProvider', () => {
  const provider = (timeout?: Duration) => {
    const stack = new Stack(noBundlingApp(), 'Provider');
    new SecureCustomResourceProvider(stack, 'Lookup', {
      entry: 'cluster-bootstrap-brokers/index.ts',
      description: 'A lookup',
      logGroupName: 'custom-resources/lookup',
      timeout,
      ...network(stack),
    });
    const functions = Template.fromStack(stack).findResources('AWS::Lambda::Function');
    return Object.values(functions).find((f) => f.Properties.Description === 'A lookup')!;
  };

  test('the handler has 10 minutes unless told otherwise', () => {
    expect(provider().Properties.Timeout).toBe(600);
    expect(provider(Duration.minutes(2)).Properties.Timeout).toBe(120);
  });
});
