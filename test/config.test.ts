import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, loadConfig, SETTING_KEYS } from '../lib/config';

/** Loads a config expecting failure; returns the problems' settings and the message. */
function problemsOf(context: Record<string, unknown>): { settings: string[]; message: string } {
  try {
    loadConfig(context);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return { settings: error.problems.map((p) => p.setting), message: error.message };
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(context)}`);
}

describe('profiles', () => {
  test('dev is the default: 2 AZs, 1 NAT instance (t4g.nano), kafka.t3.small, 1 broker per AZ', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      profile: 'dev',
      azCount: 2,
      natGateways: 1,
      natProvider: 'instance',
      natInstanceType: 't4g.nano',
      brokerInstanceType: 'kafka.t3.small',
      brokersPerAz: 1,
      vpcCidr: '10.10.0.0/16',
      consumerAuth: 'scram',
      retainData: false,
    });
  });

  test('prod: 3 AZs, one NAT per AZ, kafka.m7g.large, logs kept at least a year', () => {
    const config = loadConfig({ profile: 'prod' });
    expect(config).toMatchObject({
      profile: 'prod',
      azCount: 3,
      natGateways: 3,
      natProvider: 'gateway',
      brokerInstanceType: 'kafka.m7g.large',
      brokersPerAz: 1,
      retainData: true,
      compliance: 'all',
    });
    expect(config.logRetentionDays).toBeGreaterThanOrEqual(365);
  });

  test('prod keeps one NAT per AZ when azCount is overridden', () => {
    expect(loadConfig({ profile: 'prod', azCount: '2' }).natGateways).toBe(2);
  });

  test('natProvider=instance: one NAT instance, so prod then defaults natGateways to 1', () => {
    expect(loadConfig({ profile: 'prod', natProvider: 'instance' })).toMatchObject({
      natProvider: 'instance',
      natGateways: 1,
    });
    expect(loadConfig({ natProvider: 'gateway', natGateways: '2' })).toMatchObject({
      natProvider: 'gateway',
      natGateways: 2,
    });
    expect(loadConfig({ natInstanceType: 'c7g.medium' }).natInstanceType).toBe('c7g.medium');
  });

  test('command-line strings are parsed into typed values', () => {
    const config = loadConfig({
      azCount: '3',
      brokersPerAz: '2',
      natProvider: 'gateway',
      natGateways: '2',
      retainData: 'true',
      consumerAuth: 'iam',
      clusterName: 'orders-cluster',
      kafkaVersion: '3.6.0',
      brokerInstanceType: 'kafka.m5.large',
      vpcCidr: '172.16.0.0/20',
    });
    expect(config).toMatchObject({
      azCount: 3,
      brokersPerAz: 2,
      natGateways: 2,
      retainData: true,
      consumerAuth: 'iam',
      clusterName: 'orders-cluster',
      kafkaVersion: '3.6.0',
      brokerInstanceType: 'kafka.m5.large',
      vpcCidr: '172.16.0.0/20',
    });
  });

  test('feature flags and CLI context keys are not reported as typos', () => {
    expect(() =>
      loadConfig({
        '@aws-cdk/aws-ec2:restrictDefaultSecurityGroup': true,
        'aws:cdk:enable-path-metadata': true,
      }),
    ).not.toThrow();
  });
});

describe('validation rejects bad input with setting, value and what is allowed', () => {
  test.each([
    ['profile', { profile: 'staging' }, /profile = "staging": must be one of "dev", "prod"/],
    ['azCount', { azCount: 1 }, /azCount = 1: must be an integer from 2 to 3/],
    ['azCount', { azCount: '4' }, /azCount = 4: must be an integer from 2 to 3/],
    ['azCount', { azCount: 'two' }, /azCount = "two": must be a whole number/],
    ['brokersPerAz', { brokersPerAz: 0 }, /brokersPerAz = 0: must be an integer from 1 to 10/],
    [
      'natGateways',
      { natProvider: 'gateway', natGateways: 3 },
      /natGateways = 3: must be an integer from 1 to 2/,
    ],
    [
      'natGateways',
      { natGateways: 2 },
      /-c natGateways = 2: must be 1 with natProvider "instance" \(one NAT instance for the VPC\); for one NAT per AZ use natProvider "gateway"/,
    ],
    [
      'natProvider',
      { natProvider: 'nat-instance' },
      /natProvider = "nat-instance": must be one of "gateway", "instance"/,
    ],
    [
      'natInstanceType',
      { natInstanceType: 't3.nano' },
      /natInstanceType = "t3.nano": must be a Graviton \(arm64\) EC2 instance type, e.g. "t4g.nano"/,
    ],
    [
      'brokerInstanceType',
      { brokerInstanceType: 'm7g.large' },
      /brokerInstanceType = "m7g.large": must be an MSK broker instance type with the "kafka." prefix/,
    ],
    ['vpcCidr', { vpcCidr: '10.10.0.0' }, /vpcCidr = "10.10.0.0": must be an IPv4 CIDR/],
    ['vpcCidr', { vpcCidr: '300.1.0.0/16' }, /vpcCidr = "300.1.0.0\/16": must be an IPv4 CIDR/],
    [
      'vpcCidr',
      { vpcCidr: '10.10.0.0/25' },
      /vpcCidr = "10.10.0.0\/25": must have a prefix from \/16/,
    ],
    ['vpcCidr', { vpcCidr: '10.0.0.0/8' }, /vpcCidr = "10.0.0.0\/8": must have a prefix from \/16/],
    [
      'vpcCidr',
      { vpcCidr: '10.10.1.0/16' },
      /vpcCidr = "10.10.1.0\/16": must be a network address/,
    ],
    ['clusterName', { clusterName: '1cluster' }, /clusterName = "1cluster": must be 1–64 letters/],
    ['clusterName', { clusterName: 'my_cluster' }, /clusterName = "my_cluster"/],
    ['clusterName', { clusterName: 'a'.repeat(65) }, /clusterName = "a{65}"/],
    ['clusterName', { clusterName: '' }, /clusterName = "": must be 1–64 letters/],
    [
      'consumerAuth',
      { consumerAuth: 'tls' },
      /consumerAuth = "tls": must be one of "scram", "iam"/,
    ],
    [
      'kafkaVersion',
      { kafkaVersion: 'latest' },
      /kafkaVersion = "latest": must be an MSK Kafka version/,
    ],
    [
      'logRetentionDays',
      { logRetentionDays: 10 },
      /logRetentionDays = 10: must be one of 1, 3, 5, 7/,
    ],
    ['retainData', { retainData: 'yes' }, /retainData = "yes": must be true or false/],
    [
      'compliance',
      { compliance: 'nist' },
      /compliance = "nist": must be one of "aws-solutions", "all"/,
    ],
  ])('%s: %j', (setting, context, message) => {
    const result = problemsOf(context);
    expect(result.settings).toEqual([setting]);
    expect(result.message).toMatch(message);
  });

  test('accepts the edges of each range', () => {
    expect(() =>
      loadConfig({
        azCount: 3,
        natProvider: 'gateway',
        natGateways: 3,
        vpcCidr: '10.0.0.0/24',
        clusterName: 'a',
      }),
    ).not.toThrow();
    expect(() => loadConfig({ vpcCidr: '10.0.0.0/16', clusterName: 'A'.repeat(64) })).not.toThrow();
  });

  test('misspelt keys get a "did you mean"', () => {
    expect(problemsOf({ clustername: 'x' }).message).toMatch(
      /clustername = "x": unknown setting; did you mean 'clusterName'\?/,
    );
    expect(problemsOf({ azcount: 2 }).message).toMatch(/did you mean 'azCount'/);
    expect(problemsOf({ vpcCidrr: '10.0.0.0/16' }).message).toMatch(/did you mean 'vpcCidr'/);
  });

  test('no key of ours is silently ignored: an unknown key is an error naming its closest settings', () => {
    for (const [key, value] of [
      ['brokerCount', '3'],
      ['batchSize', '10'],
      ['retention', '30'],
    ]) {
      expect(problemsOf({ [key]: value }).settings).toEqual([key]);
    }
    expect(problemsOf({ batchSize: '10' }).message).toMatch(
      /batchSize = "10": unknown setting \(closest: [^)]+\); every setting is in docs\/configuration\.md#settings/,
    );
    expect(problemsOf({ brokerCount: '3' }).message).toMatch(/closest: [^)]*brokersPerAz/);
  });

  test("CDK's own keys (with ':' or '/') are not ours and still work", () => {
    expect(() =>
      loadConfig({
        '@aws-cdk/core:defaultCrossStackReferences': 'weak',
        'aws:cdk:enable-path-metadata': true,
        'availability-zones:account=111122223333:region=eu-west-1': ['a'],
      }),
    ).not.toThrow();
  });

  test('all problems are reported together, in one error', () => {
    const result = problemsOf({
      profile: 'qa',
      azCount: 7,
      brokerInstanceType: 't3.small',
      vpcCidr: '10.0.0.0/28',
      clusterName: '-bad',
      consumerAuth: 'mtls',
    });
    expect(result.settings.sort()).toEqual(
      ['azCount', 'brokerInstanceType', 'clusterName', 'consumerAuth', 'profile', 'vpcCidr'].sort(),
    );
    expect(result.message).toMatch(/^Invalid msk-secure-stack configuration \(6 problems\):/);
  });

  test('every setting key is documented in the configuration table (docs/configuration.md)', () => {
    const doc = readFileSync(join(__dirname, '..', 'docs', 'configuration.md'), 'utf8');
    const table = doc.slice(doc.indexOf('\n## Settings\n'));
    for (const key of SETTING_KEYS) expect(table).toContain(`| \`${key}\``);
  });
});

describe('cluster settings', () => {
  test('defaults: dev one SCRAM user, prod consumer and producer; one topic "orders"', () => {
    // `producer` may write to the first topic; the consumer's read ACLs come with its mapping.
    expect(loadConfig({}).scramUsers).toEqual(['consumer', 'producer']);
    expect(loadConfig({}).scramUserPermissions).toEqual([
      { name: 'consumer', produce: [], consume: [] },
      { name: 'producer', produce: ['orders'], consume: [] },
    ]);
    expect(loadConfig({ profile: 'prod' }).scramUsers).toEqual(['consumer', 'producer']);
    expect(loadConfig({}).topics).toEqual([{ name: 'orders', partitions: 3 }]);
    expect(loadConfig({ profile: 'prod' })).toMatchObject({
      enhancedMonitoring: 'PER_TOPIC_PER_BROKER',
      prometheusJmxExporter: true,
      prometheusNodeExporter: true,
      storageAutoScalingMaxGiB: 1000,
    });
  });

  test('lists and JSON arrive from the command line as text', () => {
    const config = loadConfig({
      scramUsers: 'app-1,app.2, app_3',
      consumerScramUser: 'app-1',
      topics:
        '[{"name":"a","partitions":1},{"name":"b.c","partitions":12,"replicationFactor":2,"configs":{"retention.ms":"1000"}}]',
      serverProperties: '{"log.retention.hours":"24"}',
    });
    expect(config.scramUsers).toEqual(['app-1', 'app.2', 'app_3']);
    expect(config.topics[1]).toEqual({
      name: 'b.c',
      partitions: 12,
      replicationFactor: 2,
      configs: { 'retention.ms': '1000' },
    });
    expect(config.serverProperties).toEqual({ 'log.retention.hours': '24' });
  });

  test.each([
    [
      'kafkaVersion',
      { kafkaVersion: '3.5.1' },
      /kafkaVersion = "3.5.1": must be an MSK Kafka version 3.6.0 or later/,
    ],
    ['kafkaVersion', { kafkaVersion: '4.0.x' }, /4.x versions end in ".kraft"/],
    ['scramUsers', { scramUsers: [] }, /scramUsers = \[\]: must list 1 to 1000 users/],
    [
      'scramUsers',
      { scramUsers: Array.from({ length: 1001 }, (_, i) => `u${i}`) },
      /must list 1 to 1000 users/,
    ],
    [
      'scramUsers[1]',
      { scramUsers: ['ok', 'not ok'] },
      /scramUsers\[1\] = "not ok": must be 1–128 characters/,
    ],
    ['scramUsers', { scramUsers: 'a,b,a' }, /must not repeat a user \(repeated: a\)/],
    ['ebsVolumeGiB', { ebsVolumeGiB: 0 }, /ebsVolumeGiB = 0: must be an integer from 1 to 16384/],
    ['ebsVolumeGiB', { ebsVolumeGiB: 16385 }, /ebsVolumeGiB = 16385/],
    [
      'storageAutoScalingMaxGiB',
      { storageAutoScalingMaxGiB: 10 },
      /must be 0 \(off\) or a whole number above ebsVolumeGiB \(20\)/,
    ],
    [
      'storageAutoScalingTargetPercent',
      { storageAutoScalingTargetPercent: 90 },
      /must be an integer from 10 to 80/,
    ],
    [
      'enhancedMonitoring',
      { enhancedMonitoring: 'ALL' },
      /enhancedMonitoring = "ALL": must be one of "DEFAULT"/,
    ],
    ['prometheusJmxExporter', { prometheusJmxExporter: 'on' }, /must be true or false/],
    [
      'serverProperties',
      { serverProperties: '{"a": 1}' },
      /serverProperties = .*: must be an object of string values/,
    ],
    [
      'serverProperties.Bad Key',
      { serverProperties: { 'Bad Key': 'x' } },
      /must be a Kafka property name/,
    ],
    ['topics', { topics: '[]' }, /topics = \[\]: must list at least one topic/],
    ['topics', { topics: 'orders' }, /topics = "orders": must be a list of \{ name, partitions/],
    [
      'topics[0].name',
      { topics: [{ name: 'orders!', partitions: 1 }] },
      /topics\[0\].name = "orders!": must be 1–249 characters/,
    ],
    ['topics[0].name', { topics: [{ name: '..', partitions: 1 }] }, /not "." or ".."/],
    [
      'topics[0].name',
      { topics: [{ name: 'x'.repeat(250), partitions: 1 }] },
      /topics\[0\].name = "x{250}"/,
    ],
    [
      'topics[1].name',
      {
        topics: [
          { name: 'a', partitions: 1 },
          { name: 'a', partitions: 1 },
        ],
      },
      /must not repeat another topic/,
    ],
    [
      'topics[0].partitions',
      { topics: [{ name: 'a', partitions: 0 }] },
      /topics\[0\].partitions = 0: must be an integer from 1/,
    ],
    [
      'topics[0].replicationFactor',
      { topics: [{ name: 'a', partitions: 1, replicationFactor: 3 }] },
      /replicationFactor = 3: must be an integer from 1 to 2/,
    ],
    [
      'topics[0].configs',
      { topics: [{ name: 'a', partitions: 1, configs: { 'retention.ms': 5 } }] },
      /must be an object of string values/,
    ],
  ])('%s (case %#)', (setting, context, message) => {
    const result = problemsOf(context);
    expect(result.settings).toEqual([setting]);
    expect(result.message).toMatch(message);
  });

  test('accepted edges: 3.6.0, 4.1.x.kraft, RF equal to the broker count, 1 user', () => {
    expect(() =>
      loadConfig({
        kafkaVersion: '3.6.0',
        scramUsers: ['only'],
        consumerScramUser: 'only',
        topics: [{ name: 'a', partitions: 1, replicationFactor: 2 }],
      }),
    ).not.toThrow();
    expect(() => loadConfig({ kafkaVersion: '4.1.x.kraft' })).not.toThrow();
  });
});

describe('consumer settings', () => {
  test('defaults: first topic, <cluster>-consumer group, dev on-demand, prod provisioned with error handling', () => {
    expect(loadConfig({})).toMatchObject({
      consumerTopic: 'orders',
      consumerGroup: 'msk-secure-dev-consumer',
      consumerScramUser: 'consumer',
      consumerStartingPosition: 'LATEST',
      consumerMinPollers: 0,
      consumerMaxPollers: 0,
      consumerReservedConcurrency: 0,
    });
    expect(loadConfig({}).consumerRetryAttempts).toBeUndefined();
    expect(loadConfig({ profile: 'prod' })).toMatchObject({
      consumerGroup: 'msk-secure-prod-consumer',
      consumerMinPollers: 1,
      consumerMaxPollers: 3,
      consumerRetryAttempts: 3,
      consumerMaxRecordAgeSeconds: 3600,
      consumerBisectBatchOnError: true,
      consumerReportBatchItemFailures: true,
      consumerReservedConcurrency: 10,
    });
  });

  test('provisioned-only settings are refused in on-demand mode, each with the reason', () => {
    const result = problemsOf({
      consumerRetryAttempts: 2,
      consumerReportBatchItemFailures: 'true',
    });
    expect(result.settings).toEqual(['consumerRetryAttempts', 'consumerReportBatchItemFailures']);
    expect(result.message).toMatch(
      /consumerRetryAttempts = 2: needs provisioned mode \(consumerMinPollers\/consumerMaxPollers ≥ 1\): Lambda offers Kafka error-handling controls only for provisioned event pollers/,
    );
  });

  test('provisioned settings work once pollers are on; "none" unsets them', () => {
    expect(
      loadConfig({
        consumerMinPollers: 1,
        consumerMaxPollers: 2,
        consumerBisectBatchOnError: 'true',
      }).consumerBisectBatchOnError,
    ).toBe(true);
    const onDemandProd = loadConfig({
      profile: 'prod',
      consumerMinPollers: 0,
      consumerMaxPollers: 0,
      consumerRetryAttempts: 'none',
      consumerMaxRecordAgeSeconds: 'none',
      consumerBisectBatchOnError: 'none',
      consumerReportBatchItemFailures: 'none',
    });
    expect(onDemandProd.consumerRetryAttempts).toBeUndefined();
  });

  test.each([
    [
      'consumerTopic',
      { consumerTopic: 'payments' },
      /consumerTopic = "payments": must be one of the configured topics \(orders\)/,
    ],
    [
      'consumerGroup',
      { consumerGroup: 'has space' },
      /consumerGroup = "has space": must be 1–200 characters/,
    ],
    [
      'consumerScramUser',
      { consumerScramUser: 'alice' },
      /consumerScramUser = "alice": must be one of scramUsers \(consumer, producer\)/,
    ],
    [
      'consumerStartingPosition',
      { consumerStartingPosition: 'AT_TIMESTAMP' },
      /must be one of "LATEST", "TRIM_HORIZON"/,
    ],
    [
      'consumerBatchSize',
      { consumerBatchSize: 10001 },
      /consumerBatchSize = 10001: must be an integer from 1 to 10000/,
    ],
    ['consumerBatchSize', { consumerBatchSize: 0 }, /from 1 to 10000/],
    ['consumerBatchingWindowSeconds', { consumerBatchingWindowSeconds: 301 }, /from 0 to 300/],
    [
      'consumerTimeoutSeconds',
      { consumerTimeoutSeconds: 900 },
      /consumerTimeoutSeconds = 900: must be an integer from 1 to 840/,
    ],
    ['consumerMemoryMiB', { consumerMemoryMiB: 64 }, /from 128 to 10240/],
    ['consumerReservedConcurrency', { consumerReservedConcurrency: -1 }, /from 0 to 1000/],
    [
      'consumerLogLevel',
      { consumerLogLevel: 'TRACE' },
      /must be one of "DEBUG", "INFO", "WARN", "ERROR"/,
    ],
    [
      'consumerMaxPollers',
      { consumerMinPollers: 5, consumerMaxPollers: 2 },
      /consumerMaxPollers = 2: must be an integer from 5 to 2000/,
    ],
    [
      'consumerMinPollers',
      { consumerMinPollers: 201, consumerMaxPollers: 300 },
      /consumerMinPollers = 201: must be an integer from 1 to 200/,
    ],
    [
      'consumerRetryAttempts',
      { profile: 'prod', consumerRetryAttempts: -1 },
      /consumerRetryAttempts = -1: must be an integer from 0 to 10000/,
    ],
    [
      'consumerMaxRecordAgeSeconds',
      { profile: 'prod', consumerMaxRecordAgeSeconds: 30 },
      /from 60 to 604800/,
    ],
    [
      'consumerRetryAttempts',
      { consumerRetryAttempts: 'many' },
      /consumerRetryAttempts = "many": must be a whole number, or "none"/,
    ],
  ])('%s: %j', (setting, context, message) => {
    const result = problemsOf(context);
    expect(result.settings).toEqual([setting]);
    expect(result.message).toMatch(message);
  });

  test('the SCRAM user is not checked when the consumer uses IAM', () => {
    expect(() => loadConfig({ consumerAuth: 'iam', consumerScramUser: 'nobody' })).not.toThrow();
  });
});

describe('scramRotationDays', () => {
  test('0 (off) by default; 1–1000 days otherwise', () => {
    expect(loadConfig({}).scramRotationDays).toBe(0);
    expect(loadConfig({ scramRotationDays: '90' }).scramRotationDays).toBe(90);
    expect(problemsOf({ scramRotationDays: 1001 }).message).toMatch(
      /scramRotationDays = 1001: must be an integer from 1 to 1000/,
    );
  });
});

describe('consumers (a list)', () => {
  const two = JSON.stringify([
    { name: 'orders', topic: 'orders' },
    { name: 'audit', topic: 'orders', group: 'audit', auth: 'iam', batchSize: 500 },
  ]);

  test('without the setting: one consumer, `consumer`, exactly as the consumer* settings say', () => {
    expect(loadConfig({ profile: 'prod' }).consumers).toEqual([
      {
        name: 'consumer',
        topic: 'orders',
        group: 'msk-secure-prod-consumer',
        auth: 'scram',
        scramUser: 'consumer',
        entry: 'consumer/index.ts',
        startingPosition: 'LATEST',
        batchSize: 100,
        batchingWindowSeconds: 1,
        reservedConcurrency: 10,
        timeoutSeconds: 60,
        memoryMiB: 512,
        logLevel: 'INFO',
        minPollers: 1,
        maxPollers: 3,
        retryAttempts: 3,
        maxRecordAgeSeconds: 3600,
        bisectBatchOnError: true,
        reportBatchItemFailures: true,
        // No consumer* setting chooses a destination: the single consumer keeps its SQS queue.
        onFailure: 'sqs',
      },
    ]);
  });

  test('entries override the consumer* defaults; groups default to <cluster>-<name>', () => {
    const [orders, audit] = loadConfig({ consumers: two, consumerBatchSize: '250' }).consumers;
    expect(orders).toMatchObject({
      name: 'orders',
      group: 'msk-secure-dev-orders',
      auth: 'scram',
      batchSize: 250,
    });
    expect(audit).toMatchObject({ name: 'audit', group: 'audit', auth: 'iam', batchSize: 500 });
  });

  test('every problem is reported with its path: duplicates, unknown topic, unknown SCRAM user, on-demand controls, unknown fields', () => {
    const result = problemsOf({
      consumers: JSON.stringify([
        { name: 'orders', topic: 'orders' },
        { name: 'orders', topic: 'payments' },
        { name: 'billing', topic: 'orders', scramUser: 'nobody' },
        { name: 'late', topic: 'orders', retryAttempts: 3 },
        { name: 'typo', topic: 'orders', batchsize: 5 },
        { name: 'Bad_Name', topic: 'orders', batchSize: '5' },
      ]),
    });
    expect(result.settings).toEqual([
      'consumers[4].batchsize',
      'consumers[5].batchSize',
      'consumers[1].name',
      'consumers[1].topic',
      'consumers[2].scramUser',
      'consumers[3].retryAttempts',
    ]);
    expect(result.message).toContain(
      'consumers[1].topic = "payments": must be one of the configured topics (orders)',
    );
    expect(result.message).toContain(
      'consumers[2].scramUser = "nobody": must be one of scramUsers (consumer, producer) when auth is "scram"',
    );
    expect(result.message).toContain(
      // minPollers/maxPollers are inherited (the entry does not set them): named by their setting
      'consumers[3].retryAttempts = 3: needs provisioned mode (consumerMinPollers/consumerMaxPollers ≥ 1)',
    );
    expect(result.message).toMatch(
      /consumers\[4\]\.batchsize = 5: unknown field; allowed: name, topic, group, entry, auth/,
    );
  });

  test('a handler entry must exist under lambda/', () => {
    expect(
      problemsOf({
        consumers: JSON.stringify([{ name: 'x', topic: 'orders', entry: 'consumers/x/nope.ts' }]),
      }).message,
    ).toContain('consumers[0].entry = "consumers/x/nope.ts": must be a handler file under lambda/');
  });

  test('not JSON, or not a list of objects, is refused', () => {
    expect(problemsOf({ consumers: '[{' }).settings).toEqual(['consumers']);
    expect(problemsOf({ consumers: '[]' }).settings).toEqual(['consumers']);
    expect(problemsOf({ consumers: '["orders"]' }).settings).toEqual(['consumers[0]']);
  });
});

describe('scramUsers with permissions (Kafka ACLs)', () => {
  test('names and permission objects together; a trailing * is a prefix', () => {
    const config = loadConfig({
      scramUsers: JSON.stringify([
        'consumer',
        {
          name: 'billing',
          produce: ['orders'],
          consume: [{ topic: 'orders', group: 'billing-*' }],
        },
      ]),
    });
    expect(config.scramUsers).toEqual(['consumer', 'billing']);
    expect(config.scramUserPermissions[1]).toEqual({
      name: 'billing',
      produce: ['orders'],
      consume: [{ topic: 'orders', group: 'billing-*' }],
    });
  });

  test('bad permission specs are refused, all problems at once, each with its path', () => {
    const result = problemsOf({
      scramUsers: JSON.stringify([
        'consumer',
        {
          name: 'billing',
          produce: ['payments'],
          consume: [{ topic: 'orders', group: 'bad group' }],
        },
        { name: 'billing' },
      ]),
    });
    expect(result.settings).toEqual(
      expect.arrayContaining(['scramUsers[1].produce[0]', 'scramUsers[1].consume[0].group']),
    );
    expect(result.message).toMatch(/scramUsers\[1\]\.produce\[0\] = "payments"/);
    expect(result.message).toMatch(/billing/);
    expect(result.settings.length).toBeGreaterThanOrEqual(3);
  });
});
