import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { acknowledge } from './acknowledge';
import { HTTPS_PORT, KAFKA_PORTS, PROMETHEUS_PORTS } from '../model/kafka-ports';
import { ManagedPolicyRole } from './managed-policy-role';
import * as kms from 'aws-cdk-lib/aws-kms';
import { createEncryptedLogGroup, EncryptedLogs } from './encrypted-logs';
import { RestrictDefaultSecurityGroup } from './restrict-default-security-group';

export interface SecureNetworkProps {
  /** IPv4 CIDR of the VPC. */
  readonly cidr: string;
  /** Availability Zones to spread the subnets over. */
  readonly azCount: number;
  /** NAT gateways (1 to `azCount`); with `natProvider: 'instance'` it must be 1. */
  readonly natGateways: number;
  /**
   * `gateway`: managed NAT gateways. `instance`: one NAT instance (`natInstanceType`, Graviton)
   * in the first public subnet, built by aws-cdk-lib's `NatProvider.instanceV2` and hardened:
   * IMDSv2 required, root volume encrypted with `encryptionKey`, no key pair, no instance
   * profile, detailed monitoring, and a security group that admits only TCP 443 from the VPC.
   *
   * @default 'gateway'
   */
  readonly natProvider?: 'gateway' | 'instance';
  /**
   * EC2 instance type of the NAT instance; arm64 (Graviton), since the AMI is the arm64 Amazon
   * Linux 2023 image.
   *
   * @default 't4g.nano'
   */
  readonly natInstanceType?: string;
  /**
   * Encrypts the environment of the default-security-group custom resource's functions, and the
   * NAT instance's root volume (the key policy must let EC2 use it: `PlatformKey`'s
   * `ebsVolumes`).
   */
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

/** Root volume of the NAT instance: the Amazon Linux 2023 AMI's root device and size. */
export const NAT_INSTANCE_ROOT_VOLUME = {
  /** AL2023 AMIs boot from /dev/xvda (Amazon Linux 2023 User Guide, "AL2023 on Amazon EC2"). */
  deviceName: '/dev/xvda',
  /**
   * 8 GiB: the size of the standard AL2023 AMIs' root snapshot (gp3), which a block device
   * mapping may not shrink. Unverified on AWS: third-party (e.g. namecheap/ec2-github-runner
   * issue 44, "Amazon Linux 2023 default: 8 GiB gp3"), not read from the AMI itself.
   */
  sizeGiB: 8,
} as const;

/**
 * The VPC for MSK and its clients.
 *
 * - public subnets (NAT gateways or the NAT instance only; no auto-assigned public IPs) and
 *   private subnets with egress in `azCount` AZs;
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
  /** Public subnets: NAT gateways (or the NAT instance) only. */
  public readonly publicSubnets: ec2.SubnetSelection;
  /** The NAT instance (`natProvider: 'instance'`), else undefined. */
  public readonly natInstance?: ec2.Instance;

  constructor(scope: Construct, id: string, props: SecureNetworkProps) {
    super(scope, id);
    const natProvider = props.natProvider ?? 'gateway';
    if (natProvider !== 'gateway' && natProvider !== 'instance') {
      throw new Error(
        `SecureNetwork: natProvider is ${JSON.stringify(natProvider)}; expected "gateway" or "instance"`,
      );
    }
    const natInstanceType = props.natInstanceType ?? 't4g.nano';
    if (natProvider === 'instance') {
      if (props.natGateways !== 1) {
        throw new Error(
          `SecureNetwork: natGateways is ${props.natGateways}; with natProvider "instance" it must be 1 (one NAT instance)`,
        );
      }
      if (new ec2.InstanceType(natInstanceType).architecture !== ec2.InstanceArchitecture.ARM_64) {
        throw new Error(
          `SecureNetwork: natInstanceType is ${JSON.stringify(natInstanceType)}; expected a Graviton (arm64) type such as "t4g.nano"`,
        );
      }
    }
    // The provider's own security group lets everything out and nothing in (OUTBOUND_ONLY);
    // HTTPS from the VPC is added below. It builds an ec2.Instance, hardened below.
    const natInstanceProvider =
      natProvider === 'instance'
        ? ec2.NatProvider.instanceV2({
            instanceType: new ec2.InstanceType(natInstanceType),
            defaultAllowedTraffic: ec2.NatTrafficDirection.OUTBOUND_ONLY,
            // Standard credits: throttled to the baseline when the credits run out, never
            // billed for surplus credits (T4g launches unlimited by default).
            creditSpecification: ec2.CpuCredits.STANDARD,
            // The NAT's own public address: the public subnets auto-assign none. Assigned at
            // launch, not an Elastic IP associated afterwards: the provider's user data installs
            // iptables with dnf on first boot, which needs the internet at once.
            associatePublicIpAddress: true,
          })
        : undefined;

    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(props.cidr),
      maxAzs: props.azCount,
      natGateways: props.natGateways,
      natGatewayProvider: natInstanceProvider,
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
        natInstanceProvider
          ? 'Public subnets hold only the NAT instance, which needs a 0.0.0.0/0 route to the ' +
              'internet gateway; nothing else is placed in them and no public IPs are auto-assigned.'
          : 'Public subnets hold only the NAT gateways, which need a 0.0.0.0/0 route to the internet ' +
              'gateway; nothing else is placed in them and no public IPs are auto-assigned.',
      );
    }
    if (natInstanceProvider) {
      natInstanceProvider.connections.allowFrom(
        // The configured CIDR (a literal): the VPC's CidrBlock attribute would be a token.
        ec2.Peer.ipv4(props.cidr),
        ec2.Port.tcp(HTTPS_PORT),
        'HTTPS from the VPC to AWS service APIs (the only traffic the platform sends via NAT)',
      );
      (
        natInstanceProvider.securityGroup.node.defaultChild as ec2.CfnSecurityGroup
      ).groupDescription = 'NAT instance: HTTPS 443 from the VPC (calls to AWS APIs), all outbound';
      const [instance] = natInstanceProvider.gatewayInstances;
      this.natInstance = instance;
      hardenNatInstance(instance, props.encryptionKey);
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

/**
 * Brings the instance that `NatProvider.instanceV2` builds to the project's bar, through the
 * `AWS::EC2::Instance` properties (the provider exposes none of these):
 *
 * - IMDSv2 only (`HttpTokens: required`, hop limit 1): cloud-init reads the user data with
 *   tokens; nothing else on the instance uses the metadata service.
 * - The root volume (gp3, the AMI's size) encrypted with the platform key, deleted with the
 *   instance.
 * - No instance profile and no role: the instance forwards packets and calls no AWS API (no SSM
 *   agent access either). `ec2.Instance` always makes a role and a profile; both are removed.
 * - Detailed (1-minute) monitoring: AwsSolutions-EC28, NIST/HIPAA and Control Tower CT.EC2.PR.13.
 * - No key pair (the provider sets none unless asked) and the provider's security group, which
 *   admits only HTTPS from the VPC.
 *
 * What stays is acknowledged here (cdk-nag) and in tools/validate/acknowledged.json (Control
 * Tower), each with its reason.
 */
function hardenNatInstance(instance: ec2.Instance, key: kms.IKey): void {
  const cfn = instance.instance;
  cfn.node.removeDependency(instance.role);
  instance.node.tryRemoveChild('InstanceProfile');
  instance.node.tryRemoveChild('InstanceRole');
  cfn.iamInstanceProfile = undefined;
  cfn.metadataOptions = {
    httpEndpoint: 'enabled',
    httpTokens: 'required',
    httpPutResponseHopLimit: 1,
  };
  cfn.blockDeviceMappings = [
    {
      deviceName: NAT_INSTANCE_ROOT_VOLUME.deviceName,
      ebs: {
        encrypted: true,
        kmsKeyId: key.keyArn,
        volumeType: 'gp3',
        volumeSize: NAT_INSTANCE_ROOT_VOLUME.sizeGiB,
        deleteOnTermination: true,
      },
    },
  ];
  cfn.monitoring = true;
  if (cfn.keyName !== undefined) throw new Error('SecureNetwork: the NAT instance has a key pair');
  acknowledge(
    cfn,
    [
      'AwsSolutions-EC29',
      'NIST.800.53.R5-EC2InstanceTerminationProtection',
      'HIPAA.Security-EC2InstanceTerminationProtection',
    ],
    'The NAT instance holds no state and CloudFormation replaces it when its AMI (the latest ' +
      'Amazon Linux 2023, an SSM parameter) changes: termination protection would make that ' +
      'replacement, and cdk destroy of dev, fail.',
  );
  acknowledge(
    cfn,
    ['NIST.800.53.R5-EC2InstanceNoPublicIp', 'HIPAA.Security-EC2InstanceNoPublicIp'],
    "A NAT instance translates the private subnets' outbound traffic to its own public IPv4 " +
      'address: it needs one. Its security group admits only TCP 443 from the VPC.',
  );
  acknowledge(
    cfn,
    ['NIST.800.53.R5-EC2InstancesInVPC', 'HIPAA.Security-EC2InstancesInVPC'],
    'The NAT instance is in the VPC: its one network interface (NetworkInterfaces[0].SubnetId) ' +
      'is in a public subnet of it. The rule reads only the top-level SubnetId, which ' +
      'CloudFormation does not allow next to NetworkInterfaces (needed for the public IP).',
  );
  acknowledge(
    cfn,
    ['NIST.800.53.R5-EC2InstanceProfileAttached', 'HIPAA.Security-EC2InstanceProfileAttached'],
    'The NAT instance calls no AWS API (it forwards packets; no SSM agent access is needed), so ' +
      'it has no instance profile: no credentials on a host with a public IP.',
  );
}
