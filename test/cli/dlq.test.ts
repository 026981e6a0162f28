import { GetBootstrapBrokersCommand, KafkaClient } from '@aws-sdk/client-kafka';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { KafkaJSProtocolError, Message } from 'kafkajs';
import { replayMessage } from '../../src/cli/commands/dlq';
import { Deps } from '../../src/cli/connection';
import { FailedRecord, parseDltMessage } from '../../src/cli/dlq-envelope';
import { main } from '../../src/cli/main';
import { HELP } from '../../src/cli/options';

const kafkaMock = mockClient(KafkaClient);
const smMock = mockClient(SecretsManagerClient);

const CLUSTER =
  'arn:aws:kafka:eu-west-1:111122223333:cluster/msk-secure-dev/1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d-2';
const DLT = 'orders-dlt';

/**
 * The Lambda Developer Guide's example (kafka-on-failure-destination, "Record format for a Kafka
 * destination"), as printed there: key "test-key", value "test-value", no headers.
 */
const GUIDE_EXAMPLE = {
  requestContext: {
    requestId: 'e4b46cbf-b738-xmpl-8880-a18cdf61200e',
    functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:my-function:$LATEST',
    condition: 'RetriesExhausted',
    approximateInvokeCount: 3,
  },
  responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
  version: '1.0',
  timestamp: '2019-11-14T18:16:05.568Z',
  KafkaBatchInfo: {
    batchSize: 1,
    eventSourceArn: 'arn:aws:kafka:us-east-1:123456789012:cluster/my-cluster/abc123',
    bootstrapServers: 'b-1.mycluster.abc123.kafka.us-east-1.amazonaws.com:9098',
    payloadSize: 1162,
    recordInfo: {
      offset: '49601189658422359378836298521827638475320189012309704722',
      timestamp: '2019-11-14T18:16:04.835Z',
    },
  },
  payload: {
    bootstrapServers: 'b-1.mycluster.abc123.kafka.us-east-1.amazonaws.com:9098',
    eventSource: 'aws:kafka',
    eventSourceArn: 'arn:aws:kafka:us-east-1:123456789012:cluster/my-cluster/abc123',
    records: {
      'my-topic-0': [
        {
          headers: [],
          key: 'dGVzdC1rZXk=',
          offset: 100,
          partition: 0,
          timestamp: 1749116692330,
          timestampType: 'CREATE_TIME',
          topic: 'my-topic',
          value: 'dGVzdC12YWx1ZQ==',
        },
      ],
    },
  },
};

const NOT_UTF8 = Buffer.from([0xff, 0xfe, 0x00, 0x80]);

interface Source {
  topic?: string;
  partition?: number;
  offset?: number;
  key?: Buffer | null;
  value?: Buffer | null;
  headers?: [string, Buffer | number[]][];
}

/** A DLT message value in the guide's shape, around the given source records. */
function envelope(records: Source[], failure: { count?: number; error?: string } = {}): string {
  const grouped: Record<string, unknown[]> = {};
  for (const r of records) {
    const topic = r.topic ?? 'orders';
    const partition = r.partition ?? 0;
    (grouped[`${topic}-${partition}`] ??= []).push({
      headers: (r.headers ?? []).map(([name, bytes]) => ({ [name]: [...bytes] })),
      ...(r.key === null ? {} : { key: (r.key ?? Buffer.from('k')).toString('base64') }),
      ...(r.value === null ? {} : { value: (r.value ?? Buffer.from('v')).toString('base64') }),
      offset: r.offset ?? 0,
      partition,
      timestamp: 1749116692330,
      timestampType: 'CREATE_TIME',
      topic,
    });
  }
  return JSON.stringify({
    ...GUIDE_EXAMPLE,
    requestContext: {
      ...GUIDE_EXAMPLE.requestContext,
      approximateInvokeCount: failure.count ?? 3,
    },
    responseContext: {
      ...GUIDE_EXAMPLE.responseContext,
      functionError: failure.error ?? 'Unhandled',
    },
    payload: { ...GUIDE_EXAMPLE.payload, records: grouped },
  });
}

interface DltMessage {
  partition: number;
  offset: string;
  value: string | Buffer | null;
}

/** A fake kafkajs client: the consumer hands over `messages`, the producer records its sends. */
function fakeKafka(messages: DltMessage[] = []) {
  const sent: { topic: string; messages: Message[] }[] = [];
  let nextOffset = 500;
  const producer = {
    connect: jest.fn(async () => undefined),
    send: jest.fn(async (batch: { topic: string; messages: Message[] }) => {
      sent.push(batch);
      return [
        {
          topicName: batch.topic,
          partition: batch.messages[0].partition ?? 2,
          errorCode: 0,
          baseOffset: String(nextOffset++),
        },
      ];
    }),
    disconnect: jest.fn(async () => undefined),
  };
  const consumer = {
    connect: jest.fn(async () => undefined),
    subscribe: jest.fn(async () => undefined),
    run: jest.fn(
      async ({
        eachMessage,
      }: {
        autoCommit?: boolean;
        eachMessage: (p: unknown) => Promise<void>;
      }) => {
        for (const m of messages) {
          await eachMessage({
            topic: DLT,
            partition: m.partition,
            message: {
              offset: m.offset,
              key: null,
              value: typeof m.value === 'string' ? Buffer.from(m.value) : m.value,
            },
          });
        }
      },
    ),
    commitOffsets: jest.fn(async () => undefined),
    disconnect: jest.fn(async () => undefined),
    events: { CRASH: 'consumer.crash' },
    on: jest.fn(() => () => undefined),
  };
  return { producer, consumer, sent };
}

function harness(kafka = fakeKafka()) {
  const out: string[] = [];
  const err: string[] = [];
  const deps: Deps = {
    awsClients: () => ({
      kafka: new KafkaClient({ region: 'eu-west-1' }),
      secretsManager: new SecretsManagerClient({ region: 'eu-west-1' }),
      ssm: new SSMClient({ region: 'eu-west-1' }),
      sts: new STSClient({ region: 'eu-west-1' }),
    }),
    createKafka: () =>
      ({ producer: () => kafka.producer, consumer: () => kafka.consumer }) as never,
    signer: {} as never,
    out: (l) => void out.push(l),
    err: (l) => void err.push(l),
    stdinLines: async function* () {},
    now: () => 1_000_000,
    env: {},
  };
  return { deps, out, err, kafka };
}

const dlq = (...argv: string[]) => ['dlq', ...argv, '--cluster-arn', CLUSTER, '--topic', DLT];

/** Runs the CLI on fake timers past the default --timeout (30 s): the fake DLT has no more. */
async function run(argv: string[], deps: Deps): Promise<number> {
  jest.useFakeTimers();
  try {
    const code = main(argv, deps);
    await jest.advanceTimersByTimeAsync(30_000);
    return await code;
  } finally {
    jest.useRealTimers();
  }
}

beforeEach(() => {
  kafkaMock.reset();
  smMock.reset();
  kafkaMock.on(GetBootstrapBrokersCommand, { ClusterArn: CLUSTER }).resolves({
    BootstrapBrokerStringSaslScram: 'b-1.msk.example:9096',
  });
  smMock
    .on(GetSecretValueCommand, { SecretId: 'AmazonMSK_msk-secure-dev_consumer' })
    .resolves({ SecretString: JSON.stringify({ username: 'consumer', password: 'p4ss' }) });
});

describe('parsing the failure record', () => {
  test("the guide's example: the failed record, its failure, where it sits on the DLT", () => {
    const entry = parseDltMessage(1, '7', Buffer.from(JSON.stringify(GUIDE_EXAMPLE)));
    expect(entry).toEqual({
      kind: 'failed',
      records: [
        {
          dltPartition: 1,
          dltOffset: '7',
          id: 'my-topic-0-100',
          topic: 'my-topic',
          partition: 0,
          offset: '100',
          timestamp: 1749116692330,
          timestampType: 'CREATE_TIME',
          key: Buffer.from('test-key'),
          value: Buffer.from('test-value'),
          headers: [],
          condition: 'RetriesExhausted',
          approximateInvokeCount: 3,
          functionError: 'Unhandled',
          failedAt: '2019-11-14T18:16:05.568Z',
          requestId: 'e4b46cbf-b738-xmpl-8880-a18cdf61200e',
          functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:my-function:$LATEST',
        },
      ],
    });
  });

  test('headers: bytes (signed or not), repeats and order kept; absent or null key and value are null', () => {
    const value = JSON.stringify({
      payload: {
        records: {
          'a-b-3': [
            {
              topic: 'a-b',
              partition: 3,
              offset: '12',
              key: null,
              headers: [{ trace: [104, 105] }, { bin: [-1, 255, 0, -128] }, { trace: [] }],
            },
          ],
        },
      },
    });
    const entry = parseDltMessage(0, '0', Buffer.from(value));
    expect(entry.kind).toBe('failed');
    const [record] = (entry as { records: readonly FailedRecord[] }).records;
    expect(record).toMatchObject({
      id: 'a-b-3-12',
      key: null,
      value: null,
      condition: undefined,
      approximateInvokeCount: undefined,
      headers: [
        { name: 'trace', value: Buffer.from('hi') },
        { name: 'bin', value: Buffer.from([0xff, 0xff, 0x00, 0x80]) },
        { name: 'trace', value: Buffer.alloc(0) },
      ],
    });
  });

  test('several records in one message (several topic-partitions) are all read', () => {
    const value = envelope([
      { topic: 'orders', partition: 0, offset: 1 },
      { topic: 'orders', partition: 1, offset: 2 },
      { topic: 'payments', partition: 0, offset: 3 },
    ]);
    const entry = parseDltMessage(0, '0', Buffer.from(value));
    expect(entry.kind === 'failed' && entry.records.map((r) => r.id)).toEqual([
      'orders-0-1',
      'orders-1-2',
      'payments-0-3',
    ]);
  });

  const record = (r: Record<string, unknown>) =>
    JSON.stringify({ payload: { records: { 'orders-0': [r] } } });
  const ok = { topic: 'orders', partition: 0, offset: 1 };
  test.each([
    ['no value (a tombstone)', null, 'no value (a tombstone)'],
    ['not JSON', 'hello', 'not JSON'],
    ['not UTF-8', NOT_UTF8, 'not JSON'],
    ['a JSON array', '[1,2]', 'not a JSON object'],
    ['a JSON string', '"x"', 'not a JSON object'],
    ['another JSON document', '{"orderId":1}', 'no payload.records: not a Lambda failure record'],
    ['records not an object', '{"payload":{"records":[]}}', 'no payload.records'],
    ['no records', '{"payload":{"records":{}}}', 'payload.records holds no record'],
    [
      'a list that is not one',
      '{"payload":{"records":{"orders-0":{}}}}',
      'payload.records["orders-0"] is not a list',
    ],
    ['a record that is not an object', record(null as never), 'is not an object'],
    ['no topic', record({ partition: 0, offset: 1 }), 'no topic'],
    ['a negative partition', record({ ...ok, partition: -1 }), 'no partition'],
    ['a partition that is a string', record({ ...ok, partition: '0' }), 'no partition'],
    ['no offset', record({ topic: 'orders', partition: 0 }), 'no offset'],
    ['an offset that is not a number', record({ ...ok, offset: 'x' }), 'no offset'],
    ['a key that is not base64', record({ ...ok, key: 'not base64!' }), 'key is not base64'],
    ['a value that is a number', record({ ...ok, value: 5 }), 'value is not base64'],
    ['headers not a list', record({ ...ok, headers: {} }), 'headers is not a list'],
    ['a header not an object', record({ ...ok, headers: ['x'] }), 'a header is not an object'],
    [
      'a header byte out of range',
      record({ ...ok, headers: [{ h: [256] }] }),
      'header "h" is not a list of bytes',
    ],
    [
      'a header value that is a string',
      record({ ...ok, headers: [{ h: 'abc' }] }),
      'header "h" is not a list of bytes',
    ],
  ])('%s: unparsed, with the reason', (_name, value, reason) => {
    const entry = parseDltMessage(
      2,
      '9',
      value === null ? null : Buffer.isBuffer(value) ? value : Buffer.from(value),
    );
    expect(entry).toMatchObject({ kind: 'unparsed', dltPartition: 2, dltOffset: '9' });
    expect((entry as { reason: string }).reason).toContain(reason);
  });
});

describe('dlq show', () => {
  test('one tab-separated line per failed record; unparsed messages with their offset; counts on stderr', async () => {
    const kafka = fakeKafka([
      {
        partition: 0,
        offset: '4',
        value: envelope([
          {
            partition: 1,
            offset: 57,
            key: Buffer.from('order-7'),
            value: Buffer.from('{"total": 5}'),
            headers: [
              ['trace-id', Buffer.from('abc')],
              ['source', Buffer.from('web')],
            ],
          },
        ]),
      },
      { partition: 0, offset: '5', value: 'garbage' },
      {
        partition: 1,
        offset: '2',
        value: envelope(
          [
            { offset: 58, key: null, value: NOT_UTF8 },
            { offset: 59, key: Buffer.from(''), value: Buffer.from('two\nlines') },
          ],
          { count: 10, error: 'Handled' },
        ),
      },
    ]);
    const h = harness(kafka);
    expect(await run(dlq('show', '--from-beginning'), h.deps)).toBe(0);
    expect(h.out).toEqual([
      '0\t4\torders-1-57\tRetriesExhausted\t3\tUnhandled\t2019-11-14T18:16:05.568Z\torder-7\t{"total": 5}\ttrace-id,source',
      '0\t5\tunparsed\tnot JSON',
      `1\t2\torders-0-58\tRetriesExhausted\t10\tHandled\t2019-11-14T18:16:05.568Z\t\tbase64:${NOT_UTF8.toString('base64')}\t`,
      `1\t2\torders-0-59\tRetriesExhausted\t10\tHandled\t2019-11-14T18:16:05.568Z\t\tbase64:${Buffer.from('two\nlines').toString('base64')}\t`,
    ]);
    expect(h.err).toEqual([
      `3 failed records in 3 messages from ${DLT} (group msk-secure-stack-cli-1000000); 1 unparsed.`,
    ]);
    // Read as consume reads, but show commits nothing.
    expect(kafka.consumer.subscribe).toHaveBeenCalledWith({ topics: [DLT], fromBeginning: true });
    expect(kafka.consumer.run).toHaveBeenCalledWith(expect.objectContaining({ autoCommit: false }));
    expect(kafka.consumer.commitOffsets).not.toHaveBeenCalled();
    expect(kafka.consumer.disconnect).toHaveBeenCalledTimes(1);
    expect(kafka.producer.connect).not.toHaveBeenCalled();
  });

  test('missing failure fields print "-"; a record of the guide without metadata still shows', async () => {
    const h = harness(
      fakeKafka([
        {
          partition: 0,
          offset: '0',
          value: JSON.stringify({ payload: GUIDE_EXAMPLE.payload }),
        },
      ]),
    );
    expect(await run(dlq('show'), h.deps)).toBe(0);
    expect(h.out).toEqual(['0\t0\tmy-topic-0-100\t-\t-\t-\t-\ttest-key\ttest-value\t']);
    expect(h.err).toEqual([
      `1 failed record in 1 message from ${DLT} (group msk-secure-stack-cli-1000000).`,
    ]);
  });

  test('--json: one object per failed record, exact bytes as text or base64; unparsed as an object', async () => {
    const h = harness(
      fakeKafka([
        {
          partition: 3,
          offset: '11',
          value: envelope([
            {
              partition: 2,
              offset: 8,
              key: NOT_UTF8,
              value: Buffer.from('héllo'),
              headers: [['bin', NOT_UTF8]],
            },
          ]),
        },
        { partition: 3, offset: '12', value: null },
      ]),
    );
    expect(await run(dlq('show', '--json', '--group', 'ops', '--max', '2'), h.deps)).toBe(0);
    expect(h.out.map((l) => JSON.parse(l))).toEqual([
      {
        dltPartition: 3,
        dltOffset: '11',
        id: 'orders-2-8',
        topic: 'orders',
        partition: 2,
        offset: '8',
        timestamp: 1749116692330,
        timestampType: 'CREATE_TIME',
        condition: 'RetriesExhausted',
        approximateInvokeCount: 3,
        functionError: 'Unhandled',
        failedAt: '2019-11-14T18:16:05.568Z',
        requestId: 'e4b46cbf-b738-xmpl-8880-a18cdf61200e',
        functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:my-function:$LATEST',
        key: { base64: NOT_UTF8.toString('base64') },
        value: { text: 'héllo' },
        headers: [{ name: 'bin', base64: NOT_UTF8.toString('base64') }],
      },
      { dltPartition: 3, dltOffset: '12', unparsed: 'no value (a tombstone)' },
    ]);
    expect(h.err).toEqual([`1 failed record in 2 messages from ${DLT} (group ops); 1 unparsed.`]);
  });

  test('--max counts DLT messages; --group resumes the group (not from the beginning)', async () => {
    const messages = [0, 1, 2].map((i) => ({
      partition: 0,
      offset: String(i),
      value: envelope([{ offset: i }]),
    }));
    const kafka = fakeKafka(messages);
    const h = harness(kafka);
    expect(await run(dlq('show', '--group', 'ops', '--max', '2'), h.deps)).toBe(0);
    expect(h.out.map((l) => l.split('\t')[2])).toEqual(['orders-0-0', 'orders-0-1']);
    expect(kafka.consumer.subscribe).toHaveBeenCalledWith({ topics: [DLT], fromBeginning: false });
  });
});

describe('dlq replay', () => {
  const source = (offset: number, extra: Source = {}): Source => ({
    partition: 1,
    offset,
    key: Buffer.from(`key-${offset}`),
    value: Buffer.from(`value-${offset}`),
    ...extra,
  });
  const dltOf = (...records: Source[][]) =>
    records.map((r, i) => ({ partition: 0, offset: String(i), value: envelope(r) }));

  test('sends each record to its source topic with the exact key, value bytes and headers', async () => {
    const kafka = fakeKafka(
      dltOf(
        [
          source(57, {
            value: NOT_UTF8,
            headers: [
              ['trace', Buffer.from('a')],
              ['bin', NOT_UTF8],
              ['trace', Buffer.from('b')],
            ],
          }),
        ],
        [source(58, { topic: 'payments', partition: 0, key: null, value: Buffer.alloc(0) })],
      ),
    );
    const h = harness(kafka);
    expect(await run(dlq('replay', '--from-beginning'), h.deps)).toBe(0);
    // One send per record, in DLT order; no partition: the producer's partitioner (by key).
    expect(kafka.sent).toEqual([
      {
        topic: 'orders',
        messages: [
          {
            key: Buffer.from('key-57'),
            value: NOT_UTF8,
            headers: Object.assign(Object.create(null), {
              trace: [Buffer.from('a'), Buffer.from('b')],
              bin: NOT_UTF8,
            }),
          },
        ],
      },
      {
        topic: 'payments',
        messages: [{ key: null, value: Buffer.alloc(0), headers: Object.create(null) }],
      },
    ]);
    expect(kafka.sent[0].messages[0]).not.toHaveProperty('partition');
    expect(h.out).toEqual([
      `replayed\torders-1-57\torders-2-500\tkey-57\tbase64:${NOT_UTF8.toString('base64')}\ttrace,bin,trace`,
      'replayed\tpayments-0-58\tpayments-2-501\t\t\t',
    ]);
    expect(h.err).toEqual([
      `Replayed 2 of 2 failed records from ${DLT} (group msk-secure-stack-cli-1000000).`,
    ]);
    expect(kafka.producer.disconnect).toHaveBeenCalledTimes(1);
    // No --group: the CLI's own throw-away group is not committed.
    expect(kafka.consumer.commitOffsets).not.toHaveBeenCalled();
  });

  test('--same-partition sends to the original partition', async () => {
    const kafka = fakeKafka(dltOf([source(57)]));
    const h = harness(kafka);
    expect(await run(dlq('replay', '--same-partition'), h.deps)).toBe(0);
    expect(kafka.sent[0].messages[0].partition).toBe(1);
    expect(h.out[0]).toBe('replayed\torders-1-57\torders-1-500\tkey-57\tvalue-57\t');
  });

  test('--only picks those records (in the order given); the others are not sent', async () => {
    const kafka = fakeKafka(dltOf([source(57)], [source(58)], [source(59, { topic: 'a-b-c' })]));
    const h = harness(kafka);
    expect(
      await run(dlq('replay', '--only', 'a-b-c-1-59,orders-1-57', '--only', 'a-b-c-1-59'), h.deps),
    ).toBe(0);
    expect(kafka.sent.map((s) => [s.topic, s.messages[0].key!.toString()])).toEqual([
      ['a-b-c', 'key-59'],
      ['orders', 'key-57'],
    ]);
    expect(h.err).toEqual([
      `Replayed 2 of 3 failed records from ${DLT} (group msk-secure-stack-cli-1000000).`,
    ]);
  });

  test('--dry-run prints what would be sent and sends nothing, commits nothing', async () => {
    const kafka = fakeKafka(dltOf([source(57, { headers: [['h', Buffer.from('x')]] })]));
    const h = harness(kafka);
    expect(await run(dlq('replay', '--dry-run', '--group', 'ops'), h.deps)).toBe(0);
    expect(h.out).toEqual(['dry-run\torders-1-57\torders\tkey-57\tvalue-57\th']);
    expect(h.err).toEqual([
      `Dry run: would replay 1 of 1 failed record from ${DLT} (group ops); nothing sent.`,
    ]);
    expect(kafka.producer.connect).not.toHaveBeenCalled();
    expect(kafka.producer.send).not.toHaveBeenCalled();
    expect(kafka.consumer.commitOffsets).not.toHaveBeenCalled();

    const json = harness(fakeKafka(dltOf([source(57)])));
    await run(dlq('replay', '--dry-run', '--json', '--same-partition'), json.deps);
    expect(JSON.parse(json.out[0])).toEqual({
      action: 'dry-run',
      from: 'orders-1-57',
      to: { topic: 'orders', partition: 1, offset: null },
      key: { text: 'key-57' },
      value: { text: 'value-57' },
      headers: [],
    });
    expect(json.kafka.producer.send).not.toHaveBeenCalled();
  });

  test('--json: where each record went', async () => {
    const h = harness(fakeKafka(dltOf([source(57, { value: NOT_UTF8 })])));
    expect(await run(dlq('replay', '--json'), h.deps)).toBe(0);
    expect(JSON.parse(h.out[0])).toEqual({
      action: 'replayed',
      from: 'orders-1-57',
      to: { topic: 'orders', partition: 2, offset: '500' },
      key: { text: 'key-57' },
      value: { base64: NOT_UTF8.toString('base64') },
      headers: [],
    });
  });

  test('unparsed messages and duplicates are skipped, and said so', async () => {
    const kafka = fakeKafka([
      ...dltOf([source(57)]),
      { partition: 1, offset: '3', value: 'not a failure record' },
      { partition: 0, offset: '1', value: envelope([source(57)]) },
    ]);
    const h = harness(kafka);
    expect(await run(dlq('replay'), h.deps)).toBe(0);
    expect(kafka.sent).toHaveLength(1);
    expect(h.err).toEqual([
      'Skipping DLT partition 1 offset 3: unparsed (not JSON).',
      '1 duplicate of a failed record skipped (same TOPIC-PARTITION-OFFSET).',
      `Replayed 1 of 1 failed record from ${DLT} (group msk-secure-stack-cli-1000000).`,
    ]);
  });

  test('--only naming a record that was not read: nothing is sent, the hint says how to read further', async () => {
    const kafka = fakeKafka(dltOf([source(57)]));
    const h = harness(kafka);
    expect(await run(dlq('replay', '--only', 'orders-1-57,orders-1-99'), h.deps)).toBe(1);
    expect(h.err).toEqual([
      `Error: Not among the 1 failed record read from ${DLT} (group msk-secure-stack-cli-1000000): orders-1-99. Nothing was sent.`,
      'Hint: Read further with --from-beginning, a larger --max or --timeout; "dlq show" lists the ids (third column).',
    ]);
    expect(kafka.producer.connect).not.toHaveBeenCalled();
    expect(kafka.consumer.disconnect).toHaveBeenCalledTimes(1);
  });

  test('a record whose source is the DLT itself is refused, and nothing else is sent either', async () => {
    const kafka = fakeKafka(dltOf([source(57)], [source(3, { topic: DLT })]));
    const h = harness(kafka);
    expect(await run(dlq('replay'), h.deps)).toBe(1);
    expect(h.err).toEqual([
      `Error: Refusing to replay into the dead-letter topic ${DLT} itself: ${DLT}-1-3. Nothing was sent.`,
      'Hint: Lambda does not accept a source topic as its own on-failure destination; leave these out with --only.',
    ]);
    expect(kafka.producer.send).not.toHaveBeenCalled();
    // The other record alone can be replayed.
    const only = harness(fakeKafka(dltOf([source(57)], [source(3, { topic: DLT })])));
    expect(await run(dlq('replay', '--only', 'orders-1-57'), only.deps)).toBe(0);
    expect(only.kafka.sent.map((s) => s.topic)).toEqual(['orders']);
  });

  test('--group: offsets committed past what was read, only after every record was sent', async () => {
    const kafka = fakeKafka([
      { partition: 0, offset: '4', value: envelope([source(57)]) },
      { partition: 2, offset: '9', value: 'junk' },
      { partition: 0, offset: '5', value: envelope([source(58)]) },
    ]);
    const order: string[] = [];
    kafka.producer.send.mockImplementation(async (batch) => {
      order.push('send');
      kafka.sent.push(batch);
      return [{ topicName: batch.topic, partition: 0, errorCode: 0, baseOffset: '1' }];
    });
    kafka.consumer.commitOffsets.mockImplementation(async () => void order.push('commit'));
    const h = harness(kafka);
    expect(await run(dlq('replay', '--group', 'ops'), h.deps)).toBe(0);
    expect(order).toEqual(['send', 'send', 'commit']);
    expect(kafka.consumer.commitOffsets).toHaveBeenCalledWith([
      { topic: DLT, partition: 0, offset: '6' },
      { topic: DLT, partition: 2, offset: '10' },
    ]);
    expect(h.err.at(-1)).toBe(
      `Replayed 2 of 2 failed records from ${DLT} (group ops); group offsets committed.`,
    );
    // With --only the group stays where it was.
    const only = harness(fakeKafka(dltOf([source(57)], [source(58)])));
    await run(dlq('replay', '--group', 'ops', '--only', 'orders-1-58'), only.deps);
    expect(only.kafka.consumer.commitOffsets).not.toHaveBeenCalled();
  });

  test('a send that fails: how far it got, the error explained, no commit, producer disconnected', async () => {
    const kafka = fakeKafka(dltOf([source(57)], [source(58, { topic: 'payments' })]));
    const send = kafka.producer.send.getMockImplementation()!;
    kafka.producer.send.mockImplementationOnce(send).mockRejectedValueOnce(
      new KafkaJSProtocolError(<never>{
        message: 'Not authorized to access topics: [Topic authorization failed]',
        type: 'TOPIC_AUTHORIZATION_FAILED',
        code: 29,
        retriable: false,
      }),
    );
    const h = harness(kafka);
    expect(await run(dlq('replay', '--group', 'ops'), h.deps)).toBe(1);
    expect(h.out).toEqual(['replayed\torders-1-57\torders-2-500\tkey-57\tvalue-57\t']);
    expect(h.err).toEqual([
      'Replayed 1 of 2; sending payments-1-58 to payments failed.',
      'Error: Not authorized to access the topic (Not authorized to access topics: [Topic authorization failed]).',
      'Hint: SCRAM users are authorized by Kafka ACLs: add an ACL for this user on the topic.',
    ]);
    expect(kafka.consumer.commitOffsets).not.toHaveBeenCalled();
    expect(kafka.producer.disconnect).toHaveBeenCalledTimes(1);
    expect(kafka.consumer.disconnect).toHaveBeenCalledTimes(1);
  });

  test('nothing read: nothing sent, no producer', async () => {
    const kafka = fakeKafka([]);
    const h = harness(kafka);
    expect(await run(dlq('replay', '--timeout', '1'), h.deps)).toBe(0);
    expect(kafka.producer.connect).not.toHaveBeenCalled();
    expect(h.err).toEqual([
      `Replayed 0 of 0 failed records from ${DLT} (group msk-secure-stack-cli-1000000).`,
    ]);
  });

  test('replayMessage: a header named __proto__ is a header, not a prototype', () => {
    const record = {
      key: null,
      value: Buffer.from('v'),
      partition: 4,
      headers: [{ name: '__proto__', value: Buffer.from('x') }],
    } as unknown as FailedRecord;
    const message = replayMessage(record, true);
    expect(Object.keys(message.headers!)).toEqual(['__proto__']);
    expect(message.partition).toBe(4);
  });
});

describe('dlq usage', () => {
  test('dlq --help; the main help lists dlq', async () => {
    const h = harness();
    expect(await main(['dlq', '--help'], h.deps)).toBe(0);
    expect(h.out).toEqual([HELP.dlq]);
    expect(HELP.dlq).toContain('--connect-timeout MS');
    expect(HELP.main).toContain('dlq       show the records Lambda sent to a dead-letter topic');
  });

  test.each([
    [['dlq', '--topic', DLT], 'Error: dlq takes "show" or "replay", got "".'],
    [['dlq', 'list', '--topic', DLT], 'Error: dlq takes "show" or "replay", got "list".'],
    [['dlq', 'show', 'x', '--topic', DLT], 'Error: dlq takes "show" or "replay", got "show x".'],
    [['dlq', 'show'], 'Error: --topic is required.'],
    [
      ['dlq', 'show', '--topic', DLT, '--dry-run', '--only', 'o-0-1'],
      'Error: --only, --dry-run: only for dlq replay.',
    ],
    [['dlq', 'show', '--topic', DLT, '--same-partition'], 'Error: --same-partition: only for'],
    [
      ['dlq', 'replay', '--topic', DLT, '--group', 'g', '--from-beginning'],
      'Error: Give either --group or --from-beginning, not both.',
    ],
    [
      ['dlq', 'replay', '--topic', DLT, '--only', 'orders-1'],
      'Error: --only takes TOPIC-PARTITION-OFFSET, got "orders-1".',
    ],
    [
      ['dlq', 'replay', '--topic', DLT, '--only', ','],
      'Error: --only needs TOPIC-PARTITION-OFFSET',
    ],
    [['dlq', 'replay', '--topic', DLT, '--max', '0'], 'Error: --max must be a positive whole'],
  ])('%j', async (argv, message) => {
    const h = harness();
    expect(await main(argv, h.deps)).toBe(1);
    expect(h.err[0]).toContain(message);
    expect(h.kafka.consumer.connect).not.toHaveBeenCalled();
  });
});
