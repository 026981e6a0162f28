import * as path from 'node:path';
import { Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import { Construct } from 'constructs';
import { acknowledge } from './acknowledge';
import { ManagedPolicyRole } from './managed-policy-role';
import * as kms from 'aws-cdk-lib/aws-kms';
import { createEncryptedLogGroup, EncryptedLogs } from './encrypted-logs';

/** Root of the library's Lambda handler sources (`handlers/` in this library). */
export const LAMBDA_SOURCE_ROOT = path.join(__dirname, '..', 'handlers');

/** The Node.js runtime every function of the app uses (the latest Lambda offers). */
export const NODE_RUNTIME = lambda.Runtime.NODEJS_24_X;

/**
 * Actions Lambda needs to attach a function to a VPC (Lambda Developer Guide, "Giving Lambda
 * functions access to resources in an Amazon VPC"): it creates and deletes the network
 * interfaces with the function's role.
 */
export const LAMBDA_VPC_ACTIONS = [
  'ec2:CreateNetworkInterface',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DeleteNetworkInterface',
  'ec2:AssignPrivateIpAddresses',
  'ec2:UnassignPrivateIpAddresses',
];

/**
 * Grants actions that IAM can only allow on `Resource: "*"`: the Service Authorization Reference
 * lists no resource type for them (e.g. `ec2:DescribeNetworkInterfaces`, `ec2:DescribeSubnets`,
 * `kafka:GetBootstrapBrokers`), so a statement that names a resource never allows them.
 */
export function grantOnAllResources(
  role: iam.IRole & Construct,
  sid: string,
  actions: readonly string[],
): void {
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({ sid, actions: [...actions], resources: ['*'] }),
  );
  acknowledge(
    role,
    ['AwsSolutions-IAM5[Resource::*]'],
    'Only actions that have no resource type in the Service Authorization Reference (EC2 Describe* ' +
      'calls, kafka:GetBootstrapBrokers) are on "*": IAM allows them on no narrower resource.',
  );
}

/**
 * Adds the VPC networking permissions to a role: `ec2:DescribeNetworkInterfaces` (and the extra
 * Describe calls) on `*`, which is all they accept; the interface writes on this account's and
 * Region's EC2 resources, as the Lambda guide's example for DeleteNetworkInterface does
 * (`arn:aws:ec2:us-west-2:123456789012:*\/*`): Lambda's interfaces have no ARN before they exist.
 */
export function grantLambdaVpcAccess(
  role: iam.IRole & Construct,
  extraDescribeActions: readonly string[] = [],
): void {
  const describe = ['ec2:DescribeNetworkInterfaces', ...extraDescribeActions];
  grantOnAllResources(role, 'LambdaVpcDescribe', describe);
  const stack = Stack.of(role);
  const accountEc2 = `arn:${stack.partition}:ec2:${stack.region}:${stack.account}:*/*`;
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'LambdaVpcNetworkInterfaces',
      actions: LAMBDA_VPC_ACTIONS.filter((action) => !describe.includes(action)),
      resources: [accountEc2],
    }),
  );
  acknowledge(
    role,
    [`AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:<AWS::Region>:<AWS::AccountId>:*/*]`],
    "Lambda creates the function's network interfaces with its role; an interface has no ARN " +
      "before it exists, so the writes are scoped to this account's and Region's EC2 resources " +
      '(the form the Lambda Developer Guide gives for ec2:DeleteNetworkInterface).',
  );
}

/** Where a function runs: the VPC, its subnets and its security groups. */
export interface FunctionNetworkProps {
  readonly vpc: ec2.IVpc;
  readonly vpcSubnets: ec2.SubnetSelection;
  readonly securityGroups: ec2.ISecurityGroup[];
}

/** The key and log settings every function of a construct shares. */
export interface FunctionEncryptionProps {
  /** Encrypts the functions' environment variables. */
  readonly encryptionKey: kms.IKey;
  /** Where the functions' log groups go, encrypted. */
  readonly logs: EncryptedLogs;
}

export interface SecureFunctionProps extends FunctionNetworkProps, FunctionEncryptionProps {
  /**
   * Handler source (exporting `handler`): an absolute path, or a path relative to this
   * library's `handlers/` folder, e.g. `consumer/index.ts`.
   */
  readonly entry: string;
  readonly description: string;
  /** Log group name after `logs.logGroupNamePrefix`, e.g. `handlers/consumer`. */
  readonly logGroupName: string;
  /**
   * @default Duration.minutes(5)
   */
  readonly timeout?: Duration;
  /**
   * @default 256
   */
  readonly memorySize?: number;
  /**
   * @default - none
   */
  readonly environment?: Record<string, string>;
  /**
   * Reserved concurrency.
   *
   * @default - unreserved (acknowledged for NIST/HIPAA with the reason given in `unreservedReason`)
   */
  readonly reservedConcurrentExecutions?: number;
  /** Why the function has no reserved concurrency (required when it has none). */
  readonly unreservedReason?: string;
  /** Why the function needs no dead-letter queue (its failures are handled elsewhere). */
  readonly noDeadLetterQueueReason: string;
  /**
   * EC2 `Describe*` actions beyond `ec2:DescribeNetworkInterfaces` (e.g. those of an MSK event
   * source mapping); they are granted on `Resource: *`, the only resource they accept.
   *
   * @default []
   */
  readonly additionalVpcActions?: readonly string[];
  /**
   * Modules left out of the bundle (provided by the runtime).
   *
   * @default [] - everything is bundled, so the deployed code is the tested code
   */
  readonly externalModules?: string[];
  /**
   * The lock file esbuild resolves dependencies with (a forker's own repository).
   *
   * @default this repository's package-lock.json
   */
  readonly depsLockFilePath?: string;
  /**
   * The project root for bundling.
   *
   * @default this repository's root
   */
  readonly projectRoot?: string;
}

/**
 * A Node.js Lambda function the way this project builds them: bundled by the local esbuild
 * (minified, source maps, no Docker), latest runtime, arm64, in the VPC's private subnets, an
 * explicit KMS-encrypted log group with the platform's retention, a role whose permissions
 * live in one customer-managed policy, logs granted only on its own log group.
 */
export class SecureFunction extends Construct {
  public readonly function: nodejs.NodejsFunction;
  public readonly role: ManagedPolicyRole;

  constructor(scope: Construct, id: string, props: SecureFunctionProps) {
    super(scope, id);
    if (props.reservedConcurrentExecutions === undefined && !props.unreservedReason) {
      throw new Error(
        `SecureFunction ${id}: give reservedConcurrentExecutions or unreservedReason`,
      );
    }

    this.role = new ManagedPolicyRole(this, 'Role', {
      description: `Execution role of ${props.description}`,
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });
    grantLambdaVpcAccess(this.role, props.additionalVpcActions);

    const logGroup = createEncryptedLogGroup(this, 'LogGroup', props.logs, props.logGroupName);
    this.function = new nodejs.NodejsFunction(this, 'Function', {
      entry: path.isAbsolute(props.entry)
        ? props.entry
        : path.join(LAMBDA_SOURCE_ROOT, props.entry),
      handler: 'handler',
      description: props.description,
      runtime: NODE_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? Duration.minutes(5),
      role: this.role,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      securityGroups: props.securityGroups,
      // Source maps are bundled; Node uses them for stack traces only with this flag.
      environment: { NODE_OPTIONS: '--enable-source-maps', ...props.environment },
      environmentEncryption: props.encryptionKey,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      bundling: {
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        target: 'node24',
        externalModules: props.externalModules ?? [],
        forceDockerBundling: false,
      },
      depsLockFilePath:
        props.depsLockFilePath ?? path.join(LAMBDA_SOURCE_ROOT, '..', '..', 'package-lock.json'),
      projectRoot: props.projectRoot ?? path.join(LAMBDA_SOURCE_ROOT, '..', '..'),
    });
    logGroup.grantWrite(this.role);

    const cfnFunction = this.function.node.defaultChild as lambda.CfnFunction;
    if (props.reservedConcurrentExecutions === undefined) {
      acknowledge(
        cfnFunction,
        ['NIST.800.53.R5-LambdaConcurrency', 'HIPAA.Security-LambdaConcurrency'],
        props.unreservedReason!,
      );
    }
    acknowledge(
      cfnFunction,
      ['NIST.800.53.R5-LambdaDLQ', 'HIPAA.Security-LambdaDLQ'],
      props.noDeadLetterQueueReason,
    );
  }
}
