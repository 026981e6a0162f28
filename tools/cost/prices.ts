/** The dated price table (`prices.json`) and its shape. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const PRICES_FILE = join(__dirname, 'prices.json');

export const VERIFICATION_LEVELS = ['aws-page', 'third-party', 'memory'] as const;
export type Verification = (typeof VERIFICATION_LEVELS)[number];

export interface Price {
  readonly usd: number;
  readonly unit: string;
  /** The AWS page the price belongs to. */
  readonly source: string;
  readonly verified: Verification;
  readonly note?: string;
}

export type ResourcePricing =
  | {
      readonly pricing: 'priced';
      /** Keys of `prices` used; `<Property>` stands for a property value, e.g. the instance type. */
      readonly prices: readonly string[];
      readonly how: string;
    }
  | { readonly pricing: 'usage' | 'free'; readonly reason: string };

export interface Assumptions {
  /** CloudWatch Logs ingestion per log group per month. */
  readonly logIngestionGiBPerLogGroup: number;
  /** Provisioned event pollers one event poller unit holds. */
  readonly pollersPerEventPollerUnit: number;
  /** Data through the NAT gateways or the NAT instance per month (AWS API calls). */
  readonly natDataGiB: number;
  /** Metrics an EC2 instance with detailed monitoring sends (billed as custom metrics). */
  readonly detailedMonitoringMetricsPerInstance: number;
  /** Client traffic crossing AZs per month (MSK replication between brokers is free). */
  readonly crossAzGiB: number;
  /** Data through interface endpoints per month. */
  readonly interfaceEndpointDataGiB: number;
  /** Lambda invocations per month, all functions. */
  readonly lambdaRequests: number;
  readonly lambdaAverageDurationMs: number;
  readonly lambdaMemoryMiB: number;
}

export interface PriceTable {
  readonly region: string;
  readonly currency: string;
  /** When the prices were taken (YYYY-MM-DD). */
  readonly takenOn: string;
  readonly hoursPerMonth: number;
  readonly howTaken: string;
  readonly verification: Readonly<Record<Verification, string>>;
  readonly prices: Readonly<Record<string, Price>>;
  readonly resourceTypes: Readonly<Record<string, ResourcePricing>>;
  readonly assumptions: Assumptions;
}

/** Problems with a table's shape: every price sourced and graded, every priced type's keys exist. */
export function priceTableProblems(table: PriceTable): string[] {
  const problems: string[] = [];
  if (!/^\d{4}-\d{2}-\d{2}$/.test(table.takenOn)) problems.push(`takenOn "${table.takenOn}"`);
  for (const [key, price] of Object.entries(table.prices)) {
    if (!(typeof price.usd === 'number' && price.usd >= 0)) problems.push(`prices.${key}.usd`);
    if (!price.unit) problems.push(`prices.${key}.unit is empty`);
    if (!price.source) problems.push(`prices.${key}.source is empty`);
    if (!(VERIFICATION_LEVELS as readonly string[]).includes(price.verified)) {
      problems.push(
        `prices.${key}.verified "${price.verified}" (${VERIFICATION_LEVELS.join('|')})`,
      );
    }
  }
  for (const [type, entry] of Object.entries(table.resourceTypes)) {
    if (entry.pricing === 'priced') {
      for (const key of entry.prices) {
        if (!key.includes('<') && !table.prices[key]) {
          problems.push(`resourceTypes.${type} uses prices.${key}, which does not exist`);
        }
      }
    } else if (!['usage', 'free'].includes(entry.pricing) || !entry.reason) {
      problems.push(`resourceTypes.${type}: pricing priced|usage|free, and a reason`);
    }
  }
  return problems;
}

export function loadPriceTable(path = PRICES_FILE): PriceTable {
  const table = JSON.parse(readFileSync(path, 'utf8')) as PriceTable;
  const problems = priceTableProblems(table);
  if (problems.length) throw new Error(`${path}: ${problems.join('; ')}`);
  return table;
}
