/**
 * A forker's CDK app in a fresh temporary folder: only `secure-msk-constructs/` is copied from
 * this project; the app's own files (package.json, tsconfig.json, cdk.json, bin/app.ts and a
 * consumer handler of its own) are written here, and this project's node_modules is linked
 * (packages are not project files). Nothing else of this project is reachable from there.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { sourceFiles, specifiers } from '../../tools/imports';

export const ROOT = join(__dirname, '..', '..');
export const LIBRARY = 'secure-msk-constructs';

/** The npm package a bare specifier names (`aws-cdk-lib/aws-ec2` → `aws-cdk-lib`). */
export function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/**
 * The packages the library's files import, by part (`constructs`, `handlers`, `model`); Node's
 * built-in modules left out. `aws-lambda` (types only) is the package `@types/aws-lambda`.
 */
export function libraryPackages(root = ROOT): Record<string, string[]> {
  const byPart: Record<string, Set<string>> = {};
  for (const file of sourceFiles(root).filter((f) => f.startsWith(`${LIBRARY}/`))) {
    const part = file.split('/')[1];
    for (const { specifier } of specifiers(readFileSync(join(root, file), 'utf8'), file)) {
      if (specifier.startsWith('.') || specifier.startsWith('node:')) continue;
      if (builtinModules.includes(specifier)) continue;
      const name = packageOf(specifier);
      (byPart[part] ??= new Set()).add(name === 'aws-lambda' ? '@types/aws-lambda' : name);
    }
  }
  return Object.fromEntries(Object.entries(byPart).map(([part, set]) => [part, [...set].sort()]));
}

/**
 * Tools a forker's CDK app in TypeScript declares besides the library's imports (esbuild is one
 * of those: `SecureFunction` bundles with it at synth).
 */
export const FORK_TOOLS = ['@types/node', 'aws-cdk', 'tsx', 'typescript'];

/** `name → version` as this project declares it; a package it does not declare is an error. */
function versions(names: readonly string[], root: string): Record<string, string> {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const declared: Record<string, string> = { ...pkg.dependencies, ...pkg.devDependencies };
  return Object.fromEntries(
    names.map((name) => {
      if (!declared[name]) {
        throw new Error(
          `The library imports ${name}, which package.json declares nowhere: add it to dependencies`,
        );
      }
      return [name, declared[name]];
    }),
  );
}

export const ENV = { account: '111111111111', region: 'eu-west-1' };

/** The forker's consumer handler: its own file, outside the library (MskConsumer's `entry`). */
export const FORK_HANDLER_MARKER = 'fork-orders-handler';
const HANDLER = `import type { MSKEvent } from 'aws-lambda';

/** The forker's own consumer: counts the records of each batch. */
export const handler = async (event: MSKEvent): Promise<{ records: number }> => {
  const records = Object.values(event.records).reduce((n, batch) => n + batch.length, 0);
  console.log(JSON.stringify({ handler: '${FORK_HANDLER_MARKER}', records }));
  return { records };
};
`;

/** The forker's app: its own VPC and key; the library through its index only. */
const APP = `#!/usr/bin/env node
import * as path from 'node:path';
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import {
  ANY_HOST,
  EncryptedLogs,
  KAFKA_PORTS,
  KafkaAcls,
  MskConsumer,
  ScramSecretAssociation,
  ScramUsers,
  SecureMskCluster,
  scramPrincipal,
} from '../secure-msk-constructs';

const app = new App();
const stack = new Stack(app, 'Fork', { env: ${JSON.stringify(ENV)} });
const vpc = new ec2.Vpc(stack, 'Vpc', {
  availabilityZones: ['eu-west-1a', 'eu-west-1b'],
  natGateways: 1,
  subnetConfiguration: [
    { name: 'public', subnetType: ec2.SubnetType.PUBLIC, mapPublicIpOnLaunch: false },
    { name: 'private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
  ],
});
// A plain key: the constructs add what CloudWatch Logs needs to its policy.
const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
const logSettings: EncryptedLogs = {
  encryptionKey: key,
  logGroupNamePrefix: '/fork/',
  logRetention: logs.RetentionDays.ONE_MONTH,
  logRemovalPolicy: RemovalPolicy.DESTROY,
};
const brokers = new ec2.SecurityGroup(stack, 'Brokers', { vpc, allowAllOutbound: false });
const clients = new ec2.SecurityGroup(stack, 'Clients', { vpc, allowAllOutbound: false });
for (const port of Object.values(KAFKA_PORTS)) {
  brokers.addIngressRule(clients, ec2.Port.tcp(port));
  brokers.connections.allowInternally(ec2.Port.tcp(port));
  clients.addEgressRule(brokers, ec2.Port.tcp(port));
}
clients.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443));
const vpcSubnets = { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS };
const functions = { vpc, vpcSubnets, securityGroups: [clients], encryptionKey: key, logs: logSettings };

const cluster = new SecureMskCluster(stack, 'Msk', {
  clusterName: 'fork',
  kafkaVersion: '3.8.x',
  instanceType: 'kafka.t3.small',
  numberOfBrokerNodes: 2,
  vpc,
  vpcSubnets,
  securityGroup: brokers,
  encryptionKey: key,
  logs: logSettings,
  ebsVolumeGiB: 20,
  removalPolicy: RemovalPolicy.DESTROY,
});
const users = new ScramUsers(stack, 'Users', {
  clusterName: 'fork',
  users: ['orders'],
  encryptionKey: key,
  removalPolicy: RemovalPolicy.DESTROY,
});
const association = new ScramSecretAssociation(stack, 'Association', {
  clusterArn: cluster.clusterArn,
  secretNamePrefix: users.secretNamePrefix,
  secretsKey: key,
  ...functions,
});
for (const [nested, secrets] of users.byStack) association.associate(nested, 'Association', secrets);

const principal = scramPrincipal('orders');
const allow = { principal, host: ANY_HOST, permission: 'ALLOW', patternType: 'LITERAL' } as const;
const acls = new KafkaAcls(stack, 'Acls', {
  cluster,
  bindings: [
    { ...allow, resourceType: 'TOPIC', resourceName: 'orders', operation: 'READ' },
    { ...allow, resourceType: 'TOPIC', resourceName: 'orders', operation: 'DESCRIBE' },
    { ...allow, resourceType: 'GROUP', resourceName: 'fork-orders', operation: 'READ' },
  ],
  ...functions,
});
for (const resource of association.resources) acls.node.addDependency(resource);

new MskConsumer(stack, 'Orders', {
  name: 'orders',
  cluster,
  authentication: { mode: 'scram', secret: users.secretOf('orders') },
  topic: 'orders',
  consumerGroup: 'fork-orders',
  entry: path.join(__dirname, '..', 'lambda', 'consumers', 'orders', 'index.ts'),
  encryptionKey: key,
  logs: logSettings,
  vpc,
  vpcSubnets,
  functionSecurityGroup: clients,
  removalPolicy: RemovalPolicy.DESTROY,
});
app.synth();
`;

/** Writes the forker's app with a copy of the library; returns its folder. */
export function createForkApp(root = ROOT): string {
  const app = mkdtempSync(join(tmpdir(), 'msk-fork-'));
  cpSync(join(root, LIBRARY), join(app, LIBRARY), { recursive: true });
  const packages = libraryPackages(root);
  const runtime = [...new Set(Object.values(packages).flat())]
    .filter((p) => !p.startsWith('@types/'))
    .sort();
  const dev = [...new Set([...FORK_TOOLS, ...Object.values(packages).flat()])]
    .filter((p) => !runtime.includes(p))
    .sort();
  const files: Record<string, string> = {
    'package.json': JSON.stringify(
      {
        name: 'fork-app',
        private: true,
        dependencies: versions(runtime, root),
        devDependencies: versions(dev, root),
      },
      null,
      2,
    ),
    'tsconfig.json': JSON.stringify(
      {
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          lib: ['es2022'],
          strict: true,
          noUnusedLocals: true,
          noUnusedParameters: true,
          noImplicitReturns: true,
          // A side-effect import (`import '../../lib/config';`) of a missing file is an error too.
          noUncheckedSideEffectImports: true,
          esModuleInterop: true,
          skipLibCheck: true,
          noEmit: true,
          isolatedModules: true,
          types: ['node'],
        },
        include: ['bin', 'lambda', LIBRARY],
      },
      null,
      2,
    ),
    // The feature flags a `cdk init` of this CDK version writes: this project's.
    'cdk.json': JSON.stringify(
      {
        app: 'npx tsx bin/app.ts',
        context: JSON.parse(readFileSync(join(root, 'cdk.json'), 'utf8')).context,
      },
      null,
      2,
    ),
    // What `cdk synth` records after its first lookup with credentials, as a forker commits it:
    // the stack has an account and Region, so ec2.Vpc checks its zones against these.
    'cdk.context.json': JSON.stringify(
      {
        [`availability-zones:account=${ENV.account}:region=${ENV.region}`]: ['a', 'b', 'c'].map(
          (zone) => `${ENV.region}${zone}`,
        ),
      },
      null,
      2,
    ),
    'bin/app.ts': APP,
    'lambda/consumers/orders/index.ts': HANDLER,
  };
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(app, file)), { recursive: true });
    writeFileSync(join(app, file), text);
  }
  symlinkSync(join(root, 'node_modules'), join(app, 'node_modules'), 'dir');
  return app;
}

/** Runs a command in the fork app; on failure the error carries everything it printed. */
export function run(app: string, command: string, args: readonly string[]): string {
  try {
    return execFileSync(command, args, {
      cwd: app,
      encoding: 'utf8',
      stdio: 'pipe',
      env: { ...process.env, AWS_EC2_METADATA_DISABLED: 'true' },
    });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(
      `${command} ${args.join(' ')} failed in the fork app ${app}:\n${e.stdout ?? ''}${e.stderr ?? ''}`,
      { cause: error },
    );
  }
}
