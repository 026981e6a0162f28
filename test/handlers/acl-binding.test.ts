import {
  AclBindingLike,
  bindingKey,
  bindingProblems,
  formatBinding,
  normalizeBindings,
  scramPrincipal,
} from '../../secure-msk-constructs/model/acl-binding';
import { SCRAM_USER_NAME } from '../../secure-msk-constructs/model/rules';
import { acl } from '../fixtures/acl-binding';

const BILLING_WRITE = acl('User:billing', 'TOPIC', 'orders', 'WRITE');

const PRINCIPAL_PROBLEM = (principal: unknown) =>
  `principal ${JSON.stringify(principal)} must be User:<SCRAM user name> (1–128 characters of letters, digits, ".", "_" and "-")`;
const NAME_PROBLEM = (name: unknown) =>
  `resourceName ${JSON.stringify(name)} must be 1–255 characters without spaces`;

describe('SCRAM user names and principals', () => {
  test('the whole name must be 1–128 safe characters', () => {
    for (const name of ['billing', 'a', 'svc.billing_v2-eu', 'x'.repeat(128)]) {
      expect([name, SCRAM_USER_NAME.test(name)]).toEqual([name, true]);
    }
    for (const name of ['', 'x'.repeat(129), 'bad name', 'billing!', '!billing', 'a/b', '*']) {
      expect([name, SCRAM_USER_NAME.test(name)]).toEqual([name, false]);
    }
  });

  test('the principal Kafka gives a SCRAM client is User:<name>', () => {
    expect(scramPrincipal('billing')).toBe('User:billing');
  });
});

describe('bindingKey and formatBinding', () => {
  test('formatBinding reads like Kafka’s authorizer log', () => {
    expect(formatBinding(acl('User:billing', 'GROUP', 'billing-', 'READ', 'PREFIXED'))).toBe(
      'User:billing ALLOW READ on GROUP:PREFIXED:billing- from *',
    );
  });

  test('every field is part of the identity, and fields cannot run into each other', () => {
    const described: AclBindingLike = { ...BILLING_WRITE, permission: 'DENY' };
    expect(bindingKey(BILLING_WRITE)).toBe('User:billing|*|ALLOW|WRITE|TOPIC|LITERAL|orders');
    expect(bindingKey({ ...BILLING_WRITE })).toBe(bindingKey(BILLING_WRITE));
    expect(bindingKey(described)).not.toBe(bindingKey(BILLING_WRITE));
    // As a broker may describe them: principal "User:a*" from host "" vs "User:a" from "*".
    expect(bindingKey({ ...BILLING_WRITE, principal: 'User:a*', host: '' })).not.toBe(
      bindingKey({ ...BILLING_WRITE, principal: 'User:a' }),
    );
  });
});

describe('normalizeBindings', () => {
  const a = acl('User:a', 'TOPIC', 'orders', 'WRITE');
  const aDotB = acl('User:a.b', 'GROUP', 'orders', 'READ');
  const bGroup = acl('User:b', 'GROUP', 'orders', 'READ');
  const bTopicRead = acl('User:b', 'TOPIC', 'orders', 'READ');
  const bTopicWrite = acl('User:b', 'TOPIC', 'orders', 'WRITE');

  test('sorts by principal, then resource, then operation, whatever the input order', () => {
    const sorted = [a, aDotB, bGroup, bTopicRead, bTopicWrite];
    expect(normalizeBindings(sorted)).toEqual(sorted);
    expect(normalizeBindings([...sorted].reverse())).toEqual(sorted);
    expect(normalizeBindings([bTopicRead, a, bTopicWrite, aDotB, bGroup])).toEqual(sorted);
  });

  test('"User:a" sorts before "User:a.b" (the principal is compared on its own)', () => {
    // Compared as one string, "User:aTOPIC…" would sort after "User:a.bGROUP…".
    expect(normalizeBindings([aDotB, a])).toEqual([a, aDotB]);
  });

  test('duplicates collapse to one', () => {
    expect(normalizeBindings([a, { ...a }, bGroup, { ...a }])).toEqual([a, bGroup]);
  });
});

describe('bindingProblems', () => {
  test('valid bindings on topics, groups and the cluster have none', () => {
    for (const b of [
      BILLING_WRITE,
      acl('User:billing', 'GROUP', 'billing-', 'READ', 'PREFIXED'),
      acl('User:billing', 'TOPIC', 'x'.repeat(255), 'ALL'),
      acl('User:billing', 'TOPIC', 'orders.v1_eu-west-1', 'DESCRIBE'),
      acl('User:billing', 'CLUSTER', 'kafka-cluster', 'DESCRIBE'),
      acl('User:billing', 'CLUSTER', 'kafka-cluster', 'IDEMPOTENT_WRITE'),
      acl(`User:${'u'.repeat(128)}`, 'TOPIC', 'orders', 'READ'),
    ]) {
      expect([formatBinding(b), bindingProblems(b)]).toEqual([formatBinding(b), []]);
    }
  });

  test.each([null, 'orders', 42, [BILLING_WRITE], undefined])('%p is not a binding', (raw) => {
    expect(bindingProblems(raw)).toEqual([
      'must be an object with resourceType, resourceName, patternType, principal, host, operation, permission',
    ]);
  });

  test('resource names: 1–255 characters, no spaces or control characters', () => {
    for (const name of ['', 'x'.repeat(256), 'orders x', ' orders', 'orders\n', 'a\tb', 42]) {
      expect(bindingProblems({ ...BILLING_WRITE, resourceName: name })).toEqual([
        NAME_PROBLEM(name),
      ]);
    }
    expect(bindingProblems({ ...BILLING_WRITE, resourceName: undefined })).toEqual([
      NAME_PROBLEM(undefined),
    ]);
  });

  test('principals: exactly User:<SCRAM user name>', () => {
    for (const principal of [
      'user:billing', // the type is case-sensitive
      'Userxbilling',
      'Group:billing',
      'User:',
      'User:bad user',
      'User:billing!',
      'User:*',
      ' User:billing',
      `User:${'u'.repeat(129)}`,
      42,
      undefined,
    ]) {
      expect(bindingProblems({ ...BILLING_WRITE, principal })).toEqual([
        PRINCIPAL_PROBLEM(principal),
      ]);
    }
  });

  test('the CLUSTER resource is LITERAL "kafka-cluster"', () => {
    const problem = 'the CLUSTER resource is LITERAL "kafka-cluster"';
    const describeCluster = acl('User:billing', 'CLUSTER', 'kafka-cluster', 'DESCRIBE');
    expect(bindingProblems({ ...describeCluster, resourceName: 'orders' })).toEqual([problem]);
    expect(bindingProblems({ ...describeCluster, patternType: 'PREFIXED' })).toEqual([problem]);
    expect(
      bindingProblems({ ...describeCluster, resourceName: 'kafka-', patternType: 'PREFIXED' }),
    ).toEqual([problem]);
    // A topic may be called kafka-cluster and be PREFIXED.
    expect(
      bindingProblems(acl('User:billing', 'TOPIC', 'kafka-cluster', 'READ', 'PREFIXED')),
    ).toEqual([]);
  });

  test.each(['CLUSTER_ACTION', 'ALL'] as const)(
    '%s on the CLUSTER is refused (it would block inter-broker replication)',
    (operation) => {
      expect(bindingProblems(acl('User:billing', 'CLUSTER', 'kafka-cluster', operation))).toEqual([
        `${operation} on the CLUSTER is refused: on MSK with SASL/SCRAM it blocks inter-broker replication (AWS Knowledge Center, msk-sasl-scram-issues)`,
      ]);
      // On a topic the same operation is fine.
      expect(bindingProblems(acl('User:billing', 'TOPIC', 'orders', operation))).toEqual([]);
    },
  );

  test('every problem of one binding at once', () => {
    expect(
      bindingProblems({
        resourceType: 'TRANSACTIONAL_ID',
        resourceName: '',
        patternType: 'ANY',
        principal: 'User:*',
        host: '10.0.0.1',
        operation: 'ANY',
        permission: 'DENY',
      }),
    ).toEqual([
      'resourceType "TRANSACTIONAL_ID" must be one of TOPIC, GROUP, CLUSTER',
      'patternType "ANY" must be one of LITERAL, PREFIXED',
      'operation "ANY" must be one of ALL, READ, WRITE, CREATE, DELETE, ALTER, DESCRIBE, CLUSTER_ACTION, DESCRIBE_CONFIGS, ALTER_CONFIGS, IDEMPOTENT_WRITE',
      'permission "DENY" must be one of ALLOW',
      'host "10.0.0.1" must be one of *',
      NAME_PROBLEM(''),
      PRINCIPAL_PROBLEM('User:*'),
    ]);
  });
});
