import { Fn, RemovalPolicy, Stack, StackProps, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { AppConfig } from './config';
import { PlatformKey, SecureNetwork } from '../secure-msk-constructs';

export interface NetworkStackProps extends StackProps {
  readonly config: AppConfig;
}

/**
 * The foundation every other stack uses: the platform KMS key (every log group, secret, queue
 * and the cluster's storage are encrypted with it) and the VPC with its security groups.
 */
export class NetworkStack extends Stack {
  /** The platform's customer-managed KMS key and log-group factory. */
  public readonly platformKey: PlatformKey;
  public readonly vpc: ec2.Vpc;
  public readonly brokerSecurityGroup: ec2.SecurityGroup;
  public readonly clientSecurityGroup: ec2.SecurityGroup;
  public readonly privateSubnets: ec2.SubnetSelection;

  private readonly azCount: number;

  constructor(scope: Construct, id: string, props: NetworkStackProps) {
    super(scope, id, props);
    const { config } = props;
    this.azCount = config.azCount;

    this.platformKey = new PlatformKey(this, 'PlatformKey', {
      aliasName: config.clusterName,
      logGroupNamePrefix: `/${config.clusterName}/`,
      logRetentionDays: config.logRetentionDays,
      removalPolicy: config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      // The NAT instance's root volume is encrypted with the key.
      ebsVolumes: config.natProvider === 'instance',
    });

    const network = new SecureNetwork(this, 'Network', {
      cidr: config.vpcCidr,
      azCount: config.azCount,
      natGateways: config.natGateways,
      natProvider: config.natProvider,
      natInstanceType: config.natInstanceType,
      encryptionKey: this.platformKey.key,
      logs: this.platformKey,
      prometheusExporters: {
        jmxExporter: config.prometheusJmxExporter,
        nodeExporter: config.prometheusNodeExporter,
      },
    });
    this.vpc = network.vpc;
    this.brokerSecurityGroup = network.brokerSecurityGroup;
    this.clientSecurityGroup = network.clientSecurityGroup;
    this.privateSubnets = network.privateSubnets;
  }

  /**
   * An environment-agnostic stack only knows two AZs (`Fn::GetAZs` picks at deploy time), so a
   * 3-AZ VPC would silently get two. Ask for `azCount` AZs from `Fn::GetAZs` instead. With a
   * concrete account and Region, CDK's AZ lookup (cached in cdk.context.json) is used as usual.
   */
  public override get availabilityZones(): string[] {
    if (!Token.isUnresolved(this.account) && !Token.isUnresolved(this.region)) {
      return super.availabilityZones;
    }
    return Array.from({ length: this.azCount }, (_, i) => Fn.select(i, Fn.getAzs()));
  }
}
