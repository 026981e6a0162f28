/**
 * What a deployment changes on the platform, in its own terms, and which of those changes lose
 * data or access. Pure functions over the templates of a deployment (nested stacks included):
 * the deployed ones and the synthesized ones.
 *
 * - SCRAM users: `AWS::SecretsManager::Secret` named `AmazonMSK_<cluster>_<user>` (the user
 *   is the `username` of its `SecretStringTemplate`).
 * - ACL bindings: the `Bindings` of `Custom::MskKafkaAcls`.
 * - Topics: `AWS::MSK::Topic` by `TopicName`.
 * - Consumers: an `AWS::Lambda::EventSourceMapping` on MSK and its function (the consumer's
 *   name is the function's `POWERTOOLS_SERVICE_NAME`), its consumer group, its failure queue
 *   (the mapping's on-failure destination), its log group and the alarms that watch the
 *   function or the queue (directly or through `Fn::GetStackOutput`).
 * - Alarms: `AWS::CloudWatch::Alarm` by `AlarmName`; log groups by `LogGroupName`; KMS keys by
 *   their alias.
 *
 * Removals that lose data or access are refused unless `--allow-removal <kind>:<name>` names
 * each one (docs/deploying.md): `user:<user>`, `topic:<topic>`, `consumer:<consumer>`,
 * `group:<old consumer group>`, `key:<alias>`, `log-group:<name>`, `failure-queue:<consumer>`.
 */
import type { CfnResource, CfnTemplate } from '../shared/template';
import { references, StackPlan } from './replacement';

/** A resource of the deployment: its stack (or nested stack), logical id and definition. */
export interface Located {
  readonly stack: string;
  readonly logicalId: string;
  readonly resource: CfnResource;
}

export interface ScramUser {
  readonly name: string;
  readonly secretName: string;
  readonly secret: Located;
}

export interface AclBinding {
  /** `User:billing WRITE TOPIC orders` (`orders*` for a prefix; `DENY`, host when not `*`). */
  readonly text: string;
  readonly principal: string;
}

export interface Topic {
  readonly name: string;
  readonly topic: Located;
}

export interface Consumer {
  readonly name: string;
  readonly group?: string;
  readonly topics: readonly string[];
  readonly startingPosition?: string;
  readonly mapping: Located;
  readonly function?: Located;
  readonly failureQueue?: Located;
  readonly logGroup?: Located & { readonly name: string };
  /** Names of the alarms that watch its function or its failure queue. */
  readonly alarms: readonly string[];
}

export interface Named {
  readonly name: string;
  readonly located: Located;
}

export interface FailureQueue {
  /** The consumer whose on-failure destination it is. */
  readonly consumer: string;
  readonly located: Located;
}

/** The platform as one side of a deployment describes it. */
export interface Platform {
  readonly users: ReadonlyMap<string, ScramUser>;
  /** By `text`. */
  readonly bindings: ReadonlyMap<string, AclBinding>;
  readonly topics: ReadonlyMap<string, Topic>;
  readonly consumers: ReadonlyMap<string, Consumer>;
  readonly alarms: ReadonlyMap<string, Named>;
  readonly logGroups: ReadonlyMap<string, Named>;
  /** By alias (`alias/msk-secure-dev`), else `<stack>/<logical id>`. */
  readonly keys: ReadonlyMap<string, Named>;
  /** By `<stack>/<logical id>`. */
  readonly failureQueues: ReadonlyMap<string, FailureQueue>;
}

/** One template of the deployment: a stack's or a nested stack's. */
export interface NamedTemplate {
  readonly stackName: string;
  readonly template: CfnTemplate;
}

type Props = Record<string, unknown>;

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

const refOf = (value: unknown): string | undefined =>
  value && typeof value === 'object' ? str((value as Props).Ref) : undefined;

const getAttOf = (value: unknown): string | undefined => {
  const att = value && typeof value === 'object' ? (value as Props)['Fn::GetAtt'] : undefined;
  return Array.isArray(att) ? str(att[0]) : undefined;
};

/** `User:billing WRITE TOPIC orders`, `orders*` for a prefixed pattern. */
export function bindingText(binding: Props): string {
  const field = (key: string) => {
    const value = binding[key];
    return typeof value === 'string' ? value : JSON.stringify(value);
  };
  const prefix = field('patternType') === 'PREFIXED' ? '*' : '';
  const pattern = ['LITERAL', 'PREFIXED'].includes(field('patternType'))
    ? ''
    : ` (${field('patternType')})`;
  const permission = field('permission') === 'ALLOW' ? '' : `${field('permission')} `;
  const host = binding.host === undefined || field('host') === '*' ? '' : ` from ${field('host')}`;
  return (
    `${field('principal')} ${permission}${field('operation')} ` +
    `${field('resourceType')} ${field('resourceName')}${prefix}${pattern}${host}`
  );
}

/** Reads users, ACLs, topics, consumers, alarms, log groups, keys and failure queues. */
export function readPlatform(templates: readonly NamedTemplate[]): Platform {
  const users = new Map<string, ScramUser>();
  const bindings = new Map<string, AclBinding>();
  const topics = new Map<string, Topic>();
  const consumers = new Map<string, Consumer>();
  const alarms = new Map<string, Named>();
  const logGroups = new Map<string, Named>();
  const keys = new Map<string, Named>();
  const failureQueues = new Map<string, FailureQueue>();
  const alarmResources: Named[] = [];

  for (const { stackName: stack, template } of templates) {
    const resources = template.Resources ?? {};
    const at = (logicalId: string): Located | undefined =>
      resources[logicalId] ? { stack, logicalId, resource: resources[logicalId] } : undefined;
    for (const [logicalId, resource] of Object.entries(resources)) {
      const located = { stack, logicalId, resource };
      const p = resource.Properties ?? {};
      switch (resource.Type) {
        case 'AWS::SecretsManager::Secret': {
          const secretName = str(p.Name);
          if (!secretName?.startsWith('AmazonMSK_')) break;
          const generate = (p.GenerateSecretString ?? {}) as Props;
          let name: string | undefined;
          try {
            name = str(JSON.parse(str(generate.SecretStringTemplate) ?? '{}').username);
          } catch {
            name = undefined;
          }
          name ??= secretName.slice(secretName.lastIndexOf('_') + 1);
          users.set(name, { name, secretName, secret: located });
          break;
        }
        case 'Custom::MskKafkaAcls':
          for (const b of Array.isArray(p.Bindings) ? p.Bindings : []) {
            if (!b || typeof b !== 'object') continue;
            const text = bindingText(b as Props);
            bindings.set(text, { text, principal: String((b as Props).principal) });
          }
          break;
        case 'AWS::MSK::Topic': {
          const name = str(p.TopicName) ?? `${stack}/${logicalId}`;
          topics.set(name, { name, topic: located });
          break;
        }
        case 'AWS::CloudWatch::Alarm': {
          const alarm = { name: str(p.AlarmName) ?? `${stack}/${logicalId}`, located };
          alarms.set(alarm.name, alarm);
          alarmResources.push(alarm);
          break;
        }
        case 'AWS::Logs::LogGroup': {
          const name = str(p.LogGroupName) ?? `${stack}/${logicalId}`;
          logGroups.set(name, { name, located });
          break;
        }
        case 'AWS::KMS::Key': {
          const alias = Object.values(resources).find(
            (r) => r.Type === 'AWS::KMS::Alias' && refOf(r.Properties?.TargetKeyId) === logicalId,
          );
          const name = str(alias?.Properties?.AliasName) ?? `${stack}/${logicalId}`;
          keys.set(name, { name, located });
          break;
        }
        case 'AWS::Lambda::EventSourceMapping': {
          const source = (p.AmazonManagedKafkaEventSourceConfig ??
            p.SelfManagedKafkaEventSourceConfig) as Props | undefined;
          if (!source) break;
          const fnId = refOf(p.FunctionName);
          const fn = fnId ? at(fnId) : undefined;
          const env = ((fn?.resource.Properties?.Environment as Props | undefined)?.Variables ??
            {}) as Props;
          const name = str(env.POWERTOOLS_SERVICE_NAME) ?? fnId ?? `${stack}/${logicalId}`;
          const destination = (
            (p.DestinationConfig as Props | undefined)?.OnFailure as Props | undefined
          )?.Destination;
          const queueId = getAttOf(destination);
          const failureQueue = queueId ? at(queueId) : undefined;
          const logGroupId = refOf(
            (fn?.resource.Properties?.LoggingConfig as Props | undefined)?.LogGroup,
          );
          const logGroup = logGroupId ? at(logGroupId) : undefined;
          consumers.set(name, {
            name,
            group: str(source.ConsumerGroupId),
            topics: Array.isArray(p.Topics) ? p.Topics.map(String) : [],
            startingPosition: str(p.StartingPosition),
            mapping: located,
            function: fn,
            failureQueue,
            logGroup: logGroup && {
              ...logGroup,
              name: str(logGroup.resource.Properties?.LogGroupName) ?? logGroup.logicalId,
            },
            alarms: [],
          });
          if (failureQueue) {
            failureQueues.set(`${stack}/${failureQueue.logicalId}`, {
              consumer: name,
              located: failureQueue,
            });
          }
          break;
        }
      }
    }
  }

  // A consumer's alarms: those that refer to its function or failure queue, in its own stack
  // or through an output of its stack read with Fn::GetStackOutput.
  const outputsOf = new Map(templates.map((t) => [t.stackName, t.template.Outputs ?? {}]));
  for (const consumer of consumers.values()) {
    const own = [consumer.function, consumer.failureQueue].filter((r) => r !== undefined);
    const stack = consumer.mapping.stack;
    const ids = new Set(own.map((r) => r.logicalId));
    const outputs = new Set(
      Object.entries(outputsOf.get(stack) ?? {})
        .filter(([, o]) => [...references(o.Value).local].some((id) => ids.has(id)))
        .map(([name]) => `${stack}/${name}`),
    );
    const watching = alarmResources.filter(({ located }) => {
      const refs = references(located.resource.Properties ?? {});
      return (
        [...refs.remote].some((o) => outputs.has(o)) ||
        (located.stack === stack && [...refs.local].some((id) => ids.has(id)))
      );
    });
    consumers.set(consumer.name, { ...consumer, alarms: watching.map((a) => a.name).sort() });
  }

  return { users, bindings, topics, consumers, alarms, logGroups, keys, failureQueues };
}

// ---------------------------------------------------------------------------------------------
// The summary

export type ChangeKind = 'added' | 'changed' | 'removed';

export interface Change {
  readonly kind: ChangeKind;
  readonly name: string;
  /** What it is (added, removed) or what changes (changed). */
  readonly detail?: string;
}

export interface CategoryChanges {
  readonly changes: readonly Change[];
  readonly unchanged: number;
}

export const CATEGORIES = {
  users: 'SCRAM users',
  acls: 'ACL bindings',
  topics: 'Topics',
  consumers: 'Consumers',
  alarms: 'Alarms',
  logGroups: 'Log groups',
  keys: 'KMS keys',
  failureQueues: 'Failure queues',
  stacks: 'Stacks',
} as const;

export type Category = keyof typeof CATEGORIES;

/** The categories printed even without a change; the others only when something changes. */
const ALWAYS_SHOWN: readonly Category[] = ['users', 'acls', 'topics', 'consumers', 'alarms'];

export type PlatformChanges = { readonly [K in Category]: CategoryChanges };

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Top-level property names whose values differ. */
function changedProperties(before?: CfnResource, after?: CfnResource): string[] {
  const a = before?.Properties ?? {};
  const b = after?.Properties ?? {};
  return [...new Set([...Object.keys(a), ...Object.keys(b)])]
    .filter((k) => !same(a[k], b[k]))
    .sort();
}

const scalar = (v: unknown) => (v === undefined ? 'unset' : typeof v === 'object' ? '…' : `${v}`);

/** `PartitionCount 3 → 6, Configs` : scalar changes with their values, others by name. */
function propertyChanges(before?: CfnResource, after?: CfnResource): string | undefined {
  const keys = changedProperties(before, after);
  if (keys.length === 0) return undefined;
  return keys
    .map((k) => {
      const a = before?.Properties?.[k];
      const b = after?.Properties?.[k];
      return typeof a === 'object' || typeof b === 'object'
        ? k
        : `${k} ${scalar(a)} → ${scalar(b)}`;
    })
    .join(', ');
}

function compare<T>(
  before: ReadonlyMap<string, T>,
  after: ReadonlyMap<string, T>,
  describe: (item: T, side: Platform) => string | undefined,
  changed: (a: T, b: T) => string | undefined,
  sides: { before: Platform; after: Platform },
): CategoryChanges {
  const changes: Change[] = [];
  let unchanged = 0;
  for (const [name, item] of after) {
    const old = before.get(name);
    if (!old) {
      changes.push({ kind: 'added', name, detail: describe(item, sides.after) });
      continue;
    }
    const detail = changed(old, item);
    if (detail) changes.push({ kind: 'changed', name, detail });
    else unchanged++;
  }
  for (const [name, item] of before) {
    if (!after.has(name)) {
      changes.push({ kind: 'removed', name, detail: describe(item, sides.before) });
    }
  }
  const order: Record<ChangeKind, number> = { added: 0, changed: 1, removed: 2 };
  changes.sort((a, b) => order[a.kind] - order[b.kind] || a.name.localeCompare(b.name));
  return { changes, unchanged };
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

const aclsOf = (platform: Platform, user: string) =>
  [...platform.bindings.values()].filter((b) => b.principal === `User:${user}`);

const consumerText = (c: Consumer) =>
  [
    c.topics.length > 0 ? `topic ${c.topics.join(', ')}` : undefined,
    c.group ? `group ${c.group}` : undefined,
    c.startingPosition ? `from ${c.startingPosition}` : undefined,
  ]
    .filter(Boolean)
    .join(', ');

/** Every change on the platform between the deployed side and the next one. */
export function comparePlatforms(before: Platform, after: Platform): PlatformChanges {
  const sides = { before, after };
  const byProperties = (a: Named, b: Named) =>
    propertyChanges(a.located.resource, b.located.resource);
  return {
    users: compare(
      before.users,
      after.users,
      (u, side) => `secret ${u.secretName}, ${plural(aclsOf(side, u.name).length, 'ACL')}`,
      (a, b) => {
        const old = new Set(aclsOf(before, a.name).map((x) => x.text));
        const next = new Set(aclsOf(after, b.name).map((x) => x.text));
        const added = [...next].filter((x) => !old.has(x)).length;
        const removed = [...old].filter((x) => !next.has(x)).length;
        const secret = propertyChanges(a.secret.resource, b.secret.resource);
        return (
          [
            added || removed ? `ACLs +${added} −${removed}` : undefined,
            secret ? `secret ${secret}` : undefined,
          ]
            .filter(Boolean)
            .join('; ') || undefined
        );
      },
      sides,
    ),
    acls: compare(
      before.bindings,
      after.bindings,
      () => undefined,
      () => undefined,
      sides,
    ),
    topics: compare(
      before.topics,
      after.topics,
      (t) => {
        const p = t.topic.resource.Properties ?? {};
        return `${scalar(p.PartitionCount)} partitions, replication ${scalar(p.ReplicationFactor)}`;
      },
      (a, b) => propertyChanges(a.topic.resource, b.topic.resource),
      sides,
    ),
    consumers: compare(
      before.consumers,
      after.consumers,
      consumerText,
      (a, b) => {
        const parts: string[] = [];
        if (a.group !== b.group) parts.push(`group ${a.group} → ${b.group}`);
        if (!same(a.topics, b.topics)) parts.push(`topic ${a.topics} → ${b.topics}`);
        if (a.startingPosition !== b.startingPosition) {
          parts.push(`starting position ${a.startingPosition} → ${b.startingPosition}`);
        }
        const mapping = changedProperties(a.mapping.resource, b.mapping.resource).filter(
          (k) => !['AmazonManagedKafkaEventSourceConfig', 'Topics', 'StartingPosition'].includes(k),
        );
        if (mapping.length > 0) parts.push(`event source mapping ${mapping.join(', ')}`);
        const fn = changedProperties(a.function?.resource, b.function?.resource);
        if (fn.length > 0) parts.push(`function ${fn.join(', ')}`);
        return parts.join('; ') || undefined;
      },
      sides,
    ),
    alarms: compare(before.alarms, after.alarms, () => undefined, byProperties, sides),
    logGroups: compare(before.logGroups, after.logGroups, () => undefined, byProperties, sides),
    keys: compare(before.keys, after.keys, () => undefined, byProperties, sides),
    failureQueues: compare(
      before.failureQueues,
      after.failureQueues,
      (q) => `of consumer ${q.consumer}`,
      () => undefined,
      sides,
    ),
    stacks: { changes: [], unchanged: 0 },
  };
}

/** Stacks and nested stacks that the deployment creates or deletes. */
export function stackChanges(plans: readonly StackPlan[]): CategoryChanges {
  const changes: Change[] = [];
  for (const plan of plans) {
    if (!plan.deployed) changes.push({ kind: 'added', name: plan.stackName });
    else if (Object.keys(plan.next.Resources ?? {}).length === 0) {
      changes.push({ kind: 'removed', name: plan.stackName });
    }
  }
  return { changes, unchanged: plans.length - changes.length };
}

/** The platform on each side of a deployment's plans, and every change between them. */
export function summarizePlans(plans: readonly StackPlan[]): {
  before: Platform;
  after: Platform;
  changes: PlatformChanges;
} {
  const before = readPlatform(
    plans.flatMap((p) => (p.deployed ? [{ stackName: p.stackName, template: p.deployed }] : [])),
  );
  const after = readPlatform(plans.map((p) => ({ stackName: p.stackName, template: p.next })));
  return {
    before,
    after,
    changes: { ...comparePlatforms(before, after), stacks: stackChanges(plans) },
  };
}

const MARK: Record<ChangeKind, string> = { added: '+', changed: '~', removed: '-' };

/** The summary printed before deploying: one block per category, `+` added, `~` changed, `-` removed. */
export function formatChanges(changes: PlatformChanges): string {
  const lines = ['Platform changes (deployed → this deployment, nested stacks included):'];
  for (const category of Object.keys(CATEGORIES) as Category[]) {
    const { changes: list, unchanged } = changes[category];
    if (list.length === 0 && !ALWAYS_SHOWN.includes(category)) continue;
    const counts = (['added', 'changed', 'removed'] as const)
      .map((kind) => [kind, list.filter((c) => c.kind === kind).length] as const)
      .filter(([, n]) => n > 0)
      .map(([kind, n]) => `${n} ${kind}`);
    if (unchanged > 0) counts.push(`${unchanged} unchanged`);
    lines.push(`  ${CATEGORIES[category]}: ${counts.join(', ') || 'none'}`);
    for (const c of list) {
      lines.push(`    ${MARK[c.kind]} ${c.name}${c.detail ? `: ${c.detail}` : ''}`);
    }
  }
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------
// Refusals

/** A removal that loses data or access, and the `--allow-removal` name that accepts it. */
export interface Refusal {
  /** `user:billing`, `topic:orders`, `consumer:consumer`, `group:<old group>`, … */
  readonly allow: string;
  /** What would be lost. */
  readonly message: string;
}

const retained = (r: Located | undefined) =>
  r?.resource.DeletionPolicy === 'Retain' || r?.resource.DeletionPolicy === 'RetainExceptOnCreate';

/** "its log group X is deleted with its logs" or, retained, "… is left in place, unmanaged". */
const fate = (r: Located, what: string, lost: string) =>
  retained(r)
    ? `${what} is left in place but no longer managed (DeletionPolicy Retain)`
    : `${what} is deleted${lost}`;

const STARTS: Record<string, string> = {
  LATEST: 'records published before it starts are skipped',
  TRIM_HORIZON: 'it reads the topic again from its oldest retained record',
};

/** How a new group starts, e.g. "starts at LATEST (records published before it starts are skipped)". */
const newGroupStart = (position: string | undefined) =>
  position
    ? `starts at ${position}${STARTS[position] ? ` (${STARTS[position]})` : ''}`
    : 'starts at its starting position';

/** Every removal between the two sides that loses data or access. */
export function removalRefusals(before: Platform, after: Platform): Refusal[] {
  const refusals: Refusal[] = [];

  for (const user of before.users.values()) {
    if (after.users.has(user.name)) continue;
    const acls = aclsOf(before, user.name).filter((b) => !after.bindings.has(b.text)).length;
    const secret = retained(user.secret)
      ? `its secret ${user.secretName} is left in Secrets Manager (DeletionPolicy Retain) but no ` +
        `longer associated with the cluster, and its ${plural(acls, 'ACL')} ${acls === 1 ? 'is' : 'are'} deleted`
      : `its secret ${user.secretName} and its ${plural(acls, 'ACL')} are deleted`;
    refusals.push({
      allow: `user:${user.name}`,
      message: `SCRAM user ${user.name}: ${secret}; clients using it can no longer connect.`,
    });
  }

  const addedTopics = [...after.topics.keys()].filter((t) => !before.topics.has(t));
  for (const topic of before.topics.values()) {
    if (after.topics.has(topic.name)) continue;
    const what = retained(topic.topic)
      ? 'it stays in the cluster with its records (DeletionPolicy Retain) but is no longer ' +
        'managed here'
      : 'it is deleted with every record in it';
    const renamed =
      addedTopics.length > 0
        ? ` A rename is a removal: the new topic${addedTopics.length === 1 ? '' : 's'} ` +
          `(${addedTopics.join(', ')}) start${addedTopics.length === 1 ? 's' : ''} empty.`
        : '';
    refusals.push({
      allow: `topic:${topic.name}`,
      message: `topic ${topic.name}: ${what}; producers and consumers of it fail or stop.${renamed}`,
    });
  }

  const coveredLogGroups = new Set<string>();
  const coveredQueues = new Set<string>();
  for (const consumer of before.consumers.values()) {
    const next = after.consumers.get(consumer.name);
    const groupText = consumer.group ? `group ${consumer.group}` : 'its group';
    if (!next) {
      if (consumer.logGroup) coveredLogGroups.add(consumer.logGroup.name);
      if (consumer.failureQueue) {
        coveredQueues.add(`${consumer.failureQueue.stack}/${consumer.failureQueue.logicalId}`);
      }
      const parts = ['its function and event source mapping are deleted'];
      if (consumer.failureQueue) {
        parts.push(
          fate(consumer.failureQueue, 'its failure queue', ' with the failed records in it'),
        );
      }
      if (consumer.logGroup) {
        parts.push(
          fate(consumer.logGroup, `its log group ${consumer.logGroup.name}`, ' with its logs'),
        );
      }
      const alarms = consumer.alarms.filter((a) => !after.alarms.has(a));
      if (alarms.length > 0) {
        parts.push(
          `its ${plural(alarms.length, 'alarm')} ${alarms.length === 1 ? 'is' : 'are'} deleted`,
        );
      }
      const successors = [...after.consumers.values()].filter(
        (c) =>
          !before.consumers.has(c.name) &&
          c.group !== consumer.group &&
          c.topics.some((t) => consumer.topics.includes(t)),
      );
      const successor = successors
        .map(
          (c) =>
            ` The new consumer ${c.name} reads ${c.topics.join(', ')} with a new group ${c.group}, ` +
            `which ${newGroupStart(c.startingPosition)}: it does not continue where ` +
            `${consumer.group} stopped.`,
        )
        .join('');
      refusals.push({
        allow: `consumer:${consumer.name}`,
        message:
          `consumer ${consumer.name} (${consumerText(consumer)}): ${parts.join('; ')}; ` +
          `nothing processes ${consumer.topics.join(', ') || 'its topic'} for ${groupText} any more.` +
          successor,
      });
    } else if (consumer.group !== next.group) {
      refusals.push({
        allow: `group:${consumer.group}`,
        message:
          `consumer ${consumer.name}: its consumer group changes from ${consumer.group} to ` +
          `${next.group}. The new group has no committed offsets and ${newGroupStart(next.startingPosition)}, ` +
          `not where ${consumer.group} stopped.`,
      });
    }
  }

  for (const key of before.keys.values()) {
    if (after.keys.has(key.name)) continue;
    const window = key.located.resource.Properties?.PendingWindowInDays ?? 30;
    refusals.push({
      allow: `key:${key.name}`,
      message: retained(key.located)
        ? `KMS key ${key.name}: it is left in place but no longer managed (DeletionPolicy Retain); ` +
          'what this deployment creates is encrypted with another key.'
        : `KMS key ${key.name}: it is scheduled for deletion (after ${window} days); once deleted, ` +
          'everything encrypted with it (SCRAM secrets, logs, the cluster’s data at rest, queued ' +
          'records) can no longer be decrypted.',
    });
  }

  for (const group of before.logGroups.values()) {
    if (after.logGroups.has(group.name) || coveredLogGroups.has(group.name)) continue;
    refusals.push({
      allow: `log-group:${group.name}`,
      message: `log group ${group.name}: ${fate(group.located, 'it', ' with every log event in it')}.`,
    });
  }

  for (const [id, queue] of before.failureQueues) {
    if (after.failureQueues.has(id) || coveredQueues.has(id)) continue;
    if (after.consumers.get(queue.consumer)?.failureQueue?.logicalId === queue.located.logicalId) {
      continue;
    }
    refusals.push({
      allow: `failure-queue:${queue.consumer}`,
      message: `failure queue of consumer ${queue.consumer}: ${fate(queue.located, 'it', ' with the failed records in it')}.`,
    });
  }
  return refusals;
}

/** The refusals, split by the `--allow-removal` names given; and names that matched nothing. */
export interface GuardedRemovals {
  readonly refused: readonly Refusal[];
  readonly allowed: readonly Refusal[];
  readonly unmatched: readonly string[];
}

export function applyAllowances(
  refusals: readonly Refusal[],
  allowRemoval: readonly string[],
): GuardedRemovals {
  const allow = new Set(allowRemoval);
  return {
    refused: refusals.filter((r) => !allow.has(r.allow)),
    allowed: refusals.filter((r) => allow.has(r.allow)),
    unmatched: [...allow].filter((name) => !refusals.some((r) => r.allow === name)),
  };
}

/** The refusal report: each removal, what it loses, and the flag that would allow it. */
export function formatRemovals(removals: GuardedRemovals): string {
  const lines: string[] = [];
  for (const name of removals.unmatched) {
    lines.push(`--allow-removal ${name}: this deployment removes no such thing (ignored).`);
  }
  for (const r of removals.allowed) {
    lines.push(`Removal allowed by --allow-removal ${r.allow}: ${r.message}`);
  }
  if (removals.refused.length > 0) {
    const n = removals.refused.length;
    lines.push(
      `Not deployed: ${plural(n, 'removal')} would lose data or access:`,
      ...removals.refused.map(
        (r) => `  - ${r.message} To remove it anyway: --allow-removal ${r.allow}`,
      ),
      'Nothing was changed. If it is not what you meant, keep the setting as deployed (a context ' +
        'setting replaces the default list, it does not add to it). If it is, run again with ' +
        '`npm run deploy -- … --allow-removal <name>` for each (docs/deploying.md).',
    );
  }
  return lines.join('\n');
}
