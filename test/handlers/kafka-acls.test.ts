import {
  ForbiddenException,
  GetBootstrapBrokersCommand,
  KafkaClient,
  NotFoundException,
  ServiceUnavailableException,
  TooManyRequestsException,
} from '@aws-sdk/client-kafka';
import type { CdkCustomResourceEvent, Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { generateAuthToken } from 'aws-msk-iam-sasl-signer-js';
import {
  AclEntry,
  AclFilter,
  AclOperationTypes,
  AclPermissionTypes,
  AclResourceTypes,
  KafkaConfig,
  KafkaJSConnectionError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSProtocolError,
  logLevel,
  ResourcePatternTypes,
} from 'kafkajs';
import { Deps, explainAccessFailure } from '../../secure-msk-constructs/handlers/kafka-acls/acls';
import {
  AclOperationsFailedError,
  AclsNotConfirmedError,
  InvalidPropertiesError,
  KafkaAccessError,
} from '../../secure-msk-constructs/handlers/kafka-acls/errors';
import {
  createIamAdmin,
  handler,
  onEvent,
  parseProperties,
  physicalIdFor,
} from '../../secure-msk-constructs/handlers/kafka-acls/index';
import { AclBinding } from '../../secure-msk-constructs/model/acl-binding';
import { logger } from '../../secure-msk-constructs/handlers/shared/logger';
import { cachedTokenProvider } from '../../secure-msk-constructs/handlers/shared/msk-iam-sasl';
import { RetriesExhaustedError } from '../../secure-msk-constructs/handlers/shared/retry';
import { acl } from '../fixtures/acl-binding';

// The token signer needs AWS credentials; the handler tests check what it is asked for.
jest.mock('aws-msk-iam-sasl-signer-js', () => ({ generateAuthToken: jest.fn() }));

const kafkaMock = mockClient(KafkaClient);

const CLUSTER =
  'arn:aws:kafka:eu-west-1:111122223333:cluster/orders/1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d-2';
const OTHER_CLUSTER =
  'arn:aws:kafka:eu-west-1:111122223333:cluster/orders-v2/9f8e7d6c-5b4a-3f2e-1d0c-9b8a7f6e5d4c-1';
const IAM_BROKERS =
  'b-1.orders.abc.c2.kafka.eu-west-1.amazonaws.com:9098,b-2.orders.abc.c2.kafka.eu-west-1.amazonaws.com:9098';

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
  /** Entries DescribeAcls still shows although they are gone (the next `times` describes). */
  const showInDescribe = { times: 0, entries: [] as AclEntry[] };
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
      if (showInDescribe.times > 0) {
        showInDescribe.times--;
        visible = [...visible, ...showInDescribe.entries];
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
    showInDescribe,
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
afterEach(() => jest.restoreAllMocks());

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

  test('kafkajs retries running out on a protocol error is not reported as "cannot connect"', async () => {
    const cluster = fakeCluster();
    const exceeded = new KafkaJSNumberOfRetriesExceeded(
      protocolError(
        'NOT_CONTROLLER',
        41,
        true,
        'This is not the correct controller for this cluster',
      ),
      { retryCount: 5, retryTime: 1000 },
    );
    cluster.admin.describeAcls.mockRejectedValue(exceeded);
    const failure = onEvent(
      event('Create', { cluster: CLUSTER, bindings: [BILLING_WRITE] }),
      deps(cluster),
    ).catch((e: unknown) => e);
    const error = await failure;
    expect(error).not.toBeInstanceOf(KafkaAccessError);
    expect(String(error)).toContain('This is not the correct controller for this cluster');
    expect(String(error)).not.toContain('Cannot connect');
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
        'Bindings[2]: principal "User:*" must be User:<SCRAM user name> (1–128 characters of letters, digits, ".", "_" and "-")',
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

/** The error a promise rejects with (its whole message is what CloudFormation shows). */
async function failureOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the promise to reject');
}

const CHECKLIST =
  "Check: the handler's security group can reach the brokers on port 9098 and the brokers' " +
  'security group admits it; BootstrapBrokers are the IAM brokers (port 9098, TLS); the ' +
  "handler's IAM policy allows kafka-cluster:Connect, kafka-cluster:DescribeCluster and " +
  `kafka-cluster:AlterCluster on ${CLUSTER}.`;
const W = 'User:billing ALLOW WRITE on TOPIC:LITERAL:orders from *';
const D = 'User:billing ALLOW DESCRIBE on TOPIC:LITERAL:orders from *';
const G = 'User:billing ALLOW READ on GROUP:PREFIXED:billing- from *';

describe('GetBootstrapBrokers: which MSK errors are retried', () => {
  test('a throttled lookup is retried, then the IAM brokers are used (spaces trimmed)', async () => {
    kafkaMock
      .on(GetBootstrapBrokersCommand)
      .rejectsOnce(new TooManyRequestsException({ message: 'Rate exceeded', $metadata: {} }))
      .resolves({ BootstrapBrokerStringSaslIam: 'b-1.orders:9098, b-2.orders:9098 ' });
    const cluster = fakeCluster();
    const d = deps(cluster);
    await onEvent(event('Create', { cluster: CLUSTER, bindings: [BILLING_WRITE] }), d);
    expect(kafkaMock).toHaveReceivedCommandTimes(GetBootstrapBrokersCommand, 2);
    expect(sleep).toHaveBeenCalledTimes(1);
    expect(d.createAdmin).toHaveBeenCalledWith(['b-1.orders:9098', 'b-2.orders:9098'], 'eu-west-1');
  });

  test('still unavailable after every attempt: the message names the lookup and the cluster', async () => {
    kafkaMock
      .on(GetBootstrapBrokersCommand)
      .rejects(new ServiceUnavailableException({ message: 'try later', $metadata: {} }));
    const cluster = fakeCluster();
    const failure = await failureOf(
      onEvent(event('Create', { cluster: CLUSTER, bindings: [BILLING_WRITE] }), deps(cluster)),
    );
    expect(failure.message).toBe(
      `GetBootstrapBrokers(${CLUSTER}) failed after 4 attempts: ServiceUnavailableException: try later`,
    );
    expect(kafkaMock).toHaveReceivedCommandTimes(GetBootstrapBrokersCommand, 4);
    expect(cluster.admin.connect).not.toHaveBeenCalled();
  });

  test('access denied fails at once, as it is', async () => {
    const denied = new ForbiddenException({ message: 'not authorized', $metadata: {} });
    kafkaMock.on(GetBootstrapBrokersCommand).rejects(denied);
    const cluster = fakeCluster();
    for (const type of ['Create', 'Delete'] as const) {
      await expect(
        onEvent(event(type, { cluster: CLUSTER, bindings: [BILLING_WRITE] }), deps(cluster)),
      ).rejects.toBe(denied);
    }
    expect(sleep).not.toHaveBeenCalled();
    expect(cluster.admin.connect).not.toHaveBeenCalled();
  });

  test('Create on a cluster that does not exist fails with InvalidPropertiesError', async () => {
    kafkaMock
      .on(GetBootstrapBrokersCommand)
      .rejects(new NotFoundException({ message: 'cluster not found', $metadata: {} }));
    const failure = await failureOf(
      onEvent(
        event('Create', { cluster: CLUSTER, bindings: [BILLING_WRITE] }),
        deps(fakeCluster()),
      ),
    );
    expect(failure).toBeInstanceOf(InvalidPropertiesError);
    expect([failure.name, failure.message]).toEqual([
      'InvalidPropertiesError',
      `Cluster ${CLUSTER} does not exist`,
    ]);
    expect(sleep).not.toHaveBeenCalled();
  });

  test('a cluster without IAM access control says so', async () => {
    kafkaMock
      .on(GetBootstrapBrokersCommand)
      .resolves({ BootstrapBrokerStringSaslScram: 'b-1.orders:9096' });
    const cluster = fakeCluster();
    await expect(
      onEvent(event('Create', { cluster: CLUSTER, bindings: [BILLING_WRITE] }), deps(cluster)),
    ).rejects.toThrow(
      new InvalidPropertiesError(
        `${CLUSTER} has no IAM bootstrap brokers: IAM access control must be enabled on the cluster`,
      ),
    );
    expect(cluster.admin.connect).not.toHaveBeenCalled();
  });

  test('Delete: the looked-up brokers unless BootstrapBrokers were given; logs what it deleted', async () => {
    const cluster = fakeCluster([entry(BILLING_WRITE)]);
    const d = deps(cluster);
    await onEvent(
      event('Delete', { cluster: CLUSTER, bindings: [BILLING_WRITE], brokers: 'b-9.orders:9098' }),
      d,
    );
    expect(d.createAdmin).toHaveBeenCalledWith(['b-9.orders:9098'], 'eu-west-1');
    expect(logger.info).toHaveBeenCalledWith('Deleted Kafka ACLs', {
      clusterArn: CLUSTER,
      created: [],
      deleted: [BILLING_WRITE],
    });
  });

  test('Delete of a cluster that is gone logs why nothing was done', async () => {
    kafkaMock
      .on(GetBootstrapBrokersCommand)
      .rejects(new NotFoundException({ message: 'cluster not found', $metadata: {} }));
    await onEvent(event('Delete', { cluster: CLUSTER, bindings: [] }), deps(fakeCluster()));
    expect(logger.info).toHaveBeenCalledWith('The cluster no longer exists; nothing to delete', {
      clusterArn: CLUSTER,
    });
  });
});

describe('more properties', () => {
  test('the physical id is kafka-acls:<cluster ARN>', () => {
    expect(physicalIdFor(CLUSTER)).toBe(`kafka-acls:${CLUSTER}`);
  });

  test('ClusterArn must be a whole MSK cluster ARN', () => {
    for (const arn of [`x${CLUSTER}`, `${CLUSTER}/extra`, CLUSTER.replace(':kafka:', ':s3:'), 42]) {
      expect(() => parseProperties({ ClusterArn: arn })).toThrow(
        new InvalidPropertiesError(
          `ClusterArn must be an MSK cluster ARN, got ${JSON.stringify(arn)}`,
        ),
      );
    }
    expect(() => parseProperties(undefined)).toThrow(
      'ClusterArn must be an MSK cluster ARN, got undefined',
    );
  });

  test('BootstrapBrokers: every broker host:9098, spaces trimmed; empty means look them up', () => {
    expect(
      parseProperties({
        ClusterArn: CLUSTER,
        BootstrapBrokers: ' b-1.orders:9098 , b-2.orders:9098',
      }).bootstrapBrokers,
    ).toEqual(['b-1.orders:9098', 'b-2.orders:9098']);
    expect(parseProperties({ ClusterArn: CLUSTER, BootstrapBrokers: '' }).bootstrapBrokers).toBe(
      undefined,
    );
    expect(parseProperties({ ClusterArn: CLUSTER }).bootstrapBrokers).toBe(undefined);
    for (const brokers of [
      'b-1.orders:9098,b-2.orders:9096',
      'tls://b-1.orders:9098',
      'b-1.orders:90980',
      'b-1.orders:9098,',
      ['b-1.orders:9098'],
      9098,
    ]) {
      expect(() => parseProperties({ ClusterArn: CLUSTER, BootstrapBrokers: brokers })).toThrow(
        new InvalidPropertiesError(
          `BootstrapBrokers must be the IAM bootstrap brokers (host:9098,…), got ${JSON.stringify(brokers)}`,
        ),
      );
    }
  });

  test('Bindings must be a list', () => {
    expect(() => parseProperties({ ClusterArn: CLUSTER, Bindings: 'orders' })).toThrow(
      new InvalidPropertiesError('Bindings must be a list, got "orders"'),
    );
  });
});

describe('confirmation with DescribeAcls', () => {
  test('an ACL that never shows up: the message names the step, the cluster and the ACL', async () => {
    const cluster = fakeCluster();
    cluster.hideFromDescribe.times = 100;
    cluster.hideFromDescribe.entries = [entry(BILLING_WRITE)];
    const failure = await failureOf(
      onEvent(event('Create', { cluster: CLUSTER, bindings: [BILLING_WRITE] }), deps(cluster)),
    );
    expect(failure.message).toBe(
      `Confirming the ACLs of ${CLUSTER} failed after 4 attempts: AclsNotConfirmedError: ` +
        `DescribeAcls on ${CLUSTER} does not confirm the change (missing: ${W})`,
    );
    expect(sleep).toHaveBeenCalledTimes(3);
  });

  test('a deleted ACL that DescribeAcls still shows for a while is confirmed gone later', async () => {
    const cluster = fakeCluster([entry(BILLING_WRITE)]);
    cluster.showInDescribe.times = 2; // the describe before, and the first confirmation
    cluster.showInDescribe.entries = [entry(BILLING_WRITE)];
    await onEvent(
      event(
        'Update',
        { cluster: CLUSTER, bindings: [] },
        { cluster: CLUSTER, bindings: [BILLING_WRITE] },
      ),
      deps(cluster),
    );
    expect(cluster.acls).toEqual([]);
    expect(sleep).toHaveBeenCalledTimes(1);
    expect(cluster.admin.describeAcls).toHaveBeenCalledTimes(3);
  });

  test('a deleted ACL that stays: "still present"', async () => {
    const cluster = fakeCluster([entry(BILLING_WRITE)]);
    cluster.showInDescribe.times = 100;
    cluster.showInDescribe.entries = [entry(BILLING_WRITE)];
    const failure = await failureOf(
      onEvent(event('Delete', { cluster: CLUSTER, bindings: [BILLING_WRITE] }), deps(cluster)),
    );
    expect(failure.message).toBe(
      `Confirming the ACLs of ${CLUSTER} failed after 4 attempts: AclsNotConfirmedError: ` +
        `DescribeAcls on ${CLUSTER} does not confirm the change (still present: ${W})`,
    );
  });

  test('missing and still present in one message', async () => {
    const cluster = fakeCluster([entry(BILLING_WRITE)]);
    cluster.hideFromDescribe.times = 100;
    cluster.hideFromDescribe.entries = [entry(BILLING_GROUP), entry(BILLING_DESCRIBE)];
    cluster.showInDescribe.times = 100;
    cluster.showInDescribe.entries = [entry(BILLING_WRITE)];
    const failure = await failureOf(
      onEvent(
        event(
          'Update',
          { cluster: CLUSTER, bindings: [BILLING_GROUP, BILLING_DESCRIBE] },
          { cluster: CLUSTER, bindings: [BILLING_WRITE] },
        ),
        deps(cluster),
      ),
    );
    expect(failure.message).toBe(
      `Confirming the ACLs of ${CLUSTER} failed after 4 attempts: AclsNotConfirmedError: ` +
        `DescribeAcls on ${CLUSTER} does not confirm the change (missing: ${G}; ${D}; still present: ${W})`,
    );
  });

  test('a user whose name mentions authentication is not mistaken for an access problem', async () => {
    const user = acl('User:sasl-authentication-svc', 'TOPIC', 'logins', 'READ');
    const cluster = fakeCluster();
    cluster.hideFromDescribe.times = 100;
    cluster.hideFromDescribe.entries = [entry(user)];
    const failure = await failureOf(
      onEvent(event('Create', { cluster: CLUSTER, bindings: [user] }), deps(cluster)),
    );
    expect(failure).toBeInstanceOf(RetriesExhaustedError);
    expect(failure.message).toContain(
      'does not confirm the change (missing: User:sasl-authentication-svc',
    );
  });

  test('DescribeAcls timing out every time: the message names DescribeAcls and the cluster', async () => {
    const cluster = fakeCluster();
    cluster.admin.describeAcls.mockRejectedValue(
      protocolError('REQUEST_TIMED_OUT', 7, true, 'The request timed out'),
    );
    const failure = await failureOf(
      onEvent(event('Create', { cluster: CLUSTER, bindings: [BILLING_WRITE] }), deps(cluster)),
    );
    expect(failure.message).toBe(
      `DescribeAcls(${CLUSTER}) failed after 4 attempts: KafkaJSProtocolError: The request timed out`,
    );
    expect(cluster.admin.createAcls).not.toHaveBeenCalled();
  });
});

describe('DeleteAcls', () => {
  test('one exact filter per ACL; a filter matching one ACL, or none, is no alarm', async () => {
    const cluster = fakeCluster([...OTHERS, entry(BILLING_GROUP), entry(BILLING_WRITE)]);
    const realDelete = cluster.admin.deleteAcls.getMockImplementation()!;
    // Someone else deletes BILLING_GROUP a moment before this filter reaches the broker.
    cluster.admin.deleteAcls.mockImplementationOnce(async (request) => {
      await realDelete(request);
      return { throttleTime: 0, filterResponses: [{ errorCode: 0, matchingAcls: [] }] };
    });
    await onEvent(
      event(
        'Update',
        { cluster: CLUSTER, bindings: [] },
        { cluster: CLUSTER, bindings: [BILLING_GROUP, BILLING_WRITE] },
      ),
      deps(cluster),
    );
    expect(cluster.calls.deleteFilters).toEqual([entry(BILLING_GROUP), entry(BILLING_WRITE)]);
    expect(cluster.acls).toEqual(OTHERS);
    expect(logger.error).not.toHaveBeenCalled();
    expect(logger.info).toHaveBeenCalledWith('Updated Kafka ACLs', {
      clusterArn: CLUSTER,
      created: [],
      deleted: [G, W],
    });
  });

  test('an exact filter that matched more than one ACL is logged as an error, and counts as deleted', async () => {
    const cluster = fakeCluster([entry(BILLING_WRITE)]);
    const realDelete = cluster.admin.deleteAcls.getMockImplementation()!;
    // A broker that (against Kafka's filter rules) also reports an ACL from another host.
    cluster.admin.deleteAcls.mockImplementation(async (request) => {
      const response = await realDelete(request);
      const [first] = response.filterResponses;
      const other = { errorCode: 0, ...entry(BILLING_WRITE, { host: '10.0.0.1' }) };
      return {
        ...response,
        filterResponses: [{ ...first, matchingAcls: [...first.matchingAcls, other] }],
      };
    });
    await expect(
      onEvent(event('Delete', { cluster: CLUSTER, bindings: [BILLING_WRITE] }), deps(cluster)),
    ).resolves.toEqual({ PhysicalResourceId: physicalIdFor(CLUSTER) });
    expect(logger.error).toHaveBeenCalledTimes(1);
    expect(logger.error).toHaveBeenCalledWith(
      'An exact DeleteAcls filter matched more than one ACL',
      { binding: W, matched: 2 },
    );
    expect(logger.info).toHaveBeenCalledWith('Deleted Kafka ACLs', {
      clusterArn: CLUSTER,
      created: [],
      deleted: [BILLING_WRITE],
    });
  });

  test('failed deletions: every ACL named with its Kafka error code, nothing confirmed', async () => {
    const cluster = fakeCluster([
      ...OTHERS,
      entry(BILLING_GROUP),
      entry(BILLING_DESCRIBE),
      entry(BILLING_WRITE),
    ]);
    const realDelete = cluster.admin.deleteAcls.getMockImplementation()!;
    cluster.admin.deleteAcls.mockImplementation(async (request) => {
      const name = request.filters[0].resourceName;
      const operation = request.filters[0].operation;
      if (name === 'billing-') {
        throw protocolError(
          'CLUSTER_AUTHORIZATION_FAILED',
          31,
          false,
          'Cluster authorization failed',
        );
      }
      if (operation === AclOperationTypes.WRITE) {
        throw protocolError('REQUEST_TIMED_OUT', 7, true, 'The request timed out');
      }
      return realDelete(request);
    });
    const failure = await failureOf(
      onEvent(
        event(
          'Update',
          { cluster: CLUSTER, bindings: [] },
          { cluster: CLUSTER, bindings: [BILLING_WRITE, BILLING_DESCRIBE, BILLING_GROUP] },
        ),
        deps(cluster),
      ),
    );
    expect(failure).toBeInstanceOf(AclOperationsFailedError);
    expect([failure.name, failure.message]).toEqual([
      'AclOperationsFailedError',
      `Could not delete 2 ACL(s) on ${CLUSTER}: ` +
        `${G}: CLUSTER_AUTHORIZATION_FAILED (31): KafkaJSProtocolError: Cluster authorization failed; ` +
        `${W}: REQUEST_TIMED_OUT (7): KafkaJSProtocolError: The request timed out. ${CHECKLIST}`,
    ]);
    // DESCRIBE was deleted; the timed-out WRITE was tried 4 times; nothing was confirmed.
    expect(cluster.acls).toEqual([...OTHERS, entry(BILLING_GROUP), entry(BILLING_WRITE)]);
    expect(sleep).toHaveBeenCalledTimes(3);
    expect(cluster.admin.describeAcls).toHaveBeenCalledTimes(1);
  });
});

describe('a failed Create or Update: what is rolled back', () => {
  const policyViolation = () =>
    protocolError(
      'POLICY_VIOLATION',
      44,
      false,
      'Request parameters do not satisfy the configured policy',
    );

  test('an ACL the rollback cannot delete is logged and not counted as deleted again', async () => {
    const cluster = fakeCluster();
    cluster.failCreate.set(`orders/${AclOperationTypes.WRITE}`, [policyViolation()]);
    const stuck = protocolError('CLUSTER_AUTHORIZATION_FAILED', 31, false, 'denied');
    const realDelete = cluster.admin.deleteAcls.getMockImplementation()!;
    cluster.admin.deleteAcls.mockImplementation(async (request) => {
      if (request.filters[0].resourceName === 'billing-') throw stuck;
      return realDelete(request);
    });
    const failure = await failureOf(
      onEvent(
        event('Create', {
          cluster: CLUSTER,
          bindings: [BILLING_WRITE, BILLING_DESCRIBE, BILLING_GROUP],
        }),
        deps(cluster),
      ),
    );
    expect(failure.message).toBe(
      `Could not create 1 ACL(s) on ${CLUSTER}: ` +
        `${W}: POLICY_VIOLATION (44): KafkaJSProtocolError: Request parameters do not satisfy the configured policy. ` +
        'The 1 ACL(s) this request had created were deleted again.',
    );
    expect(cluster.acls).toEqual([entry(BILLING_GROUP)]);
    expect(logger.error).toHaveBeenCalledWith('Could not delete an ACL this request created', {
      binding: G,
      error: stuck,
    });
  });

  test('Update on the same cluster keeps what it created (the rollback Update reconciles)', async () => {
    const cluster = fakeCluster();
    cluster.failCreate.set(`orders/${AclOperationTypes.WRITE}`, [policyViolation()]);
    const failure = await failureOf(
      onEvent(
        event(
          'Update',
          { cluster: CLUSTER, bindings: [BILLING_WRITE, BILLING_GROUP] },
          { cluster: CLUSTER, bindings: [] },
        ),
        deps(cluster),
      ),
    );
    expect(failure.message).toBe(
      `Could not create 1 ACL(s) on ${CLUSTER}: ` +
        `${W}: POLICY_VIOLATION (44): KafkaJSProtocolError: Request parameters do not satisfy the configured policy.`,
    );
    expect(cluster.acls).toEqual([entry(BILLING_GROUP)]);
    expect(cluster.admin.deleteAcls).not.toHaveBeenCalled();
  });

  test('Update to a new cluster deletes what it created there', async () => {
    const cluster = fakeCluster();
    cluster.failCreate.set(`orders/${AclOperationTypes.WRITE}`, [policyViolation()]);
    const failure = await failureOf(
      onEvent(
        event(
          'Update',
          { cluster: OTHER_CLUSTER, bindings: [BILLING_WRITE, BILLING_GROUP] },
          { cluster: CLUSTER, bindings: [BILLING_GROUP] },
        ),
        deps(cluster),
      ),
    );
    expect(failure.message).toContain('The 1 ACL(s) this request had created were deleted again.');
    expect(cluster.acls).toEqual([]);
  });

  test('Update to a new cluster does not delete the old ACLs from the new one', async () => {
    const cluster = fakeCluster([entry(BILLING_GROUP)]);
    await onEvent(
      event(
        'Update',
        { cluster: OTHER_CLUSTER, bindings: [BILLING_WRITE] },
        { cluster: CLUSTER, bindings: [BILLING_WRITE, BILLING_GROUP] },
      ),
      deps(cluster),
    );
    expect(cluster.acls).toEqual([entry(BILLING_GROUP), entry(BILLING_WRITE)]);
    expect(cluster.admin.deleteAcls).not.toHaveBeenCalled();
    expect(logger.info).toHaveBeenCalledWith('Updated Kafka ACLs', {
      clusterArn: OTHER_CLUSTER,
      created: [W],
      deleted: [],
    });
  });

  test('the access checklist is added when any one ACL was refused for authorization', async () => {
    const cluster = fakeCluster();
    cluster.failCreate.set(`orders/${AclOperationTypes.WRITE}`, [policyViolation()]);
    cluster.failCreate.set(`billing-/${AclOperationTypes.READ}`, [
      protocolError('SECURITY_DISABLED', 54, false, 'Security features are disabled'),
    ]);
    const failure = await failureOf(
      onEvent(
        event('Create', { cluster: CLUSTER, bindings: [BILLING_WRITE, BILLING_GROUP] }),
        deps(cluster),
      ),
    );
    expect(failure.message).toBe(
      `Could not create 2 ACL(s) on ${CLUSTER}: ` +
        `${G}: SECURITY_DISABLED (54): KafkaJSProtocolError: Security features are disabled; ` +
        `${W}: POLICY_VIOLATION (44): KafkaJSProtocolError: Request parameters do not satisfy the configured policy. ` +
        CHECKLIST,
    );
  });

  test('a rejection that is not an Error still names the ACL', async () => {
    const cluster = fakeCluster();
    cluster.admin.createAcls.mockRejectedValue(undefined);
    const failure = await failureOf(
      onEvent(event('Create', { cluster: CLUSTER, bindings: [BILLING_WRITE] }), deps(cluster)),
    );
    expect(failure.message).toBe(
      `Could not create 1 ACL(s) on ${CLUSTER}: ${W}: UnknownError: undefined.`,
    );
  });

  test('Created ACLs are logged', async () => {
    await onEvent(
      event('Create', { cluster: CLUSTER, bindings: [BILLING_WRITE] }),
      deps(fakeCluster()),
    );
    expect(logger.info).toHaveBeenCalledWith('Created Kafka ACLs', {
      clusterArn: CLUSTER,
      created: [W],
      deleted: [],
    });
  });
});

describe('explainAccessFailure', () => {
  const BROKERS = ['b-1.orders:9098', 'b-2.orders:9098'];
  const named = (name: string, message: string, cause?: unknown) =>
    Object.assign(new Error(message, { cause }), { name });
  const sasl = named('KafkaJSSASLAuthenticationError', 'SASL OAUTHBEARER authentication failed');
  const authServiceAcl = acl('User:sasl-authentication-svc', 'TOPIC', 'logins', 'READ');

  test.each([
    [
      'AclOperationsFailedError',
      new AclOperationsFailedError('create', CLUSTER, [
        { binding: authServiceAcl, code: 'POLICY_VIOLATION (44)', message: 'Connection timeout' },
      ]),
    ],
    ['AclsNotConfirmedError', new AclsNotConfirmedError(CLUSTER, [authServiceAcl], [])],
    [
      'KafkaAccessError',
      new KafkaAccessError('connect', CLUSTER, BROKERS, named('Error', 'connect ECONNREFUSED')),
    ],
    ['InvalidPropertiesError', new InvalidPropertiesError('SASL brokers missing')],
  ])('an %s is passed on as it is, also after retries', (_name, error) => {
    expect(explainAccessFailure(error, CLUSTER, BROKERS)).toBe(error);
    const exhausted = new RetriesExhaustedError('DescribeAcls', 4, error);
    expect(explainAccessFailure(exhausted, CLUSTER, BROKERS)).toBe(exhausted);
  });

  test.each([
    ['authorize', protocolError('CLUSTER_AUTHORIZATION_FAILED', 31)],
    ['authorize', protocolError('SECURITY_DISABLED', 54)],
    ['authenticate', sasl],
    ['authenticate', named('KafkaJSNonRetriableError', 'Request failed', sasl)],
    ['connect', new KafkaJSConnectionError('Connection error')],
    ['connect', named('Error', 'getaddrinfo ENOTFOUND b-1.orders')],
    ['connect', named('Error', 'connect ECONNREFUSED 10.0.1.5:9098')],
    ['connect', named('Error', 'connect EHOSTUNREACH 10.0.1.5:9098')],
    ['connect', named('Error', 'connect ETIMEDOUT 10.0.1.5:9098')],
    ['connect', named('KafkaJSError', 'Closed connection')],
    ['connect', new RetriesExhaustedError('DescribeAcls', 4, new KafkaJSConnectionError('x'))],
  ])('%s: %p', (problem, error) => {
    const explained = explainAccessFailure(error, CLUSTER, BROKERS);
    expect(explained).toBeInstanceOf(KafkaAccessError);
    expect((explained as KafkaAccessError).problem).toBe(problem);
    expect((explained as KafkaAccessError).cause).toBe(error);
  });

  test('the message: what failed, the cause, the brokers, what to check', () => {
    const error = named('Error', 'getaddrinfo ENOTFOUND b-1.orders');
    const explained = explainAccessFailure(error, CLUSTER, BROKERS) as KafkaAccessError;
    expect([explained.name, explained.message]).toEqual([
      'KafkaAccessError',
      `Cannot connect to the brokers of ${CLUSTER} over IAM (TLS, port 9098) ` +
        `(Error: getaddrinfo ENOTFOUND b-1.orders; brokers b-1.orders:9098,b-2.orders:9098). ${CHECKLIST}`,
    ]);
    expect(new KafkaAccessError('authorize', CLUSTER, BROKERS, 'denied').message).toBe(
      `Not authorized to administer ACLs on ${CLUSTER} (denied; brokers b-1.orders:9098,b-2.orders:9098). ${CHECKLIST}`,
    );
  });

  test('anything else is passed on as it is', () => {
    for (const error of [
      protocolError(
        'UNKNOWN_SERVER_ERROR',
        -1,
        false,
        'The server experienced an unexpected error',
      ),
      named('TypeError', "Cannot read properties of undefined (reading 'acls')"),
      'boom',
      undefined,
      null,
    ]) {
      expect(explainAccessFailure(error, CLUSTER, BROKERS)).toBe(error);
    }
  });
});

describe('the admin client is always disconnected', () => {
  test('a failing disconnect is logged and does not fail the deployment', async () => {
    const cluster = fakeCluster();
    const stuck = new Error('socket hang up');
    cluster.admin.disconnect.mockRejectedValue(stuck);
    await expect(
      onEvent(event('Create', { cluster: CLUSTER, bindings: [BILLING_WRITE] }), deps(cluster)),
    ).resolves.toEqual({ PhysicalResourceId: physicalIdFor(CLUSTER), Data: { BindingCount: 1 } });
    expect(cluster.has(BILLING_WRITE)).toBe(true);
    expect(logger.warn).toHaveBeenCalledWith('Disconnecting the Kafka admin client failed', {
      error: stuck,
    });
  });

  test('when the work and the disconnect both fail, the work’s error is reported', async () => {
    const cluster = fakeCluster();
    const unknown = protocolError('UNKNOWN_SERVER_ERROR', -1);
    cluster.admin.describeAcls.mockRejectedValue(unknown);
    cluster.admin.disconnect.mockRejectedValue(new Error('socket hang up'));
    await expect(
      onEvent(event('Create', { cluster: CLUSTER, bindings: [BILLING_WRITE] }), deps(cluster)),
    ).rejects.toBe(unknown);
    expect(cluster.admin.disconnect).toHaveBeenCalledTimes(1);
  });
});

describe('handler and the kafkajs admin client over IAM', () => {
  const kafkajs = jest.requireActual<typeof import('kafkajs')>('kafkajs');
  const context = (remainingMs: number) =>
    ({
      functionName: 'kafka-acls',
      awsRequestId: 'req-1',
      getRemainingTimeInMillis: () => remainingMs,
    }) as unknown as Context;
  let cluster: ReturnType<typeof fakeCluster>;
  let Kafka: jest.SpyInstance;

  beforeEach(() => {
    cluster = fakeCluster();
    Kafka = jest
      .spyOn(kafkajs, 'Kafka')
      .mockImplementation(() => ({ admin: () => cluster.admin }) as never);
    // Zero backoff: the real sleep (setTimeout) returns at once.
    jest.spyOn(Math, 'random').mockReturnValue(0);
    jest.spyOn(logger, 'addContext').mockImplementation(() => undefined);
    jest.mocked(generateAuthToken).mockResolvedValue({
      token: 'signed-token',
      expiryTime: Date.now() + 900_000,
    });
  });

  test('TLS and SASL/OAUTHBEARER with tokens signed for the cluster’s Region', async () => {
    const admin = createIamAdmin(['b-1.orders:9098', 'b-2.orders:9098'], 'eu-west-1');
    expect(admin).toBe(cluster.admin);
    expect(Kafka).toHaveBeenCalledTimes(1);
    const config = Kafka.mock.calls[0][0] as KafkaConfig;
    expect(config).toEqual({
      clientId: 'msk-secure-stack-kafka-acls',
      brokers: ['b-1.orders:9098', 'b-2.orders:9098'],
      ssl: true,
      sasl: { mechanism: 'oauthbearer', oauthBearerProvider: expect.any(Function) },
      connectionTimeout: 10_000,
      authenticationTimeout: 10_000,
      requestTimeout: 30_000,
      retry: { retries: 3 },
      logLevel: logLevel.WARN,
      logCreator: expect.any(Function),
    });
    const sasl = config.sasl as { oauthBearerProvider: () => Promise<{ value: string }> };
    await expect(sasl.oauthBearerProvider()).resolves.toEqual({ value: 'signed-token' });
    expect(generateAuthToken).toHaveBeenCalledWith({ region: 'eu-west-1' });
  });

  test('kafkajs errors and warnings go to the function’s logger', () => {
    createIamAdmin(['b-1.orders:9098'], 'eu-west-1');
    const log = (Kafka.mock.calls[0][0] as KafkaConfig).logCreator!(logLevel.WARN);
    const line = (level: logLevel, message: string) => ({
      namespace: 'Connection',
      level,
      label: 'x',
      log: { timestamp: 't', message, broker: 'b-1.orders:9098' },
    });
    log(line(logLevel.ERROR, 'Connection error'));
    log(line(logLevel.WARN, 'Retrying'));
    expect(logger.error).toHaveBeenCalledWith('kafkajs: Connection error', {
      timestamp: 't',
      broker: 'b-1.orders:9098',
    });
    expect(logger.warn).toHaveBeenCalledWith('kafkajs: Retrying', {
      timestamp: 't',
      broker: 'b-1.orders:9098',
    });
    expect(logger.error).toHaveBeenCalledTimes(1);
    expect(logger.warn).toHaveBeenCalledTimes(1);
  });

  test('Create through the handler: the cluster’s IAM brokers, retries logged', async () => {
    kafkaMock
      .on(GetBootstrapBrokersCommand)
      .rejectsOnce(new TooManyRequestsException({ message: 'Rate exceeded', $metadata: {} }))
      .resolves({ BootstrapBrokerStringSaslIam: IAM_BROKERS });
    const ctx = context(900_000);
    await expect(
      handler(event('Create', { cluster: CLUSTER, bindings: [BILLING_WRITE] }), ctx),
    ).resolves.toEqual({ PhysicalResourceId: physicalIdFor(CLUSTER), Data: { BindingCount: 1 } });
    expect(logger.addContext).toHaveBeenCalledWith(ctx);
    expect((Kafka.mock.calls[0][0] as KafkaConfig).brokers).toEqual(IAM_BROKERS.split(','));
    expect(cluster.has(BILLING_WRITE)).toBe(true);
    expect(logger.warn).toHaveBeenCalledWith('Retrying', {
      error: expect.objectContaining({ name: 'TooManyRequestsException' }),
      attempt: 1,
      delayMs: 0,
    });
  });

  test('a failure is logged and rethrown; no retry within the last 10 s', async () => {
    kafkaMock
      .on(GetBootstrapBrokersCommand)
      .rejects(new TooManyRequestsException({ message: 'Rate exceeded', $metadata: {} }));
    const failure = await failureOf(
      handler(event('Create', { cluster: CLUSTER, bindings: [BILLING_WRITE] }), context(10_000)),
    );
    expect(failure.message).toBe(
      `GetBootstrapBrokers(${CLUSTER}) failed after 1 attempt: TooManyRequestsException: Rate exceeded`,
    );
    expect(logger.error).toHaveBeenCalledWith('Kafka ACLs failed', { error: failure });
    expect(Kafka).not.toHaveBeenCalled();
  });
});
