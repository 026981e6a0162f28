import { bindingProblems } from '../../secure-msk-constructs/model/acl-binding';
import { acl } from '../fixtures/acl-binding';
import {
  AclBinding,
  aclBindingsFor,
  lambdaConsumerBindings,
  parseScramUser,
  ProblemSink,
  ScramUser,
  validateScramUsers,
} from '../../lib/acls/spec';

/** Collects problems the way lib/config/validation.ts's `Problems` does. */
function sink() {
  const list: { setting: string; value: unknown; allowed: string }[] = [];
  const problems: ProblemSink = {
    add: (setting, value, allowed) => list.push({ setting, value, allowed }),
  };
  return { problems, list };
}

const TOPICS = ['orders', 'payments'];
const allow = (
  resourceType: AclBinding['resourceType'],
  resourceName: string,
  patternType: AclBinding['patternType'],
  operation: AclBinding['operation'],
  principal = 'User:billing',
): AclBinding => acl(principal, resourceType, resourceName, operation, patternType);

describe('parsing users', () => {
  test('a plain name is a user with no permissions, and no ACLs', () => {
    const { problems, list } = sink();
    const users = validateScramUsers(['consumer'], TOPICS, problems);
    expect(list).toEqual([]);
    expect(users).toEqual([{ name: 'consumer', produce: [], consume: [] }]);
    expect(aclBindingsFor(users[0])).toEqual([]);
  });

  test('the issue example: JSON text, comma-separated names, and objects', () => {
    const { problems, list } = sink();
    const raw =
      '["consumer", {"name":"billing","produce":["orders"],"consume":[{"topic":"orders","group":"billing-*"}]}]';
    expect(validateScramUsers(raw, TOPICS, problems)).toEqual([
      { name: 'consumer', produce: [], consume: [] },
      { name: 'billing', produce: ['orders'], consume: [{ topic: 'orders', group: 'billing-*' }] },
    ]);
    expect(validateScramUsers('consumer, producer', TOPICS, problems)).toEqual([
      { name: 'consumer', produce: [], consume: [] },
      { name: 'producer', produce: [], consume: [] },
    ]);
    expect(list).toEqual([]);
  });

  test('a prefix needs no configured topic; a literal name does', () => {
    const { problems, list } = sink();
    const user = parseScramUser(
      { name: 'etl', produce: ['orders.*'], consume: [{ topic: 'audit.*', group: 'etl' }] },
      'scramUsers[0]',
      problems,
      TOPICS,
    );
    expect(list).toEqual([]);
    expect(user).toEqual({
      name: 'etl',
      produce: ['orders.*'],
      consume: [{ topic: 'audit.*', group: 'etl' }],
    });
  });

  test('every problem at once, each under its setting', () => {
    const { problems, list } = sink();
    const users = validateScramUsers(
      [
        'consumer',
        {
          name: 'billing',
          produce: ['ordrs', '*', 'or*ders'],
          consume: [{ topic: 'orders', group: 'bad group' }, 'orders', { topic: 'orders' }],
        },
        { name: 'consumer', produce: 'orders', consumes: [] },
        42,
        'no spaces',
      ],
      TOPICS,
      problems,
    );
    expect(users.map((u) => u.name)).toEqual(['consumer']);
    expect(list.map((p) => [p.setting, p.value])).toEqual([
      ['scramUsers[1].produce[0]', 'ordrs'],
      ['scramUsers[1].produce[1]', '*'],
      ['scramUsers[1].produce[2]', 'or*ders'],
      ['scramUsers[1].consume[0].group', 'bad group'],
      ['scramUsers[1].consume[1]', 'orders'],
      ['scramUsers[1].consume[2].group', undefined],
      ['scramUsers[2].consumes', []],
      ['scramUsers[2].produce', 'orders'],
      ['scramUsers[3]', 42],
      ['scramUsers[4]', 'no spaces'],
      ['scramUsers', expect.any(Array)],
    ]);
    const allowed = Object.fromEntries(list.map((p) => [p.setting, p.allowed]));
    expect(allowed['scramUsers[1].produce[0]']).toBe(
      'must be one of the configured topics (orders, payments), or a prefix ending in "*"',
    );
    expect(allowed['scramUsers[1].produce[1]']).toContain('a bare "*" would match every topic');
    expect(allowed['scramUsers[2].consumes']).toBe(
      'is not a setting; allowed: name, produce, consume',
    );
    expect(allowed['scramUsers']).toBe('must not repeat a user (repeated: consumer)');
  });

  test('the list itself: not a list, empty, or bad JSON', () => {
    const cases: [unknown, string][] = [
      [{ name: 'x' }, 'must be a list of user names or user objects'],
      [[], "must list 1 to 1000 users (MSK's limit per cluster)"],
      ['[{"name":', 'must be a JSON list of users, or comma-separated names'],
    ];
    for (const [raw, allowed] of cases) {
      const { problems, list } = sink();
      validateScramUsers(raw, TOPICS, problems);
      expect(list).toEqual([{ setting: 'scramUsers', value: raw, allowed }]);
    }
  });
});

describe('ACL bindings', () => {
  const billing: ScramUser = {
    name: 'billing',
    produce: ['orders'],
    consume: [{ topic: 'orders', group: 'billing-*' }],
  };

  test('produce = WRITE + DESCRIBE on the topic; consume = READ + DESCRIBE on topic and group; no CLUSTER ACL', () => {
    expect(aclBindingsFor(billing)).toEqual([
      allow('GROUP', 'billing-', 'PREFIXED', 'DESCRIBE'),
      allow('GROUP', 'billing-', 'PREFIXED', 'READ'),
      allow('TOPIC', 'orders', 'LITERAL', 'DESCRIBE'),
      allow('TOPIC', 'orders', 'LITERAL', 'READ'),
      allow('TOPIC', 'orders', 'LITERAL', 'WRITE'),
    ]);
  });

  test('a prefix topic is PREFIXED without the *, and duplicates collapse', () => {
    const bindings = aclBindingsFor({
      name: 'etl',
      produce: ['orders.*', 'orders.*'],
      consume: [],
    });
    expect(bindings).toEqual([
      allow('TOPIC', 'orders.', 'PREFIXED', 'DESCRIBE', 'User:etl'),
      allow('TOPIC', 'orders.', 'PREFIXED', 'WRITE', 'User:etl'),
    ]);
  });

  test('every generated binding is one the custom resource accepts', () => {
    const all = [
      ...aclBindingsFor(billing),
      ...lambdaConsumerBindings('consumer', 'orders', 'msk-secure-dev-consumer', {
        allowEveryoneIfNoAclFound: false,
      }),
    ];
    expect(all.flatMap(bindingProblems)).toEqual([]);
  });
});

describe('Lambda event source consumer', () => {
  test('DESCRIBE + READ on its topic and group, exact names; no CLUSTER ACL on MSK defaults', () => {
    expect(lambdaConsumerBindings('consumer', 'orders', 'msk-secure-dev-consumer')).toEqual([
      allow('GROUP', 'msk-secure-dev-consumer', 'LITERAL', 'DESCRIBE', 'User:consumer'),
      allow('GROUP', 'msk-secure-dev-consumer', 'LITERAL', 'READ', 'User:consumer'),
      allow('TOPIC', 'orders', 'LITERAL', 'DESCRIBE', 'User:consumer'),
      allow('TOPIC', 'orders', 'LITERAL', 'READ', 'User:consumer'),
    ]);
  });

  test('with a dead-letter topic: WRITE + DESCRIBE on it, exact name (unverified on MSK)', () => {
    expect(
      lambdaConsumerBindings('consumer', 'orders', 'msk-secure-dev-consumer', {
        deadLetterTopic: 'orders.dlt',
      }),
    ).toEqual([
      allow('GROUP', 'msk-secure-dev-consumer', 'LITERAL', 'DESCRIBE', 'User:consumer'),
      allow('GROUP', 'msk-secure-dev-consumer', 'LITERAL', 'READ', 'User:consumer'),
      allow('TOPIC', 'orders', 'LITERAL', 'DESCRIBE', 'User:consumer'),
      allow('TOPIC', 'orders', 'LITERAL', 'READ', 'User:consumer'),
      allow('TOPIC', 'orders.dlt', 'LITERAL', 'DESCRIBE', 'User:consumer'),
      allow('TOPIC', 'orders.dlt', 'LITERAL', 'WRITE', 'User:consumer'),
    ]);
  });

  test('with allow.everyone.if.no.acl.found=false: DESCRIBE_CONFIGS on the cluster too', () => {
    const bindings = lambdaConsumerBindings('consumer', 'orders', 'g*', {
      allowEveryoneIfNoAclFound: false,
    });
    expect(bindings).toContainEqual(
      allow('CLUSTER', 'kafka-cluster', 'LITERAL', 'DESCRIBE_CONFIGS', 'User:consumer'),
    );
    // The mapping's group id is a name, not a pattern: a "*" in it stays literal.
    expect(bindings).toContainEqual(allow('GROUP', 'g*', 'LITERAL', 'READ', 'User:consumer'));
    expect(bindings).toHaveLength(5);
  });
});
