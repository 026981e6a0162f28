import type { MSKEvent } from 'aws-lambda';
import { decodeHeaders, decodeKey, decodeRecord, decodeValue } from '../../lambda/consumer/decode';
import { BatchFailedError, consume } from '../../lambda/consumer/index';
import type { DecodedRecord } from '../../lambda/consumer/types';
import { logger } from '../../lambda/shared/logger';
import { metrics } from '../../lambda/shared/metrics';
import sample from '../fixtures/msk-event.json';

const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');
const bytes = (s: string) => [...Buffer.from(s)];

/** A record as Lambda sends it. */
function raw(
  partition: number,
  offset: number,
  fields: { key?: string | null; value?: string | null; headers?: object[] } = {},
) {
  return {
    topic: 'orders',
    partition,
    offset,
    timestamp: 1_700_000_000_000 + offset,
    timestampType: 'CREATE_TIME' as const,
    headers: [],
    ...fields,
  };
}

beforeEach(() => {
  jest.spyOn(logger, 'info').mockImplementation(() => undefined);
  jest.spyOn(logger, 'error').mockImplementation(() => undefined);
  jest.spyOn(metrics, 'addMetric').mockImplementation(() => metrics);
});

describe('decoding (pure functions)', () => {
  test('the sample MSK event from the AWS Lambda docs, two topic-partitions', async () => {
    const seen: DecodedRecord[] = [];
    await consume(sample as unknown as MSKEvent, {
      reportBatchItemFailures: false,
      process: async (r) => void seen.push(r),
    });
    expect(seen).toEqual([
      {
        topic: 'mytopic',
        partition: 0,
        offset: 15,
        timestamp: 1545084650987,
        timestampType: 'CREATE_TIME',
        key: Buffer.from('abcDEFghiJKLmnoPQRstuVWXyz1234==', 'base64').toString('utf8'),
        value: { kind: 'text', data: 'Hello, this is a test.' },
        headers: [{ name: 'headerKey', value: 'headerValue' }],
      },
      {
        topic: 'mytopic',
        partition: 1,
        offset: 7,
        timestamp: 1545084650990,
        timestampType: 'LOG_APPEND_TIME',
        key: 'order-42',
        value: { kind: 'json', data: { orderId: 42, amount: 12.5 } },
        headers: [],
      },
    ]);
  });

  test('null key and null value (tombstone)', () => {
    expect(decodeKey(null)).toBeNull();
    expect(decodeKey(undefined)).toBeNull();
    expect(decodeValue(undefined)).toEqual({ kind: 'null' });
    const record = decodeRecord(raw(0, 1, { key: null, value: null }) as never);
    expect(record.key).toBeNull();
    expect(record.value).toEqual({ kind: 'null' });
  });

  test('values: JSON object, array, number, string; text that only looks like JSON; plain text', () => {
    expect(decodeValue(b64('{"a":[1,2]}'))).toEqual({ kind: 'json', data: { a: [1, 2] } });
    expect(decodeValue(b64(' [true, null]'))).toEqual({ kind: 'json', data: [true, null] });
    expect(decodeValue(b64('42'))).toEqual({ kind: 'json', data: 42 });
    expect(decodeValue(b64('"quoted"'))).toEqual({ kind: 'json', data: 'quoted' });
    expect(decodeValue(b64('{not json'))).toEqual({ kind: 'text', data: '{not json' });
    expect(decodeValue(b64('hello wörld'))).toEqual({ kind: 'text', data: 'hello wörld' });
    expect(decodeValue(b64(''))).toEqual({ kind: 'text', data: '' });
  });

  test('binary values stay base64', () => {
    const binary = Buffer.from([0x00, 0xff, 0xfe, 0x80, 0x81]);
    expect(decodeValue(binary.toString('base64'))).toEqual({
      kind: 'binary',
      base64: binary.toString('base64'),
    });
  });

  test('headers: byte arrays to strings, order and duplicate names kept', () => {
    expect(
      decodeHeaders([
        { 'trace-id': bytes('abc') },
        { source: bytes('web') },
        { 'trace-id': bytes('def') },
        { empty: [] },
      ] as never),
    ).toEqual([
      { name: 'trace-id', value: 'abc' },
      { name: 'source', value: 'web' },
      { name: 'trace-id', value: 'def' },
      { name: 'empty', value: '' },
    ]);
    expect(decodeHeaders(undefined)).toEqual([]);
  });
});

describe('batch outcome', () => {
  const event = {
    records: {
      'orders-0': [
        raw(0, 10, { value: b64('{"n":1}') }),
        raw(0, 11, { value: b64('{"n":2}') }),
        raw(0, 12, { value: b64('{"n":3}') }),
      ],
      'orders-1': [raw(1, 5, { value: b64('{"n":4}') })],
    },
  } as unknown as MSKEvent;
  const failOn = (offset: number) => async (r: DecodedRecord) => {
    if (r.offset === offset) throw new Error(`cannot process ${r.offset}`);
  };

  test('empty batch: nothing processed, empty response, summary logged', async () => {
    const process = jest.fn();
    await expect(
      consume({ records: {} }, { reportBatchItemFailures: true, process }),
    ).resolves.toEqual({ batchItemFailures: [] });
    expect(process).not.toHaveBeenCalled();
    expect(logger.info).toHaveBeenCalledWith('Batch processed', {
      processed: 0,
      failed: 0,
      skippedAfterFailure: 0,
    });
  });

  test('all good: every record processed, no failures reported', async () => {
    const process = jest.fn(async () => undefined);
    await expect(consume(event, { reportBatchItemFailures: true, process })).resolves.toEqual({
      batchItemFailures: [],
    });
    expect(process).toHaveBeenCalledTimes(4);
    expect(metrics.addMetric).toHaveBeenCalledWith('RecordsProcessed', 'Count', 4);
  });

  test('with reportBatchItemFailures: exactly the failed record, later records of its partition left for the retry', async () => {
    const processed: number[] = [];
    const response = await consume(event, {
      reportBatchItemFailures: true,
      process: async (r) => {
        await failOn(11)(r);
        processed.push(r.offset);
      },
    });
    expect(response).toEqual({
      batchItemFailures: [{ itemIdentifier: { partition: 'orders-0', offset: 11 } }],
    });
    expect(processed).toEqual([10, 5]); // 12 comes again after 11 is retried; partition 1 unaffected
    expect(logger.error).toHaveBeenCalledWith(
      'Record failed',
      expect.objectContaining({ correlation_id: 'orders-0-11' }),
    );
    expect(metrics.addMetric).toHaveBeenCalledWith('RecordsFailed', 'Count', 1);
  });

  test('without reportBatchItemFailures: a failing record fails the whole batch', async () => {
    const run = consume(event, { reportBatchItemFailures: false, process: failOn(5) });
    await expect(run).rejects.toBeInstanceOf(BatchFailedError);
    await expect(
      consume(event, { reportBatchItemFailures: false, process: failOn(5) }),
    ).rejects.toThrow('Record orders-1-5 failed; failing the batch so that Lambda retries it');
  });
});

describe('keys', () => {
  test('ASCII, UTF-8 and long keys decode to the same text Buffer gives', () => {
    for (const key of ['order-42', 'clé-ü-🙂', 'k'.repeat(500), '']) {
      expect(decodeKey(Buffer.from(key).toString('base64'))).toBe(key);
    }
  });
});
