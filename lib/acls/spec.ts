/**
 * What a SCRAM user may do, written the way a person writes it on the command line or in code,
 * and the exact Kafka ACL bindings that follows from it. Pure: no CDK, no AWS.
 *
 * ```json
 * ["consumer", {"name":"billing","produce":["orders"],"consume":[{"topic":"orders","group":"billing-*"}]}]
 * ```
 *
 * A plain string is a user with no permissions. A name ending in `*` is a PREFIXED pattern
 * (`orders.*` → every topic starting with `orders.`); any other name is LITERAL.
 *
 * How the ACLs behave on MSK (docs/cluster-and-acls.md#kafka-acls-for-scram-users has the sources):
 * - MSK sets `allow.everyone.if.no.acl.found=true`: a resource with **no** ACL at all is open to
 *   every SCRAM user; as soon as one ACL matches a resource, only principals with a matching
 *   ALLOW may use it (Kafka's `StandardAuthorizerData`: `hasResourceAcls` → default deny).
 *   So an ACL for one user on `orders` closes `orders` to every other SCRAM user.
 * - Kafka ACLs do not apply to IAM principals (MSK Developer Guide, "IAM access control").
 * - No ACL is put on the CLUSTER resource unless asked: one would end the open default for the
 *   cluster resource for every SCRAM user at once (topic creation, idempotent-producer ID
 *   requests on old brokers, DescribeConfigs, …), and MSK's brokers can appear as
 *   `User:ANONYMOUS` on the replication listener (AWS Knowledge Center, msk-sasl-scram-issues).
 */
import {
  acceptsPrefix,
  AclBinding,
  AclOperation,
  AclPatternType,
  AclResourceType,
  ANY_HOST,
  CLUSTER_RESOURCE_NAME,
  CONSUMER_GROUP,
  MAX_SCRAM_USERS,
  normalizeBindings,
  SCRAM_USER_NAME,
  scramPrincipal,
  TOPIC_NAME,
} from '../../secure-msk-constructs/model';

export type {
  AclBinding,
  AclOperation,
  AclPatternType,
  AclResourceType,
} from '../../secure-msk-constructs/model';
export { bindingKey, formatBinding, scramPrincipal } from '../../secure-msk-constructs/model';

/** Read a topic (or topics, with a trailing `*`) as a member of a group (or groups). */
export interface ConsumePermission {
  readonly topic: string;
  readonly group: string;
}

/** A SASL/SCRAM user and what it may do, as written. */
export interface ScramUser {
  readonly name: string;
  /** Topics it may write to; `prefix*` for a prefix. */
  readonly produce: readonly string[];
  /** Topics it may read, and with which consumer groups. */
  readonly consume: readonly ConsumePermission[];
}

/** What a user may write: a name (no permissions) or the object form. */
export type ScramUserInput =
  | string
  | {
      readonly name: string;
      readonly produce?: readonly string[];
      readonly consume?: readonly ConsumePermission[];
    };

/** Where problems go: `lib/config/validation.ts`'s `Problems` fits. */
export interface ProblemSink {
  add(setting: string, value: unknown, allowed: string): void;
}

export { MAX_SCRAM_USERS } from '../../secure-msk-constructs/model';
const USER_KEYS = ['name', 'produce', 'consume'];
const CONSUME_KEYS = ['topic', 'group'];

/** A resource reference: `name` → LITERAL name, `prefix*` → PREFIXED prefix. */
export function patternOf(ref: string): { name: string; patternType: AclPatternType } {
  return ref.endsWith('*')
    ? { name: ref.slice(0, -1), patternType: 'PREFIXED' }
    : { name: ref, patternType: 'LITERAL' };
}

function checkRef(
  kind: 'topic' | 'group',
  ref: unknown,
  setting: string,
  topics: readonly string[] | undefined,
  problems: ProblemSink,
): ref is string {
  const rule = kind === 'topic' ? TOPIC_NAME : CONSUMER_GROUP;
  if (typeof ref !== 'string') {
    problems.add(setting, ref, `must be a ${kind} name, or a prefix ending in "*"`);
    return false;
  }
  const { name, patternType } = patternOf(ref);
  if (patternType === 'PREFIXED' && name === '') {
    problems.add(
      setting,
      ref,
      `must name a prefix before "*" (e.g. "orders.*"); a bare "*" would match every ${kind}`,
    );
    return false;
  }
  if (!(patternType === 'PREFIXED' ? acceptsPrefix(rule, name) : rule.test(name))) {
    problems.add(
      setting,
      ref,
      `must be a ${kind} name of ${rule.allowed}, optionally ending in "*" for a prefix ("*" nowhere else)`,
    );
    return false;
  }
  if (kind === 'topic' && patternType === 'LITERAL' && topics && !topics.includes(name)) {
    problems.add(
      setting,
      ref,
      `must be one of the configured topics (${topics.join(', ') || 'none'}), or a prefix ending in "*"`,
    );
    return false;
  }
  return true;
}

function listAt(
  raw: unknown,
  setting: string,
  what: string,
  problems: ProblemSink,
): unknown[] | undefined {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) {
    problems.add(setting, raw, `must be a list of ${what}`);
    return undefined;
  }
  return raw;
}

/**
 * One entry of `scramUsers`: a user name, or `{ name, produce?, consume? }`. Checks the shape
 * and the names (topics against `topics` when given); reports every problem under `path`
 * (e.g. `scramUsers[1]`), and returns the user when there were none.
 */
export function parseScramUser(
  raw: unknown,
  path: string,
  problems: ProblemSink,
  topics?: readonly string[],
): ScramUser | undefined {
  if (typeof raw === 'string') {
    if (!SCRAM_USER_NAME.test(raw)) {
      problems.add(path, raw, `must be ${SCRAM_USER_NAME.allowed}`);
      return undefined;
    }
    return { name: raw, produce: [], consume: [] };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    problems.add(
      path,
      raw,
      'must be a user name or { "name": …, "produce": [topics], "consume": [{ "topic": …, "group": … }] }',
    );
    return undefined;
  }
  let ok = true;
  const entry = raw as Record<string, unknown>;
  for (const key of Object.keys(entry).filter((k) => !USER_KEYS.includes(k))) {
    problems.add(
      `${path}.${key}`,
      entry[key],
      `is not a setting; allowed: ${USER_KEYS.join(', ')}`,
    );
    ok = false;
  }
  if (typeof entry.name !== 'string' || !SCRAM_USER_NAME.test(entry.name)) {
    problems.add(`${path}.name`, entry.name, `must be ${SCRAM_USER_NAME.allowed}`);
    ok = false;
  }

  const produce: string[] = [];
  const produceList = listAt(entry.produce, `${path}.produce`, 'topic names', problems);
  if (!produceList) ok = false;
  produceList?.forEach((topic, i) => {
    if (checkRef('topic', topic, `${path}.produce[${i}]`, topics, problems)) produce.push(topic);
    else ok = false;
  });

  const consume: ConsumePermission[] = [];
  const consumeList = listAt(
    entry.consume,
    `${path}.consume`,
    '{ "topic": …, "group": … } objects',
    problems,
  );
  if (!consumeList) ok = false;
  consumeList?.forEach((item, i) => {
    const at = `${path}.consume[${i}]`;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      problems.add(at, item, 'must be { "topic": …, "group": … }');
      ok = false;
      return;
    }
    const c = item as Record<string, unknown>;
    for (const key of Object.keys(c).filter((k) => !CONSUME_KEYS.includes(k))) {
      problems.add(`${at}.${key}`, c[key], `is not a setting; allowed: topic, group`);
      ok = false;
    }
    const topicOk = checkRef('topic', c.topic, `${at}.topic`, topics, problems);
    const groupOk = checkRef('group', c.group, `${at}.group`, undefined, problems);
    if (topicOk && groupOk) consume.push({ topic: c.topic as string, group: c.group as string });
    else ok = false;
  });

  return ok ? { name: entry.name as string, produce, consume } : undefined;
}

/**
 * The `scramUsers` setting: a JSON list (or its text) of entries, or comma-separated names.
 * Checks every entry (`parseScramUser`), the count (1–1000, MSK's limit) and duplicate names,
 * and reports every problem at once; returns the users that are valid.
 */
export function validateScramUsers(
  raw: unknown,
  topics: readonly string[],
  problems: ProblemSink,
): ScramUser[] {
  let value = raw;
  if (typeof raw === 'string') {
    const text = raw.trim();
    if (text.startsWith('[')) {
      try {
        value = JSON.parse(text);
      } catch {
        problems.add('scramUsers', raw, 'must be a JSON list of users, or comma-separated names');
        return [];
      }
    } else {
      value = text === '' ? [] : text.split(',').map((s) => s.trim());
    }
  }
  if (!Array.isArray(value)) {
    problems.add('scramUsers', raw, 'must be a list of user names or user objects');
    return [];
  }
  if (value.length < 1 || value.length > MAX_SCRAM_USERS) {
    problems.add(
      'scramUsers',
      raw,
      `must list 1 to ${MAX_SCRAM_USERS} users (MSK's limit per cluster)`,
    );
  }
  const users = value
    .map((entry, i) => parseScramUser(entry, `scramUsers[${i}]`, problems, topics))
    .filter((u): u is ScramUser => u !== undefined);

  const names = value.map((entry) =>
    typeof entry === 'string' ? entry : (entry as { name?: unknown } | null)?.name,
  );
  const repeated = [
    ...new Set(names.filter((n, i) => typeof n === 'string' && names.indexOf(n) !== i) as string[]),
  ];
  if (repeated.length) {
    problems.add('scramUsers', raw, `must not repeat a user (repeated: ${repeated.join(', ')})`);
  }
  return users;
}

function binding(
  principal: string,
  resourceType: AclResourceType,
  ref: string,
  operation: AclOperation,
): AclBinding {
  const { name, patternType } = patternOf(ref);
  return {
    resourceType,
    resourceName: name,
    patternType,
    principal,
    host: ANY_HOST,
    operation,
    permission: 'ALLOW',
  };
}

/**
 * The ACLs of a user, deduplicated and sorted:
 * - produce `T`: WRITE and DESCRIBE on topic T. No IDEMPOTENT_WRITE on the CLUSTER: for Kafka
 *   2.8.0 and later MSK documents it as deprecated (KIP-679; MSK Developer Guide, "Create
 *   authorization policies for the IAM role"), brokers from 2.8 accept WRITE on a topic for an
 *   idempotent producer's InitProducerId (KAFKA-13759, as quoted by Kpow's "Kafka 3.2.0
 *   idempotent producer breaking change"); this project runs Kafka ≥ 3.6. Confirmed on Apache Kafka 4.1.2 and 3.9.2, with the CLUSTER
 *   resource open and closed (test/kafka/authorization and closed-cluster); not run on MSK.
 * - consume `{ topic T, group G }`: READ and DESCRIBE on topic T, READ and DESCRIBE on group G,
 *   as Lambda lists for its Kafka consumer (Lambda Developer Guide, "Troubleshooting Kafka
 *   event source mapping errors"). READ implies DESCRIBE in Kafka's authorizer
 *   (`StandardAuthorizerData.IMPLIES_DESCRIBE`; test/kafka/authorization.kafka-test.ts consumes
 *   with READ alone); the DESCRIBE entries make that explicit.
 */
export function aclBindingsFor(user: ScramUser): AclBinding[] {
  const principal = scramPrincipal(user.name);
  return normalizeBindings([
    ...user.produce.flatMap((topic) => [
      binding(principal, 'TOPIC', topic, 'WRITE'),
      binding(principal, 'TOPIC', topic, 'DESCRIBE'),
    ]),
    ...user.consume.flatMap(({ topic, group }) => [
      binding(principal, 'TOPIC', topic, 'READ'),
      binding(principal, 'TOPIC', topic, 'DESCRIBE'),
      binding(principal, 'GROUP', group, 'READ'),
      binding(principal, 'GROUP', group, 'DESCRIBE'),
    ]),
  ]);
}

export interface LambdaConsumerAclOptions {
  /**
   * The cluster's `allow.everyone.if.no.acl.found`. When false, the CLUSTER resource has no open
   * default and the event source needs DESCRIBE_CONFIGS on it as an ACL.
   *
   * @default true - MSK's default: no CLUSTER ACL (DESCRIBE_CONFIGS stays open through the
   *   default, and no ACL closes the cluster resource for every other SCRAM user)
   */
  readonly allowEveryoneIfNoAclFound?: boolean;
  /**
   * The mapping's Kafka on-failure destination (`kafka://<topic>`): WRITE and DESCRIBE on it
   * (LITERAL), what a producer needs. Lambda documents the IAM action (`kafka-cluster:WriteData`,
   * "Capturing discarded batches…") but lists no ACLs for SASL/SCRAM; these are unverified on
   * MSK. Kafka 2.8 and later accept WRITE on the topic for an idempotent producer (see
   * `aclBindingsFor`). Note that the ACL closes the topic to every other SCRAM user (MSK's
   * `allow.everyone.if.no.acl.found`): a user that reads the DLT needs its own READ.
   *
   * @default - no dead-letter topic
   */
  readonly deadLetterTopic?: string;
}

/**
 * The ACLs a Lambda Kafka event source needs with SASL/SCRAM (Lambda Developer Guide,
 * "Troubleshooting Kafka event source mapping errors", "Cluster failed to authorize Lambda"):
 * DESCRIBE and READ on its topic and on its consumer group (the mapping's UUID unless a group
 * id is set), and DESCRIBE_CONFIGS on the cluster, which is given as an ACL only when
 * `allowEveryoneIfNoAclFound` is false (see `LambdaConsumerAclOptions`); WRITE and DESCRIBE on its
 * dead-letter topic when it has one (unverified on MSK). Topic and group are exact names
 * (LITERAL), as the mapping names them.
 */
export function lambdaConsumerBindings(
  user: string,
  topic: string,
  group: string,
  options: LambdaConsumerAclOptions = {},
): AclBinding[] {
  const principal = scramPrincipal(user);
  const literal = (
    resourceType: AclResourceType,
    name: string,
    operation: AclOperation,
  ): AclBinding => ({
    resourceType,
    resourceName: name,
    patternType: 'LITERAL',
    principal,
    host: ANY_HOST,
    operation,
    permission: 'ALLOW',
  });
  return normalizeBindings([
    literal('TOPIC', topic, 'READ'),
    literal('TOPIC', topic, 'DESCRIBE'),
    literal('GROUP', group, 'READ'),
    literal('GROUP', group, 'DESCRIBE'),
    ...(options.deadLetterTopic === undefined
      ? []
      : [
          literal('TOPIC', options.deadLetterTopic, 'WRITE'),
          literal('TOPIC', options.deadLetterTopic, 'DESCRIBE'),
        ]),
    ...(options.allowEveryoneIfNoAclFound === false
      ? [literal('CLUSTER', CLUSTER_RESOURCE_NAME, 'DESCRIBE_CONFIGS')]
      : []),
  ]);
}
