/**
 * The test broker itself is what the other files assume: TLS that clients verify, SCRAM that
 * refuses a wrong password, no automatic topic creation, and an authorizer that honours ACLs.
 */
import { requireCommand } from './broker';
import { eachBroker, kafkaAs, unique } from './context';

describe.each(eachBroker())('Kafka %s test broker', (_version, broker) => {
  test('a client that does not trust the test CA is refused by TLS verification', async () => {
    const admin = kafkaAs(broker, 'admin', { ssl: true, retry: { retries: 0 } }).admin();
    await expect(admin.connect()).rejects.toThrow(
      /self[- ]signed|unable to (get|verify)|certificate/i,
    );
    await admin.disconnect();
  });

  test('SCRAM-SHA-512 refuses a wrong password', async () => {
    const admin = kafkaAs(broker, 'stranger', { password: 'wrong', retry: { retries: 0 } }).admin();
    await expect(admin.connect()).rejects.toThrow(/SASL SCRAM SHA512 authentication failed/);
    await admin.disconnect();
  });

  test('topics are not created on first use (auto.create.topics.enable=false)', async () => {
    const kafka = kafkaAs(broker, 'admin', { retry: { retries: 1, initialRetryTime: 100 } });
    const topic = unique('broker-missing');
    const producer = kafka.producer({ allowAutoTopicCreation: true });
    await producer.connect();
    try {
      await expect(producer.send({ topic, messages: [{ value: 'x' }] })).rejects.toThrow(
        /This server does not host this topic-partition/,
      );
    } finally {
      await producer.disconnect();
    }
    const admin = kafka.admin();
    await admin.connect();
    try {
      expect(await admin.listTopics()).not.toContain(topic);
    } finally {
      await admin.disconnect();
    }
  });
});

test('a missing tool stops the tier with what to install', () => {
  expect(() => requireCommand('no-such-java-here', ['-version'], 'Install a Java 17 JDK.')).toThrow(
    'npm run test:kafka needs no-such-java-here, which was not found. Install a Java 17 JDK.',
  );
});
