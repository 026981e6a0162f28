/**
 * One Kafka ACL binding, in the words of Kafka's own model (`org.apache.kafka.common.acl`):
 * a resource pattern (type, name, LITERAL or PREFIXED) and an access control entry (principal,
 * host, operation, permission). Pure: used by the CDK construct, the custom resource and the CLI.
 *
 * Only what this project creates is accepted: ALLOW entries for `User:<SCRAM user>` from any
 * host, on TOPIC, GROUP or the CLUSTER resource.
 */
import { ACL_RESOURCE_NAME, SCRAM_USER_NAME } from './rules';

export const ACL_RESOURCE_TYPES = ['TOPIC', 'GROUP', 'CLUSTER'] as const;
export type AclResourceType = (typeof ACL_RESOURCE_TYPES)[number];

/** LITERAL: the exact name; PREFIXED: every resource whose name starts with it (KIP-290). */
export const ACL_PATTERN_TYPES = ['LITERAL', 'PREFIXED'] as const;
export type AclPatternType = (typeof ACL_PATTERN_TYPES)[number];

/** Kafka's `AclOperation` values, less the filter-only `ANY` and `UNKNOWN`. */
export const ACL_OPERATIONS = [
  'ALL',
  'READ',
  'WRITE',
  'CREATE',
  'DELETE',
  'ALTER',
  'DESCRIBE',
  'CLUSTER_ACTION',
  'DESCRIBE_CONFIGS',
  'ALTER_CONFIGS',
  'IDEMPOTENT_WRITE',
] as const;
export type AclOperation = (typeof ACL_OPERATIONS)[number];

export type AclPermission = 'ALLOW';

/** The host of every binding: this project never pins a principal to an address. */
export const ANY_HOST = '*';

/** Kafka names the one cluster resource `kafka-cluster` (`Resource.CLUSTER_NAME`), LITERAL. */
export const CLUSTER_RESOURCE_NAME = 'kafka-cluster';

export interface AclBinding {
  readonly resourceType: AclResourceType;
  readonly resourceName: string;
  readonly patternType: AclPatternType;
  /** `User:<name>`: the principal Kafka gives a SASL/SCRAM client. */
  readonly principal: string;
  readonly host: typeof ANY_HOST;
  readonly operation: AclOperation;
  readonly permission: AclPermission;
}

/** The principal of a SASL/SCRAM user: Kafka's `User:` type and the user name. */
export const scramPrincipal = (user: string): string => `User:${user}`;

/** Any ACL as a broker describes it (other principals, DENY, other resource types included). */
export type AclBindingLike = { readonly [K in keyof AclBinding]: string };

/** Identity of a binding: two bindings with the same key are the same ACL. */
export function bindingKey(b: AclBindingLike): string {
  return [
    b.principal,
    b.host,
    b.permission,
    b.operation,
    b.resourceType,
    b.patternType,
    b.resourceName,
  ].join('|');
}

/** `User:billing ALLOW WRITE on TOPIC:LITERAL:orders from *` (Kafka's authorizer log order). */
export function formatBinding(b: AclBindingLike): string {
  return `${b.principal} ${b.permission} ${b.operation} on ${b.resourceType}:${b.patternType}:${b.resourceName} from ${b.host}`;
}

/** Deduplicated and in a stable order (principal, resource, operation). */
export function normalizeBindings<T extends AclBindingLike>(bindings: readonly T[]): T[] {
  const byKey = new Map(bindings.map((b) => [bindingKey(b), b]));
  const sortKey = (b: T) =>
    [b.principal, b.resourceType, b.patternType, b.resourceName, b.operation].join('\u0000');
  return [...byKey.values()].sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : 1));
}

/**
 * What is wrong with one raw binding (e.g. from CloudFormation properties, where every value
 * arrives as a string), or an empty list when it is a binding this project may manage.
 */
export function bindingProblems(raw: unknown): string[] {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return [
      'must be an object with resourceType, resourceName, patternType, principal, host, operation, permission',
    ];
  }
  const b = raw as Record<string, unknown>;
  const problems: string[] = [];
  const oneOf = (field: string, allowed: readonly string[]) => {
    if (!allowed.includes(b[field] as string)) {
      problems.push(`${field} ${JSON.stringify(b[field])} must be one of ${allowed.join(', ')}`);
    }
  };
  oneOf('resourceType', ACL_RESOURCE_TYPES);
  oneOf('patternType', ACL_PATTERN_TYPES);
  oneOf('operation', ACL_OPERATIONS);
  oneOf('permission', ['ALLOW']);
  oneOf('host', [ANY_HOST]);
  if (!ACL_RESOURCE_NAME.test(b.resourceName)) {
    problems.push(
      `resourceName ${JSON.stringify(b.resourceName)} must be ${ACL_RESOURCE_NAME.allowed}`,
    );
  }
  const principal = typeof b.principal === 'string' ? b.principal : '';
  if (!principal.startsWith('User:') || !SCRAM_USER_NAME.test(principal.slice('User:'.length))) {
    problems.push(
      `principal ${JSON.stringify(b.principal)} must be User:<SCRAM user name> (${SCRAM_USER_NAME.allowed})`,
    );
  }
  if (b.resourceType === 'CLUSTER') {
    if (b.resourceName !== CLUSTER_RESOURCE_NAME || b.patternType !== 'LITERAL') {
      problems.push(`the CLUSTER resource is LITERAL "${CLUSTER_RESOURCE_NAME}"`);
    }
    // AWS Knowledge Center "msk-sasl-scram-issues": with SASL/SCRAM on, CLUSTER_ACTION ACLs on the
    // cluster stop inter-broker replication (brokers appear as User:ANONYMOUS); MSK does not
    // support that setting. ALL would grant a client CLUSTER_ACTION (the brokers' own operation).
    if (b.operation === 'CLUSTER_ACTION' || b.operation === 'ALL') {
      problems.push(
        `${b.operation} on the CLUSTER is refused: on MSK with SASL/SCRAM it blocks inter-broker replication (AWS Knowledge Center, msk-sasl-scram-issues)`,
      );
    }
  }
  return problems;
}
