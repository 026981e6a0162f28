/**
 * The CLUSTER resource closed by an ACL. authorization.kafka-test.ts shows that while the
 * CLUSTER resource has no ACL, MSK's open default lets every SCRAM user create ACLs (ALTER on
 * the cluster) and topics (CREATE). One ACL on the CLUSTER ends that default for it, and the
 * ACLs `lambdaConsumerBindings(…, { allowEveryoneIfNoAclFound: false })` makes include one
 * (DESCRIBE_CONFIGS for the Lambda consumer). This file checks, on brokers of its own (an ACL on
 * the CLUSTER would change what every other file sees), what the platform's users can still do
 * then.
 */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Admin, Kafka } from 'kafkajs';
import {
  describeBindings,
  toAclEntry,
} from '../../secure-msk-constructs/handlers/shared/kafka-acl-admin';
import { aclBindingsFor, lambdaConsumerBindings } from '../../lib/acls/spec';
import { createTls, RunningBroker, startBroker } from './broker';
import {
  consumeValues,
  createReadyTopics,
  describeBrokerConfigs,
  eventually,
  kafkaAs,
  kafkaErrorType,
  unique,
} from './context';
import { selectedVersions } from './versions';

const TOPIC = 'orders';
const GROUP = 'msk-secure-dev-consumer';
const BINDINGS = [
  ...aclBindingsFor({ name: 'producer', produce: [TOPIC], consume: [] }),
  ...lambdaConsumerBindings('consumer', TOPIC, GROUP, { allowEveryoneIfNoAclFound: false }),
];

const failureOf = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (e: unknown) => kafkaErrorType(e) ?? String(e),
  );

describe.each(selectedVersions())('a CLUSTER resource closed by an ACL, Kafka %s', (version) => {
  let broker: RunningBroker;
  let admin: Admin;
  let dir: string;
  const as = (user: string, config = {}): Kafka => kafkaAs(broker, user, config);

  beforeAll(async () => {
    dir = join(
      tmpdir(),
      `msk-secure-stack-closed-${process.pid}-${randomBytes(3).toString('hex')}`,
    );
    broker = await startBroker({
      version,
      tls: createTls(join(dir, 'tls')),
      users: ['producer', 'consumer', 'stranger'],
      workDir: join(dir, 'broker'),
    });
    admin = as('admin').admin();
    await admin.connect();
    await createReadyTopics(admin, [{ topic: TOPIC, numPartitions: 1 }]);
    await admin.createAcls({ acl: BINDINGS.map(toAclEntry) });
    // Every ACL in force before the first test (the broker applies them a little later).
    await eventually(async () =>
      expect((await describeBindings(admin)).length).toBe(BINDINGS.length),
    );
  }, 180_000);
  afterAll(async () => {
    await admin?.disconnect();
    await broker?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the platform ACLs put exactly one ACL on the CLUSTER: DESCRIBE_CONFIGS for the consumer', () => {
    expect(
      BINDINGS.filter((b) => b.resourceType === 'CLUSTER').map(
        (b) => `${b.principal} ${b.operation}`,
      ),
    ).toEqual(['User:consumer DESCRIBE_CONFIGS']);
  });

  test('a user without ACLs can no longer create ACLs, but can still create a topic no ACL names', async () => {
    const stranger = as('stranger', { retry: { retries: 0 } }).admin();
    await stranger.connect();
    try {
      const self = aclBindingsFor({ name: 'stranger', produce: [TOPIC], consume: [] });
      expect(await failureOf(stranger.createAcls({ acl: self.map(toAclEntry) }))).toBe(
        'CLUSTER_AUTHORIZATION_FAILED',
      );
      // CreateTopics is allowed by CREATE on the CLUSTER *or* on the topic, and a topic name
      // no ACL covers falls to the open default.
      const topic = unique('stranger-topic');
      expect(await failureOf(stranger.createTopics({ topics: [{ topic }] }))).toBeUndefined();
      expect(await admin.listTopics()).toContain(topic);
    } finally {
      await stranger.disconnect();
    }
  });

  test('an idempotent producer works with WRITE and DESCRIBE on its topic and no IDEMPOTENT_WRITE', async () => {
    const producer = as('producer').producer({ idempotent: true });
    await producer.connect();
    try {
      const [result] = await producer.send({ topic: TOPIC, messages: [{ value: 'idempotent' }] });
      expect(result.errorCode).toBe(0);
    } finally {
      await producer.disconnect();
    }
  });

  test("the Lambda consumer's list (with DESCRIBE_CONFIGS) still describes configs and consumes in its group", async () => {
    const kafka = as('consumer');
    const consumerAdmin = kafka.admin();
    await consumerAdmin.connect();
    try {
      expect(await describeBrokerConfigs(consumerAdmin)).toBe(0);

      const high = Number((await admin.fetchTopicOffsets(TOPIC))[0].high);
      expect(high).toBeGreaterThan(0);
      const values = await consumeValues(kafka, GROUP, TOPIC, high);
      expect(values).toHaveLength(high);
    } finally {
      await consumerAdmin.disconnect();
    }
  });

  test('without its DESCRIBE_CONFIGS ACL the consumer could not describe the cluster configuration', async () => {
    const describeConfigs = lambdaConsumerBindings('consumer', TOPIC, GROUP, {
      allowEveryoneIfNoAclFound: false,
    }).filter((b) => b.resourceType === 'CLUSTER');
    await admin.deleteAcls({ filters: describeConfigs.map(toAclEntry) });
    // The CLUSTER keeps an ACL (another principal's), so it stays closed.
    const other = { ...describeConfigs[0], principal: 'User:nobody' };
    await admin.createAcls({ acl: [toAclEntry(other)] });
    const consumerAdmin = as('consumer', { retry: { retries: 0 } }).admin();
    await consumerAdmin.connect();
    try {
      const result = await describeBrokerConfigs(consumerAdmin).then(
        (code) => code,
        (e: unknown) => kafkaErrorType(e),
      );
      expect(result === 31 || result === 'CLUSTER_AUTHORIZATION_FAILED').toBe(true);
    } finally {
      await consumerAdmin.disconnect();
      await admin.createAcls({ acl: describeConfigs.map(toAclEntry) });
      await admin.deleteAcls({ filters: [toAclEntry(other)] });
    }
  });
});
