/**
 * Builds the event Lambda's Amazon MSK event source mapping delivers, from records a real kafkajs
 * consumer fetched: the shape of the Lambda Developer Guide's "Amazon MSK event example" (page
 * "Using Lambda with Amazon MSK", with-msk) and of `MSKEvent` in @types/aws-lambda:
 *
 *   { eventSource: "aws:kafka", eventSourceArn: <cluster ARN>, bootstrapServers: "h:p,h:p",
 *     records: { "<topic>-<partition>": [{ topic, partition, offset, timestamp, timestampType,
 *                                           key, value, headers: [{ name: [byte, …] }] }] } }
 *
 * Everything comes from the bytes the broker returned (kafkajs's Buffers, offsets, timestamps and
 * the batch's timestamp-type bit), never from what the test produced.
 */
import type { MSKEvent, MSKRecord } from 'aws-lambda';
import type { KafkaMessage } from 'kafkajs';

/** One record as a kafkajs consumer fetched it (`eachBatch`: `batch.topic`, `batch.partition`). */
export interface FetchedRecord {
  readonly topic: string;
  readonly partition: number;
  readonly message: KafkaMessage;
}

/**
 * A record of the event. `key` and `value` are optional: a record without a key, or a tombstone
 * (null value), has no bytes to base64. The guide's example shows only records with both and
 * says nothing of the null case; @types/aws-lambda types both as always-present strings.
 * Powertools for AWS Lambda's Kafka consumer (@aws-lambda-powertools/kafka, `deserializeRecord`)
 * accepts both an absent field and `null`, and its test event (packages/kafka/tests/events/
 * default.json) has one record without `key` and one with `"key": null`. We therefore **omit**
 * the field by default (what survives Lambda's JSON serialization of an unset field) and let the
 * caller ask for explicit `null` (`nulls: 'null'`), so a test can show both decode the same.
 * An empty key or value (zero bytes, not null) is the empty base64 string `""`.
 */
export type EventRecord = Omit<MSKRecord, 'key' | 'value'> & {
  key?: string | null;
  value?: string | null;
};

export type EventOf = Omit<MSKEvent, 'records'> & { records: Record<string, EventRecord[]> };

export interface EventOptions {
  /** The cluster ARN Lambda puts in `eventSourceArn`. */
  readonly eventSourceArn: string;
  /** The brokers, comma-separated `host:port`, as the guide's `bootstrapServers`. */
  readonly bootstrapServers: string;
  /** How a missing key or value is written: left out (default) or `null`. */
  readonly nulls?: 'omit' | 'null';
}

/** kafkajs's record-batch context (not in its typings): bit 3 of the batch attributes. */
interface BatchContext {
  readonly timestampType?: number;
}

/** kafkajs TimestampTypes: 0 CREATE_TIME, 1 LOG_APPEND_TIME (src/protocol/timestampTypes.js). */
function timestampTypeOf(message: KafkaMessage): MSKRecord['timestampType'] {
  const context = (message as KafkaMessage & { batchContext?: BatchContext }).batchContext;
  switch (context?.timestampType) {
    case 0:
      return 'CREATE_TIME';
    case 1:
      return 'LOG_APPEND_TIME';
    default:
      throw new Error(`Unknown timestamp type ${String(context?.timestampType)}`);
  }
}

/**
 * kafkajs turns a record's header list into an object: a repeated name becomes an array of its
 * values, in the order they came. Walking that object gives the wire order back as long as
 * repeats of a name are adjacent (kafkajs producers can only write them so) and no name is an
 * integer-like string (JavaScript enumerates those first).
 */
function headersOf(message: KafkaMessage): MSKRecord['headers'] {
  const headers: MSKRecord['headers'] = [];
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    const values = Array.isArray(value) ? value : [value];
    for (const v of values) {
      if (v === undefined) continue;
      headers.push({ [name]: [...(typeof v === 'string' ? Buffer.from(v) : v)] });
    }
  }
  return headers;
}

export function eventRecord(fetched: FetchedRecord, nulls: 'omit' | 'null' = 'omit'): EventRecord {
  const { topic, partition, message } = fetched;
  const record: EventRecord = {
    topic,
    partition,
    offset: Number(message.offset),
    timestamp: Number(message.timestamp),
    timestampType: timestampTypeOf(message),
    headers: headersOf(message),
  };
  if (message.key !== null) record.key = message.key.toString('base64');
  else if (nulls === 'null') record.key = null;
  if (message.value !== null) record.value = message.value.toString('base64');
  else if (nulls === 'null') record.value = null;
  return record;
}

/**
 * The event for a batch, records grouped by `"<topic>-<partition>"` in fetch order, then passed
 * through JSON as Lambda delivers it (so an omitted field is really absent).
 */
export function mskEvent(fetched: readonly FetchedRecord[], options: EventOptions): EventOf {
  const records: Record<string, EventRecord[]> = {};
  for (const f of fetched) {
    (records[`${f.topic}-${f.partition}`] ??= []).push(eventRecord(f, options.nulls));
  }
  const event: EventOf = {
    eventSource: 'aws:kafka',
    eventSourceArn: options.eventSourceArn,
    bootstrapServers: options.bootstrapServers,
    records,
  };
  return JSON.parse(JSON.stringify(event)) as EventOf;
}
