/**
 * The CloudWatch metrics that `PlatformAlarms` and `PlatformDashboard` read, in one place, each
 * with the AWS page that names it. Built from construct props only (no app config).
 *
 * MSK (namespace `AWS/Kafka`): Amazon MSK Developer Guide, "Amazon MSK metrics for monitoring
 * Standard brokers with CloudWatch" (metrics-details), DEFAULT level table: every metric below is
 * published at DEFAULT, per broker with the dimensions `Cluster Name` + `Broker ID` or per cluster
 * with `Cluster Name` alone (both names contain a space). Broker IDs are the integers 1..N
 * (aws/agent-toolkit-for-aws, managing-amazon-msk skill, monitor-and-alarm.md, "CloudWatch
 * Dimension Reference": `Broker ID` = "Integer string", `1`, `2`, `3`).
 *
 * Lambda (namespace `AWS/Lambda`, dimension `FunctionName`): Lambda Developer Guide, "Working with
 * Lambda function metrics" (monitoring-metrics): `Invocations`, `Errors`, `Throttles` are
 * invocation metrics (Sum), `Duration` and `OffsetLag` are performance metrics of the function,
 * viewed "By Function Name (FunctionName)". `OffsetLag`: "For self-managed Apache Kafka and
 * Amazon MSK event sources, the difference in offset between the last record written to a topic
 * and the last record that your Lambda function processed ... at the topic level". Whether it also
 * carries `EventSourceMappingUUID` (the current guide lets the console filter by it) is
 * unverified; `FunctionName` alone aggregates every mapping of the function, so the alarm uses
 * `Maximum` (the worst topic).
 *
 * Event source mapping metrics (namespace `AWS/Lambda`, dimension `EventSourceMappingUUID`; the
 * mapping's `MetricsConfig` turns them on, CloudFormation "AWS::Lambda::EventSourceMapping
 * MetricsConfig"): `EventCount` gives `OnFailureDestinationDeliveredEventCount` (records sent to
 * the on-failure destination), `DroppedEventCount` and others; `ErrorCount` gives
 * `OnFailureDestinationDeliveryErrorCount`; `KafkaMetrics` gives `MaxOffsetLag` and
 * `SumOffsetLag`. Which dimension sets each is published under is undocumented: these read the
 * metric by `EventSourceMappingUUID` alone, which is unverified (an alarm on a dimension set
 * Lambda does not publish would stay INSUFFICIENT_DATA, shown on the dashboard).
 *
 * SQS (namespace `AWS/SQS`, dimension `QueueName`): Amazon SQS Developer Guide, "Available
 * CloudWatch metrics for Amazon SQS": metrics have non-negative values only while the queue is
 * active; `ApproximateAgeOfOldestMessage` is reported only while the queue holds a message.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { CLUSTER_NAME, CONSUMER_LABEL } from '../model/rules';

export const MSK_NAMESPACE = 'AWS/Kafka';
/** Dimension names exactly as MSK publishes them (metrics-details, "Dimensions" column). */
export const CLUSTER_NAME_DIMENSION = 'Cluster Name';
export const BROKER_ID_DIMENSION = 'Broker ID';

/** MSK enhanced monitoring levels, lowest first (the same strings as `AWS::MSK::Cluster`). */
export const MONITORING_LEVELS = [
  'DEFAULT',
  'PER_BROKER',
  'PER_TOPIC_PER_BROKER',
  'PER_TOPIC_PER_PARTITION',
] as const;
export type MskMonitoringLevel = (typeof MONITORING_LEVELS)[number];

/**
 * The MSK metrics these constructs read and the lowest monitoring level that publishes each
 * (metrics-details: all are in the DEFAULT table). A metric added here at a higher level makes
 * `PlatformAlarms` throw for a cluster below it, instead of creating an alarm that never sees data.
 */
export const MSK_METRIC_LEVELS = {
  KafkaDataLogsDiskUsed: 'DEFAULT',
  CpuUser: 'DEFAULT',
  CpuSystem: 'DEFAULT',
  CPUCreditBalance: 'DEFAULT',
  OfflinePartitionsCount: 'DEFAULT',
  ActiveControllerCount: 'DEFAULT',
  UnderReplicatedPartitions: 'DEFAULT',
  // "This metric is available per broker and also per topic"; per broker at DEFAULT.
  BytesInPerSec: 'DEFAULT',
  BytesOutPerSec: 'DEFAULT',
} as const satisfies Record<string, MskMonitoringLevel>;
export type MskMetricName = keyof typeof MSK_METRIC_LEVELS;

/** The MSK cluster the metrics describe. */
export interface MskMetricsTarget {
  /** MSK cluster name (the `Cluster Name` dimension). */
  readonly clusterName: string;
  /** Brokers in the cluster; their `Broker ID`s are 1..brokerCount. */
  readonly brokerCount: number;
}

/** One Lambda consumer of the cluster. */
export interface ConsumerMetricsTarget {
  /**
   * Short name used in alarm names, construct ids and widget titles: letters, digits and hyphens.
   *
   * @default `consumer-<n>`, n = position in the list, from 1
   */
  readonly name?: string;
  /** The function the Kafka event source mapping invokes. */
  readonly function: lambda.IFunction;
  /**
   * The mapping's on-failure destination queue.
   *
   * @default - no queue alarms or widget
   */
  readonly failureQueue?: sqs.IQueue;
  /**
   * The mapping's Kafka on-failure destination: its topic (for descriptions) and the mapping's
   * UUID (`EventSourceMapping.eventSourceMappingId`), the dimension of its metrics.
   *
   * @default - no dead-letter alarm or widget
   */
  readonly deadLetter?: { readonly topic: string; readonly eventSourceMappingId: string };
  /**
   * Topic the function consumes, for titles only.
   *
   * @default - not shown
   */
  readonly topic?: string;
}

/** A consumer with its resolved name. */
export interface NamedConsumer extends ConsumerMetricsTarget {
  readonly name: string;
}

/** Broker IDs 1..brokerCount. */
export function brokerIds(brokerCount: number): number[] {
  return Array.from({ length: brokerCount }, (_, i) => i + 1);
}

/**
 * A per-broker MSK metric (`Cluster Name` + `Broker ID`). No label: an alarm on a labelled metric
 * is rendered as a one-metric math query; graphs add their labels.
 */
export function brokerMetric(
  clusterName: string,
  brokerId: number,
  metricName: MskMetricName,
  statistic: string,
  period: Duration,
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: MSK_NAMESPACE,
    metricName,
    dimensionsMap: {
      [CLUSTER_NAME_DIMENSION]: clusterName,
      [BROKER_ID_DIMENSION]: String(brokerId),
    },
    statistic,
    period,
  });
}

/** A per-cluster MSK metric (`Cluster Name` only). */
export function clusterMetric(
  clusterName: string,
  metricName: MskMetricName,
  statistic: string,
  period: Duration,
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: MSK_NAMESPACE,
    metricName,
    dimensionsMap: { [CLUSTER_NAME_DIMENSION]: clusterName },
    statistic,
    period,
  });
}

/**
 * Broker CPU in use, percent: `CpuUser + CpuSystem` (both "the percentage of CPU in user/kernel
 * space", metrics-details), the sum AWS recommends to watch (managing-amazon-msk skill,
 * "Use metric math for composite CPU alarm: m1 + m2").
 */
export function brokerCpu(clusterName: string, brokerId: number, period: Duration) {
  // Ids carry the broker: one graph may hold every broker's expression, and ids must be unique.
  return new cloudwatch.MathExpression({
    expression: `cpuUser${brokerId} + cpuSystem${brokerId}`,
    usingMetrics: {
      [`cpuUser${brokerId}`]: brokerMetric(clusterName, brokerId, 'CpuUser', 'Average', period),
      [`cpuSystem${brokerId}`]: brokerMetric(clusterName, brokerId, 'CpuSystem', 'Average', period),
    },
    period,
    label: `broker ${brokerId}`,
  });
}

/**
 * KRaft metadata mode: MSK names those versions `<x.y.z>.kraft` (MSK Developer Guide, "KRaft
 * mode": "use 3.7.x.kraft as the version"); Apache Kafka 4.0 removed ZooKeeper, so 4.x and later
 * are KRaft too.
 */
export function isKraft(kafkaVersion: string): boolean {
  return kafkaVersion.endsWith('.kraft') || Number(kafkaVersion.split('.')[0]) >= 4;
}

/** Burstable brokers: the only ones that report `CPUCreditBalance` meaningfully. */
export function isT3(instanceType: string): boolean {
  return instanceType.startsWith('kafka.t3.');
}

/**
 * Express brokers do not publish `UnderReplicatedPartitions`, `OfflinePartitionsCount` or
 * `KafkaDataLogsDiskUsed` (managing-amazon-msk skill, monitor-and-alarm.md, "Key metrics NOT
 * available on Express (do not alarm on these for Express clusters)").
 */
export function isExpress(instanceType: string): boolean {
  return instanceType.startsWith('express.');
}

/** The function's `OffsetLag` (records behind, topic level), worst topic of the period. */
export function offsetLagMetric(fn: lambda.IFunction, period: Duration): cloudwatch.Metric {
  return fn.metric('OffsetLag', { statistic: 'Maximum', period });
}

export const LAMBDA_NAMESPACE = 'AWS/Lambda';
export const EVENT_SOURCE_MAPPING_DIMENSION = 'EventSourceMappingUUID';

/** A Sum of one of an event source mapping's own metrics (its `MetricsConfig`), per period. */
function mappingMetric(metricName: string, eventSourceMappingId: string, period: Duration) {
  return new cloudwatch.Metric({
    namespace: LAMBDA_NAMESPACE,
    metricName,
    dimensionsMap: { [EVENT_SOURCE_MAPPING_DIMENSION]: eventSourceMappingId },
    statistic: 'Sum',
    period,
  });
}

/** Records the mapping sent to its on-failure destination (`EventCount` metrics), per period. */
export const deadLetteredMetric = (eventSourceMappingId: string, period: Duration) =>
  mappingMetric('OnFailureDestinationDeliveredEventCount', eventSourceMappingId, period);

/**
 * Records the mapping could not deliver to its on-failure destination (`ErrorCount` metrics):
 * Lambda counts them as dropped (Lambda Developer Guide, "Types of metrics for Lambda
 * functions": a failed delivery adds the events to DroppedEventCount).
 */
export const deadLetterFailedMetric = (eventSourceMappingId: string, period: Duration) =>
  mappingMetric('OnFailureDestinationDeliveryErrorCount', eventSourceMappingId, period);

// ---------------------------------------------------------------------------------------------
// Validation shared by the two constructs: every message names the prop and the value.

/** Problems with the cluster props, as `prop: message` lines. */
export function mskTargetProblems(props: MskMetricsTarget): string[] {
  const problems: string[] = [];
  if (!CLUSTER_NAME.test(props.clusterName)) {
    problems.push(`clusterName "${props.clusterName}" must be ${CLUSTER_NAME.allowed}`);
  }
  if (!Number.isInteger(props.brokerCount) || props.brokerCount < 1) {
    problems.push(`brokerCount ${props.brokerCount} must be a whole number of brokers, at least 1`);
  }
  return problems;
}

/** Consumers with their names (defaulted and checked: the pattern, and unique). */
export function nameConsumers(
  consumers: readonly ConsumerMetricsTarget[],
  problems: string[],
): NamedConsumer[] {
  const seen = new Set<string>();
  return consumers.map((consumer, i) => {
    const name = consumer.name ?? `consumer-${i + 1}`;
    if (!CONSUMER_LABEL.test(name)) {
      problems.push(`consumers[${i}].name "${name}" must be ${CONSUMER_LABEL.allowed}`);
    } else if (seen.has(name)) {
      problems.push(`consumers[${i}].name "${name}" is used twice; names must be unique`);
    }
    seen.add(name);
    return { ...consumer, name };
  });
}

/** Throws one error listing every problem, prefixed with the construct's name. */
export function throwIfProblems(owner: string, problems: readonly string[]): void {
  if (problems.length > 0) {
    throw new Error(`${owner}: ${problems.join('; ')}`);
  }
}

/** Construct-id form of a name: `consumer-1` → `Consumer1`. */
export function pascal(name: string): string {
  return name
    .split(/[^a-zA-Z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0].toUpperCase() + part.slice(1))
    .join('');
}
