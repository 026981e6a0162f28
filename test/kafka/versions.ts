/**
 * The Apache Kafka versions `npm run test:kafka` runs the same suite against, each from Maven
 * Central (`org.apache.kafka:kafka_2.13`, resolved by test/kafka/broker/pom.xml):
 * - 4.1.2: the newest 4.x family MSK offers (4.1.x since 2025-10-15, MSK "Supported Apache Kafka
 *   versions"). Kafka 4.0 removed the oldest protocol versions (KIP-896), so this is the test
 *   of kafkajs 2.2.4 on 4.x.
 * - 3.9.2: the newest 3.x family MSK offers (3.9.x, the last before 4.0 and the version MSK
 *   migrates ZooKeeper clusters to KRaft from).
 *
 * `KAFKA_VERSIONS=4.1.2` (comma-separated) runs a subset locally; CI runs both.
 */
export const KAFKA_VERSIONS = ['4.1.2', '3.9.2'] as const;

export function selectedVersions(env: NodeJS.ProcessEnv = process.env): string[] {
  const wanted = env.KAFKA_VERSIONS?.split(',')
    .map((v) => v.trim())
    .filter(Boolean);
  if (!wanted?.length) return [...KAFKA_VERSIONS];
  const unknown = wanted.filter((v) => !(KAFKA_VERSIONS as readonly string[]).includes(v));
  if (unknown.length) {
    throw new Error(
      `KAFKA_VERSIONS=${env.KAFKA_VERSIONS}: ${unknown.join(', ')} is not a tested version; allowed: ${KAFKA_VERSIONS.join(', ')}`,
    );
  }
  return wanted;
}
