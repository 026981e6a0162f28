/**
 * The one typed configuration of the whole app.
 *
 * `loadConfig(context, { root })` picks the profile (`-c profile=dev|prod`, default `dev`),
 * applies the settings of `config/<profile>.json` under `root` over the profile defaults, then
 * individual overrides by context key (`-c azCount=3`), then validates everything before any
 * construct exists and throws one `ConfigError` that lists every problem, each naming where its
 * value came from (the file and JSON path, or `-c`).
 */
import type { EnhancedMonitoring, KafkaTopic } from '../../secure-msk-constructs';
import {
  CLUSTER_NAME,
  EMAIL,
  KAFKA_VERSION_WITH_TOPIC_API,
  MAX_EBS_GIB,
  STANDARD_BROKER_INSTANCE_TYPE,
  STORAGE_TARGET_PERCENT,
  TOPIC_NAME,
} from '../../secure-msk-constructs/model';
import type { Parser } from './parse';
import { ScramUser, ScramUserInput, validateScramUsers } from '../acls/spec';
import {
  CONSUMER_DEFAULT_KEYS,
  ConsumerAuth,
  ConsumerConfig,
  ConsumerDefaults,
  LogLevel,
  resolveConsumers,
  sourceIndexOf,
  StartingPosition,
  validateConsumers,
} from './consumers';
import { ConfigFile, configFilePath, readConfigFile } from './file';
import {
  COMPLIANCE_LEVELS,
  ENHANCED_MONITORING_LEVELS,
  NAT_PROVIDERS,
  normalizeSetting,
  SETTING_KEYS,
  Settings,
  SETTINGS,
} from './settings';
import {
  closestKey,
  ConfigError,
  ConfigProblem,
  editDistance,
  parseIpv4Cidr,
  Problems,
} from './validation';

export {
  CONSUMER_AUTH_MODES,
  consumerId,
  isProvisioned,
  LOG_LEVELS,
  PROVISIONED_ONLY_FIELDS,
  STARTING_POSITIONS,
} from './consumers';
export type { ConsumerAuth, ConsumerConfig, LogLevel, StartingPosition } from './consumers';

export { ConfigError } from './validation';
export type { ConfigProblem } from './validation';
export {
  COMPLIANCE_LEVELS,
  ENHANCED_MONITORING_LEVELS,
  NAT_PROVIDERS,
  SETTING_KEYS,
} from './settings';
export { configFilePath, overridesDiffering, readConfigFile } from './file';
export type { ConfigFile } from './file';

export const PROFILES = ['dev', 'prod'] as const;
export type Profile = (typeof PROFILES)[number];

/** Which cdk-nag packs run on synth: AwsSolutions only, or AwsSolutions + NIST 800-53 R5 + HIPAA. */
export type Compliance = (typeof COMPLIANCE_LEVELS)[number];

/** Retention values CloudWatch Logs accepts (days). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288,
  3653,
] as const;

export type { EnhancedMonitoring };

/** `gateway`: NAT gateways; `instance`: one NAT instance (see `natProvider`). */
export type NatProvider = (typeof NAT_PROVIDERS)[number];

/** A Kafka topic created with `AWS::MSK::Topic` (see `KafkaTopic`). */
export type TopicConfig = KafkaTopic;

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
  /**
   * NAT gateways in the VPC (1 to `azCount`); with `natProvider=instance`, the number of NAT
   * instances, which must be 1.
   */
  readonly natGateways: number;
  /**
   * What gives the private subnets outbound IPv4 (HTTPS to AWS APIs): `gateway` (managed NAT
   * gateways, `natGateways` of them) or `instance` (one NAT instance on Graviton, in the first
   * public subnet; about $30/month less than a gateway, but one instance in one AZ).
   */
  readonly natProvider: NatProvider;
  /**
   * EC2 instance type of the NAT instance (`natProvider=instance`): a Graviton (arm64) type,
   * e.g. `t4g.nano`.
   */
  readonly natInstanceType: string;
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
  /** CloudWatch alarms (brokers, consumers, failure queues) to one SNS topic. */
  readonly alarms: boolean;
  /** An email address the alarm topic notifies (confirm the subscription mail). */
  readonly alarmEmail?: string;

  // --- Cluster ---------------------------------------------------------------------------
  /**
   * SASL/SCRAM users: one `AmazonMSK_<clusterName>_<user>` secret each, with a password
   * generated by Secrets Manager.
   */
  readonly scramUsers: readonly string[];
  /**
   * What each SCRAM user may do, from `scramUsers` entries of the object form
   * (`{"name":"billing","produce":["orders"],"consume":[{"topic":"orders","group":"billing-*"}]}`):
   * Kafka ACLs that the `KafkaAcls` custom resource deploys. A plain name has no permissions.
   */
  readonly scramUserPermissions: readonly ScramUser[];
  /**
   * Days between automatic SCRAM password rotations; 0 turns rotation off. Clients must re-read
   * the secret: MSK stops accepting the old password within about 10 minutes.
   */
  readonly scramRotationDays: number;
  /** EBS storage per broker at creation, in GiB (MSK: 1–16384). */
  readonly ebsVolumeGiB: number;
  /**
   * Upper bound for storage auto scaling per broker, in GiB; 0 turns auto scaling off.
   * Application Auto Scaling tracks `KafkaBrokerStorageUtilization`.
   */
  readonly storageAutoScalingMaxGiB: number;
  /** Target `KafkaBrokerStorageUtilization` (%) for storage auto scaling. */
  readonly storageAutoScalingTargetPercent: number;
  /** MSK enhanced monitoring level. */
  readonly enhancedMonitoring: EnhancedMonitoring;
  /** Prometheus JMX exporter on the brokers (open monitoring, port 11001). */
  readonly prometheusJmxExporter: boolean;
  /** Prometheus node exporter on the brokers (open monitoring, port 11002). */
  readonly prometheusNodeExporter: boolean;
  /**
   * Kafka server properties merged over the defaults (`auto.create.topics.enable=false`,
   * `default.replication.factor=min(3, brokers)`, `min.insync.replicas=RF−1 (≥1)`,
   * `unclean.leader.election.enable=false`).
   */
  readonly serverProperties: Readonly<Record<string, string>>;
  /** Topics created with `AWS::MSK::Topic`. */
  readonly topics: readonly TopicConfig[];

  // --- Consumer --------------------------------------------------------------------------
  /** Topic the Lambda consumer reads; one of `topics` (default: the first). */
  readonly consumerTopic: string;
  /** SCRAM user whose secret the consumer uses with `consumerAuth=scram`; one of `scramUsers`. */
  readonly consumerScramUser: string;
  /** Kafka consumer group of the event source mapping (default `<clusterName>-consumer`). */
  readonly consumerGroup: string;
  /** Where a new consumer group starts. */
  readonly consumerStartingPosition: StartingPosition;
  /** Records per invocation (1–10000). */
  readonly consumerBatchSize: number;
  /** Seconds Lambda gathers records before invoking (0–300). */
  readonly consumerBatchingWindowSeconds: number;
  /** Reserved concurrency of the consumer; 0 leaves it unreserved. */
  readonly consumerReservedConcurrency: number;
  /** Function timeout in seconds (MSK event sources allow at most 14 minutes). */
  readonly consumerTimeoutSeconds: number;
  /** Function memory in MiB. */
  readonly consumerMemoryMiB: number;
  /** Log level of the consumer: per-record logs are DEBUG, the batch summary INFO. */
  readonly consumerLogLevel: LogLevel;
  /** Provisioned-mode minimum event pollers; 0 (with max 0) means on-demand mode. */
  readonly consumerMinPollers: number;
  /** Provisioned-mode maximum event pollers; 0 (with min 0) means on-demand mode. */
  readonly consumerMaxPollers: number;
  /** Retries of a failing batch before it goes to the failure queue (provisioned mode only). */
  readonly consumerRetryAttempts?: number;
  /** Records older than this (seconds) go to the failure queue (provisioned mode only). */
  readonly consumerMaxRecordAgeSeconds?: number;
  /** Split a failing batch in two and retry each half (provisioned mode only). */
  readonly consumerBisectBatchOnError?: boolean;
  /** The handler reports exactly the failed records (provisioned mode only). */
  readonly consumerReportBatchItemFailures?: boolean;

  /**
   * The MSK-triggered consumers (`-c consumers='[{"name":"orders","topic":"orders"}]'`); each
   * entry's unset fields come from the `consumer*` settings above. Without the setting: one
   * consumer, `consumer`, from `consumerTopic`, `consumerGroup` and the `consumer*` settings.
   */
  readonly consumers: readonly ConsumerConfig[];
}

/**
 * Profile defaults. `natGateways` is absent from `prod` on purpose: prod puts one NAT gateway in
 * each AZ, however many AZs are configured (one NAT instance with `natProvider=instance`).
 */
type ProfileDefaults = Omit<Settings, 'natGateways' | 'consumerTopic' | 'consumerGroup'> & {
  readonly natGateways?: number;
  readonly consumerTopic?: string;
  readonly consumerGroup?: string;
};

/**
 * Default SCRAM users: `consumer` (the consumer's mapping reads with it; its ACLs come with the
 * mapping) and `producer`, which may write to the first topic (`defaultScramUsers`).
 */
const DEFAULT_SCRAM_USERS: readonly ScramUserInput[] = ['consumer', 'producer'];

/** The default users with `producer`'s permission on the first topic, when there is one. */
function defaultScramUsers(firstTopic: string | undefined): ScramUserInput[] {
  return firstTopic !== undefined && TOPIC_NAME.test(firstTopic)
    ? ['consumer', { name: 'producer', produce: [firstTopic] }]
    : ['consumer', 'producer'];
}

/** Defaults both profiles share; each profile below lists only what differs. */
const SHARED_DEFAULTS = {
  kafkaVersion: '3.8.x',
  brokersPerAz: 1,
  vpcCidr: '10.10.0.0/16',
  consumerAuth: 'scram',
  storageAutoScalingTargetPercent: 60,
  scramRotationDays: 0,
  alarms: true,
  // Control Tower's CT.CLOUDWATCH.PR.2 requires at least a year; at dev volumes that costs cents.
  logRetentionDays: 365,
  serverProperties: {},
  topics: [{ name: 'orders', partitions: 3 }],
  consumerScramUser: 'consumer',
  consumerStartingPosition: 'LATEST',
  consumerBatchSize: 100,
  consumerBatchingWindowSeconds: 1,
  consumerTimeoutSeconds: 60,
  consumerMemoryMiB: 512,
  consumerLogLevel: 'INFO',
  // The smallest Graviton instance: the NAT instance forwards HTTPS calls to AWS APIs only.
  natInstanceType: 't4g.nano',
} as const satisfies Partial<ProfileDefaults>;

export const PROFILE_DEFAULTS: Record<Profile, ProfileDefaults> = {
  dev: {
    ...SHARED_DEFAULTS,
    clusterName: 'msk-secure-dev',
    brokerInstanceType: 'kafka.t3.small',
    azCount: 2,
    natGateways: 1,
    // One NAT instance instead of a NAT gateway: about $30/month less (docs/operations.md#cost). The
    // platform's outbound traffic is HTTPS to AWS APIs, which a NAT instance forwards as a
    // gateway does; reasoned, not yet deployed (unverified on AWS).
    natProvider: 'instance',
    retainData: false,
    compliance: 'aws-solutions',
    scramUsers: DEFAULT_SCRAM_USERS,
    ebsVolumeGiB: 20,
    storageAutoScalingMaxGiB: 0,
    enhancedMonitoring: 'DEFAULT',
    prometheusJmxExporter: false,
    prometheusNodeExporter: false,
    // New accounts have a concurrency quota of 10 and cannot reserve any: dev stays unreserved.
    consumerReservedConcurrency: 0,
    // On-demand pollers, so none of the provisioned-only error-handling controls.
    consumerMinPollers: 0,
    consumerMaxPollers: 0,
  },
  prod: {
    ...SHARED_DEFAULTS,
    clusterName: 'msk-secure-prod',
    brokerInstanceType: 'kafka.m7g.large',
    azCount: 3,
    natProvider: 'gateway',
    retainData: true,
    compliance: 'all',
    scramUsers: DEFAULT_SCRAM_USERS,
    ebsVolumeGiB: 100,
    storageAutoScalingMaxGiB: 1000,
    enhancedMonitoring: 'PER_TOPIC_PER_BROKER',
    prometheusJmxExporter: true,
    prometheusNodeExporter: true,
    consumerReservedConcurrency: 10,
    consumerMinPollers: 1,
    consumerMaxPollers: 3,
    consumerRetryAttempts: 3,
    consumerMaxRecordAgeSeconds: 3600,
    consumerBisectBatchOnError: true,
    consumerReportBatchItemFailures: true,
  },
};

/** Options of `loadConfig`. */
export interface LoadConfigOptions {
  /**
   * The project folder whose `config/<profile>.json` is read (bin/app.ts passes the repository
   * root). Without it no file is read: profile defaults and context only.
   */
  readonly root?: string;
}

/** How problems name a value that came from CDK context (`-c`, or cdk.json "context"). */
const CONTEXT_SOURCE = '-c';

/**
 * Builds and validates the configuration: the profile defaults, then `config/<profile>.json`
 * under `options.root` (when given and present), then CDK context (`app.node.getAllContext()`).
 *
 * @throws ConfigError listing every problem found, each with where its value came from
 */
export function loadConfig(
  context: Record<string, unknown>,
  options: LoadConfigOptions = {},
): AppConfig {
  const problems = new Problems();

  reportUnknownKeys(context, problems, CONTEXT_SOURCE);

  const requestedProfile = context.profile ?? 'dev';
  const profileValid = problems.oneOf('profile', requestedProfile, PROFILES);
  const profile: Profile = profileValid ? (requestedProfile as Profile) : 'dev';

  // Where each setting's value came from, for the problems: the file or `-c`.
  const sources: Record<string, string> = {};
  if (context.profile !== undefined) sources.profile = CONTEXT_SOURCE;
  const fileName = configFilePath(profile);
  const file =
    profileValid && options.root !== undefined
      ? readFileReportingProblems(profile, options.root, problems)
      : undefined;
  const fileValues = file?.values ?? {};
  if (file) {
    reportUnknownKeys(fileValues, problems, fileName);
    if (fileValues.profile !== undefined && fileValues.profile !== profile) {
      problems.add(
        'profile',
        fileValues.profile,
        `must be "${profile}" or absent: this file holds the settings of profile "${profile}" ` +
          '(the profile is chosen with -c profile=…)',
        fileName,
      );
    }
  }
  /** A setting's raw value: context over the file; undefined leaves the profile default. */
  const rawOf = (key: string): unknown => {
    if (context[key] !== undefined) {
      sources[key] = CONTEXT_SOURCE;
      return context[key];
    }
    if (Object.prototype.hasOwnProperty.call(fileValues, key) && fileValues[key] !== undefined) {
      sources[key] = fileName;
      return fileValues[key];
    }
    return undefined;
  };

  const defaults = PROFILE_DEFAULTS[profile];
  const overrides: Partial<Record<keyof Settings, unknown>> = {};
  for (const key of Object.keys(SETTINGS) as (keyof Settings)[]) {
    const raw = rawOf(key);
    if (raw === undefined) continue;
    const parsed = (SETTINGS[key] as Parser<unknown>)(raw);
    if (!parsed.ok) problems.add(key, raw, parsed.expected);
    else if (sources[key] === fileName && !typedInFile(key, raw, parsed.value)) {
      problems.add(
        key,
        raw,
        key === 'scramUsers'
          ? 'must be a JSON list in the file, not a string: ["consumer", {"name": "producer", …}]'
          : `must be a JSON ${typeof parsed.value} in the file, not a string: ${JSON.stringify(parsed.value)}`,
      );
    } else overrides[key] = parsed.value;
  }
  const rawConsumers = rawOf('consumers');
  if (sources.consumers === fileName && typeof rawConsumers === 'string') {
    problems.add('consumers', rawConsumers, 'must be a JSON list in the file, not a string');
  }
  if (rawConsumers !== undefined) {
    // They configure only the single default consumer: with a list they would do nothing.
    for (const [key, field] of [
      ['consumerTopic', 'topic'],
      ['consumerGroup', 'group'],
    ] as const) {
      if (overrides[key] !== undefined) {
        problems.add(
          key,
          overrides[key],
          `has no effect when consumers is set (${sources.consumers === fileName ? fileName : '-c consumers'}): ` +
            `set "${field}" in the consumers entry instead`,
        );
      }
    }
  }
  const merged = { ...defaults, ...overrides } as ProfileDefaults;
  const consumerTopic = merged.consumerTopic ?? merged.topics[0]?.name ?? '';
  const consumerGroup = merged.consumerGroup ?? `${merged.clusterName}-consumer`;
  const consumerDefaults = Object.fromEntries(
    Object.entries(CONSUMER_DEFAULT_KEYS).map(([field, key]) => [
      field,
      merged[key as keyof ProfileDefaults],
    ]),
  ) as unknown as ConsumerDefaults;
  const topicNames = Array.isArray(merged.topics)
    ? merged.topics.map((t) => t?.name).filter((n): n is string => typeof n === 'string')
    : [];
  const beforeUsers = problems.list.length;
  const scramUserPermissions = validateScramUsers(
    overrides.scramUsers === undefined ? defaultScramUsers(topicNames[0]) : merged.scramUsers,
    topicNames,
    problems,
  );
  const usersValid = problems.list.length === beforeUsers;
  const config: AppConfig = {
    ...merged,
    scramUsers: scramUserPermissions.map((u) => u.name),
    scramUserPermissions,
    profile,
    natGateways: merged.natGateways ?? (merged.natProvider === 'instance' ? 1 : merged.azCount),
    consumerTopic,
    consumerGroup,
    consumers: resolveConsumers(
      rawConsumers,
      { ...consumerDefaults, topic: consumerTopic, group: consumerGroup },
      merged.clusterName,
      problems,
    ),
  };

  const setting = consumerSetting(rawConsumers);
  validate(
    config,
    problems,
    (i, field) => setting(sourceIndexOf(config.consumers[i]) ?? i, field),
    usersValid,
  );

  if (problems.list.length > 0) {
    throw new ConfigError(problems.list.map((p) => withSource(p, sources)));
  }
  return config;
}

/** Reads the settings file; a file that is not a JSON object becomes problems, not a throw. */
function readFileReportingProblems(
  profile: Profile,
  root: string,
  problems: Problems,
): ConfigFile | undefined {
  try {
    return readConfigFile(profile, root);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    for (const p of error.problems) problems.add(p.setting, p.value, p.allowed, p.source);
    return undefined;
  }
}

/**
 * Whether a file value is written with its JSON type: `3`, not `"3"`; `true`, not `"true"`; a
 * list, not its JSON text. (Context values arrive as strings from the command line.)
 */
function typedInFile(key: keyof Settings, raw: unknown, value: unknown): boolean {
  if (typeof raw !== 'string') return true;
  if (key === 'scramUsers') return false;
  return value === undefined || typeof value === 'string';
}

/** A problem with the source of its setting (the part of its path before `.` or `[`). */
function withSource(p: ConfigProblem, sources: Record<string, string>): ConfigProblem {
  if (p.source !== undefined || p.setting === '') return p;
  const source = sources[p.setting.split(/[.[]/)[0]];
  return source === undefined ? p : { ...p, source };
}

/**
 * How a consumer's problem names its setting. A `consumers` list: `consumers[i].field` for a
 * field the entry sets, else the `consumer*` setting it inherits. The single default consumer:
 * the `consumer*` settings.
 */
function consumerSetting(
  rawConsumers: unknown,
): (i: number, field: keyof ConsumerConfig) => string {
  const inherited = (field: keyof ConsumerConfig): string | undefined =>
    field === 'topic'
      ? 'consumerTopic'
      : field === 'group'
        ? 'consumerGroup'
        : field in CONSUMER_DEFAULT_KEYS
          ? CONSUMER_DEFAULT_KEYS[field as keyof typeof CONSUMER_DEFAULT_KEYS]
          : undefined;
  if (rawConsumers === undefined) {
    return (_i, field) => inherited(field) ?? `consumers[0].${field}`;
  }
  const entries = normalizeSetting('consumers', rawConsumers);
  return (i, field) => {
    const entry: unknown = Array.isArray(entries) ? entries[i] : undefined;
    const given = typeof entry === 'object' && entry !== null && field in entry;
    const key = field in CONSUMER_DEFAULT_KEYS ? inherited(field) : undefined;
    return given || key === undefined ? `consumers[${i}].${field}` : key;
  };
}

/**
 * Reports keys that are not settings, with a "did you mean". In context, keys with ':' or '/'
 * are CDK's (feature flags `@aws-cdk/...`, CLI and lookup keys `aws:cdk:...`): every key of ours
 * has neither, so any other key is a mistake, never ignored. In the file every key is ours.
 */
function reportUnknownKeys(
  values: Record<string, unknown>,
  problems: Problems,
  source: string,
): void {
  for (const key of Object.keys(values)) {
    if (SETTING_KEYS.includes(key)) continue;
    if (source === CONTEXT_SOURCE && (key.includes(':') || key.includes('/'))) continue;
    const suggestion = closestKey(key, SETTING_KEYS);
    const closest = [...SETTING_KEYS]
      .sort(
        (a, b) =>
          editDistance(key.toLowerCase(), a.toLowerCase()) -
          editDistance(key.toLowerCase(), b.toLowerCase()),
      )
      .slice(0, 3);
    problems.add(
      key,
      values[key],
      suggestion
        ? `unknown setting; did you mean '${suggestion}'?`
        : `unknown setting (closest: ${closest.join(', ')}); every setting is in docs/configuration.md#settings`,
      source,
    );
  }
}

/**
 * Graviton (arm64) EC2 instance types: a family whose generation digit is followed by `g`
 * (t4g, c6g, c6gn, c7g, m7g, r8g, …) and a size. The NAT instance's AMI is the arm64 Amazon
 * Linux 2023 image, which CDK picks from the type's architecture.
 */
const GRAVITON_INSTANCE_TYPE = /^[a-z]+\d+g[a-z]*\.[a-z0-9]+$/;

function validate(
  c: AppConfig,
  problems: Problems,
  consumerSetting: (i: number, field: keyof ConsumerConfig) => string,
  usersValid: boolean,
): void {
  problems.follows('clusterName', c.clusterName, CLUSTER_NAME, ' (MSK naming rule)');
  problems.follows('kafkaVersion', c.kafkaVersion, KAFKA_VERSION_WITH_TOPIC_API);
  problems.follows('brokerInstanceType', c.brokerInstanceType, STANDARD_BROKER_INSTANCE_TYPE);
  problems.integerInRange('azCount', c.azCount, 2, 3);
  problems.integerInRange('brokersPerAz', c.brokersPerAz, 1, 10);
  problems.oneOf('natProvider', c.natProvider, NAT_PROVIDERS);
  if (c.natProvider === 'instance') {
    problems.check(
      c.natGateways === 1,
      'natGateways',
      c.natGateways,
      'must be 1 with natProvider "instance" (one NAT instance for the VPC); ' +
        'for one NAT per AZ use natProvider "gateway"',
    );
    problems.check(
      GRAVITON_INSTANCE_TYPE.test(c.natInstanceType),
      'natInstanceType',
      c.natInstanceType,
      'must be a Graviton (arm64) EC2 instance type, e.g. "t4g.nano", "t4g.micro", "c7g.medium"',
    );
  } else if (Number.isInteger(c.azCount)) {
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
  problems.oneOf('compliance', c.compliance, COMPLIANCE_LEVELS);
  if (c.alarmEmail !== undefined) {
    problems.follows('alarmEmail', c.alarmEmail, EMAIL, ', or "none"');
  }
  // Cross-checks against users and topics only when those are valid themselves, so that one
  // mistake is reported once.
  const valid = validateCluster(c, problems);
  validateConsumers(
    c.consumers,
    {
      topics: valid.topicsValid ? c.topics.map((t) => t.name) : undefined,
      scramUsers: usersValid ? c.scramUsers : undefined,
      setting: consumerSetting,
    },
    problems,
  );
}

/** `major.minor.(patch|x)[.kraft]`, at least 3.6.0; 4.x exists only in KRaft mode. */
export const kafkaVersionSupportsTopics = (version: string): boolean =>
  KAFKA_VERSION_WITH_TOPIC_API.test(version);

/** Brokers in the cluster. */
export const brokerCount = (c: Pick<AppConfig, 'brokersPerAz' | 'azCount'>): number =>
  c.brokersPerAz * c.azCount;

function validateCluster(c: AppConfig, problems: Problems): { topicsValid: boolean } {
  const brokers = brokerCount(c);

  if (c.scramRotationDays !== 0) {
    problems.integerInRange('scramRotationDays', c.scramRotationDays, 1, 1000);
  }

  problems.integerInRange('ebsVolumeGiB', c.ebsVolumeGiB, 1, MAX_EBS_GIB);
  if (c.storageAutoScalingMaxGiB !== 0) {
    problems.check(
      Number.isInteger(c.storageAutoScalingMaxGiB) &&
        c.storageAutoScalingMaxGiB > c.ebsVolumeGiB &&
        c.storageAutoScalingMaxGiB <= MAX_EBS_GIB,
      'storageAutoScalingMaxGiB',
      c.storageAutoScalingMaxGiB,
      `must be 0 (off) or a whole number above ebsVolumeGiB (${c.ebsVolumeGiB}) and at most ${MAX_EBS_GIB}`,
    );
  }
  problems.integerInRange(
    'storageAutoScalingTargetPercent',
    c.storageAutoScalingTargetPercent,
    STORAGE_TARGET_PERCENT.min,
    STORAGE_TARGET_PERCENT.max,
  );
  problems.oneOf('enhancedMonitoring', c.enhancedMonitoring, ENHANCED_MONITORING_LEVELS);

  for (const [key, value] of Object.entries(c.serverProperties)) {
    problems.check(
      /^[a-z0-9]+([._-][a-z0-9]+)*$/.test(key) && !/[\r\n]/.test(value),
      `serverProperties.${key}`,
      value,
      'must be a Kafka property name (lower-case, dot-separated) with a one-line value',
    );
  }

  const beforeTopics = problems.list.length;
  problems.check(c.topics.length >= 1, 'topics', c.topics, 'must list at least one topic');
  const names = new Set<string>();
  c.topics.forEach((topic, i) => {
    const at = `topics[${i}]`;
    if (problems.follows(`${at}.name`, topic.name, TOPIC_NAME)) {
      problems.check(
        !names.has(topic.name),
        `${at}.name`,
        topic.name,
        'must not repeat another topic',
      );
      names.add(topic.name);
    }
    problems.integerInRange(`${at}.partitions`, topic.partitions, 1, 1_000_000);
    if (topic.replicationFactor !== undefined) {
      problems.integerInRange(`${at}.replicationFactor`, topic.replicationFactor, 1, brokers);
    }
    if (topic.configs !== undefined) {
      problems.check(
        typeof topic.configs === 'object' &&
          topic.configs !== null &&
          Object.values(topic.configs).every((v) => typeof v === 'string'),
        `${at}.configs`,
        topic.configs,
        'must be an object of string values, e.g. { "retention.ms": "604800000" }',
      );
    }
  });
  return { topicsValid: problems.list.length === beforeTopics };
}
