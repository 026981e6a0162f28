/**
 * ACL bindings to and from the kafkajs admin client (numeric codes of Kafka's protocol:
 * `AclOperation`, `AclPermissionType`, `ResourceType`, `PatternType`; kafkajs exports them as
 * `AclOperationTypes`, `AclPermissionTypes`, `AclResourceTypes`, `ResourcePatternTypes`).
 */
import type { AclEntry, AclFilter, Admin } from 'kafkajs';
import {
  AclOperationTypes,
  AclPermissionTypes,
  AclResourceTypes,
  ResourcePatternTypes,
} from 'kafkajs';
import type { AclBinding, AclBindingLike } from '../../model/acl-binding';

/** The parts of a kafkajs `Admin` ACL administration uses (a fake in tests). */
export type AclAdmin = Pick<
  Admin,
  'connect' | 'disconnect' | 'describeAcls' | 'createAcls' | 'deleteAcls'
>;

/** kafkajs's code tables are plain `{ NAME: number }` objects at runtime (no reverse mapping). */
function names(table: object): Map<number, string> {
  return new Map(
    Object.entries(table)
      .filter((entry): entry is [string, number] => typeof entry[1] === 'number')
      .map(([name, code]) => [code, name]),
  );
}
const code = (table: object, name: string): number => (table as Record<string, number>)[name];

const RESOURCE_TYPE_NAMES = names(AclResourceTypes);
const PATTERN_TYPE_NAMES = names(ResourcePatternTypes);
const OPERATION_NAMES = names(AclOperationTypes);
const PERMISSION_NAMES = names(AclPermissionTypes);
const nameOf = (table: Map<number, string>, value: number) =>
  table.get(value) ?? `UNKNOWN(${value})`;

/** The CreateAcls entry of a binding. */
export function toAclEntry(b: AclBinding): AclEntry {
  return {
    resourceType: code(AclResourceTypes, b.resourceType),
    resourceName: b.resourceName,
    resourcePatternType: code(ResourcePatternTypes, b.patternType),
    principal: b.principal,
    host: b.host,
    operation: code(AclOperationTypes, b.operation),
    permissionType: code(AclPermissionTypes, b.permission),
  };
}

/**
 * A DeleteAcls filter that matches this one binding and nothing else: every field is given, the
 * pattern type is LITERAL or PREFIXED (never ANY or MATCH, which would also match other patterns),
 * and the operation and permission are exact (never ANY). Kafka's filters compare given fields
 * for equality (`AclBindingFilter.matches`), so at most the identical ACL matches.
 */
export function toExactFilter(b: AclBinding): AclFilter {
  return toAclEntry(b);
}

/** Every ACL on the cluster, or only those of `principal`, as named bindings. */
export async function describeBindings(
  admin: Pick<AclAdmin, 'describeAcls'>,
  principal?: string,
): Promise<AclBindingLike[]> {
  const response = await admin.describeAcls({
    resourceType: AclResourceTypes.ANY,
    resourcePatternType: ResourcePatternTypes.ANY,
    operation: AclOperationTypes.ANY,
    permissionType: AclPermissionTypes.ANY,
    ...(principal ? { principal } : {}),
  });
  return response.resources.flatMap((resource) =>
    resource.acls.map((acl) => ({
      resourceType: nameOf(RESOURCE_TYPE_NAMES, resource.resourceType),
      resourceName: resource.resourceName,
      patternType: nameOf(PATTERN_TYPE_NAMES, resource.resourcePatternType),
      principal: acl.principal,
      host: acl.host,
      operation: nameOf(OPERATION_NAMES, acl.operation),
      permission: nameOf(PERMISSION_NAMES, acl.permissionType),
    })),
  );
}

/** Kafka's error name and code of a kafkajs protocol error (`KafkaJSProtocolError.type`/`code`). */
export function kafkaErrorCode(error: unknown): string {
  let e = error as { type?: unknown; code?: unknown; cause?: unknown; name?: unknown } | undefined;
  for (let depth = 0; e && depth < 5; depth++) {
    if (typeof e.type === 'string' && e.type) {
      return typeof e.code === 'number' ? `${e.type} (${e.code})` : e.type;
    }
    e = e.cause as typeof e;
  }
  return typeof (error as Error)?.name === 'string' ? (error as Error).name : 'UnknownError';
}
