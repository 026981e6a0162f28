/**
 * `dlq show` and `dlq replay` end to end: the CLI as a child process (cli-process.ts) over
 * SASL/SCRAM-SHA-512 and TLS against the real broker, as `dlq-operator`, a SCRAM user with no
 * ACLs, on topics and groups that have none (open under allow.everyone.if.no.acl.found=true).
 *
 * The DLT messages are written by the test (as `admin`), not by Lambda: each is the JSON document
 * of the Lambda Developer Guide's "Record format for a Kafka destination" (page "Using a Kafka
 * topic as an on-failure destination"), around a real source record this test produced and read
 * back (msk-event.ts builds its `payload` as Lambda's MSK event), keyed by the source record's
 * key ("Lambda uses the same partition key from the original record"). Not verified here (no
 * Lambda): that Lambda's produced message value is exactly this document, and whether Lambda
 * also copies the source headers onto the DLT record (this test writes none there).
 */
import { randomUUID } from 'node:crypto';
import type { IHeaders, Kafka, KafkaMessage } from 'kafkajs';
import { lines, Run, STACK_FRAME, useFakeAwsCli } from './cli-process';
import { asAdmin, BrokerInfo, createReadyTopics, eachBroker, kafkaAs, unique } from './context';
import { clusterArnOf, FAKE_ACCOUNT, FAKE_REGION } from './fake-aws';
import { FetchedRecord, mskEvent } from './msk-event';

const SOURCE_PARTITIONS = 3;
const DLT_PARTITIONS = 2;
const FETCH_TIMEOUT_MS = 20_000;

const cliEnv = useFakeAwsCli();

/** Per partition, the broker's high watermark. */
const highWatermarks = (broker: BrokerInfo, topic: string) =>
  asAdmin(broker, async (admin) =>
    Object.fromEntries(
      (await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)]),
    ),
  );

/**
 * Reads `topic` from the beginning with a new group until `expected` records arrived, without
 * committing; `eachBatch` keeps kafkajs's batch context (the timestamp type msk-event.ts reads).
 */
async function fetchAll(kafka: Kafka, topic: string, expected: number): Promise<FetchedRecord[]> {
  const consumer = kafka.consumer({ groupId: unique('dlq-test-reader'), maxWaitTimeInMs: 250 });
  const fetched: FetchedRecord[] = [];
  let timer: NodeJS.Timeout | undefined;
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      timer = setTimeout(
        () =>
          reject(new Error(`fetched ${fetched.length} of ${expected} in ${FETCH_TIMEOUT_MS} ms`)),
        FETCH_TIMEOUT_MS,
      );
      consumer
        .run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            for (const message of batch.messages) {
              fetched.push({ topic: batch.topic, partition: batch.partition, message });
            }
            if (fetched.length >= expected) resolve();
          },
        })
        .catch(reject);
    });
  } finally {
    clearTimeout(timer);
    await consumer.disconnect();
  }
  return fetched;
}

/** kafkajs's header object as `[name, bytes]` pairs, repeats of a name in order. */
function headerPairs(headers: IHeaders | undefined): [string, Buffer][] {
  return Object.entries(headers ?? {}).flatMap(([name, value]) =>
    (Array.isArray(value) ? value : value === undefined ? [] : [value]).map(
      (v) => [name, Buffer.isBuffer(v) ? v : Buffer.from(v)] as [string, Buffer],
    ),
  );
}

const NOT_UTF8 = Buffer.from([0xff, 0x00, 0xfe, 0x80, 0x41]);
const BINARY_KEY = Buffer.from([0x00, 0xc3, 0x28, 0x01]);

describe.each(eachBroker())('Kafka %s: dlq show and replay', (_version, broker) => {
  const cluster = unique('dlq-cluster');
  const source = unique('dlq-orders');
  const dlt = unique('dlq-orders-dlt');
  const eventSourceArn = clusterArnOf(cluster);
  const as = ['--cluster-name', cluster, '--user', 'dlq-operator'];
  const cli = (args: string[]): Promise<Run> => cliEnv.processes.run(broker, [...args, ...as]);

  /** The three source records as the broker holds them, in DLT order. */
  let originals: FetchedRecord[] = [];
  /** `<topic>-<partition>-<offset>` of each original. */
  let ids: string[] = [];
  /** How many messages the DLT holds (the failure records and one that is not). */
  const DLT_MESSAGES = 4;

  beforeAll(async () => {
    cliEnv.fake.addCluster({
      name: cluster,
      scramBrokers: broker.bootstrap,
      secrets: {
        'dlq-operator': JSON.stringify({
          username: 'dlq-operator',
          password: broker.users['dlq-operator'],
        }),
      },
    });
    const admin = kafkaAs(broker, 'admin');
    await asAdmin(broker, (a) =>
      createReadyTopics(a, [
        { topic: source, numPartitions: SOURCE_PARTITIONS },
        { topic: dlt, numPartitions: DLT_PARTITIONS },
      ]),
    );
    const producer = admin.producer();
    await producer.connect();
    try {
      // Text, binary and absent keys and values; headers with binary bytes and a repeated name.
      await producer.send({
        topic: source,
        messages: [
          {
            key: 'order-1',
            value: '{"orderId":"order-1","total":12.5}',
            headers: { 'trace-id': 'abc-123', source: 'web' },
          },
          {
            key: BINARY_KEY,
            value: NOT_UTF8,
            headers: { bin: NOT_UTF8, dup: ['first', 'second'] },
          },
          { key: null, value: 'no key' },
        ],
      });
      originals = await fetchAll(admin, source, 3);
      // In the order sent (one partition may hold several).
      const order = ['order-1', BINARY_KEY.toString('hex'), null];
      const keyOf = (m: KafkaMessage) =>
        m.key === null ? null : m.key.equals(BINARY_KEY) ? m.key.toString('hex') : m.key.toString();
      originals.sort((a, b) => order.indexOf(keyOf(a.message)) - order.indexOf(keyOf(b.message)));
      ids = originals.map((o) => `${o.topic}-${o.partition}-${o.message.offset}`);

      // One failure record per source record, as the guide documents it, keyed by its key.
      const bootstrapServers = broker.bootstrap;
      const failures = originals.map((original, i) => {
        const payload = mskEvent([original], { eventSourceArn, bootstrapServers });
        const document = {
          requestContext: {
            requestId: randomUUID(),
            functionArn: `arn:aws:lambda:${FAKE_REGION}:${FAKE_ACCOUNT}:function:consumer:$LATEST`,
            condition: 'RetriesExhausted',
            approximateInvokeCount: 3 + i,
          },
          responseContext: {
            statusCode: 200,
            executedVersion: '$LATEST',
            functionError: 'Unhandled',
          },
          version: '1.0',
          timestamp: new Date(Date.UTC(2026, 0, 2, 3, 4, 5, i)).toISOString(),
          KafkaBatchInfo: {
            batchSize: 1,
            eventSourceArn,
            bootstrapServers,
            payloadSize: Buffer.byteLength(JSON.stringify(payload)),
            recordInfo: {
              offset: original.message.offset,
              timestamp: new Date(Number(original.message.timestamp)).toISOString(),
            },
          },
          payload,
        };
        return { key: original.message.key, value: JSON.stringify(document) };
      });
      await producer.send({ topic: dlt, messages: failures });
      // And one message that is not a failure record: shown as unparsed, never replayed.
      await producer.send({
        topic: dlt,
        messages: [{ key: 'junk', value: 'not a failure record' }],
      });
    } finally {
      await producer.disconnect();
    }
    expect(Object.values(await highWatermarks(broker, dlt)).reduce((a, b) => a + b)).toBe(
      DLT_MESSAGES,
    );
  });

  const readAll = ['--from-beginning', '--max', String(DLT_MESSAGES), '--timeout', '20'];

  test('show: one line per failed record with its failure, key, value and header names; junk unparsed', async () => {
    const run = await cli(['dlq', 'show', '--topic', dlt, ...readAll]);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(
      new RegExp(
        `^3 failed records in 4 messages from ${dlt} \\(group msk-secure-stack-cli-\\d+\\); 1 unparsed\\.\\n$`,
      ),
    );
    const printed = lines(run.stdout).map((l) => l.split('\t'));
    const unparsed = printed.filter((f) => f[2] === 'unparsed');
    expect(unparsed).toHaveLength(1);
    expect(unparsed[0].slice(3)).toEqual(['not JSON']);
    const failed = printed.filter((f) => f[2] !== 'unparsed');
    // DLT partition and offset, then the rest of the line, by source record.
    const bySource = Object.fromEntries(failed.map((f) => [f[2], f]));
    expect(Object.keys(bySource).sort()).toEqual([...ids].sort());
    for (const f of failed) {
      expect(Number(f[0])).toBeLessThan(DLT_PARTITIONS);
      expect(f[1]).toMatch(/^\d+$/);
    }
    expect(bySource[ids[0]].slice(3)).toEqual([
      'RetriesExhausted',
      '3',
      'Unhandled',
      '2026-01-02T03:04:05.000Z',
      'order-1',
      '{"orderId":"order-1","total":12.5}',
      'trace-id,source',
    ]);
    expect(bySource[ids[1]].slice(3)).toEqual([
      'RetriesExhausted',
      '4',
      'Unhandled',
      '2026-01-02T03:04:05.001Z',
      `base64:${BINARY_KEY.toString('base64')}`,
      `base64:${NOT_UTF8.toString('base64')}`,
      'bin,dup,dup',
    ]);
    expect(bySource[ids[2]].slice(3)).toEqual([
      'RetriesExhausted',
      '5',
      'Unhandled',
      '2026-01-02T03:04:05.002Z',
      '',
      'no key',
      '',
    ]);
  });

  test('show --json: the exact bytes of key, value and headers', async () => {
    const run = await cli(['dlq', 'show', '--topic', dlt, '--json', ...readAll]);
    expect(run.code).toBe(0);
    const objects = lines(run.stdout).map((l) => JSON.parse(l) as Record<string, unknown>);
    const binary = objects.find((o) => o.id === ids[1])!;
    expect(binary).toMatchObject({
      topic: source,
      partition: originals[1].partition,
      offset: originals[1].message.offset,
      timestamp: Number(originals[1].message.timestamp),
      timestampType: 'CREATE_TIME',
      key: { base64: BINARY_KEY.toString('base64') },
      value: { base64: NOT_UTF8.toString('base64') },
      headers: [
        { name: 'bin', base64: NOT_UTF8.toString('base64') },
        { name: 'dup', text: 'first' },
        { name: 'dup', text: 'second' },
      ],
    });
    expect(objects.find((o) => o.id === ids[2])).toMatchObject({
      key: null,
      value: { text: 'no key' },
    });
    expect(objects.filter((o) => 'unparsed' in o)).toEqual([
      { dltPartition: expect.any(Number), dltOffset: expect.any(String), unparsed: 'not JSON' },
    ]);
  });

  test('replay --dry-run prints the three records and sends nothing', async () => {
    const before = await highWatermarks(broker, source);
    const run = await cli(['dlq', 'replay', '--topic', dlt, '--dry-run', ...readAll]);
    expect(run.code).toBe(0);
    expect(
      lines(run.stdout)
        .map((l) => l.split('\t').slice(0, 3))
        .sort(),
    ).toEqual(ids.map((id) => ['dry-run', id, source]).sort());
    expect(lines(run.stderr)).toEqual([
      expect.stringMatching(/^Skipping DLT partition \d offset \d+: unparsed \(not JSON\)\.$/),
      expect.stringMatching(
        new RegExp(`^Dry run: would replay 3 of 3 failed records from ${dlt} .*; nothing sent\\.$`),
      ),
    ]);
    expect(await highWatermarks(broker, source)).toEqual(before);
  });

  test('replay --only: exactly that record arrives, same key, value bytes and headers, partition by key', async () => {
    const before = await highWatermarks(broker, source);
    const run = await cli(['dlq', 'replay', '--topic', dlt, '--only', ids[1], ...readAll]);
    expect(run.code).toBe(0);
    expect(run.stderr).not.toMatch(STACK_FRAME);
    const [line, ...more] = lines(run.stdout);
    expect(more).toEqual([]);
    const [action, from, to] = line.split('\t');
    expect([action, from]).toEqual(['replayed', ids[1]]);
    const match = new RegExp(`^${source}-(\\d+)-(\\d+)$`).exec(to)!;
    expect(match).not.toBeNull();
    const [partition, offset] = [Number(match[1]), match[2]];
    // The same key and the producer's default partitioner: the original's partition.
    expect(partition).toBe(originals[1].partition);
    expect(Number(offset)).toBe(before[partition]);

    // Exactly one record more on the source topic, and it is this one.
    const after = await highWatermarks(broker, source);
    expect(after).toEqual({ ...before, [partition]: before[partition] + 1 });
    const all = await fetchAll(kafkaAs(broker, 'admin'), source, 4);
    const replayed = all.filter((r) => r.partition === partition && r.message.offset === offset);
    expect(replayed).toHaveLength(1);
    const [{ message }] = replayed;
    const original = originals[1].message;
    expect(message.key).toEqual(BINARY_KEY);
    expect(message.value).toEqual(NOT_UTF8);
    expect(headerPairs(message.headers)).toEqual(headerPairs(original.headers));
    expect(headerPairs(message.headers)).toEqual([
      ['bin', NOT_UTF8],
      ['dup', Buffer.from('first')],
      ['dup', Buffer.from('second')],
    ]);
  });

  test('replay --group: all records, the group committed past the DLT; the next replay finds nothing', async () => {
    const group = unique('dlq-replayer');
    const before = await highWatermarks(broker, source);
    // A named group resumes (it does not read from the beginning): place it at the start.
    await asAdmin(broker, (a) =>
      a.setOffsets({
        groupId: group,
        topic: dlt,
        partitions: [...Array(DLT_PARTITIONS).keys()].map((partition) => ({
          partition,
          offset: '0',
        })),
      }),
    );
    const args = ['dlq', 'replay', '--topic', dlt, '--group', group];
    const run = await cli([...args, '--max', String(DLT_MESSAGES), '--timeout', '20']);
    expect(run.code).toBe(0);
    expect(
      lines(run.stdout)
        .map((l) => l.split('\t')[1])
        .sort(),
    ).toEqual([...ids].sort());
    expect(lines(run.stderr).at(-1)).toBe(
      `Replayed 3 of 3 failed records from ${dlt} (group ${group}); group offsets committed.`,
    );
    const after = await highWatermarks(broker, source);
    expect(Object.values(after).reduce((a, b) => a + b)).toBe(
      Object.values(before).reduce((a, b) => a + b) + 3,
    );
    const committed = await asAdmin(broker, async (a) => {
      const [offsets] = await a.fetchOffsets({ groupId: group, topics: [dlt] });
      return Object.fromEntries(offsets.partitions.map((p) => [p.partition, Number(p.offset)]));
    });
    expect(committed).toEqual(await highWatermarks(broker, dlt));

    const again = await cli([...args, '--timeout', '3']);
    expect(again).toMatchObject({ code: 0, stdout: '' });
    expect(lines(again.stderr)).toEqual([
      `Replayed 0 of 0 failed records from ${dlt} (group ${group}).`,
    ]);
  });

  test('a DLT that does not exist: explained, exit 1, nothing sent', async () => {
    const run = await cli(['dlq', 'replay', '--topic', unique('dlq-missing'), ...readAll]);
    expect(run).toMatchObject({ code: 1, stdout: '' });
    expect(run.stderr).not.toMatch(STACK_FRAME);
    expect(lines(run.stderr)[0]).toMatch(/^Error: The topic does not exist/);
  });
});
