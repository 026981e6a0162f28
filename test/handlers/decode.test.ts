/**
 * The decoder's cost per record and the limits that keep its fast paths safe. docs/consumer.md#decoding-performance
 * and docs/development.md#benchmarks: the handler's overhead over a raw base64 + JSON.parse loop is the measured goal
 * (0.8x, at the edge), so each record must take the cheap path it is written for: keys through
 * `atob`, ASCII header values without a Buffer, JSON.parse only on text that can be JSON, the
 * UTF-8 byte scan only when the text holds a U+FFFD. What each value decodes to is tested in
 * consumer.test.ts; this file tests which work it costs.
 */
import { isUtf8 } from 'node:buffer';
import {
  bytesToString,
  decodeKey,
  decodeValue,
} from '../../secure-msk-constructs/handlers/consumer/decode';

// The real isUtf8, observed: decode.ts imports it from node:buffer.
jest.mock('node:buffer', () => {
  const actual = jest.requireActual<typeof import('node:buffer')>('node:buffer');
  return { ...actual, isUtf8: jest.fn(actual.isUtf8) };
});

const b64 = (s: string) => Buffer.from(s).toString('base64');
const bytes = (s: string) => [...Buffer.from(s)];

/** Runs `fn` with `Buffer.from` observed; returns its result and the calls (spy restored). */
function watchBufferFrom<T>(fn: () => T): { result: T; calls: unknown[][] } {
  const from = jest.spyOn(Buffer, 'from');
  try {
    const result = fn();
    return { result, calls: [...from.mock.calls] };
  } finally {
    from.mockRestore();
  }
}

beforeEach(() => jest.mocked(isUtf8).mockClear());
afterEach(() => jest.restoreAllMocks());

describe('keys', () => {
  test('a short ASCII key (up to 256 base64 characters) is decoded by atob, without a Buffer', () => {
    const keys = ['order-42', 'k', 'a'.repeat(192)]; // the last: 256 base64 characters
    const encoded = keys.map(b64);
    expect(encoded[2]).toHaveLength(256);
    const atob = jest.spyOn(globalThis, 'atob');
    const { result, calls } = watchBufferFrom(() => encoded.map(decodeKey));
    expect(result).toEqual(keys);
    expect(calls).toEqual([]);
    expect(atob.mock.calls).toEqual(encoded.map((k) => [k]));
  });

  test('a key atob cannot give as text (non-ASCII, URL-safe base64) falls back to Buffer', () => {
    const nonAscii = b64('clé');
    const urlSafe = Buffer.from('>>>?').toString('base64url'); // "Pj4-Pw": atob refuses "-"
    const atob = jest.spyOn(globalThis, 'atob');
    const { result, calls } = watchBufferFrom(() => [decodeKey(nonAscii), decodeKey(urlSafe)]);
    expect(result).toEqual(['clé', '>>>?']);
    expect(atob.mock.calls).toEqual([[nonAscii], [urlSafe]]);
    expect(calls).toEqual([
      [nonAscii, 'base64'],
      [urlSafe, 'base64'],
    ]);
  });

  test('a long key (more than 256 base64 characters) goes to Buffer directly, not through atob', () => {
    const long = b64('a'.repeat(195)); // 260 base64 characters
    const atob = jest.spyOn(globalThis, 'atob');
    const { result, calls } = watchBufferFrom(() => decodeKey(long));
    expect(result).toBe('a'.repeat(195));
    expect(atob).not.toHaveBeenCalled();
    expect(calls).toEqual([[long, 'base64']]);
  });
});

describe('values', () => {
  test('JSON.parse runs only on text that can be JSON: plain text costs no exception', () => {
    const parse = jest.spyOn(JSON, 'parse');
    const plain = ['hello', 'Hello, this is a test.', 'x', '/1', ':1', 'True', '   ', ''];
    const decoded = plain.map((text) => decodeValue(b64(text)));
    const plainCalls = [...parse.mock.calls];
    decodeValue(b64('{not json'));
    const lookalikeCalls = parse.mock.calls.slice(plainCalls.length);
    parse.mockRestore();
    expect(decoded).toEqual(plain.map((data) => ({ kind: 'text', data })));
    expect(plainCalls).toEqual([]);
    // A text that starts like JSON is tried, then kept as text.
    expect(lookalikeCalls).toEqual([['{not json']]);
  });

  test('the UTF-8 byte scan runs only when the decoded text holds a U+FFFD', () => {
    expect(decodeValue(b64('hello wörld'))).toEqual({ kind: 'text', data: 'hello wörld' });
    expect(decodeValue(b64('{"a":1}'))).toEqual({ kind: 'json', data: { a: 1 } });
    expect(isUtf8).not.toHaveBeenCalled();
    expect(decodeValue(b64('a\uFFFDb'))).toEqual({ kind: 'text', data: 'a\uFFFDb' });
    expect(isUtf8).toHaveBeenCalledTimes(1);
    expect(isUtf8).toHaveBeenCalledWith(Buffer.from('a\uFFFDb'));
  });
});

describe('header values', () => {
  test('a short ASCII value (up to 1024 bytes) is decoded without a Buffer', () => {
    const values = ['checkout-service', 'trace-1', '', 'x'.repeat(1024)];
    const encoded = values.map(bytes);
    const { result, calls } = watchBufferFrom(() => encoded.map(bytesToString));
    expect(result).toEqual(values);
    expect(calls).toEqual([]);
  });

  test('a value of only non-ASCII characters is UTF-8 too', () => {
    for (const value of ['ü', 'üß', '🙂', 'é'.repeat(10)]) {
      expect(bytesToString(bytes(value))).toBe(value);
    }
  });

  test('a 256 KB ASCII value decodes (Kafka records may hold up to 1 MB by default)', () => {
    // Through String.fromCharCode.apply, more than about 120,000 arguments overflow the call
    // stack (RangeError) and the record would fail on every retry. Built as the Lambda runtime
    // builds the event's header arrays: by JSON.parse.
    const size = 262_144;
    const header = JSON.parse(`[${'120,'.repeat(size - 1)}120]`) as number[];
    expect(bytesToString(header)).toBe('x'.repeat(size));
  });
});
