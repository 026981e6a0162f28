import { AclBinding, formatBinding } from '../../model/acl-binding';

/** The custom resource's properties are not what the construct sends. */
export class InvalidPropertiesError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidPropertiesError';
  }
}

/** One ACL the brokers did not create or delete, with Kafka's error code. */
export interface AclFailure {
  readonly binding: AclBinding;
  /** Kafka's error name and code, e.g. `CLUSTER_AUTHORIZATION_FAILED (31)`. */
  readonly code: string;
  readonly message: string;
}

/** What to check when the handler cannot reach, authenticate to or administer the cluster. */
export const accessChecklist = (clusterArn: string): string =>
  "Check: the handler's security group can reach the brokers on port 9098 and the brokers' " +
  'security group admits it; BootstrapBrokers are the IAM brokers (port 9098, TLS); the ' +
  "handler's IAM policy allows kafka-cluster:Connect, kafka-cluster:DescribeCluster and " +
  `kafka-cluster:AlterCluster on ${clusterArn}.`;

const AUTHORIZATION_CODES = /CLUSTER_AUTHORIZATION_FAILED|SECURITY_DISABLED/;

/** The brokers refused one or more ACLs; the message names each ACL and Kafka's error code. */
export class AclOperationsFailedError extends Error {
  constructor(
    public readonly action: 'create' | 'delete',
    public readonly clusterArn: string,
    public readonly failures: readonly AclFailure[],
    /** ACLs this call created and then deleted again, so that a failed Create leaves none. */
    public readonly rolledBack: readonly AclBinding[] = [],
  ) {
    const hint = failures.some((f) => AUTHORIZATION_CODES.test(f.code))
      ? ` ${accessChecklist(clusterArn)}`
      : '';
    const undone = rolledBack.length
      ? ` The ${rolledBack.length} ACL(s) this request had created were deleted again.`
      : '';
    super(
      `Could not ${action} ${failures.length} ACL(s) on ${clusterArn}: ` +
        failures.map((f) => `${formatBinding(f.binding)}: ${f.code}: ${f.message}`).join('; ') +
        `.${undone}${hint}`,
    );
    this.name = 'AclOperationsFailedError';
  }
}

/** The brokers answered success, but describing the ACLs afterwards does not show the result. */
export class AclsNotConfirmedError extends Error {
  constructor(
    public readonly clusterArn: string,
    public readonly missing: readonly AclBinding[],
    public readonly lingering: readonly AclBinding[],
  ) {
    const parts = [
      missing.length ? `missing: ${missing.map(formatBinding).join('; ')}` : '',
      lingering.length ? `still present: ${lingering.map(formatBinding).join('; ')}` : '',
    ].filter(Boolean);
    super(`DescribeAcls on ${clusterArn} does not confirm the change (${parts.join('; ')})`);
    this.name = 'AclsNotConfirmedError';
  }
}

/** The handler could not connect to, authenticate to, or administer ACLs on the cluster. */
export class KafkaAccessError extends Error {
  constructor(
    public readonly problem: 'connect' | 'authenticate' | 'authorize',
    public readonly clusterArn: string,
    public readonly brokers: readonly string[],
    cause: unknown,
  ) {
    const what = {
      connect: `Cannot connect to the brokers of ${clusterArn} over IAM (TLS, port 9098)`,
      authenticate: `IAM (SASL/OAUTHBEARER) authentication to ${clusterArn} failed`,
      authorize: `Not authorized to administer ACLs on ${clusterArn}`,
    }[problem];
    const detail = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
    super(`${what} (${detail}; brokers ${brokers.join(',')}). ${accessChecklist(clusterArn)}`, {
      cause,
    });
    this.name = 'KafkaAccessError';
  }
}
