import { CustomResource, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import {
  AclBinding,
  bindingProblems,
  formatBinding,
  normalizeBindings,
} from '../model/acl-binding';
import { SecureCustomResourceProvider } from './custom-resource-provider';
import { KafkaAccessTarget } from './kafka-access';
import {
  FunctionEncryptionProps,
  FunctionNetworkProps,
  grantOnAllResources,
} from './secure-function';

/**
 * `kafka-cluster:` actions that ACL administration over IAM auth needs, all on the cluster
 * resource. Kafka authorizes CreateAcls and DeleteAcls as ALTER on the CLUSTER and DescribeAcls
 * as DESCRIBE on the CLUSTER (Apache Kafka wiki, "Kafka Authorizations (ACLs)", the table of
 * request → resource → operation). MSK maps those to `kafka-cluster:AlterCluster` ("equivalent
 * to Apache Kafka's ALTER CLUSTER ACL", which requires `Connect` and `DescribeCluster`) and
 * `kafka-cluster:DescribeCluster` ("DESCRIBE CLUSTER ACL", requires `Connect`) (MSK Developer
 * Guide, "Semantics of IAM authorization policy actions and resources"; Service Authorization
 * Reference, "Apache Kafka APIs for Amazon MSK clusters"). Not checked against a live cluster.
 */
export const ACL_ADMIN_ACTIONS = [
  'kafka-cluster:Connect',
  'kafka-cluster:DescribeCluster',
  'kafka-cluster:AlterCluster',
];

/** `vpc`, `vpcSubnets`, `securityGroups`: the handler's network; it must reach 9098 on the brokers. */
export interface KafkaAclsProps extends FunctionNetworkProps, FunctionEncryptionProps {
  /** The cluster (a `SecureMskCluster`, or anything with its ARN). */
  readonly cluster: Pick<KafkaAccessTarget, 'clusterArn'>;
  /**
   * The ACLs this resource owns (`aclBindingsFor`, `lambdaConsumerBindings` in `lib/acls/spec`).
   * Duplicates are dropped; the order does not matter.
   */
  readonly bindings: readonly AclBinding[];
  /**
   * The cluster's IAM bootstrap brokers (`b-1…:9098,…`, e.g. `ClusterBootstrapBrokers.iam`).
   *
   * @default - looked up with `kafka:GetBootstrapBrokers` at deploy time
   */
  readonly bootstrapBrokers?: string;
}

/**
 * Kafka ACLs for SASL/SCRAM users, deployed and confirmed by a custom resource that connects
 * over IAM auth. It creates and deletes only its own ACLs (exact filters), so other stacks' and
 * hand-made ACLs stay; see `handlers/kafka-acls`.
 */
export class KafkaAcls extends Construct {
  public readonly resource: CustomResource;
  public readonly provider: SecureCustomResourceProvider;
  /** The ACLs, deduplicated and sorted as the resource holds them. */
  public readonly bindings: readonly AclBinding[];

  constructor(scope: Construct, id: string, props: KafkaAclsProps) {
    super(scope, id);
    const problems = props.bindings.flatMap((binding, i) =>
      containsTokens(binding)
        ? []
        : bindingProblems(binding).map((p) => `bindings[${i}] (${describe(binding)}): ${p}`),
    );
    if (problems.length) {
      throw new Error(`KafkaAcls: ${problems.join('; ')}`);
    }
    this.bindings = normalizeBindings(props.bindings);

    this.provider = new SecureCustomResourceProvider(this, 'Provider', {
      entry: 'kafka-acls/index.ts',
      description: 'Kafka ACLs custom resource (msk-secure-stack)',
      encryptionKey: props.encryptionKey,
      logs: props.logs,
      logGroupName: 'custom-resources/kafka-acls',
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      securityGroups: props.securityGroups,
    });
    const role = this.provider.handler.role;
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'AdministerKafkaAcls',
        actions: ACL_ADMIN_ACTIONS,
        resources: [props.cluster.clusterArn],
      }),
    );
    // Always: Delete calls it to tell a cluster that is gone (NotFound) from one it cannot reach.
    // kafka:GetBootstrapBrokers has no resource type (Service Authorization Reference, Amazon
    // MSK): a statement on the cluster ARN would never allow it.
    grantOnAllResources(role, 'ReadBootstrapBrokers', ['kafka:GetBootstrapBrokers']);

    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: this.provider.serviceToken,
      resourceType: 'Custom::MskKafkaAcls',
      properties: {
        ClusterArn: props.cluster.clusterArn,
        ...(props.bootstrapBrokers ? { BootstrapBrokers: props.bootstrapBrokers } : {}),
        Bindings: this.bindings.map((b) => ({ ...b })),
      },
    });
  }
}

const containsTokens = (binding: AclBinding): boolean =>
  Object.values(binding).some((v) => typeof v === 'string' && Token.isUnresolved(v));

const describe = (binding: AclBinding): string => {
  try {
    return formatBinding(binding);
  } catch {
    return JSON.stringify(binding);
  }
};
