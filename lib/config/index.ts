/**
 * The one typed configuration of the whole app.
 *
 * `loadConfig(context)` picks the profile (`-c profile=dev|prod`, default `dev`), applies
 * individual overrides by context key (`-c azCount=3`), then validates everything before any
 * construct exists and throws one `ConfigError` that lists every problem.
 */
import { asBoolean, asEnum, asInteger, asString, Parser } from './parse';
import { closestKey, ConfigError, parseIpv4Cidr, Problems } from './validation';

export { ConfigError } from './validation';
export type { ConfigProblem } from './validation';

export const PROFILES = ['dev', 'prod'] as const;
export type Profile = (typeof PROFILES)[number];

export const CONSUMER_AUTH_MODES = ['scram', 'iam'] as const;
/** How the Lambda consumer authenticates to the cluster. */
export type ConsumerAuth = (typeof CONSUMER_AUTH_MODES)[number];

export const COMPLIANCE_LEVELS = ['aws-solutions', 'all'] as const;
/** Which cdk-nag packs run on synth: AwsSolutions only, or AwsSolutions + NIST 800-53 R5 + HIPAA. */
export type Compliance = (typeof COMPLIANCE_LEVELS)[number];

/** Retention values CloudWatch Logs accepts (days). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288,
  3653,
] as const;

export interface AppConfig {
  /** The profile the defaults came from. */
  readonly profile: Profile;
  /**
   * MSK cluster name; also names the stage, the KMS alias and the SCRAM secrets.
   * 1–64 characters: letters, digits and hyphens, starting with a letter.
   */
  readonly clusterName: string;
  /** Apache Kafka version of the MSK cluster. */
  readonly kafkaVersion: string;
  /** MSK broker instance type, e.g. `kafka.m7g.large`. */
  readonly brokerInstanceType: string;
  /** Brokers in each Availability Zone (the cluster has `brokersPerAz × azCount`). */
  readonly brokersPerAz: number;
  /** Availability Zones used by the VPC and the cluster (2 or 3). */
  readonly azCount: number;
  /** NAT gateways in the VPC (1 to `azCount`). */
  readonly natGateways: number;
  /** IPv4 CIDR of the VPC, /16 to /24. */
  readonly vpcCidr: string;
  /** Retention of every log group the app creates (VPC flow logs, broker logs, Lambda logs). */
  readonly logRetentionDays: number;
  /** How the Lambda consumer authenticates: SASL/SCRAM (`scram`) or IAM (`iam`). */
  readonly consumerAuth: ConsumerAuth;
  /** Whether stateful resources (KMS key, cluster, logs) survive `cdk destroy`. */
  readonly retainData: boolean;
  /** cdk-nag packs run on synth. */
  readonly compliance: Compliance;
}

/** A setting that can be overridden from context: how to parse it and how to describe it. */
interface SettingSpec<T> {
  readonly parse: Parser<T>;
}

type Settings = Omit<AppConfig, 'profile'>;
type SettingSpecs = { readonly [K in keyof Settings]-?: SettingSpec<Settings[K]> };

const SETTINGS: SettingSpecs = {
  clusterName: { parse: asString },
  kafkaVersion: { parse: asString },
  brokerInstanceType: { parse: asString },
  brokersPerAz: { parse: asInteger },
  azCount: { parse: asInteger },
  natGateways: { parse: asInteger },
  vpcCidr: { parse: asString },
  logRetentionDays: { parse: asInteger },
  consumerAuth: { parse: asEnum(CONSUMER_AUTH_MODES) },
  retainData: { parse: asBoolean },
  compliance: { parse: asEnum(COMPLIANCE_LEVELS) },
};

/** Every context key this app reads. */
export const SETTING_KEYS: readonly string[] = ['profile', ...Object.keys(SETTINGS)];

/**
 * Profile defaults. `natGateways` is absent from `prod` on purpose: prod puts one NAT gateway in
 * each AZ, however many AZs are configured.
 */
export const PROFILE_DEFAULTS: Record<
  Profile,
  Omit<Settings, 'natGateways'> & { natGateways?: number }
> = {
  dev: {
    clusterName: 'msk-secure-dev',
    kafkaVersion: '3.8.x',
    brokerInstanceType: 'kafka.t3.small',
    brokersPerAz: 1,
    azCount: 2,
    natGateways: 1,
    vpcCidr: '10.10.0.0/16',
    logRetentionDays: 7,
    consumerAuth: 'scram',
    retainData: false,
    compliance: 'aws-solutions',
  },
  prod: {
    clusterName: 'msk-secure-prod',
    kafkaVersion: '3.8.x',
    brokerInstanceType: 'kafka.m7g.large',
    brokersPerAz: 1,
    azCount: 3,
    vpcCidr: '10.10.0.0/16',
    logRetentionDays: 365,
    consumerAuth: 'scram',
    retainData: true,
    compliance: 'all',
  },
};

/**
 * Builds and validates the configuration from CDK context (`app.node.getAllContext()`).
 *
 * @throws ConfigError listing every problem found
 */
export function loadConfig(context: Record<string, unknown>): AppConfig {
  const problems = new Problems();

  reportMisspeltKeys(context, problems);

  const requestedProfile = context.profile ?? 'dev';
  const profile: Profile = (PROFILES as readonly unknown[]).includes(requestedProfile)
    ? (requestedProfile as Profile)
    : 'dev';
  problems.oneOf('profile', requestedProfile, PROFILES);

  const defaults = PROFILE_DEFAULTS[profile];
  const overrides: Partial<Record<keyof Settings, unknown>> = {};
  for (const key of Object.keys(SETTINGS) as (keyof Settings)[]) {
    const raw = context[key];
    if (raw === undefined) continue;
    const parsed = (SETTINGS[key] as SettingSpec<unknown>).parse(raw);
    if (parsed.ok) overrides[key] = parsed.value;
    else problems.add(key, raw, parsed.expected);
  }
  const merged = { ...defaults, ...overrides } as typeof defaults;
  const config: AppConfig = {
    ...merged,
    profile,
    natGateways: merged.natGateways ?? merged.azCount,
  };

  validate(config, problems);

  if (problems.list.length > 0) throw new ConfigError(problems.list);
  return config;
}

function reportMisspeltKeys(context: Record<string, unknown>, problems: Problems): void {
  for (const key of Object.keys(context)) {
    // Feature flags (`@aws-cdk/...`) and CLI/internal keys (`aws:cdk:...`) are not ours.
    if (SETTING_KEYS.includes(key) || key.includes(':') || key.includes('/')) continue;
    const suggestion = closestKey(key, SETTING_KEYS);
    if (suggestion) {
      problems.add(key, context[key], `unknown setting; did you mean '${suggestion}'?`);
    }
  }
}

const CLUSTER_NAME = /^[a-zA-Z][a-zA-Z0-9-]{0,63}$/;

function validate(c: AppConfig, problems: Problems): void {
  problems.check(
    CLUSTER_NAME.test(c.clusterName),
    'clusterName',
    c.clusterName,
    'must be 1–64 characters of letters, digits and hyphens, starting with a letter (MSK naming rule)',
  );
  problems.check(
    /^\d+\.\d+\.(\d+|x)(\.[a-z0-9-]+)?$/.test(c.kafkaVersion),
    'kafkaVersion',
    c.kafkaVersion,
    'must be an MSK Kafka version such as "3.8.x" or "3.6.0"',
  );
  problems.check(
    /^kafka\.[a-z0-9]+\.[a-z0-9]+$/.test(c.brokerInstanceType),
    'brokerInstanceType',
    c.brokerInstanceType,
    'must be an MSK broker instance type with the "kafka." prefix, e.g. "kafka.m7g.large"',
  );
  problems.integerInRange('azCount', c.azCount, 2, 3);
  problems.integerInRange('brokersPerAz', c.brokersPerAz, 1, 10);
  if (Number.isInteger(c.azCount)) {
    problems.integerInRange('natGateways', c.natGateways, 1, c.azCount);
  }

  const cidr = parseIpv4Cidr(c.vpcCidr);
  if (
    problems.check(
      cidr !== undefined,
      'vpcCidr',
      c.vpcCidr,
      'must be an IPv4 CIDR such as "10.10.0.0/16"',
    ) &&
    cidr
  ) {
    if (
      problems.check(
        cidr.prefix >= 16 && cidr.prefix <= 24,
        'vpcCidr',
        c.vpcCidr,
        'must have a prefix from /16 (the largest VPC AWS allows) to /24 (room for the subnets)',
      )
    ) {
      const hostBits = 32 - cidr.prefix;
      problems.check(
        cidr.address % 2 ** hostBits === 0,
        'vpcCidr',
        c.vpcCidr,
        'must be a network address (host bits zero), e.g. "10.10.0.0/16"',
      );
    }
  }

  problems.oneOf('logRetentionDays', c.logRetentionDays, LOG_RETENTION_DAYS);
  problems.oneOf('consumerAuth', c.consumerAuth, CONSUMER_AUTH_MODES);
  problems.oneOf('compliance', c.compliance, COMPLIANCE_LEVELS);
}
