import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { USER_STACKS, userStackOf } from '../secure-msk-constructs/constructs/scram-users';
import { MAX_SCRAM_USERS } from '../secure-msk-constructs/model/rules';
import { synthesize } from './helpers/synth';

// GIVEN MSK's limit of SCRAM users, with rotation on (the most resources per user), synthesized
// once. Without the nag packs: every user is built by the same constructs, whose nag findings
// cluster-stack.test.ts checks with rotation on; here they would triple the file's time.
// `npm run bench` reports how long this synth takes with the three packs.
const users = ['consumer', ...Array.from({ length: MAX_SCRAM_USERS - 1 }, (_, i) => `user-${i}`)];
const { stage } = synthesize(
  { scramUsers: JSON.stringify(users), scramRotationDays: 30 },
  { nag: false },
);
const stacks = stage.node
  .findAll()
  .filter(Stack.isStack)
  .map((stack) => ({ stack, template: Template.fromStack(stack).toJSON() }));

test('every stack stays under CloudFormation limits: 500 resources, 200 outputs, 1 MB', () => {
  for (const { stack, template } of stacks) {
    const size = Buffer.byteLength(JSON.stringify(template));
    expect([stack.node.path, Object.keys(template.Resources ?? {}).length < 500]).toEqual([
      stack.node.path,
      true,
    ]);
    expect([stack.node.path, Object.keys(template.Outputs ?? {}).length <= 200]).toEqual([
      stack.node.path,
      true,
    ]);
    expect([stack.node.path, size < 1_000_000]).toEqual([stack.node.path, true]);
  }
});

test("every managed policy is under IAM's 6,144 characters (whitespace excluded)", () => {
  const sizes = stacks.flatMap(({ template }) =>
    Object.values(
      template.Resources as Record<
        string,
        { Type: string; Properties: { PolicyDocument: unknown } }
      >,
    )
      .filter((r) => r.Type === 'AWS::IAM::ManagedPolicy')
      .map((r) => JSON.stringify(r.Properties.PolicyDocument).length),
  );
  expect(sizes.length).toBeGreaterThan(0);
  expect(Math.max(...sizes)).toBeLessThan(6144);
});

test('every user has its secret, its SSM parameter and its schedule, in the stack its name hashes to', () => {
  const secrets = stacks.flatMap(({ stack, template }) =>
    Object.values(
      template.Resources as Record<string, { Type: string; Properties: { Name?: string } }>,
    )
      .filter((r) => r.Type === 'AWS::SecretsManager::Secret')
      .map((r) => ({ stack: stack.node.id, name: r.Properties.Name })),
  );
  expect(secrets).toHaveLength(MAX_SCRAM_USERS);
  for (const { stack, name } of secrets) {
    const user = name!.replace('AmazonMSK_msk-secure-dev_', '');
    expect(stack).toBe(`Users${userStackOf(user)}`);
  }
  const count = (type: string) =>
    stacks.reduce(
      (n, { template }) =>
        n +
        Object.values(template.Resources as Record<string, { Type: string }>).filter(
          (r) => r.Type === type,
        ).length,
      0,
    );
  expect(count('AWS::SSM::Parameter')).toBeGreaterThanOrEqual(MAX_SCRAM_USERS);
  expect(count('AWS::SecretsManager::RotationSchedule')).toBe(MAX_SCRAM_USERS);
  expect(count('Custom::MskScramSecretAssociation')).toBe(USER_STACKS);
});

test('each association owns the secrets of its own stack (one owner per secret)', () => {
  const owned = stacks.flatMap(({ template }) =>
    Object.values(
      template.Resources as Record<
        string,
        { Type: string; Properties: { SecretArns?: unknown[] } }
      >,
    )
      .filter((r) => r.Type === 'Custom::MskScramSecretAssociation')
      .flatMap((r) => r.Properties.SecretArns!.map((arn) => JSON.stringify(arn))),
  );
  expect(owned).toHaveLength(MAX_SCRAM_USERS);
  expect(new Set(owned).size).toBe(MAX_SCRAM_USERS);
});
