import { CfnOutput, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct, IDependable } from 'constructs';
import {
  ClusterBootstrapBrokers,
  FunctionEncryptionProps,
  FunctionNetworkProps,
  KAFKA_PORTS,
  KafkaAcls,
  KafkaTopics,
  PlatformKey,
  ScramSecretAssociation,
  scramSecretName,
  ScramUsers,
  SecureMskCluster,
} from '../secure-msk-constructs';
import { AppConfig, brokerCount } from './config';
import { clusterTopics } from './config/consumers';
import { platformAclBindings } from './acls/platform';

export interface ClusterStackProps extends StackProps {
  readonly config: AppConfig;
  readonly vpc: ec2.IVpc;
  /** Subnets of the brokers and of the custom-resource functions. */
  readonly vpcSubnets: ec2.SubnetSelection;
  readonly brokerSecurityGroup: ec2.ISecurityGroup;
  /** Security group of the custom-resource functions (a Kafka client). */
  readonly clientSecurityGroup: ec2.ISecurityGroup;
  /** Encrypts data at rest, secrets and function environments; logs go through it too. */
  readonly platformKey: PlatformKey;
}

/**
 * The MSK cluster (SCRAM + IAM, TLS only, encrypted), its SCRAM users and their association,
 * its topics, and the endpoints clients need (outputs and SSM parameters).
 */
export class ClusterStack extends Stack {
  public readonly msk: SecureMskCluster;
  public readonly users: ScramUsers;
  public readonly topics: KafkaTopics;
  public readonly bootstrapBrokers: ClusterBootstrapBrokers;
  /** The Kafka ACLs of the SCRAM users and of the SCRAM consumers (none: no resource). */
  public readonly acls?: KafkaAcls;

  constructor(scope: Construct, id: string, props: ClusterStackProps) {
    super(scope, id, props);
    const { config, platformKey } = props;
    const removalPolicy = config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const handlers = {
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      securityGroups: [props.clientSecurityGroup],
      encryptionKey: platformKey.key,
      logs: platformKey,
    };

    this.users = new ScramUsers(this, 'ScramUsers', {
      clusterName: config.clusterName,
      users: config.scramUsers,
      encryptionKey: platformKey.keyReference,
      removalPolicy,
      rotation:
        config.scramRotationDays > 0
          ? { afterDays: config.scramRotationDays, ...handlers }
          : undefined,
    });

    this.msk = new SecureMskCluster(this, 'Msk', {
      clusterName: config.clusterName,
      kafkaVersion: config.kafkaVersion,
      instanceType: config.brokerInstanceType,
      numberOfBrokerNodes: brokerCount(config),
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      securityGroup: props.brokerSecurityGroup,
      encryptionKey: platformKey.key,
      logs: platformKey,
      ebsVolumeGiB: config.ebsVolumeGiB,
      storageAutoScaling:
        config.storageAutoScalingMaxGiB > 0
          ? {
              maxGiB: config.storageAutoScalingMaxGiB,
              targetPercent: config.storageAutoScalingTargetPercent,
            }
          : undefined,
      enhancedMonitoring: config.enhancedMonitoring,
      prometheus: {
        jmxExporter: config.prometheusJmxExporter,
        nodeExporter: config.prometheusNodeExporter,
      },
      serverProperties: config.serverProperties,
      removalPolicy,
    });

    const association = new ScramSecretAssociation(this, 'ScramSecretAssociation', {
      clusterArn: this.msk.clusterArn,
      secretNamePrefix: this.users.secretNamePrefix,
      secretsKey: platformKey.keyReference,
      ...handlers,
    });
    // One association resource per nested stack of users, next to its secrets.
    for (const [stack, secrets] of this.users.byStack) {
      association.associate(stack, 'ScramSecretAssociation', secrets);
    }

    this.topics = new KafkaTopics(this, 'Topics', {
      clusterArn: this.msk.clusterArn,
      // The configured topics and the dead-letter topics created for consumers (`<topic>.dlt`).
      topics: clusterTopics(config),
      defaultReplicationFactor: this.msk.defaultReplicationFactor,
      removalPolicy,
    });

    this.bootstrapBrokers = new ClusterBootstrapBrokers(this, 'BootstrapBrokers', {
      clusterArn: this.msk.clusterArn,
      ...handlers,
    });

    // One MSK operation at a time on a new cluster: while an operation is updating it, MSK
    // accepts no other until it is ACTIVE again (MSK Developer Guide, "Cluster states"). The
    // association's handler retries a busy cluster; CloudFormation's topic handler is not
    // documented to, so topics and the broker lookup start after the association.
    for (const dependent of [this.topics, this.bootstrapBrokers]) {
      for (const resource of association.resources) dependent.node.addDependency(resource);
    }

    this.acls = this.addAcls(config, handlers, [...association.resources, this.topics]);
    this.publishEndpoints(config);
  }

  /**
   * The users' permissions and the ACLs Lambda's Kafka event source needs for each SCRAM
   * consumer, as one owner-scoped resource. It runs after the association (the users exist) and
   * the topics; the Consumer stack, and so every event source mapping, deploys after this stack.
   */
  private addAcls(
    config: AppConfig,
    handlers: FunctionNetworkProps & FunctionEncryptionProps,
    after: IDependable[],
  ): KafkaAcls | undefined {
    const bindings = platformAclBindings(config);
    if (bindings.length === 0) return undefined;
    const acls = new KafkaAcls(this, 'KafkaAcls', {
      cluster: this.msk,
      bindings,
      bootstrapBrokers: this.bootstrapBrokers.iam,
      ...handlers,
    });
    for (const dependency of after) acls.node.addDependency(dependency);
    return acls;
  }

  private publishEndpoints(config: AppConfig): void {
    new CfnOutput(this, 'ClusterArn', {
      value: this.msk.clusterArn,
      description: 'MSK cluster ARN',
    });
    for (const [auth, brokers, port] of [
      ['scram', this.bootstrapBrokers.scram, KAFKA_PORTS.scram],
      ['iam', this.bootstrapBrokers.iam, KAFKA_PORTS.iam],
    ] as const) {
      new CfnOutput(this, `BootstrapBrokers${auth === 'scram' ? 'Scram' : 'Iam'}`, {
        value: brokers,
        description: `Bootstrap brokers for ${auth === 'scram' ? 'SASL/SCRAM' : 'IAM'} clients (TLS, port ${port})`,
      });
      new ssm.StringParameter(this, `BootstrapBrokers${auth}Parameter`, {
        parameterName: `/${config.clusterName}/bootstrap-brokers/${auth}`,
        stringValue: brokers,
        description: `MSK ${config.clusterName} bootstrap brokers for ${auth} clients (port ${port})`,
      });
    }
    new ssm.StringParameter(this, 'ClusterArnParameter', {
      parameterName: `/${config.clusterName}/cluster-arn`,
      stringValue: this.msk.clusterArn,
      description: `ARN of MSK cluster ${config.clusterName}`,
    });
    new CfnOutput(this, 'ScramSecretNamePrefix', {
      value: scramSecretName(config.clusterName, ''),
      description:
        'SCRAM secrets are named <prefix><user>; each ARN is in the SSM parameter /<clusterName>/scram-users/<user>',
    });
  }
}
