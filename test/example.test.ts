import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildExample } from '../examples/bring-your-own-vpc';
import { regionalArn } from './helpers/cfn';

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

test("the constructs gave CloudWatch Logs its one statement on the example's own key", () => {
  const [key] = Object.values(template.findResources('AWS::KMS::Key'));
  const statements = key.Properties.KeyPolicy.Statement as { Principal?: unknown }[];
  const forLogs = statements.filter((s) => JSON.stringify(s.Principal).includes('"logs."'));
  expect(forLogs).toEqual([
    expect.objectContaining({
      Sid: 'AllowCloudWatchLogsForbyovpc',
      Condition: {
        ArnLike: {
          'kms:EncryptionContext:aws:logs:arn': regionalArn('logs', ':log-group:/byo-vpc/*'),
        },
      },
    }),
  ]);
  // Every log group of the example is under that prefix and encrypted with that key.
  for (const group of Object.values(template.findResources('AWS::Logs::LogGroup'))) {
    expect(group.Properties.LogGroupName).toMatch(/^\/byo-vpc\//);
    expect(group.Properties.KmsKeyId).toEqual({
      'Fn::GetAtt': [expect.stringMatching(/^Key/), 'Arn'],
    });
  }
});
