import { Aws, Duration, RemovalPolicy, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { KafkaDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  CONSUMER_GROUP,
  CONSUMER_NAME,
  DEAD_LETTER_TOPIC,
  MSK_EVENT_SOURCE_LIMITS,
  Rule,
  TOPIC_NAME,
} from '../model/rules';
import { acknowledge } from './acknowledge';
import { FailureQueueEndpoint } from './failure-queue-endpoint';
import { FunctionEncryptionProps, grantOnAllResources, SecureFunction } from './secure-function';
import { IMskCluster } from './secure-msk-cluster';

/** How the event source mapping authenticates to the cluster. */
export type ConsumerAuthentication =
  { readonly mode: 'scram'; readonly secret: secretsmanager.ISecret } | { readonly mode: 'iam' };

export interface MskConsumerProps extends FunctionEncryptionProps {
  /**
   * Name of the consumer: its log group `<prefix>lambda/<name>`, its Powertools service name and
   * its resources' descriptions. Lower-case letters, digits and hyphens.
   */
  readonly name: string;
  readonly cluster: IMskCluster;
  readonly authentication: ConsumerAuthentication;
  readonly topic: string;
  readonly consumerGroup: string;
  /**
   * The handler (exporting `handler`): absolute, or relative to this library's `handlers/`.
   *
   * @default 'consumer/index.ts' - the template consumer
   */
  readonly entry?: string;
  /** @default lambda.StartingPosition.LATEST */
  readonly startingPosition?: lambda.StartingPosition;
  /** Records per invocation, 1–10000. @default 100 */
  readonly batchSize?: number;
  /** At most 5 minutes. @default Duration.seconds(1) */
  readonly maxBatchingWindow?: Duration;
  readonly vpc: ec2.IVpc;
  readonly vpcSubnets: ec2.SubnetSelection;
  /** Security group of the function (the clients group). */
  readonly functionSecurityGroup: ec2.ISecurityGroup;
  /**
   * A Kafka dead-letter topic as the on-failure destination (`kafka://<topic>`) instead of the
   * SQS failure queue: Lambda writes each record it gave up on, whole, to this topic of the same
   * cluster. Needs `provisionedPollers` ("Provisioned mode required – A Kafka on-failure
   * destination is only available for event source mappings with provisioned mode enabled",
   * Lambda Developer Guide, "Using a Kafka topic as an on-failure destination"); "Same cluster
   * only – The destination topic must exist in the same Kafka cluster as your source topics",
   * and it must not be `topic`. With IAM the role gets `kafka-cluster:WriteData` (with
   * `DescribeTopic` and `Connect`) on it; with SCRAM the user needs WRITE and DESCRIBE ACLs on it
   * (`lambdaConsumerBindings`' `deadLetterTopic`, not made here). No queue, no SQS endpoint.
   *
   * @default - the SQS failure queue
   */
  readonly deadLetterTopic?: string;
  /**
   * The SQS endpoint the on-failure queue needs in the cluster's VPC; share one among
   * the consumers of a VPC. Unused with `deadLetterTopic`.
   *
   * @default - a new endpoint (only one per VPC can exist: give it for a second consumer)
   */
  readonly failureQueueEndpoint?: FailureQueueEndpoint;
  /**
   * Reserved concurrency; 0 leaves the function unreserved.
   *
   * @default 0
   */
  readonly reservedConcurrency?: number;
  /** At most 14 minutes (MSK event sources). @default Duration.minutes(1) */
  readonly timeout?: Duration;
  /** @default 512 */
  readonly memorySize?: number;
  /** @default 'INFO' */
  readonly logLevel?: string;
  /**
   * Provisioned-mode pollers.
   *
   * @default - on-demand mode
   */
  readonly provisionedPollers?: { readonly minimum: number; readonly maximum: number };
  /** Provisioned mode only. @default - Lambda's default (infinite, capped at 10 with a destination) */
  readonly retryAttempts?: number;
  /** Provisioned mode only. @default - Lambda's default (infinite) */
  readonly maxRecordAge?: Duration;
  /** Provisioned mode only. @default false */
  readonly bisectBatchOnError?: boolean;
  /** Provisioned mode only. @default false */
  readonly reportBatchItemFailures?: boolean;
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The event source mapping's own metrics (CloudFormation `AWS::Lambda::EventSourceMapping`
 * `MetricsConfig`): `EventCount` (e.g. `OnFailureDestinationDeliveredEventCount`,
 * `DroppedEventCount`), `ErrorCount` (e.g. `OnFailureDestinationDeliveryErrorCount`) and
 * `KafkaMetrics` (`MaxOffsetLag`, `SumOffsetLag`), in `AWS/Lambda` by `EventSourceMappingUUID`.
 */
const MAPPING_METRICS = [
  lambda.MetricType.EVENT_COUNT,
  lambda.MetricType.ERROR_COUNT,
  lambda.MetricType.KAFKA_METRICS,
];

const LIMITS = MSK_EVENT_SOURCE_LIMITS;

/**
 * A topic name cut to fit the function's description: Lambda takes at most 256 characters
 * (CloudFormation `AWS::Lambda::Function` `Description`), a Kafka topic name up to 249.
 */
const shortened = (topic: string, max = 150): string =>
  topic.length <= max ? topic : `${topic.slice(0, max - 1)}…`;

/** Checks the props before anything is created; the message names the prop and the value. */
function validate(props: MskConsumerProps): void {
  const fail = (prop: string, value: unknown, allowed: string) => {
    throw new Error(`MskConsumer ${props.name}: ${prop} = ${JSON.stringify(value)}: ${allowed}`);
  };
  const rules: [keyof MskConsumerProps, Rule][] = [
    ['name', CONSUMER_NAME],
    ['topic', TOPIC_NAME],
    ['consumerGroup', CONSUMER_GROUP],
  ];
  for (const [prop, rule] of rules) {
    // A token (e.g. a topic name from another construct) is checked where it is resolved.
    const value = props[prop];
    if (!Token.isUnresolved(value) && !rule.test(value)) {
      fail(prop, value, `must be ${rule.allowed}`);
    }
  }
  const batchSize = props.batchSize ?? 100;
  const { min, max } = LIMITS.batchSize;
  if (!Number.isInteger(batchSize) || batchSize < min || batchSize > max) {
    fail('batchSize', batchSize, `must be an integer from ${min} to ${max}`);
  }
  if (props.timeout && props.timeout.toSeconds() > LIMITS.timeoutSeconds.max) {
    fail(
      'timeout',
      `${props.timeout.toSeconds()} s`,
      `must be at most ${Duration.seconds(LIMITS.timeoutSeconds.max).toMinutes()} minutes for an MSK event source`,
    );
  }
  const window = LIMITS.batchingWindowSeconds.max;
  if (props.maxBatchingWindow && props.maxBatchingWindow.toSeconds() > window) {
    fail(
      'maxBatchingWindow',
      `${props.maxBatchingWindow.toSeconds()} s`,
      `must be at most ${window} s`,
    );
  }
  const dlt = props.deadLetterTopic;
  if (dlt !== undefined) {
    if (!Token.isUnresolved(dlt) && !DEAD_LETTER_TOPIC.test(dlt)) {
      fail('deadLetterTopic', dlt, `must be ${DEAD_LETTER_TOPIC.allowed}`);
    }
    if (dlt === props.topic) {
      fail('deadLetterTopic', dlt, 'must not be the topic the consumer reads (Lambda refuses it)');
    }
    if (!props.provisionedPollers) {
      fail(
        'deadLetterTopic',
        dlt,
        'needs provisionedPollers: "Provisioned mode required – A Kafka on-failure destination ' +
          'is only available for event source mappings with provisioned mode enabled"',
      );
    }
  }
  if (!props.provisionedPollers) {
    for (const prop of [
      'retryAttempts',
      'maxRecordAge',
      'bisectBatchOnError',
      'reportBatchItemFailures',
    ] as const) {
      if (props[prop] !== undefined) {
        fail(
          prop,
          props[prop] instanceof Duration ? `${props[prop].toSeconds()} s` : props[prop],
          'needs provisionedPollers: Lambda offers Kafka error-handling controls only in provisioned mode',
        );
      }
    }
  }
}

/**
 * Actions the event source mapping needs on the function's role (Lambda Developer Guide,
 * with-msk-permissions): DescribeClusterV2 on the cluster; GetBootstrapBrokers has no resource
 * type (Service Authorization Reference, Amazon MSK), so only `*` allows it.
 */
const ESM_CLUSTER_ACTIONS = ['kafka:DescribeClusterV2'];
const ESM_UNSCOPED_ACTIONS = ['kafka:GetBootstrapBrokers'];
const ESM_NETWORK_ACTIONS = [
  'ec2:DescribeVpcs',
  'ec2:DescribeSubnets',
  'ec2:DescribeSecurityGroups',
];

/**
 * The MSK-triggered Lambda consumer: the function (`handlers/consumer`), its event source mapping
 * (SCRAM or IAM, with its own metrics on), an on-failure destination — an encrypted SQS queue
 * with the interface endpoint AWS requires for it in the cluster's VPC, or a Kafka dead-letter
 * topic on the same cluster — and exactly the permissions the mapping needs.
 *
 * Built on `lambda.EventSourceMapping` rather than `ManagedKafkaEventSource`, which attaches
 * the AWS-managed `AWSLambdaMSKExecutionRole` (all actions on `*`).
 */
export class MskConsumer extends Construct {
  public readonly function: lambda.IFunction;
  public readonly role: iam.IRole;
  public readonly logGroupName: string;
  /** The SQS on-failure destination (none with a dead-letter topic). */
  public readonly failureQueue?: sqs.Queue;
  /** The Kafka on-failure destination, if the consumer has one. */
  public readonly deadLetterTopic?: string;
  public readonly eventSourceMapping: lambda.EventSourceMapping;
  /** The SQS endpoint the failure queue uses (none with a dead-letter topic). */
  public readonly failureQueueEndpoint?: FailureQueueEndpoint;

  constructor(scope: Construct, id: string, props: MskConsumerProps) {
    super(scope, id);
    validate(props);
    const { cluster } = props;
    const reportBatchItemFailures = props.reportBatchItemFailures ?? false;
    const reservedConcurrency = props.reservedConcurrency ?? 0;

    const fn = new SecureFunction(this, 'Handler', {
      entry: props.entry ?? 'consumer/index.ts',
      description: `MSK consumer ${props.name} of topic ${shortened(props.topic)} (msk-secure-stack)`,
      encryptionKey: props.encryptionKey,
      logs: props.logs,
      logGroupName: `lambda/${props.name}`,
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      securityGroups: [props.functionSecurityGroup],
      timeout: props.timeout ?? Duration.minutes(1),
      memorySize: props.memorySize ?? 512,
      reservedConcurrentExecutions: reservedConcurrency > 0 ? reservedConcurrency : undefined,
      unreservedReason:
        'reservedConcurrency=0: an account with the default concurrency quota of 10 cannot ' +
        'reserve any; concurrency is bounded by the topic partitions (one invocation per partition).',
      noDeadLetterQueueReason:
        props.deadLetterTopic === undefined
          ? 'Invoked synchronously by the MSK event source mapping; records that keep failing go to the ' +
            "mapping's on-failure SQS destination (failureQueue), not to a function DLQ."
          : 'Invoked synchronously by the MSK event source mapping; records that keep failing go to the ' +
            `mapping's on-failure Kafka destination (dead-letter topic ${props.deadLetterTopic}), not to a function DLQ.`,
      environment: {
        // The handler's contract (handlers/consumer/index.ts, handlers/shared/*): same names.
        POWERTOOLS_SERVICE_NAME: props.name,
        POWERTOOLS_LOG_LEVEL: props.logLevel ?? 'INFO',
        POWERTOOLS_METRICS_NAMESPACE: 'MskSecureStack',
        REPORT_BATCH_ITEM_FAILURES: String(reportBatchItemFailures),
      },
      additionalVpcActions: ESM_NETWORK_ACTIONS,
    });
    this.function = fn.function;
    this.role = fn.role;
    this.logGroupName = `${props.logs.logGroupNamePrefix}lambda/${props.name}`;

    fn.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'EventSourceMappingCluster',
        actions: ESM_CLUSTER_ACTIONS,
        resources: [cluster.clusterArn],
      }),
    );
    grantOnAllResources(fn.role, 'EventSourceMappingBrokers', ESM_UNSCOPED_ACTIONS);
    const sourceAccessConfigurations = this.grantClusterAccess(fn.role, props);

    let onFailure: lambda.IEventSourceDlq;
    if (props.deadLetterTopic !== undefined) {
      this.deadLetterTopic = props.deadLetterTopic;
      onFailure = this.useDeadLetterTopic(fn.role, props, props.deadLetterTopic);
    } else {
      const { queue, endpoint } = this.createFailureQueue(fn.role, props);
      this.failureQueue = queue;
      this.failureQueueEndpoint = endpoint;
      // Our own binding: SqsDlq would also grant kms:ReEncrypt* / GenerateDataKey* wildcards.
      onFailure = { bind: () => ({ destination: queue.queueArn }) };
    }

    this.eventSourceMapping = new lambda.EventSourceMapping(this, 'EventSourceMapping', {
      target: fn.function,
      eventSourceArn: cluster.clusterArn,
      kafkaTopic: props.topic,
      kafkaConsumerGroupId: props.consumerGroup,
      startingPosition: props.startingPosition ?? lambda.StartingPosition.LATEST,
      batchSize: props.batchSize ?? 100,
      maxBatchingWindow: props.maxBatchingWindow ?? Duration.seconds(1),
      sourceAccessConfigurations,
      onFailure,
      provisionedPollerConfig: props.provisionedPollers
        ? {
            minimumPollers: props.provisionedPollers.minimum,
            maximumPollers: props.provisionedPollers.maximum,
          }
        : undefined,
      retryAttempts: props.retryAttempts,
      maxRecordAge: props.maxRecordAge,
      bisectBatchOnError: props.bisectBatchOnError,
      reportBatchItemFailures: props.reportBatchItemFailures,
      metricsConfig: { metrics: MAPPING_METRICS },
    });
    // The mapping validates its permissions when it is created.
    this.eventSourceMapping.node.addDependency(fn.role);
  }

  /**
   * The encrypted SQS on-failure queue, Lambda's permission to send to it, and the SQS endpoint
   * (the given one or a new one) admitting the pollers and the function.
   */
  private createFailureQueue(
    role: iam.IRole,
    props: MskConsumerProps,
  ): { queue: sqs.Queue; endpoint: FailureQueueEndpoint } {
    const { cluster } = props;
    const queue = new sqs.Queue(this, 'FailureQueue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.encryptionKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      // Marks the queue as a dead-letter queue (Control Tower CT.SQS.PR.1 accepts a queue with a
      // redrive policy or one that declares itself a DLQ). `allowAll` is SQS's default
      // (Amazon SQS Developer Guide, "Dead-letter queue redrive": RedriveAllowPolicy), so this
      // states today's behaviour rather than widening it; `byQueue` needs source queues, and
      // this queue's only source is the event source mapping.
      redriveAllowPolicy: { redrivePermission: sqs.RedrivePermission.ALLOW_ALL },
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    acknowledge(
      queue,
      ['AwsSolutions-SQS3'],
      'This queue is the dead-letter (on-failure) destination of the MSK event source mapping; ' +
        'a dead-letter queue of a dead-letter queue would only move the same records again.',
    );
    // Exactly what Lambda needs to send to a KMS-encrypted queue (with-msk-on-failure).
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'FailureDestination',
        actions: ['sqs:SendMessage'],
        resources: [queue.queueArn],
      }),
    );
    // Only through SQS: without kms:ViaService the role could use the shared key directly.
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'FailureDestinationKey',
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: [props.encryptionKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `sqs.${Aws.REGION}.amazonaws.com` } },
      }),
    );
    const endpoint =
      props.failureQueueEndpoint ??
      new FailureQueueEndpoint(this, 'SqsEndpoint', {
        vpc: props.vpc,
        vpcSubnets: props.vpcSubnets,
      });
    for (const group of cluster.connections.securityGroups) {
      endpoint.allowFrom(group, 'HTTPS from Lambda MSK pollers');
    }
    endpoint.allowFrom(props.functionSecurityGroup, 'HTTPS from Kafka clients');
    return { queue, endpoint };
  }

  /**
   * The Kafka on-failure destination `kafka://<topic>` (Lambda Developer Guide, "Using a Kafka
   * topic as an on-failure destination"). With IAM the role gets `kafka-cluster:WriteData`
   * ("Capturing discarded batches…": "For a Kafka destination: kafka-cluster:WriteData"), which
   * needs `Connect` and `DescribeTopic` (MSK's action table); whether Lambda's writer is
   * idempotent (it would need `WriteDataIdempotently`) is undocumented, so that is not granted.
   * With SCRAM the WRITE and DESCRIBE ACLs come from the Cluster stack (`platformAclBindings`).
   * "When you configure both infinite retries and an on-failure destination, Lambda
   * automatically applies a maximum of 10 retry attempts." No VPC endpoint: the destination is
   * the cluster the pollers already read from (AWS's endpoint requirement names SQS, SNS and
   * S3; that none is needed for Kafka is unverified).
   */
  private useDeadLetterTopic(
    role: iam.IRole,
    props: MskConsumerProps,
    topic: string,
  ): lambda.IEventSourceDlq {
    if (props.authentication.mode === 'iam') {
      props.cluster.access.grantProduce(role, topic, { idempotent: false });
    }
    return new KafkaDlq(topic);
  }

  private grantClusterAccess(
    role: iam.IRole,
    props: MskConsumerProps,
  ): lambda.SourceAccessConfiguration[] | undefined {
    const auth = props.authentication;
    if (auth.mode === 'iam') {
      // With IAM enabled on the cluster and no secret, the mapping authenticates with the role.
      props.cluster.access.grantConsume(role, props.topic, props.consumerGroup);
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'EventSourceMappingIamAuth',
          actions: ['kafka-cluster:DescribeClusterDynamicConfiguration'],
          resources: [props.cluster.clusterArn],
        }),
      );
      return undefined;
    }
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ScramSecretList',
        actions: ['kafka:ListScramSecrets'],
        resources: [props.cluster.clusterArn],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ScramSecretRead',
        actions: ['secretsmanager:GetSecretValue'],
        resources: [auth.secret.secretArn],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ScramSecretDecrypt',
        actions: ['kms:Decrypt'],
        resources: [auth.secret.encryptionKey?.keyArn ?? props.encryptionKey.keyArn],
        conditions: { StringLike: { 'kms:ViaService': 'secretsmanager.*.amazonaws.com' } },
      }),
    );
    return [
      {
        type: lambda.SourceAccessConfigurationType.SASL_SCRAM_512_AUTH,
        uri: auth.secret.secretArn,
      },
    ];
  }
}
