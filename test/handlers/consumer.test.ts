import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Context, MSKEvent } from 'aws-lambda';
import {
  bytesToString,
  decodeHeaders,
  decodeKey,
  decodeRecord,
  decodeValue,
} from '../../secure-msk-constructs/handlers/consumer/decode';
import type * as IndexModule from '../../secure-msk-constructs/handlers/consumer/index';
import { BatchFailedError, consume } from '../../secure-msk-constructs/handlers/consumer/index';
import type * as ProcessRecordModule from '../../secure-msk-constructs/handlers/consumer/process-record';
import type { DecodedRecord } from '../../secure-msk-constructs/handlers/consumer/types';
import type * as LoggerModule from '../../secure-msk-constructs/handlers/shared/logger';
import { logger } from '../../secure-msk-constructs/handlers/shared/logger';
import type * as MetricsModule from '../../secure-msk-constructs/handlers/shared/metrics';
import { metrics } from '../../secure-msk-constructs/handlers/shared/metrics';
import sample from '../fixtures/msk-event.json';
import { withEnv } from '../helpers/env';

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

// Fresh spies per test, restored after it: `toHaveBeenCalledWith` sees this test's calls only.
beforeEach(() => {
  jest.spyOn(logger, 'info').mockImplementation(() => undefined);
  jest.spyOn(logger, 'error').mockImplementation(() => undefined);
  jest.spyOn(logger, 'debug').mockImplementation(() => undefined);
  jest.spyOn(metrics, 'addMetric').mockImplementation(() => metrics);
});
afterEach(() => jest.restoreAllMocks());

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

  /** What the batch summary reported: the INFO line and the two metrics. */
  const outcome = () => ({
    info: (logger.info as jest.Mock).mock.calls.filter(([m]) => m === 'Batch processed'),
    metrics: (metrics.addMetric as jest.Mock).mock.calls,
  });

  test('all good: every record processed, no failures reported', async () => {
    const process = jest.fn(async (_record: DecodedRecord) => undefined);
    await expect(consume(event, { reportBatchItemFailures: true, process })).resolves.toEqual({
      batchItemFailures: [],
    });
    expect(process.mock.calls.map(([r]) => r.offset)).toEqual([10, 11, 12, 5]);
    expect(outcome()).toEqual({
      info: [['Batch processed', { processed: 4, failed: 0, skippedAfterFailure: 0 }]],
      metrics: [
        ['RecordsProcessed', 'Count', 4],
        ['RecordsFailed', 'Count', 0],
      ],
    });
    expect(logger.error).not.toHaveBeenCalled();
  });

  test('a synchronous step (no promise) counts as processed; a synchronous throw as failed', async () => {
    const response = await consume(event, {
      reportBatchItemFailures: true,
      process: (r) => {
        if (r.offset === 5) throw new Error('sync failure');
      },
    });
    expect(response).toEqual({
      batchItemFailures: [{ itemIdentifier: { partition: 'orders-1', offset: 5 } }],
    });
    expect(outcome().info).toEqual([
      ['Batch processed', { processed: 3, failed: 1, skippedAfterFailure: 0 }],
    ]);
  });

  test('a synchronous step runs the whole batch without yielding (no microtask per record)', async () => {
    const seen: number[] = [];
    const pending = consume(event, {
      reportBatchItemFailures: true,
      process: (r) => void seen.push(r.offset),
    });
    // Nothing awaited yet: every record went through before consume returned its promise.
    expect(seen).toEqual([10, 11, 12, 5]);
    await expect(pending).resolves.toEqual({ batchItemFailures: [] });
  });

  test('an asynchronous step is awaited record by record, in order', async () => {
    const events: string[] = [];
    const pending = consume(event, {
      reportBatchItemFailures: true,
      process: async (r) => {
        events.push(`start ${r.offset}`);
        await Promise.resolve();
        events.push(`end ${r.offset}`);
      },
    });
    expect(events).toEqual(['start 10']);
    await pending;
    expect(events).toEqual([
      'start 10',
      'end 10',
      'start 11',
      'end 11',
      'start 12',
      'end 12',
      'start 5',
      'end 5',
    ]);
  });

  test('with reportBatchItemFailures: exactly the failed record, later records of its partition left for the retry', async () => {
    const processed: number[] = [];
    const cause = new Error('cannot process 11');
    const response = await consume(event, {
      reportBatchItemFailures: true,
      process: async (r) => {
        if (r.offset === 11) throw cause;
        processed.push(r.offset);
      },
    });
    expect(response).toEqual({
      batchItemFailures: [{ itemIdentifier: { partition: 'orders-0', offset: 11 } }],
    });
    expect(processed).toEqual([10, 5]); // 12 comes again after 11 is retried; partition 1 unaffected
    expect((logger.error as jest.Mock).mock.calls).toEqual([
      ['Record failed', { correlation_id: 'orders-0-11', error: cause }],
    ]);
    expect(outcome()).toEqual({
      info: [['Batch processed', { processed: 2, failed: 1, skippedAfterFailure: 1 }]],
      metrics: [
        ['RecordsProcessed', 'Count', 2],
        ['RecordsFailed', 'Count', 1],
      ],
    });
  });

  test('with reportBatchItemFailures: one failure per partition, each with its own skipped records', async () => {
    const response = await consume(event, {
      reportBatchItemFailures: true,
      process: async (r) => {
        if (r.offset === 10 || r.offset === 5) throw new Error('no');
      },
    });
    expect(response).toEqual({
      batchItemFailures: [
        { itemIdentifier: { partition: 'orders-0', offset: 10 } },
        { itemIdentifier: { partition: 'orders-1', offset: 5 } },
      ],
    });
    expect(outcome().info).toEqual([
      ['Batch processed', { processed: 0, failed: 2, skippedAfterFailure: 2 }],
    ]);
  });

  test('without reportBatchItemFailures: a failing record fails the whole batch', async () => {
    const error = await consume(event, {
      reportBatchItemFailures: false,
      process: failOn(5),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BatchFailedError);
    expect(error).toMatchObject({
      name: 'BatchFailedError',
      message: 'Record orders-1-5 failed; failing the batch so that Lambda retries it',
      correlationId: 'orders-1-5',
      cause: new Error('cannot process 5'),
    });
    // The three records of partition 0 went through before the failure.
    expect(outcome()).toEqual({
      info: [['Batch processed', { processed: 3, failed: 1, skippedAfterFailure: 0 }]],
      metrics: [
        ['RecordsProcessed', 'Count', 3],
        ['RecordsFailed', 'Count', 1],
      ],
    });
  });

  test('without reportBatchItemFailures: records after the failure are not processed, and counted', async () => {
    const process = jest.fn(failOn(10));
    await expect(consume(event, { reportBatchItemFailures: false, process })).rejects.toThrow(
      'Record orders-0-10 failed',
    );
    expect(process).toHaveBeenCalledTimes(1);
    expect(outcome().info).toEqual([
      ['Batch processed', { processed: 0, failed: 1, skippedAfterFailure: 2 }],
    ]);
  });

  test('without reportBatchItemFailures: a failure mid-partition counts the records before and after it', async () => {
    const process = jest.fn(failOn(11));
    await expect(consume(event, { reportBatchItemFailures: false, process })).rejects.toThrow(
      'Record orders-0-11 failed',
    );
    expect(process.mock.calls.map(([r]) => r.offset)).toEqual([10, 11]);
    expect(outcome()).toEqual({
      info: [['Batch processed', { processed: 1, failed: 1, skippedAfterFailure: 1 }]],
      metrics: [
        ['RecordsProcessed', 'Count', 1],
        ['RecordsFailed', 'Count', 1],
      ],
    });
  });

  test('an event without records is an empty batch', async () => {
    await expect(
      consume({} as MSKEvent, { reportBatchItemFailures: false, process: jest.fn() }),
    ).resolves.toEqual({ batchItemFailures: [] });
  });

  test('each record is logged at DEBUG when the level is DEBUG, and not at INFO', async () => {
    const records = {
      records: {
        'orders-0': [
          raw(0, 10, { key: b64('k'), value: b64('{"n":1}'), headers: [{ h: bytes('v') }] }),
        ],
      },
    } as unknown as MSKEvent;
    await consume(records, { reportBatchItemFailures: true, process: jest.fn() });
    expect(logger.debug).not.toHaveBeenCalled();
    logger.setLogLevel('DEBUG');
    try {
      await consume(records, { reportBatchItemFailures: true, process: jest.fn() });
    } finally {
      logger.setLogLevel('INFO');
    }
    expect((logger.debug as jest.Mock).mock.calls).toEqual([
      [
        'Record',
        {
          correlation_id: 'orders-0-10',
          key: 'k',
          valueKind: 'json',
          headers: [{ name: 'h', value: 'v' }],
        },
      ],
    ]);
  });
});

describe('keys', () => {
  test('ASCII, UTF-8 and long keys decode to the same text Buffer gives', () => {
    for (const key of ['order-42', 'clé-ü-🙂', 'k'.repeat(500), '']) {
      expect(decodeKey(Buffer.from(key).toString('base64'))).toBe(key);
    }
  });
});

describe('decoding edge cases', () => {
  test('keys: URL-safe base64 (atob refuses "-" and "_") and non-ASCII bytes go through Buffer', () => {
    const urlSafe = Buffer.from('a>b?').toString('base64url'); // "YT5iPw": unpadded, atob takes it
    expect(decodeKey(Buffer.from('>>>?').toString('base64url'))).toBe('>>>?');
    expect(decodeKey(urlSafe)).toBe('a>b?');
    expect(decodeKey(Buffer.from('ü').toString('base64'))).toBe('ü');
    expect(decodeKey(Buffer.from('é'.repeat(200)).toString('base64'))).toBe('é'.repeat(200));
  });

  test('values: every character JSON can start with, after any JSON whitespace', () => {
    for (const [text, data] of [
      ['-1', -1],
      ['0', 0],
      ['9', 9],
      ['true', true],
      ['false', false],
      ['null', null],
      [' \n\r\t{"a":1}', { a: 1 }],
    ] as const) {
      expect(decodeValue(b64(text))).toEqual({ kind: 'json', data });
    }
    for (const text of ['/1', ':1', 'x', '   ', 'True']) {
      expect(decodeValue(b64(text))).toEqual({ kind: 'text', data: text });
    }
  });

  test('values: a real U+FFFD in valid UTF-8 is text; invalid UTF-8 is binary', () => {
    expect(decodeValue(b64('a\uFFFDb'))).toEqual({ kind: 'text', data: 'a\uFFFDb' });
    const invalid = Buffer.from([0x61, 0xc3]).toString('base64');
    expect(decodeValue(invalid)).toEqual({ kind: 'binary', base64: invalid });
  });

  test('header values: UTF-8 bytes, and long values', () => {
    expect(bytesToString(bytes('wört'))).toBe('wört');
    expect(bytesToString(bytes('x'.repeat(2000)))).toBe('x'.repeat(2000));
    expect(bytesToString(bytes('ü'.repeat(600)))).toBe('ü'.repeat(600));
  });
});

/**
 * The construct-to-handler contract, on the handler's side. `MskConsumer`
 * (secure-msk-constructs/constructs/msk-consumer.ts) sets these variables; the handler and its Powertools logger
 * and metrics read them when the bundle loads, so each case loads a fresh copy of the modules.
 */
describe('handler: the environment MskConsumer sets', () => {
  const CONTRACT = [
    'POWERTOOLS_SERVICE_NAME',
    'POWERTOOLS_LOG_LEVEL',
    'POWERTOOLS_METRICS_NAMESPACE',
    'REPORT_BATCH_ITEM_FAILURES',
  ];

  test('the construct sets exactly the variables this contract covers', () => {
    const source = readFileSync(
      join(__dirname, '../../secure-msk-constructs/constructs/msk-consumer.ts'),
      'utf8',
    );
    const block = /environment: \{([^}]*)\}/.exec(source)?.[1] ?? '';
    expect([...block.matchAll(/^\s*([A-Z][A-Z0-9_]*):/gm)].map((m) => m[1])).toEqual(CONTRACT);
  });

  type Loaded = {
    handler: typeof IndexModule.handler;
    BatchFailed: typeof BatchFailedError;
    logger: typeof logger;
    metrics: typeof metrics;
  };

  /** Loads the bundle with `env` as the function's environment; `fail` fails those offsets. */
  function load(env: Record<string, string | undefined>, fail: number[] = []) {
    return withEnv(CONTRACT, env, () => {
      let loaded: Loaded | undefined;
      jest.isolateModules(() => {
        const step = jest.requireActual<typeof ProcessRecordModule>(
          '../../secure-msk-constructs/handlers/consumer/process-record',
        );
        jest.spyOn(step, 'processRecord').mockImplementation((r) => {
          if (fail.includes(r.offset)) throw new Error(`cannot process ${r.offset}`);
        });
        const index = jest.requireActual<typeof IndexModule>(
          '../../secure-msk-constructs/handlers/consumer/index',
        );
        loaded = {
          handler: index.handler,
          BatchFailed: index.BatchFailedError,
          logger: jest.requireActual<typeof LoggerModule>(
            '../../secure-msk-constructs/handlers/shared/logger',
          ).logger,
          metrics: jest.requireActual<typeof MetricsModule>(
            '../../secure-msk-constructs/handlers/shared/metrics',
          ).metrics,
        };
      });
      return loaded!;
    });
  }

  /** A line of the function's output: a Powertools log item or an EMF metrics document. */
  interface Line {
    readonly level?: string;
    readonly message?: string;
    readonly service?: string;
    readonly correlation_id?: string;
    readonly _aws?: { readonly CloudWatchMetrics: unknown[] };
    readonly [field: string]: unknown;
  }

  /** The JSON lines the function writes (Powertools logs and EMF metrics). */
  async function output<T>(run: () => Promise<T>): Promise<{ result: unknown; lines: Line[] }> {
    const lines: string[] = [];
    const capture = (chunk: string | Uint8Array) => {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      return true;
    };
    const out = jest.spyOn(process.stdout, 'write').mockImplementation(capture);
    const err = jest.spyOn(process.stderr, 'write').mockImplementation(capture);
    let result: unknown;
    try {
      result = await run().catch((e: unknown) => e);
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
    return { result, lines: lines.map((l) => JSON.parse(l) as Line) };
  }

  const batch = {
    eventSource: 'aws:kafka',
    records: {
      'orders-0': [raw(0, 10, { value: b64('{"n":1}') }), raw(0, 11, { value: b64('{"n":2}') })],
      'orders-1': [raw(1, 5, { value: b64('{"n":3}') })],
    },
  } as unknown as MSKEvent;

  const env = {
    POWERTOOLS_SERVICE_NAME: 'orders-consumer',
    POWERTOOLS_LOG_LEVEL: 'INFO',
    POWERTOOLS_METRICS_NAMESPACE: 'MskSecureStack',
  };

  test('REPORT_BATCH_ITEM_FAILURES=true: the partial batch response lists the failed record', async () => {
    const fn = load({ ...env, REPORT_BATCH_ITEM_FAILURES: 'true' }, [10]);
    const { result } = await output(() => fn.handler(batch));
    expect(result).toEqual({
      batchItemFailures: [{ itemIdentifier: { partition: 'orders-0', offset: 10 } }],
    });
  });

  test.each([
    ['false', 'false'],
    ['unset', undefined],
    ['TRUE', 'TRUE'],
    ['1', '1'],
  ])('REPORT_BATCH_ITEM_FAILURES %s: a failure fails the whole batch', async (_label, value) => {
    const fn = load({ ...env, REPORT_BATCH_ITEM_FAILURES: value }, [10]);
    const { result } = await output(() => fn.handler(batch));
    expect(result).toBeInstanceOf(fn.BatchFailed);
    expect((result as Error).message).toBe(
      'Record orders-0-10 failed; failing the batch so that Lambda retries it',
    );
  });

  test('POWERTOOLS_SERVICE_NAME and _METRICS_NAMESPACE name the logs and the EMF metrics, also on failure', async () => {
    const fn = load({ ...env, REPORT_BATCH_ITEM_FAILURES: 'false' }, [5]);
    const { lines } = await output(() => fn.handler(batch));
    const summary = lines.find((l) => l.message === 'Batch processed');
    expect(summary).toMatchObject({
      level: 'INFO',
      service: 'orders-consumer',
      processed: 2,
      failed: 1,
      skippedAfterFailure: 0,
    });
    // publishStoredMetrics runs in `finally`: the batch failed, the metrics are still out.
    const emf = lines.find((l) => l._aws);
    expect(emf?._aws?.CloudWatchMetrics).toEqual([
      {
        Namespace: 'MskSecureStack',
        Dimensions: [['service']],
        Metrics: [
          { Name: 'RecordsProcessed', Unit: 'Count' },
          { Name: 'RecordsFailed', Unit: 'Count' },
        ],
      },
    ]);
    expect(emf).toMatchObject({
      service: 'orders-consumer',
      RecordsProcessed: 2,
      RecordsFailed: 1,
    });
  });

  test('another namespace and service name are used as given', async () => {
    const fn = load({
      POWERTOOLS_SERVICE_NAME: 'billing',
      POWERTOOLS_METRICS_NAMESPACE: 'Other',
      POWERTOOLS_LOG_LEVEL: 'INFO',
      REPORT_BATCH_ITEM_FAILURES: 'true',
    });
    const { lines } = await output(() => fn.handler(batch));
    expect(lines.find((l) => l._aws)).toMatchObject({
      _aws: { CloudWatchMetrics: [{ Namespace: 'Other' }] },
      service: 'billing',
    });
    expect(lines.find((l) => l.message === 'Batch processed')?.service).toBe('billing');
  });

  test('without the variables (outside the stack): the project defaults', async () => {
    const fn = load({});
    expect(fn.logger.getLevelName()).toBe('INFO');
    const { lines } = await output(() => fn.handler(batch));
    expect(lines.find((l) => l._aws)).toMatchObject({
      _aws: { CloudWatchMetrics: [{ Namespace: 'MskSecureStack' }] },
      service: 'msk-secure-stack',
    });
    expect(lines.find((l) => l.message === 'Batch processed')?.service).toBe('msk-secure-stack');
  });

  test('POWERTOOLS_LOG_LEVEL: DEBUG logs every record, INFO (the construct’s default) does not', async () => {
    const debug = load({ ...env, POWERTOOLS_LOG_LEVEL: 'DEBUG' });
    expect(debug.logger.getLevelName()).toBe('DEBUG');
    const verbose = await output(() => debug.handler(batch));
    expect(
      verbose.lines.filter((l) => l.message === 'Record').map((l) => [l.level, l.correlation_id]),
    ).toEqual([
      ['DEBUG', 'orders-0-10'],
      ['DEBUG', 'orders-0-11'],
      ['DEBUG', 'orders-1-5'],
    ]);
    const info = load(env);
    expect(info.logger.getLevelName()).toBe('INFO');
    const quiet = await output(() => info.handler(batch));
    expect(quiet.lines.filter((l) => l.message === 'Record')).toEqual([]);
    expect(quiet.lines.filter((l) => l.message === 'Batch processed')).toHaveLength(1);
  });

  test('the Lambda context is added to the logs', async () => {
    const fn = load(env);
    const context = {
      functionName: 'orders-consumer-fn',
      functionVersion: '$LATEST',
      invokedFunctionArn: 'arn:aws:lambda:eu-west-1:111122223333:function:orders-consumer-fn',
      memoryLimitInMB: '512',
      awsRequestId: 'request-1',
    } as Context;
    const { lines } = await output(() => fn.handler(batch, context));
    expect(lines.find((l) => l.message === 'Batch processed')).toMatchObject({
      function_name: 'orders-consumer-fn',
      function_request_id: 'request-1',
    });
  });
});
