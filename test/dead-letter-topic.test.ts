/**
 * Issue 22 (failure path): a Kafka dead-letter topic as a consumer's on-failure destination.
 * Config defaults and refusals, the topics it creates, and what the stacks build for it.
 */
import { join } from 'node:path';
import { platformAclBindings } from '../lib/acls/platform';
import { ConfigError, loadConfig } from '../lib/config';
import { deadLetterRetentionMs, deadLetterTopics } from '../lib/config/consumers';
import { encodeTopicConfigs } from '../secure-msk-constructs/constructs/kafka-topics';
import { synthesize } from './helpers/synth';

function problemsOf(context: Record<string, unknown>): string[] {
  try {
    loadConfig(context);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.message.split('\n').filter((line) => line.startsWith('  - '));
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(context)}`);
}

const consumers = (...entries: object[]) => ({ consumers: JSON.stringify(entries) });
const provisioned = { minPollers: 1, maxPollers: 2 };
const DAY_MS = 24 * 3600 * 1000;

describe('onFailure defaults, per poller mode', () => {
  test('a provisioned list entry gets the dead-letter topic <topic>.dlt', () => {
    const [c] = loadConfig(
      consumers({ name: 'orders', topic: 'orders', ...provisioned }),
    ).consumers;
    expect(c.onFailure).toEqual({ kafka: 'orders.dlt' });
  });

  test('provisioned through the inherited consumer* settings (prod) counts too', () => {
    const [c] = loadConfig({
      profile: 'prod',
      ...consumers({ name: 'orders', topic: 'orders' }),
    }).consumers;
    expect(c.onFailure).toEqual({ kafka: 'orders.dlt' });
  });

  test('an on-demand entry gets "sqs" (Lambda offers no Kafka destination there)', () => {
    const [c] = loadConfig(consumers({ name: 'orders', topic: 'orders' })).consumers;
    expect(c.onFailure).toBe('sqs');
  });

  test('the single default consumer keeps "sqs" in either profile', () => {
    expect(loadConfig({ profile: 'dev' }).consumers[0].onFailure).toBe('sqs');
    expect(loadConfig({ profile: 'prod' }).consumers[0].onFailure).toBe('sqs');
  });

  test('an explicit value wins', () => {
    const [sqs, own] = loadConfig({
      topics: JSON.stringify([
        { name: 'orders', partitions: 3 },
        { name: 'audit-dlt', partitions: 3 },
      ]),
      ...consumers(
        { name: 'orders', topic: 'orders', ...provisioned, onFailure: 'sqs' },
        { name: 'audit', topic: 'orders', ...provisioned, onFailure: { kafka: 'audit-dlt' } },
      ),
    }).consumers;
    expect(sqs.onFailure).toBe('sqs');
    expect(own.onFailure).toEqual({ kafka: 'audit-dlt' });
  });

  test('the committed files set "sqs" on the existing consumer: their templates do not change', () => {
    for (const profile of ['dev', 'prod']) {
      const config = loadConfig({ profile }, { root: join(__dirname, '..') });
      expect(config.consumers.map((c) => [c.name, c.onFailure])).toEqual([['consumer', 'sqs']]);
      expect(deadLetterTopics(config.topics, config.consumers)).toEqual([]);
    }
  });
});

describe('onFailure refusals: every problem at once, each naming consumers[i].onFailure', () => {
  test('shape, on-demand mode, length, a source topic, another consumer’s source, an unknown topic', () => {
    const problems = problemsOf({
      topics: JSON.stringify([
        { name: 'orders', partitions: 3 },
        { name: 'payments', partitions: 3 },
      ]),
      // Entries with a shape problem come last: resolveConsumers drops them, and later entries
      // would be validated under a shifted index (consumers[i] of the resolved list).
      ...consumers(
        { name: 'a', topic: 'orders', onFailure: { kafka: 'orders.dlt' } },
        { name: 'c', topic: 'orders', ...provisioned, onFailure: { kafka: 'dlt' } },
        { name: 'd', topic: 'orders', ...provisioned, onFailure: { kafka: 'orders' } },
        { name: 'e', topic: 'payments', ...provisioned, onFailure: { kafka: 'orders' } },
        { name: 'f', topic: 'orders', ...provisioned, onFailure: { kafka: 'audit-dlt' } },
        { name: 'g', topic: 'orders', onFailure: 'queue' },
        { name: 'h', topic: 'orders', ...provisioned, onFailure: { kafka: 'x', sqs: true } },
      ),
    });
    expect(problems).toEqual([
      '  - -c consumers[5].onFailure = "queue": must be "sqs" (an SQS queue) or { "kafka": "<topic>" } (a dead-letter topic)',
      '  - -c consumers[6].onFailure = {"kafka":"x","sqs":true}: must be "sqs" (an SQS queue) or { "kafka": "<topic>" } (a dead-letter topic)',
      '  - -c consumers[0].onFailure = {"kafka":"orders.dlt"}: needs provisioned mode (consumerMinPollers/consumerMaxPollers ≥ 1): ' +
        '"Provisioned mode required – A Kafka on-failure destination is only available for event source mappings with provisioned mode enabled" ' +
        '(Lambda Developer Guide); use "sqs" or turn provisioned mode on',
      '  - -c consumers[1].onFailure = {"kafka":"dlt"}: the topic must be a Kafka topic name of 4–249 letters, digits, ".", "_" and "-", ' +
        'not starting with "." (CloudFormation takes kafka://<topic> of at least 12 characters)',
      '  - -c consumers[2].onFailure = {"kafka":"orders"}: must not be the topic the consumer reads (orders): ' +
        'Lambda refuses a destination that is one of its source topics',
      '  - -c consumers[3].onFailure = {"kafka":"orders"}: must not be a topic a consumer reads (consumers[0] reads orders): ' +
        'its failed records would become that consumer’s input',
      '  - -c consumers[4].onFailure = {"kafka":"audit-dlt"}: the topic must be one of the configured topics (orders, payments), ' +
        'or "orders.dlt", which is created for it: "Same cluster only – The destination topic must exist in the same Kafka cluster ' +
        'as your source topics" (Lambda Developer Guide)',
    ]);
  });

  test('an entry with a shape problem does not shift the index of the entries after it', () => {
    expect(
      problemsOf(
        consumers(
          { name: 'g', topic: 'orders', onFailure: 'queue' },
          { name: 'c', topic: 'orders', ...provisioned, onFailure: { kafka: 'dlt' } },
        ),
      ),
    ).toEqual([
      '  - -c consumers[0].onFailure = "queue": must be "sqs" (an SQS queue) or { "kafka": "<topic>" } (a dead-letter topic)',
      '  - -c consumers[1].onFailure = {"kafka":"dlt"}: the topic must be a Kafka topic name of 4–249 letters, digits, ".", "_" and "-", ' +
        'not starting with "." (CloudFormation takes kafka://<topic> of at least 12 characters)',
    ]);
  });

  test('the default DLT of a consumer that another consumer reads is refused, not created', () => {
    expect(
      problemsOf({
        topics: JSON.stringify([
          { name: 'orders', partitions: 3 },
          { name: 'orders.dlt', partitions: 3 },
        ]),
        ...consumers(
          { name: 'orders', topic: 'orders', ...provisioned },
          { name: 'replayer', topic: 'orders.dlt', onFailure: 'sqs' },
        ),
      }),
    ).toEqual([
      '  - -c consumers[0].onFailure = {"kafka":"orders.dlt"}: must not be a topic a consumer reads (consumers[1] reads orders.dlt): ' +
        'its failed records would become that consumer’s input',
    ]);
  });

  test('a default DLT name longer than Kafka allows', () => {
    const long = 'o'.repeat(247);
    expect(
      problemsOf({
        topics: JSON.stringify([{ name: long, partitions: 1 }]),
        ...consumers({ name: 'orders', topic: long, ...provisioned }),
      }),
    ).toEqual([
      `  - -c consumers[0].onFailure = {"kafka":"${long}.dlt"}: the dead-letter topic "${'o'.repeat(37)}…" ` +
        'would have 251 characters; Kafka allows 249: name a configured topic',
    ]);
  });
});

describe('the dead-letter topics created with the cluster', () => {
  test('<topic>.dlt: the source’s partitions and replication factor, retention max(2 × source, 14 days)', () => {
    const topics = [
      { name: 'orders', partitions: 6, replicationFactor: 2 },
      { name: 'clicks', partitions: 12, configs: { 'retention.ms': String(30 * DAY_MS) } },
      { name: 'audit', partitions: 1 },
      { name: 'audit.dlt', partitions: 1 },
    ];
    expect(
      deadLetterTopics(topics, [
        { topic: 'orders', onFailure: { kafka: 'orders.dlt' } },
        { topic: 'orders', onFailure: { kafka: 'orders.dlt' } }, // two consumers, one topic
        { topic: 'clicks', onFailure: { kafka: 'clicks.dlt' } },
        { topic: 'audit', onFailure: { kafka: 'audit.dlt' } }, // configured: used as is
        { topic: 'audit', onFailure: 'sqs' },
      ]),
    ).toEqual([
      {
        name: 'orders.dlt',
        partitions: 6,
        replicationFactor: 2,
        configs: { 'retention.ms': String(14 * DAY_MS) },
      },
      { name: 'clicks.dlt', partitions: 12, configs: { 'retention.ms': String(60 * DAY_MS) } },
    ]);
  });

  test.each([
    [undefined, 14 * DAY_MS], // Kafka's default 7 days × 2
    [String(DAY_MS), 14 * DAY_MS],
    [String(10 * DAY_MS), 20 * DAY_MS],
    ['not a number', 14 * DAY_MS],
  ])('retention.ms %s → %d', (source, expected) => {
    expect(
      deadLetterRetentionMs({ configs: source === undefined ? {} : { 'retention.ms': source } }),
    ).toBe(String(expected));
  });

  test('retention.ms -1 (keep forever) stays -1', () => {
    expect(deadLetterRetentionMs({ configs: { 'retention.ms': '-1' } })).toBe('-1');
  });
});

describe('provisioned DLT consumers in both auth modes (dev, nag-clean under all three packs)', () => {
  const context = consumers(
    { name: 'orders', topic: 'orders', ...provisioned },
    { name: 'audit', topic: 'orders', group: 'audit', auth: 'iam', ...provisioned },
  );
  // With aws-cdk-lib's built-in CloudFormation validation, as `cdk synth` runs it.
  const app = synthesize(context, { builtinValidation: true });

  test('each mapping: kafka://orders.dlt, provisioned, its own metrics on', () => {
    const mappings = Object.values(app.consumer.findResources('AWS::Lambda::EventSourceMapping'));
    expect(mappings).toHaveLength(2);
    for (const m of mappings) {
      expect(m.Properties).toMatchObject({
        DestinationConfig: { OnFailure: { Destination: 'kafka://orders.dlt' } },
        ProvisionedPollerConfig: { MinimumPollers: 1, MaximumPollers: 2 },
        MetricsConfig: { Metrics: ['EventCount', 'ErrorCount', 'KafkaMetrics'] },
      });
    }
  });

  test('no failure queue, no SQS endpoint, no SQS or queue-key permission', () => {
    app.consumer.resourceCountIs('AWS::SQS::Queue', 0);
    app.consumer.resourceCountIs('AWS::EC2::VPCEndpoint', 0);
    app.consumer.resourceCountIs('AWS::EC2::SecurityGroup', 0);
    const policies = JSON.stringify(app.consumer.findResources('AWS::IAM::ManagedPolicy'));
    expect(policies).not.toMatch(/sqs:|FailureDestination/);
  });

  test('outputs: the dead-letter topic instead of a queue URL', () => {
    const outputs = app.consumer.toJSON().Outputs;
    expect(outputs.OrdersDeadLetterTopic.Value).toBe('orders.dlt');
    expect(outputs.AuditDeadLetterTopic.Value).toBe('orders.dlt');
    expect(Object.keys(outputs).filter((k) => k.includes('FailureQueue'))).toEqual([]);
  });

  test('IAM consumer: WriteData and DescribeTopic on the DLT, Connect on the cluster', () => {
    const policies = Object.values(app.consumer.findResources('AWS::IAM::ManagedPolicy'));
    const statements = policies.flatMap((p) => p.Properties.PolicyDocument.Statement);
    const onDlt = statements.filter((s) =>
      JSON.stringify(s.Resource).match(/topic\/msk-secure-dev\/.*\/orders\.dlt"/),
    );
    expect(onDlt).toHaveLength(1);
    expect([onDlt[0].Action].flat().sort()).toEqual([
      'kafka-cluster:DescribeTopic',
      'kafka-cluster:WriteData',
    ]);
    expect(JSON.stringify(statements)).toContain('kafka-cluster:Connect');
    expect(JSON.stringify(statements)).not.toContain('WriteDataIdempotently');
  });

  test('SCRAM consumer: WRITE and DESCRIBE ACLs on the DLT (LITERAL); none for the IAM one', () => {
    const [acls] = Object.values(app.cluster.findResources('Custom::MskKafkaAcls'));
    const onDlt = (acls.Properties.Bindings as Record<string, string>[]).filter(
      (b) => b.resourceName === 'orders.dlt',
    );
    expect(onDlt.map((b) => [b.principal, b.operation, b.patternType])).toEqual([
      ['User:consumer', 'DESCRIBE', 'LITERAL'],
      ['User:consumer', 'WRITE', 'LITERAL'],
    ]);
    const sorted = (bindings: object[]) => bindings.map((b) => JSON.stringify(b)).sort();
    expect(sorted(acls.Properties.Bindings)).toEqual(sorted(platformAclBindings(app.config)));
  });

  test('the cluster creates orders.dlt: 3 partitions like orders, 14 days', () => {
    app.cluster.hasResourceProperties('AWS::MSK::Topic', {
      TopicName: 'orders.dlt',
      PartitionCount: 3,
      Configs: encodeTopicConfigs({ 'retention.ms': String(14 * DAY_MS) }),
    });
    app.cluster.resourceCountIs('AWS::MSK::Topic', 2);
  });

  test('an alarm per consumer on records sent to the DLT, by the mapping UUID; no queue alarms', () => {
    const alarms = Object.values(app.monitoring.findResources('AWS::CloudWatch::Alarm'));
    const dead = alarms.filter((a) => String(a.Properties.AlarmName).endsWith('-dead-lettered'));
    expect(dead.map((a) => a.Properties.AlarmName)).toEqual([
      'msk-secure-dev-orders-dead-lettered',
      'msk-secure-dev-audit-dead-lettered',
    ]);
    for (const alarm of dead) {
      expect(alarm.Properties).toMatchObject({
        Namespace: 'AWS/Lambda',
        MetricName: 'OnFailureDestinationDeliveredEventCount',
        Statistic: 'Sum',
        Period: 300,
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        EvaluationPeriods: 1,
        TreatMissingData: 'notBreaching',
      });
      expect(alarm.Properties.Dimensions).toEqual([
        {
          Name: 'EventSourceMappingUUID',
          Value: {
            'Fn::GetStackOutput': expect.objectContaining({
              StackName: 'msk-secure-dev-Consumer',
              OutputName: expect.stringMatching(/EventSourceMapping/),
            }),
          },
        },
      ]);
    }
    expect(alarms.filter((a) => /failures-(queued|age)$/.test(a.Properties.AlarmName))).toEqual([]);
  });

  test('the mapping UUID the alarm reads is the mapping’s Ref', () => {
    const outputs = app.consumer.toJSON().Outputs as Record<string, { Value: unknown }>;
    const published = Object.entries(outputs).filter(([k]) => /EventSourceMapping/.test(k));
    expect(published).toHaveLength(2);
    for (const [, output] of published) {
      expect(output.Value).toEqual({ Ref: expect.stringMatching(/EventSourceMapping/) });
    }
  });
});

describe('a DLT consumer next to an SQS consumer', () => {
  const app = synthesize(
    consumers(
      { name: 'orders', topic: 'orders', ...provisioned },
      { name: 'audit', topic: 'orders', group: 'audit', auth: 'iam' },
    ),
    { nag: false },
  );

  test('one queue and one SQS endpoint, for the SQS consumer only', () => {
    app.consumer.resourceCountIs('AWS::SQS::Queue', 1);
    app.consumer.resourceCountIs('AWS::EC2::VPCEndpoint', 1);
    const destinations = Object.values(
      app.consumer.findResources('AWS::Lambda::EventSourceMapping'),
    ).map((m) => m.Properties.DestinationConfig.OnFailure.Destination);
    expect(destinations).toEqual([
      'kafka://orders.dlt',
      { 'Fn::GetAtt': [expect.stringMatching(/^AuditFailureQueue/), 'Arn'] },
    ]);
  });

  test('alarms: dead-lettered for the DLT consumer, queue depth and age for the SQS one', () => {
    const names = Object.values(app.monitoring.findResources('AWS::CloudWatch::Alarm'))
      .map((a) => String(a.Properties.AlarmName))
      .filter((n) => /dead-letter|failures-/.test(n));
    expect(names).toEqual([
      'msk-secure-dev-orders-dead-lettered',
      'msk-secure-dev-orders-dead-letter-failed',
      'msk-secure-dev-audit-failures-queued',
      'msk-secure-dev-audit-failures-age',
    ]);
  });
});
