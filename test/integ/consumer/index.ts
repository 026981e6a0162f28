/**
 * The integ app's consumer: the template handler (`lambda/consumer/index.ts`) with its business
 * step wrapped, so that a record whose value is exactly `{"fail":true}` throws. Every other
 * record goes to the template's own `processRecord`, and decoding, logging, metrics and the
 * failure handling are the template's `consume`: only the marker is test code.
 *
 * `lambda/consumer/index.ts` calls `processRecord` directly, so this entry calls the exported
 * `consume` with the wrapped step; the five lines around it are those of the template's
 * `handler`, with the same environment contract (`REPORT_BATCH_ITEM_FAILURES`,
 * `POWERTOOLS_*`, set by `MskConsumer`).
 */
import type { Context, MSKEvent } from 'aws-lambda';
import {
  consume,
  KafkaBatchResponse,
} from '../../../secure-msk-constructs/handlers/consumer/index';
import { processRecord } from '../../../secure-msk-constructs/handlers/consumer/process-record';
import type { DecodedRecord } from '../../../secure-msk-constructs/handlers/consumer/types';
import { logger } from '../../../secure-msk-constructs/handlers/shared/logger';
import { metrics } from '../../../secure-msk-constructs/handlers/shared/metrics';
import { FAIL_MARKER } from '../../../tools/integ/settings';

/** Whether the record's value is the fail marker: JSON equal to `{"fail":true}`, nothing else. */
export function isFailMarker(record: DecodedRecord): boolean {
  if (record.value.kind !== 'json') return false;
  const data = record.value.data;
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return false;
  const entries = Object.entries(data);
  return (
    entries.length === Object.keys(FAIL_MARKER).length &&
    entries.every(([k, v]) => (FAIL_MARKER as Record<string, unknown>)[k] === v)
  );
}

/** The template's business step, except that the fail marker throws. */
export function processOrFail(record: DecodedRecord): void | Promise<void> {
  if (isFailMarker(record)) {
    throw new Error('integ fail marker {"fail":true}: processRecord throws on purpose');
  }
  return processRecord(record);
}

const reportBatchItemFailures = process.env.REPORT_BATCH_ITEM_FAILURES === 'true';

/** Lambda entry point. */
export async function handler(event: MSKEvent, context?: Context): Promise<KafkaBatchResponse> {
  if (context) logger.addContext(context);
  try {
    return await consume(event, { reportBatchItemFailures, process: processOrFail });
  } finally {
    metrics.publishStoredMetrics();
  }
}
