/**
 * The `Custom::MskKafkaAcls` handler (`lambda/kafka-acls`) against a real broker: its `onEvent`
 * with kafkajs's real admin client, connected as the super user (standing in for the handler's
 * IAM identity, to which MSK applies no ACLs). Only the AWS control plane is a fake:
 * `GetBootstrapBrokers` answers with the local broker.
 *
 * Every test works on its own principals and topics (`owner` below), and reads the broker's
 * ACLs back with DescribeAcls to check the result.
 */
import { GetBootstrapBrokersCommand, KafkaClient } from '@aws-sdk/client-kafka';
import type { CdkCustomResourceEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import {
  AclEntry,
  AclOperationTypes,
  AclPermissionTypes,
  AclResourceTypes,
  Admin,
  ResourcePatternTypes,
} from 'kafkajs';
import { Deps } from '../../secure-msk-constructs/handlers/kafka-acls/acls';
import {
  AclOperationsFailedError,
  KafkaAccessError,
} from '../../secure-msk-constructs/handlers/kafka-acls/errors';
import { onEvent, physicalIdFor } from '../../secure-msk-constructs/handlers/kafka-acls/index';
import {
  AclBinding,
  AclBindingLike,
  bindingKey,
} from '../../secure-msk-constructs/model/acl-binding';
import {
  AclAdmin,
  describeBindings,
  toAclEntry,
} from '../../secure-msk-constructs/handlers/shared/kafka-acl-admin';
import { acl } from '../fixtures/acl-binding';
import { freePort } from './broker';
import { BrokerInfo, eachBroker, kafkaAs, unique } from './context';

const CLUSTER = 'arn:aws:kafka:eu-west-1:111122223333:cluster/msk-secure-dev/0a1b2c3d-test-1';
const kafkaMock = mockClient(KafkaClient);

type Props = { bindings: readonly AclBinding[]; cluster?: string };
const properties = (p: Props) => ({
  ServiceToken: 'arn:aws:lambda:eu-west-1:111122223333:function:provider',
  ClusterArn: p.cluster ?? CLUSTER,
  Bindings: p.bindings,
});

function event(type: 'Create' | 'Update' | 'Delete', props: Props, old?: Props) {
  const base = {
    ServiceToken: 'arn:aws:lambda:eu-west-1:111122223333:function:provider',
    ResponseURL: 'https://example.invalid/response',
    StackId: 'arn:aws:cloudformation:eu-west-1:111122223333:stack/msk/guid',
    RequestId: unique('request'),
    LogicalResourceId: 'KafkaAcls',
    ResourceType: 'Custom::MskKafkaAcls',
    ResourceProperties: properties(props),
  };
  const PhysicalResourceId = physicalIdFor(CLUSTER);
  if (type === 'Create') return { ...base, RequestType: 'Create' } as CdkCustomResourceEvent;
  if (type === 'Delete') {
    return { ...base, RequestType: 'Delete', PhysicalResourceId } as CdkCustomResourceEvent;
  }
  return {
    ...base,
    RequestType: 'Update',
    PhysicalResourceId,
    OldResourceProperties: properties(old!),
  } as CdkCustomResourceEvent;
}

/** A kafkajs CreateAcls entry back in the project's words (the inverse of toAclEntry). */
function describedAs(e: AclEntry): AclBindingLike {
  const nameOf = (table: object, code: number) =>
    Object.entries(table).find(([, v]) => v === code)?.[0] ?? `UNKNOWN(${code})`;
  return {
    resourceType: nameOf(AclResourceTypes, e.resourceType),
    resourceName: e.resourceName,
    patternType: nameOf(ResourcePatternTypes, e.resourcePatternType),
    principal: e.principal,
    host: e.host,
    operation: nameOf(AclOperationTypes, e.operation),
    permission: nameOf(AclPermissionTypes, e.permissionType),
  };
}

describe.each(eachBroker())('KafkaAcls onEvent on Kafka %s', (_version, broker: BrokerInfo) => {
  let admin: Admin;
  /** Brokers and Region each createAdmin call was given. */
  let connections: { brokers: readonly string[]; region: string }[];
  /** Lets a test change the admin client the handler gets (fault injection). */
  let wrapAdmin: (admin: Admin) => AclAdmin;

  const deps = (): Deps => ({
    kafka: new KafkaClient({ region: 'eu-west-1' }),
    createAdmin: (brokers, region) => {
      connections.push({ brokers, region });
      // The handler's brokers (from the fake GetBootstrapBrokers), as the super user over TLS.
      return wrapAdmin(kafkaAs(broker, 'admin', { brokers: [...brokers] }).admin());
    },
    retry: { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1_000, remainingTimeMs: () => 60_000 },
  });

  /** The broker's ACLs of these principals, as sorted binding keys. */
  const aclsOf = async (...principals: string[]): Promise<string[]> =>
    (await describeBindings(admin))
      .filter((b: AclBindingLike) => principals.includes(b.principal))
      .map(bindingKey)
      .sort();
  const keys = (bindings: readonly AclBindingLike[]) => bindings.map(bindingKey).sort();

  beforeAll(async () => {
    admin = kafkaAs(broker, 'admin').admin();
    await admin.connect();
  });
  afterAll(async () => {
    await admin.disconnect();
  });
  beforeEach(() => {
    connections = [];
    wrapAdmin = (a) => a;
    kafkaMock.reset();
    kafkaMock
      .on(GetBootstrapBrokersCommand, { ClusterArn: CLUSTER })
      .resolves({ BootstrapBrokerStringSaslIam: broker.bootstrap });
  });

  /** A user's produce and consume ACLs, on names no other test uses. */
  function owner() {
    const name = unique('acls');
    const principal = `User:${name}`;
    const topic = `${name}-orders`;
    return {
      principal,
      topic,
      write: acl(principal, 'TOPIC', topic, 'WRITE'),
      describe: acl(principal, 'TOPIC', topic, 'DESCRIBE'),
      read: acl(principal, 'TOPIC', topic, 'READ'),
      group: acl(principal, 'GROUP', `${name}-`, 'READ', 'PREFIXED'),
    };
  }

  test('Create makes exactly the desired ACLs, found by the handler through GetBootstrapBrokers', async () => {
    const o = owner();
    const desired = [o.write, o.describe, o.read, o.group];
    const response = await onEvent(event('Create', { bindings: desired }), deps());

    expect(response).toEqual({
      PhysicalResourceId: physicalIdFor(CLUSTER),
      Data: { BindingCount: 4 },
    });
    expect(await aclsOf(o.principal)).toEqual(keys(desired));
    expect(connections).toEqual([{ brokers: [broker.bootstrap], region: 'eu-west-1' }]);
  });

  test('an identical ACL that already exists is adopted: Create succeeds, Delete removes it', async () => {
    const o = owner();
    await admin.createAcls({ acl: [toAclEntry(o.write)] });
    expect(await aclsOf(o.principal)).toEqual(keys([o.write]));

    await onEvent(event('Create', { bindings: [o.write, o.describe] }), deps());
    expect(await aclsOf(o.principal)).toEqual(keys([o.write, o.describe]));

    await onEvent(event('Delete', { bindings: [o.write, o.describe] }), deps());
    expect(await aclsOf(o.principal)).toEqual([]);
  });

  test("another owner's ACLs are never touched, however close to ours", async () => {
    const o = owner();
    const mine = [o.write, o.describe];
    // Each differs from one of ours in exactly one field: principal, operation, pattern type,
    // resource type, host, permission.
    const others: AclBindingLike[] = [
      { ...o.write, principal: `${o.principal}-other` },
      { ...o.write, operation: 'READ' },
      { ...o.write, patternType: 'PREFIXED' },
      { ...o.write, resourceType: 'GROUP' },
      { ...o.write, host: '10.0.0.1' },
      { ...o.write, permission: 'DENY' },
    ];
    await admin.createAcls({ acl: others.map((b) => toAclEntry(b as AclBinding)) });
    const before = await aclsOf(o.principal, `${o.principal}-other`);
    expect(before).toEqual(keys(others));

    await onEvent(event('Create', { bindings: mine }), deps());
    await onEvent(event('Update', { bindings: [o.describe] }, { bindings: mine }), deps());
    await onEvent(event('Delete', { bindings: [o.describe] }), deps());

    expect(await aclsOf(o.principal, `${o.principal}-other`)).toEqual(before);
  });

  test('Update adds the new bindings and removes the dropped ones', async () => {
    const o = owner();
    await onEvent(event('Create', { bindings: [o.write, o.describe] }), deps());

    const response = await onEvent(
      event(
        'Update',
        { bindings: [o.describe, o.read, o.group] },
        { bindings: [o.write, o.describe] },
      ),
      deps(),
    );

    expect(response.PhysicalResourceId).toBe(physicalIdFor(CLUSTER));
    expect(await aclsOf(o.principal)).toEqual(keys([o.describe, o.read, o.group]));
  });

  test("Delete removes this resource's ACLs and nothing else of the principal", async () => {
    const o = owner();
    const foreign = acl(o.principal, 'TOPIC', `${o.topic}-foreign`, 'WRITE');
    await admin.createAcls({ acl: [toAclEntry(foreign)] });
    await onEvent(event('Create', { bindings: [o.write, o.describe, o.group] }), deps());

    await onEvent(event('Delete', { bindings: [o.write, o.describe, o.group] }), deps());

    expect(await aclsOf(o.principal)).toEqual(keys([foreign]));
  });

  test('a binding the broker rejects: the ACLs created before it are removed, the error names it and Kafka’s code', async () => {
    // No binding that parseProperties accepts is refused by a healthy broker on its own: Kafka's
    // per-ACL checks (an empty name, a CLUSTER resource not named kafka-cluster, a principal
    // without a type, ANY/UNKNOWN codes) are all refused earlier, at parse time. So this test
    // rewrites one CreateAcls request on its way to the broker into one with a CLUSTER
    // resource named after the topic, which the broker refuses; everything else is real.
    const o = owner();
    const rejected = o.read; // created third: after DESCRIBE and before WRITE in sorted order
    const refused = { ...toAclEntry(rejected), resourceType: AclResourceTypes.CLUSTER };
    wrapAdmin = (a) => ({
      connect: () => a.connect(),
      disconnect: () => a.disconnect(),
      describeAcls: (filter) => a.describeAcls(filter),
      deleteAcls: (request) => a.deleteAcls(request),
      createAcls: (request) =>
        a.createAcls(
          bindingKey(describedAs(request.acl[0])) === bindingKey(rejected)
            ? { acl: [refused] }
            : request,
        ),
    });

    const error: unknown = await onEvent(
      event('Create', { bindings: [o.write, o.describe, rejected, o.group] }),
      deps(),
    ).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(AclOperationsFailedError);
    const failed = error as AclOperationsFailedError;
    expect(failed.failures.map((f) => bindingKey(f.binding))).toEqual([bindingKey(rejected)]);
    expect(failed.failures[0].code).toBe('INVALID_REQUEST (42)');
    expect(failed.message).toContain(
      `${o.principal} ALLOW READ on TOPIC:LITERAL:${o.topic} from *: INVALID_REQUEST (42)`,
    );
    expect(failed.rolledBack.length).toBeGreaterThan(0);
    expect(failed.message).toContain(
      `The ${failed.rolledBack.length} ACL(s) this request had created were deleted again.`,
    );
    // Nothing of this request is left on the broker, the rewritten CLUSTER ACL included.
    expect(await aclsOf(o.principal)).toEqual([]);
  });

  test('a wrong password: a KafkaAccessError that says authentication failed and what to check', async () => {
    const o = owner();
    const error: unknown = await onEvent(event('Create', { bindings: [o.write] }), {
      ...deps(),
      createAdmin: (brokers) =>
        kafkaAs(broker, 'admin', { brokers: [...brokers], password: 'wrong' }).admin(),
    }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(KafkaAccessError);
    expect((error as KafkaAccessError).problem).toBe('authenticate');
    expect((error as Error).message).toMatch(
      /authentication to .* failed \(KafkaJSSASLAuthenticationError: SASL SCRAM SHA512 authentication failed/,
    );
    expect(await aclsOf(o.principal)).toEqual([]);
  });

  test('brokers that do not answer: a KafkaAccessError that says it cannot connect', async () => {
    const o = owner();
    const closed = `127.0.0.1:${await freePort()}`;
    kafkaMock
      .on(GetBootstrapBrokersCommand, { ClusterArn: CLUSTER })
      .resolves({ BootstrapBrokerStringSaslIam: closed });
    const error: unknown = await onEvent(event('Create', { bindings: [o.write] }), {
      ...deps(),
      createAdmin: (brokers) =>
        kafkaAs(broker, 'admin', {
          brokers: [...brokers],
          retry: { retries: 1, initialRetryTime: 50 },
        }).admin(),
    }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(KafkaAccessError);
    expect((error as KafkaAccessError).problem).toBe('connect');
    expect((error as Error).message).toContain(`brokers ${closed}`);
    expect((error as Error).message).toMatch(/ECONNREFUSED/);
  });
});
