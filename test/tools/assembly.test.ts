/** The tools' one cloud-assembly reader (tools/shared/assembly.ts) on real synthesized apps. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { App, NestedStack, Stack, Stage } from 'aws-cdk-lib';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { loadTemplates, readAssembly } from '../../tools/shared/assembly';

/** A stage with two stacks, the second with a nested stack that has one of its own. */
function synthesize(context: Record<string, unknown> = {}): string {
  const outdir = mkdtempSync(join(tmpdir(), 'shared-assembly-'));
  const app = new App({ outdir, context });
  const stage = new Stage(app, 'reader');
  new ssm.StringParameter(new Stack(stage, 'First', { stackName: 'reader-First' }), 'P', {
    stringValue: 'first',
  });
  const second = new Stack(stage, 'Second', {
    stackName: 'reader-Second',
    env: { account: '111122223333', region: 'eu-west-1' },
  });
  const users = new NestedStack(second, 'Users0');
  new ssm.StringParameter(users, 'P', { stringValue: 'users' });
  new ssm.StringParameter(new NestedStack(users, 'Deeper'), 'P', { stringValue: 'deeper' });
  app.synth();
  return outdir;
}

const types = (template: { Resources?: Record<string, { Type: string }> }) =>
  Object.values(template.Resources ?? {}).map((r) => r.Type);

test.each([
  ['as an app synthesizes it', {}],
  ['as the CDK CLI synthesizes it', { 'aws:cdk:enable-asset-metadata': true }],
])('reads the stacks of nested assemblies (stages) with their nested stacks, %s', (_, context) => {
  const stacks = readAssembly(synthesize(context));
  expect(stacks.map((s) => [s.stackName, s.displayName, s.account, s.region])).toEqual([
    ['reader-First', 'reader/First', 'unknown-account', 'unknown-region'],
    ['reader-Second', 'reader/Second', '111122223333', 'eu-west-1'],
  ]);
  const [, second] = stacks;
  expect(basename(second.templateFile)).toMatch(/^readerSecond[0-9A-F]{8}\.template\.json$/);
  expect(types(second.template)).toEqual(['AWS::CloudFormation::Stack']);
  const [users] = second.nested;
  expect([users.label, types(users.template)]).toEqual([
    'Users0',
    ['AWS::SSM::Parameter', 'AWS::CloudFormation::Stack'],
  ]);
  expect(users.nested.map((n) => [n.label, types(n.template)])).toEqual([
    ['Deeper', ['AWS::SSM::Parameter']],
  ]);
});

test('loadTemplates: every template, nested stacks after their parent, named after their file', () => {
  const templates = loadTemplates(synthesize({ 'aws:cdk:enable-asset-metadata': true }));
  expect(templates.map((t) => [t.stackName, basename(t.templateFile), types(t.template)])).toEqual([
    [
      'reader-First',
      expect.stringMatching(/^readerFirst[0-9A-F]{8}\.template\.json$/),
      ['AWS::SSM::Parameter'],
    ],
    [
      'reader-Second',
      expect.stringMatching(/^readerSecond[0-9A-F]{8}\.template\.json$/),
      ['AWS::CloudFormation::Stack'],
    ],
    [
      expect.stringMatching(/^readerSecondUsers0[0-9A-F]{8}\.nested$/),
      expect.stringMatching(/^readerSecondUsers0[0-9A-F]{8}\.nested\.template\.json$/),
      ['AWS::SSM::Parameter', 'AWS::CloudFormation::Stack'],
    ],
    [
      expect.stringMatching(/Deeper[0-9A-F]{8}\.nested$/),
      expect.stringMatching(/Deeper[0-9A-F]{8}\.nested\.template\.json$/),
      ['AWS::SSM::Parameter'],
    ],
  ]);
});

test('a directory without manifest.json is refused, naming it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'shared-assembly-loose-'));
  writeFileSync(join(dir, 'Stack.template.json'), '{"Resources":{}}');
  expect(() => readAssembly(dir)).toThrow(
    `${dir} is not a cloud assembly: it has no manifest.json (\`cdk synth -o DIR\` writes one)`,
  );
});
