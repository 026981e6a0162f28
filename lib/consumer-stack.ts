import { CfnOutput, Duration, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { AppConfig, isProvisioned } from './config';
import { ClusterStack } from './cluster-stack';
import { MskConsumer } from './constructs/msk-consumer';
import { NetworkStack } from './network-stack';

export interface ConsumerStackProps extends StackProps {
  readonly config: AppConfig;
  readonly network: NetworkStack;
  readonly cluster: ClusterStack;
}

/** The MSK-triggered Lambda consumer, authenticating with SCRAM or IAM (`consumerAuth`). */
export class ConsumerStack extends Stack {
  public readonly consumer: MskConsumer;

  constructor(scope: Construct, id: string, props: ConsumerStackProps) {
    super(scope, id, props);
    const { config, network, cluster } = props;

    this.consumer = new MskConsumer(this, 'Consumer', {
      cluster: cluster.msk,
      authentication:
        config.consumerAuth === 'scram'
          ? { mode: 'scram', secret: cluster.users.secretOf(config.consumerScramUser) }
          : { mode: 'iam' },
      topic: config.consumerTopic,
      consumerGroup: config.consumerGroup,
      startingPosition: lambda.StartingPosition[config.consumerStartingPosition],
      batchSize: config.consumerBatchSize,
      maxBatchingWindow: Duration.seconds(config.consumerBatchingWindowSeconds),
      platformKey: network.platformKey,
      vpc: network.vpc,
      vpcSubnets: network.privateSubnets,
      functionSecurityGroup: network.clientSecurityGroup,
      clusterSecurityGroup: network.brokerSecurityGroup,
      reservedConcurrency: config.consumerReservedConcurrency,
      timeout: Duration.seconds(config.consumerTimeoutSeconds),
      memorySize: config.consumerMemoryMiB,
      logLevel: config.consumerLogLevel,
      provisionedPollers: isProvisioned(config)
        ? { minimum: config.consumerMinPollers, maximum: config.consumerMaxPollers }
        : undefined,
      retryAttempts: config.consumerRetryAttempts,
      maxRecordAge:
        config.consumerMaxRecordAgeSeconds === undefined
          ? undefined
          : Duration.seconds(config.consumerMaxRecordAgeSeconds),
      bisectBatchOnError: config.consumerBisectBatchOnError,
      reportBatchItemFailures: config.consumerReportBatchItemFailures,
      removalPolicy: config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });

    new CfnOutput(this, 'ConsumerFunctionName', { value: this.consumer.function.functionName });
    new CfnOutput(this, 'ConsumerLogGroup', { value: `/${config.clusterName}/lambda/consumer` });
    new CfnOutput(this, 'FailureQueueUrl', { value: this.consumer.failureQueue.queueUrl });
  }
}
