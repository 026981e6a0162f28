/**
 * Construct-level tests: each construct on a bare Stack, with only what it takes (interfaces and
 * its own props), and every validation error it throws.
 */
import { CfnParameter, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { MskConsumer, MskConsumerProps } from '../../secure-msk-constructs/constructs/msk-consumer';
import { ScramSecretAssociation } from '../../secure-msk-constructs/constructs/scram-secret-association';
import { ScramUsers, userStackOf } from '../../secure-msk-constructs/constructs/scram-users';
import { SecureNetwork } from '../../secure-msk-constructs/constructs/secure-network';
import {
  SecureMskCluster,
  SecureMskClusterProps,
} from '../../secure-msk-constructs/constructs/secure-msk-cluster';
import { Duration } from 'aws-cdk-lib';
import { regionalArn } from '../helpers/cfn';
import { noBundlingApp } from '../helpers/no-bundling';
import { ownNetwork } from '../helpers/own-network';

/** A forker's own VPC and key (a plain kms.Key, not this repository's PlatformKey). */
const bare = () => ownNetwork('Bare', '/mine/');

/**
 * One stack for the cases that only throw or only construct (nothing is synthesized from it):
 * a VPC per case is most of this file's time. Each case gets its own construct id.
 */
const shared = bare();
let constructs = 0;
const nextId = () => `Case${++constructs}`;

function clusterProps(
  b: ReturnType<typeof bare>,
  overrides: Partial<SecureMskClusterProps> = {},
): SecureMskClusterProps {
  return {
    clusterName: 'mine',
    kafkaVersion: '3.8.x',
    instanceType: 'kafka.t3.small',
    numberOfBrokerNodes: 2,
    vpc: b.vpc,
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    securityGroup: b.brokers,
    encryptionKey: b.key,
    logs: b.logSettings,
    ebsVolumeGiB: 10,
    ...overrides,
  };
}

describe('SecureMskCluster', () => {
  test('on a plain kms.Key and a VPC of your own; Kafka 4.x in KRaft mode', () => {
    const b = bare();
    new SecureMskCluster(b.stack, 'Msk', clusterProps(b, { kafkaVersion: '4.1.x.kraft' }));
    const template = Template.fromStack(b.stack);
    const keyArn = { 'Fn::GetAtt': [expect.stringMatching(/^Key/), 'Arn'] };
    const [cluster] = Object.values(template.findResources('AWS::MSK::Cluster'));
    expect(cluster.Properties).toMatchObject({
      ClusterName: 'mine',
      KafkaVersion: '4.1.x.kraft',
      EncryptionInfo: {
        EncryptionAtRest: { DataVolumeKMSKeyId: keyArn },
        EncryptionInTransit: { ClientBroker: 'TLS', InCluster: true },
      },
    });
    const [logGroup] = Object.values(template.findResources('AWS::Logs::LogGroup'));
    expect(logGroup.Properties).toEqual({
      LogGroupName: '/mine/msk-broker-logs',
      RetentionInDays: 365,
      KmsKeyId: keyArn,
    });
  });

  test('defaults: DEFAULT monitoring, both exporters off, its configuration described', () => {
    const b = bare();
    new SecureMskCluster(b.stack, 'Msk', clusterProps(b));
    const template = Template.fromStack(b.stack);
    const [cluster] = Object.values(template.findResources('AWS::MSK::Cluster'));
    expect(cluster.Properties.EnhancedMonitoring).toBe('DEFAULT');
    expect(cluster.Properties.OpenMonitoring).toEqual({
      Prometheus: {
        JmxExporter: { EnabledInBroker: false },
        NodeExporter: { EnabledInBroker: false },
      },
    });
    const [configuration] = Object.values(template.findResources('AWS::MSK::Configuration'));
    expect(configuration.Properties.Description).toBe(
      'Server properties of mine (managed by msk-secure-stack)',
    );
  });

  test('connections: the brokers group, SCRAM port by default', () => {
    const b = bare();
    const cluster = new SecureMskCluster(b.stack, 'Msk', clusterProps(b));
    expect(cluster.connections.securityGroups).toEqual([b.brokers]);
    expect(cluster.connections.defaultPort?.toString()).toBe('9096');
  });

  test.each([
    [{ clusterName: '9lives' }, 'clusterName = "9lives": must be 1–64 letters'],
    [{ kafkaVersion: 'latest' }, 'kafkaVersion = "latest": must be an MSK Kafka version'],
    [
      { instanceType: 't3.small' },
      'instanceType = "t3.small": must be an MSK broker instance type with the "kafka." prefix',
    ],
    [{ clusterName: 'mine!' }, 'clusterName = "mine!": must be 1–64 letters'],
    [{ clusterName: 'a'.repeat(65) }, `clusterName = "${'a'.repeat(65)}": must be 1–64 letters`],
    [{ kafkaVersion: 'v3.8.x' }, 'kafkaVersion = "v3.8.x": must be an MSK Kafka version'],
    [{ kafkaVersion: '3.8.x-rc1' }, 'kafkaVersion = "3.8.x-rc1": must be an MSK Kafka version'],
    [{ kafkaVersion: '3.8.latest' }, 'kafkaVersion = "3.8.latest": must be an MSK Kafka version'],
    [
      { instanceType: 'my.kafka.m7g.large' },
      'instanceType = "my.kafka.m7g.large": must be an MSK broker instance type with the "kafka." prefix',
    ],
    [
      { instanceType: 'kafka.m7g.large!' },
      'instanceType = "kafka.m7g.large!": must be an MSK broker instance type with the "kafka." prefix',
    ],
    [{ ebsVolumeGiB: 0 }, 'ebsVolumeGiB = 0: must be an integer from 1 to 16384'],
    [{ ebsVolumeGiB: 16385 }, 'ebsVolumeGiB = 16385: must be an integer from 1 to 16384'],
    [
      { storageAutoScaling: { maxGiB: 10, targetPercent: 60 } },
      'storageAutoScaling.maxGiB = 10: must be an integer above ebsVolumeGiB (10)',
    ],
    [
      { storageAutoScaling: { maxGiB: 16385, targetPercent: 60 } },
      'storageAutoScaling.maxGiB = 16385: must be an integer above ebsVolumeGiB (10) and at most 16384',
    ],
    [
      { storageAutoScaling: { maxGiB: 100, targetPercent: 9 } },
      'storageAutoScaling.targetPercent = 9: must be an integer from 10 to 80',
    ],
    [
      { storageAutoScaling: { maxGiB: 100, targetPercent: 81 } },
      'storageAutoScaling.targetPercent = 81: must be an integer from 10 to 80',
    ],
    [
      { storageAutoScaling: { maxGiB: 100, targetPercent: 55.5 } },
      'storageAutoScaling.targetPercent = 55.5: must be an integer from 10 to 80',
    ],
    [
      { numberOfBrokerNodes: 3 },
      'numberOfBrokerNodes = 3: must be a non-zero multiple of the number of subnets (2)',
    ],
    [
      { storageAutoScaling: { maxGiB: 5, targetPercent: 60 } },
      'storageAutoScaling.maxGiB = 5: must be an integer above ebsVolumeGiB (10)',
    ],
    [
      { storageAutoScaling: { maxGiB: 100, targetPercent: 90 } },
      'storageAutoScaling.targetPercent = 90: must be an integer from 10 to 80',
    ],
  ])('refuses %j, naming the prop and the value', (overrides, message) => {
    expect(
      () => new SecureMskCluster(shared.stack, nextId(), clusterProps(shared, overrides)),
    ).toThrow(message);
  });

  test.each<[string, Partial<SecureMskClusterProps>]>([
    ['a one-letter name', { clusterName: 'a' }],
    ['a 64-character name', { clusterName: `a${'-'.repeat(62)}z` }],
    ['any number of digits in a version', { kafkaVersion: '10.12.10.kraft' }],
    ['a KRaft version', { kafkaVersion: '3.9.x.kraft' }],
    ['another broker type', { instanceType: 'kafka.m7g.24xlarge' }],
    ['the smallest volume', { ebsVolumeGiB: 1 }],
    ['the largest volume', { ebsVolumeGiB: 16384 }],
  ])('accepts %s', (_, overrides) => {
    expect(
      () => new SecureMskCluster(shared.stack, nextId(), clusterProps(shared, overrides)),
    ).not.toThrow();
  });

  test.each([
    [16384, 10],
    [11, 80],
  ])(
    'storage auto scaling up to %d GiB at %d %% (the bounds) targets the cluster',
    (maxGiB, targetPercent) => {
      const b = bare();
      new SecureMskCluster(
        b.stack,
        'Msk',
        clusterProps(b, { storageAutoScaling: { maxGiB, targetPercent } }),
      );
      const template = Template.fromStack(b.stack);
      const [target] = Object.values(
        template.findResources('AWS::ApplicationAutoScaling::ScalableTarget'),
      );
      expect(target.Properties).toMatchObject({ MaxCapacity: maxGiB, MinCapacity: 1 });
      const [policy] = Object.values(
        template.findResources('AWS::ApplicationAutoScaling::ScalingPolicy'),
      );
      expect(policy.Properties.TargetTrackingScalingPolicyConfiguration.TargetValue).toBe(
        targetPercent,
      );
    },
  );
});

describe('SecureMskCluster.fromClusterArn (an existing cluster)', () => {
  const arn =
    'arn:aws:kafka:eu-west-1:111122223333:cluster/orders/1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d-2';

  test('name and UUID from the ARN: grants on its exact topic and group ARNs', () => {
    const b = bare();
    const cluster = SecureMskCluster.fromClusterArn(b.stack, 'Existing', {
      clusterArn: arn,
      securityGroups: [b.brokers],
    });
    expect(cluster.clusterName).toBe('orders');
    const role = new iam.Role(b.stack, 'App', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
    });
    cluster.access.grantConsume(role, 'orders', 'billing');
    const [policy] = Object.values(Template.fromStack(b.stack).findResources('AWS::IAM::Policy'));
    const uuid = '1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d-2';
    expect(
      policy.Properties.PolicyDocument.Statement.map((s: { Resource: unknown }) => s.Resource),
    ).toEqual([
      arn,
      regionalArn('kafka', `:topic/orders/${uuid}/orders`),
      regionalArn('kafka', `:group/orders/${uuid}/billing`),
    ]);
    expect(cluster.connections.securityGroups).toEqual([b.brokers]);
  });

  test('an ARN known only at deploy time: name and UUID are split from it in the template', () => {
    const b = bare();
    const clusterArn = new CfnParameter(b.stack, 'ClusterArn').valueAsString;
    const cluster = SecureMskCluster.fromClusterArn(b.stack, 'Existing', { clusterArn });
    const part = (n: number) => ({
      'Fn::Select': [n, { 'Fn::Split': ['/', { Ref: 'ClusterArn' }] }],
    });
    expect(b.stack.resolve(cluster.clusterName)).toEqual(part(1));
    expect(b.stack.resolve(cluster.access.topicArn('orders'))).toEqual(
      regionalArn('kafka', ':topic/', part(1), '/', part(2), '/orders'),
    );
    expect(cluster.connections.securityGroups).toEqual([]);
  });

  test('a principal of another account is refused: an imported cluster has no cluster policy', () => {
    const b = bare();
    const cluster = SecureMskCluster.fromClusterArn(b.stack, 'Existing', { clusterArn: arn });
    const doris = iam.Role.fromRoleArn(
      b.stack,
      'Doris',
      'arn:aws:iam::999999999999:role/doris-routine-load',
      { mutable: false },
    );
    expect(() => cluster.access.grantConsume(doris, 'orders', 'doris')).toThrow(
      'KafkaAccess: cannot grant kafka-cluster:Connect to Bare/Doris: it needs the cluster policy',
    );
  });

  test.each([
    'arn:aws:kafka:eu-west-1:111122223333:topic/orders/uuid/x',
    'arn:aws:sqs:eu-west-1:111122223333:cluster/orders/uuid',
    'arn:aws:kafka:eu-west-1:111122223333:cluster/orders',
    'arn:aws:kafka:eu-west-1:111122223333:cluster',
  ])('%s is not an MSK cluster ARN: refused', (clusterArn) => {
    expect(() => SecureMskCluster.fromClusterArn(shared.stack, nextId(), { clusterArn })).toThrow(
      `SecureMskCluster.fromClusterArn: clusterArn "${clusterArn}" is not an MSK cluster ARN`,
    );
  });
});

describe('MskConsumer', () => {
  function consumerProps(
    b: ReturnType<typeof bare>,
    overrides: Partial<MskConsumerProps> = {},
  ): MskConsumerProps {
    const cluster =
      (b.stack.node.tryFindChild('Msk') as SecureMskCluster | undefined) ??
      new SecureMskCluster(b.stack, 'Msk', clusterProps(b));
    return {
      name: 'orders',
      cluster,
      authentication: { mode: 'iam' },
      topic: 'orders',
      consumerGroup: 'orders-app',
      encryptionKey: b.key,
      logs: b.logSettings,
      vpc: b.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      functionSecurityGroup: b.clients,
      ...overrides,
    };
  }

  test('two consumers share one SQS endpoint when given it', () => {
    const b = bare();
    const first = new MskConsumer(b.stack, 'Orders', consumerProps(b));
    new MskConsumer(
      b.stack,
      'Audit',
      consumerProps(b, {
        name: 'audit',
        consumerGroup: 'audit',
        failureQueueEndpoint: first.failureQueueEndpoint,
      }),
    );
    const template = Template.fromStack(b.stack);
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 1);
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 2);
    expect(
      Object.values(template.findResources('AWS::Logs::LogGroup')).map(
        (g) => g.Properties.LogGroupName,
      ),
    ).toEqual(expect.arrayContaining(['/mine/lambda/orders', '/mine/lambda/audit']));
  });

  function consumerResources(template: Template) {
    const one = (type: string) => {
      const resources = Object.values(template.findResources(type));
      expect(resources).toHaveLength(1);
      return resources[0];
    };
    return {
      fn: one('AWS::Lambda::Function'),
      mapping: one('AWS::Lambda::EventSourceMapping'),
      queue: one('AWS::SQS::Queue'),
    };
  }

  test('defaults: 1 min, 512 MB, from the latest record, batches of 100 within 1 s, a retained queue', () => {
    const b = bare();
    const consumer = new MskConsumer(b.stack, 'Orders', consumerProps(b));
    const { fn, mapping, queue } = consumerResources(Template.fromStack(b.stack));
    expect(fn.Properties).toMatchObject({ Timeout: 60, MemorySize: 512 });
    expect(fn.Properties.ReservedConcurrentExecutions).toBeUndefined();
    expect(fn.Properties.Environment.Variables).toEqual({
      NODE_OPTIONS: '--enable-source-maps',
      POWERTOOLS_SERVICE_NAME: 'orders',
      POWERTOOLS_LOG_LEVEL: 'INFO',
      POWERTOOLS_METRICS_NAMESPACE: 'MskSecureStack',
      REPORT_BATCH_ITEM_FAILURES: 'false',
    });
    expect(mapping.Properties).toMatchObject({
      StartingPosition: 'LATEST',
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 1,
    });
    expect(queue).toMatchObject({
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: { RedriveAllowPolicy: { redrivePermission: 'allowAll' } },
    });
    expect(consumer.logGroupName).toBe('/mine/lambda/orders');
  });

  test('given values win over the defaults', () => {
    const b = bare();
    new MskConsumer(
      b.stack,
      'Orders',
      consumerProps(b, {
        timeout: Duration.minutes(14),
        memorySize: 1024,
        reservedConcurrency: 3,
        logLevel: 'DEBUG',
        startingPosition: lambda.StartingPosition.TRIM_HORIZON,
        batchSize: 10_000,
        maxBatchingWindow: Duration.seconds(300),
        removalPolicy: RemovalPolicy.DESTROY,
      }),
    );
    const { fn, mapping, queue } = consumerResources(Template.fromStack(b.stack));
    expect(fn.Properties).toMatchObject({
      Timeout: 840,
      MemorySize: 1024,
      ReservedConcurrentExecutions: 3,
      Environment: { Variables: { POWERTOOLS_LOG_LEVEL: 'DEBUG' } },
    });
    expect(mapping.Properties).toMatchObject({
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 10_000,
      MaximumBatchingWindowInSeconds: 300,
    });
    expect(queue).toMatchObject({ DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' });
  });

  test('a dead-letter topic: kafka:// destination, WriteData on it (IAM), no queue, no SQS endpoint, mapping metrics on', () => {
    const b = bare();
    const consumer = new MskConsumer(
      b.stack,
      'Orders',
      consumerProps(b, {
        deadLetterTopic: 'orders.dlt',
        provisionedPollers: { minimum: 1, maximum: 2 },
      }),
    );
    const template = Template.fromStack(b.stack);
    expect(consumer.failureQueue).toBeUndefined();
    expect(consumer.failureQueueEndpoint).toBeUndefined();
    expect(consumer.deadLetterTopic).toBe('orders.dlt');
    template.resourceCountIs('AWS::SQS::Queue', 0);
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 0);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      DestinationConfig: { OnFailure: { Destination: 'kafka://orders.dlt' } },
      MetricsConfig: { Metrics: ['EventCount', 'ErrorCount', 'KafkaMetrics'] },
      ProvisionedPollerConfig: { MinimumPollers: 1, MaximumPollers: 2 },
    });
    const policies = JSON.stringify(template.findResources('AWS::IAM::ManagedPolicy'));
    expect(policies).not.toMatch(/sqs:|WriteDataIdempotently/);
    expect(policies).toContain('kafka-cluster:WriteData');
    expect(policies).toMatch(/:topic\/mine\/.*\/orders\.dlt"/);
  });

  test('the smallest batch is 1', () => {
    const b = bare();
    new MskConsumer(b.stack, 'Orders', consumerProps(b, { batchSize: 1 }));
    const { mapping } = consumerResources(Template.fromStack(b.stack));
    expect(mapping.Properties.BatchSize).toBe(1);
  });

  test.each([
    [{ name: 'Orders' }, 'name = "Orders": must be 1–40 lower-case letters'],
    [{ name: 'orders!' }, 'name = "orders!": must be 1–40 lower-case letters'],
    [{ batchSize: 10_001 }, 'batchSize = 10001: must be an integer from 1 to 10000'],
    [{ batchSize: 2.5 }, 'batchSize = 2.5: must be an integer from 1 to 10000'],
    [{ maxRecordAge: Duration.minutes(1) }, 'maxRecordAge = "60 s": needs provisionedPollers'],
    [{ batchSize: 0 }, 'batchSize = 0: must be an integer from 1 to 10000'],
    [{ timeout: Duration.minutes(15) }, 'timeout = "900 s": must be at most 14 minutes'],
    [
      { maxBatchingWindow: Duration.seconds(301) },
      'maxBatchingWindow = "301 s": must be at most 300 s',
    ],
    [{ retryAttempts: 3 }, 'retryAttempts = 3: needs provisionedPollers'],
    [{ reportBatchItemFailures: true }, 'reportBatchItemFailures = true: needs provisionedPollers'],
    [
      { deadLetterTopic: 'orders.dlt' },
      'deadLetterTopic = "orders.dlt": needs provisionedPollers: "Provisioned mode required',
    ],
    [
      { deadLetterTopic: 'orders', provisionedPollers: { minimum: 1, maximum: 1 } },
      'deadLetterTopic = "orders": must not be the topic the consumer reads',
    ],
    [
      { deadLetterTopic: 'dlt', provisionedPollers: { minimum: 1, maximum: 1 } },
      'deadLetterTopic = "dlt": must be a Kafka topic name of 4–249',
    ],
    [
      { deadLetterTopic: '.dlt.orders', provisionedPollers: { minimum: 1, maximum: 1 } },
      'deadLetterTopic = ".dlt.orders": must be a Kafka topic name of 4–249',
    ],
  ])('refuses %j, naming the prop and the value', (overrides, message) => {
    expect(
      () =>
        new MskConsumer(
          shared.stack,
          nextId(),
          consumerProps(shared, overrides as Partial<MskConsumerProps>),
        ),
    ).toThrow(message);
  });
});

describe('ScramUsers', () => {
  test('on a plain kms.Key: secrets in nested stacks by name hash, ARNs in SSM parameters', () => {
    const b = bare();
    const users = new ScramUsers(b.stack, 'Users', {
      clusterName: 'mine',
      users: ['a', 'b'],
      encryptionKey: b.key,
    });
    const names = [...users.stacks.values()].flatMap((s) =>
      Object.values(Template.fromStack(s).findResources('AWS::SecretsManager::Secret')).map(
        (r) => r.Properties.Name,
      ),
    );
    expect(names.sort()).toEqual(['AmazonMSK_mine_a', 'AmazonMSK_mine_b']);
    expect(users.secretNamePrefix).toBe('AmazonMSK_mine_');
  });

  test('users of the same part share its nested stack; one user is enough', () => {
    // GIVEN two names that hash to the same part
    const names = Array.from({ length: 50 }, (_, i) => `user${i}`);
    const first = names[0];
    const second = names.find((n) => n !== first && userStackOf(n) === userStackOf(first))!;
    const b = bare();
    const users = new ScramUsers(b.stack, 'Users', {
      clusterName: 'mine',
      users: [first, second],
      encryptionKey: b.key,
    });
    // THEN one nested stack holds both, and says what it is
    expect(users.stacks.size).toBe(1);
    const [[part, stack]] = [...users.stacks];
    expect(part).toBe(userStackOf(first));
    expect(Template.fromStack(stack).toJSON().Description).toBe(
      `SCRAM users of MSK cluster mine (part ${part} of 10)`,
    );
    Template.fromStack(stack).resourceCountIs('AWS::SecretsManager::Secret', 2);
    const solo = bare();
    expect(
      () =>
        new ScramUsers(solo.stack, 'One', {
          clusterName: 'mine',
          users: ['a'],
          encryptionKey: solo.key,
        }),
    ).not.toThrow();
  });

  test('secretOf an unknown user names the known ones', () => {
    const b = bare();
    const users = new ScramUsers(b.stack, 'Users', {
      clusterName: 'mine',
      users: ['a', 'b'],
      encryptionKey: b.key,
    });
    expect(users.secretOf('a')).toBe(users.all[0]);
    expect(() => users.secretOf('c')).toThrow('ScramUsers: no SCRAM user "c"; known users: a, b');
  });

  test('refuses no users and more than 1000', () => {
    const b = bare();
    expect(
      () =>
        new ScramUsers(b.stack, 'None', { clusterName: 'mine', users: [], encryptionKey: b.key }),
    ).toThrow('ScramUsers: users has 0 entries; MSK allows 1 to 1000');
    const many = Array.from({ length: 1001 }, (_, i) => `u${i}`);
    expect(
      () =>
        new ScramUsers(b.stack, 'Many', { clusterName: 'mine', users: many, encryptionKey: b.key }),
    ).toThrow('users has 1001 entries');
  });
});

describe('SecureNetwork', () => {
  test('publicSubnets and privateSubnets select the public and the private subnets', () => {
    const stack = new Stack(noBundlingApp(), 'Net');
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    const network = new SecureNetwork(stack, 'Network', {
      cidr: '10.20.0.0/16',
      azCount: 2,
      natGateways: 1,
      encryptionKey: key,
      logs: {
        encryptionKey: key,
        logGroupNamePrefix: '/net/',
        logRetention: logs.RetentionDays.ONE_YEAR,
        logRemovalPolicy: RemovalPolicy.DESTROY,
      },
    });
    const ids = (subnets: ec2.ISubnet[]) => stack.resolve(subnets.map((s) => s.subnetId));
    const { vpc } = network;
    expect(ids(vpc.selectSubnets(network.publicSubnets).subnets)).toEqual(ids(vpc.publicSubnets));
    expect(ids(vpc.selectSubnets(network.privateSubnets).subnets)).toEqual(ids(vpc.privateSubnets));
    expect(ids(vpc.publicSubnets)).not.toEqual(ids(vpc.privateSubnets));
  });
});

describe('ScramSecretAssociation', () => {
  test('associate refuses an empty list of secrets, naming the resource', () => {
    const b = bare();
    const association = new ScramSecretAssociation(b.stack, 'Association', {
      clusterArn: 'arn:aws:kafka:eu-west-1:111111111111:cluster/mine/abc-1',
      secretNamePrefix: 'AmazonMSK_mine_',
      secretsKey: b.key,
      encryptionKey: b.key,
      logs: b.logSettings,
      vpc: b.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      securityGroups: [b.clients],
    });
    expect(() => association.associate(b.stack, 'Nobody', [])).toThrow(
      'ScramSecretAssociation Nobody: secrets must list at least one secret',
    );
    expect(association.resources).toEqual([]);
  });
});
