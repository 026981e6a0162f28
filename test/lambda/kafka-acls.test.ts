import { GetBootstrapBrokersCommand, KafkaClient, NotFoundException } from '@aws-sdk/client-kafka';
import type { CdkCustomResourceEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import {
  AclEntry,
  AclFilter,
  AclOperationTypes,
  AclPermissionTypes,
  AclResourceTypes,
  KafkaJSConnectionError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSProtocolError,
  ResourcePatternTypes,
} from 'kafkajs';
import { Deps } from '../../lambda/kafka-acls/acls';
import { onEvent, parseProperties, physicalIdFor } from '../../lambda/kafka-acls/index';
import { AclBinding } from '../../lambda/shared/acl-binding';
import { logger } from '../../lambda/shared/logger';
import { cachedTokenProvider } from '../../lambda/shared/msk-iam-sasl';

const kafkaMock = mockClient(KafkaClient);

const CLUSTER =
  'arn:aws:kafka:eu-west-1:111122223333:cluster/orders/1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d-2';
const OTHER_CLUSTER =
  'arn:aws:kafka:eu-west-1:111122223333:cluster/orders-v2/9f8e7d6c-5b4a-3f2e-1d0c-9b8a7f6e5d4c-1';
const IAM_BROKERS =
  'b-1.orders.abc.c2.kafka.eu-west-1.amazonaws.com:9098,b-2.orders.abc.c2.kafka.eu-west-1.amazonaws.com:9098';

const acl = (
  principal: string,
  resourceType: AclBinding['resourceType'],
  resourceName: string,
  operation: AclBinding['operation'],
  patternType: AclBinding['patternType'] = 'LITERAL',
): AclBinding => ({
  resourceType,
  resourceName,
  patternType,
  principal,
  host: '*',
  operation,
  permission: 'ALLOW',
});
const BILLING_WRITE = acl('User:billing', 'TOPIC', 'orders', 'WRITE');
const BILLING_DESCRIBE = acl('User:billing', 'TOPIC', 'orders', 'DESCRIBE');
const BILLING_GROUP = acl('User:billing', 'GROUP', 'billing-', 'READ', 'PREFIXED');

/** The same as a kafkajs entry, for seeding the fake with ACLs of others. */
const entry = (b: AclBinding, changes: Partial<AclEntry> = {}): AclEntry => ({
  resourceType: AclResourceTypes[b.resourceType],
  resourceName: b.resourceName,
  resourcePatternType: ResourcePatternTypes[b.patternType],
  principal: b.principal,
  host: b.host,
  operation: AclOperationTypes[b.operation],
  permissionType: AclPermissionTypes[b.permission],
  ...changes,
});

const protocolError = (type: string, code: number, retriable = false, message = type) =>
  new KafkaJSProtocolError(<never>{ message, type, code, retriable });

/**
 * A fake kafkajs admin client holding ACLs as a broker does. Filters follow Kafka's rules: a
 * field matches when the filter gives it exactly, or gives ANY (or nothing, for strings).
 */
function fakeCluster(initial: AclEntry[] = []) {
  let acls = [...initial];
  const calls = { created: [] as AclEntry[], deleteFilters: [] as AclFilter[] };
  const failCreate = new Map<string, Error[]>();
  const hideFromDescribe = { times: 0, entries: [] as AclEntry[] };
  const same = (a: AclEntry, b: AclEntry) =>
    JSON.stringify(sorted(a)) === JSON.stringify(sorted(b));
  const sorted = (e: AclEntry) => Object.fromEntries(Object.entries(e).sort());
  const matches = (f: AclFilter, a: AclEntry) =>
    (f.resourceType === AclResourceTypes.ANY || f.resourceType === a.resourceType) &&
    (f.resourceName === undefined || f.resourceName === a.resourceName) &&
    (f.resourcePatternType === ResourcePatternTypes.ANY ||
      f.resourcePatternType === ResourcePatternTypes.MATCH ||
      f.resourcePatternType === a.resourcePatternType) &&
    (f.principal === undefined || f.principal === a.principal) &&
    (f.host === undefined || f.host === a.host) &&
    (f.operation === AclOperationTypes.ANY || f.operation === a.operation) &&
    (f.permissionType === AclPermissionTypes.ANY || f.permissionType === a.permissionType);

  const admin = {
    connect: jest.fn(async () => undefined),
    disconnect: jest.fn(async () => undefined),
    describeAcls: jest.fn(async (filter: AclFilter) => {
      let visible = acls.filter((a) => matches(filter, a));
      if (hideFromDescribe.times > 0) {
        hideFromDescribe.times--;
        visible = visible.filter((a) => !hideFromDescribe.entries.some((h) => same(a, h)));
      }
      return {
        throttleTime: 0,
        errorCode: 0,
        resources: visible.map((a) => ({
          resourceType: a.resourceType,
          resourceName: a.resourceName,
          resourcePatternType: a.resourcePatternType,
          acls: [
            {
              principal: a.principal,
              host: a.host,
              operation: a.operation,
              permissionType: a.permissionType,
            },
          ],
        })),
      };
    }),
    createAcls: jest.fn(async ({ acl: entries }: { acl: AclEntry[] }) => {
      for (const e of entries) {
        const failures = failCreate.get(`${e.resourceName}/${e.operation}`);
        const failure = failures?.shift();
        if (failure) throw failure;
        calls.created.push(e);
        if (!acls.some((a) => same(a, e))) acls.push(e);
      }
      return true;
    }),
    deleteAcls: jest.fn(async ({ filters }: { filters: AclFilter[] }) => {
      calls.deleteFilters.push(...filters);
      const filterResponses = filters.map((f) => {
        const matched = acls.filter((a) => matches(f, a));
        acls = acls.filter((a) => !matches(f, a));
        return { errorCode: 0, matchingAcls: matched.map((m) => ({ errorCode: 0, ...m })) };
      });
      return { throttleTime: 0, filterResponses };
    }),
  };
  return {
    admin,
    calls,
    failCreate,
    hideFromDescribe,
    /** The ACLs the cluster holds now, as kafkajs entries. */
    get acls() {
      return acls;
    },
    has: (b: AclBinding) => acls.some((a) => same(a, entry(b))),
  };
}

const sleep = jest.fn(async (_ms: number) => undefined);
function deps(cluster: ReturnType<typeof fakeCluster>) {
  const createAdmin = jest.fn((_brokers: readonly string[], _region: string) => cluster.admin);
  const d: Deps = {
    kafka: new KafkaClient({ region: 'eu-west-1' }),
    createAdmin,
    retry: {
      maxAttempts: 4,
      baseDelayMs: 100,
      maxDelayMs: 1_000,
      sleep,
      random: () => 1,
      remainingTimeMs: () => 600_000,
    },
  };
  return Object.assign(d, { createAdmin });
}

type Props = { cluster: string; bindings: AclBinding[]; brokers?: string };
const properties = (p: Props) => ({
  ServiceToken: 'token',
  ClusterArn: p.cluster,
  Bindings: p.bindings,
  ...(p.brokers ? { BootstrapBrokers: p.brokers } : {}),
});

function event(
  requestType: 'Create' | 'Update' | 'Delete',
  props: Props,
  old?: Props,
): CdkCustomResourceEvent {
  const base = {
    ServiceToken: 'arn:aws:lambda:eu-west-1:111122223333:function:provider',
    ResponseURL:
      'https://cloudformation-custom-resource-response-euwest1.s3.amazonaws.com/SECRET-SIGNATURE',
    StackId: 'arn:aws:cloudformation:eu-west-1:111122223333:stack/msk/guid',
    RequestId: 'request-1',
    LogicalResourceId: 'KafkaAcls',
    ResourceType: 'Custom::MskKafkaAcls',
    ResourceProperties: properties(props),
  };
  if (requestType === 'Create') return { ...base, RequestType: 'Create' };
  const PhysicalResourceId = physicalIdFor(old?.cluster ?? props.cluster);
  if (requestType === 'Delete') return { ...base, RequestType: 'Delete', PhysicalResourceId };
  return {
    ...base,
    RequestType: 'Update',
    PhysicalResourceId,
    OldResourceProperties: properties(old!),
  };
}

beforeEach(() => {
  kafkaMock.reset();
  sleep.mockClear();
  kafkaMock.on(GetBootstrapBrokersCommand).resolves({
    BootstrapBrokerStringSaslIam: IAM_BROKERS,
    BootstrapBrokerStringSaslScram: 'x:9096',
  });
  jest.spyOn(logger, 'info').mockImplementation(() => undefined);
  jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
  jest.spyOn(logger, 'error').mockImplementation(() => undefined);
});

/** Someone else's ACLs: another user on our topic, and our user as DENY and from one host. */
const OTHERS = [
  entry(acl('User:audit', 'TOPIC', 'orders', 'READ')),
  entry(BILLING_WRITE, { permissionType: AclPermissionTypes.DENY }),
  entry(BILLING_WRITE, { host: '10.0.0.1' }),
  entry(BILLING_WRITE, { resourcePatternType: ResourcePatternTypes.PREFIXED }),
];

describe('Create', () => {
  test('creates the missing ACLs one per call over the IAM brokers, adopts existing ones, confirms', async () => {
    const cluster = fakeCluster([...OTHERS, entry(BILLING_DESCRIBE)]);
    const d = deps(cluster);

    const response = await onEvent(
      event('Create', {
        cluster: CLUSTER,
        bindings: [BILLING_WRITE, BILLING_DESCRIBE, BILLING_GROUP],
      }),
      d,
    );

    expect(response).toEqual({
      PhysicalResourceId: physicalIdFor(CLUSTER),
      Data: { BindingCount: 3 },
    });
    expect(d.createAdmin).toHaveBeenCalledWith(IAM_BROKERS.split(','), 'eu-west-1');
    expect(kafkaMock).toHaveReceivedCommandWith(GetBootstrapBrokersCommand, {
      ClusterArn: CLUSTER,
    });
    expect(cluster.admin.createAcls.mock.calls.map((c) => c[0].acl)).toEqual([
      [entry(BILLING_GROUP)],
      [entry(BILLING_WRITE)],
    ]);
    expect(cluster.acls).toEqual(
      expect.arrayContaining([
        ...OTHERS,
        entry(BILLING_DESCRIBE),
        entry(BILLING_WRITE),
        entry(BILLING_GROUP),
      ]),
    );
    expect(cluster.acls).toHaveLength(OTHERS.length + 3);
    expect(cluster.admin.deleteAcls).not.toHaveBeenCalled();
    expect(cluster.admin.describeAcls).toHaveBeenCalledTimes(2); // before, and to confirm
    expect(cluster.admin.disconnect).toHaveBeenCalled();
  });

  test('BootstrapBrokers given: no lookup; the event is logged with ResponseURL redacted', async () => {
    const cluster = fakeCluster();
    const d = deps(cluster);
    await onEvent(
      event('Create', { cluster: CLUSTER, bindings: [BILLING_WRITE], brokers: IAM_BROKERS }),
      d,
    );
    expect(kafkaMock).not.toHaveReceivedCommand(GetBootstrapBrokersCommand);
    expect(d.createAdmin).toHaveBeenCalledWith(IAM_BROKERS.split(','), 'eu-west-1');
    const logged = JSON.stringify((logger.info as jest.Mock).mock.calls[0]);
    expect(logged).toContain('[redacted]');
    expect(logged).not.toContain('SECRET-SIGNATURE');
  });

  test('a partial failure names every failed ACL with its Kafka error code and deletes what it created', async () => {
    const cluster = fakeCluster(OTHERS);
    cluster.failCreate.set(`orders/${AclOperationTypes.WRITE}`, [
      protocolError(
        'POLICY_VIOLATION',
        44,
        false,
        'Request parameters do not satisfy the configured policy',
      ),
    ]);
    cluster.failCreate.set(`billing-/${AclOperationTypes.READ}`, [
      protocolError('INVALID_REQUEST', 42),
    ]);

    const failure = onEvent(
      event('Create', {
        cluster: CLUSTER,
        bindings: [BILLING_WRITE, BILLING_DESCRIBE, BILLING_GROUP],
      }),
      deps(cluster),
    );

    await expect(failure).rejects.toThrow(
      `Could not create 2 ACL(s) on ${CLUSTER}: ` +
        'User:billing ALLOW READ on GROUP:PREFIXED:billing- from *: INVALID_REQUEST (42): KafkaJSProtocolError: INVALID_REQUEST; ' +
        'User:billing ALLOW WRITE on TOPIC:LITERAL:orders from *: POLICY_VIOLATION (44): KafkaJSProtocolError: Request parameters do not satisfy the configured policy. ' +
        'The 1 ACL(s) this request had created were deleted again.',
    );
    // The one it created (DESCRIBE) is gone again; nobody else's ACL was touched.
    expect(cluster.acls).toEqual(OTHERS);
  });

  test('transient Kafka errors are retried with backoff', async () => {
    const cluster = fakeCluster();
    cluster.failCreate.set(`orders/${AclOperationTypes.WRITE}`, [
      protocolError('REQUEST_TIMED_OUT', 7, true),
    ]);
    await onEvent(event('Create', { cluster: CLUSTER, bindings: [BILLING_WRITE] }), deps(cluster));
    expect(cluster.has(BILLING_WRITE)).toBe(true);
    expect(sleep).toHaveBeenCalledTimes(1);
  });

  test('an ACL that is slow to show up in DescribeAcls is confirmed on a later attempt', async () => {
    const cluster = fakeCluster();
    cluster.hideFromDescribe.times = 2; // the first describe (before) and the first confirmation
    cluster.hideFromDescribe.entries = [entry(BILLING_WRITE)];
    await onEvent(event('Create', { cluster: CLUSTER, bindings: [BILLING_WRITE] }), deps(cluster));
    expect(sleep).toHaveBeenCalledTimes(1);
  });

  test('an ACL that never shows up fails the deployment, naming it', async () => {
    const cluster = fakeCluster();
    cluster.hideFromDescribe.times = 100;
    cluster.hideFromDescribe.entries = [entry(BILLING_WRITE)];
    await expect(
      onEvent(event('Create', { cluster: CLUSTER, bindings: [BILLING_WRITE] }), deps(cluster)),
    ).rejects.toThrow(
      `DescribeAcls on ${CLUSTER} does not confirm the change (missing: User:billing ALLOW WRITE on TOPIC:LITERAL:orders from *)`,
    );
  });
});

describe('Update', () => {
  test('same cluster: creates the added, deletes only removed ACLs it owned, with exact filters', async () => {
    const cluster = fakeCluster([...OTHERS, entry(BILLING_WRITE), entry(BILLING_DESCRIBE)]);
    const response = await onEvent(
      event(
        'Update',
        { cluster: CLUSTER, bindings: [BILLING_DESCRIBE, BILLING_GROUP] },
        { cluster: CLUSTER, bindings: [BILLING_WRITE, BILLING_DESCRIBE] },
      ),
      deps(cluster),
    );
    expect(response.PhysicalResourceId).toBe(physicalIdFor(CLUSTER));
    expect(cluster.acls).toEqual(
      expect.arrayContaining([...OTHERS, entry(BILLING_DESCRIBE), entry(BILLING_GROUP)]),
    );
    expect(cluster.acls).toHaveLength(OTHERS.length + 2);
    // One filter, naming every field exactly: no ANY or MATCH anywhere.
    expect(cluster.calls.deleteFilters).toEqual([entry(BILLING_WRITE)]);
  });

  test('an owned ACL someone already deleted is not deleted again', async () => {
    const cluster = fakeCluster(OTHERS);
    await onEvent(
      event(
        'Update',
        { cluster: CLUSTER, bindings: [] },
        { cluster: CLUSTER, bindings: [BILLING_WRITE] },
      ),
      deps(cluster),
    );
    expect(cluster.admin.deleteAcls).not.toHaveBeenCalled();
    expect(cluster.acls).toEqual(OTHERS);
  });

  test('new cluster: creates all there, deletes nothing, returns a new physical id', async () => {
    const cluster = fakeCluster();
    kafkaMock
      .on(GetBootstrapBrokersCommand, { ClusterArn: OTHER_CLUSTER })
      .resolves({ BootstrapBrokerStringSaslIam: 'b-1.orders-v2:9098' });
    const d = deps(cluster);
    const response = await onEvent(
      event(
        'Update',
        { cluster: OTHER_CLUSTER, bindings: [BILLING_WRITE] },
        { cluster: CLUSTER, bindings: [BILLING_WRITE, BILLING_GROUP] },
      ),
      d,
    );
    expect(response.PhysicalResourceId).toBe(physicalIdFor(OTHER_CLUSTER));
    expect(d.createAdmin).toHaveBeenCalledWith(['b-1.orders-v2:9098'], 'eu-west-1');
    expect(cluster.has(BILLING_WRITE)).toBe(true);
    expect(cluster.admin.deleteAcls).not.toHaveBeenCalled();
  });
});

describe('Delete', () => {
  test('deletes this resource’s ACLs and nobody else’s', async () => {
    const cluster = fakeCluster([...OTHERS, entry(BILLING_WRITE), entry(BILLING_GROUP)]);
    const response = await onEvent(
      event('Delete', { cluster: CLUSTER, bindings: [BILLING_WRITE, BILLING_GROUP] }),
      deps(cluster),
    );
    expect(response).toEqual({ PhysicalResourceId: physicalIdFor(CLUSTER) });
    expect(cluster.acls).toEqual(OTHERS);
    expect(cluster.calls.deleteFilters).toEqual([entry(BILLING_GROUP), entry(BILLING_WRITE)]);
  });

  test('a cluster that no longer exists counts as done, without connecting', async () => {
    kafkaMock
      .on(GetBootstrapBrokersCommand)
      .rejects(new NotFoundException({ message: 'cluster not found', $metadata: {} }));
    const cluster = fakeCluster();
    const d = deps(cluster);
    await expect(
      onEvent(
        event('Delete', { cluster: CLUSTER, bindings: [BILLING_WRITE], brokers: IAM_BROKERS }),
        d,
      ),
    ).resolves.toEqual({ PhysicalResourceId: physicalIdFor(CLUSTER) });
    expect(d.createAdmin).not.toHaveBeenCalled();
  });
});

describe('connection and authorization failures say what to check', () => {
  const checklist = [
    "the handler's security group can reach the brokers on port 9098",
    'BootstrapBrokers are the IAM brokers (port 9098, TLS)',
    `kafka-cluster:Connect, kafka-cluster:DescribeCluster and kafka-cluster:AlterCluster on ${CLUSTER}`,
  ];

  test('cannot connect (security group, port)', async () => {
    const cluster = fakeCluster();
    cluster.admin.connect.mockRejectedValue(
      new KafkaJSNumberOfRetriesExceeded(new KafkaJSConnectionError('Connection timeout'), {
        retryCount: 3,
        retryTime: 1000,
      }),
    );
    const failure = onEvent(
      event('Create', { cluster: CLUSTER, bindings: [BILLING_WRITE] }),
      deps(cluster),
    );
    await expect(failure).rejects.toThrow(
      `Cannot connect to the brokers of ${CLUSTER} over IAM (TLS, port 9098)`,
    );
    for (const line of checklist) await expect(failure).rejects.toThrow(line);
    expect(cluster.admin.disconnect).toHaveBeenCalled();
    expect(sleep).not.toHaveBeenCalled(); // kafkajs retried already
  });

  test('IAM authentication fails (kafka-cluster:Connect)', async () => {
    const cluster = fakeCluster();
    const sasl = new Error('SASL OAUTHBEARER authentication failed: Access denied');
    sasl.name = 'KafkaJSSASLAuthenticationError';
    cluster.admin.connect.mockRejectedValue(sasl);
    await expect(
      onEvent(event('Create', { cluster: CLUSTER, bindings: [BILLING_WRITE] }), deps(cluster)),
    ).rejects.toThrow(`IAM (SASL/OAUTHBEARER) authentication to ${CLUSTER} failed`);
  });

  test('not authorized to describe ACLs (DescribeCluster)', async () => {
    const cluster = fakeCluster();
    cluster.admin.describeAcls.mockRejectedValue(
      protocolError('CLUSTER_AUTHORIZATION_FAILED', 31, false, 'Cluster authorization failed'),
    );
    const failure = onEvent(
      event('Create', { cluster: CLUSTER, bindings: [BILLING_WRITE] }),
      deps(cluster),
    );
    await expect(failure).rejects.toThrow(`Not authorized to administer ACLs on ${CLUSTER}`);
    await expect(failure).rejects.toThrow(checklist[2]);
  });

  test('not authorized to create ACLs (AlterCluster): each ACL named, with the checklist', async () => {
    const cluster = fakeCluster();
    cluster.failCreate.set(`orders/${AclOperationTypes.WRITE}`, [
      protocolError('CLUSTER_AUTHORIZATION_FAILED', 31, false, 'Cluster authorization failed'),
    ]);
    const failure = onEvent(
      event('Create', { cluster: CLUSTER, bindings: [BILLING_WRITE] }),
      deps(cluster),
    );
    await expect(failure).rejects.toThrow(
      'User:billing ALLOW WRITE on TOPIC:LITERAL:orders from *: CLUSTER_AUTHORIZATION_FAILED (31)',
    );
    await expect(failure).rejects.toThrow(checklist[2]);
  });
});

describe('properties', () => {
  test('every problem at once: cluster ARN, brokers that are not IAM (9098), bad bindings', () => {
    expect(() =>
      parseProperties({
        ClusterArn: 'orders',
        BootstrapBrokers: 'b-1:9096',
        Bindings: [
          { ...BILLING_WRITE, operation: 'ANY' },
          { ...BILLING_WRITE, patternType: 'MATCH', host: '10.0.0.1' },
          { ...BILLING_WRITE, principal: 'User:*' },
          acl('User:billing', 'CLUSTER', 'kafka-cluster', 'CLUSTER_ACTION'),
          'orders',
        ],
      }),
    ).toThrow(
      [
        'ClusterArn must be an MSK cluster ARN, got "orders"',
        'BootstrapBrokers must be the IAM bootstrap brokers (host:9098,…), got "b-1:9096"',
        'Bindings[0]: operation "ANY" must be one of ALL, READ, WRITE, CREATE, DELETE, ALTER, DESCRIBE, CLUSTER_ACTION, DESCRIBE_CONFIGS, ALTER_CONFIGS, IDEMPOTENT_WRITE',
        'Bindings[1]: patternType "MATCH" must be one of LITERAL, PREFIXED',
        'Bindings[1]: host "10.0.0.1" must be one of *',
        'Bindings[2]: principal "User:*" must be User:<SCRAM user name> (letters, digits, ".", "_", "-")',
        'Bindings[3]: CLUSTER_ACTION on the CLUSTER is refused: on MSK with SASL/SCRAM it blocks inter-broker replication (AWS Knowledge Center, msk-sasl-scram-issues)',
        'Bindings[4]: must be an object with resourceType, resourceName, patternType, principal, host, operation, permission',
      ].join('; '),
    );
  });

  test('duplicates collapse; Bindings may be empty or absent', () => {
    expect(
      parseProperties({ ClusterArn: CLUSTER, Bindings: [BILLING_WRITE, { ...BILLING_WRITE }] })
        .bindings,
    ).toEqual([BILLING_WRITE]);
    expect(parseProperties({ ClusterArn: CLUSTER }).bindings).toEqual([]);
  });
});

test('IAM tokens are reused until a minute before they expire', async () => {
  let now = 0;
  let issued = 0;
  const generate = jest.fn(async () => ({ token: `t${++issued}`, expiryTime: now + 900_000 }));
  const provider = cachedTokenProvider(generate, () => now);
  await expect(provider()).resolves.toEqual({ value: 't1' });
  now += 800_000;
  await expect(provider()).resolves.toEqual({ value: 't1' });
  now += 50_000; // 50 s left
  await expect(provider()).resolves.toEqual({ value: 't2' });
  expect(generate).toHaveBeenCalledTimes(2);
});
