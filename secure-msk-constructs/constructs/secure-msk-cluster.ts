import { Arn, ArnFormat, Fn, Lazy, RemovalPolicy, Resource, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as msk from 'aws-cdk-lib/aws-msk';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import * as kms from 'aws-cdk-lib/aws-kms';
import { createEncryptedLogGroup, EncryptedLogs } from './encrypted-logs';
import { KafkaAccess, KafkaAccessTarget } from './kafka-access';
import { KAFKA_PORTS } from '../model/kafka-ports';
import {
  CLUSTER_NAME,
  KAFKA_VERSION,
  MAX_EBS_GIB,
  Rule,
  STANDARD_BROKER_INSTANCE_TYPE,
  STORAGE_TARGET_PERCENT,
} from '../model/rules';

/** MSK enhanced monitoring level (CloudWatch metrics granularity). */
export type EnhancedMonitoring =
  'DEFAULT' | 'PER_BROKER' | 'PER_TOPIC_PER_BROKER' | 'PER_TOPIC_PER_PARTITION';

/**
 * What consumers and grants need of an MSK cluster: a `SecureMskCluster`, or an existing one
 * from `SecureMskCluster.fromClusterArn`.
 */
export interface IMskCluster extends KafkaAccessTarget {
  readonly clusterName: string;
  /** IAM grants for Kafka principals (`grantConsume`, `grantProduce`, …). */
  readonly access: KafkaAccess;
  /**
   * The brokers' security groups. Lambda's event-source pollers run with them, so an endpoint
   * they use must admit them.
   */
  readonly connections: ec2.Connections;
}

export interface MskClusterAttributes {
  /** `arn:<partition>:kafka:<region>:<account>:cluster/<name>/<uuid>`. */
  readonly clusterArn: string;
  /**
   * The brokers' security groups.
   *
   * @default - none: add rules to the cluster's groups yourself
   */
  readonly securityGroups?: ec2.ISecurityGroup[];
}

export interface StorageAutoScaling {
  /** Upper bound per broker, in GiB (MSK allows up to `MAX_EBS_GIB`, 16384). */
  readonly maxGiB: number;
  /** Target `KafkaBrokerStorageUtilization`, 10–80 %. */
  readonly targetPercent: number;
}

export interface SecureMskClusterProps {
  /** MSK cluster name. */
  readonly clusterName: string;
  /** Apache Kafka version, e.g. `3.8.x`. */
  readonly kafkaVersion: string;
  /** Broker instance type, e.g. `kafka.m7g.large`. */
  readonly instanceType: string;
  /** Brokers in total: a multiple of the number of subnets (AZs). */
  readonly numberOfBrokerNodes: number;
  readonly vpc: ec2.IVpc;
  /** Subnets for the brokers, one per AZ. */
  readonly vpcSubnets: ec2.SubnetSelection;
  /** Security group of the brokers. */
  readonly securityGroup: ec2.ISecurityGroup;
  /** Customer-managed key for data at rest. */
  readonly encryptionKey: kms.IKey;
  /** Where the broker log group (`<prefix>msk-broker-logs`) goes. */
  readonly logs: EncryptedLogs;
  /** EBS volume per broker at creation, in GiB. */
  readonly ebsVolumeGiB: number;
  /**
   * Storage auto scaling (Application Auto Scaling target tracking).
   *
   * @default - no auto scaling
   */
  readonly storageAutoScaling?: StorageAutoScaling;
  /**
   * @default 'DEFAULT'
   */
  readonly enhancedMonitoring?: EnhancedMonitoring;
  /**
   * Prometheus exporters on the brokers.
   *
   * @default - both off
   */
  readonly prometheus?: { readonly jmxExporter: boolean; readonly nodeExporter: boolean };
  /**
   * Server properties merged over `defaultServerProperties(numberOfBrokerNodes)`.
   *
   * @default - the defaults only
   */
  readonly serverProperties?: Readonly<Record<string, string>>;
  /**
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** Checks the props before anything is created; the message names the prop and the value. */
function validateClusterProps(props: SecureMskClusterProps): void {
  const fail = (prop: string, value: unknown, allowed: string): never => {
    throw new Error(
      `SecureMskCluster ${props.clusterName}: ${prop} = ${JSON.stringify(value)}: ${allowed}`,
    );
  };
  const rules: [keyof SecureMskClusterProps, Rule][] = [
    ['clusterName', CLUSTER_NAME],
    ['kafkaVersion', KAFKA_VERSION],
    ['instanceType', STANDARD_BROKER_INSTANCE_TYPE],
  ];
  for (const [prop, rule] of rules) {
    if (!rule.test(props[prop])) fail(prop, props[prop], `must be ${rule.allowed}`);
  }
  if (
    !Number.isInteger(props.ebsVolumeGiB) ||
    props.ebsVolumeGiB < 1 ||
    props.ebsVolumeGiB > MAX_EBS_GIB
  ) {
    fail('ebsVolumeGiB', props.ebsVolumeGiB, `must be an integer from 1 to ${MAX_EBS_GIB}`);
  }
  const scaling = props.storageAutoScaling;
  if (
    scaling &&
    (!Number.isInteger(scaling.maxGiB) ||
      scaling.maxGiB <= props.ebsVolumeGiB ||
      scaling.maxGiB > MAX_EBS_GIB)
  ) {
    fail(
      'storageAutoScaling.maxGiB',
      scaling.maxGiB,
      `must be an integer above ebsVolumeGiB (${props.ebsVolumeGiB}) and at most ${MAX_EBS_GIB}`,
    );
  }
  if (
    scaling &&
    (!Number.isInteger(scaling.targetPercent) ||
      scaling.targetPercent < STORAGE_TARGET_PERCENT.min ||
      scaling.targetPercent > STORAGE_TARGET_PERCENT.max)
  ) {
    fail(
      'storageAutoScaling.targetPercent',
      scaling.targetPercent,
      `must be an integer from ${STORAGE_TARGET_PERCENT.min} to ${STORAGE_TARGET_PERCENT.max}`,
    );
  }
}

/**
 * Safe broker defaults: no auto-created topics, replication factor min(3, brokers),
 * `min.insync.replicas` = RF − 1 (at least 1), no unclean leader election.
 */
export function defaultServerProperties(brokers: number): Record<string, string> {
  const replicationFactor = Math.min(3, brokers);
  return {
    'auto.create.topics.enable': 'false',
    'default.replication.factor': String(replicationFactor),
    'min.insync.replicas': String(Math.max(1, replicationFactor - 1)),
    'unclean.leader.election.enable': 'false',
  };
}

/** Renders properties as a `server.properties` file, keys sorted for stable templates. */
export function renderServerProperties(properties: Readonly<Record<string, string>>): string {
  return Object.keys(properties)
    .sort()
    .map((key) => `${key}=${properties[key]}`)
    .join('\n');
}

/**
 * An MSK provisioned cluster that is secure by default:
 * SASL/SCRAM and IAM client authentication (unauthenticated off), TLS only between clients
 * and brokers and inside the cluster, data encrypted at rest with the platform key, broker
 * logs to a KMS-encrypted log group, and an MSK configuration with safe server properties.
 *
 * The configuration has no `KafkaVersionsList`, so a Kafka version upgrade never has to
 * replace a configuration that is in use (the failure in terraform-aws-msk-kafka-cluster#16);
 * a server-properties change becomes a new revision that the cluster picks up.
 */
export class SecureMskCluster extends Resource implements IMskCluster {
  /**
   * An existing cluster, for consumers and grants: `clusterName` and the UUID come from the ARN.
   * Grants to principals of other accounts need the cluster policy, which an imported cluster
   * does not manage: they are refused.
   */
  public static fromClusterArn(
    scope: Construct,
    id: string,
    attrs: MskClusterAttributes,
  ): IMskCluster {
    return new ImportedMskCluster(scope, id, attrs);
  }

  public readonly cfnCluster: msk.CfnCluster;
  public readonly configuration: msk.CfnConfiguration;
  public readonly logGroup: logs.LogGroup;
  public readonly clusterName: string;
  /** Default replication factor of the cluster (min(3, brokers)). */
  public readonly defaultReplicationFactor: number;
  /** IAM grants for Kafka principals (`grantConsume`, `grantProduce`, …). */
  public readonly access: KafkaAccess;
  /** The brokers' security group; default port SASL/SCRAM (9096). */
  public readonly connections: ec2.Connections;
  private uuidParameter?: ssm.CfnParameter;
  private clusterPolicy?: {
    readonly resource: msk.CfnClusterPolicy;
    readonly document: iam.PolicyDocument;
  };

  constructor(scope: Construct, id: string, props: SecureMskClusterProps) {
    super(scope, id);
    validateClusterProps(props);
    const brokers = props.numberOfBrokerNodes;
    const subnets = props.vpc.selectSubnets(props.vpcSubnets);
    if (!subnets.subnetIds.length || brokers % subnets.subnetIds.length !== 0) {
      throw new Error(
        `SecureMskCluster ${props.clusterName}: numberOfBrokerNodes = ${brokers}: must be a ` +
          `non-zero multiple of the number of subnets (${subnets.subnetIds.length})`,
      );
    }
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.clusterName = props.clusterName;
    this.defaultReplicationFactor = Math.min(3, brokers);
    this.access = new KafkaAccess(this);
    this.connections = new ec2.Connections({
      securityGroups: [props.securityGroup],
      defaultPort: ec2.Port.tcp(KAFKA_PORTS.scram),
    });

    const serverProperties = { ...defaultServerProperties(brokers), ...props.serverProperties };
    this.configuration = new msk.CfnConfiguration(this, 'Configuration', {
      name: `${props.clusterName}-configuration`,
      description: `Server properties of ${props.clusterName} (managed by msk-secure-stack)`,
      serverProperties: renderServerProperties(serverProperties),
    });

    this.logGroup = createEncryptedLogGroup(this, 'BrokerLogs', props.logs, 'msk-broker-logs');

    this.cfnCluster = new msk.CfnCluster(this, 'Cluster', {
      clusterName: props.clusterName,
      kafkaVersion: props.kafkaVersion,
      numberOfBrokerNodes: brokers,
      brokerNodeGroupInfo: {
        instanceType: props.instanceType,
        clientSubnets: subnets.subnetIds,
        securityGroups: [props.securityGroup.securityGroupId],
        storageInfo: { ebsStorageInfo: { volumeSize: props.ebsVolumeGiB } },
      },
      clientAuthentication: {
        sasl: { scram: { enabled: true }, iam: { enabled: true } },
        unauthenticated: { enabled: false },
      },
      encryptionInfo: {
        encryptionAtRest: { dataVolumeKmsKeyId: props.encryptionKey.keyArn },
        encryptionInTransit: { clientBroker: 'TLS', inCluster: true },
      },
      configurationInfo: {
        arn: this.configuration.attrArn,
        revision: this.configuration.attrLatestRevisionRevision,
      },
      enhancedMonitoring: props.enhancedMonitoring ?? 'DEFAULT',
      openMonitoring: {
        prometheus: {
          jmxExporter: { enabledInBroker: props.prometheus?.jmxExporter ?? false },
          nodeExporter: { enabledInBroker: props.prometheus?.nodeExporter ?? false },
        },
      },
      loggingInfo: {
        brokerLogs: { cloudWatchLogs: { enabled: true, logGroup: this.logGroup.logGroupName } },
      },
    });
    this.cfnCluster.applyRemovalPolicy(removalPolicy);
    this.configuration.applyRemovalPolicy(removalPolicy);

    if (props.storageAutoScaling) this.addStorageAutoScaling(props.storageAutoScaling);
  }

  /** The cluster ARN. */
  public get clusterArn(): string {
    return this.cfnCluster.attrArn;
  }

  /**
   * The cluster UUID: the last segment of the cluster ARN
   * (`arn:<partition>:kafka:<region>:<account>:cluster/<name>/<uuid>`).
   *
   * The ARN is split in this stack and the result kept in an SSM parameter, whose `Value`
   * attribute other stacks receive as one cross-stack reference. Splitting in the other stack
   * would put `Fn::GetStackOutput` inside `Fn::Split`, which `Fn::Split` is not documented to
   * accept (CloudFormation template reference, "Fn::Split", supported functions; cfn-lint E1022).
   */
  public get clusterUuid(): string {
    this.uuidParameter ??= new ssm.CfnParameter(this, 'ClusterUuid', {
      type: 'String',
      value: Fn.select(2, Fn.split('/', this.clusterArn)),
      description: `UUID of MSK cluster ${this.clusterName} (part of its topic and group ARNs)`,
    });
    return this.uuidParameter.attrValue;
  }

  /**
   * ARN of a Kafka resource of this cluster for IAM access control:
   * `arn:…:<type>/<clusterName>/<clusterUuid>/<name>` (`name` may end in `*`).
   */
  public kafkaResourceArn(type: 'topic' | 'group' | 'transactional-id', name: string): string {
    return Stack.of(this).formatArn({
      service: 'kafka',
      resource: type,
      resourceName: `${this.clusterName}/${this.clusterUuid}/${name}`,
    });
  }

  /**
   * Adds a statement to the cluster policy (`AWS::MSK::ClusterPolicy`), created on first use.
   * Grants to principals of other accounts land here (and in their own account's policy).
   */
  public addToResourcePolicy(statement: iam.PolicyStatement): iam.AddToResourcePolicyResult {
    if (!this.clusterPolicy) {
      const document = new iam.PolicyDocument();
      const resource = new msk.CfnClusterPolicy(this, 'ClusterPolicy', {
        clusterArn: this.clusterArn,
        policy: Lazy.any({ produce: () => document.toJSON() }),
      });
      this.clusterPolicy = { resource, document };
    }
    this.clusterPolicy.document.addStatements(statement);
    return { statementAdded: true, policyDependable: this.clusterPolicy.resource };
  }

  private addStorageAutoScaling(scaling: StorageAutoScaling): void {
    // L1 on purpose: without RoleARN, Application Auto Scaling uses its service-linked role for
    // MSK (AWSServiceRoleForApplicationAutoScaling_KafkaCluster), which has exactly the MSK
    // permissions it needs. The L2 always creates an empty role of its own.
    const target = new appscaling.CfnScalableTarget(this, 'StorageScalableTarget', {
      serviceNamespace: 'kafka',
      scalableDimension: 'kafka:broker-storage:VolumeSize',
      resourceId: this.clusterArn,
      minCapacity: 1,
      maxCapacity: scaling.maxGiB,
    });
    new appscaling.CfnScalingPolicy(this, 'StorageScalingPolicy', {
      policyName: `${this.clusterName}-broker-storage`,
      policyType: 'TargetTrackingScaling',
      scalingTargetId: target.ref,
      targetTrackingScalingPolicyConfiguration: {
        targetValue: scaling.targetPercent,
        // MSK never shrinks storage.
        disableScaleIn: true,
        predefinedMetricSpecification: { predefinedMetricType: 'KafkaBrokerStorageUtilization' },
      },
    });
  }
}

/** A cluster that exists already (`SecureMskCluster.fromClusterArn`). */
class ImportedMskCluster extends Resource implements IMskCluster {
  public readonly clusterArn: string;
  public readonly clusterName: string;
  public readonly access: KafkaAccess;
  public readonly connections: ec2.Connections;
  private readonly clusterUuid: string;

  constructor(scope: Construct, id: string, attrs: MskClusterAttributes) {
    super(scope, id);
    this.clusterArn = attrs.clusterArn;
    if (Token.isUnresolved(attrs.clusterArn)) {
      this.clusterName = Fn.select(1, Fn.split('/', attrs.clusterArn));
      this.clusterUuid = Fn.select(2, Fn.split('/', attrs.clusterArn));
    } else {
      const arn = Arn.split(attrs.clusterArn, ArnFormat.SLASH_RESOURCE_NAME);
      const [name, uuid] = (arn.resourceName ?? '').split('/');
      if (arn.service !== 'kafka' || arn.resource !== 'cluster' || !name || !uuid) {
        throw new Error(
          `SecureMskCluster.fromClusterArn: clusterArn ${JSON.stringify(attrs.clusterArn)} is not an ` +
            'MSK cluster ARN (arn:<partition>:kafka:<region>:<account>:cluster/<name>/<uuid>)',
        );
      }
      this.clusterName = name;
      this.clusterUuid = uuid;
    }
    this.access = new KafkaAccess(this);
    this.connections = new ec2.Connections({
      securityGroups: attrs.securityGroups ?? [],
      defaultPort: ec2.Port.tcp(KAFKA_PORTS.scram),
    });
  }

  public kafkaResourceArn(type: 'topic' | 'group' | 'transactional-id', name: string): string {
    return Stack.of(this).formatArn({
      service: 'kafka',
      resource: type,
      resourceName: `${this.clusterName}/${this.clusterUuid}/${name}`,
    });
  }

  public addToResourcePolicy(_statement: iam.PolicyStatement): iam.AddToResourcePolicyResult {
    return { statementAdded: false };
  }
}
