/**
 * Every rule in `secure-msk-constructs/model/rules.ts` says what it checks, what it allows and
 * where the rule comes from: error messages quote `allowed`, and `source` is the rule's
 * reference (an AWS or Kafka document, or "project choice").
 */
import * as rules from '../../secure-msk-constructs/model/rules';
import type { Rule } from '../../secure-msk-constructs/model/rules';

const isRule = (value: unknown): value is Rule =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as Rule).test === 'function' &&
  'allowed' in value;

const all = Object.entries(rules).filter((entry): entry is [string, Rule] => isRule(entry[1]));

test('the rules are found', () => {
  // CLUSTER_NAME … EMAIL: fewer would mean the filter above stopped seeing them.
  expect(all.map(([name]) => name)).toEqual(
    expect.arrayContaining([
      'CLUSTER_NAME',
      'KAFKA_VERSION',
      'KAFKA_VERSION_WITH_TOPIC_API',
      'BROKER_INSTANCE_TYPE',
      'STANDARD_BROKER_INSTANCE_TYPE',
      'TOPIC_NAME',
      'DEAD_LETTER_TOPIC',
      'LAMBDA_CONSUMER_GROUP',
      'CONSUMER_GROUP',
      'SCRAM_USER_NAME',
      'ACL_RESOURCE_NAME',
      'CONSUMER_LABEL',
      'CONSUMER_NAME',
      'DASHBOARD_NAME',
      'EMAIL',
    ]),
  );
});

test.each(all)('%s says what it is, what it allows and where it comes from', (_name, rule) => {
  for (const text of [rule.what, rule.allowed, rule.source]) {
    expect(typeof text).toBe('string');
    // A phrase of a few words, not an empty or one-word placeholder.
    expect(text.trim().split(/\s+/).length).toBeGreaterThanOrEqual(2);
  }
});

test.each(all)('%s refuses what is not a string', (_name, rule) => {
  for (const value of [undefined, null, 42, ['a'], { a: 1 }]) expect(rule.test(value)).toBe(false);
});
