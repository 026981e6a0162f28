/**
 * Lambda's failure record on a Kafka on-failure destination (a dead-letter topic, DLT), parsed
 * without trusting it. The shape is the Lambda Developer Guide's, page "Using a Kafka topic as an
 * on-failure destination" (kafka-on-failure-destination, section "Record format for a Kafka
 * destination"): "When Lambda sends failed records to a Kafka topic, each message contains both
 * metadata about the failure and the actual record content." Its example:
 *
 *   { requestContext: { requestId, functionArn, condition: "RetriesExhausted", approximateInvokeCount },
 *     responseContext: { statusCode, executedVersion, functionError }, version: "1.0", timestamp,
 *     KafkaBatchInfo: { batchSize, eventSourceArn, bootstrapServers, payloadSize,
 *                       recordInfo: { offset, timestamp } },
 *     payload: { bootstrapServers, eventSource: "aws:kafka", eventSourceArn,
 *                records: { "my-topic-0": [{ headers: [], key: "<base64>", offset, partition,
 *                                           timestamp, timestampType, topic, value: "<base64>" }] } } }
 *
 * Not verified against a real Lambda (no AWS account in this project's tests):
 * - that this JSON document is exactly the Kafka message value Lambda produces (the guide shows
 *   the document, not the produced record's bytes), in UTF-8;
 * - whether Lambda also copies the failed record's headers onto the record it produces (the
 *   replay takes them from `payload.records[…].headers`, never from the DLT record's headers);
 * - the encoding of header bytes: the guide's example has `"headers": []`; its MSK event page
 *   shows `[{ "name": [104, 101, …] }]` with ASCII bytes only, so whether a byte ≥ 0x80 is
 *   written 128…255 or as a signed Java byte (-128…-1) is unknown: both are accepted here.
 * - how a null key or value (tombstone) is written: absent and `null` are both taken as null,
 *   as Powertools' Kafka consumer does for the MSK event.
 */
import { isUtf8 } from 'node:buffer';

export interface RecordHeaderBytes {
  readonly name: string;
  readonly value: Buffer;
}

/** One failed source record, as it was on its topic, with the failure it met. */
export interface FailedRecord {
  /** Where the failure record is on the DLT. */
  readonly dltPartition: number;
  readonly dltOffset: string;
  /** `<topic>-<partition>-<offset>` of the source record. */
  readonly id: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly timestamp?: number;
  readonly timestampType?: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  /** In the order Lambda listed them, repeats kept. */
  readonly headers: readonly RecordHeaderBytes[];
  readonly condition?: string;
  readonly approximateInvokeCount?: number;
  readonly functionError?: string;
  /** When Lambda gave up (the document's `timestamp`). */
  readonly failedAt?: string;
  readonly requestId?: string;
  readonly functionArn?: string;
}

/** A DLT message: failure records, or why it could not be read as one. */
export type DltEntry =
  | { readonly kind: 'failed'; readonly records: readonly FailedRecord[] }
  | {
      readonly kind: 'unparsed';
      readonly dltPartition: number;
      readonly dltOffset: string;
      readonly reason: string;
    };

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isFinite(v) ? v : undefined;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

class Unparsable extends Error {}

function base64Field(record: Json, field: 'key' | 'value', where: string): Buffer | null {
  const v = record[field];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string' || !BASE64.test(v)) {
    throw new Unparsable(`${where}: ${field} is not base64`);
  }
  return Buffer.from(v, 'base64');
}

function headersOf(record: Json, where: string): RecordHeaderBytes[] {
  const raw = record.headers;
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw new Unparsable(`${where}: headers is not a list`);
  const headers: RecordHeaderBytes[] = [];
  for (const header of raw) {
    if (!isObject(header)) throw new Unparsable(`${where}: a header is not an object`);
    for (const [name, bytes] of Object.entries(header)) {
      if (
        !Array.isArray(bytes) ||
        !bytes.every((b) => Number.isInteger(b) && (b as number) >= -128 && (b as number) <= 255)
      ) {
        throw new Unparsable(`${where}: header ${JSON.stringify(name)} is not a list of bytes`);
      }
      // A signed (Java) byte -128…-1 is 128…255.
      headers.push({ name, value: Buffer.from((bytes as number[]).map((b) => b & 0xff)) });
    }
  }
  return headers;
}

function offsetOf(v: unknown): string | undefined {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return String(v);
  if (typeof v === 'string' && /^\d+$/.test(v)) return v;
  return undefined;
}

/** Parses one DLT message; never throws. */
export function parseDltMessage(
  dltPartition: number,
  dltOffset: string,
  value: Buffer | null,
): DltEntry {
  const unparsed = (reason: string): DltEntry => ({
    kind: 'unparsed',
    dltPartition,
    dltOffset,
    reason,
  });
  if (value === null) return unparsed('no value (a tombstone)');
  let document: unknown;
  try {
    document = JSON.parse(value.toString('utf8'));
  } catch {
    return unparsed('not JSON');
  }
  if (!isObject(document)) return unparsed('not a JSON object');
  const payload = document.payload;
  if (!isObject(payload) || !isObject(payload.records)) {
    return unparsed('no payload.records: not a Lambda failure record');
  }
  const request = isObject(document.requestContext) ? document.requestContext : {};
  const response = isObject(document.responseContext) ? document.responseContext : {};
  const failure = {
    condition: str(request.condition),
    approximateInvokeCount: num(request.approximateInvokeCount),
    functionError: str(response.functionError),
    failedAt: str(document.timestamp),
    requestId: str(request.requestId),
    functionArn: str(request.functionArn),
  };
  const records: FailedRecord[] = [];
  try {
    for (const [group, list] of Object.entries(payload.records)) {
      if (!Array.isArray(list)) throw new Unparsable(`payload.records["${group}"] is not a list`);
      list.forEach((record: unknown, i) => {
        const where = `payload.records["${group}"][${i}]`;
        if (!isObject(record)) throw new Unparsable(`${where} is not an object`);
        const topic = str(record.topic);
        const partition = record.partition;
        const offset = offsetOf(record.offset);
        if (!topic) throw new Unparsable(`${where}: no topic`);
        if (!Number.isSafeInteger(partition) || (partition as number) < 0) {
          throw new Unparsable(`${where}: no partition`);
        }
        if (offset === undefined) throw new Unparsable(`${where}: no offset`);
        records.push({
          dltPartition,
          dltOffset,
          id: `${topic}-${partition as number}-${offset}`,
          topic,
          partition: partition as number,
          offset,
          timestamp: num(record.timestamp),
          timestampType: str(record.timestampType),
          key: base64Field(record, 'key', where),
          value: base64Field(record, 'value', where),
          headers: headersOf(record, where),
          ...failure,
        });
      });
    }
  } catch (error) {
    if (error instanceof Unparsable) return unparsed(error.message);
    throw error;
  }
  if (!records.length) return unparsed('payload.records holds no record');
  return { kind: 'failed', records };
}

/** Valid UTF-8 as text, anything else as base64 (the exact bytes either way). */
export function bytesForJson(bytes: Buffer | null): { text: string } | { base64: string } | null {
  if (bytes === null) return null;
  return isUtf8(bytes) ? { text: bytes.toString('utf8') } : { base64: bytes.toString('base64') };
}

/**
 * One tab-separated field: UTF-8 text as it is, or `base64:…` when the bytes are not UTF-8 or
 * the text holds a tab or line break (which would split the line); empty for null.
 */
export function bytesForLine(bytes: Buffer | null): string {
  if (bytes === null) return '';
  if (isUtf8(bytes)) {
    const text = bytes.toString('utf8');
    if (!/[\t\r\n]/.test(text)) return text;
  }
  return `base64:${bytes.toString('base64')}`;
}

/** The record as JSON for `--json`: exact bytes, failure metadata, where it sits on the DLT. */
export function failedRecordJson(r: FailedRecord): Json {
  return {
    dltPartition: r.dltPartition,
    dltOffset: r.dltOffset,
    id: r.id,
    topic: r.topic,
    partition: r.partition,
    offset: r.offset,
    timestamp: r.timestamp ?? null,
    timestampType: r.timestampType ?? null,
    condition: r.condition ?? null,
    approximateInvokeCount: r.approximateInvokeCount ?? null,
    functionError: r.functionError ?? null,
    failedAt: r.failedAt ?? null,
    requestId: r.requestId ?? null,
    functionArn: r.functionArn ?? null,
    key: bytesForJson(r.key),
    value: bytesForJson(r.value),
    headers: r.headers.map((h) => ({ name: h.name, ...bytesForJson(h.value)! })),
  };
}

/** A metadata field for a line: `-` when missing, tabs and line breaks as spaces. */
const orDash = (v: string | number | undefined): string =>
  v === undefined ? '-' : String(v).replace(/[\t\r\n]/g, ' ');

/** The `dlq show` line of a failed record. */
export function failedRecordLine(r: FailedRecord): string {
  return [
    r.dltPartition,
    r.dltOffset,
    r.id,
    orDash(r.condition),
    orDash(r.approximateInvokeCount),
    orDash(r.functionError),
    orDash(r.failedAt),
    bytesForLine(r.key),
    bytesForLine(r.value),
    r.headers.map((h) => h.name).join(','),
  ].join('\t');
}
