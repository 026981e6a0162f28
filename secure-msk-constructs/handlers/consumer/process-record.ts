/**
 * The business step: replace this function with your own. It receives one decoded record and
 * either returns (success) or throws (failure); it may be async. Keep it idempotent: Lambda
 * delivers Kafka records at least once.
 *
 * The reference implementation accepts every record: `consume` already logs each one at DEBUG
 * (with its `topic-partition-offset` correlation id) and the batch at INFO, which is what the
 * verify-it-works path in the README looks for.
 */
import type { DecodedRecord } from './types';

export function processRecord(_record: DecodedRecord): void | Promise<void> {
  // Your code here: write to a database, call an API, publish downstream, …
}
