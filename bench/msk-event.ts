/** A synthetic maximum-size MSK event for the consumer benchmark. */
import type { MSKEvent } from 'aws-lambda';

export const RECORDS = 6_000;
export const PARTITIONS = 6;

/** ~6 MB event: 6,000 JSON values of ~750 bytes (~1 KB base64), keys, two headers each. */
export function buildEvent(): MSKEvent {
  const records: MSKEvent['records'] = {};
  const filler = 'x'.repeat(560);
  for (let i = 0; i < RECORDS; i++) {
    const partition = i % PARTITIONS;
    const value = JSON.stringify({
      orderId: i,
      customer: { id: `c-${i % 977}`, tier: i % 3 === 0 ? 'gold' : 'standard' },
      items: [{ sku: `sku-${i % 101}`, quantity: (i % 5) + 1, price: 12.5 }],
      createdAt: new Date(1_700_000_000_000 + i * 1000).toISOString(),
      note: filler,
    });
    const key = `order-${i}`;
    (records[`orders-${partition}`] ??= []).push({
      topic: 'orders',
      partition,
      offset: Math.floor(i / PARTITIONS),
      timestamp: 1_700_000_000_000 + i,
      timestampType: 'CREATE_TIME',
      key: Buffer.from(key).toString('base64'),
      value: Buffer.from(value).toString('base64'),
      headers: [
        { 'trace-id': [...Buffer.from(`trace-${i}`)] },
        { source: [...Buffer.from('checkout-service')] },
      ],
    } as never);
  }
  // Through JSON, as the Lambda runtime hands the event to the handler.
  const event = {
    eventSource: 'aws:kafka',
    eventSourceArn: 'arn:aws:kafka:eu-west-1:111122223333:cluster/b/u',
    bootstrapServers: 'b-1:9096',
    records,
  } as MSKEvent;
  return JSON.parse(JSON.stringify(event)) as MSKEvent;
}
