import { CfnOutput, Duration, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { AppConfig, consumerId, ConsumerConfig, isProvisioned } from './config';
import { deadLetterTopicOf, handlerFile } from './config/consumers';
import {
  EncryptedLogs,
  FailureQueueEndpoint,
  IMskCluster,
  MskConsumer,
} from '../secure-msk-constructs';
import * as kms from 'aws-cdk-lib/aws-kms';

export interface ConsumerStackProps extends StackProps {
  readonly config: AppConfig;
  readonly cluster: IMskCluster;
  /** The SCRAM secret of a user (for consumers with `auth: scram`). */
  readonly scramSecretOf: (user: string) => secretsmanager.ISecret;
  readonly vpc: ec2.IVpc;
  /** The cluster's subnets (Lambda's pollers and the SQS endpoint run there). */
  readonly vpcSubnets: ec2.SubnetSelection;
  /** Security group of the consumer functions. */
  readonly clientSecurityGroup: ec2.ISecurityGroup;
  readonly encryptionKey: kms.IKey;
  readonly logs: EncryptedLogs;
}

/**
 * The MSK-triggered Lambda consumers (`consumers`), each authenticating with SCRAM or IAM, and
 * the one SQS endpoint their failure queues share (none when every consumer has a Kafka
 * dead-letter topic instead).
 */
export class ConsumerStack extends Stack {
  public readonly consumers: ReadonlyMap<string, MskConsumer>;

  constructor(scope: Construct, id: string, props: ConsumerStackProps) {
    super(scope, id, props);
    const { config } = props;
    const endpoint = config.consumers.some((c) => deadLetterTopicOf(c) === undefined)
      ? new FailureQueueEndpoint(this, 'FailureQueueEndpoint', {
          vpc: props.vpc,
          vpcSubnets: props.vpcSubnets,
        })
      : undefined;
    const consumers = new Map<string, MskConsumer>();
    for (const c of config.consumers) {
      const consumer = this.addConsumer(c, props, endpoint);
      consumers.set(c.name, consumer);
      const prefix = consumerId(c.name);
      new CfnOutput(this, `${prefix}FunctionName`, {
        value: consumer.function.functionName,
        description: `Function of consumer ${c.name} (topic ${c.topic})`,
      });
      new CfnOutput(this, `${prefix}LogGroup`, { value: consumer.logGroupName });
      if (consumer.failureQueue) {
        new CfnOutput(this, `${prefix}FailureQueueUrl`, {
          value: consumer.failureQueue.queueUrl,
          description: `Records consumer ${c.name} could not process`,
        });
      } else {
        new CfnOutput(this, `${prefix}DeadLetterTopic`, {
          value: consumer.deadLetterTopic ?? '',
          description: `Kafka topic of the records consumer ${c.name} could not process (npm run client -- dlq show)`,
        });
      }
    }
    this.consumers = consumers;
  }

  /** The first consumer (the only one unless `consumers` lists more). */
  public get consumer(): MskConsumer {
    return [...this.consumers.values()][0];
  }

  private addConsumer(
    c: ConsumerConfig,
    props: ConsumerStackProps,
    endpoint: FailureQueueEndpoint | undefined,
  ): MskConsumer {
    return new MskConsumer(this, consumerId(c.name), {
      name: c.name,
      // The app's own handlers (under lambda/) as absolute paths; the reference handler is
      // MskConsumer's default, found in the construct library.
      entry: handlerFile(c.entry),
      cluster: props.cluster,
      authentication:
        c.auth === 'scram'
          ? { mode: 'scram', secret: props.scramSecretOf(c.scramUser) }
          : { mode: 'iam' },
      topic: c.topic,
      consumerGroup: c.group,
      startingPosition: lambda.StartingPosition[c.startingPosition],
      batchSize: c.batchSize,
      maxBatchingWindow: Duration.seconds(c.batchingWindowSeconds),
      encryptionKey: props.encryptionKey,
      logs: props.logs,
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      functionSecurityGroup: props.clientSecurityGroup,
      failureQueueEndpoint: endpoint,
      deadLetterTopic: deadLetterTopicOf(c),
      reservedConcurrency: c.reservedConcurrency,
      timeout: Duration.seconds(c.timeoutSeconds),
      memorySize: c.memoryMiB,
      logLevel: c.logLevel,
      provisionedPollers: isProvisioned(c)
        ? { minimum: c.minPollers, maximum: c.maxPollers }
        : undefined,
      retryAttempts: c.retryAttempts,
      maxRecordAge:
        c.maxRecordAgeSeconds === undefined ? undefined : Duration.seconds(c.maxRecordAgeSeconds),
      bisectBatchOnError: c.bisectBatchOnError,
      reportBatchItemFailures: c.reportBatchItemFailures,
      removalPolicy: props.config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
  }
}
