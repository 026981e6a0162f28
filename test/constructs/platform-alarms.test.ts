import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import {
  PlatformAlarms,
  PlatformAlarmsProps,
} from '../../secure-msk-constructs/constructs/platform-alarms';

interface Fixture {
  readonly stack: Stack;
  readonly key: kms.Key;
  readonly fn: lambda.Function;
  readonly queue: sqs.Queue;
}

function fixture(): Fixture {
  const stack = new Stack(new App(), 'Test');
  return {
    stack,
    key: new kms.Key(stack, 'Key', { enableKeyRotation: true }),
    fn: new lambda.Function(stack, 'Consumer', {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => {};'),
    }),
    queue: new sqs.Queue(stack, 'Failures'),
  };
}

/** A dev-like platform: 2 t3 brokers, ZooKeeper, DEFAULT monitoring, one consumer, email. */
function dev(f: Fixture, overrides: Partial<PlatformAlarmsProps> = {}): PlatformAlarms {
  return new PlatformAlarms(f.stack, 'Alarms', {
    clusterName: 'msk-dev',
    brokerCount: 2,
    instanceType: 'kafka.t3.small',
    kafkaVersion: '3.8.x',
    encryptionKey: f.key,
    alarmEmail: 'ops@example.com',
    consumers: [{ function: f.fn, failureQueue: f.queue, topic: 'orders' }],
    ...overrides,
  });
}

const logicalId = (stack: Stack, construct: { node: { defaultChild?: unknown } }) =>
  stack.getLogicalId(construct.node.defaultChild as never);

/** A rendered string: `Fn::Join` parts joined, `Ref`/`Fn::GetAtt` as `${Id}`/`${Id.Attr}`. */
function text(value: unknown): unknown {
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })?.['Fn::Join'];
  if (!join) return value;
  return join[1]
    .map((part) => {
      if (typeof part === 'string') return part;
      const ref = (part as { Ref?: string }).Ref;
      const getAtt = (part as { 'Fn::GetAtt'?: string[] })['Fn::GetAtt'];
      return ref ? `\${${ref}}` : `\${${getAtt?.join('.')}}`;
    })
    .join(join[0]);
}

/** Alarm properties by alarm name, descriptions rendered as text. */
function alarmsByName(template: Template): Record<string, Record<string, unknown>> {
  const alarms = template.findResources('AWS::CloudWatch::Alarm');
  return Object.fromEntries(
    Object.values(alarms).map((a) => [
      a.Properties.AlarmName as string,
      { ...a.Properties, AlarmDescription: text(a.Properties.AlarmDescription) },
    ]),
  );
}

describe('dev-like (kafka.t3.small × 2, 3.8.x, DEFAULT)', () => {
  const f = fixture();
  const alarms = dev(f);
  const template = Template.fromStack(f.stack);
  const byName = alarmsByName(template);
  const topic = { Ref: logicalId(f.stack, alarms.topic) };
  const actions = { AlarmActions: [topic], OKActions: [topic] };
  const broker = (id: string) => [
    { Name: 'Broker ID', Value: id },
    { Name: 'Cluster Name', Value: 'msk-dev' },
  ];
  const described = (what: RegExp) => expect.stringMatching(what);

  test('one alarm per broker metric, cluster metric and consumer metric', () => {
    expect(Object.keys(byName).sort()).toEqual(
      [
        'msk-dev-active-controller',
        'msk-dev-broker-1-cpu',
        'msk-dev-broker-1-cpu-credits',
        'msk-dev-broker-1-disk-used',
        'msk-dev-broker-1-under-replicated',
        'msk-dev-broker-2-cpu',
        'msk-dev-broker-2-cpu-credits',
        'msk-dev-broker-2-disk-used',
        'msk-dev-broker-2-under-replicated',
        'msk-dev-consumer-1-errors',
        'msk-dev-consumer-1-failures-age',
        'msk-dev-consumer-1-failures-queued',
        'msk-dev-consumer-1-offset-lag',
        'msk-dev-consumer-1-throttles',
        'msk-dev-offline-partitions',
      ].sort(),
    );
    expect(alarms.alarms).toHaveLength(15);
  });

  test('disk used: KafkaDataLogsDiskUsed per broker, Maximum over 5 min > 85, missing kept', () => {
    expect(byName['msk-dev-broker-2-disk-used']).toEqual({
      AlarmName: 'msk-dev-broker-2-disk-used',
      AlarmDescription: described(/^Broker 2 of MSK cluster msk-dev: .*Raise the EBS volume/),
      Namespace: 'AWS/Kafka',
      MetricName: 'KafkaDataLogsDiskUsed',
      Dimensions: broker('2'),
      Statistic: 'Maximum',
      Period: 300,
      Threshold: 85,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
      TreatMissingData: 'missing',
      ...actions,
    });
  });

  test('CPU: CpuUser + CpuSystem per broker, 3 × 5 min > 60', () => {
    const stat = (id: string, metric: string) => ({
      Id: id,
      MetricStat: {
        Metric: { Namespace: 'AWS/Kafka', MetricName: metric, Dimensions: broker('1') },
        Period: 300,
        Stat: 'Average',
      },
      ReturnData: false,
    });
    expect(byName['msk-dev-broker-1-cpu']).toEqual({
      AlarmName: 'msk-dev-broker-1-cpu',
      AlarmDescription: described(/CPU \(CpuUser \+ CpuSystem\) above 60% for 15 minutes/),
      Metrics: [
        { Id: 'expr_1', Expression: 'cpuUser1 + cpuSystem1', Label: 'broker 1', ReturnData: true },
        stat('cpuUser1', 'CpuUser'),
        stat('cpuSystem1', 'CpuSystem'),
      ],
      Threshold: 60,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
      TreatMissingData: 'missing',
      ...actions,
    });
  });

  test('CPU credits (t3 only): CPUCreditBalance ≤ 100 for 3 × 5 min', () => {
    expect(byName['msk-dev-broker-1-cpu-credits']).toEqual({
      AlarmName: 'msk-dev-broker-1-cpu-credits',
      AlarmDescription: described(/move to an m7g broker type/),
      Namespace: 'AWS/Kafka',
      MetricName: 'CPUCreditBalance',
      Dimensions: broker('1'),
      Statistic: 'Average',
      Period: 300,
      Threshold: 100,
      ComparisonOperator: 'LessThanOrEqualToThreshold',
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
      TreatMissingData: 'missing',
      ...actions,
    });
  });

  test('under-replicated: per broker, Maximum > 0 for 3 × 5 min, missing is not breaching', () => {
    expect(byName['msk-dev-broker-1-under-replicated']).toEqual({
      AlarmName: 'msk-dev-broker-1-under-replicated',
      AlarmDescription: described(/maintenance/),
      Namespace: 'AWS/Kafka',
      MetricName: 'UnderReplicatedPartitions',
      Dimensions: broker('1'),
      Statistic: 'Maximum',
      Period: 300,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
      TreatMissingData: 'notBreaching',
      ...actions,
    });
  });

  test('offline partitions: per cluster, Maximum over 1 min > 0', () => {
    expect(byName['msk-dev-offline-partitions']).toEqual({
      AlarmName: 'msk-dev-offline-partitions',
      AlarmDescription: described(/^MSK cluster msk-dev: more than 0 partitions are offline/),
      Namespace: 'AWS/Kafka',
      MetricName: 'OfflinePartitionsCount',
      Dimensions: [{ Name: 'Cluster Name', Value: 'msk-dev' }],
      Statistic: 'Maximum',
      Period: 60,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
      TreatMissingData: 'missing',
      ...actions,
    });
  });

  test('active controller ≠ 1: |Sum − 1| > 0 for 5 × 1 min, silence is breaching', () => {
    expect(byName['msk-dev-active-controller']).toEqual({
      AlarmName: 'msk-dev-active-controller',
      AlarmDescription: described(/has not been 1 for 5 minutes/),
      Metrics: [
        {
          Id: 'expr_1',
          Expression: 'ABS(controllers - 1)',
          Label: 'active controllers ≠ 1',
          ReturnData: true,
        },
        {
          Id: 'controllers',
          MetricStat: {
            Metric: {
              Namespace: 'AWS/Kafka',
              MetricName: 'ActiveControllerCount',
              Dimensions: [{ Name: 'Cluster Name', Value: 'msk-dev' }],
            },
            Period: 60,
            Stat: 'Sum',
          },
          ReturnData: false,
        },
      ],
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 5,
      DatapointsToAlarm: 5,
      TreatMissingData: 'breaching',
      ...actions,
    });
  });

  test('consumer: Errors, Throttles and OffsetLag of the function itself', () => {
    const fn = [{ Name: 'FunctionName', Value: { Ref: logicalId(f.stack, f.fn) } }];
    const lambdaAlarm = (name: string, metric: string, statistic: string, more: object) => ({
      AlarmName: `msk-dev-consumer-1-${name}`,
      AlarmDescription: described(
        /^Consumer consumer-1 \(Lambda \$\{Consumer\w+\}, topic orders\): /,
      ),
      Namespace: 'AWS/Lambda',
      MetricName: metric,
      Dimensions: fn,
      Statistic: statistic,
      Period: 300,
      ComparisonOperator: 'GreaterThanThreshold',
      ...actions,
      ...more,
    });
    const once = { EvaluationPeriods: 1, DatapointsToAlarm: 1 };
    expect(byName['msk-dev-consumer-1-errors']).toEqual(
      lambdaAlarm('errors', 'Errors', 'Sum', {
        Threshold: 0,
        TreatMissingData: 'notBreaching',
        ...once,
      }),
    );
    expect(byName['msk-dev-consumer-1-throttles']).toEqual(
      lambdaAlarm('throttles', 'Throttles', 'Sum', {
        Threshold: 0,
        TreatMissingData: 'notBreaching',
        ...once,
      }),
    );
    expect(byName['msk-dev-consumer-1-offset-lag']).toEqual(
      lambdaAlarm('offset-lag', 'OffsetLag', 'Maximum', {
        Threshold: 10000,
        TreatMissingData: 'missing',
        EvaluationPeriods: 3,
        DatapointsToAlarm: 3,
      }),
    );
  });

  test("consumer: the failure queue's visible messages > 0 and oldest message > 3 days", () => {
    const queue = [
      { Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(f.stack, f.queue), 'QueueName'] } },
    ];
    const common = {
      Namespace: 'AWS/SQS',
      Dimensions: queue,
      Statistic: 'Maximum',
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
      TreatMissingData: 'notBreaching',
      ...actions,
    };
    expect(byName['msk-dev-consumer-1-failures-queued']).toEqual({
      AlarmName: 'msk-dev-consumer-1-failures-queued',
      AlarmDescription: described(/re-read those offsets/),
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Period: 60,
      Threshold: 0,
      ...common,
    });
    expect(byName['msk-dev-consumer-1-failures-age']).toEqual({
      AlarmName: 'msk-dev-consumer-1-failures-age',
      AlarmDescription: described(/more than 3 days/),
      MetricName: 'ApproximateAgeOfOldestMessage',
      Period: 300,
      Threshold: 3 * 24 * 3600,
      ...common,
    });
  });

  test('the topic: encrypted with the platform key, TLS-only, publishable by our alarms only', () => {
    const [topicResource] = Object.values(template.findResources('AWS::SNS::Topic'));
    expect(topicResource.Properties).toEqual({
      DisplayName: 'msk-dev alarms',
      KmsMasterKeyId: { 'Fn::GetAtt': [logicalId(f.stack, f.key), 'Arn'] },
    });
    const alarmArns = {
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          ':cloudwatch:',
          { Ref: 'AWS::Region' },
          ':',
          { Ref: 'AWS::AccountId' },
          ':alarm:msk-dev-*',
        ],
      ],
    };
    const fromOurAlarms = {
      StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
      ArnLike: { 'aws:SourceArn': alarmArns },
    };
    const policies = Object.values(template.findResources('AWS::SNS::TopicPolicy'));
    expect(policies).toHaveLength(1);
    expect(policies[0].Properties).toEqual({
      Topics: [topic],
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'AllowPublishThroughSSLOnly',
            Effect: 'Deny',
            Principal: '*',
            Action: 'sns:Publish',
            Resource: topic,
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          },
          {
            Sid: 'AllowCloudWatchAlarmsToPublish',
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
            Resource: topic,
            Condition: fromOurAlarms,
          },
        ],
      },
    });
    // The key lets CloudWatch encrypt the notifications it publishes, under the same conditions.
    const key = template.toJSON().Resources[logicalId(f.stack, f.key)];
    expect(key.Properties.KeyPolicy.Statement).toContainEqual({
      Sid: 'CloudWatchAlarmsToSnsMskDev',
      Effect: 'Allow',
      Principal: { Service: 'cloudwatch.amazonaws.com' },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Resource: '*',
      Condition: fromOurAlarms,
    });
    template.resourcePropertiesCountIs(
      'AWS::SNS::Subscription',
      { Protocol: 'email', Endpoint: 'ops@example.com', TopicArn: topic },
      1,
    );
  });
});

describe('prod-like (kafka.m7g.large × 3, PER_TOPIC_PER_BROKER, thresholds, two consumers)', () => {
  const f = fixture();
  const other = new lambda.Function(f.stack, 'Audit', {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => {};'),
  });
  const alarms = new PlatformAlarms(f.stack, 'Alarms', {
    clusterName: 'msk-prod',
    brokerCount: 3,
    instanceType: 'kafka.m7g.large',
    kafkaVersion: '3.8.x',
    enhancedMonitoring: 'PER_TOPIC_PER_BROKER',
    encryptionKey: f.key,
    thresholds: {
      diskUsedPercent: 75,
      cpuPercent: 50,
      consumerOffsetLag: 500,
      failureQueueAge: Duration.hours(12),
    },
    consumers: [
      { name: 'orders', function: f.fn, failureQueue: f.queue },
      { name: 'audit', function: other },
    ],
  });
  const template = Template.fromStack(f.stack);
  const byName = alarmsByName(template);

  test('no CPU credit alarm on m7g; thresholds from props; a consumer without queue has 3', () => {
    expect(Object.keys(byName).filter((n) => n.includes('cpu-credits'))).toEqual([]);
    expect(alarms.alarms).toHaveLength(3 * 3 + 2 + 5 + 3);
    expect(byName['msk-prod-broker-3-disk-used'].Threshold).toBe(75);
    expect(byName['msk-prod-broker-3-cpu'].Threshold).toBe(50);
    expect(byName['msk-prod-orders-offset-lag'].Threshold).toBe(500);
    expect(byName['msk-prod-orders-failures-age'].Threshold).toBe(12 * 3600);
    expect(byName['msk-prod-audit-errors'].Dimensions).toEqual([
      { Name: 'FunctionName', Value: { Ref: logicalId(f.stack, other) } },
    ]);
    expect(
      Object.keys(byName)
        .filter((n) => n.startsWith('msk-prod-audit-'))
        .sort(),
    ).toEqual(['msk-prod-audit-errors', 'msk-prod-audit-offset-lag', 'msk-prod-audit-throttles']);
    template.resourceCountIs('AWS::SNS::Subscription', 0);
  });
});

test('a consumer with a dead-letter topic: records sent to it > 0 in 5 min, by the mapping UUID', () => {
  const f = fixture();
  const alarms = dev(f, {
    consumers: [
      {
        name: 'orders',
        function: f.fn,
        deadLetter: { topic: 'orders.dlt', eventSourceMappingId: 'uuid-1234' },
      },
    ],
  });
  const byName = alarmsByName(Template.fromStack(f.stack));
  expect(byName['msk-dev-orders-dead-lettered']).toMatchObject({
    Namespace: 'AWS/Lambda',
    MetricName: 'OnFailureDestinationDeliveredEventCount',
    Dimensions: [{ Name: 'EventSourceMappingUUID', Value: 'uuid-1234' }],
    Statistic: 'Sum',
    Period: 300,
    Threshold: 0,
    ComparisonOperator: 'GreaterThanThreshold',
    EvaluationPeriods: 1,
    TreatMissingData: 'notBreaching',
  });
  expect(byName['msk-dev-orders-dead-lettered'].AlarmDescription).toContain(
    'npm run client -- dlq show --topic orders.dlt',
  );
  expect(byName['msk-dev-orders-dead-letter-failed']).toMatchObject({
    Namespace: 'AWS/Lambda',
    MetricName: 'OnFailureDestinationDeliveryErrorCount',
    Dimensions: [{ Name: 'EventSourceMappingUUID', Value: 'uuid-1234' }],
    Statistic: 'Sum',
    Period: 300,
    Threshold: 0,
    ComparisonOperator: 'GreaterThanThreshold',
    EvaluationPeriods: 1,
    TreatMissingData: 'notBreaching',
  });
  expect(byName['msk-dev-orders-dead-letter-failed'].AlarmDescription).toContain(
    'records could not be written to dead-letter topic orders.dlt',
  );
  // Errors, throttles, offset lag, dead-lettered, dead-letter-failed: no queue alarms.
  expect(
    Object.keys(byName)
      .filter((n) => n.startsWith('msk-dev-orders-'))
      .sort(),
  ).toEqual([
    'msk-dev-orders-dead-letter-failed',
    'msk-dev-orders-dead-lettered',
    'msk-dev-orders-errors',
    'msk-dev-orders-offset-lag',
    'msk-dev-orders-throttles',
  ]);
  expect(alarms.alarms.map((a) => a.node.id)).toContain('OrdersDeadLettered');
});

test.each(['3.9.x.kraft', '4.1.x.kraft', '4.0.x.kraft', '10.0.x.kraft'])(
  'KRaft (%s): no active controller alarm',
  (kafkaVersion) => {
    const f = fixture();
    const alarms = dev(f, { kafkaVersion });
    expect(alarms.alarms.map((a) => a.node.id)).not.toContain('ActiveController');
    expect(alarms.alarms).toHaveLength(14);
  },
);

describe('validation: every problem names the prop and its value', () => {
  test.each<[string, Partial<PlatformAlarmsProps>, RegExp]>([
    [
      'cluster name',
      { clusterName: '1-bad_name' },
      /clusterName "1-bad_name" must be 1–64 letters/,
    ],
    [
      'cluster name with a bad end',
      { clusterName: 'msk-dev!' },
      /clusterName "msk-dev!" must be 1–64 letters, digits and hyphens, starting with a letter/,
    ],
    ['broker count', { brokerCount: 0 }, /brokerCount 0 must be a whole number/],
    [
      'consumer name',
      { consumers: [{ name: 'orders!', function: {} as never }] },
      /consumers\[0\].name "orders!" must be 1–64 letters, digits and hyphens/,
    ],
    [
      'consumer name with a bad start',
      { consumers: [{ name: '!orders', function: {} as never }] },
      /consumers\[0\].name "!orders" must be 1–64 letters, digits and hyphens/,
    ],
    [
      'instance type',
      { instanceType: 't3.small' },
      /instanceType "t3.small" must be an MSK broker type/,
    ],
    [
      'Express brokers (no disk/URP/offline metrics)',
      { instanceType: 'express.m7g.large' },
      /instanceType "express.m7g.large" is an Express broker, which does not publish/,
    ],
    [
      'Kafka version',
      { kafkaVersion: 'latest' },
      /kafkaVersion "latest" must be an MSK Kafka version/,
    ],
    [
      'monitoring level',
      { enhancedMonitoring: 'ALL' as never },
      /enhancedMonitoring "ALL" is not one of DEFAULT, PER_BROKER/,
    ],
    ['email', { alarmEmail: 'ops@example' }, /alarmEmail "ops@example" must be an email address/],
    [
      'CPU credits on a non-t3 broker (an alarm without data)',
      { instanceType: 'kafka.m7g.large', thresholds: { cpuCreditBalance: 50 } },
      /thresholds.cpuCreditBalance is set but instanceType "kafka.m7g.large" is not a t3 broker/,
    ],
    [
      'a percentage out of range',
      { thresholds: { diskUsedPercent: 120 } },
      /thresholds.diskUsedPercent 120 must be a number from 1 to 99/,
    ],
    [
      'a failure-queue age under a minute',
      { thresholds: { failureQueueAge: Duration.seconds(30) } },
      /thresholds.failureQueueAge 30 seconds must be from 1 minute to 14 days/,
    ],
  ])('%s', (_what, overrides, message) => {
    const f = fixture();
    expect(() => dev(f, overrides)).toThrow(message);
  });

  test('any name the pattern allows, even one that starts with a hyphen', () => {
    const f = fixture();
    const alarms = dev(f, { consumers: [{ name: '-audit', function: f.fn }] });
    expect(alarms.alarms.map((a) => a.node.id)).toContain('AuditErrors');
  });

  test.each<[string, Partial<PlatformAlarmsProps>]>([
    [
      'every threshold at its lower bound',
      {
        thresholds: {
          diskUsedPercent: 1,
          cpuPercent: 1,
          cpuCreditBalance: 0,
          offlinePartitions: 0,
          underReplicatedPartitions: 0,
          consumerErrors: 0,
          consumerThrottles: 0,
          consumerOffsetLag: 1,
          failureQueueMessages: 0,
          failureQueueAge: Duration.minutes(1),
        },
      },
    ],
    [
      'every bounded threshold at its upper bound',
      {
        thresholds: {
          diskUsedPercent: 99,
          cpuPercent: 99,
          cpuCreditBalance: 576,
          failureQueueAge: Duration.days(14),
        },
      },
    ],
    ['a 254-character email address', { alarmEmail: `${'a'.repeat(242)}@example.com` }],
    ['any numbers in a Kafka version', { kafkaVersion: '10.12.10.kraft' }],
    ['the highest monitoring level', { enhancedMonitoring: 'PER_TOPIC_PER_PARTITION' }],
  ])('accepts %s', (_what, overrides) => {
    const f = fixture();
    expect(() => dev(f, overrides)).not.toThrow();
  });

  test.each<[string, Partial<PlatformAlarmsProps>, string]>([
    [
      'disk below 1',
      { thresholds: { diskUsedPercent: 0 } },
      'diskUsedPercent 0 must be a number from 1 to 99',
    ],
    [
      'disk above 99',
      { thresholds: { diskUsedPercent: 100 } },
      'diskUsedPercent 100 must be a number from 1 to 99',
    ],
    [
      'CPU above 99',
      { thresholds: { cpuPercent: 100 } },
      'cpuPercent 100 must be a number from 1 to 99',
    ],
    [
      'CPU credits above 576',
      { thresholds: { cpuCreditBalance: 577 } },
      'cpuCreditBalance 577 must be a number from 0 to 576',
    ],
    [
      'negative CPU credits',
      { thresholds: { cpuCreditBalance: -1 } },
      'cpuCreditBalance -1 must be a number from 0 to 576',
    ],
    [
      'an offset lag of 0',
      { thresholds: { consumerOffsetLag: 0 } },
      'consumerOffsetLag 0 must be a number from 1 to',
    ],
    [
      'a negative error count',
      { thresholds: { consumerErrors: -1 } },
      'consumerErrors -1 must be a number from 0 to',
    ],
    [
      'not a number',
      { thresholds: { offlinePartitions: Number.NaN } },
      'offlinePartitions NaN must be a number from 0 to',
    ],
    [
      'a failure-queue age over 14 days',
      { thresholds: { failureQueueAge: Duration.days(15) } },
      'failureQueueAge 15 days must be from 1 minute to 14 days (the longest SQS retention)',
    ],
    [
      'a 255-character email address',
      { alarmEmail: `${'a'.repeat(243)}@example.com` },
      `alarmEmail "${'a'.repeat(243)}@example.com" must be an email address`,
    ],
    [
      'an email address after other text',
      { alarmEmail: 'to ops@example.com' },
      'alarmEmail "to ops@example.com" must be an email address',
    ],
    [
      'an email address before other text',
      { alarmEmail: 'ops@example.com now' },
      'alarmEmail "ops@example.com now" must be an email address',
    ],
    [
      'an instance type with a prefix',
      { instanceType: 'my.kafka.m7g.large' },
      'instanceType "my.kafka.m7g.large" must be an MSK broker type: kafka.<family>.<size> or express.<family>.<size>',
    ],
    [
      'an instance type with a suffix',
      { instanceType: 'kafka.m7g.large!' },
      'instanceType "kafka.m7g.large!" must be an MSK broker type',
    ],
    [
      'a Kafka version with a prefix',
      { kafkaVersion: 'v3.8.x' },
      'kafkaVersion "v3.8.x" must be an MSK Kafka version: <major>.<minor>.<patch> or <major>.<minor>.x',
    ],
    [
      'a Kafka version with a suffix',
      { kafkaVersion: '3.8.x!' },
      'kafkaVersion "3.8.x!" must be an MSK Kafka version',
    ],
  ])('refuses %s', (_what, overrides, message) => {
    const f = fixture();
    expect(() => dev(f, overrides)).toThrow(message);
  });

  test('one broker is enough', () => {
    const f = fixture();
    expect(dev(f, { brokerCount: 1 }).alarms.map((a) => a.node.id)).toContain('Broker1Cpu');
  });

  test('duplicate consumer names', () => {
    const f = fixture();
    expect(() =>
      dev(f, {
        consumers: [
          { name: 'a', function: f.fn },
          { name: 'a', function: f.fn },
        ],
      }),
    ).toThrow(/consumers\[1\].name "a" is used twice/);
  });

  test('all problems at once', () => {
    const f = fixture();
    expect(() => dev(f, { brokerCount: -1, alarmEmail: 'x' })).toThrow(
      /^PlatformAlarms: brokerCount -1 .*; alarmEmail "x" /,
    );
  });

  test('an imported key: its policy cannot admit CloudWatch', () => {
    const f = fixture();
    const imported = kms.Key.fromKeyArn(
      f.stack,
      'Imported',
      'arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    );
    expect(() => dev(f, { encryptionKey: imported })).toThrow(
      /encryptionKey Test\/Imported is an imported key/,
    );
  });
});
