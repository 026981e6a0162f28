import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

/**
 * An IAM role whose permissions all live in one customer-managed policy.
 *
 * CDK grants (`key.grantDecrypt(role)`, `logGroup.grantWrite(role)`, …) normally land in an
 * inline `DefaultPolicy`. AwsSolutions-IAM4 forbids AWS-managed policies and NIST 800-53
 * IAMNoInlinePolicy forbids inline ones; a customer-managed policy satisfies both, so this role
 * routes every `addToPrincipalPolicy` call into it. Use it for every role the app creates.
 */
export class ManagedPolicyRole extends iam.Role {
  private policy?: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: iam.RoleProps) {
    if (props.managedPolicies?.length) {
      throw new Error(
        `ManagedPolicyRole ${id}: managedPolicies is not allowed; add statements with addToPrincipalPolicy`,
      );
    }
    if (props.inlinePolicies && Object.keys(props.inlinePolicies).length) {
      throw new Error(
        `ManagedPolicyRole ${id}: inlinePolicies is not allowed; add statements with addToPrincipalPolicy`,
      );
    }
    super(scope, id, props);
  }

  public override addToPrincipalPolicy(
    statement: iam.PolicyStatement,
  ): iam.AddToPrincipalPolicyResult {
    // Created on first use: an empty managed policy is invalid.
    this.policy ??= new iam.ManagedPolicy(this, 'Policy', {
      description: `Permissions of ${this.node.path}`,
      roles: [this],
    });
    this.policy.addStatements(statement);
    return { statementAdded: true, policyDependable: this.policy };
  }
}
