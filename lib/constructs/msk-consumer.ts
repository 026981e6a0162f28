import { Aws, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledge } from '../compliance';
import { HTTPS_PORT } from './kafka-ports';
import { PlatformKey } from './platform-key';
import { grantOnAllResources, SecureFunction } from './secure-function';
import { SecureMskCluster } from './secure-msk-cluster';

/** How the event source mapping authenticates to the cluster. */
export type ConsumerAuthentication =
  { readonly mode: 'scram'; readonly secret: secretsmanager.ISecret } | { readonly mode: 'iam' };

export interface MskConsumerProps {
  readonly cluster: SecureMskCluster;
  readonly authentication: ConsumerAuthentication;
  readonly topic: string;
  readonly consumerGroup: string;
  readonly startingPosition: lambda.StartingPosition;
  readonly batchSize: number;
  readonly maxBatchingWindow: Duration;
  readonly platformKey: PlatformKey;
  readonly vpc: ec2.IVpc;
  readonly vpcSubnets: ec2.SubnetSelection;
  /** Security group of the function (the clients group). */
  readonly functionSecurityGroup: ec2.ISecurityGroup;
  /** Security group of the cluster: Lambda's pollers use it, so the SQS endpoint must admit it. */
  readonly clusterSecurityGroup: ec2.ISecurityGroup;
  /**
   * Reserved concurrency; 0 leaves the function unreserved.
   */
  readonly reservedConcurrency: number;
  readonly timeout: Duration;
  readonly memorySize: number;
  readonly logLevel: string;
  /**
   * Provisioned-mode pollers.
   *
   * @default - on-demand mode
   */
  readonly provisionedPollers?: { readonly minimum: number; readonly maximum: number };
  /** @default - Lambda's default (infinite, capped at 10 with a destination) */
  readonly retryAttempts?: number;
  /** @default - Lambda's default (infinite) */
  readonly maxRecordAge?: Duration;
  /** @default false */
  readonly bisectBatchOnError?: boolean;
  /** @default false */
  readonly reportBatchItemFailures?: boolean;
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
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
 * The MSK-triggered Lambda consumer: the function (`lambda/consumer`), its event source mapping
 * (SCRAM or IAM), an encrypted SQS on-failure destination with the interface endpoint AWS
 * requires for it in the cluster's VPC, and exactly the permissions the mapping needs.
 *
 * Built on `lambda.EventSourceMapping` rather than `ManagedKafkaEventSource`, which attaches
 * the AWS-managed `AWSLambdaMSKExecutionRole` (all actions on `*`).
 */
export class MskConsumer extends Construct {
  public readonly function: lambda.IFunction;
  public readonly role: iam.IRole;
  public readonly failureQueue: sqs.Queue;
  public readonly eventSourceMapping: lambda.EventSourceMapping;
  public readonly sqsEndpoint: ec2.InterfaceVpcEndpoint;

  constructor(scope: Construct, id: string, props: MskConsumerProps) {
    super(scope, id);
    const { cluster, platformKey } = props;
    const reportBatchItemFailures = props.reportBatchItemFailures ?? false;

    const fn = new SecureFunction(this, 'Handler', {
      entry: 'consumer/index.ts',
      description: `MSK consumer of topic ${props.topic} (msk-secure-stack)`,
      platformKey,
      logGroupName: 'lambda/consumer',
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      securityGroups: [props.functionSecurityGroup],
      timeout: props.timeout,
      memorySize: props.memorySize,
      reservedConcurrentExecutions:
        props.reservedConcurrency > 0 ? props.reservedConcurrency : undefined,
      unreservedReason:
        'consumerReservedConcurrency=0: an account with the default concurrency quota of 10 cannot ' +
        'reserve any; concurrency is bounded by the topic partitions (one invocation per partition).',
      noDeadLetterQueueReason:
        'Invoked synchronously by the MSK event source mapping; records that keep failing go to the ' +
        "mapping's on-failure SQS destination (failureQueue), not to a function DLQ.",
      environment: {
        POWERTOOLS_SERVICE_NAME: 'msk-consumer',
        POWERTOOLS_LOG_LEVEL: props.logLevel,
        POWERTOOLS_METRICS_NAMESPACE: 'MskSecureStack',
        REPORT_BATCH_ITEM_FAILURES: String(reportBatchItemFailures),
      },
      additionalVpcActions: ESM_NETWORK_ACTIONS,
    });
    this.function = fn.function;
    this.role = fn.role;

    fn.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'EventSourceMappingCluster',
        actions: ESM_CLUSTER_ACTIONS,
        resources: [cluster.clusterArn],
      }),
    );
    grantOnAllResources(fn.role, 'EventSourceMappingBrokers', ESM_UNSCOPED_ACTIONS);
    const sourceAccessConfigurations = this.grantClusterAccess(fn.role, props);

    this.failureQueue = new sqs.Queue(this, 'FailureQueue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: platformKey.key,
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
      this.failureQueue,
      ['AwsSolutions-SQS3'],
      'This queue is the dead-letter (on-failure) destination of the MSK event source mapping; ' +
        'a dead-letter queue of a dead-letter queue would only move the same records again.',
    );
    // Exactly what Lambda needs to send to a KMS-encrypted queue (with-msk-on-failure).
    fn.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'FailureDestination',
        actions: ['sqs:SendMessage'],
        resources: [this.failureQueue.queueArn],
      }),
    );
    // Only through SQS: without kms:ViaService the role could use the shared key directly.
    fn.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'FailureDestinationKey',
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: [platformKey.key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `sqs.${Aws.REGION}.amazonaws.com` } },
      }),
    );
    this.sqsEndpoint = this.addSqsEndpoint(props);

    this.eventSourceMapping = new lambda.EventSourceMapping(this, 'EventSourceMapping', {
      target: fn.function,
      eventSourceArn: cluster.clusterArn,
      kafkaTopic: props.topic,
      kafkaConsumerGroupId: props.consumerGroup,
      startingPosition: props.startingPosition,
      batchSize: props.batchSize,
      maxBatchingWindow: props.maxBatchingWindow,
      sourceAccessConfigurations,
      // Our own binding: SqsDlq would also grant kms:ReEncrypt* / GenerateDataKey* wildcards.
      onFailure: { bind: () => ({ destination: this.failureQueue.queueArn }) },
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
    });
    // The mapping validates its permissions when it is created.
    this.eventSourceMapping.node.addDependency(fn.role);
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
        resources: [props.platformKey.key.keyArn],
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

  /** AWS requires an endpoint for the on-failure destination's service in the cluster's VPC. */
  private addSqsEndpoint(props: MskConsumerProps): ec2.InterfaceVpcEndpoint {
    const endpointGroup = new ec2.SecurityGroup(this, 'SqsEndpointSecurityGroup', {
      vpc: props.vpc,
      description:
        'SQS interface endpoint: HTTPS from Lambda MSK pollers (cluster group) and clients',
      allowAllOutbound: false,
    });
    endpointGroup.addIngressRule(
      props.clusterSecurityGroup,
      ec2.Port.tcp(HTTPS_PORT),
      'HTTPS from Lambda MSK pollers',
    );
    endpointGroup.addIngressRule(
      props.functionSecurityGroup,
      ec2.Port.tcp(HTTPS_PORT),
      'HTTPS from Kafka clients',
    );
    return new ec2.InterfaceVpcEndpoint(this, 'SqsEndpoint', {
      vpc: props.vpc,
      service: ec2.InterfaceVpcEndpointAwsService.SQS,
      subnets: props.vpcSubnets,
      securityGroups: [endpointGroup],
      privateDnsEnabled: true,
      open: false,
    });
  }
}
