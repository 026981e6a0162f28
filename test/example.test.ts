import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildExample } from '../examples/bring-your-own-vpc';

// GIVEN the forker's example app (its own VPC and key), synthesized with the AwsSolutions pack
// (a finding makes synth throw), as `npm run synth:example` does; Lambda bundling skipped (the
// main app's tests bundle the same handlers).
const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
const stack = buildExample(app);
app.synth();
const template = Template.fromStack(stack);

test('the example synthesizes: one cluster on its own key, two consumers, one SQS endpoint', () => {
  template.resourceCountIs('AWS::MSK::Cluster', 1);
  template.resourceCountIs('AWS::Lambda::EventSourceMapping', 2);
  template.resourceCountIs('AWS::EC2::VPCEndpoint', 1);
  expect(
    Object.values(template.findResources('AWS::Lambda::EventSourceMapping')).map(
      (m) => m.Properties.AmazonManagedKafkaEventSourceConfig.ConsumerGroupId,
    ),
  ).toEqual(['byo-vpc-orders', 'audit']);
  const [cluster] = Object.values(template.findResources('AWS::MSK::Cluster'));
  expect(cluster.Properties.EncryptionInfo.EncryptionAtRest.DataVolumeKMSKeyId).toEqual({
    'Fn::GetAtt': [expect.stringMatching(/^Key/), 'Arn'],
  });
});

test('constructs depend on their own props and interfaces, never on lib/config', () => {
  const dir = join(__dirname, '..', 'lib', 'constructs');
  const offenders = readdirSync(dir).filter((file) =>
    /from '\.\.\/config/.test(readFileSync(join(dir, file), 'utf8')),
  );
  expect(offenders).toEqual([]);
  expect(
    readFileSync(join(__dirname, '..', 'examples', 'bring-your-own-vpc.ts'), 'utf8'),
  ).not.toMatch(/from '\.\.\/lib\/(config|[a-z-]+-stack)'/);
});
