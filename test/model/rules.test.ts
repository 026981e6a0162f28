/**
 * One rule, one place (issue 23): a value one layer accepts is not refused by another.
 *
 * Each rule's edge values (shortest, longest, one too long, every character class, `.kraft`
 * versions, Express brokers, …) go through every layer that checks them, through the real code
 * paths: the configuration (`loadConfig`), the constructs (built on a stack), the alarms and the
 * dashboard, the SCRAM-user permissions (`lib/acls`), the ACL custom resource's own check
 * (`bindingProblems`) and `npm run new-consumer`. Layers that share a rule must agree on every
 * value; a layer that is deliberately narrower (the configuration's Kafka ≥ 3.6.0, Standard
 * brokers only) must never accept what a wider layer refuses.
 *
 * A layer counts a value as refused only when it names the setting or prop; any other error fails
 * the test, so a broken fixture cannot pass for a refusal.
 */
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { parseScramUser } from '../../lib/acls/spec';
import { ConfigError, loadConfig } from '../../lib/config';
import {
  bindingProblems,
  FailureQueueEndpoint,
  MskConsumer,
  MskConsumerProps,
  PlatformAlarms,
  PlatformDashboard,
  ScramUsers,
  SecureMskCluster,
  SecureMskClusterProps,
} from '../../secure-msk-constructs';
import { newConsumer } from '../../tools/new-consumer';
import { acl } from '../fixtures/acl-binding';
import { ownNetwork } from '../helpers/own-network';

// ---------------------------------------------------------------------------------------------
// Layers

/** True unless `run` throws an error naming `prop`; any other error is a broken test. */
function acceptedBy(prop: string | RegExp, run: () => unknown): boolean {
  try {
    run();
    return true;
  } catch (error) {
    const names = (m: string) => (typeof prop === 'string' ? m.includes(prop) : prop.test(m));
    if (error instanceof Error && names(error.message)) return false;
    throw error;
  }
}

/** True unless `loadConfig(context)` reports a problem for one of `settings`. */
function configAccepts(context: Record<string, unknown>, ...settings: string[]): boolean {
  try {
    loadConfig(context);
    return true;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return !error.problems.some((p) => settings.includes(p.setting));
  }
}

const { stack, vpc, key, logSettings, brokers, clients } = ownNetwork('Rules', '/rules/');
const fn = lambda.Function.fromFunctionName(stack, 'Fn', 'consumer');
let ids = 0;
const id = () => `Case${++ids}`;

const clusterProps = (overrides: Partial<SecureMskClusterProps>): SecureMskClusterProps => ({
  clusterName: 'rules',
  kafkaVersion: '3.8.x',
  instanceType: 'kafka.t3.small',
  numberOfBrokerNodes: 2,
  vpc,
  vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
  securityGroup: brokers,
  encryptionKey: key,
  logs: logSettings,
  ebsVolumeGiB: 10,
  ...overrides,
});
const cluster = new SecureMskCluster(stack, 'Msk', clusterProps({}));
const endpoint = new FailureQueueEndpoint(stack, 'Endpoint', {
  vpc,
  vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
});

const clusterAccepts = (prop: keyof SecureMskClusterProps, value: string) =>
  acceptedBy(prop, () => new SecureMskCluster(stack, id(), clusterProps({ [prop]: value })));

const alarmsAccept = (prop: string, overrides: object) =>
  acceptedBy(
    prop,
    () =>
      new PlatformAlarms(stack, id(), {
        clusterName: 'rules',
        brokerCount: 2,
        instanceType: 'kafka.m7g.large',
        kafkaVersion: '3.8.x',
        encryptionKey: key,
        ...overrides,
      }),
  );

const consumerAccepts = (prop: keyof MskConsumerProps, overrides: Partial<MskConsumerProps>) =>
  acceptedBy(
    prop,
    () =>
      new MskConsumer(stack, id(), {
        name: 'orders',
        cluster,
        authentication: { mode: 'iam' },
        topic: 'orders',
        consumerGroup: 'orders-app',
        encryptionKey: key,
        logs: logSettings,
        vpc,
        vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
        functionSecurityGroup: clients,
        failureQueueEndpoint: endpoint,
        ...overrides,
      }),
  );

/** parseScramUser's verdict on one user, its problems at `path`. */
function permissionsAccept(user: unknown, path: string): boolean {
  const problems: string[] = [];
  parseScramUser(user, 'scramUsers[0]', { add: (setting) => problems.push(setting) });
  return !problems.includes(path);
}

const consumersSetting = (...entries: object[]) => ({ consumers: JSON.stringify(entries) });
const topicsSetting = (...names: string[]) => ({
  topics: JSON.stringify(names.map((name) => ({ name, partitions: 1 }))),
});
const provisioned = { minPollers: 1, maxPollers: 2 };

// ---------------------------------------------------------------------------------------------
// Checks

type Verdicts = Record<string, (value: string) => boolean>;

/**
 * Every layer in `same` gives each value the same verdict; a value any `narrower` layer accepts
 * is accepted by every `same` layer. Reports the disagreements, value by value.
 */
function expectAgreement(values: readonly string[], same: Verdicts, narrower: Verdicts = {}): void {
  const disagreements: string[] = [];
  for (const value of values) {
    const shown = value.length > 30 ? `${value.slice(0, 12)}…(${value.length})` : value;
    const verdicts = Object.entries(same).map(([layer, accepts]) => [layer, accepts(value)]);
    const accepted = verdicts.filter(([, ok]) => ok).map(([layer]) => layer);
    if (accepted.length !== 0 && accepted.length !== verdicts.length) {
      disagreements.push(`${JSON.stringify(shown)}: accepted by ${accepted.join(', ')} only`);
    }
    for (const [layer, accepts] of Object.entries(narrower)) {
      const refusedBy = verdicts.filter(([, ok]) => !ok).map(([name]) => name);
      if (accepts(value) && refusedBy.length > 0) {
        disagreements.push(
          `${JSON.stringify(shown)}: accepted by ${layer}, refused by ${refusedBy.join(', ')}`,
        );
      }
    }
  }
  expect(disagreements).toEqual([]);
}

/** The values each layer accepts must include these, and refuse those: the edges are real. */
function expectEdges(accepts: (value: string) => boolean, good: string[], bad: string[]): void {
  expect(good.filter((v) => !accepts(v))).toEqual([]);
  expect(bad.filter((v) => accepts(v))).toEqual([]);
}

describe('cluster name: config, SecureMskCluster, alarms and dashboard agree', () => {
  const good = ['a', 'Z', `a${'-'.repeat(62)}z`, 'a'.repeat(64), 'aB9-', 'msk-dev'];
  const bad = ['', 'a'.repeat(65), '1abc', '-abc', 'ab_c', 'ab.c', 'ab c', 'ab!'];
  const layers: Verdicts = {
    config: (v) => configAccepts({ clusterName: v }, 'clusterName'),
    SecureMskCluster: (v) => clusterAccepts('clusterName', v),
    PlatformAlarms: (v) => alarmsAccept('clusterName', { clusterName: v }),
    // The dashboard is named after the cluster unless told otherwise.
    PlatformDashboard: (v) =>
      acceptedBy(
        /clusterName|dashboardName/,
        () => new PlatformDashboard(stack, id(), { clusterName: v, brokerCount: 2 }),
      ),
  };

  test('on every edge value', () => expectAgreement([...good, ...bad], layers));
  test('the edges are where the rule says', () => expectEdges(layers.config, good, bad));
});

describe('Kafka version: what the config accepts, the constructs and alarms accept', () => {
  const good = [
    '3.6.0',
    '3.7.x',
    '3.7.x.kraft',
    '3.8.x',
    '3.9.x',
    '3.9.x.kraft',
    '4.0.x.kraft',
    '4.1.x.kraft',
    '4.2.x.kraft',
    '10.12.10.kraft',
  ];
  // MSK versions without the topic API: only the configuration refuses them. 2.8.1 has a
  // minor version above 6, so only its major version keeps it out.
  const olderThanTopics = ['2.8.1', '3.4.0', '3.5.1'];
  const bad = [
    '4.1.x',
    '2.8.2.tiered',
    '3.9.x.zk',
    '3.9.x.KRAFT',
    'latest',
    'v3.8.x',
    '3.8',
    '3.8.x!',
    '',
  ];
  const constructs: Verdicts = {
    SecureMskCluster: (v) => clusterAccepts('kafkaVersion', v),
    PlatformAlarms: (v) => alarmsAccept('kafkaVersion', { kafkaVersion: v }),
  };
  const config = (v: string) => configAccepts({ kafkaVersion: v }, 'kafkaVersion');

  test('on every edge value', () =>
    expectAgreement([...good, ...olderThanTopics, ...bad], constructs, { config }));
  test('the edges are where the rules say', () => {
    expectEdges(config, good, [...olderThanTopics, ...bad]);
    expectEdges(constructs.SecureMskCluster, [...good, ...olderThanTopics], bad);
  });
});

describe('broker instance type: config and SecureMskCluster agree; the alarms take both', () => {
  const good = ['kafka.t3.small', 'kafka.m5.large', 'kafka.m7g.24xlarge', 'kafka.r8g.xlarge'];
  const express = ['express.m7g.large'];
  const bad = [
    't3.small',
    'my.kafka.m7g.large',
    'kafka.m7g.large!',
    'KAFKA.m5.large',
    'kafka.m7g',
    '',
  ];
  const standard: Verdicts = {
    config: (v) => configAccepts({ brokerInstanceType: v }, 'brokerInstanceType'),
    SecureMskCluster: (v) => clusterAccepts('instanceType', v),
  };
  // The alarms know Express brokers too, and refuse them for the metrics they do not publish.
  const alarms = (v: string) => alarmsAccept('instanceType', { instanceType: v });

  test('on every edge value', () => expectAgreement([...good, ...express, ...bad], standard));
  test('every Standard type the config accepts, the alarms accept', () =>
    expectAgreement([...good, ...express, ...bad], { alarms }, standard));
  test('the edges are where the rule says', () =>
    expectEdges(standard.config, good, [...express, ...bad]));
});

describe('alarm e-mail: config and PlatformAlarms agree', () => {
  const good = ['ops@example.com', 'a@b.c', `${'a'.repeat(242)}@example.com`];
  const bad = [
    `${'a'.repeat(243)}@example.com`,
    'ops@example',
    'to ops@example.com',
    'ops@example.com today',
    'a@@b.c',
    '',
  ];
  const layers: Verdicts = {
    config: (v) => configAccepts({ alarmEmail: v }, 'alarmEmail'),
    PlatformAlarms: (v) => alarmsAccept('alarmEmail', { alarmEmail: v }),
  };
  test('on every edge value', () => expectAgreement([...good, ...bad], layers));
  test('the edges are where the rule says', () => expectEdges(layers.config, good, bad));
});

describe('consumer name: config, MskConsumer and new-consumer agree; the alarms take them all', () => {
  const good = ['a', 'orders', 'orders-audit-2', `a${'b'.repeat(39)}`, 'a-'];
  const bad = [
    `a${'b'.repeat(40)}`,
    'Orders',
    'oRders',
    '1orders',
    '-orders',
    'orders_x',
    'orders!',
    '',
  ];
  const missingRoot = join(tmpdir(), `rules-test-no-root-${process.pid}`);
  const layers: Verdicts = {
    config: (v) =>
      configAccepts(consumersSetting({ name: v, topic: 'orders' }), 'consumers[0].name'),
    MskConsumer: (v) => consumerAccepts('name', { name: v }),
    // A valid name gets past the check and then fails to copy from a root that does not exist.
    'new-consumer': (v) => {
      try {
        newConsumer(v, missingRoot);
      } catch (error) {
        return !(error as Error).message.includes('name =');
      }
      throw new Error(`new-consumer copied into ${missingRoot}`);
    },
  };
  const alarms = (v: string) =>
    alarmsAccept('consumers[0].name', { consumers: [{ name: v, function: fn }] });

  test('on every edge value', () => expectAgreement([...good, ...bad], layers));
  test('every name the config accepts is a consumer name for the alarms', () =>
    expectAgreement([...good, ...bad, 'A-64'.padEnd(64, 'x')], { alarms }, layers));
  test('the edges are where the rule says', () => expectEdges(layers.config, good, bad));
  test("the alarms' own edges: 1–64 letters, digits and hyphens", () =>
    expectEdges(
      alarms,
      ['A-64'.padEnd(64, 'x'), 'Orders', '9-x', '-'],
      ['x'.repeat(65), 'orders_x', 'x_orders', 'or ders', ''],
    ));
});

describe('dashboard name: PlatformDashboard takes CloudWatch dashboard names', () => {
  const dashboard = (v: string) =>
    acceptedBy(
      'dashboardName',
      () =>
        new PlatformDashboard(stack, id(), {
          clusterName: 'rules',
          brokerCount: 2,
          dashboardName: v,
        }),
    );
  test('the edges are where the rule says', () =>
    expectEdges(
      dashboard,
      ['a', 'A_b-9', '_', 'x'.repeat(255)],
      ['', 'x'.repeat(256), 'a b', 'a.b', '!ab', 'ab!'],
    ));
});

describe('topic name: config, MskConsumer, IAM grants and SCRAM permissions agree', () => {
  const good = ['a', 'orders', 'x'.repeat(249), '...', '.a', 'a.b_c-D9'];
  const bad = ['x'.repeat(250), '.', '..', 'a b', 'a/b', 'a*b', 'ä', ''];
  const layers: Verdicts = {
    config: (v) => configAccepts({ ...topicsSetting(v), consumers: '[]' }, 'topics[0].name'),
    MskConsumer: (v) => consumerAccepts('topic', { topic: v }),
    KafkaAccess: (v) => acceptedBy('topic', () => cluster.access.topicArn(v)),
    scramUsers: (v) => permissionsAccept({ name: 'u', produce: [v] }, 'scramUsers[0].produce[0]'),
  };
  // The ACL custom resource's own check is the loose outer bound of every Kafka name.
  const aclResource = (v: string) =>
    bindingProblems(acl('User:u', 'TOPIC', v, 'WRITE')).length === 0;

  test('on every edge value', () => expectAgreement([...good, ...bad], layers));
  test('every topic the config accepts, the ACL custom resource accepts', () =>
    expectAgreement([...good, ...bad], { aclResource }, layers));
  test('the edges are where the rule says', () => expectEdges(layers.config, good, bad));
});

describe('topic prefix: SCRAM permissions and IAM grants agree', () => {
  // A prefix is good when some topic name starts with it: "." is no topic, ".a" is one.
  const good = ['orders.', '.', 'a', 'x'.repeat(249)];
  const bad = ['x'.repeat(250), 'a b', 'a/', 'ä'];
  const layers: Verdicts = {
    scramUsers: (v) =>
      permissionsAccept({ name: 'u', produce: [`${v}*`] }, 'scramUsers[0].produce[0]'),
    KafkaAccess: (v) => acceptedBy('topic', () => cluster.access.topicArn({ prefix: v })),
  };
  test('on every edge value', () => expectAgreement([...good, ...bad], layers));
  test('the edges are where the rule says', () => expectEdges(layers.scramUsers, good, bad));
});

describe('dead-letter topic: config and MskConsumer agree', () => {
  const good = ['abcd', 'orders.dlt', '_abc', '-abc', 'a'.repeat(249)];
  const bad = ['.abcd', 'abc', 'a'.repeat(250), 'ab c', 'ab*c'];
  const layers: Verdicts = {
    config: (v) =>
      configAccepts(
        {
          ...topicsSetting('orders', v),
          ...consumersSetting({
            name: 'c',
            topic: 'orders',
            ...provisioned,
            onFailure: { kafka: v },
          }),
        },
        'consumers[0].onFailure',
        'topics[1].name',
      ),
    MskConsumer: (v) =>
      consumerAccepts('deadLetterTopic', {
        deadLetterTopic: v,
        provisionedPollers: { minimum: 1, maximum: 2 },
      }),
  };
  test('on every edge value', () => expectAgreement([...good, ...bad], layers));
  test('the edges are where the rule says', () => expectEdges(layers.config, good, bad));
});

describe('consumer group: config, MskConsumer, IAM grants and SCRAM permissions agree', () => {
  const good = ['a', 'orders-app', 'team/billing:v1+x=y@z.q_r', 'g'.repeat(200)];
  const bad = ['g'.repeat(201), 'bill*ing', 'billing team', 'a#b', ''];
  const layers: Verdicts = {
    config: (v) =>
      configAccepts(
        consumersSetting({ name: 'c', topic: 'orders', group: v }),
        'consumers[0].group',
      ),
    MskConsumer: (v) => consumerAccepts('consumerGroup', { consumerGroup: v }),
    KafkaAccess: (v) => acceptedBy('group', () => cluster.access.groupArn(v)),
    scramUsers: (v) =>
      permissionsAccept(
        { name: 'u', consume: [{ topic: 'orders', group: v }] },
        'scramUsers[0].consume[0].group',
      ),
  };
  const aclResource = (v: string) =>
    bindingProblems(acl('User:u', 'GROUP', v, 'READ')).length === 0;

  test('on every edge value', () => expectAgreement([...good, ...bad], layers));
  test('every group the config accepts, the ACL custom resource accepts', () =>
    expectAgreement([...good, ...bad], { aclResource }, layers));
  test('the edges are where the rule says', () => expectEdges(layers.config, good, bad));
});

describe('SCRAM user name: config, ScramUsers, permissions and the ACL custom resource agree', () => {
  const good = ['a', 'billing', 'svc.billing_v2-eu', 'x'.repeat(128)];
  const bad = ['x'.repeat(129), 'bad name', 'a/b', '*', 'User:x', 'ä', ''];
  const layers: Verdicts = {
    config: (v) => configAccepts({ scramUsers: JSON.stringify(['consumer', v]) }, 'scramUsers[1]'),
    ScramUsers: (v) =>
      acceptedBy(
        'users[1]',
        () =>
          new ScramUsers(stack, id(), {
            clusterName: 'rules',
            users: ['consumer', v],
            encryptionKey: key,
          }),
      ),
    scramUsers: (v) => permissionsAccept(v, 'scramUsers[0]'),
    aclResource: (v) => bindingProblems(acl(`User:${v}`, 'TOPIC', 'orders', 'WRITE')).length === 0,
  };
  test('on every edge value', () => expectAgreement([...good, ...bad], layers));
  test('the edges are where the rule says', () => expectEdges(layers.config, good, bad));
});
