import { Stage, StageProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { AppConfig } from './config';
import { ClusterStack } from './cluster-stack';
import { ConsumerStack } from './consumer-stack';
import { MonitoringStack } from './monitoring-stack';
import { NetworkStack } from './network-stack';

export interface MskSecureStageProps extends StageProps {
  readonly config: AppConfig;
}

/**
 * Every stack of one deployment (one cluster), so that pipelines and multi-account deploys can
 * instantiate the whole platform as a unit. Stacks: Network → Cluster → Consumer → Monitoring.
 */
export class MskSecureStage extends Stage {
  public readonly network: NetworkStack;
  public readonly cluster: ClusterStack;
  public readonly consumer: ConsumerStack;
  public readonly monitoring: MonitoringStack;

  constructor(scope: Construct, id: string, props: MskSecureStageProps) {
    super(scope, id, props);
    const { config } = props;
    const description = (part: string) =>
      `msk-secure-stack ${part} (${config.profile}, cluster ${config.clusterName})`;
    // With retainData, `cdk destroy` would delete the subnets and security group that the
    // retained cluster still uses, and fail on them. Termination protection makes CloudFormation
    // refuse to delete any of the stacks before anything is deleted (docs/deploying.md#teardown).
    const terminationProtection = config.retainData;

    this.network = new NetworkStack(this, 'Network', {
      config,
      description: description('network: VPC, security groups, platform KMS key'),
      terminationProtection,
    });
    const network = this.network;
    this.cluster = new ClusterStack(this, 'Cluster', {
      config,
      vpc: network.vpc,
      vpcSubnets: network.privateSubnets,
      brokerSecurityGroup: network.brokerSecurityGroup,
      clientSecurityGroup: network.clientSecurityGroup,
      platformKey: network.platformKey,
      description: description('cluster: MSK with SCRAM + IAM, users, topics'),
      terminationProtection,
    });
    this.consumer = new ConsumerStack(this, 'Consumer', {
      config,
      cluster: this.cluster.msk,
      scramSecretOf: (user) => this.cluster.users.secretOf(user),
      vpc: network.vpc,
      vpcSubnets: network.privateSubnets,
      clientSecurityGroup: network.clientSecurityGroup,
      encryptionKey: network.platformKey.key,
      logs: network.platformKey,
      description: description(
        `consumers: ${config.consumers.map((c) => `${c.name} (${c.auth})`).join(', ')}`,
      ),
      terminationProtection,
    });
    this.monitoring = new MonitoringStack(this, 'Monitoring', {
      config,
      consumers: this.consumer.consumers,
      encryptionKey: network.platformKey.key,
      description: description('monitoring: alarms and dashboard'),
      terminationProtection,
    });
  }
}
