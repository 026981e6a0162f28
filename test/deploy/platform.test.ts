import {
  applyAllowances,
  bindingText,
  comparePlatforms,
  formatChanges,
  formatRemovals,
  readPlatform,
  removalRefusals,
  summarizePlans,
} from '../../tools/deploy/platform';
import type { CfnTemplate } from '../../tools/shared/template';

// GIVEN templates shaped like the app's: a Cluster stack (topic, ACLs, a user's secret in a
// nested stack), a Consumer stack (function, mapping, failure queue, log group) and a
// Monitoring stack whose alarms read the consumer's outputs with Fn::GetStackOutput.
const read = (stackName: string, output: string) => ({
  'Fn::GetStackOutput': { StackName: stackName, OutputName: output },
});
const binding = (principal: string, operation: string, resourceName: string, extra = {}) => ({
  resourceType: 'TOPIC',
  resourceName,
  patternType: 'LITERAL',
  principal,
  host: '*',
  operation,
  permission: 'ALLOW',
  ...extra,
});
const secret = (user: string, deletionPolicy = 'Delete') => ({
  Type: 'AWS::SecretsManager::Secret',
  DeletionPolicy: deletionPolicy,
  Properties: {
    Name: `AmazonMSK_dev_${user}`,
    GenerateSecretString: { SecretStringTemplate: JSON.stringify({ username: user }) },
  },
});
const users = (names: string[], deletionPolicy?: string): CfnTemplate => ({
  Resources: Object.fromEntries(names.map((n) => [n, secret(n, deletionPolicy)])),
});
const cluster = (
  topics: Record<string, number>,
  bindings: unknown[],
  deletionPolicy = 'Delete',
): CfnTemplate => ({
  Resources: {
    ...Object.fromEntries(
      Object.entries(topics).map(([name, partitions]) => [
        `Topic${name}`,
        {
          Type: 'AWS::MSK::Topic',
          DeletionPolicy: deletionPolicy,
          Properties: { TopicName: name, PartitionCount: partitions, ReplicationFactor: 3 },
        },
      ]),
    ),
    Acls: { Type: 'Custom::MskKafkaAcls', Properties: { Bindings: bindings } },
    Key: { Type: 'AWS::KMS::Key', Properties: { PendingWindowInDays: 7 } },
    KeyAlias: {
      Type: 'AWS::KMS::Alias',
      Properties: { AliasName: 'alias/dev', TargetKeyId: { Ref: 'Key' } },
    },
    BrokerLogs: { Type: 'AWS::Logs::LogGroup', Properties: { LogGroupName: '/dev/broker-logs' } },
  },
});
const consumer = (
  name: string,
  group: string,
  options: { queue?: string; start?: string } = {},
) => {
  const id = name[0].toUpperCase() + name.slice(1);
  const queue = options.queue ?? `${id}Queue`;
  return {
    [`${id}Fn`]: {
      Type: 'AWS::Lambda::Function',
      Properties: {
        Environment: { Variables: { POWERTOOLS_SERVICE_NAME: name } },
        LoggingConfig: { LogGroup: { Ref: `${id}Logs` } },
      },
    },
    [`${id}Logs`]: {
      Type: 'AWS::Logs::LogGroup',
      Properties: { LogGroupName: `/dev/lambda/${name}` },
    },
    [queue]: { Type: 'AWS::SQS::Queue', Properties: {} },
    [`${id}Mapping`]: {
      Type: 'AWS::Lambda::EventSourceMapping',
      Properties: {
        AmazonManagedKafkaEventSourceConfig: { ConsumerGroupId: group },
        FunctionName: { Ref: `${id}Fn` },
        Topics: ['orders'],
        StartingPosition: options.start ?? 'LATEST',
        DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queue, 'Arn'] } } },
      },
    },
  };
};
const consumers = (resources: Record<string, unknown>): CfnTemplate => ({
  Resources: resources as CfnTemplate['Resources'],
  Outputs: Object.fromEntries(
    Object.entries(resources)
      .filter(([, r]) => (r as { Type: string }).Type === 'AWS::Lambda::Function')
      .map(([id]) => [`Publish${id}`, { Value: { Ref: id } }]),
  ),
});
const monitoring = (fnIds: string[]): CfnTemplate => ({
  Resources: Object.fromEntries(
    fnIds.map((id) => [
      `${id}Errors`,
      {
        Type: 'AWS::CloudWatch::Alarm',
        Properties: {
          AlarmName: `dev-${id}-errors`,
          Dimensions: [{ Name: 'FunctionName', Value: read('consumers', `Publish${id}`) }],
        },
      },
    ]),
  ),
});
const deployment = (parts: {
  users?: CfnTemplate;
  cluster?: CfnTemplate;
  consumers?: CfnTemplate;
  monitoring?: CfnTemplate;
}) =>
  readPlatform(
    Object.entries({
      'cluster/Users0': parts.users ?? users(['consumer']),
      cluster:
        parts.cluster ?? cluster({ orders: 3 }, [binding('User:consumer', 'READ', 'orders')]),
      consumers: parts.consumers ?? consumers(consumer('consumer', 'dev-consumer')),
      monitoring: parts.monitoring ?? monitoring(['ConsumerFn']),
    }).map(([stackName, template]) => ({ stackName, template })),
  );

test('an ACL binding reads as principal, operation and resource', () => {
  expect(bindingText(binding('User:a', 'WRITE', 'orders'))).toBe('User:a WRITE TOPIC orders');
  expect(
    bindingText(
      binding('User:a', 'READ', 'billing-', {
        resourceType: 'GROUP',
        patternType: 'PREFIXED',
        permission: 'DENY',
        host: '10.0.0.1',
      }),
    ),
  ).toBe('User:a DENY READ GROUP billing-* from 10.0.0.1');
});

test('the platform is read from the templates: users by secret, consumers with their queue, log group and alarms', () => {
  const platform = deployment({});
  expect([...platform.users.values()].map((u) => [u.name, u.secretName, u.secret.stack])).toEqual([
    ['consumer', 'AmazonMSK_dev_consumer', 'cluster/Users0'],
  ]);
  expect([...platform.keys.keys()]).toEqual(['alias/dev']);
  expect([...platform.logGroups.keys()]).toEqual(['/dev/broker-logs', '/dev/lambda/consumer']);
  const c = platform.consumers.get('consumer')!;
  expect([c.group, c.topics, c.failureQueue?.logicalId, c.logGroup?.name, c.alarms]).toEqual([
    'dev-consumer',
    ['orders'],
    'ConsumerQueue',
    '/dev/lambda/consumer',
    ['dev-ConsumerFn-errors'],
  ]);
  expect([...platform.failureQueues.entries()].map(([id, q]) => [id, q.consumer])).toEqual([
    ['consumers/ConsumerQueue', 'consumer'],
  ]);
});

test('a user whose name has underscores keeps its name (from the secret template)', () => {
  const platform = deployment({ users: users(['app_1']) });
  expect([...platform.users.keys()]).toEqual(['app_1']);
});

test('changes are listed as added, changed, removed, with what changes', () => {
  const before = deployment({});
  const after = deployment({
    users: users(['consumer', 'billing']),
    cluster: cluster({ orders: 6 }, [
      binding('User:consumer', 'READ', 'orders'),
      binding('User:consumer', 'DESCRIBE', 'orders'),
    ]),
  });
  const changes = comparePlatforms(before, after);
  expect(changes.users.changes).toEqual([
    { kind: 'added', name: 'billing', detail: 'secret AmazonMSK_dev_billing, 0 ACLs' },
    { kind: 'changed', name: 'consumer', detail: 'ACLs +1 −0' },
  ]);
  expect(changes.topics.changes).toEqual([
    { kind: 'changed', name: 'orders', detail: 'PartitionCount 3 → 6' },
  ]);
  expect(formatChanges(changes)).toBe(
    [
      'Platform changes (deployed → this deployment, nested stacks included):',
      '  SCRAM users: 1 added, 1 changed',
      '    + billing: secret AmazonMSK_dev_billing, 0 ACLs',
      '    ~ consumer: ACLs +1 −0',
      '  ACL bindings: 1 added, 1 unchanged',
      '    + User:consumer DESCRIBE TOPIC orders',
      '  Topics: 1 changed',
      '    ~ orders: PartitionCount 3 → 6',
      '  Consumers: 1 unchanged',
      '  Alarms: 1 unchanged',
    ].join('\n'),
  );
  expect(removalRefusals(before, after)).toEqual([]);
});

test('a consumer group change is refused as group:<old group>, with where the new group starts', () => {
  const before = deployment({});
  const after = deployment({
    consumers: consumers(consumer('consumer', 'dev-consumer-v2', { start: 'TRIM_HORIZON' })),
  });
  expect(comparePlatforms(before, after).consumers.changes).toEqual([
    {
      kind: 'changed',
      name: 'consumer',
      detail: 'group dev-consumer → dev-consumer-v2; starting position LATEST → TRIM_HORIZON',
    },
  ]);
  expect(removalRefusals(before, after)).toEqual([
    {
      allow: 'group:dev-consumer',
      message:
        'consumer consumer: its consumer group changes from dev-consumer to dev-consumer-v2. ' +
        'The new group has no committed offsets and starts at TRIM_HORIZON (it reads the topic ' +
        'again from its oldest retained record), not where dev-consumer stopped.',
    },
  ]);
});

test('retained resources: the message says they stay, and what is still lost', () => {
  const before = deployment({
    users: users(['consumer', 'billing'], 'Retain'),
    cluster: cluster(
      { orders: 3, payments: 3 },
      [binding('User:billing', 'WRITE', 'orders')],
      'Retain',
    ),
  });
  const after = deployment({
    users: users(['consumer'], 'Retain'),
    cluster: cluster({ orders: 3, 'payments-v2': 3 }, [], 'Retain'),
  });
  expect(removalRefusals(before, after)).toEqual([
    {
      allow: 'user:billing',
      message:
        'SCRAM user billing: its secret AmazonMSK_dev_billing is left in Secrets Manager ' +
        '(DeletionPolicy Retain) but no longer associated with the cluster, and its 1 ACL is ' +
        'deleted; clients using it can no longer connect.',
    },
    {
      allow: 'topic:payments',
      message:
        'topic payments: it stays in the cluster with its records (DeletionPolicy Retain) but is ' +
        'no longer managed here; producers and consumers of it fail or stop. A rename is a ' +
        'removal: the new topic (payments-v2) starts empty.',
    },
  ]);
});

test('the key, a log group and a failure queue on their own are refused, each by its name', () => {
  const before = deployment({});
  const noKey = cluster({ orders: 3 }, [binding('User:consumer', 'READ', 'orders')]);
  delete (noKey.Resources as Record<string, unknown>).Key;
  delete (noKey.Resources as Record<string, unknown>).KeyAlias;
  delete (noKey.Resources as Record<string, unknown>).BrokerLogs;
  const after = deployment({
    cluster: noKey,
    consumers: consumers(consumer('consumer', 'dev-consumer', { queue: 'OtherQueue' })),
  });
  expect(removalRefusals(before, after)).toEqual([
    {
      allow: 'key:alias/dev',
      message:
        'KMS key alias/dev: it is scheduled for deletion (after 7 days); once deleted, everything ' +
        'encrypted with it (SCRAM secrets, logs, the cluster’s data at rest, queued records) can ' +
        'no longer be decrypted.',
    },
    {
      allow: 'log-group:/dev/broker-logs',
      message: 'log group /dev/broker-logs: it is deleted with every log event in it.',
    },
    {
      allow: 'failure-queue:consumer',
      message: 'failure queue of consumer consumer: it is deleted with the failed records in it.',
    },
  ]);
});

test('--allow-removal: allowed ones are reported, unknown names are ignored with a notice', () => {
  const before = deployment({});
  const after = deployment({ consumers: consumers({}), monitoring: monitoring([]) });
  const refusals = removalRefusals(before, after);
  expect(refusals.map((r) => r.allow)).toEqual(['consumer:consumer']);
  expect(refusals[0].message).toBe(
    'consumer consumer (topic orders, group dev-consumer, from LATEST): its function and event ' +
      'source mapping are deleted; its failure queue is deleted with the failed records in it; ' +
      'its log group /dev/lambda/consumer is deleted with its logs; its 1 alarm is deleted; ' +
      'nothing processes orders for group dev-consumer any more.',
  );
  const removals = applyAllowances(refusals, ['consumer:consumer', 'user:nobody']);
  expect(removals.refused).toEqual([]);
  expect(formatRemovals(removals)).toBe(
    '--allow-removal user:nobody: this deployment removes no such thing (ignored).\n' +
      `Removal allowed by --allow-removal consumer:consumer: ${refusals[0].message}`,
  );
});

test('a whole plan: a new stack is all added, a removed nested stack is listed', () => {
  const { changes } = summarizePlans([
    {
      stackName: 'cluster',
      deployed: cluster({ orders: 3 }, []),
      next: cluster({ orders: 3 }, []),
    },
    { stackName: 'cluster/Users0', deployed: users(['consumer']), next: {} },
    { stackName: 'consumers', next: consumers(consumer('consumer', 'dev-consumer')) },
  ]);
  expect(changes.stacks.changes).toEqual([
    { kind: 'removed', name: 'cluster/Users0' },
    { kind: 'added', name: 'consumers' },
  ]);
  expect(changes.users.changes.map((c) => `${c.kind} ${c.name}`)).toEqual(['removed consumer']);
  expect(changes.consumers.changes.map((c) => `${c.kind} ${c.name}`)).toEqual(['added consumer']);
});
