/**
 * Every name, version and limit rule of the library, defined once. The app's configuration
 * checks (`lib/config`), the constructs, the alarms and the tools all test values with these, so
 * a value one layer accepts is never refused by another (`test/model/rules.test.ts`).
 *
 * A rule that one layer needs narrower than another is `narrower(base, …)`: it accepts only
 * what `base` accepts, plus its own conditions, and says why.
 *
 * Pure: no CDK, no AWS SDK; the handlers use it too.
 */

/** One rule: the check, what it is called, what it allows (for messages) and its source. */
export interface Rule {
  /** What a valid value is, with its article: "an MSK cluster name". */
  readonly what: string;
  /**
   * What is allowed, worded to follow "must be": "1–64 letters, digits and hyphens, starting
   * with a letter".
   */
  readonly allowed: string;
  /** Where the rule comes from (AWS or Kafka documentation), or why the project chose it. */
  readonly source: string;
  /** True when `value` is a string the rule accepts. */
  test(value: unknown): boolean;
}

/** A rule that one regular expression states whole. */
export interface PatternRule extends Rule {
  readonly pattern: RegExp;
}

const patternRule = (
  pattern: RegExp,
  what: string,
  allowed: string,
  source: string,
): PatternRule => ({
  pattern,
  what,
  allowed,
  source,
  test: (value: unknown): boolean => typeof value === 'string' && pattern.test(value),
});

/** Conditions a narrower rule adds to its base. */
export interface Narrowing {
  readonly what?: string;
  readonly allowed: string;
  /** Why the narrower rule exists. */
  readonly source: string;
  readonly minLength?: number;
  readonly maxLength?: number;
  /** A further pattern the value must match (in addition to the base rule). */
  readonly pattern?: RegExp;
  /** A further check. */
  readonly check?: (value: string) => boolean;
}

/** A rule that accepts only what `base` accepts and what `narrowing` adds. */
export function narrower(base: Rule, narrowing: Narrowing): Rule {
  const { minLength = 0, maxLength = Infinity, pattern, check } = narrowing;
  return {
    what: narrowing.what ?? base.what,
    allowed: narrowing.allowed,
    source: narrowing.source,
    test: (value: unknown): boolean =>
      typeof value === 'string' &&
      base.test(value) &&
      value.length >= minLength &&
      value.length <= maxLength &&
      (pattern?.test(value) ?? true) &&
      (check?.(value) ?? true),
  };
}

/**
 * True when `prefix` can start a name `rule` accepts: it is one, or it is one with a letter
 * added (so "." is a prefix of topic names though not a topic name). For PREFIXED Kafka ACLs and
 * `prefix*` IAM resources.
 */
export const acceptsPrefix = (rule: Rule, prefix: string): boolean =>
  rule.test(prefix) || rule.test(`${prefix}a`);

// ---------------------------------------------------------------------------------------------
// The cluster

/**
 * MSK cluster names. The length, 1–64, is the CloudFormation `AWS::MSK::Cluster` `ClusterName`
 * limit (and the MSK API's `__stringMin1Max64`); the characters are the MSK console's rule
 * (letters, digits and hyphens, starting with a letter), which the API reference does not state
 * (unverified there). The name also appears in secret names, SSM parameter paths, log groups and
 * alarm names, which all take these characters.
 */
export const CLUSTER_NAME = patternRule(
  /^[a-zA-Z][a-zA-Z0-9-]{0,63}$/,
  'an MSK cluster name',
  '1–64 letters, digits and hyphens, starting with a letter',
  'AWS::MSK::Cluster ClusterName (1–64); MSK console naming rule for the characters',
);

/** MSK's first Kafka version with the topic API (`AWS::MSK::Topic`). */
export const MIN_KAFKA_VERSION_WITH_TOPIC_API = { major: 3, minor: 6 } as const;

const KAFKA_VERSION_SYNTAX = /^(\d+)\.(\d+)\.(\d+|x)(\.kraft)?$/;

/** `{ major, minor, kraft }` of an MSK Kafka version string, or undefined if it is not one. */
export function parseKafkaVersion(
  version: string,
): { major: number; minor: number; kraft: boolean } | undefined {
  const match = KAFKA_VERSION_SYNTAX.exec(version);
  if (!match) return undefined;
  const [major, minor, kraft] = [Number(match[1]), Number(match[2]), match[4] === '.kraft'];
  // 4.x runs only in KRaft mode: MSK offers 4.0.x.kraft, 4.1.x.kraft, 4.2.x.kraft and no 4.x
  // ZooKeeper version.
  if (major >= 4 && !kraft) return undefined;
  return { major, minor, kraft };
}

/**
 * The Kafka versions MSK offers for new clusters: `<major>.<minor>.<patch>` (e.g. 3.6.0) or
 * `<major>.<minor>.x` (3.7.x and later, patched by MSK), with `.kraft` for KRaft metadata mode,
 * which 4.x requires (Amazon MSK Developer Guide, "Supported Apache Kafka versions" and
 * "Metadata management" (KRaft); the `KafkaVersion` list of aws-cdk's `@aws-cdk/aws-msk-alpha`,
 * `lib/cluster-version.ts`: 3.7.x.kraft … 4.2.x.kraft). The only other suffix MSK ever used,
 * `2.8.2.tiered`, reached end of support on 2025-01-14, as did the four-part `2.4.1.1`, so a
 * suffix other than `.kraft` is refused.
 */
export const KAFKA_VERSION: Rule = {
  what: 'an MSK Kafka version',
  allowed:
    'an MSK Kafka version: <major>.<minor>.<patch> or <major>.<minor>.x, with ".kraft" for ' +
    'KRaft mode (4.x exists only in KRaft mode), e.g. "3.8.x", "3.9.x.kraft", "4.1.x.kraft"',
  source: 'Amazon MSK Developer Guide, "Supported Apache Kafka versions"',
  test: (value: unknown): boolean =>
    typeof value === 'string' && parseKafkaVersion(value) !== undefined,
};

/**
 * Versions whose clusters have MSK's topic API, which `AWS::MSK::Topic` (`KafkaTopics`) uses:
 * "Your cluster must be running Apache Kafka version 3.6.0 or later" (Amazon MSK Developer
 * Guide, "Topic Operations", msk-topic-operations-information). The app creates its topics that
 * way, so its configuration needs this; `SecureMskCluster` alone takes any `KAFKA_VERSION`.
 */
export const KAFKA_VERSION_WITH_TOPIC_API = narrower(KAFKA_VERSION, {
  allowed:
    'an MSK Kafka version 3.6.0 or later (AWS::MSK::Topic needs it), e.g. "3.8.x", "3.9.x", ' +
    '"4.1.x.kraft"; 4.x versions end in ".kraft"',
  source: 'Amazon MSK Developer Guide, "Topic Operations" (requirements)',
  check: (value) => {
    const v = parseKafkaVersion(value);
    const min = MIN_KAFKA_VERSION_WITH_TOPIC_API;
    return (
      v !== undefined && (v.major > min.major || (v.major === min.major && v.minor >= min.minor))
    );
  },
});

/** Broker families: Standard (`kafka.`) and Express (`express.`) brokers. */
const brokerInstanceType = (prefixes: readonly string[]) =>
  new RegExp(`^(${prefixes.join('|')})\\.[a-z0-9]+\\.[a-z0-9]+$`);

/**
 * Any MSK broker instance type: `kafka.<family>.<size>` for Standard brokers (e.g.
 * kafka.m7g.large, kafka.t3.small) or `express.<family>.<size>` for Express brokers (e.g.
 * express.m7g.large) (Amazon MSK Developer Guide, "Broker types": Standard and Express brokers).
 */
export const BROKER_INSTANCE_TYPE = patternRule(
  brokerInstanceType(['kafka', 'express']),
  'an MSK broker type',
  'an MSK broker type: kafka.<family>.<size> or express.<family>.<size>, e.g. "kafka.m7g.large"',
  'Amazon MSK Developer Guide, "Broker types"',
);

/**
 * Standard brokers only (`kafka.` prefix): `SecureMskCluster` sets EBS storage and the app's
 * alarms watch disk use and partitions, which Express brokers do not have or publish.
 */
export const STANDARD_BROKER_INSTANCE_TYPE = narrower(BROKER_INSTANCE_TYPE, {
  what: 'an MSK Standard broker type',
  allowed: 'an MSK broker instance type with the "kafka." prefix, e.g. "kafka.m7g.large"',
  source: 'Standard brokers (EBS storage); Amazon MSK Developer Guide, "Broker types"',
  pattern: brokerInstanceType(['kafka']),
});

/**
 * MSK's largest EBS volume per broker, in GiB: 16 TiB (Amazon MSK Developer Guide, "Auto-scaling
 * policy details", msk-autoexpand-details: "maximum storage capacity up to 16 TiB per broker").
 */
export const MAX_EBS_GIB = 16384;

/**
 * The storage-utilization target of MSK storage auto scaling, in percent (Amazon MSK Developer
 * Guide, msk-autoexpand-details: "between 10% and 80% of the current storage capacity").
 */
export const STORAGE_TARGET_PERCENT = { min: 10, max: 80 } as const;

/** MSK's limit of SCRAM secrets per cluster (Amazon MSK Developer Guide, msk-password-limitations). */
export const MAX_SCRAM_USERS = 1000;

// ---------------------------------------------------------------------------------------------
// Kafka names

/**
 * Kafka topic names: `[a-zA-Z0-9._-]`, 1–249 characters, not `.` or `..` (Apache Kafka,
 * `org.apache.kafka.common.internals.Topic.validate`: legal characters, `MAX_NAME_LENGTH` 249,
 * and the two names reserved because they are paths).
 */
export const TOPIC_NAME = patternRule(
  /^(?!\.\.?$)[a-zA-Z0-9._-]{1,249}$/,
  'a Kafka topic name',
  '1–249 characters of letters, digits, ".", "_" and "-", and not "." or ".." (Kafka rule)',
  'Apache Kafka, org.apache.kafka.common.internals.Topic',
);

/** The shortest dead-letter topic name: `kafka://` and 4 characters make CloudFormation's 12. */
export const MIN_DEAD_LETTER_TOPIC_LENGTH = 4;

/**
 * A Kafka topic as a Lambda on-failure destination: CloudFormation's
 * `AWS::Lambda::EventSourceMapping` `OnFailure.Destination` is `kafka://<topic>`, at least 12
 * characters, the topic matching `[^.]([a-zA-Z0-9\-_.]{0,248})`: a topic name of at least 4
 * characters that does not start with ".".
 */
export const DEAD_LETTER_TOPIC = narrower(TOPIC_NAME, {
  what: 'a dead-letter topic name',
  allowed:
    `a Kafka topic name of ${MIN_DEAD_LETTER_TOPIC_LENGTH}–249 letters, digits, ".", "_" and ` +
    '"-", not starting with "." (CloudFormation takes kafka://<topic> of at least 12 characters)',
  source: 'AWS::Lambda::EventSourceMapping OnFailure Destination (pattern and minimum length 12)',
  minLength: MIN_DEAD_LETTER_TOPIC_LENGTH,
  pattern: /^[^.]/,
});

/**
 * Consumer-group ids as Lambda takes them: `[a-zA-Z0-9-/*:_+=.@]`, 1–200 (CloudFormation
 * `AWS::Lambda::EventSourceMapping` `AmazonManagedKafkaEventSourceConfig.ConsumerGroupId`).
 */
export const LAMBDA_CONSUMER_GROUP = patternRule(
  /^[a-zA-Z0-9\-/*:_+=.@]{1,200}$/,
  'a Lambda consumer-group id',
  '1–200 characters of letters, digits and - / * : _ + = . @',
  'AWS::Lambda::EventSourceMapping AmazonManagedKafkaEventSourceConfig ConsumerGroupId',
);

/**
 * Consumer groups this project names: Lambda's characters less `*`, which is a wildcard in the
 * group's IAM resource ARN (`…:group/<cluster>/<uuid>/<group>`, MSK "IAM access control") and
 * marks a prefix in the `scramUsers` permissions. How MSK matches a group name with `/`, `:`,
 * `+`, `=` or `@` in that ARN is not documented (unverified); IAM compares ARNs as strings.
 */
export const CONSUMER_GROUP = narrower(LAMBDA_CONSUMER_GROUP, {
  what: 'a consumer group name',
  allowed: '1–200 characters of letters, digits and - / : _ + = . @',
  source: 'Lambda ConsumerGroupId less "*" (an IAM wildcard, and the prefix marker of scramUsers)',
  check: (value) => !value.includes('*'),
});

/**
 * SCRAM user names this project accepts: Kafka- and Secrets-Manager-safe characters, 1–128 (a
 * project choice; the secret `AmazonMSK_<cluster>_<user>` stays far below Secrets Manager's 512
 * characters, and the user is also the Kafka principal `User:<user>` and an SSM path segment).
 */
export const SCRAM_USER_NAME = patternRule(
  /^[a-zA-Z0-9._-]{1,128}$/,
  'a SCRAM user name',
  '1–128 characters of letters, digits, ".", "_" and "-"',
  'project choice (fits Secrets Manager names, SSM parameter paths and Kafka principals)',
);

/**
 * The resource name of any ACL binding this project manages, as the ACL custom resource
 * checks it: a topic (`TOPIC_NAME`), a group (`CONSUMER_GROUP`) or `kafka-cluster`, LITERAL or a
 * PREFIXED prefix of one. Kafka itself has no fixed rule for group names, so this is the loose
 * outer bound the handler enforces: no spaces or control characters, at most 255.
 */
export const ACL_RESOURCE_NAME = patternRule(
  /^[^\s\p{Cc}]{1,255}$/u,
  'a Kafka ACL resource name',
  '1–255 characters without spaces',
  'project bound containing TOPIC_NAME, CONSUMER_GROUP and kafka-cluster',
);

// ---------------------------------------------------------------------------------------------
// Consumers and monitoring

/**
 * The short name of a consumer in the alarms and the dashboard: alarm names
 * `<cluster>-<name>-dead-letter-failed` stay within CloudWatch's 255 characters (64 + 1 + 64 +
 * 19), and construct ids and widget titles take these characters.
 */
export const CONSUMER_LABEL = patternRule(
  /^[a-zA-Z0-9-]{1,64}$/,
  'a consumer name',
  '1–64 letters, digits and hyphens',
  'CloudWatch alarm names (at most 255 characters) with the cluster name and a suffix',
);

/** The longest `MskConsumer` name (see `CONSUMER_NAME`). */
export const MAX_CONSUMER_NAME_LENGTH = 40;

/**
 * `MskConsumer` names (the `consumers[].name` setting, `npm run new-consumer`): narrower than
 * `CONSUMER_LABEL` because the name is embedded in longer names (log group
 * `<prefix>lambda/<name>`, construct ids and stack outputs `<Name>…`, the handler folder
 * `lambda/consumers/<name>`, alarm names), and lower-case so that two names never differ only
 * in case. The 40 is a project choice, not an AWS limit.
 */
export const CONSUMER_NAME = narrower(CONSUMER_LABEL, {
  allowed: `1–${MAX_CONSUMER_NAME_LENGTH} lower-case letters, digits and hyphens, starting with a letter`,
  source: 'project choice: embedded in log group, construct, output and alarm names',
  maxLength: MAX_CONSUMER_NAME_LENGTH,
  pattern: /^[a-z][a-z0-9-]*$/,
});

/**
 * CloudWatch dashboard names: letters, digits, `-` and `_`, 1–255 (CloudWatch API Reference,
 * PutDashboard `DashboardName`). `PlatformDashboard` defaults it to the cluster name, which
 * `CLUSTER_NAME` keeps within it.
 */
export const DASHBOARD_NAME = patternRule(
  /^[a-zA-Z0-9_-]{1,255}$/,
  'a CloudWatch dashboard name',
  '1–255 letters, digits, hyphens or underscores',
  'CloudWatch API Reference, PutDashboard DashboardName',
);

/** The longest e-mail address SMTP carries: RFC 5321's 256-octet path less the angle brackets. */
export const MAX_EMAIL_LENGTH = 254;

/** E-mail addresses. Crude on purpose: catches typos and placeholders, not every RFC 5321 corner. */
export const EMAIL: Rule = {
  what: 'an email address',
  allowed: `an email address (name@example.com) of at most ${MAX_EMAIL_LENGTH} characters`,
  source: 'project check; RFC 5321 path length for the limit',
  test: (value: unknown): boolean =>
    typeof value === 'string' &&
    value.length <= MAX_EMAIL_LENGTH &&
    /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value),
};

// ---------------------------------------------------------------------------------------------
// Lambda consumers (Lambda Developer Guide, with-msk and kafka-retry-configurations)

/** Limits of a Lambda event source mapping on MSK and of its function. */
export const MSK_EVENT_SOURCE_LIMITS = {
  /** Records per batch: 1–10000 ("BatchSize" for Amazon MSK). */
  batchSize: { min: 1, max: 10_000 },
  /** Batching window, seconds: 0–300 (MaximumBatchingWindowInSeconds). */
  batchingWindowSeconds: { min: 0, max: 300 },
  /** Function timeout, seconds: at most 14 minutes for an MSK event source (with-msk). */
  timeoutSeconds: { min: 1, max: 840 },
} as const;
