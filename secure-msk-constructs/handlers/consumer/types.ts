/** A Kafka record after decoding: what `processRecord` receives. */
export interface DecodedRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  /** Milliseconds since the epoch. */
  readonly timestamp: number;
  /** `CREATE_TIME` (producer clock) or `LOG_APPEND_TIME` (broker clock). */
  readonly timestampType: string;
  /** UTF-8 key, or null when the record has none. */
  readonly key: string | null;
  /** Parsed JSON, else the UTF-8 text, else base64 for binary; null for a tombstone. */
  readonly value: DecodedValue;
  /** Headers in order, duplicates kept, values as UTF-8 strings. */
  readonly headers: readonly RecordHeader[];
}

export type DecodedValue =
  | { readonly kind: 'json'; readonly data: unknown }
  | { readonly kind: 'text'; readonly data: string }
  | { readonly kind: 'binary'; readonly base64: string }
  | { readonly kind: 'null' };

export interface RecordHeader {
  readonly name: string;
  readonly value: string;
}

/** `topic-partition-offset`: the correlation id of a record in logs. */
export const correlationId = (r: Pick<DecodedRecord, 'topic' | 'partition' | 'offset'>): string =>
  `${r.topic}-${r.partition}-${r.offset}`;
