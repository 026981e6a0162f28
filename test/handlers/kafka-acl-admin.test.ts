import {
  AclOperationTypes,
  AclPermissionTypes,
  AclResourceTypes,
  KafkaJSNonRetriableError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSProtocolError,
  ResourcePatternTypes,
} from 'kafkajs';
import { AclBinding } from '../../secure-msk-constructs/model/acl-binding';
import {
  describeBindings,
  kafkaErrorCode,
  toAclEntry,
  toExactFilter,
} from '../../secure-msk-constructs/handlers/shared/kafka-acl-admin';

const BILLING_GROUP: AclBinding = {
  resourceType: 'GROUP',
  resourceName: 'billing-',
  patternType: 'PREFIXED',
  principal: 'User:billing',
  host: '*',
  operation: 'READ',
  permission: 'ALLOW',
};

const protocolError = (type: string, code: number) =>
  new KafkaJSProtocolError(<never>{ message: type, type, code, retriable: false });

describe('toAclEntry and toExactFilter', () => {
  test('Kafka’s numeric codes for every field', () => {
    const expected = {
      resourceType: 3, // GROUP
      resourceName: 'billing-',
      resourcePatternType: 4, // PREFIXED
      principal: 'User:billing',
      host: '*',
      operation: 3, // READ
      permissionType: 3, // ALLOW
    };
    expect(toAclEntry(BILLING_GROUP)).toEqual(expected);
    // The DeleteAcls filter names every field exactly: never ANY (1) or MATCH (2).
    expect(toExactFilter(BILLING_GROUP)).toEqual(expected);
    expect(
      toExactFilter({
        ...BILLING_GROUP,
        resourceType: 'CLUSTER',
        resourceName: 'kafka-cluster',
        patternType: 'LITERAL',
        operation: 'IDEMPOTENT_WRITE',
      }),
    ).toEqual({
      ...expected,
      resourceType: AclResourceTypes.CLUSTER,
      resourceName: 'kafka-cluster',
      resourcePatternType: ResourcePatternTypes.LITERAL,
      operation: AclOperationTypes.IDEMPOTENT_WRITE,
    });
  });
});

describe('describeBindings', () => {
  const admin = (resources: unknown[]) => ({
    describeAcls: jest.fn(async (_filter: unknown) => ({
      throttleTime: 0,
      errorCode: 0,
      resources: resources as never,
    })),
  });

  test('asks for every ACL and names each one', async () => {
    const a = admin([
      {
        resourceType: AclResourceTypes.TOPIC,
        resourceName: 'orders',
        resourcePatternType: ResourcePatternTypes.LITERAL,
        acls: [
          {
            principal: 'User:billing',
            host: '*',
            operation: AclOperationTypes.WRITE,
            permissionType: AclPermissionTypes.ALLOW,
          },
          {
            principal: 'User:audit',
            host: '10.0.0.1',
            operation: AclOperationTypes.READ,
            permissionType: AclPermissionTypes.DENY,
          },
        ],
      },
      {
        resourceType: AclResourceTypes.TRANSACTIONAL_ID,
        resourceName: 'tx-',
        resourcePatternType: ResourcePatternTypes.PREFIXED,
        acls: [
          {
            principal: 'User:billing',
            host: '*',
            operation: AclOperationTypes.DESCRIBE,
            permissionType: AclPermissionTypes.ALLOW,
          },
        ],
      },
    ]);

    await expect(describeBindings(a)).resolves.toEqual([
      {
        resourceType: 'TOPIC',
        resourceName: 'orders',
        patternType: 'LITERAL',
        principal: 'User:billing',
        host: '*',
        operation: 'WRITE',
        permission: 'ALLOW',
      },
      {
        resourceType: 'TOPIC',
        resourceName: 'orders',
        patternType: 'LITERAL',
        principal: 'User:audit',
        host: '10.0.0.1',
        operation: 'READ',
        permission: 'DENY',
      },
      {
        resourceType: 'TRANSACTIONAL_ID',
        resourceName: 'tx-',
        patternType: 'PREFIXED',
        principal: 'User:billing',
        host: '*',
        operation: 'DESCRIBE',
        permission: 'ALLOW',
      },
    ]);
    expect(a.describeAcls).toHaveBeenCalledTimes(1);
    expect(a.describeAcls.mock.calls[0][0]).toStrictEqual({
      resourceType: AclResourceTypes.ANY,
      resourcePatternType: ResourcePatternTypes.ANY,
      operation: AclOperationTypes.ANY,
      permissionType: AclPermissionTypes.ANY,
    });
  });

  test('only one principal’s ACLs when a principal is given', async () => {
    const a = admin([]);
    await expect(describeBindings(a, 'User:billing')).resolves.toEqual([]);
    expect(a.describeAcls.mock.calls[0][0]).toStrictEqual({
      resourceType: AclResourceTypes.ANY,
      resourcePatternType: ResourcePatternTypes.ANY,
      operation: AclOperationTypes.ANY,
      permissionType: AclPermissionTypes.ANY,
      principal: 'User:billing',
    });
  });

  test('codes this kafkajs does not know are shown as UNKNOWN(<code>)', async () => {
    const a = admin([
      {
        resourceType: 99,
        resourceName: 'x',
        resourcePatternType: 98,
        acls: [{ principal: 'User:x', host: '*', operation: 97, permissionType: 96 }],
      },
    ]);
    await expect(describeBindings(a)).resolves.toEqual([
      {
        resourceType: 'UNKNOWN(99)',
        resourceName: 'x',
        patternType: 'UNKNOWN(98)',
        principal: 'User:x',
        host: '*',
        operation: 'UNKNOWN(97)',
        permission: 'UNKNOWN(96)',
      },
    ]);
  });
});

describe('kafkaErrorCode', () => {
  test('a protocol error: Kafka’s error name and code', () => {
    expect(kafkaErrorCode(protocolError('CLUSTER_AUTHORIZATION_FAILED', 31))).toBe(
      'CLUSTER_AUTHORIZATION_FAILED (31)',
    );
    expect(kafkaErrorCode({ type: 'SECURITY_DISABLED' })).toBe('SECURITY_DISABLED');
  });

  test('found through kafkajs’s wrappers (cause)', () => {
    const denied = protocolError('CLUSTER_AUTHORIZATION_FAILED', 31);
    const exceeded = new KafkaJSNumberOfRetriesExceeded(denied, { retryCount: 3, retryTime: 1 });
    expect(kafkaErrorCode(exceeded)).toBe('CLUSTER_AUTHORIZATION_FAILED (31)');
    const wrapped = Object.assign(new KafkaJSNonRetriableError(exceeded), { cause: exceeded });
    expect(kafkaErrorCode(new Error('outer', { cause: wrapped }))).toBe(
      'CLUSTER_AUTHORIZATION_FAILED (31)',
    );
  });

  test('looks at most five errors deep, then names the outer error', () => {
    const chain = (depth: number): unknown => {
      let e: unknown = protocolError('REQUEST_TIMED_OUT', 7);
      for (let i = 0; i < depth; i++) e = Object.assign(new Error(`level ${i}`), { cause: e });
      return e;
    };
    expect(kafkaErrorCode(chain(4))).toBe('REQUEST_TIMED_OUT (7)');
    expect(kafkaErrorCode(chain(5))).toBe('Error');
    // A cause that points back at itself does not loop forever.
    const loop = Object.assign(new TypeError('loop'), { cause: undefined as unknown });
    loop.cause = loop;
    expect(kafkaErrorCode(loop)).toBe('TypeError');
  });

  test('no Kafka error code: the error’s name, or UnknownError', () => {
    const sasl = new Error('SASL authentication failed');
    sasl.name = 'KafkaJSSASLAuthenticationError';
    expect(kafkaErrorCode(sasl)).toBe('KafkaJSSASLAuthenticationError');
    expect(kafkaErrorCode({ type: '', name: 'KafkaJSError' })).toBe('KafkaJSError');
    for (const value of [undefined, null, 'boom', 42, {}]) {
      expect([value, kafkaErrorCode(value)]).toEqual([value, 'UnknownError']);
    }
  });
});
