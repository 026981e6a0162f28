/**
 * SecureFunction bundles for real here (the other unit tests skip bundling): the deployed code is
 * what esbuild makes of the tested handler, so how it is bundled is part of the contract.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { SecureCustomResourceProvider } from '../../secure-msk-constructs/constructs/custom-resource-provider';
import {
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

test("a forker's own lock file and project root are the ones used", () => {
  const elsewhere = join(tmpdir(), 'not-a-project');
  expect(() =>
    build({ depsLockFilePath: join(elsewhere, 'package-lock.json') }, noBundlingApp()),
  ).toThrow(`Lock file at ${join(elsewhere, 'package-lock.json')} doesn't exist`);
  expect(() => build({ projectRoot: elsewhere }, noBundlingApp())).toThrow(
    `should be under projectRoot (${elsewhere})`,
  );
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
