/**
 * MSK-triggered consumer. Decodes each record (`decode.ts`), hands it to `processRecord`
 * (`process-record.ts`, the part a forker replaces) and reports the outcome:
 *
 * - with `REPORT_BATCH_ITEM_FAILURES=true` the response lists exactly the failed records as
 *   `{ batchItemFailures: [{ itemIdentifier: { partition: "<topic>-<partition>", offset } }] }`;
 *   records after a failure in the same partition are not processed (Lambda resumes the
 *   partition from the failed offset, so they come again in order);
 * - otherwise any failure fails the whole batch (Lambda retries it, then sends it to the
 *   on-failure destination).
 */
import { LogLevelThreshold } from '@aws-lambda-powertools/logger';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, MSKEvent } from 'aws-lambda';
import { logger } from '../shared/logger';
import { metrics } from '../shared/metrics';
import { decodeRecord, partitionsOf } from './decode';
import { processRecord } from './process-record';
import { correlationId, DecodedRecord } from './types';

export interface KafkaItemIdentifier {
  /** `<topic>-<partition>`, as the keys of the event's `records`. */
  readonly partition: string;
  readonly offset: number;
}

export interface KafkaBatchResponse {
  readonly batchItemFailures: { readonly itemIdentifier: KafkaItemIdentifier }[];
}

/** A record failed and the whole batch must be retried (partial responses are off). */
export class BatchFailedError extends Error {
  constructor(
    public readonly correlationId: string,
    cause: unknown,
  ) {
    super(`Record ${correlationId} failed; failing the batch so that Lambda retries it`, { cause });
    this.name = 'BatchFailedError';
  }
}

export interface ConsumeOptions {
  /** Report failed records instead of failing the batch. */
  readonly reportBatchItemFailures: boolean;
  /** The business step (injected in tests). */
  readonly process?: typeof processRecord;
}

/** Processes a batch; returns the partial-failure response or throws `BatchFailedError`. */
export async function consume(
  event: Pick<MSKEvent, 'records'>,
  options: ConsumeOptions,
): Promise<KafkaBatchResponse> {
  const processStep = options.process ?? processRecord;
  const failures: KafkaBatchResponse['batchItemFailures'] = [];
  let processed = 0;
  let skipped = 0;
  // Decided once per batch: the level lookup is measurable when done 6,000 times.
  const debug = logger.level <= LogLevelThreshold.DEBUG;

  for (const records of partitionsOf(event)) {
    for (let i = 0; i < records.length; i++) {
      const record = decodeRecord(records[i]);
      if (debug) logRecord(record);
      try {
        const pending = processStep(record);
        // Await only what is asynchronous: a microtask per record is measurable at 6 MB.
        if (pending) await pending;
        processed++;
      } catch (error) {
        const id = correlationId(record);
        logger.error('Record failed', { correlation_id: id, error });
        if (!options.reportBatchItemFailures) {
          recordOutcome(processed, 1, records.length - i - 1);
          throw new BatchFailedError(id, error);
        }
        failures.push({
          itemIdentifier: {
            partition: `${record.topic}-${record.partition}`,
            offset: record.offset,
          },
        });
        skipped += records.length - i - 1;
        break;
      }
    }
  }

  recordOutcome(processed, failures.length, skipped);
  return { batchItemFailures: failures };
}

function logRecord(record: DecodedRecord): void {
  logger.debug('Record', {
    correlation_id: correlationId(record),
    key: record.key,
    valueKind: record.value.kind,
    headers: record.headers,
  });
}

/** EMF metrics and the one INFO line per batch. */
function recordOutcome(processed: number, failed: number, skipped: number): void {
  metrics.addMetric('RecordsProcessed', MetricUnit.Count, processed);
  metrics.addMetric('RecordsFailed', MetricUnit.Count, failed);
  logger.info('Batch processed', { processed, failed, skippedAfterFailure: skipped });
}

const reportBatchItemFailures = process.env.REPORT_BATCH_ITEM_FAILURES === 'true';

/** Lambda entry point. */
export async function handler(event: MSKEvent, context?: Context): Promise<KafkaBatchResponse> {
  if (context) logger.addContext(context);
  try {
    return await consume(event, { reportBatchItemFailures });
  } finally {
    metrics.publishStoredMetrics();
  }
}
