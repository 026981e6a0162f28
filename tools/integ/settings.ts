/**
 * The integ test's profile: dev defaults with the smallest platform that still exercises every
 * path (`npm run integ`, docs/integ.md). Everything here is an ordinary setting of
 * `lib/config` (docs/configuration.md); nothing bypasses its validation.
 */

/** Cluster name, stage name and the prefix of every stack, secret, log group and parameter. */
export const INTEG_CLUSTER_NAME = 'msk-integ';
/** The dev profile's first topic: the consumer reads it and `producer` may write to it. */
export const INTEG_TOPIC = 'orders';
/** The SCRAM user the producer function signs in as (dev default, WRITE on the first topic). */
export const INTEG_SCRAM_USER = 'producer';
/** The SCRAM user of the consumer's event source mapping (dev default). */
export const INTEG_CONSUMER_SCRAM_USER = 'consumer';

/**
 * The consumer handler of the integ app: the template handler with `processRecord` wrapped so
 * that the marker record throws. Relative to `lambda/`, which is what the `consumers` setting's
 * `entry` must be (its validation refuses absolute paths).
 */
export const INTEG_CONSUMER_ENTRY = '../test/integ/consumer/index.ts';

/** The settings, as CDK context (`loadConfig` reads exactly this). */
export const INTEG_SETTINGS: Readonly<Record<string, unknown>> = {
  profile: 'dev',
  clusterName: INTEG_CLUSTER_NAME,
  brokerInstanceType: 'kafka.t3.small',
  azCount: 2,
  natGateways: 1,
  retainData: false,
  alarms: false,
  // The records are produced after the mapping exists, but its pollers may join the group
  // later: from the start of the (new, empty) topic nothing produced before that is skipped.
  consumerStartingPosition: 'TRIM_HORIZON',
  // One log line per record with its key: how the assertions see that each record arrived.
  consumerLogLevel: 'DEBUG',
  consumers: [{ name: 'consumer', topic: INTEG_TOPIC, entry: INTEG_CONSUMER_ENTRY }],
};

/** Record keys, one per path, so that the consumer's DEBUG lines tell them apart. */
export const RECORD_KEYS = {
  scram: 'integ-scram',
  iam: 'integ-iam',
  marker: 'integ-marker',
} as const;

/** A record whose value is exactly this JSON makes the integ consumer's `processRecord` throw. */
export const FAIL_MARKER = { fail: true } as const;

/** Template metadata key of each assertion's custom resource: its step number and label. */
export const INTEG_STEP_METADATA = 'msk-secure-stack:integ-step';
