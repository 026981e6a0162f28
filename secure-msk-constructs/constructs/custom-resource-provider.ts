import { CfnElement, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { acknowledge } from './acknowledge';
import { ManagedPolicyRole } from './managed-policy-role';
import { createEncryptedLogGroup } from './encrypted-logs';
import {
  FunctionEncryptionProps,
  FunctionNetworkProps,
  grantLambdaVpcAccess,
  SecureFunction,
} from './secure-function';

export interface SecureCustomResourceProviderProps
  extends FunctionNetworkProps, FunctionEncryptionProps {
  /** Handler source: absolute, or relative to this library's `handlers/`. */
  readonly entry: string;
  readonly description: string;
  /** Log-group name stem, e.g. `custom-resources/scram-secret-association`. */
  readonly logGroupName: string;
  /**
   * @default Duration.minutes(10)
   */
  readonly timeout?: Duration;
}

const DEPLOY_TIME_ONLY =
  'Runs only during CloudFormation deployments, one request at a time; reserving concurrency ' +
  "would take capacity from the account's unreserved pool (new accounts cannot reserve any).";
const CFN_REPORTS_FAILURES =
  'Invoked synchronously by the CDK Provider framework; a failure is reported to CloudFormation, ' +
  'which fails and rolls back the deployment, so a dead-letter queue would hold nothing to act on.';

/**
 * A custom resource provider built to the project's standards: our handler as a
 * `SecureFunction`, behind the aws-cdk-lib Provider framework (which answers CloudFormation, so
 * there is no hand-rolled cfn-response), both in the VPC with encrypted logs and roles whose
 * permissions live in customer-managed policies.
 */
export class SecureCustomResourceProvider extends Construct {
  public readonly handler: SecureFunction;
  public readonly provider: cr.Provider;

  constructor(scope: Construct, id: string, props: SecureCustomResourceProviderProps) {
    super(scope, id);
    this.handler = new SecureFunction(this, 'Handler', {
      entry: props.entry,
      description: props.description,
      encryptionKey: props.encryptionKey,
      logs: props.logs,
      logGroupName: props.logGroupName,
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      securityGroups: props.securityGroups,
      timeout: props.timeout ?? Duration.minutes(10),
      unreservedReason: DEPLOY_TIME_ONLY,
      noDeadLetterQueueReason: CFN_REPORTS_FAILURES,
    });

    const frameworkRole = new ManagedPolicyRole(this, 'FrameworkRole', {
      description: `Provider framework of ${props.description}`,
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });
    grantLambdaVpcAccess(frameworkRole);
    const frameworkLogGroup = createEncryptedLogGroup(
      this,
      'FrameworkLogGroup',
      props.logs,
      `${props.logGroupName}-framework`,
    );
    frameworkLogGroup.grantWrite(frameworkRole);

    this.provider = new cr.Provider(this, 'Provider', {
      onEventHandler: this.handler.function,
      frameworkOnEventRole: frameworkRole,
      logGroup: frameworkLogGroup,
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      securityGroups: props.securityGroups,
      providerFunctionEnvEncryption: props.encryptionKey,
    });

    const handlerLogicalId = Stack.of(this).getLogicalId(
      this.handler.function.node.defaultChild as CfnElement,
    );
    acknowledge(
      frameworkRole,
      [`AwsSolutions-IAM5[Resource::<${handlerLogicalId}.Arn>:*]`],
      'The Provider framework may invoke any version or alias of its own handler function ' +
        '(`<handler ARN>:*`); it is scoped to that one function.',
    );

    const frameworkFunction = this.provider.node.findChild('framework-onEvent').node
      .defaultChild as lambda.CfnFunction;
    acknowledge(
      frameworkFunction,
      ['NIST.800.53.R5-LambdaConcurrency', 'HIPAA.Security-LambdaConcurrency'],
      DEPLOY_TIME_ONLY,
    );
    acknowledge(
      frameworkFunction,
      ['NIST.800.53.R5-LambdaDLQ', 'HIPAA.Security-LambdaDLQ'],
      CFN_REPORTS_FAILURES,
    );
  }

  public get serviceToken(): string {
    return this.provider.serviceToken;
  }
}
