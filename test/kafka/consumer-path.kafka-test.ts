/**
 * The consumer's record path on real Kafka records: kafkajs produces keys, no keys, JSON, text,
 * invalid UTF-8, tombstones, empty values, non-ASCII text and repeated headers to a two-partition
 * topic; a real kafkajs consumer fetches them; msk-event.ts turns the fetched bytes into the
 * event Lambda's MSK event source delivers; lambda/consumer's `consume` decodes it.
 *
 * The first records of each partition are deleted (DeleteRecords) before the test records are
 * written, so that real offsets start at 3 and 5, not at the records' positions in the batch:
 * a failure identifier made from an index instead of the record's offset would not match.
 */
import type { MSKEvent } from 'aws-lambda';
import type { IHeaders, Kafka, RecordMetadata } from 'kafkajs';
import { BatchFailedError, consume } from '../../secure-msk-constructs/handlers/consumer/index';
import type {
  DecodedRecord,
  DecodedValue,
  RecordHeader,
} from '../../secure-msk-constructs/handlers/consumer/types';
import { logger } from '../../secure-msk-constructs/handlers/shared/logger';
import { metrics } from '../../secure-msk-constructs/handlers/shared/metrics';
import { BrokerInfo, createReadyTopics, eachBroker, kafkaAs, unique } from './context';
import { EventOf, FetchedRecord, mskEvent } from './msk-event';

/** A record the test writes, and what the handler must make of it. */
interface Case {
  readonly name: string;
  readonly partition: 0 | 1;
  readonly key: string | null;
  readonly value: Buffer | null;
  readonly headers?: IHeaders;
  readonly expected: {
    readonly value: DecodedValue;
    readonly headers: readonly RecordHeader[];
  };
}

const json = (data: unknown): Pick<Case, 'value'> & { decoded: DecodedValue } => ({
  value: Buffer.from(JSON.stringify(data)),
  decoded: { kind: 'json', data },
});
const INVALID_UTF8 = Buffer.from([0x00, 0xff, 0xfe, 0x80, 0xc3, 0x28, 0xed, 0xa0, 0x80, 0x41]);
const INVALID_UTF8_2 = Buffer.from([0xc0, 0xaf, 0xf8, 0x88, 0x80, 0x80, 0x80]);
const order = json({ orderId: 1, items: ['a', 'b'], total: 12.5, note: 'zwölf €' });
const list = json([1, 'two', { three: 3 }, null]);
const p1Object = json({ n: 1 });
const p1Number = json(42);

const CASES: readonly Case[] = [
  {
    name: 'keyed JSON, repeated, non-ASCII and empty headers',
    partition: 0,
    key: 'order-1',
    value: order.value,
    headers: {
      'trace-id': [Buffer.from('t-1'), Buffer.from('t-2')],
      'ünï-näme': Buffer.from('café ☕ 日本'),
      empty: Buffer.alloc(0),
      source: 'web',
    },
    expected: {
      value: order.decoded,
      headers: [
        { name: 'trace-id', value: 't-1' },
        { name: 'trace-id', value: 't-2' },
        { name: 'ünï-näme', value: 'café ☕ 日本' },
        { name: 'empty', value: '' },
        { name: 'source', value: 'web' },
      ],
    },
  },
  {
    name: 'no key, text',
    partition: 0,
    key: null,
    value: Buffer.from('plain text, not JSON'),
    expected: { value: { kind: 'text', data: 'plain text, not JSON' }, headers: [] },
  },
  {
    name: 'binary value (invalid UTF-8)',
    partition: 0,
    key: 'bin-1',
    value: INVALID_UTF8,
    headers: { 'content-type': 'application/octet-stream' },
    expected: {
      value: { kind: 'binary', base64: INVALID_UTF8.toString('base64') },
      headers: [{ name: 'content-type', value: 'application/octet-stream' }],
    },
  },
  {
    name: 'tombstone',
    partition: 0,
    key: 'order-1',
    value: null,
    expected: { value: { kind: 'null' }, headers: [] },
  },
  {
    name: 'empty value (zero bytes, not a tombstone)',
    partition: 0,
    key: 'empty-value',
    value: Buffer.alloc(0),
    expected: { value: { kind: 'text', data: '' }, headers: [] },
  },
  {
    name: 'non-ASCII key and text',
    partition: 0,
    key: 'clé-ключ-🔑',
    value: Buffer.from('héllo wörld — ✓ 😀 日本語'),
    expected: { value: { kind: 'text', data: 'héllo wörld — ✓ 😀 日本語' }, headers: [] },
  },
  {
    name: 'keyed JSON array',
    partition: 0,
    key: 'after',
    value: list.value,
    expected: { value: list.decoded, headers: [] },
  },
  {
    name: 'no key, tombstone',
    partition: 0,
    key: null,
    value: null,
    expected: { value: { kind: 'null' }, headers: [] },
  },
  {
    name: 'partition 1: keyed JSON object',
    partition: 1,
    key: 'p1-a',
    value: p1Object.value,
    expected: { value: p1Object.decoded, headers: [] },
  },
  {
    name: 'partition 1: no key, non-ASCII text',
    partition: 1,
    key: null,
    value: Buffer.from('こんにちは'),
    expected: { value: { kind: 'text', data: 'こんにちは' }, headers: [] },
  },
  {
    name: 'partition 1: non-ASCII key, binary',
    partition: 1,
    key: 'ключ',
    value: INVALID_UTF8_2,
    expected: { value: { kind: 'binary', base64: INVALID_UTF8_2.toString('base64') }, headers: [] },
  },
  {
    name: 'partition 1: JSON number, repeated header',
    partition: 1,
    key: 'p1-d',
    value: p1Number.value,
    headers: { attempt: ['1', '2'] },
    expected: {
      value: p1Number.decoded,
      headers: [
        { name: 'attempt', value: '1' },
        { name: 'attempt', value: '2' },
      ],
    },
  },
];

/** The records deleted before the test records: the test records' offsets start here. */
const DELETED = { 0: 3, 1: 5 } as const;
/** `[partition, case]`: the record whose processing fails, one test per partition. */
const FAILURES: [0 | 1, number][] = [
  [0, CASES.findIndex((c) => c.name === 'binary value (invalid UTF-8)')],
  [1, CASES.findIndex((c) => c.name === 'partition 1: non-ASCII key, binary')],
];
const FETCH_TIMEOUT_MS = 20_000;

/**
 * Fetches with a real consumer group until `expected` records came (or the timeout), then
 * disconnects. `eachBatch` sees the broker's record batches as kafkajs decoded them.
 */
async function fetchRecords(
  kafka: Kafka,
  topic: string,
  options: { groupId: string; fromBeginning: boolean; expected: number },
): Promise<FetchedRecord[]> {
  const consumer = kafka.consumer({ groupId: options.groupId, maxWaitTimeInMs: 250 });
  const fetched: FetchedRecord[] = [];
  let timer: NodeJS.Timeout | undefined;
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: options.fromBeginning });
    await new Promise<void>((resolve, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new Error(
              `fetched ${fetched.length} of ${options.expected} records in ${FETCH_TIMEOUT_MS} ms`,
            ),
          ),
        FETCH_TIMEOUT_MS,
      );
      consumer
        .run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            for (const message of batch.messages) {
              fetched.push({ topic: batch.topic, partition: batch.partition, message });
            }
            if (fetched.length >= options.expected) resolve();
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

/** `"<topic>-<partition>"` back to its parts (topic names may contain dashes). */
function parsePartitionId(id: string): { topic: string; partition: number } {
  const dash = id.lastIndexOf('-');
  return { topic: id.slice(0, dash), partition: Number(id.slice(dash + 1)) };
}

const idOf = (r: Pick<DecodedRecord, 'topic' | 'partition' | 'offset'>) =>
  `${r.topic}-${r.partition}-${r.offset}`;

describe.each(eachBroker())('Kafka %s: the consumer record path', (version, broker: BrokerInfo) => {
  const kafka = kafkaAs(broker, 'admin');
  const topic = unique('consumer-path');
  /** Per case: the offset the broker's produce response gave it, and the timestamp sent. */
  const offsets: number[] = [];
  const timestamps: number[] = [];
  let fetched: FetchedRecord[] = [];
  let event: EventOf;

  const options = (nulls: 'omit' | 'null' = 'omit') => ({
    eventSourceArn: `arn:aws:kafka:us-east-1:123456789012:cluster/kafka-${version.replace(/\./g, '-')}/00000000-0000-0000-0000-000000000000-1`,
    bootstrapServers: broker.bootstrap,
    nulls,
  });

  /** What `consume` must hand to `process` for case `i`. */
  const expectedRecord = (i: number): DecodedRecord => ({
    topic,
    partition: CASES[i].partition,
    offset: offsets[i],
    timestamp: timestamps[i],
    timestampType: 'CREATE_TIME',
    key: CASES[i].key,
    value: CASES[i].expected.value,
    headers: CASES[i].expected.headers,
  });
  const indexesIn = (partition: number) =>
    CASES.flatMap((c, i) => (c.partition === partition ? [i] : []));

  beforeAll(async () => {
    const admin = kafka.admin();
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    try {
      await admin.connect();
      await producer.connect();
      expect(
        await createReadyTopics(admin, [{ topic, numPartitions: 2, replicationFactor: 1 }]),
      ).toBe(true);
      // Records before the test records, then DeleteRecords: the log now starts at 3 and 5.
      const preamble = ([0, 1] as const).flatMap((partition) =>
        Array.from({ length: DELETED[partition] }, (_, i) => ({
          partition,
          value: `deleted ${partition}/${i}`,
        })),
      );
      await producer.send({ topic, messages: preamble });
      // kafkajs's deleteTopicRecords needs the topic in the admin's metadata to find leaders.
      await admin.fetchTopicMetadata({ topics: [topic] });
      await admin.deleteTopicRecords({
        topic,
        partitions: [
          { partition: 0, offset: String(DELETED[0]) },
          { partition: 1, offset: String(DELETED[1]) },
        ],
      });
      const low = await admin.fetchTopicOffsets(topic);
      expect(low.map((o) => [o.partition, o.low]).sort()).toEqual([
        [0, String(DELETED[0])],
        [1, String(DELETED[1])],
      ]);

      // CREATE_TIME timestamps a little in the past, one per record, so each is recognisable.
      const base = Date.now() - 60_000;
      CASES.forEach((_, i) => (timestamps[i] = base + i * 1000));
      const metadata: RecordMetadata[] = await producer.send({
        topic,
        messages: CASES.map((c, i) => ({
          partition: c.partition,
          key: c.key,
          value: c.value,
          headers: c.headers,
          timestamp: String(timestamps[i]),
        })),
      });
      // Offsets as the broker assigned them: base offset of each partition's append + position.
      for (const partition of [0, 1]) {
        const m = metadata.find((r) => r.partition === partition);
        if (m?.baseOffset === undefined) throw new Error(`no produce offset for ${partition}`);
        indexesIn(partition).forEach((i, n) => (offsets[i] = Number(m.baseOffset) + n));
      }
    } finally {
      await producer.disconnect();
      await admin.disconnect();
    }
    fetched = await fetchRecords(kafka, topic, {
      groupId: unique('consumer-path-fetch'),
      fromBeginning: true,
      expected: CASES.length,
    });
    event = mskEvent(fetched, options());
  }, 90_000);

  // The handler logs and records metrics; neither is under test here and neither should print.
  beforeEach(() => {
    jest.spyOn(logger, 'info').mockImplementation(() => undefined);
    jest.spyOn(logger, 'error').mockImplementation(() => undefined);
    jest.spyOn(metrics, 'addMetric').mockImplementation(() => metrics);
  });
  afterEach(() => jest.restoreAllMocks());

  test('the fetched records are the produced ones at the offsets the broker assigned', () => {
    expect(offsets[CASES.findIndex((c) => c.partition === 0)]).toBe(DELETED[0]);
    expect(offsets[CASES.findIndex((c) => c.partition === 1)]).toBe(DELETED[1]);
    const got = fetched.map((f) => [f.partition, f.message.offset]).sort();
    const want = CASES.map((c, i) => [c.partition, String(offsets[i])]).sort();
    expect(got).toEqual(want);
  });

  test('the event has the documented shape, built from the fetched bytes', () => {
    expect(event.eventSource).toBe('aws:kafka');
    expect(event.eventSourceArn).toMatch(/^arn:aws:kafka:[a-z0-9-]+:\d{12}:cluster\/[^/]+\/[^/]+$/);
    expect(event.bootstrapServers).toBe(broker.bootstrap);
    expect(Object.keys(event.records).sort()).toEqual([`${topic}-0`, `${topic}-1`]);
    for (const [id, records] of Object.entries(event.records)) {
      const { partition } = parsePartitionId(id);
      // Within a partition, Lambda's list is in offset order.
      expect(records.map((r) => r.offset)).toEqual(indexesIn(partition).map((i) => offsets[i]));
      for (const record of records) {
        const i = CASES.findIndex(
          (c, n) => c.partition === partition && offsets[n] === record.offset,
        );
        const c = CASES[i];
        expect(record.topic).toBe(topic);
        expect(record.partition).toBe(partition);
        expect(record.timestamp).toBe(timestamps[i]);
        expect(record.timestampType).toBe('CREATE_TIME');
        // No key / tombstone: the field is absent (see msk-event.ts), not an empty string.
        if (c.key === null) expect(record).not.toHaveProperty('key');
        else expect(Buffer.from(record.key as string, 'base64').toString('utf8')).toBe(c.key);
        if (c.value === null) expect(record).not.toHaveProperty('value');
        else expect(Buffer.from(record.value as string, 'base64').equals(c.value)).toBe(true);
        // Headers: one single-name object per header, values as byte arrays, in order.
        expect(record.headers).toEqual(
          c.expected.headers.map((h) => ({ [h.name]: [...Buffer.from(h.value)] })),
        );
      }
    }
  });

  test.each([['omitted' as const], ['null' as const]])(
    'consume decodes every real record to what was produced (missing key/value %s)',
    async (nulls) => {
      const input = nulls === 'omitted' ? event : mskEvent(fetched, options('null'));
      // The missing keys and values are written the way this variant says.
      const written = Object.values(input.records).flat();
      const missing = (field: 'key' | 'value') =>
        written.filter((r) => (nulls === 'null' ? r[field] === null : !(field in r))).length;
      expect(missing('key')).toBe(CASES.filter((c) => c.key === null).length);
      expect(missing('value')).toBe(CASES.filter((c) => c.value === null).length);
      const seen: DecodedRecord[] = [];
      const response = await consume(input as unknown as MSKEvent, {
        reportBatchItemFailures: true,
        process: (r) => void seen.push(r),
      });
      expect(response).toEqual({ batchItemFailures: [] });
      for (const partition of [0, 1]) {
        expect(seen.filter((r) => r.partition === partition)).toEqual(
          indexesIn(partition).map(expectedRecord),
        );
      }
      expect(seen).toHaveLength(CASES.length);
    },
  );

  describe.each(FAILURES)('a failure in partition %i', (partition, failingIndex) => {
    const other = 1 - partition;
    const failingCase = CASES[failingIndex];

    test('is reported by its real offset, and a consumer group resumes there', async () => {
      const failing = expectedRecord(failingIndex);
      const attempted: string[] = [];
      const processed: string[] = [];
      const response = await consume(event as unknown as MSKEvent, {
        reportBatchItemFailures: true,
        process: async (r) => {
          attempted.push(idOf(r));
          if (r.partition === failing.partition && r.offset === failing.offset) {
            throw new Error('cannot process this one');
          }
          processed.push(idOf(r));
        },
      });
      expect(response).toEqual({
        batchItemFailures: [
          { itemIdentifier: { partition: `${topic}-${partition}`, offset: failing.offset } },
        ],
      });
      // Its partition: the records before it processed, it attempted, none after it.
      const own = indexesIn(partition);
      const before = own.slice(0, own.indexOf(failingIndex)).map((i) => idOf(expectedRecord(i)));
      expect(before.length).toBeGreaterThan(0);
      expect(own.indexOf(failingIndex)).toBeLessThan(own.length - 1);
      expect(attempted.filter((id) => id.startsWith(`${topic}-${partition}-`))).toEqual([
        ...before,
        idOf(failing),
      ]);
      expect(processed.filter((id) => id.startsWith(`${topic}-${partition}-`))).toEqual(before);
      // The other partition: all of it processed.
      expect(processed.filter((id) => id.startsWith(`${topic}-${other}-`))).toEqual(
        indexesIn(other).map((i) => idOf(expectedRecord(i))),
      );
      expect(logger.error).toHaveBeenCalledWith(
        'Record failed',
        expect.objectContaining({ correlation_id: idOf(failing) }),
      );

      // The identifier is usable: commit it as a group's position (what Lambda does with it),
      // and that group's next fetch of the partition starts with the failed record.
      const { itemIdentifier } = response.batchItemFailures[0];
      const target = parsePartitionId(itemIdentifier.partition);
      expect(target).toEqual({ topic, partition });
      const groupId = unique('consumer-path-resume');
      const admin = kafka.admin();
      try {
        await admin.connect();
        await admin.setOffsets({
          groupId,
          topic: target.topic,
          partitions: [{ partition: target.partition, offset: String(itemIdentifier.offset) }],
        });
        const committed = await admin.fetchOffsets({ groupId, topics: [target.topic] });
        expect(committed[0].partitions.find((p) => p.partition === target.partition)?.offset).toBe(
          String(itemIdentifier.offset),
        );
      } finally {
        await admin.disconnect();
      }
      // fromBeginning false: the committed partition resumes at its offset, the other at its end.
      const resumed = await fetchRecords(kafka, target.topic, {
        groupId,
        fromBeginning: false,
        expected: 1,
      });
      expect(resumed.length).toBeGreaterThan(0);
      expect(resumed.every((r) => r.partition === target.partition)).toBe(true);
      const first = resumed[0].message;
      expect(first.offset).toBe(String(failing.offset));
      expect(first.key?.toString('utf8')).toBe(failingCase.key);
      expect(first.value?.equals(failingCase.value as Buffer)).toBe(true);
    }, 60_000);

    test('without partial responses, throws BatchFailedError naming the real record', async () => {
      const failing = expectedRecord(failingIndex);
      const cause = new Error('cannot process this one');
      const processed: string[] = [];
      let error: unknown;
      try {
        await consume(event as unknown as MSKEvent, {
          reportBatchItemFailures: false,
          process: (r) => {
            if (r.partition === failing.partition && r.offset === failing.offset) throw cause;
            processed.push(idOf(r));
          },
        });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(BatchFailedError);
      const { correlationId } = error as BatchFailedError;
      expect(correlationId).toBe(`${topic}-${partition}-${failing.offset}`);
      // The third record of its partition, after the deleted ones.
      expect(correlationId).toBe(`${topic}-${partition}-${DELETED[partition] + 2}`);
      expect((error as BatchFailedError).cause).toBe(cause);
      // Nothing after the failed record of its partition ran.
      const after = indexesIn(partition)
        .filter((i) => offsets[i] > failing.offset)
        .map((i) => idOf(expectedRecord(i)));
      expect(after.length).toBeGreaterThan(0);
      expect(processed.filter((id) => after.includes(id))).toEqual([]);
    });
  });
});
