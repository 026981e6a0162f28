/**
 * The CLI end to end: `src/cli/index.ts` run through its own entry point as a child process
 * (`tsx`), over SASL/SCRAM-SHA-512 and TLS against the real broker, with the real kafkajs and
 * AWS SDK v3 clients. The SDK reaches a fake AWS control plane on loopback (fake-aws.ts) through
 * `AWS_ENDPOINT_URL`, with static fake credentials; the child trusts the test CA through
 * `NODE_EXTRA_CA_CERTS` (the CLI verifies the brokers: `ssl: true`).
 *
 * Per broker: a topic of 3 partitions, and the ACLs `aclBindingsFor` derives for
 * `cli-producer` (produce the topic) and `cli-reader` (consume it with its group), created with
 * `toAclEntry` as the ACL custom resource does.
 */
import { formatBinding, normalizeBindings } from '../../secure-msk-constructs/model/acl-binding';
import {
  describeBindings,
  toAclEntry,
} from '../../secure-msk-constructs/handlers/shared/kafka-acl-admin';
import { aclBindingsFor, scramPrincipal } from '../../lib/acls/spec';
import { lines, Run, STACK_FRAME, useFakeAwsCli } from './cli-process';
import { asAdmin, BrokerInfo, createReadyTopics, eachBroker, eventually, unique } from './context';
import { clusterArnOf } from './fake-aws';

const PARTITIONS = 3;

const cliEnv = useFakeAwsCli();

/** `tsx src/cli/index.ts …` with only the environment the CLI needs (cli-process.ts). */
const cli = (broker: BrokerInfo, args: string[], stdin = ''): Promise<Run> =>
  cliEnv.processes.run(broker, args, stdin);

/** One `consume` output line: `partition offset key value`, tab-separated. */
interface Printed {
  readonly partition: number;
  readonly offset: number;
  readonly key: string;
  readonly value: string;
}

function parseRecords(stdout: string): Printed[] {
  return lines(stdout).map((line) => {
    const fields = line.split('\t');
    expect(fields).toHaveLength(4);
    const [partition, offset, key, value] = fields;
    expect(partition).toMatch(/^\d+$/);
    expect(offset).toMatch(/^\d+$/);
    return { partition: Number(partition), offset: Number(offset), key, value };
  });
}

/** Records on the topic, by the broker's high watermarks. */
const recordCount = (broker: BrokerInfo, topic: string) =>
  asAdmin(broker, async (admin) =>
    (await admin.fetchTopicOffsets(topic)).reduce((n, p) => n + Number(p.high), 0),
  );

describe.each(eachBroker())('Kafka %s: the CLI end to end', (_version, broker) => {
  const cluster = unique('cli-cluster');
  /** The same brokers, and a secret whose password is not the broker's (e.g. rotated). */
  const staleCluster = unique('cli-stale');
  const topic = unique('cli-orders');
  const group = unique('cli-group');
  /** A group whose ACL names another user (cli-producer): closed to cli-reader. */
  const othersGroup = unique('cli-others-group');
  const missingTopic = unique('cli-missing');
  const producerSpec = { name: 'cli-producer', produce: [topic], consume: [] };
  const readerSpec = { name: 'cli-reader', produce: [], consume: [{ topic, group }] };
  const secret = (user: string, password = broker.users[user]) =>
    JSON.stringify({ username: user, password });
  const as = (user: string, clusterName = cluster) => [
    '--cluster-name',
    clusterName,
    '--user',
    user,
  ];

  /** What the produce test sent, in order (a pattern for the `--count` messages). */
  let produced: { key: string; value: string | RegExp }[] = [];
  /** When the produce test ran (ms since the epoch). */
  let sentWindow = [0, 0];

  beforeAll(async () => {
    cliEnv.fake.addCluster({
      name: cluster,
      scramBrokers: broker.bootstrap,
      iamBrokers: broker.bootstrap,
      secrets: Object.fromEntries(
        ['cli-producer', 'cli-reader', 'stranger'].map((u) => [u, secret(u)]),
      ),
    });
    cliEnv.fake.addCluster({
      name: staleCluster,
      scramBrokers: broker.bootstrap,
      secrets: { 'cli-reader': secret('cli-reader', `${broker.users['cli-reader']}-old`) },
    });
    await asAdmin(broker, async (admin) => {
      await createReadyTopics(admin, [{ topic, numPartitions: PARTITIONS }]);
      // cli-producer also has READ on othersGroup (no topic READ), which closes that group.
      const othersGroupAcls = aclBindingsFor({
        name: 'cli-producer',
        produce: [],
        consume: [{ topic, group: othersGroup }],
      }).filter((b) => b.resourceType === 'GROUP');
      const expected = {
        'cli-producer': normalizeBindings([...aclBindingsFor(producerSpec), ...othersGroupAcls]),
        'cli-reader': aclBindingsFor(readerSpec),
      };
      await admin.createAcls({ acl: Object.values(expected).flat().map(toAclEntry) });
      // The broker holds exactly these bindings for the two users (once it has applied them).
      for (const [user, bindings] of Object.entries(expected)) {
        await eventually(async () =>
          expect(
            normalizeBindings(await describeBindings(admin, scramPrincipal(user))).map(
              formatBinding,
            ),
          ).toEqual(bindings.map(formatBinding)),
        );
      }
    });
  });

  test('whoami: the SCRAM user of the secret, the ARN from SSM and the SCRAM brokers', async () => {
    const run = await cli(broker, ['whoami', ...as('cli-reader')]);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(lines(run.stdout)).toEqual([
      `cluster:  ${clusterArnOf(cluster)}`,
      'auth:     SASL/SCRAM-SHA-512 over TLS',
      'identity: SCRAM user cli-reader',
      `brokers:  ${broker.bootstrap}`,
    ]);
    // The real SDK clients made exactly these calls, each signed for its own service.
    expect(run.aws).toEqual([
      {
        service: 'ssm',
        operation: 'GetParameter',
        subject: `/${cluster}/cluster-arn`,
        status: 200,
      },
      {
        service: 'kafka',
        operation: 'GetBootstrapBrokers',
        subject: clusterArnOf(cluster),
        status: 200,
      },
      {
        service: 'secretsmanager',
        operation: 'GetSecretValue',
        subject: `AmazonMSK_${cluster}_cli-reader`,
        status: 200,
      },
    ]);
  });

  test('produce: a count, a key, --json, stdin lines; invalid JSON sends nothing', async () => {
    const sentAfter = Date.now();
    const produce = (args: string[], stdin?: string) =>
      cli(broker, ['produce', ...as('cli-producer'), '--topic', topic, ...args], stdin);

    const count = await produce(['--count', '3']);
    expect(count).toMatchObject({ code: 0, stderr: '' });
    expect(count.stdout).toBe(`Sent 3 messages to ${topic} (scram).\n`);

    const keyed = await produce(['--message', 'keyed value', '--key', 'order-7']);
    expect(keyed).toMatchObject({ code: 0, stderr: '' });
    expect(keyed.stdout).toBe(`Sent 1 message to ${topic} (scram).\n`);

    const json = await produce(['--json', '--message', '{"order": 42, "ok": true}']);
    expect(json).toMatchObject({ code: 0, stderr: '' });
    expect(json.stdout).toBe(`Sent 1 message to ${topic} (scram).\n`);

    // One message per non-empty line; the blank line is skipped.
    const stdin = await produce(['--stdin', '--key', 'from-stdin'], 'first line\n\nsecond line\n');
    expect(stdin).toMatchObject({ code: 0, stderr: '' });
    expect(stdin.stdout).toBe(`Sent 2 messages to ${topic} (scram).\n`);

    const invalid = await produce(['--stdin', '--json'], '{"ok": 1}\nnot json\n');
    expect(invalid).toMatchObject({ code: 1, stdout: '' });
    expect(lines(invalid.stderr)).toEqual([
      'Error: Message 2 is not valid JSON: not json',
      'Hint: Fix it or drop --json.',
    ]);

    sentWindow = [sentAfter, Date.now()];
    const counted = (n: number) =>
      new RegExp(`^\\{"n":${n},"sentAt":"\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"\\}$`);
    produced = [
      { key: '', value: counted(0) },
      { key: '', value: counted(1) },
      { key: '', value: counted(2) },
      { key: 'order-7', value: 'keyed value' },
      { key: '', value: '{"order": 42, "ok": true}' },
      { key: 'from-stdin', value: 'first line' },
      { key: 'from-stdin', value: 'second line' },
    ];
    // The broker holds these 7 and nothing from the refused run.
    expect(await recordCount(broker, topic)).toBe(produced.length);
  });

  /** The printed records are exactly what was produced: each partition in send order from 0. */
  function expectProduced(printed: Printed[]): void {
    expect(printed).toHaveLength(produced.length);
    const partitions = new Set(printed.map((r) => r.partition));
    for (const partition of partitions) {
      expect(partition).toBeGreaterThanOrEqual(0);
      expect(partition).toBeLessThan(PARTITIONS);
      const offsets = printed.filter((r) => r.partition === partition).map((r) => r.offset);
      expect([...offsets].sort((a, b) => a - b)).toEqual(offsets.map((_, i) => i));
    }
    // Each produced record, in send order, is the next offset of some partition.
    const next = new Map<number, number>();
    const unmatched = [...printed];
    for (const want of produced) {
      const i = unmatched.findIndex(
        (r) =>
          r.key === want.key &&
          r.offset === (next.get(r.partition) ?? 0) &&
          (typeof want.value === 'string' ? r.value === want.value : want.value.test(r.value)),
      );
      if (i < 0) {
        throw new Error(
          `No record ${want.key} ${want.value} at the next offset of a partition in:\n${JSON.stringify(printed, null, 1)}`,
        );
      }
      const [got] = unmatched.splice(i, 1);
      next.set(got.partition, got.offset + 1);
    }
    expect(unmatched).toEqual([]);
    // The --count messages carry the time they were made.
    for (const r of printed.filter((p) => p.value.startsWith('{"n":'))) {
      const sentAt = Date.parse((JSON.parse(r.value) as { sentAt: string }).sentAt);
      expect(sentAt).toBeGreaterThanOrEqual(sentWindow[0]);
      expect(sentAt).toBeLessThanOrEqual(sentWindow[1]);
    }
    // One key, one partition.
    const keyed = printed.filter((r) => r.key === 'from-stdin').map((r) => r.partition);
    expect(new Set(keyed).size).toBe(1);
  }

  test('consume --from-beginning as cli-reader prints exactly those records', async () => {
    expect(produced).toHaveLength(7);
    const run = await cli(broker, [
      'consume',
      ...as('cli-reader'),
      '--topic',
      topic,
      '--from-beginning',
      '--max',
      String(produced.length),
      '--timeout',
      '20',
    ]);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(
      new RegExp(`^7 records from ${topic} \\(group msk-secure-stack-cli-\\d+\\)\\.\\n$`),
    );
    expectProduced(parseRecords(run.stdout));
    // It stopped at --max, not at --timeout.
    expect(run.ms).toBeLessThan(15_000);
  });

  test("consume --group: cli-reader's own group (its ACL) resumes from committed offsets and commits", async () => {
    await asAdmin(broker, (admin) =>
      admin.setOffsets({
        groupId: group,
        topic,
        partitions: [...Array(PARTITIONS).keys()].map((partition) => ({ partition, offset: '0' })),
      }),
    );
    const run = await cli(broker, [
      'consume',
      ...as('cli-reader'),
      '--topic',
      topic,
      '--group',
      group,
      '--max',
      String(produced.length),
      '--timeout',
      '20',
    ]);
    expect(run).toMatchObject({ code: 0, stderr: `7 records from ${topic} (group ${group}).\n` });
    expectProduced(parseRecords(run.stdout));
    const committed = await asAdmin(broker, async (admin) => {
      const [offsets] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
      const high = await admin.fetchTopicOffsets(topic);
      return offsets.partitions.map((p) => [
        p.offset,
        high.find((h) => h.partition === p.partition)!.high,
      ]);
    });
    expect(committed).toHaveLength(PARTITIONS);
    for (const [offset, high] of committed) expect(offset).toBe(high);
  });

  test('topics list and describe; a user without ACLs does not see the topic', async () => {
    const [list, describe, strangerList] = await Promise.all([
      cli(broker, ['topics', 'list', ...as('cli-reader')]),
      cli(broker, ['topics', 'describe', topic, ...as('cli-producer')]),
      cli(broker, ['topics', ...as('stranger')]),
    ]);
    for (const run of [list, describe, strangerList]) {
      expect(run).toMatchObject({ code: 0, stderr: '' });
    }
    const names = lines(list.stdout);
    expect(names).toContain(topic);
    expect(names).toEqual([...names].sort());
    // Kafka's Metadata lists only topics the user may DESCRIBE; the topic has ACLs, none of them
    // for stranger, so it is hidden from stranger (but not from the users the ACLs name).
    expect(lines(strangerList.stdout)).not.toContain(topic);
    expect(lines(describe.stdout)).toEqual([
      `${topic}: 3 partitions`,
      '  partition 0: leader 1, replicas [1], in sync [1]',
      '  partition 1: leader 1, replicas [1], in sync [1]',
      '  partition 2: leader 1, replicas [1], in sync [1]',
    ]);
  });

  test('acls --user cli-reader connects with IAM only: IAM brokers, no SCRAM secret read', async () => {
    // `acls` describes ACLs over IAM auth (OAUTHBEARER); this broker's one listener is
    // SCRAM-SHA-512, like MSK's port 9096, so the listing itself cannot be run here.
    const run = await cli(broker, ['acls', '--user', 'cli-reader', '--cluster-name', cluster]);
    expect(run).toMatchObject({ code: 1, stdout: '' });
    expect(lines(run.stderr)).toEqual([
      'Error: The broker does not support the requested SASL mechanism',
    ]);
    expect(run.aws.map((r) => `${r.service} ${r.operation} ${r.status}`)).toEqual([
      'ssm GetParameter 200',
      'kafka GetBootstrapBrokers 200',
    ]);
  });

  test('a wrong password: the CLI explains the SASL failure, exit 1, no stack trace', async () => {
    const runs = await Promise.all([
      cli(broker, ['topics', 'list', ...as('cli-reader', staleCluster)]),
      cli(broker, [
        'consume',
        ...as('cli-reader', staleCluster),
        '--topic',
        topic,
        '--group',
        group,
        '--timeout',
        '20',
      ]),
    ]);
    for (const run of runs) {
      expect(run).toMatchObject({ code: 1, stdout: '' });
      expect(run.stderr).not.toMatch(STACK_FRAME);
      const [error, hint, ...rest] = lines(run.stderr);
      expect(error).toMatch(
        /^Error: SASL authentication failed \(SASL SCRAM SHA512 authentication failed: .*invalid credentials.*SCRAM-SHA-512\)\.$/,
      );
      expect(hint).toBe(
        'Hint: Check that the secret of user "cli-reader" is associated with the cluster (ListScramSecrets), is encrypted with the customer-managed key, and was not rotated in the last 10 minutes.',
      );
      expect(rest).toEqual([]);
    }
  });

  test('a missing ACL: not authorized, the ACL hint, exit 1, nothing read or written', async () => {
    const before = await recordCount(broker, topic);
    const [producerReads, strangerWrites, readerWrites] = await Promise.all([
      // WRITE and DESCRIBE on the topic, no READ: fails on its first fetch.
      cli(broker, [
        'consume',
        ...as('cli-producer'),
        '--topic',
        topic,
        '--from-beginning',
        '--timeout',
        '20',
      ]),
      // No ACL at all (the topic has ACLs, so the open default no longer applies to it).
      cli(broker, [
        'produce',
        '--cluster-arn',
        clusterArnOf(cluster),
        '--user',
        'stranger',
        '--topic',
        topic,
        '--message',
        'x',
      ]),
      cli(broker, ['produce', ...as('cli-reader'), '--topic', topic, '--message', 'x']),
    ]);
    for (const run of [producerReads, strangerWrites, readerWrites]) {
      expect(run).toMatchObject({ code: 1, stdout: '' });
      expect(run.stderr).not.toMatch(STACK_FRAME);
      expect(lines(run.stderr)).toEqual([
        'Error: Not authorized to access the topic (Not authorized to access topics: [Topic authorization failed]).',
        'Hint: SCRAM users are authorized by Kafka ACLs: add an ACL for this user on the topic.',
      ]);
    }
    // (Before the CLI listened to kafkajs's crash event, the consumer waited out --timeout and
    // exited 0 with "0 records".)
    expect(await recordCount(broker, topic)).toBe(before);
  });

  test("a group another user's ACL names: not authorized to use the group, the SCRAM hint, exit 1", async () => {
    const run = await cli(broker, [
      'consume',
      ...as('cli-reader'),
      '--topic',
      topic,
      '--group',
      othersGroup,
      '--timeout',
      '20',
    ]);
    expect(run).toMatchObject({ code: 1, stdout: '' });
    expect(run.stderr).not.toMatch(STACK_FRAME);
    expect(lines(run.stderr)).toEqual([
      'Error: Not authorized to use the consumer group, or its coordinator is unavailable (Failed to find group coordinator).',
      'Hint: SCRAM users are authorized by Kafka ACLs: the user needs READ on the group (a consume permission naming it), or pass a --group its ACLs allow.',
    ]);
  });

  test('a topic that does not exist: said so, not a connection problem', async () => {
    const runs = await Promise.all([
      cli(broker, ['produce', ...as('cli-producer'), '--topic', missingTopic, '--message', 'x']),
      cli(broker, [
        'consume',
        ...as('cli-reader'),
        '--topic',
        missingTopic,
        '--from-beginning',
        '--timeout',
        '20',
      ]),
      cli(broker, ['topics', 'describe', missingTopic, ...as('cli-reader')]),
    ]);
    for (const run of runs) {
      expect(run).toMatchObject({ code: 1, stdout: '' });
      expect(run.stderr).not.toMatch(STACK_FRAME);
      expect(lines(run.stderr)).toEqual([
        'Error: The topic does not exist (This server does not host this topic-partition).',
        'Hint: Check the name with "topics list". The cluster does not create topics on first use (auto.create.topics.enable=false): add the topic to the "topics" setting and deploy.',
      ]);
    }
    expect(
      await asAdmin(broker, async (admin) => (await admin.listTopics()).includes(missingTopic)),
    ).toBe(false);
  });
});
