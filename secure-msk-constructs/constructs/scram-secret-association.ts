import { CustomResource, Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import * as kms from 'aws-cdk-lib/aws-kms';
import { SecureCustomResourceProvider } from './custom-resource-provider';
import { acknowledgeSecretPrefix, secretArnPattern } from './scram-users';
import { FunctionEncryptionProps, FunctionNetworkProps } from './secure-function';

/** `vpc`, `vpcSubnets`, `securityGroups`: the handler's network (private subnets, HTTPS egress). */
export interface ScramSecretAssociationProps extends FunctionNetworkProps, FunctionEncryptionProps {
  /** ARN of the MSK cluster. */
  readonly clusterArn: string;
  /**
   * Start of the names of every secret this association may handle (the handler's pre-flight
   * reads them): `AmazonMSK_<cluster>_` (`ScramUsers.secretNamePrefix`). By name prefix, not by
   * ARN: 1000 ARNs would not fit IAM's 6,144-character managed policy.
   */
  readonly secretNamePrefix: string;
  /** The key the secrets are encrypted with: MSK creates a grant on it. */
  readonly secretsKey: kms.IKey;
}

/**
 * Associates SCRAM secrets with an MSK cluster, additively: it adds and removes only its own
 * secrets, so several stacks can each bring users to one cluster (unlike
 * `AWS::MSK::BatchScramSecret`, which owns the whole list). MSK rejections fail the deployment
 * with the secret, error code and message; see `handlers/scram-secret-association`.
 */
export class ScramSecretAssociation extends Construct {
  public readonly provider: SecureCustomResourceProvider;
  /** The association resources, one per `associate` call. */
  public readonly resources: CustomResource[] = [];
  private readonly clusterArn: string;

  constructor(scope: Construct, id: string, props: ScramSecretAssociationProps) {
    super(scope, id);
    this.clusterArn = props.clusterArn;

    this.provider = new SecureCustomResourceProvider(this, 'Provider', {
      entry: 'scram-secret-association/index.ts',
      description: 'SCRAM secret association custom resource (msk-secure-stack)',
      encryptionKey: props.encryptionKey,
      logs: props.logs,
      logGroupName: 'custom-resources/scram-secret-association',
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      securityGroups: props.securityGroups,
      timeout: Duration.minutes(14),
    });
    const role = this.provider.handler.role;
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'AssociateScramSecrets',
        actions: [
          'kafka:BatchAssociateScramSecret',
          'kafka:BatchDisassociateScramSecret',
          'kafka:ListScramSecrets',
        ],
        resources: [props.clusterArn],
      }),
    );
    // MSK creates a grant on the secrets' key as the caller, so that it can read them
    // (aws-cdk's aws-msk-alpha addUser grants kms:CreateGrant for BatchAssociateScramSecret);
    // the request comes through MSK, so it carries kms:GrantIsForAWSResource. kms:DescribeKey:
    // CloudFormation's own AWS::MSK::BatchScramSecret handler declares it for create and delete
    // (its resource schema's handler permissions); the MSK guide lists no KMS permission, so
    // this follows AWS's handler and is unverified in a deployment.
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'GrantMskUseOfSecretKey',
        actions: ['kms:CreateGrant'],
        resources: [props.secretsKey.keyArn],
        conditions: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
      }),
    );
    // Disassociation retires that grant. RetireGrant requests do not carry
    // kms:GrantIsForAWSResource (AWS KMS Developer Guide, "Controlling access to grants": only
    // CreateGrant, ListGrants and RevokeGrant do), so a statement under that condition would
    // never allow it. Needed for BatchDisassociateScramSecret per community reports (unverified).
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'DescribeSecretKeyAndRetireGrant',
        actions: ['kms:DescribeKey', 'kms:RetireGrant'],
        resources: [props.secretsKey.keyArn],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'PreflightSecrets',
        actions: ['secretsmanager:DescribeSecret'],
        resources: [secretArnPattern(this, props.secretNamePrefix)],
      }),
    );
    acknowledgeSecretPrefix(role, props.secretNamePrefix);
  }

  /**
   * Associates `secrets` with the cluster through one resource in `scope` (put it next to the
   * secrets, e.g. in their nested stack). Each resource owns its secrets: it adds and removes
   * only those, in calls of at most 10.
   */
  public associate(
    scope: Construct,
    id: string,
    secrets: readonly secretsmanager.ISecret[],
  ): CustomResource {
    if (secrets.length === 0) {
      throw new Error(`ScramSecretAssociation ${id}: secrets must list at least one secret`);
    }
    const resource = new CustomResource(scope, id, {
      serviceToken: this.provider.serviceToken,
      resourceType: 'Custom::MskScramSecretAssociation',
      properties: {
        ClusterArn: this.clusterArn,
        SecretArns: secrets.map((s) => s.secretArn),
      },
    });
    this.resources.push(resource);
    return resource;
  }
}
