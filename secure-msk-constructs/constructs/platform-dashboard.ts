import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { DASHBOARD_NAME } from '../model/rules';
import {
  brokerCpu,
  brokerIds,
  brokerMetric,
  clusterMetric,
  ConsumerMetricsTarget,
  deadLetteredMetric,
  isKraft,
  isT3,
  MskMetricName,
  mskTargetProblems,
  NamedConsumer,
  nameConsumers,
  offsetLagMetric,
  throwIfProblems,
} from './platform-metrics';

export interface PlatformDashboardProps {
  /** MSK cluster name (the `Cluster Name` dimension). */
  readonly clusterName: string;
  /** Brokers in the cluster; broker widgets show broker IDs 1..brokerCount. */
  readonly brokerCount: number;
  /**
   * Broker instance type: a t3 type adds a CPU credit balance widget.
   *
   * @default - no CPU credit widget
   */
  readonly instanceType?: string;
  /**
   * Kafka version: ZooKeeper-mode versions add the active controller count to the partitions
   * widget (see `PlatformAlarms` for why KRaft clusters have none).
   *
   * @default - no controller series
   */
  readonly kafkaVersion?: string;
  /**
   * Lambda consumers: one row each (invocations and errors, duration, offset lag, failure queue).
   *
   * @default - no consumer rows
   */
  readonly consumers?: readonly ConsumerMetricsTarget[];
  /**
   * Alarms shown in an alarm status widget at the top, e.g. `PlatformAlarms.alarms`.
   *
   * @default - no alarm status widget
   */
  readonly alarms?: readonly cloudwatch.IAlarm[];
  /**
   * Dashboard name: letters, digits, `-` and `_`, up to 255.
   *
   * @default - the cluster name
   */
  readonly dashboardName?: string;
  /**
   * Aggregation period of every graph.
   *
   * @default Duration.minutes(5)
   */
  readonly period?: Duration;
}

const HEIGHT = 6;

/** Title, left-axis metrics, and the axis (default: from 0). */
type GraphSpec = [string, cloudwatch.IMetric[], cloudwatch.YAxisProps?];

/**
 * One CloudWatch dashboard per cluster: the alarms' states, then brokers' disk, CPU (and CPU
 * credits on t3), network in/out (`BytesInPerSec`/`BytesOutPerSec`, per broker at the DEFAULT
 * level, MSK metrics-details), partitions, and one row per consumer with its invocations and
 * errors, duration, offset lag and failure-queue depth. Metrics come from `platform-metrics.ts`,
 * the same definitions the alarms use.
 */
export class PlatformDashboard extends Construct {
  public readonly dashboard: cloudwatch.Dashboard;
  public readonly dashboardName: string;
  /** The dashboard in the CloudWatch console of the stack's Region (aws partition console). */
  public readonly url: string;
  private readonly period: Duration;

  constructor(scope: Construct, id: string, props: PlatformDashboardProps) {
    super(scope, id);
    const problems = mskTargetProblems(props);
    const dashboardName = props.dashboardName ?? props.clusterName;
    if (!DASHBOARD_NAME.test(dashboardName)) {
      problems.push(`dashboardName "${dashboardName}" must be ${DASHBOARD_NAME.allowed}`);
    }
    const period = props.period ?? Duration.minutes(5);
    if (period.toSeconds() < 60 || period.toSeconds() % 60 !== 0) {
      problems.push(`period ${period.toHumanString()} must be a whole number of minutes`);
    }
    const consumers = nameConsumers(props.consumers ?? [], problems);
    throwIfProblems('PlatformDashboard', problems);

    this.period = period;
    this.dashboardName = dashboardName;
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName,
      defaultInterval: Duration.hours(3),
    });
    const region = Stack.of(this).region;
    this.url = `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#dashboards/dashboard/${dashboardName}`;

    if (props.alarms && props.alarms.length > 0) {
      this.dashboard.addWidgets(
        new cloudwatch.AlarmStatusWidget({
          title: `Alarms: ${props.clusterName}`,
          alarms: [...props.alarms],
          width: 24,
          height: Math.min(12, 2 + Math.ceil(props.alarms.length / 4)),
          sortBy: cloudwatch.AlarmStatusWidgetSortBy.STATE_UPDATED_TIMESTAMP,
        }),
      );
    }
    this.addBrokerWidgets(props);
    for (const consumer of consumers) this.addConsumerRow(consumer);
  }

  private addBrokerWidgets(props: PlatformDashboardProps): void {
    const cluster = props.clusterName;
    const brokers = brokerIds(props.brokerCount);
    const perBroker = (metric: MskMetricName, statistic: string) =>
      brokers.map((b) =>
        brokerMetric(cluster, b, metric, statistic, this.period).with({ label: `broker ${b}` }),
      );
    const percent = { min: 0, max: 100 };

    const diskAndCpu: GraphSpec[] = [
      ['Data-log disk used (%)', perBroker('KafkaDataLogsDiskUsed', 'Maximum'), percent],
      ['CPU user + system (%)', brokers.map((b) => brokerCpu(cluster, b, this.period)), percent],
    ];
    if (props.instanceType && isT3(props.instanceType)) {
      diskAndCpu.push(['CPU credit balance (t3)', perBroker('CPUCreditBalance', 'Average')]);
    }
    this.addRow(diskAndCpu);

    const partitions: cloudwatch.IMetric[] = [
      clusterMetric(cluster, 'OfflinePartitionsCount', 'Maximum', this.period).with({
        label: 'offline partitions',
      }),
      ...perBroker('UnderReplicatedPartitions', 'Maximum').map((m, i) =>
        m.with({ label: `under-replicated, broker ${brokers[i]}` }),
      ),
    ];
    if (props.kafkaVersion && !isKraft(props.kafkaVersion)) {
      partitions.push(
        clusterMetric(cluster, 'ActiveControllerCount', 'Sum', Duration.minutes(1)).with({
          label: 'active controllers (1-minute sum)',
        }),
      );
    }
    this.addRow([
      ['Bytes in per second (from clients)', perBroker('BytesInPerSec', 'Average')],
      ['Bytes out per second (to clients)', perBroker('BytesOutPerSec', 'Average')],
      ['Partitions', partitions],
    ]);
  }

  private addConsumerRow(consumer: NamedConsumer): void {
    const fn = consumer.function;
    const period = this.period;
    const title = (what: string) => `${consumer.name}: ${what}`;
    const row: GraphSpec[] = [
      [
        title('invocations and errors'),
        [
          fn.metricInvocations({ statistic: 'Sum', period, label: 'invocations' }),
          fn.metricErrors({ statistic: 'Sum', period, label: 'errors' }),
          fn.metricThrottles({ statistic: 'Sum', period, label: 'throttles' }),
        ],
      ],
      [
        title('duration (ms)'),
        [
          fn.metricDuration({ statistic: 'Average', period, label: 'average' }),
          fn.metricDuration({ statistic: 'Maximum', period, label: 'maximum' }),
        ],
      ],
      [
        title(`offset lag${consumer.topic ? ` (${consumer.topic})` : ''}`),
        [offsetLagMetric(fn, period).with({ label: 'offset lag (max)' })],
      ],
    ];
    if (consumer.deadLetter) {
      row.push([
        title(`dead-letter topic ${consumer.deadLetter.topic}`),
        [
          deadLetteredMetric(consumer.deadLetter.eventSourceMappingId, period).with({
            label: 'records sent',
          }),
        ],
      ]);
    }
    if (consumer.failureQueue) {
      row.push([
        title('failure queue'),
        [
          consumer.failureQueue.metricApproximateNumberOfMessagesVisible({
            statistic: 'Maximum',
            period,
            label: 'messages visible',
          }),
        ],
      ]);
    }
    this.addRow(row);
  }

  /** One row of graphs sharing the dashboard's 24 columns. */
  private addRow(specs: readonly GraphSpec[]): void {
    const width = Math.floor(24 / specs.length);
    this.dashboard.addWidgets(
      ...specs.map(
        ([title, metrics, leftYAxis]) =>
          new cloudwatch.GraphWidget({
            title,
            left: metrics,
            leftYAxis: leftYAxis ?? { min: 0 },
            period: this.period,
            width,
            height: HEIGHT,
          }),
      ),
    );
  }
}
