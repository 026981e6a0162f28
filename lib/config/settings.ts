/**
 * The setting keys and how each value is parsed, shared by `loadConfig` (lib/config/index.ts)
 * and the settings-file helpers (lib/config/file.ts).
 */
import type { AppConfig, TopicConfig } from './index';
import type { EnhancedMonitoring } from '../../secure-msk-constructs';
import type { ScramUserInput } from '../acls/spec';
import {
  asBoolean,
  asEnum,
  asInteger,
  asJson,
  asOptional,
  asString,
  asStringMap,
  Parser,
} from './parse';
import { CONSUMER_AUTH_MODES, LOG_LEVELS, STARTING_POSITIONS } from './consumers';

export const COMPLIANCE_LEVELS = ['aws-solutions', 'all'] as const;

/** What gives the private subnets outbound IPv4: NAT gateways, or one NAT instance. */
export const NAT_PROVIDERS = ['gateway', 'instance'] as const;

export const ENHANCED_MONITORING_LEVELS = [
  'DEFAULT',
  'PER_BROKER',
  'PER_TOPIC_PER_BROKER',
  'PER_TOPIC_PER_PARTITION',
] as const satisfies readonly EnhancedMonitoring[];

/** Every setting with a parser; `profile` and `consumers` are handled by `loadConfig` itself. */
export type Settings = Omit<
  AppConfig,
  'profile' | 'consumers' | 'scramUsers' | 'scramUserPermissions'
> & {
  readonly scramUsers: readonly ScramUserInput[];
};

const isTopicList = (v: unknown): boolean =>
  Array.isArray(v) &&
  v.every((t) => typeof t === 'object' && t !== null && !Array.isArray(t) && 'name' in t);

/** How each setting is parsed: a CLI string (`-c`) or a typed JSON value (config/<profile>.json). */
export const SETTINGS: { readonly [K in keyof Settings]-?: Parser<Settings[K]> } = {
  clusterName: asString,
  kafkaVersion: asString,
  brokerInstanceType: asString,
  brokersPerAz: asInteger,
  azCount: asInteger,
  natGateways: asInteger,
  natProvider: asEnum(NAT_PROVIDERS),
  natInstanceType: asString,
  vpcCidr: asString,
  logRetentionDays: asInteger,
  consumerAuth: asEnum(CONSUMER_AUTH_MODES),
  retainData: asBoolean,
  compliance: asEnum(COMPLIANCE_LEVELS),
  alarms: asBoolean,
  alarmEmail: asOptional(asString),
  // Names or permission objects; checked by validateScramUsers (lib/acls/spec.ts).
  scramUsers: (raw) => ({ ok: true, value: raw as ScramUserInput[] }),
  scramRotationDays: asInteger,
  ebsVolumeGiB: asInteger,
  storageAutoScalingMaxGiB: asInteger,
  storageAutoScalingTargetPercent: asInteger,
  enhancedMonitoring: asEnum(ENHANCED_MONITORING_LEVELS),
  prometheusJmxExporter: asBoolean,
  prometheusNodeExporter: asBoolean,
  serverProperties: asStringMap,
  consumerTopic: asString,
  consumerGroup: asString,
  consumerScramUser: asString,
  consumerStartingPosition: asEnum(STARTING_POSITIONS),
  consumerBatchSize: asInteger,
  consumerBatchingWindowSeconds: asInteger,
  consumerReservedConcurrency: asInteger,
  consumerTimeoutSeconds: asInteger,
  consumerMemoryMiB: asInteger,
  consumerLogLevel: asEnum(LOG_LEVELS),
  consumerMinPollers: asInteger,
  consumerMaxPollers: asInteger,
  consumerRetryAttempts: asOptional(asInteger),
  consumerMaxRecordAgeSeconds: asOptional(asInteger),
  consumerBisectBatchOnError: asOptional(asBoolean),
  consumerReportBatchItemFailures: asOptional(asBoolean),
  topics: asJson<TopicConfig[]>(
    'a list of { name, partitions, replicationFactor?, configs? }',
    isTopicList,
  ),
};

/** Every setting key this app reads (context keys and config/<profile>.json keys). */
export const SETTING_KEYS: readonly string[] = ['profile', 'consumers', ...Object.keys(SETTINGS)];

/**
 * A setting's value as the app reads it, for comparing values written differently: `"2"` and
 * `2`, `'["a","b"]'` and `["a","b"]`, `"a,b"` and `["a","b"]` (scramUsers), `"none"` and `null`.
 * A value its parser refuses is returned unchanged.
 */
export function normalizeSetting(key: string, raw: unknown): unknown {
  if (key === 'scramUsers' || key === 'consumers') {
    if (typeof raw !== 'string') return raw;
    const text = raw.trim();
    if (key === 'scramUsers' && !text.startsWith('[')) {
      return text === '' ? [] : text.split(',').map((s) => s.trim());
    }
    try {
      return JSON.parse(text);
    } catch {
      return raw;
    }
  }
  const parser = (SETTINGS as Record<string, Parser<unknown> | undefined>)[key];
  if (!parser) return raw;
  const parsed = parser(raw);
  return parsed.ok ? parsed.value : raw;
}
