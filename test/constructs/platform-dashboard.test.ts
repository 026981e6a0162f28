import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import {
  PlatformDashboard,
  PlatformDashboardProps,
} from '../../secure-msk-constructs/constructs/platform-dashboard';

interface Widget {
  type: string;
  width: number;
  height: number;
  properties: {
    title: string;
    metrics?: unknown[][];
    alarms?: string[];
    period?: number;
    yAxis?: { left?: { min?: number; max?: number } };
  };
}

/** The dashboard body with `Ref`/`Fn::GetAtt` rendered as `${Id}`/`${Id.Attr}`, parsed. */
function body(stack: Stack): { widgets: Widget[] } {
  const dashboards = Object.values(
    Template.fromStack(stack).findResources('AWS::CloudWatch::Dashboard'),
  );
  expect(dashboards).toHaveLength(1);
  const raw = dashboards[0].Properties.DashboardBody as
    string | { 'Fn::Join': [string, unknown[]] };
  const text =
    typeof raw === 'string'
      ? raw
      : raw['Fn::Join'][1]
          .map((part) => {
            if (typeof part === 'string') return part;
            const ref = (part as { Ref?: string }).Ref;
            const getAtt = (part as { 'Fn::GetAtt'?: string[] })['Fn::GetAtt'];
            return ref ? `\${${ref}}` : `\${${getAtt?.join('.')}}`;
          })
          .join('');
  return JSON.parse(text);
}

const consumerFunction = (stack: Stack) =>
  new lambda.Function(stack, 'Consumer', {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => {};'),
  });

function fixture(overrides: Partial<PlatformDashboardProps> = {}) {
  const stack = new Stack(new App(), 'Test');
  const fn = consumerFunction(stack);
  const queue = new sqs.Queue(stack, 'Failures');
  const alarm = new cloudwatch.Alarm(stack, 'Alarm', {
    metric: fn.metricErrors(),
    threshold: 0,
    evaluationPeriods: 1,
  });
  const dashboard = new PlatformDashboard(stack, 'Dashboard', {
    clusterName: 'msk-dev',
    brokerCount: 2,
    instanceType: 'kafka.t3.small',
    kafkaVersion: '3.8.x',
    consumers: [{ function: fn, failureQueue: queue, topic: 'orders' }],
    alarms: [alarm],
    ...overrides,
  });
  const id = (c: { node: { defaultChild?: unknown } }) =>
    stack.getLogicalId(c.node.defaultChild as never);
  return {
    stack,
    dashboard,
    fnRef: `\${${id(fn)}}`,
    queueName: `\${${id(queue)}.QueueName}`,
    alarmArn: `\${${id(alarm)}.Arn}`,
  };
}

const titles = (widgets: Widget[]) => widgets.map((w) => w.properties.title);
const widget = (widgets: Widget[], title: string) => {
  const found = widgets.find((w) => w.properties.title === title);
  if (!found) throw new Error(`no widget "${title}" in ${titles(widgets).join(', ')}`);
  return found;
};
const broker = (metric: string, id: string, options: object) => [
  'AWS/Kafka',
  metric,
  'Broker ID',
  id,
  'Cluster Name',
  'msk-dev',
  options,
];

describe('a dev-like dashboard', () => {
  const f = fixture();
  const { widgets } = body(f.stack);

  test('its name and console URL', () => {
    expect(f.dashboard.dashboardName).toBe('msk-dev');
    Template.fromStack(f.stack).hasResourceProperties('AWS::CloudWatch::Dashboard', {
      DashboardName: 'msk-dev',
    });
    expect(f.stack.resolve(f.dashboard.url)).toEqual({
      'Fn::Join': [
        '',
        [
          'https://',
          { Ref: 'AWS::Region' },
          '.console.aws.amazon.com/cloudwatch/home?region=',
          { Ref: 'AWS::Region' },
          '#dashboards/dashboard/msk-dev',
        ],
      ],
    });
  });

  test('widgets: alarms, brokers, partitions, then one row per consumer', () => {
    expect(titles(widgets)).toEqual([
      'Alarms: msk-dev',
      'Data-log disk used (%)',
      'CPU user + system (%)',
      'CPU credit balance (t3)',
      'Bytes in per second (from clients)',
      'Bytes out per second (to clients)',
      'Partitions',
      'consumer-1: invocations and errors',
      'consumer-1: duration (ms)',
      'consumer-1: offset lag (orders)',
      'consumer-1: failure queue',
    ]);
    expect(widget(widgets, 'Alarms: msk-dev')).toMatchObject({
      type: 'alarm',
      width: 24,
      height: 3,
      properties: { alarms: [f.alarmArn] },
    });
  });

  test('percent graphs run from 0 to 100, the others from 0', () => {
    for (const title of ['Data-log disk used (%)', 'CPU user + system (%)']) {
      expect(widget(widgets, title).properties.yAxis).toEqual({ left: { min: 0, max: 100 } });
    }
    for (const title of ['CPU credit balance (t3)', 'Partitions', 'consumer-1: duration (ms)']) {
      expect(widget(widgets, title).properties.yAxis).toEqual({ left: { min: 0 } });
    }
    expect(widgets.every((w) => w.type === 'alarm' || w.height === 6)).toBe(true);
  });

  test("broker widgets read the cluster's per-broker metrics", () => {
    expect(widget(widgets, 'Data-log disk used (%)').properties.metrics).toEqual([
      broker('KafkaDataLogsDiskUsed', '1', { label: 'broker 1', stat: 'Maximum' }),
      broker('KafkaDataLogsDiskUsed', '2', { label: 'broker 2', stat: 'Maximum' }),
    ]);
    expect(widget(widgets, 'CPU user + system (%)').properties.metrics).toEqual([
      [{ label: 'broker 1', expression: 'cpuUser1 + cpuSystem1' }],
      broker('CpuUser', '1', { id: 'cpuUser1', visible: false }),
      broker('CpuSystem', '1', { id: 'cpuSystem1', visible: false }),
      [{ label: 'broker 2', expression: 'cpuUser2 + cpuSystem2' }],
      broker('CpuUser', '2', { id: 'cpuUser2', visible: false }),
      broker('CpuSystem', '2', { id: 'cpuSystem2', visible: false }),
    ]);
    // Average is CloudWatch's default statistic, so it is not written out.
    expect(widget(widgets, 'CPU credit balance (t3)').properties.metrics).toEqual([
      broker('CPUCreditBalance', '1', { label: 'broker 1' }),
      broker('CPUCreditBalance', '2', { label: 'broker 2' }),
    ]);
    expect(widget(widgets, 'Bytes in per second (from clients)').properties.metrics).toEqual([
      broker('BytesInPerSec', '1', { label: 'broker 1' }),
      broker('BytesInPerSec', '2', { label: 'broker 2' }),
    ]);
    expect(widget(widgets, 'Bytes out per second (to clients)').properties.metrics).toEqual([
      broker('BytesOutPerSec', '1', { label: 'broker 1' }),
      broker('BytesOutPerSec', '2', { label: 'broker 2' }),
    ]);
    expect(widget(widgets, 'Partitions').properties.metrics).toEqual([
      [
        'AWS/Kafka',
        'OfflinePartitionsCount',
        'Cluster Name',
        'msk-dev',
        { label: 'offline partitions', stat: 'Maximum' },
      ],
      broker('UnderReplicatedPartitions', '1', {
        label: 'under-replicated, broker 1',
        stat: 'Maximum',
      }),
      broker('UnderReplicatedPartitions', '2', {
        label: 'under-replicated, broker 2',
        stat: 'Maximum',
      }),
      [
        'AWS/Kafka',
        'ActiveControllerCount',
        'Cluster Name',
        'msk-dev',
        { label: 'active controllers (1-minute sum)', period: 60, stat: 'Sum' },
      ],
    ]);
  });

  test("consumer widgets read the real function's and queue's metrics", () => {
    const lambdaMetric = (name: string, options: object) => [
      'AWS/Lambda',
      name,
      'FunctionName',
      f.fnRef,
      options,
    ];
    expect(widget(widgets, 'consumer-1: invocations and errors').properties.metrics).toEqual([
      lambdaMetric('Invocations', { label: 'invocations', stat: 'Sum' }),
      lambdaMetric('Errors', { label: 'errors', stat: 'Sum' }),
      lambdaMetric('Throttles', { label: 'throttles', stat: 'Sum' }),
    ]);
    expect(widget(widgets, 'consumer-1: duration (ms)').properties.metrics).toEqual([
      lambdaMetric('Duration', { label: 'average' }),
      lambdaMetric('Duration', { label: 'maximum', stat: 'Maximum' }),
    ]);
    expect(widget(widgets, 'consumer-1: offset lag (orders)').properties.metrics).toEqual([
      lambdaMetric('OffsetLag', { label: 'offset lag (max)', stat: 'Maximum' }),
    ]);
    expect(widget(widgets, 'consumer-1: failure queue').properties.metrics).toEqual([
      [
        'AWS/SQS',
        'ApproximateNumberOfMessagesVisible',
        'QueueName',
        f.queueName,
        { label: 'messages visible', stat: 'Maximum' },
      ],
    ]);
    // Four graphs share the row.
    expect(widget(widgets, 'consumer-1: failure queue').width).toBe(6);
  });
});

test('m7g on KRaft: no CPU credit widget, no controller series, no alarm widget', () => {
  const f = fixture({ instanceType: 'kafka.m7g.large', kafkaVersion: '3.9.x.kraft', alarms: [] });
  const { widgets } = body(f.stack);
  expect(titles(widgets)).not.toContain('CPU credit balance (t3)');
  expect(titles(widgets)).not.toContain('Alarms: msk-dev');
  expect(JSON.stringify(widget(widgets, 'Partitions'))).not.toContain('ActiveControllerCount');
  expect(widget(widgets, 'Data-log disk used (%)').width).toBe(12);
});

test('the alarm widget grows a row per 4 alarms, up to 12', () => {
  const many = (count: number) => {
    const stack = new Stack(new App(), 'Many');
    const alarms = Array.from(
      { length: count },
      (_, i) =>
        new cloudwatch.Alarm(stack, `Alarm${i}`, {
          metric: new cloudwatch.Metric({ namespace: 'Test', metricName: `M${i}` }),
          threshold: 0,
          evaluationPeriods: 1,
        }),
    );
    new PlatformDashboard(stack, 'Dashboard', { clusterName: 'msk-dev', brokerCount: 1, alarms });
    return widget(body(stack).widgets, 'Alarms: msk-dev').height;
  };
  expect([many(4), many(5), many(40), many(41)]).toEqual([3, 4, 12, 12]);
});

test('a consumer without a topic or failure queue: three graphs, no topic in the title', () => {
  const stack = new Stack(new App(), 'NoTopic');
  const fn = consumerFunction(stack);
  new PlatformDashboard(stack, 'Dashboard', {
    clusterName: 'msk-dev',
    brokerCount: 1,
    consumers: [{ function: fn }],
  });
  const { widgets } = body(stack);
  expect(titles(widgets).slice(-3)).toEqual([
    'consumer-1: invocations and errors',
    'consumer-1: duration (ms)',
    'consumer-1: offset lag',
  ]);
  expect(widget(widgets, 'consumer-1: offset lag').width).toBe(8);
});

test('a consumer with a dead-letter topic: a graph of the records sent to it', () => {
  const stack = new Stack(new App(), 'DeadLetter');
  const fn = consumerFunction(stack);
  new PlatformDashboard(stack, 'Dashboard', {
    clusterName: 'msk-dev',
    brokerCount: 1,
    consumers: [
      {
        name: 'orders',
        function: fn,
        deadLetter: { topic: 'orders.dlt', eventSourceMappingId: 'uuid-1234' },
      },
    ],
  });
  const { widgets } = body(stack);
  expect(widget(widgets, 'orders: dead-letter topic orders.dlt').properties.metrics).toEqual([
    [
      'AWS/Lambda',
      'OnFailureDestinationDeliveredEventCount',
      'EventSourceMappingUUID',
      'uuid-1234',
      { label: 'records sent', stat: 'Sum' },
    ],
  ]);
});

describe('validation', () => {
  test.each<[string, Partial<PlatformDashboardProps>, RegExp]>([
    ['dashboard name', { dashboardName: 'msk dev' }, /dashboardName "msk dev" must be 1–255/],
    ['period', { period: Duration.seconds(90) }, /period 1 minute 30 seconds must be a whole/],
    ['period of 0', { period: Duration.seconds(0) }, /period 0 seconds must be a whole number/],
    ['broker count', { brokerCount: 1.5 }, /brokerCount 1.5 must be a whole number/],
    [
      'cluster name',
      { clusterName: '' },
      /clusterName "" must be 1–64 letters, digits and hyphens/,
    ],
  ])('%s', (_what, overrides, message) => {
    expect(() => fixture(overrides)).toThrow(message);
  });

  test('errors name the construct; a one-minute period is allowed', () => {
    expect(() => fixture({ dashboardName: '' })).toThrow(/^PlatformDashboard: dashboardName ""/);
    expect(() => fixture({ period: Duration.minutes(1) })).not.toThrow();
  });
});
