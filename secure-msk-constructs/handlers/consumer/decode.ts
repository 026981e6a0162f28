/**
 * Small pure functions that turn Lambda's MSK event into typed records.
 *
 * The event's `records` is an object keyed `"<topic>-<partition>"`, each a list of records
 * whose `key` and `value` are base64 and whose `headers` are `[{ name: number[] }]`.
 */
import { isUtf8 } from 'node:buffer';
import type { MSKEvent, MSKRecord } from 'aws-lambda';
import type { DecodedRecord, DecodedValue, RecordHeader } from './types';

/** Raw record as Lambda sends it; `key`/`value` may be absent (null key, tombstone). */
export type RawRecord = Omit<MSKRecord, 'key' | 'value'> & {
  key?: string | null;
  value?: string | null;
};

/**
 * Decodes short base64 (keys) through `atob`, the fastest path for the usual ASCII key; a key
 * with non-ASCII bytes, a long one or malformed base64 goes through Buffer (UTF-8).
 */
function decodeShortBase64(base64: string): string {
  if (base64.length <= 256) {
    let binary: string | undefined;
    try {
      binary = atob(base64);
    } catch {
      binary = undefined;
    }
    if (binary !== undefined) {
      let ascii = true;
      for (let i = 0; i < binary.length; i++) {
        if (binary.charCodeAt(i) > 0x7f) {
          ascii = false;
          break;
        }
      }
      if (ascii) return binary;
    }
  }
  return Buffer.from(base64, 'base64').toString('utf8');
}

export function decodeKey(base64: string | null | undefined): string | null {
  if (base64 === undefined || base64 === null) return null;
  return decodeShortBase64(base64);
}

/** Whether a text can be JSON, judged by its first non-blank character ({ [ " - 0-9 t f n). */
function mayBeJson(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) continue;
    return (
      c === 0x7b ||
      c === 0x5b ||
      c === 0x22 ||
      c === 0x2d ||
      (c >= 0x30 && c <= 0x39) ||
      c === 0x74 ||
      c === 0x66 ||
      c === 0x6e
    );
  }
  return false;
}

export function decodeValue(base64: string | null | undefined): DecodedValue {
  if (base64 === undefined || base64 === null) return { kind: 'null' };
  const bytes = Buffer.from(base64, 'base64');
  const text = bytes.toString('utf8');
  // Invalid UTF-8 always decodes to U+FFFD, so text without one is valid: skip the byte scan.
  const valid = !text.includes('\uFFFD') || isUtf8(bytes);
  if (!valid) return { kind: 'binary', base64 };
  if (mayBeJson(text)) {
    try {
      return { kind: 'json', data: JSON.parse(text) };
    } catch {
      // Not JSON after all: fall through to text.
    }
  }
  return { kind: 'text', data: text };
}

/** UTF-8 bytes to a string; short ASCII (the usual header value) without a Buffer. */
export function bytesToString(bytes: readonly number[]): string {
  if (bytes.length <= 1024) {
    let ascii = true;
    for (let i = 0; i < bytes.length; i++) {
      if (bytes[i] > 0x7f) {
        ascii = false;
        break;
      }
    }
    if (ascii) return String.fromCharCode.apply(null, bytes as number[]);
  }
  return Buffer.from(bytes).toString('utf8');
}

/** `[{ name: [byte, …] }, …]` → `[{ name, value }]`, order and duplicates kept. */
export function decodeHeaders(headers: MSKRecord['headers'] | undefined): RecordHeader[] {
  const decoded: RecordHeader[] = [];
  if (!headers) return decoded;
  for (const header of headers) {
    for (const name in header) {
      decoded.push({ name, value: bytesToString(header[name] as unknown as number[]) });
    }
  }
  return decoded;
}

export function decodeRecord(raw: RawRecord): DecodedRecord {
  return {
    topic: raw.topic,
    partition: raw.partition,
    offset: raw.offset,
    timestamp: raw.timestamp,
    timestampType: raw.timestampType,
    key: decodeKey(raw.key),
    value: decodeValue(raw.value),
    headers: decodeHeaders(raw.headers),
  };
}

/** The event's record lists, one per topic-partition, in the order Lambda sent them. */
export function partitionsOf(event: Pick<MSKEvent, 'records'>): RawRecord[][] {
  return Object.values(event.records ?? {}) as RawRecord[][];
}
