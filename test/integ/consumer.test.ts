import type { MSKEvent } from 'aws-lambda';
import { BatchFailedError, consume } from '../../secure-msk-constructs/handlers/consumer/index';
import type { DecodedRecord } from '../../secure-msk-constructs/handlers/consumer/types';
import { logger } from '../../secure-msk-constructs/handlers/shared/logger';
import { metrics } from '../../secure-msk-constructs/handlers/shared/metrics';
import { handler, isFailMarker, processOrFail } from './consumer';

beforeEach(() => {
  jest.spyOn(logger, 'info').mockImplementation(() => undefined);
  jest.spyOn(logger, 'error').mockImplementation(() => undefined);
  jest.spyOn(logger, 'debug').mockImplementation(() => undefined);
  jest.spyOn(metrics, 'addMetric').mockImplementation(() => metrics);
  jest.spyOn(metrics, 'publishStoredMetrics').mockImplementation(() => metrics);
});
afterEach(() => jest.restoreAllMocks());

// The integ app's consumer: the template's handler, except that `{"fail":true}` throws.
const b64 = (s: string) => Buffer.from(s).toString('base64');
const record = (offset: number, value: string) => ({
  topic: 'orders',
  partition: 0,
  offset,
  timestamp: 1,
  timestampType: 'CREATE_TIME' as const,
  key: b64(`k${offset}`),
  value: b64(value),
  headers: [],
});
const event = (...values: string[]): MSKEvent => ({
  eventSource: 'aws:kafka',
  eventSourceArn: 'arn:aws:kafka:eu-west-1:111122223333:cluster/msk-integ/uuid',
  bootstrapServers: 'b-1:9096',
  records: { 'orders-0': values.map((v, i) => record(i, v)) },
});
const decoded = (value: DecodedRecord['value']): DecodedRecord => ({
  topic: 'orders',
  partition: 0,
  offset: 0,
  timestamp: 1,
  timestampType: 'CREATE_TIME',
  key: null,
  value,
  headers: [],
});

test.each([
  [{ kind: 'json', data: { fail: true } }, true],
  [{ kind: 'json', data: { fail: true, extra: 1 } }, false],
  [{ kind: 'json', data: { fail: 'true' } }, false],
  [{ kind: 'json', data: [{ fail: true }] }, false],
  [{ kind: 'json', data: null }, false],
  [{ kind: 'text', data: '{"fail":true' }, false],
  [{ kind: 'null' }, false],
] as [DecodedRecord['value'], boolean][])('isFailMarker(%j) is %s', (value, expected) => {
  expect(isFailMarker(decoded(value))).toBe(expected);
});

test('the marker throws; any other record goes to the template processRecord', () => {
  expect(() => processOrFail(decoded({ kind: 'json', data: { fail: true } }))).toThrow(
    /fail marker/,
  );
  expect(processOrFail(decoded({ kind: 'json', data: { integ: 'scram' } }))).toBeUndefined();
});

test('the handler processes ordinary records and fails the batch on the marker', async () => {
  await expect(handler(event('{"integ":"scram"}', '{"integ":"iam"}'))).resolves.toEqual({
    batchItemFailures: [],
  });
  await expect(handler(event('{"integ":"scram"}', '{"fail":true}'))).rejects.toBeInstanceOf(
    BatchFailedError,
  );
});

test('with partial batch responses it reports the marker record, as the template does', async () => {
  await expect(
    consume(event('{"a":1}', '{"fail":true}', '{"b":2}'), {
      reportBatchItemFailures: true,
      process: processOrFail,
    }),
  ).resolves.toEqual({
    batchItemFailures: [{ itemIdentifier: { partition: 'orders-0', offset: 1 } }],
  });
});
