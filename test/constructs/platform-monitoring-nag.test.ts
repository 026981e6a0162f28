/**
 * The monitoring constructs alone in a bare stack, synthesized once with the three cdk-nag packs
 * (any finding throws), then priced from the synthesized template (the table knows every type
 * they create, so wiring them into the app cannot break `npm run cost`).
 */
import { App, Stack } from 'aws-cdk-lib';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { addCompliancePacks } from '../../lib/compliance';
import { PlatformAlarms } from '../../secure-msk-constructs/constructs/platform-alarms';
import { PlatformDashboard } from '../../secure-msk-constructs/constructs/platform-dashboard';
import { estimate } from '../../tools/cost/estimate';
import { loadPriceTable } from '../../tools/cost/prices';

// Imported function and queue: only the constructs under test (and a rotating key) are checked.
const app = new App();
const stack = new Stack(app, 'Monitoring');
const fn = lambda.Function.fromFunctionName(stack, 'Fn', 'consumer');
const failureQueue = sqs.Queue.fromQueueArn(
  stack,
  'Queue',
  'arn:aws:sqs:us-east-1:111111111111:failures',
);
const consumers = [{ function: fn, failureQueue }];
const alarms = new PlatformAlarms(stack, 'Alarms', {
  clusterName: 'msk-dev',
  brokerCount: 2,
  instanceType: 'kafka.t3.small',
  kafkaVersion: '3.8.x',
  encryptionKey: new kms.Key(stack, 'Key', { enableKeyRotation: true }),
  alarmEmail: 'ops@example.com',
  consumers,
});
new PlatformDashboard(stack, 'Dashboard', {
  clusterName: 'msk-dev',
  brokerCount: 2,
  instanceType: 'kafka.t3.small',
  kafkaVersion: '3.8.x',
  consumers,
  alarms: alarms.alarms,
});
addCompliancePacks(app, 'all');

let assembly: CloudAssembly;

test('cdk-nag: AwsSolutions, NIST 800-53 R5 and HIPAA find nothing in the alarms and dashboard', () => {
  expect(() => (assembly = app.synth())).not.toThrow();
});

test('priced: one alarm metric per metric an alarm reads, one dashboard', () => {
  const template = assembly.getStackByName('Monitoring').template;
  const e = estimate('dev', [{ stackName: 'Monitoring', template }], loadPriceTable());
  const quantity = (item: string) =>
    e.lines.filter((l) => l.item === item).reduce((sum, l) => sum + l.quantity, 0);
  // 15 alarms; each broker's CPU alarm reads CpuUser and CpuSystem: 17 alarm metrics.
  expect(alarms.alarms).toHaveLength(15);
  expect(quantity('CloudWatch alarm metrics')).toBe(17);
  expect(quantity('CloudWatch dashboards')).toBe(1);
  expect(e.unpricedTypes).toEqual([
    'AWS::SNS::Subscription',
    'AWS::SNS::Topic',
    'AWS::SNS::TopicPolicy',
  ]);
});
