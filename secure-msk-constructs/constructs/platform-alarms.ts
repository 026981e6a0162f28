import { Aws, Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { BROKER_INSTANCE_TYPE, EMAIL, KAFKA_VERSION } from '../model/rules';
import {
  brokerCpu,
  brokerIds,
  brokerMetric,
  clusterMetric,
  ConsumerMetricsTarget,
  deadLetteredMetric,
  deadLetterFailedMetric,
  isExpress,
  isKraft,
  isT3,
  MONITORING_LEVELS,
  MSK_METRIC_LEVELS,
  MskMetricName,
  MskMonitoringLevel,
  mskTargetProblems,
  NamedConsumer,
  nameConsumers,
  offsetLagMetric,
  pascal,
  throwIfProblems,
} from './platform-metrics';

/** Alarm thresholds; every one has a default (see each). */
export interface PlatformAlarmThresholds {
  /**
   * `KafkaDataLogsDiskUsed` per broker, percent: alarm above it.
   *
   * @default 85 (managing-amazon-msk skill, monitor-and-alarm.md: "Max > 85% per broker")
   */
  readonly diskUsedPercent?: number;
  /**
   * `CpuUser + CpuSystem` per broker, percent, sustained for 15 minutes: alarm above it.
   *
   * @default 60 (the same skill: "Average > 60%"; MSK best practices keep CPU under 60 % for
   * headroom during broker replacement)
   */
  readonly cpuPercent?: number;
  /**
   * `CPUCreditBalance` per broker, credits: alarm at or below it. Only t3 brokers earn credits,
   * so setting it for another instance type throws.
   *
   * @default 100 (the same skill: "Average ≤ 100 for 5 min, 3 consecutive periods")
   */
  readonly cpuCreditBalance?: number;
  /**
   * `OfflinePartitionsCount` of the cluster: alarm above it.
   *
   * @default 0 (any offline partition: it can be neither produced to nor consumed from)
   */
  readonly offlinePartitions?: number;
  /**
   * `UnderReplicatedPartitions` per broker, for 15 minutes: alarm above it.
   *
   * @default 0 (the same skill: "Sum > 0 for 15 min"; shorter bursts happen during maintenance)
   */
  readonly underReplicatedPartitions?: number;
  /**
   * Lambda `Errors` of each consumer per 5 minutes: alarm above it.
   *
   * @default 0
   */
  readonly consumerErrors?: number;
  /**
   * Lambda `Throttles` of each consumer per 5 minutes: alarm above it.
   *
   * @default 0
   */
  readonly consumerThrottles?: number;
  /**
   * Lambda `OffsetLag` of each consumer (records behind, worst topic) for 15 minutes: alarm
   * above it. Application-specific: set it from the topic's throughput and your latency goal.
   *
   * @default 10000 (the skill's example threshold for MaxOffsetLag)
   */
  readonly consumerOffsetLag?: number;
  /**
   * `ApproximateNumberOfMessagesVisible` of each failure queue: alarm above it.
   *
   * @default 0 (every message is a batch Lambda gave up on)
   */
  readonly failureQueueMessages?: number;
  /**
   * `ApproximateAgeOfOldestMessage` of each failure queue: alarm above it (a failed batch nobody
   * has looked at). Keep it well below the queue's retention period.
   *
   * @default Duration.days(3)
   */
  readonly failureQueueAge?: Duration;
}

export interface PlatformAlarmsProps {
  /** MSK cluster name (the `Cluster Name` dimension); also the prefix of every alarm name. */
  readonly clusterName: string;
  /** Brokers in the cluster; per-broker alarms are made for broker IDs 1..brokerCount. */
  readonly brokerCount: number;
  /** Broker instance type, e.g. `kafka.t3.small`: t3 adds the CPU credit alarms. */
  readonly instanceType: string;
  /** Kafka version, e.g. `3.8.x` or `3.9.x.kraft`: KRaft clusters get no controller alarm. */
  readonly kafkaVersion: string;
  /**
   * The cluster's enhanced monitoring level.
   *
   * @default 'DEFAULT'
   */
  readonly enhancedMonitoring?: MskMonitoringLevel;
  /**
   * Encrypts the alarm topic. Its key policy gets a statement that lets CloudWatch alarms named
   * `<clusterName>-*` of this account and Region use it (SNS Developer Guide, "Enable
   * compatibility between event sources from AWS services and encrypted topics"): pass the
   * `kms.Key` itself (`PlatformKey.key`), not an imported reference, whose policy CDK cannot edit.
   */
  readonly encryptionKey: kms.IKey;
  /**
   * Email address subscribed to the topic (AWS sends a confirmation mail first).
   *
   * @default - no subscription
   */
  readonly alarmEmail?: string;
  /**
   * @default - the defaults of each threshold
   */
  readonly thresholds?: PlatformAlarmThresholds;
  /**
   * Lambda consumers of the cluster: each gets errors, throttles and offset-lag alarms, its
   * failure queue, if any, depth and age alarms, and its dead-letter topic, if any, an alarm on
   * records sent to it.
   *
   * @default - no consumer alarms
   */
  readonly consumers?: readonly ConsumerMetricsTarget[];
}

/** One alarm's definition before it becomes a `cloudwatch.Alarm`. */
interface AlarmSpec {
  readonly id: string;
  /** Appended to `<clusterName>-`. */
  readonly name: string;
  readonly metric: cloudwatch.IMetric;
  readonly threshold: number;
  readonly comparisonOperator: cloudwatch.ComparisonOperator;
  readonly evaluationPeriods: number;
  readonly treatMissingData: cloudwatch.TreatMissingData;
  /** What happened and what to do. */
  readonly description: string;
}

const DEFAULTS = {
  diskUsedPercent: 85,
  cpuPercent: 60,
  cpuCreditBalance: 100,
  offlinePartitions: 0,
  underReplicatedPartitions: 0,
  consumerErrors: 0,
  consumerThrottles: 0,
  consumerOffsetLag: 10_000,
  failureQueueMessages: 0,
} as const;
const DEFAULT_FAILURE_QUEUE_AGE = Duration.days(3);

const ONE_MINUTE = Duration.minutes(1);
const FIVE_MINUTES = Duration.minutes(5);

/**
 * The platform's alarms and the one SNS topic they notify.
 *
 * The topic is encrypted with the platform key and has no public access: its policy denies
 * publishing without TLS and allows only CloudWatch alarms of this account named
 * `<clusterName>-*` to publish (same-account IAM principals are governed by their own policies).
 * Every alarm notifies the topic when it fires and when it recovers.
 *
 * - MSK, per broker: data-log disk, CPU (user + system), CPU credits (t3 only), under-replicated
 *   partitions. Per cluster: offline partitions; active controller count ≠ 1 (ZooKeeper mode
 *   only).
 * - Per consumer: Lambda errors, throttles and offset lag; the failure queue's visible messages
 *   and the age of its oldest message, or the records sent to the dead-letter topic.
 *
 * Props are validated before anything is created; one error lists every problem with the prop
 * and its value, including combinations that would leave an alarm without data.
 */
export class PlatformAlarms extends Construct {
  /** Receives every alarm's ALARM and OK notifications. */
  public readonly topic: sns.Topic;
  /** Every alarm, in creation order. */
  public readonly alarms: cloudwatch.Alarm[] = [];
  private readonly clusterName: string;
  private readonly action: cloudwatchActions.SnsAction;

  constructor(scope: Construct, id: string, props: PlatformAlarmsProps) {
    super(scope, id);
    const problems = mskTargetProblems(props);
    const level = props.enhancedMonitoring ?? 'DEFAULT';
    const t = props.thresholds ?? {};
    problems.push(...PlatformAlarms.propProblems(props, level, t));
    const consumers = nameConsumers(props.consumers ?? [], problems);
    throwIfProblems('PlatformAlarms', problems);

    this.clusterName = props.clusterName;
    this.topic = this.createTopic(props);
    this.action = new cloudwatchActions.SnsAction(this.topic);

    this.addBrokerAlarms(props, t);
    this.addClusterAlarms(props, t);
    for (const consumer of consumers) this.addConsumerAlarms(consumer, t);
  }

  private static propProblems(
    props: PlatformAlarmsProps,
    level: MskMonitoringLevel,
    t: PlatformAlarmThresholds,
  ): string[] {
    const problems: string[] = [];
    if (!BROKER_INSTANCE_TYPE.test(props.instanceType)) {
      problems.push(`instanceType "${props.instanceType}" must be ${BROKER_INSTANCE_TYPE.allowed}`);
    } else if (isExpress(props.instanceType)) {
      // An alarm on a metric that is never published would sit in INSUFFICIENT_DATA forever.
      problems.push(
        `instanceType "${props.instanceType}" is an Express broker, which does not publish ` +
          'KafkaDataLogsDiskUsed, UnderReplicatedPartitions or OfflinePartitionsCount; these ' +
          'alarms are for Standard (kafka.*) brokers',
      );
    }
    if (!KAFKA_VERSION.test(props.kafkaVersion)) {
      problems.push(`kafkaVersion "${props.kafkaVersion}" must be ${KAFKA_VERSION.allowed}`);
    }
    if (!(MONITORING_LEVELS as readonly string[]).includes(level)) {
      problems.push(`enhancedMonitoring "${level}" is not one of ${MONITORING_LEVELS.join(', ')}`);
    } else {
      for (const [metric, needs] of Object.entries(MSK_METRIC_LEVELS)) {
        if (MONITORING_LEVELS.indexOf(needs) > MONITORING_LEVELS.indexOf(level)) {
          problems.push(
            `enhancedMonitoring "${level}" does not publish ${metric} (needs ${needs}); ` +
              'its alarm would never get data',
          );
        }
      }
    }
    if (props.alarmEmail !== undefined && !EMAIL.test(props.alarmEmail)) {
      problems.push(`alarmEmail "${props.alarmEmail}" must be ${EMAIL.allowed}`);
    }
    if (t.cpuCreditBalance !== undefined && !isT3(props.instanceType)) {
      problems.push(
        `thresholds.cpuCreditBalance is set but instanceType "${props.instanceType}" is not a ` +
          't3 broker: only t3 brokers earn CPU credits, the alarm would never get data',
      );
    }
    const ranges: [keyof typeof DEFAULTS, number, number][] = [
      ['diskUsedPercent', 1, 99],
      ['cpuPercent', 1, 99],
      ['cpuCreditBalance', 0, 576], // t3 brokers earn up to 576 credits (monitor-and-alarm.md)
      ['offlinePartitions', 0, Number.MAX_SAFE_INTEGER],
      ['underReplicatedPartitions', 0, Number.MAX_SAFE_INTEGER],
      ['consumerErrors', 0, Number.MAX_SAFE_INTEGER],
      ['consumerThrottles', 0, Number.MAX_SAFE_INTEGER],
      ['consumerOffsetLag', 1, Number.MAX_SAFE_INTEGER],
      ['failureQueueMessages', 0, Number.MAX_SAFE_INTEGER],
    ];
    for (const [key, min, max] of ranges) {
      const value = t[key];
      if (value !== undefined && !(Number.isFinite(value) && value >= min && value <= max)) {
        problems.push(`thresholds.${key} ${value} must be a number from ${min} to ${max}`);
      }
    }
    const age = t.failureQueueAge;
    if (age !== undefined && !(age.toSeconds() >= 60 && age.toSeconds() <= 14 * 24 * 3600)) {
      problems.push(
        `thresholds.failureQueueAge ${age.toHumanString()} must be from 1 minute to 14 days ` +
          '(the longest SQS retention)',
      );
    }
    return problems;
  }

  private createTopic(props: PlatformAlarmsProps): sns.Topic {
    const topic = new sns.Topic(this, 'Topic', {
      displayName: `${props.clusterName} alarms`,
      masterKey: props.encryptionKey,
      // Denies sns:Publish without TLS to every principal (statement AllowPublishThroughSSLOnly).
      enforceSSL: true,
    });
    // CloudWatch publishes alarm notifications as the cloudwatch.amazonaws.com service principal;
    // the topic policy CDK creates replaces SNS's default one, so CloudWatch must be allowed here.
    // aws:SourceAccount and aws:SourceArn keep other accounts' alarms out (confused deputy).
    const alarmArns = `arn:${Aws.PARTITION}:cloudwatch:${Aws.REGION}:${Aws.ACCOUNT_ID}:alarm:${props.clusterName}-*`;
    const fromOurAlarms = {
      StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
      ArnLike: { 'aws:SourceArn': alarmArns },
    };
    topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: fromOurAlarms,
      }),
    );
    // Publishing to a topic encrypted with a customer-managed key makes SNS use the key on the
    // publisher's behalf: CloudWatch needs kms:GenerateDataKey* and kms:Decrypt in the key policy
    // (SNS Developer Guide, sns-key-management, "Enable compatibility between event sources from
    // AWS services and encrypted topics"; the conditions are supported for CloudWatch, per AWS's
    // modern-data-architecture-accelerator grantCloudWatchAlarmsTopicAccess). GenerateDataKey is
    // the variant SNS calls to encrypt a message (the docs' wildcard also covers others; unverified
    // that none is needed). Only Aws.* pseudo parameters: no reference back to this stack.
    const { statementAdded } = props.encryptionKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: `CloudWatchAlarmsToSns${pascal(props.clusterName)}`,
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
        conditions: fromOurAlarms,
      }),
      true,
    );
    if (!statementAdded) {
      throw new Error(
        `PlatformAlarms: encryptionKey ${props.encryptionKey.node.path} is an imported key whose ` +
          'policy CDK cannot change, so CloudWatch could not publish to the encrypted topic; ' +
          'pass the kms.Key construct (PlatformKey.key)',
      );
    }
    if (props.alarmEmail !== undefined) {
      topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
    }
    return topic;
  }

  private addBrokerAlarms(props: PlatformAlarmsProps, t: PlatformAlarmThresholds): void {
    const cluster = props.clusterName;
    for (const broker of brokerIds(props.brokerCount)) {
      const where = `Broker ${broker} of MSK cluster ${cluster}`;
      const disk = t.diskUsedPercent ?? DEFAULTS.diskUsedPercent;
      this.add({
        id: `Broker${broker}DiskUsed`,
        name: `broker-${broker}-disk-used`,
        metric: this.broker(broker, 'KafkaDataLogsDiskUsed', 'Maximum', FIVE_MINUTES),
        threshold: disk,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        // A broker that stops reporting is not a full disk; it shows as INSUFFICIENT_DATA on the
        // dashboard, and its peers' UnderReplicatedPartitions alarm fires for it.
        treatMissingData: cloudwatch.TreatMissingData.MISSING,
        description:
          `${where}: data-log disk above ${disk}% (KafkaDataLogsDiskUsed). A full disk stops ` +
          'the broker. Raise the EBS volume (ebsVolumeGiB, or enable storage auto scaling) or ' +
          'shorten topic retention; MSK cannot shrink a volume.',
      });
      const cpu = t.cpuPercent ?? DEFAULTS.cpuPercent;
      this.add({
        id: `Broker${broker}Cpu`,
        name: `broker-${broker}-cpu`,
        metric: brokerCpu(cluster, broker, FIVE_MINUTES),
        threshold: cpu,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        // 15 minutes: a partition reassignment or a burst of reconnects is not capacity.
        evaluationPeriods: 3,
        treatMissingData: cloudwatch.TreatMissingData.MISSING, // as the disk alarm
        description:
          `${where}: CPU (CpuUser + CpuSystem) above ${cpu}% for 15 minutes. Keep headroom for ` +
          'broker replacement: check client batching (linger.ms, batch.size) and connection ' +
          'churn, then move to a larger broker type or add brokers.',
      });
      if (isT3(props.instanceType)) {
        const credits = t.cpuCreditBalance ?? DEFAULTS.cpuCreditBalance;
        this.add({
          id: `Broker${broker}CpuCredits`,
          name: `broker-${broker}-cpu-credits`,
          metric: this.broker(broker, 'CPUCreditBalance', 'Average', FIVE_MINUTES),
          threshold: credits,
          comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: 3,
          treatMissingData: cloudwatch.TreatMissingData.MISSING, // as the disk alarm
          description:
            `${where}: CPU credit balance at or below ${credits} for 15 minutes. At 0 the t3 ` +
            'broker is capped at its 20% baseline. Reduce load or move to an m7g broker type ' +
            '(t3 is for development only).',
        });
      }
      const urp = t.underReplicatedPartitions ?? DEFAULTS.underReplicatedPartitions;
      this.add({
        id: `Broker${broker}UnderReplicated`,
        name: `broker-${broker}-under-replicated`,
        metric: this.broker(broker, 'UnderReplicatedPartitions', 'Maximum', FIVE_MINUTES),
        threshold: urp,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 3,
        // A silent broker does not report its own lag: the leaders on the other brokers report
        // the partitions whose replica it holds. No data from this broker is not a breach.
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        description:
          `${where}: more than ${urp} under-replicated partitions for 15 minutes. First check ` +
          'whether MSK maintenance or a broker replacement is in progress (MSK console, ' +
          'AWS Health); if not, look for a failed or overloaded broker (CPU, disk, network).',
      });
    }
  }

  private addClusterAlarms(props: PlatformAlarmsProps, t: PlatformAlarmThresholds): void {
    const cluster = props.clusterName;
    const offline = t.offlinePartitions ?? DEFAULTS.offlinePartitions;
    this.add({
      id: 'OfflinePartitions',
      name: 'offline-partitions',
      metric: clusterMetric(cluster, 'OfflinePartitionsCount', 'Maximum', ONE_MINUTE),
      threshold: offline,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      // 0 is the normal value, so MSK reports it all the time: missing data means no data, not
      // offline partitions. In Apache Kafka this is a controller metric; on KRaft clusters MSK
      // runs the controllers, and whether it still publishes the metric there is unverified:
      // INSUFFICIENT_DATA then shows it on the dashboard instead of paging.
      treatMissingData: cloudwatch.TreatMissingData.MISSING,
      description:
        `MSK cluster ${cluster}: more than ${offline} partitions are offline (no leader): ` +
        'producers and consumers of them fail now. Check broker health in the MSK console; ' +
        'with unclean.leader.election.enable=false a partition stays offline until a replica ' +
        'in its ISR returns.',
    });
    // ZooKeeper mode only. In KRaft mode Apache Kafka exposes ActiveControllerCount only on
    // controller nodes, not on brokers (KIP-1001, "Rejected Alternatives"), and MSK manages the
    // KRaft controllers itself: "you don't need to monitor additional CloudWatch metrics for
    // KRaft mode clusters" (MSK Developer Guide, "KRaft mode"). No KRaft replacement metric is
    // documented, and this alarm treats missing data as breaching: on KRaft it would fire forever.
    if (!isKraft(props.kafkaVersion)) {
      this.add({
        id: 'ActiveController',
        name: 'active-controller',
        // Every broker reports 1 if it is the controller, else 0, under the one `Cluster Name`
        // dimension (metrics-details: "Only one controller per cluster should be active"), so the
        // 1-minute Sum is the number of active controllers; |Sum - 1| > 0 is "≠ 1". That MSK
        // publishes exactly one data point per broker per minute is unverified; 5 of 5 minutes
        // rides out a stray one. AWS's skill alarms on `Maximum < 1` (no controller) only.
        metric: new cloudwatch.MathExpression({
          expression: 'ABS(controllers - 1)',
          usingMetrics: {
            controllers: clusterMetric(cluster, 'ActiveControllerCount', 'Sum', ONE_MINUTE),
          },
          period: ONE_MINUTE,
          label: 'active controllers ≠ 1',
        }),
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 5,
        // No broker reporting means no broker is up to say it is the controller: the cluster is
        // down or unreachable. The only MSK alarm that pages on silence.
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
        description:
          `MSK cluster ${cluster}: the number of active controllers has not been 1 for 5 ` +
          'minutes (0: no controller, leader elections and topic changes stall; 2+: split ' +
          'brain; no data: no broker is reporting). A brief dip during a broker restart is ' +
          'normal. Check the cluster state in the MSK console and AWS Health.',
      });
    }
  }

  private addConsumerAlarms(consumer: NamedConsumer, t: PlatformAlarmThresholds): void {
    const fn = consumer.function;
    const id = pascal(consumer.name);
    const who = `Consumer ${consumer.name} (Lambda ${fn.functionName}${consumer.topic ? `, topic ${consumer.topic}` : ''})`;
    const errors = t.consumerErrors ?? DEFAULTS.consumerErrors;
    this.add({
      id: `${id}Errors`,
      name: `${consumer.name}-errors`,
      metric: fn.metricErrors({ statistic: 'Sum', period: FIVE_MINUTES }),
      threshold: errors,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      // Lambda publishes Errors only when the function is invoked: no invocations, no errors.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      description:
        `${who}: more than ${errors} failed invocations in 5 minutes. The event source mapping ` +
        'retries the batch and, when retries run out, sends it to the failure queue. Read the ' +
        "function's log group for the error and the failing topic-partition-offset.",
    });
    const throttles = t.consumerThrottles ?? DEFAULTS.consumerThrottles;
    this.add({
      id: `${id}Throttles`,
      name: `${consumer.name}-throttles`,
      metric: fn.metricThrottles({ statistic: 'Sum', period: FIVE_MINUTES }),
      threshold: throttles,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING, // as Errors
      description:
        `${who}: more than ${throttles} throttled invocations in 5 minutes; Lambda reduces the ` +
        "pollers and lag grows. Raise the function's reserved concurrency or the account's " +
        'concurrency quota, or lower other functions’ use of it.',
    });
    const lag = t.consumerOffsetLag ?? DEFAULTS.consumerOffsetLag;
    this.add({
      id: `${id}OffsetLag`,
      name: `${consumer.name}-offset-lag`,
      metric: offsetLagMetric(fn, FIVE_MINUTES),
      threshold: lag,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      // Whether Lambda publishes OffsetLag while a topic is idle is unverified, and a broken
      // mapping publishes nothing: INSUFFICIENT_DATA (visible on the dashboard) is the honest
      // state, and paging on every idle period would train people to ignore the alarm.
      treatMissingData: cloudwatch.TreatMissingData.MISSING,
      description:
        `${who}: more than ${lag} records behind (OffsetLag) for 15 minutes. Check the ` +
        "function's errors and duration, then raise batch size, memory or pollers (provisioned " +
        'mode), or add partitions: one poller reads each partition in order.',
    });
    const deadLetter = consumer.deadLetter;
    if (deadLetter) {
      this.add({
        id: `${id}DeadLettered`,
        name: `${consumer.name}-dead-lettered`,
        metric: deadLetteredMetric(deadLetter.eventSourceMappingId, FIVE_MINUTES),
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        // Published when records are sent: no data, nothing sent. That Lambda publishes it under
        // EventSourceMappingUUID alone is unverified (see platform-metrics).
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        description:
          `${who}: records were sent to dead-letter topic ${deadLetter.topic} in the last 5 ` +
          'minutes (OnFailureDestinationDeliveredEventCount): Lambda gave up on them after its ' +
          'retries. Read them with `npm run client -- dlq show --topic ' +
          `${deadLetter.topic}\`, fix the cause, then \`dlq replay\` them.`,
      });
      this.add({
        id: `${id}DeadLetterFailed`,
        name: `${consumer.name}-dead-letter-failed`,
        metric: deadLetterFailedMetric(deadLetter.eventSourceMappingId, FIVE_MINUTES),
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        description:
          `${who}: records could not be written to dead-letter topic ${deadLetter.topic} in the ` +
          'last 5 minutes (OnFailureDestinationDeliveryErrorCount): Lambda drops them, and only ' +
          'the source topic still has them until its retention passes. Check that the topic ' +
          "exists, the consumer's permission to write it (SCRAM: WRITE and DESCRIBE ACLs; IAM: " +
          'kafka-cluster:WriteData), and record sizes against its max.message.bytes.',
      });
    }
    const queue = consumer.failureQueue;
    if (!queue) return;
    const messages = t.failureQueueMessages ?? DEFAULTS.failureQueueMessages;
    this.add({
      id: `${id}FailuresQueued`,
      name: `${consumer.name}-failures-queued`,
      metric: queue.metricApproximateNumberOfMessagesVisible({
        statistic: 'Maximum',
        period: ONE_MINUTE,
      }),
      threshold: messages,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      // SQS reports queue metrics only while the queue is active (SQS Developer Guide, "Available
      // CloudWatch metrics"): an idle queue is an empty one.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      description:
        `${who}: more than ${messages} failed batches in failure queue ${queue.queueName}. Each ` +
        'message holds the topic, partition and offsets of a batch Lambda gave up on: fix the ' +
        'cause, re-read those offsets from the topic, then delete the message.',
    });
    const age = t.failureQueueAge ?? DEFAULT_FAILURE_QUEUE_AGE;
    this.add({
      id: `${id}FailuresAge`,
      name: `${consumer.name}-failures-age`,
      metric: queue.metricApproximateAgeOfOldestMessage({
        statistic: 'Maximum',
        period: FIVE_MINUTES,
      }),
      threshold: age.toSeconds(),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      // Reported only while the queue holds a message (SQS Developer Guide): no data, no backlog.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      description:
        `${who}: a failed batch has waited in ${queue.queueName} for more than ` +
        `${age.toHumanString()}. SQS deletes it when the retention period ends, and the record ` +
        'of which offsets failed goes with it: handle it now.',
    });
  }

  private broker(broker: number, metric: MskMetricName, statistic: string, period: Duration) {
    return brokerMetric(this.clusterName, broker, metric, statistic, period);
  }

  private add(spec: AlarmSpec): void {
    const alarm = new cloudwatch.Alarm(this, spec.id, {
      alarmName: `${this.clusterName}-${spec.name}`,
      alarmDescription: spec.description,
      metric: spec.metric,
      threshold: spec.threshold,
      comparisonOperator: spec.comparisonOperator,
      evaluationPeriods: spec.evaluationPeriods,
      datapointsToAlarm: spec.evaluationPeriods,
      treatMissingData: spec.treatMissingData,
    });
    alarm.addAlarmAction(this.action);
    alarm.addOkAction(this.action);
    this.alarms.push(alarm);
  }
}
