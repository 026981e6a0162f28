/**
 * The `consumers` setting: a list of MSK-triggered Lambda consumers. Each entry names its topic
 * and may override any per-consumer default; the defaults are the `consumer*` settings of the
 * profile (so `-c consumerBatchSize=500` applies to every consumer that does not set its own).
 * Without `consumers`, the one consumer `consumer` is built from the `consumer*` settings.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { KafkaTopic } from '../../secure-msk-constructs';
import {
  CONSUMER_GROUP,
  CONSUMER_NAME,
  DEAD_LETTER_TOPIC,
  MSK_EVENT_SOURCE_LIMITS,
  TOPIC_NAME,
} from '../../secure-msk-constructs/model';
import { Problems } from './validation';

export const CONSUMER_AUTH_MODES = ['scram', 'iam'] as const;
/** How a Lambda consumer authenticates to the cluster. */
export type ConsumerAuth = (typeof CONSUMER_AUTH_MODES)[number];

export const STARTING_POSITIONS = ['LATEST', 'TRIM_HORIZON'] as const;
/** Where a new consumer group starts reading. */
export type StartingPosition = (typeof STARTING_POSITIONS)[number];

export const LOG_LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * Where the event source mapping sends a batch it gave up on: `"sqs"`, the consumer's own
 * encrypted SQS queue (the batch's metadata: topic, partition, offsets), or `{ "kafka": "<topic>" }`,
 * a dead-letter topic on the same cluster (the records themselves). Lambda Developer Guide,
 * "Using a Kafka topic as an on-failure destination": "Provisioned mode required – A Kafka
 * on-failure destination is only available for event source mappings with provisioned mode
 * enabled", and "Same cluster only – The destination topic must exist in the same Kafka cluster
 * as your source topics".
 */
export type OnFailure = 'sqs' | { readonly kafka: string };

/** One MSK-triggered consumer: its function, event source mapping, failure destination. */
export interface ConsumerConfig {
  /** 1–40 of `[a-z0-9-]`, starting with a letter: log group `/<cluster>/lambda/<name>`. */
  readonly name: string;
  /** One of `topics`. */
  readonly topic: string;
  /** Kafka consumer group (default `<clusterName>-<name>`). */
  readonly group: string;
  readonly auth: ConsumerAuth;
  /** SCRAM user of the mapping when `auth` is `scram`: one of `scramUsers`. */
  readonly scramUser: string;
  /** Handler source relative to `lambda/`: `consumers/<name>/index.ts` if it exists, else the library's `consumer/index.ts`. */
  readonly entry: string;
  readonly startingPosition: StartingPosition;
  readonly batchSize: number;
  readonly batchingWindowSeconds: number;
  readonly reservedConcurrency: number;
  readonly timeoutSeconds: number;
  readonly memoryMiB: number;
  readonly logLevel: LogLevel;
  readonly minPollers: number;
  readonly maxPollers: number;
  readonly retryAttempts?: number;
  readonly maxRecordAgeSeconds?: number;
  readonly bisectBatchOnError?: boolean;
  readonly reportBatchItemFailures?: boolean;
  /**
   * The on-failure destination. Default: a list entry in provisioned mode gets the dead-letter
   * topic `<topic>.dlt` (created with the cluster's topics when it is not one of them, see
   * `deadLetterTopics`); on-demand entries, and the single default consumer built from the
   * `consumer*` settings, get `"sqs"` (Lambda offers no Kafka destination in on-demand mode).
   */
  readonly onFailure: OnFailure;
}

/** The Kafka dead-letter topic of a consumer, if it has one. */
export const deadLetterTopicOf = (c: Pick<ConsumerConfig, 'onFailure'>): string | undefined =>
  typeof c.onFailure === 'object' ? c.onFailure.kafka : undefined;

/** The default dead-letter topic of a provisioned consumer of `topic`. */
export const defaultDeadLetterTopic = (topic: string): string => `${topic}.dlt`;

/** The `consumer*` settings each consumer inherits, by consumer field. */
export const CONSUMER_DEFAULT_KEYS = {
  auth: 'consumerAuth',
  scramUser: 'consumerScramUser',
  startingPosition: 'consumerStartingPosition',
  batchSize: 'consumerBatchSize',
  batchingWindowSeconds: 'consumerBatchingWindowSeconds',
  reservedConcurrency: 'consumerReservedConcurrency',
  timeoutSeconds: 'consumerTimeoutSeconds',
  memoryMiB: 'consumerMemoryMiB',
  logLevel: 'consumerLogLevel',
  minPollers: 'consumerMinPollers',
  maxPollers: 'consumerMaxPollers',
  retryAttempts: 'consumerRetryAttempts',
  maxRecordAgeSeconds: 'consumerMaxRecordAgeSeconds',
  bisectBatchOnError: 'consumerBisectBatchOnError',
  reportBatchItemFailures: 'consumerReportBatchItemFailures',
} as const satisfies Partial<Record<keyof ConsumerConfig, string>>;

type Inherited = keyof typeof CONSUMER_DEFAULT_KEYS;
/** The per-consumer defaults, as the `consumer*` settings hold them. */
export type ConsumerDefaults = { readonly [K in Inherited]: ConsumerConfig[K] };

const FIELDS: readonly (keyof ConsumerConfig)[] = [
  'name',
  'topic',
  'group',
  'entry',
  ...(Object.keys(CONSUMER_DEFAULT_KEYS) as Inherited[]),
  'onFailure',
];
const INTEGER_FIELDS = new Set<keyof ConsumerConfig>([
  'batchSize',
  'batchingWindowSeconds',
  'reservedConcurrency',
  'timeoutSeconds',
  'memoryMiB',
  'minPollers',
  'maxPollers',
  'retryAttempts',
  'maxRecordAgeSeconds',
]);
const BOOLEAN_FIELDS = new Set<keyof ConsumerConfig>([
  'bisectBatchOnError',
  'reportBatchItemFailures',
]);

/** The error-handling controls AWS offers for Kafka event sources only in provisioned mode. */
export const PROVISIONED_ONLY_FIELDS = [
  'retryAttempts',
  'maxRecordAgeSeconds',
  'bisectBatchOnError',
  'reportBatchItemFailures',
] as const;

/** Whether a consumer's event source mapping runs in provisioned mode. */
export const isProvisioned = (c: Pick<ConsumerConfig, 'minPollers' | 'maxPollers'>): boolean =>
  c.minPollers > 0 || c.maxPollers > 0;

/** Where this app's own consumer handlers live (`npm run new-consumer -- <name>` makes one). */
export const LAMBDA_ROOT = join(__dirname, '..', '..', 'lambda');

/** The construct library's reference handler, `MskConsumer`'s default. */
export const REFERENCE_HANDLER = 'consumer/index.ts';

const defaultEntry = (name: string) =>
  existsSync(join(LAMBDA_ROOT, 'consumers', name, 'index.ts'))
    ? `consumers/${name}/index.ts`
    : REFERENCE_HANDLER;

/**
 * The handler file of a consumer's `entry`: undefined for the reference handler (the library's
 * own), else the file under this app's `lambda/`.
 */
export const handlerFile = (entry: string): string | undefined =>
  entry === REFERENCE_HANDLER ? undefined : join(LAMBDA_ROOT, entry);

/** Whether an `entry` names a handler: the reference handler, or a file under `lambda/`. */
function handlerExists(entry: string): boolean {
  const file = handlerFile(entry);
  return file === undefined || existsSync(file);
}

/**
 * The consumer list: the entries of `raw` (the `consumers` setting, JSON text or a list) over
 * the defaults, or the single consumer `consumer` when `raw` is undefined. Shape problems are
 * added to `problems` with the entry's path.
 */
export function resolveConsumers(
  raw: unknown,
  defaults: ConsumerDefaults & { readonly topic: string; readonly group?: string },
  clusterName: string,
  problems: Problems,
): ConsumerConfig[] {
  if (raw === undefined) {
    // No `consumer*` setting chooses a destination: the single default consumer keeps its SQS
    // queue in either poller mode, so configurations without `consumers` deploy as before.
    return [
      {
        ...defaults,
        name: 'consumer',
        topic: defaults.topic,
        group: defaults.group ?? `${clusterName}-consumer`,
        entry: defaultEntry('consumer'),
        onFailure: 'sqs',
      },
    ];
  }
  let list = raw;
  if (typeof raw === 'string') {
    try {
      list = JSON.parse(raw);
    } catch {
      problems.add(
        'consumers',
        raw,
        'must be a JSON list of { name, topic, … } (docs/consumer.md#many-consumers)',
      );
      return [];
    }
  }
  if (!Array.isArray(list) || list.length === 0) {
    problems.add('consumers', raw, 'must be a non-empty JSON list of { name, topic, … }');
    return [];
  }
  const consumers: ConsumerConfig[] = [];
  list.forEach((entry: unknown, i) => {
    const at = `consumers[${i}]`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      problems.add(at, entry, 'must be an object { name, topic, … }');
      return;
    }
    const fields = entry as Record<string, unknown>;
    let ok = true;
    for (const [field, value] of Object.entries(fields)) {
      const key = field as keyof ConsumerConfig;
      if (!FIELDS.includes(key)) {
        problems.add(`${at}.${field}`, value, `unknown field; allowed: ${FIELDS.join(', ')}`);
        ok = false;
      } else if (key === 'onFailure') {
        if (!isOnFailureShape(value)) {
          problems.add(
            `${at}.${field}`,
            value,
            'must be "sqs" (an SQS queue) or { "kafka": "<topic>" } (a dead-letter topic)',
          );
          ok = false;
        }
      } else if (INTEGER_FIELDS.has(key) && !Number.isInteger(value)) {
        problems.add(`${at}.${field}`, value, 'must be a whole number');
        ok = false;
      } else if (BOOLEAN_FIELDS.has(key) && typeof value !== 'boolean') {
        problems.add(`${at}.${field}`, value, 'must be true or false');
        ok = false;
      } else if (
        !INTEGER_FIELDS.has(key) &&
        !BOOLEAN_FIELDS.has(key) &&
        typeof value !== 'string'
      ) {
        problems.add(`${at}.${field}`, value, 'must be a string');
        ok = false;
      }
    }
    for (const required of ['name', 'topic'] as const) {
      if (fields[required] === undefined) {
        problems.add(`${at}.${required}`, undefined, 'is required');
        ok = false;
      }
    }
    if (!ok) return;
    const name = fields.name as string;
    const consumer = {
      ...defaults,
      group: `${clusterName}-${name}`,
      entry: defaultEntry(name),
      ...(fields as Partial<ConsumerConfig>),
      name,
      topic: fields.topic as string,
    };
    const resolved: ConsumerConfig = {
      ...consumer,
      // Provisioned: the records go whole to a dead-letter topic on the same cluster (no SQS
      // endpoint); on-demand: Lambda allows no Kafka destination, so the SQS queue.
      onFailure:
        consumer.onFailure ??
        (isProvisioned(consumer) ? { kafka: defaultDeadLetterTopic(consumer.topic) } : 'sqs'),
    };
    // An entry with a problem is left out, so later checks need its place in the list as given.
    SOURCE_INDEX.set(resolved, i);
    consumers.push(resolved);
  });
  return consumers;
}

const SOURCE_INDEX = new WeakMap<ConsumerConfig, number>();

/** The index in `consumers` as written of a consumer `resolveConsumers` returned. */
export const sourceIndexOf = (consumer: ConsumerConfig | undefined): number | undefined =>
  consumer && SOURCE_INDEX.get(consumer);

function isOnFailureShape(value: unknown): value is OnFailure {
  if (value === 'sqs') return true;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return (
    keys.length === 1 &&
    keys[0] === 'kafka' &&
    typeof (value as { kafka: unknown }).kafka === 'string'
  );
}

/** Kafka's default `retention.ms` (7 days), which a topic without its own `retention.ms` gets. */
export const KAFKA_DEFAULT_RETENTION_MS = 7 * 24 * 3600 * 1000;
/** The shortest retention of a created dead-letter topic: SQS's longest, 14 days. */
export const MIN_DEAD_LETTER_RETENTION_MS = 14 * 24 * 3600 * 1000;

/**
 * `retention.ms` of a created dead-letter topic: twice the source topic's, and at least 14 days
 * (the failure queue's retention), so a failed record outlives the records around it and
 * someone has two weeks to look at it. The source's retention is its own `retention.ms`, or
 * Kafka's default of 7 days (a cluster-wide `log.retention.*` in `serverProperties` is not
 * read); `-1` (keep forever) stays `-1`.
 */
export function deadLetterRetentionMs(source: Pick<KafkaTopic, 'configs'>): string {
  const raw = source.configs?.['retention.ms'];
  const parsed = raw === undefined ? NaN : Number(raw);
  if (parsed === -1) return '-1';
  const retention =
    Number.isSafeInteger(parsed) && parsed > 0 ? parsed : KAFKA_DEFAULT_RETENTION_MS;
  return String(Math.max(retention * 2, MIN_DEAD_LETTER_RETENTION_MS));
}

/**
 * The dead-letter topics to create with the cluster's topics: `<topic>.dlt` of every consumer
 * whose destination it is and that `topics` does not list, with the source topic's partitions
 * (and replication factor, if it sets one) and `deadLetterRetentionMs`. Each once, in consumer
 * order. A DLT named in `topics` is used as configured.
 */
export function deadLetterTopics(
  topics: readonly KafkaTopic[],
  consumers: readonly Pick<ConsumerConfig, 'topic' | 'onFailure'>[],
): KafkaTopic[] {
  const created = new Map<string, KafkaTopic>();
  for (const c of consumers) {
    const name = deadLetterTopicOf(c);
    if (name !== defaultDeadLetterTopic(c.topic)) continue;
    if (topics.some((t) => t.name === name) || created.has(name)) continue;
    const source = topics.find((t) => t.name === c.topic);
    if (!source) continue;
    created.set(name, {
      name,
      partitions: source.partitions,
      ...(source.replicationFactor === undefined
        ? {}
        : { replicationFactor: source.replicationFactor }),
      configs: { 'retention.ms': deadLetterRetentionMs(source) },
    });
  }
  return [...created.values()];
}

/** The configured topics followed by the dead-letter topics created for the consumers. */
export const clusterTopics = (c: {
  readonly topics: readonly KafkaTopic[];
  readonly consumers: readonly ConsumerConfig[];
}): KafkaTopic[] => [...c.topics, ...deadLetterTopics(c.topics, c.consumers)];

const LIMITS = MSK_EVENT_SOURCE_LIMITS;

/** The first few items of a list, for an error message. */
const listSome = (items: readonly string[], max = 10): string =>
  items.length <= max
    ? items.join(', ')
    : `${items.slice(0, max).join(', ')}, … (${items.length} in all)`;

/** Construct id and output prefix of a consumer: `orders-audit` → `OrdersAudit`. */
export const consumerId = (name: string): string =>
  name
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');

/**
 * Checks every consumer. `setting(i, field)` names where a value came from: `consumers[i].field`
 * for a list, the `consumer*` key for the single default consumer.
 */
export function validateConsumers(
  consumers: readonly ConsumerConfig[],
  context: {
    readonly topics?: readonly string[];
    readonly scramUsers?: readonly string[];
    readonly setting: (i: number, field: keyof ConsumerConfig) => string;
  },
  problems: Problems,
): void {
  const ids = new Map<string, number>();
  const readers = new Map<string, number>();
  consumers.forEach((c, i) => {
    if (!readers.has(c.topic)) readers.set(c.topic, i);
  });
  consumers.forEach((c, i) => {
    const at = (field: keyof ConsumerConfig) => context.setting(i, field);
    if (problems.follows(at('name'), c.name, CONSUMER_NAME)) {
      const id = consumerId(c.name);
      problems.check(
        !ids.has(id),
        at('name'),
        c.name,
        `must be unique (consumers[${ids.get(id)}] has the same name, or one that differs only in hyphens)`,
      );
      ids.set(id, i);
    }
    if (context.topics) {
      problems.check(
        context.topics.includes(c.topic),
        at('topic'),
        c.topic,
        `must be one of the configured topics (${context.topics.join(', ') || 'none'})`,
      );
    }
    problems.follows(at('group'), c.group, CONSUMER_GROUP);
    problems.check(
      handlerExists(c.entry),
      at('entry'),
      c.entry,
      `must be a handler file under lambda/ (e.g. "consumers/<name>/index.ts": npm run new-consumer -- <name>) or "${REFERENCE_HANDLER}", the construct library's reference handler`,
    );
    problems.oneOf(at('auth'), c.auth, CONSUMER_AUTH_MODES);
    if (c.auth === 'scram' && context.scramUsers) {
      problems.check(
        context.scramUsers.includes(c.scramUser),
        at('scramUser'),
        c.scramUser,
        `must be one of scramUsers (${listSome(context.scramUsers)}) when auth is "scram"`,
      );
    }
    problems.oneOf(at('startingPosition'), c.startingPosition, STARTING_POSITIONS);
    problems.integerInRange(
      at('batchSize'),
      c.batchSize,
      LIMITS.batchSize.min,
      LIMITS.batchSize.max,
    );
    problems.integerInRange(
      at('batchingWindowSeconds'),
      c.batchingWindowSeconds,
      LIMITS.batchingWindowSeconds.min,
      LIMITS.batchingWindowSeconds.max,
    );
    problems.integerInRange(at('reservedConcurrency'), c.reservedConcurrency, 0, 1000);
    problems.integerInRange(
      at('timeoutSeconds'),
      c.timeoutSeconds,
      LIMITS.timeoutSeconds.min,
      LIMITS.timeoutSeconds.max,
    );
    problems.integerInRange(at('memoryMiB'), c.memoryMiB, 128, 10_240);
    problems.oneOf(at('logLevel'), c.logLevel, LOG_LEVELS);

    const provisioned = isProvisioned(c);
    if (provisioned) {
      problems.integerInRange(at('minPollers'), c.minPollers, 1, 200);
      problems.integerInRange(at('maxPollers'), c.maxPollers, Math.max(1, c.minPollers), 2000);
    }
    if (c.retryAttempts !== undefined) {
      problems.integerInRange(at('retryAttempts'), c.retryAttempts, 0, 10_000);
    }
    if (c.maxRecordAgeSeconds !== undefined) {
      problems.integerInRange(at('maxRecordAgeSeconds'), c.maxRecordAgeSeconds, 60, 604_800);
    }
    if (!provisioned) {
      for (const field of PROVISIONED_ONLY_FIELDS) {
        problems.check(
          c[field] === undefined,
          at(field),
          c[field],
          `needs provisioned mode (${at('minPollers')}/${at('maxPollers')} ≥ 1): Lambda offers Kafka ` +
            'error-handling controls only for provisioned event pollers; set it to "none" or turn ' +
            'provisioned mode on',
        );
      }
    }
    validateOnFailure(c, at, provisioned, context.topics, readers, problems);
  });
}

/** The Kafka dead-letter topic of one consumer (Lambda Developer Guide, kafka-on-failure-destination). */
function validateOnFailure(
  c: ConsumerConfig,
  at: (field: keyof ConsumerConfig) => string,
  provisioned: boolean,
  topics: readonly string[] | undefined,
  readers: ReadonlyMap<string, number>,
  problems: Problems,
): void {
  const dlt = deadLetterTopicOf(c);
  if (dlt === undefined) return;
  const setting = at('onFailure');
  problems.check(
    provisioned,
    setting,
    c.onFailure,
    `needs provisioned mode (${at('minPollers')}/${at('maxPollers')} ≥ 1): "Provisioned mode ` +
      'required – A Kafka on-failure destination is only available for event source mappings ' +
      'with provisioned mode enabled" (Lambda Developer Guide); use "sqs" or turn provisioned ' +
      'mode on',
  );
  const isDefault = dlt === defaultDeadLetterTopic(c.topic);
  if (!DEAD_LETTER_TOPIC.test(dlt)) {
    problems.add(
      setting,
      c.onFailure,
      // `<topic>.dlt` of a valid topic that is no topic name any more has become too long.
      isDefault && TOPIC_NAME.test(c.topic) && !TOPIC_NAME.test(dlt)
        ? `the dead-letter topic "${dlt.length > 40 ? `${dlt.slice(0, 37)}…` : dlt}" would have ` +
            `${dlt.length} characters; Kafka allows 249: name a configured topic`
        : `the topic must be ${DEAD_LETTER_TOPIC.allowed}`,
    );
    return;
  }
  if (dlt === c.topic) {
    problems.add(
      setting,
      c.onFailure,
      `must not be the topic the consumer reads (${c.topic}): Lambda refuses a destination ` +
        'that is one of its source topics',
    );
    return;
  }
  const reader = readers.get(dlt);
  if (reader !== undefined) {
    problems.add(
      setting,
      c.onFailure,
      `must not be a topic a consumer reads (consumers[${reader}] reads ${dlt}): its failed ` +
        'records would become that consumer’s input',
    );
    return;
  }
  // The default one is created with the cluster's topics when `topics` does not list it.
  if (isDefault) return;
  if (topics) {
    problems.check(
      topics.includes(dlt),
      setting,
      c.onFailure,
      `the topic must be one of the configured topics (${topics.join(', ') || 'none'}), or ` +
        `"${defaultDeadLetterTopic(c.topic)}", which is created for it: "Same cluster only – ` +
        'The destination topic must exist in the same Kafka cluster as your source topics" ' +
        '(Lambda Developer Guide)',
    );
  }
}
