import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ManagedPolicyRole } from '../../secure-msk-constructs/constructs/managed-policy-role';

const assumedBy = new iam.ServicePrincipal('lambda.amazonaws.com');

test('refuses managed policies, naming the role and what to do instead', () => {
  const stack = new Stack(new App(), 'Roles');
  const managedPolicies = [new iam.ManagedPolicy(stack, 'Mine', { statements: [] })];
  expect(() => new ManagedPolicyRole(stack, 'Fn', { assumedBy, managedPolicies })).toThrow(
    'ManagedPolicyRole Fn: managedPolicies is not allowed; add statements with addToPrincipalPolicy',
  );
});

test('refuses inline policies; an empty map is no policy', () => {
  const stack = new Stack(new App(), 'Roles');
  const document = new iam.PolicyDocument({
    statements: [new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: ['*'] })],
  });
  expect(
    () => new ManagedPolicyRole(stack, 'Fn', { assumedBy, inlinePolicies: { inline: document } }),
  ).toThrow(
    'ManagedPolicyRole Fn: inlinePolicies is not allowed; add statements with addToPrincipalPolicy',
  );
  expect(
    () => new ManagedPolicyRole(stack, 'Empty', { assumedBy, inlinePolicies: {} }),
  ).not.toThrow();
});

test('every statement lands in one customer-managed policy attached to the role', () => {
  // GIVEN a role and two grants of the kind CDK constructs add
  const stack = new Stack(new App(), 'Roles');
  const role = new ManagedPolicyRole(stack, 'Fn', { assumedBy });
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: ['arn:aws:sqs:::q'] }),
  );
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({ actions: ['sns:Publish'], resources: ['arn:aws:sns:::t'] }),
  );
  // THEN one managed policy, attached to this role (without it the role has no permissions)
  const template = Template.fromStack(stack);
  template.resourceCountIs('AWS::IAM::Policy', 0);
  const [[roleId]] = Object.entries(template.findResources('AWS::IAM::Role'));
  expect(Object.values(template.findResources('AWS::IAM::ManagedPolicy'))).toEqual([
    {
      Type: 'AWS::IAM::ManagedPolicy',
      Properties: {
        Description: 'Permissions of Roles/Fn',
        Path: '/',
        Roles: [{ Ref: roleId }],
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: 'arn:aws:sqs:::q' },
            { Effect: 'Allow', Action: 'sns:Publish', Resource: 'arn:aws:sns:::t' },
          ],
        },
      },
    },
  ]);
});

test('no policy until the first statement (an empty managed policy is invalid)', () => {
  const stack = new Stack(new App(), 'Roles');
  new ManagedPolicyRole(stack, 'Fn', { assumedBy });
  Template.fromStack(stack).resourceCountIs('AWS::IAM::ManagedPolicy', 0);
});
