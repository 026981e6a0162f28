import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { acknowledge } from '../compliance';
import { HTTPS_PORT, KAFKA_PORTS, PROMETHEUS_PORTS } from './kafka-ports';
import { ManagedPolicyRole } from './managed-policy-role';
import * as kms from 'aws-cdk-lib/aws-kms';
import { createEncryptedLogGroup, EncryptedLogs } from './encrypted-logs';
import { RestrictDefaultSecurityGroup } from './restrict-default-security-group';

export interface SecureNetworkProps {
  /** IPv4 CIDR of the VPC. */
  readonly cidr: string;
  /** Availability Zones to spread the subnets over. */
  readonly azCount: number;
  /** NAT gateways (1 to `azCount`). */
  readonly natGateways: number;
  /** Encrypts the environment of the default-security-group custom resource's functions. */
  readonly encryptionKey: kms.IKey;
  /** Where the flow-log group and the custom resource's log groups go. */
  readonly logs: EncryptedLogs;
  /**
   * Prometheus exporters that the brokers run: the brokers' group admits their ports (11001,
   * 11002) from the clients group, where a Prometheus scraper runs.
   *
   * @default - neither
   */
  readonly prometheusExporters?: {
    readonly jmxExporter: boolean;
    readonly nodeExporter: boolean;
  };
}

/**
 * The VPC for MSK and its clients.
 *
 * - public subnets (NAT gateways only; no auto-assigned public IPs) and private subnets with
 *   egress in `azCount` AZs;
 * - flow logs of all traffic to a KMS-encrypted CloudWatch log group;
 * - `brokers` and `clients` security groups: brokers accept 9096 (SCRAM) and 9098 (IAM) from
 *   clients and from themselves (Lambda's MSK pollers run in the cluster's subnets with the
 *   cluster's security groups), nothing from anywhere else.
 */
export class SecureNetwork extends Construct {
  public readonly vpc: ec2.Vpc;
  /** Security group of the MSK brokers (and of Lambda's MSK event-source pollers). */
  public readonly brokerSecurityGroup: ec2.SecurityGroup;
  /** Security group of Kafka clients: the consumer function, the CLI host, other apps. */
  public readonly clientSecurityGroup: ec2.SecurityGroup;
  /** Private subnets with egress: brokers, the consumer function, clients. */
  public readonly privateSubnets: ec2.SubnetSelection;
  /** Public subnets: NAT gateways only. */
  public readonly publicSubnets: ec2.SubnetSelection;

  constructor(scope: Construct, id: string, props: SecureNetworkProps) {
    super(scope, id);

    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(props.cidr),
      maxAzs: props.azCount,
      natGateways: props.natGateways,
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, mapPublicIpOnLaunch: false },
        { name: 'private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      ],
      // Our own custom resource below empties the default group (see RestrictDefaultSecurityGroup).
      restrictDefaultSecurityGroup: false,
    });
    for (const subnet of this.vpc.publicSubnets) {
      acknowledge(
        subnet.node.findChild('DefaultRoute'),
        [
          'NIST.800.53.R5-VPCNoUnrestrictedRouteToIGW',
          'HIPAA.Security-VPCNoUnrestrictedRouteToIGW',
        ],
        'Public subnets hold only the NAT gateways, which need a 0.0.0.0/0 route to the internet ' +
          'gateway; nothing else is placed in them and no public IPs are auto-assigned.',
      );
    }
    this.privateSubnets = { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS };
    this.publicSubnets = { subnetType: ec2.SubnetType.PUBLIC };

    this.addFlowLogs(props.logs);

    this.brokerSecurityGroup = new ec2.SecurityGroup(this, 'Brokers', {
      vpc: this.vpc,
      description:
        'MSK brokers and Lambda MSK pollers: Kafka SCRAM 9096 / IAM 9098 from clients and self',
      allowAllOutbound: false,
    });
    this.clientSecurityGroup = new ec2.SecurityGroup(this, 'Clients', {
      vpc: this.vpc,
      description:
        'Kafka clients of the MSK cluster: reach brokers on 9096/9098 and AWS APIs on 443',
      allowAllOutbound: false,
    });

    for (const [auth, port] of Object.entries(KAFKA_PORTS)) {
      const kafkaPort = ec2.Port.tcp(port);
      this.brokerSecurityGroup.addIngressRule(
        this.clientSecurityGroup,
        kafkaPort,
        `Kafka ${auth.toUpperCase()} from clients`,
      );
      this.clientSecurityGroup.addEgressRule(
        this.brokerSecurityGroup,
        kafkaPort,
        `Kafka ${auth.toUpperCase()} to brokers`,
      );
      // Lambda's MSK event-source pollers use the cluster's security groups: the group must
      // allow the broker port from (and to) itself (Lambda Developer Guide, with-msk-cluster-network).
      this.brokerSecurityGroup.connections.allowInternally(
        kafkaPort,
        `Kafka ${auth.toUpperCase()} within the group (Lambda MSK pollers)`,
      );
    }
    for (const exporter of ['jmxExporter', 'nodeExporter'] as const) {
      if (!props.prometheusExporters?.[exporter]) continue;
      const port = ec2.Port.tcp(PROMETHEUS_PORTS[exporter]);
      const name = exporter === 'jmxExporter' ? 'JMX' : 'node';
      this.brokerSecurityGroup.addIngressRule(
        this.clientSecurityGroup,
        port,
        `Prometheus ${name} exporter scrape from clients`,
      );
      this.clientSecurityGroup.addEgressRule(
        this.brokerSecurityGroup,
        port,
        `Prometheus ${name} exporter scrape of brokers`,
      );
    }
    // Pollers call Lambda, STS and Secrets Manager; clients call Secrets Manager / STS / MSK APIs.
    for (const group of [this.brokerSecurityGroup, this.clientSecurityGroup]) {
      group.addEgressRule(
        ec2.Peer.anyIpv4(),
        ec2.Port.tcp(HTTPS_PORT),
        'HTTPS to AWS service APIs (via NAT)',
      );
    }

    new RestrictDefaultSecurityGroup(this, 'RestrictDefaultSecurityGroup', {
      vpc: this.vpc,
      vpcSubnets: this.privateSubnets,
      securityGroups: [this.clientSecurityGroup],
      encryptionKey: props.encryptionKey,
      logs: props.logs,
    });
  }

  private addFlowLogs(settings: EncryptedLogs): void {
    const logGroup = createEncryptedLogGroup(this, 'FlowLogGroup', settings, 'vpc-flow-logs');
    const stack = Stack.of(this);
    const role = new ManagedPolicyRole(this, 'FlowLogRole', {
      description: 'Lets VPC Flow Logs deliver to the flow-log group',
      assumedBy: new iam.ServicePrincipal('vpc-flow-logs.amazonaws.com', {
        // Confused-deputy protection (VPC User Guide, "IAM role for publishing flow logs").
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: {
            'aws:SourceArn': stack.formatArn({
              service: 'ec2',
              resource: 'vpc-flow-log',
              resourceName: '*',
            }),
          },
        },
      }),
    });
    this.vpc.addFlowLog('FlowLog', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(logGroup, role),
      trafficType: ec2.FlowLogTrafficType.ALL,
    });
  }
}
