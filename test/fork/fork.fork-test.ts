/**
 * `npm run test:fork`: can a forker lift `secure-msk-constructs/` alone? The folder is copied
 * into a fresh temporary CDK app with its own VPC, key and consumer handler (fork-app.ts), which
 * is type-checked (`tsc --noEmit`) and synthesized offline (`cdk synth`, bundling included).
 * Anything the library needs from outside the folder (an import of `lib/`, a path computed to the
 * repository's root) fails one of the two.
 */
import { existsSync, lstatSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { type CfnResource, loadTemplates } from '../../tools/shared/assembly';
import {
  createForkApp,
  FORK_HANDLER_MARKER,
  LIBRARY,
  libraryPackages,
  ROOT,
  run,
} from './fork-app';

let app: string;
let out: string;
/** Every resource the synth wrote (nested stacks included). */
let all: CfnResource[];
const resources = (type: string): CfnResource[] => all.filter((r) => r.Type === type);

beforeAll(() => {
  app = createForkApp();
  out = join(app, 'cdk.out');
  run(app, 'npx', ['tsc', '--noEmit', '-p', app]);
  run(app, 'npx', ['cdk', 'synth', '--no-notices', '--quiet', '--output', out]);
  all = loadTemplates(out).flatMap(({ template }) => Object.values(template.Resources ?? {}));
});

afterAll(() => {
  if (app) rmSync(app, { recursive: true, force: true });
});

/** Every file under `dir`, relative, with `/`, sorted; `skip` names top-level entries left out. */
function filesUnder(dir: string, skip: readonly string[] = []): string[] {
  const files: string[] = [];
  const walk = (folder: string) => {
    for (const entry of readdirSync(join(dir, folder), { withFileTypes: true })) {
      const path = folder ? `${folder}/${entry.name}` : entry.name;
      if (!folder && skip.includes(entry.name)) continue;
      if (entry.isDirectory()) walk(path);
      else files.push(path);
    }
  };
  walk('');
  return files.sort();
}

test('the fork app holds the library and its own files only (node_modules linked, no lock file)', () => {
  expect(readdirSync(app).sort()).toEqual(
    [
      'bin',
      'cdk.context.json',
      'cdk.json',
      'cdk.out',
      'lambda',
      LIBRARY,
      'node_modules',
      'package.json',
      'tsconfig.json',
    ].sort(),
  );
  expect(lstatSync(join(app, 'node_modules')).isSymbolicLink()).toBe(true);
  // Outside the library, only the files createForkApp writes (nothing else of this project)…
  expect(filesUnder(app, [LIBRARY, 'node_modules', 'cdk.out'])).toEqual([
    'bin/app.ts',
    'cdk.context.json',
    'cdk.json',
    'lambda/consumers/orders/index.ts',
    'package.json',
    'tsconfig.json',
  ]);
  // …and the library folder is this project's, file for file.
  const library = filesUnder(join(app, LIBRARY));
  expect(library).toEqual(filesUnder(join(ROOT, LIBRARY)));
  for (const file of library) {
    expect(readFileSync(join(app, LIBRARY, file), 'utf8')).toBe(
      readFileSync(join(ROOT, LIBRARY, file), 'utf8'),
    );
  }
  const pkg = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8'));
  expect(Object.keys(pkg.dependencies)).toEqual(
    expect.arrayContaining(['aws-cdk-lib', 'constructs', 'esbuild', 'kafkajs']),
  );
  expect(Object.keys(pkg.devDependencies)).toEqual(
    expect.arrayContaining(['@types/aws-lambda', 'aws-cdk', 'typescript']),
  );
  expect(Object.keys(pkg.devDependencies)).not.toContain('esbuild');
});

test('the app it synthesized: the cluster on its own key, the association, the ACLs, the mapping', () => {
  const [cluster] = resources('AWS::MSK::Cluster');
  expect(resources('AWS::MSK::Cluster')).toHaveLength(1);
  expect(cluster.Properties).toMatchObject({
    ClusterName: 'fork',
    EncryptionInfo: {
      EncryptionAtRest: {
        DataVolumeKMSKeyId: { 'Fn::GetAtt': [expect.stringMatching(/^Key/), 'Arn'] },
      },
    },
  });
  // The SCRAM secret is associated by the library's custom resource, in the users' nested stack.
  expect(resources('Custom::MskScramSecretAssociation')).toHaveLength(1);
  expect(resources('AWS::SecretsManager::Secret')).toHaveLength(1);
  const [acls] = resources('Custom::MskKafkaAcls');
  expect(resources('Custom::MskKafkaAcls')).toHaveLength(1);
  expect(JSON.stringify(acls.Properties)).toContain('fork-orders');
  const [mapping] = resources('AWS::Lambda::EventSourceMapping');
  expect(resources('AWS::Lambda::EventSourceMapping')).toHaveLength(1);
  expect(mapping.Properties).toMatchObject({
    Topics: ['orders'],
    AmazonManagedKafkaEventSourceConfig: { ConsumerGroupId: 'fork-orders' },
  });
  // The key the forker gave: the constructs added CloudWatch Logs' statement for `/fork/*`.
  const [key] = resources('AWS::KMS::Key');
  expect(JSON.stringify(key.Properties)).toContain(':log-group:/fork/*');
  for (const group of resources('AWS::Logs::LogGroup')) {
    expect(group.Properties?.LogGroupName).toMatch(/^\/fork\//);
  }
});

test("every function's asset folder holds its handler file; the consumer runs the forker's handler", () => {
  const functions = resources('AWS::Lambda::Function');
  const bundled = functions.filter((f) => f.Properties?.Handler === 'index.handler');
  // The consumer, the ACL handler and the association handler (bundled by the library).
  expect(bundled).toHaveLength(3);
  for (const fn of functions) {
    const asset = join(out, String(fn.Metadata?.['aws:asset:path']));
    const file = `${String(fn.Properties?.Handler).split('.')[0]}.js`;
    expect(existsSync(join(asset, file))).toBe(true);
  }
  const consumer = bundled.filter((f) =>
    readFileSync(join(out, String(f.Metadata?.['aws:asset:path']), 'index.js'), 'utf8').includes(
      FORK_HANDLER_MARKER,
    ),
  );
  expect(consumer).toHaveLength(1);
});

test("the package list the fork app declares is the library's imports", () => {
  expect(libraryPackages()).toEqual({
    // esbuild: SecureFunction bundles the handlers in-process at synth.
    constructs: ['aws-cdk-lib', 'constructs', 'esbuild'],
    handlers: expect.arrayContaining(['@types/aws-lambda', 'kafkajs']),
  });
});
