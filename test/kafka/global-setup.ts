/**
 * Jest global setup of `npm run test:kafka`: checks Java, keytool and Maven, makes one test CA,
 * and starts one broker per version in `KAFKA_VERSIONS` (both by default) side by side. The
 * brokers' addresses, CA and SCRAM passwords go to a JSON file named by `KAFKA_TEST_CONTEXT`,
 * which the test workers read (test/kafka/context.ts). global-teardown.ts stops them; if one
 * fails to start, the others are stopped here before the error is thrown.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrokerInfo, checkPrerequisites, createTls, RunningBroker, startBroker } from './broker';
import { SCRAM_USERS } from './users';
import { selectedVersions } from './versions';

declare global {
  var kafkaTestRun: { brokers: RunningBroker[]; dir: string } | undefined;
}

export default async function globalSetup(): Promise<void> {
  const versions = selectedVersions();
  checkPrerequisites();
  const dir = join(
    tmpdir(),
    `msk-secure-stack-kafka-test-${process.pid}-${randomBytes(3).toString('hex')}`,
  );
  mkdirSync(dir, { recursive: true });
  const tls = createTls(join(dir, 'tls'));
  const started = await Promise.allSettled(
    versions.map((version) =>
      startBroker({ version, tls, users: SCRAM_USERS, workDir: join(dir, version) }),
    ),
  );
  const brokers = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = started.flatMap((s) => (s.status === 'rejected' ? [s.reason as Error] : []));
  globalThis.kafkaTestRun = { brokers, dir };
  if (failed.length) {
    await Promise.all(brokers.map((b) => b.stop()));
    rmSync(dir, { recursive: true, force: true });
    globalThis.kafkaTestRun = undefined;
    throw new Error(failed.map((e) => e.message).join('\n\n'));
  }
  const context: BrokerInfo[] = brokers.map(({ stop: _stop, ...info }) => info);
  const file = join(dir, 'context.json');
  writeFileSync(file, JSON.stringify(context, null, 2), { mode: 0o600 });
  process.env.KAFKA_TEST_CONTEXT = file;
  for (const b of brokers) console.warn(`Kafka ${b.version} on ${b.bootstrap} (log ${b.logFile})`);
}
