/** What a test worker knows about the brokers global-setup.ts started, and clients for them. */
import { readFileSync } from 'node:fs';
import { Kafka, KafkaConfig, logLevel } from 'kafkajs';
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
