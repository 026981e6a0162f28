import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { synthesize } from './helpers/synth';

describe.each(['dev', 'prod'])('the whole app, profile %s', (profile) => {
  // WHEN the app is synthesized with the AwsSolutions, NIST 800-53 R5 and HIPAA packs
  // THEN synth does not throw: cdk-nag v3 fails synth on any unacknowledged finding
  const { stage } = synthesize({ profile });
  const stacks = stage.node.children.filter(Stack.isStack);

  test('is environment-agnostic when no account/Region is given', () => {
    for (const stack of stacks) {
      expect(stack.resolve(stack.account)).toEqual({ Ref: 'AWS::AccountId' });
      expect(stack.resolve(stack.region)).toEqual({ Ref: 'AWS::Region' });
    }
  });

  test('termination protection exactly when data is retained (prod): destroy refuses before deleting anything', () => {
    for (const stack of stacks) {
      expect([stack.node.id, stack.terminationProtection]).toEqual([
        stack.node.id,
        profile === 'prod',
      ]);
    }
  });

  test('templates match the snapshot (asset hashes masked)', () => {
    for (const stack of stacks) {
      expect(Template.fromStack(stack).toJSON()).toMatchSnapshot(stack.node.id);
    }
  });
});
