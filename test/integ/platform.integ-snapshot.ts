/**
 * `npm run integ:snapshot`: synthesizes the integ app offline (with the cdk-nag packs, as
 * `cdk synth` does) and compares its templates with the committed snapshot, so that a change to
 * the stacks that alters what `npm run integ` deploys fails here until the snapshot is updated
 * on purpose (`npm run integ:snapshot -- -u`). Asset hashes are masked by the project's
 * serializer (test/setup/asset-hash-serializer.ts); the assertions' `salt` (a timestamp
 * integ-tests-alpha adds so that they run on every deployment) is masked here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, NestedStack, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { assertionLabels, readIntegStacks, stepNumber } from '../../tools/integ/assembly';
import { buildIntegPlatform } from './platform';

/** The feature flags of cdk.json, so that this is what `cdk synth` produces. */
const FEATURE_FLAGS: Record<string, unknown> = JSON.parse(
  readFileSync(join(__dirname, '..', '..', 'cdk.json'), 'utf8'),
).context;

type Resources = Record<
  string,
  {
    Type: string;
    Properties?: Record<string, unknown>;
    DeletionPolicy?: string;
    UpdateReplacePolicy?: string;
    Metadata?: Record<string, unknown>;
  }
>;

/** The template without what changes on every synth (the assertions' salt). */
function stable(template: { Resources: Resources }): unknown {
  const copy = JSON.parse(JSON.stringify(template)) as { Resources: Resources };
  for (const resource of Object.values(copy.Resources)) {
    if (resource.Type.startsWith('Custom::DeployAssert@') && resource.Properties?.salt) {
      resource.Properties.salt = '[SALT]';
    }
  }
  return copy;
}

const app = new App({ context: FEATURE_FLAGS });
const platform = buildIntegPlatform(app);
// Throws on any unacknowledged cdk-nag finding (cdk-nag v3 reports through CDK validation).
const assembly = app.synth();
const stacks = platform.stage.node.findAll().filter(Stack.isStack);
const templates = new Map(
  stacks.map((s) => [s, Template.fromStack(s).toJSON() as { Resources: Resources }]),
);

test('the stage holds the platform, its SCRAM user stacks and the Assertions stack', () => {
  expect(stacks.map((s) => s.node.path)).toEqual([
    'msk-integ/Network',
    'msk-integ/Cluster',
    'msk-integ/Cluster/ScramUsers/Users5',
    'msk-integ/Cluster/ScramUsers/Users7',
    'msk-integ/Consumer',
    'msk-integ/Monitoring',
    'msk-integ/Assertions',
  ]);
  expect(stacks.filter(NestedStack.isNestedStack)).toHaveLength(2);
});

test('templates match the snapshot (asset hashes and salts masked)', () => {
  for (const [stack, template] of templates) {
    expect(stable(template)).toMatchSnapshot(stack.node.path);
  }
});

test('the integ manifest: the platform stacks, then the assertion stack', () => {
  expect(
    JSON.parse(readFileSync(join(assembly.directory, 'integ.json'), 'utf8')),
  ).toMatchSnapshot();
});

test('what the runner reads: stacks in deployment order, then the assertions', () => {
  const { stacks: deployed, assertions } = readIntegStacks(assembly.directory);
  expect([...deployed, assertions].map((s) => [s.path, s.name])).toEqual([
    ['msk-integ/Network', 'msk-integ-Network'],
    ['msk-integ/Cluster', 'msk-integ-Cluster'],
    ['msk-integ/Consumer', 'msk-integ-Consumer'],
    ['msk-integ/Monitoring', 'msk-integ-Monitoring'],
    ['msk-integ/Assertions', 'msk-integ-Assertions'],
  ]);
});

test('the assertions run in this order', () => {
  const { assertions } = readIntegStacks(assembly.directory);
  const labels = [...assertionLabels(assertions.templateFile).values()].sort(
    (a, b) => stepNumber(a) - stepNumber(b),
  );
  expect(labels).toEqual([
    '1. cluster is ACTIVE (Kafka DescribeClusterV2)',
    "2. ListScramSecrets returns exactly the SCRAM users' secrets",
    '3. SSM /msk-integ/bootstrap-brokers/scram: brokers on port 9096',
    '4. SSM /msk-integ/bootstrap-brokers/iam: brokers on port 9098',
    "5. the consumer's event source mapping is Enabled",
    '6. producer sends one record over SCRAM (user producer)',
    '7. producer sends one record over IAM (its role)',
    '8. consumer logs "Batch processed" with no failure',
    '9. consumer logs the record with key integ-scram',
    '10. consumer logs the record with key integ-iam',
    '11. producer sends the fail marker {"fail":true} (SCRAM)',
    '12. consumer logs "Record failed" (processRecord threw)',
    "13. after Lambda's retries the on-failure queue holds one message",
  ]);
});

test('teardown leaves nothing: no resource is retained, every function logs to its own stack', () => {
  for (const [stack, template] of templates) {
    for (const [id, resource] of Object.entries(template.Resources)) {
      expect([stack.node.path, id, resource.DeletionPolicy ?? 'Delete']).toEqual([
        stack.node.path,
        id,
        'Delete',
      ]);
      if (resource.Type === 'AWS::Lambda::Function') {
        expect([id, resource.Properties?.LoggingConfig]).toEqual([
          id,
          expect.objectContaining({ LogGroup: expect.anything() }),
        ]);
      }
    }
  }
});

test('the producer role may do exactly what the CLI code calls', () => {
  const policies = Object.values(templates.get(platform.assertions)!.Resources).filter(
    (r) =>
      r.Type === 'AWS::IAM::ManagedPolicy' &&
      JSON.stringify(r.Properties?.Roles ?? []).includes('ProducerRole'),
  );
  expect(policies).toHaveLength(1);
  const statements = (
    policies[0].Properties!.PolicyDocument as { Statement: { Sid?: string; Action: unknown }[] }
  ).Statement.map((s) => [s.Sid, s.Action]);
  expect(statements).toEqual(
    expect.arrayContaining([
      ['BootstrapBrokers', 'kafka:GetBootstrapBrokers'],
      ['ProducerScramSecret', 'secretsmanager:GetSecretValue'],
      ['ProducerScramSecretDecrypt', 'kms:Decrypt'],
    ]),
  );
  const actions = statements.flatMap(([, a]) => (Array.isArray(a) ? a : [a])).sort();
  expect(actions).toEqual(
    [
      'ec2:AssignPrivateIpAddresses',
      'ec2:CreateNetworkInterface',
      'ec2:DeleteNetworkInterface',
      'ec2:DescribeNetworkInterfaces',
      'ec2:UnassignPrivateIpAddresses',
      'kafka-cluster:Connect',
      'kafka-cluster:DescribeTopic',
      'kafka-cluster:WriteData',
      'kafka:GetBootstrapBrokers',
      'kms:Decrypt',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'secretsmanager:GetSecretValue',
    ].sort(),
  );
});
