/** What a test worker knows about the brokers global-setup.ts started, and clients for them. */
import { readFileSync } from 'node:fs';
import { Admin, ConfigResourceTypes, Kafka, KafkaConfig, logLevel } from 'kafkajs';
import type { BrokerInfo } from './broker';

export type { BrokerInfo } from './broker';

export function brokers(): BrokerInfo[] {
  const file = process.env.KAFKA_TEST_CONTEXT;
  if (!file)
    throw new Error('KAFKA_TEST_CONTEXT is not set: run this tier with npm run test:kafka');
  return JSON.parse(readFileSync(file, 'utf8')) as BrokerInfo[];
}

/** `[version, broker]` rows for `describe.each`. */
export const eachBroker = (): [string, BrokerInfo][] => brokers().map((b) => [b.version, b]);

/** kafkajs over TLS (verifying the test CA) and SCRAM-SHA-512, as a given user. */
export function kafkaAs(
  broker: BrokerInfo,
  user: string,
  overrides: Partial<KafkaConfig> & { password?: string } = {},
): Kafka {
  const { password, ...config } = overrides;
  const secret = password ?? broker.users[user];
  if (secret === undefined) throw new Error(`No SCRAM user ${user} on the test broker`);
  return new Kafka({
    clientId: `test-${user}`,
    brokers: [broker.bootstrap],
    ssl: { ca: [readFileSync(broker.caFile, 'utf8')] },
    sasl: { mechanism: 'scram-sha-512', username: user, password: secret },
    connectionTimeout: 10_000,
    retry: { retries: 3, initialRetryTime: 200 },
    logLevel: logLevel.NOTHING,
    ...config,
  });
}

/** A name no earlier run or other test used (brokers live for one run, files share them). */
export const unique = (prefix: string): string =>
  `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;

/** Kafka's error name of a kafkajs error, through its causes and retries. */
export function kafkaErrorType(error: unknown): string | undefined {
  let e = error as { type?: string; originalError?: unknown; cause?: unknown } | undefined;
  for (let i = 0; e && i < 5; i++) {
    if (e.type) return e.type;
    e = (e.originalError ?? e.cause) as typeof e;
  }
  return undefined;
}

/**
 * Joins `groupId`, reads `topic` from the beginning until `count` records arrived (committing as
 * it goes, as Lambda's poller does) and returns their values; rejects with the error that crashed
 * the consumer (kafkajs restarts nothing). Bounded by a 20 s timeout; always disconnects.
 */
export async function consumeValues(
  kafka: Kafka,
  groupId: string,
  topic: string,
  count: number,
): Promise<string[]> {
  const consumer = kafka.consumer({
    groupId,
    retry: { retries: 0, restartOnFailure: async () => false },
    sessionTimeout: 10_000,
    heartbeatInterval: 1_000,
  });
  const values: string[] = [];
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((done, fail) => {
      const timer = setTimeout(
        () => fail(new Error(`${values.length} of ${count} records in 20 s`)),
        20_000,
      );
      consumer.on(consumer.events.CRASH, (e) => {
        clearTimeout(timer);
        fail(e.payload.error);
      });
      consumer
        .run({
          eachMessage: async ({ message }) => {
            values.push(message.value?.toString() ?? '');
            if (values.length >= count) {
              clearTimeout(timer);
              done();
            }
          },
        })
        .catch(fail);
    });
  } finally {
    await consumer.disconnect();
  }
  return values;
}

/**
 * Runs `check` until it resolves, every 200 ms, for at most `limitMs`; then its last error. A
 * KRaft broker applies what the controller committed (a new topic's partitions, new ACLs) a
 * little after the request returns, longer on a loaded machine: seen on 2026-12-08, when a
 * DescribeAcls right after CreateAcls returned nothing and kafkajs's `waitForLeaders` failed
 * with UNKNOWN_TOPIC_OR_PARTITION ("This server does not host this topic-partition"), which it
 * does not retry. The limit bounds the loop; it is not a measurement.
 */
export async function eventually<T>(check: () => Promise<T>, limitMs = 30_000): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

/**
 * Creates topics and waits until every partition has a leader, retrying the metadata request
 * while the broker does not know the topic yet (see `eventually`). Resolves as `createTopics`
 * does: false when a topic already existed.
 */
export async function createReadyTopics(
  admin: Admin,
  topics: { topic: string; numPartitions?: number; replicationFactor?: number }[],
): Promise<boolean> {
  const created = await admin.createTopics({ topics });
  await eventually(async () => {
    const { topics: described } = await admin.fetchTopicMetadata({
      topics: topics.map((t) => t.topic),
    });
    for (const t of described) {
      if (!t.partitions.length || t.partitions.some((p) => p.leader < 0)) {
        throw new Error(`topic ${t.name}: a partition has no leader yet`);
      }
    }
  });
  return created;
}

/** Runs `use` with an admin client of the super user, connected and always disconnected. */
export async function asAdmin<T>(
  broker: BrokerInfo,
  use: (admin: Admin) => Promise<T>,
): Promise<T> {
  const admin = kafkaAs(broker, 'admin').admin();
  await admin.connect();
  try {
    return await use(admin);
  } finally {
    await admin.disconnect();
  }
}

/**
 * DescribeConfigs of the one broker, as Lambda's event source does it (authorized by
 * DESCRIBE_CONFIGS on the CLUSTER resource); resolves to the broker's error code.
 */
export const describeBrokerConfigs = (admin: Admin): Promise<number> =>
  admin
    .describeConfigs({
      resources: [{ type: ConfigResourceTypes.BROKER, name: '1' }],
      includeSynonyms: false,
    })
    .then((r) => r.resources[0].errorCode);
