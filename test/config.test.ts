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
  test('dev is the default: 2 AZs, 1 NAT, kafka.t3.small, 1 broker per AZ', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      profile: 'dev',
      azCount: 2,
      natGateways: 1,
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

  test('command-line strings are parsed into typed values', () => {
    const config = loadConfig({
      azCount: '3',
      brokersPerAz: '2',
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
    ['natGateways', { natGateways: 3 }, /natGateways = 3: must be an integer from 1 to 2/],
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
    [
      'clusterName',
      { clusterName: '1cluster' },
      /clusterName = "1cluster": must be 1–64 characters/,
    ],
    ['clusterName', { clusterName: 'my_cluster' }, /clusterName = "my_cluster"/],
    ['clusterName', { clusterName: 'a'.repeat(65) }, /clusterName = "a{65}"/],
    ['clusterName', { clusterName: '' }, /clusterName = "": must be 1–64 characters/],
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
      loadConfig({ azCount: 3, natGateways: 3, vpcCidr: '10.0.0.0/24', clusterName: 'a' }),
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

  test('unrelated context keys are left alone', () => {
    expect(() => loadConfig({ somethingElseEntirely: 1 })).not.toThrow();
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

  test('every setting key is documented in the README configuration table', () => {
    const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
    for (const key of SETTING_KEYS) expect(readme).toContain(`| \`${key}\``);
  });
});
