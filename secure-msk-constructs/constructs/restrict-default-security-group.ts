import { CustomResource, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { SecureCustomResourceProvider } from './custom-resource-provider';
import { FunctionEncryptionProps, FunctionNetworkProps } from './secure-function';

export interface RestrictDefaultSecurityGroupProps
  extends FunctionNetworkProps, FunctionEncryptionProps {
  /** The VPC whose default security group is emptied (created with `restrictDefaultSecurityGroup: false`). */
  readonly vpc: ec2.Vpc;
}

/**
 * Empties the VPC's default security group with our own custom resource
 * (`handlers/restrict-default-security-group`), in place of aws-cdk-lib's
 * `restrictDefaultSecurityGroup`, whose handler runs outside the VPC with the AWS-managed
 * `AWSLambdaBasicExecutionRole` (Control Tower CT.LAMBDA.PR.3; no managed policies here).
 *
 * The resource is the VPC's child `RestrictDefaultSecurityGroupCustomResource` of type
 * `Custom::VpcRestrictDefaultSG`, the shape cdk-nag's VPCDefaultSecurityGroupClosed rule checks.
 */
export class RestrictDefaultSecurityGroup extends Construct {
  public readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: RestrictDefaultSecurityGroupProps) {
    super(scope, id);
    const provider = new SecureCustomResourceProvider(this, 'Provider', {
      entry: 'restrict-default-security-group/index.ts',
      description: 'Default security group restriction custom resource (msk-secure-stack)',
      encryptionKey: props.encryptionKey,
      logs: props.logs,
      logGroupName: 'custom-resources/restrict-default-security-group',
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      securityGroups: props.securityGroups,
    });
    const stack = Stack.of(this);
    provider.handler.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'RevokeDefaultSecurityGroupRules',
        actions: ['ec2:RevokeSecurityGroupIngress', 'ec2:RevokeSecurityGroupEgress'],
        resources: [
          stack.formatArn({
            service: 'ec2',
            resource: 'security-group',
            resourceName: props.vpc.vpcDefaultSecurityGroup,
          }),
        ],
      }),
    );
    this.resource = new CustomResource(props.vpc, 'RestrictDefaultSecurityGroupCustomResource', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::VpcRestrictDefaultSG',
      properties: {
        DefaultSecurityGroupId: props.vpc.vpcDefaultSecurityGroup,
        Account: stack.account,
      },
    });
    // The handlers run in the given subnets and reach the EC2 API through their NAT routes.
    for (const subnet of props.vpc.selectSubnets(props.vpcSubnets).subnets) {
      this.resource.node.addDependency(subnet.internetConnectivityEstablished);
    }
  }
}
