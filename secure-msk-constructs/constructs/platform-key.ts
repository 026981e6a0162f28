import { Aws, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { allowLogsToUseKey, EncryptedLogs, LOGS_KEY_ACTIONS } from './encrypted-logs';

export interface PlatformKeyProps {
  /** Alias name without the `alias/` prefix (the cluster name). */
  readonly aliasName: string;
  /**
   * Name prefix of the log groups this key may encrypt, e.g. `/msk-secure-dev/`. CloudWatch Logs
   * may use the key only for log groups whose names start with it.
   */
  readonly logGroupNamePrefix: string;
  /** Retention of the log groups encrypted with the key (`EncryptedLogs.logRetention`), in days. */
  readonly logRetentionDays: number;
  /**
   * `RETAIN` keeps the key (and so the data encrypted with it) after `cdk destroy`.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Let EC2 use the key for EBS volumes (the NAT instance's root volume): the key-use actions
   * and grants for AWS resources through `ec2.<Region>.amazonaws.com` (AWS KMS Developer Guide,
   * "How Amazon EBS uses AWS KMS").
   *
   * @default false
   */
  readonly ebsVolumes?: boolean;
}

/**
 * Actions a service needs to encrypt and decrypt with the key (no wildcards): what CloudWatch Logs
 * gets, and `kms:DescribeKey`.
 */
export const KEY_USE_ACTIONS = [...LOGS_KEY_ACTIONS, 'kms:DescribeKey'];

/** What Secrets Manager does with a customer-managed key: envelope encryption of secret values. */
export const SECRETS_MANAGER_KEY_ACTIONS = ['kms:Decrypt', 'kms:GenerateDataKey'];

/**
 * The platform's one customer-managed symmetric KMS key: rotation on, alias `alias/<cluster>`.
 *
 * Only the account root has `kms:*` (the CDK default key policy, which delegates to IAM);
 * every service gets exactly the actions it needs, scoped by condition.
 */
export class PlatformKey extends Construct implements EncryptedLogs {
  public readonly key: kms.Key;
  /**
   * The same key as a reference: constructs that would add their own statements to the key
   * policy when given a `kms.Key` (aws-secretsmanager's Secret) add none through it, because the
   * key policy above already says what each service may do.
   */
  public readonly keyReference: kms.IKey;
  private readonly props: PlatformKeyProps;

  constructor(scope: Construct, id: string, props: PlatformKeyProps) {
    super(scope, id);
    this.props = props;
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    this.key = new kms.Key(this, 'Key', {
      alias: `alias/${props.aliasName}`,
      description: `msk-secure-stack platform key for ${props.aliasName} (logs, secrets, MSK at rest, queues)`,
      enableKeyRotation: true,
      removalPolicy,
      // 7 days is the minimum KMS allows; only used when the key is destroyed (dev).
      pendingWindow: removalPolicy === RemovalPolicy.DESTROY ? Duration.days(7) : undefined,
    });

    // Services use the key on behalf of principals of this account that IAM allows to (the
    // account root principal delegates to IAM); kms:ViaService pins the service and
    // kms:CallerAccount the account. kms:CreateGrant is allowed only for grants that an AWS
    // service creates for its own resources (kms:GrantIsForAWSResource; Control Tower
    // CT.KMS.PR.3). MSK encrypts broker storage and, on SCRAM association, creates a grant so it
    // can read the secrets. Secrets Manager encrypts the SCRAM secrets with GenerateDataKey and
    // decrypts them with Decrypt (Secrets Manager User Guide, "Secret encryption and decryption").
    // aws-secretsmanager's Secret would add its own statement with kms:GenerateDataKey* and
    // kms:ReEncrypt* wildcards and an unconditioned CreateGrant: give secrets `keyReference`.
    // EBS (only with `ebsVolumes`) encrypts a volume with GenerateDataKeyWithoutPlaintext,
    // decrypts its data key with Decrypt and creates a grant for the instance that attaches it.
    const services: [string, string, readonly string[]][] = [
      ['AllowMskViaService', 'kafka', KEY_USE_ACTIONS],
      ['AllowSecretsManagerViaService', 'secretsmanager', SECRETS_MANAGER_KEY_ACTIONS],
    ];
    if (props.ebsVolumes) services.push(['AllowEbsViaService', 'ec2', KEY_USE_ACTIONS]);
    for (const [sid, service, actions] of services) {
      const conditions = {
        'kms:ViaService': `${service}.${Aws.REGION}.amazonaws.com`,
        'kms:CallerAccount': Aws.ACCOUNT_ID,
      };
      this.key.addToResourcePolicy(
        new iam.PolicyStatement({
          sid,
          principals: [new iam.AccountRootPrincipal()],
          actions: [...actions],
          resources: ['*'],
          conditions: { StringEquals: conditions },
        }),
      );
      if (service === 'kafka' || service === 'ec2') {
        this.key.addToResourcePolicy(
          new iam.PolicyStatement({
            sid:
              service === 'kafka'
                ? 'AllowMskGrantsForAwsResources'
                : 'AllowEbsGrantsForAwsResources',
            principals: [new iam.AccountRootPrincipal()],
            actions: ['kms:CreateGrant'],
            resources: ['*'],
            conditions: {
              StringEquals: conditions,
              Bool: { 'kms:GrantIsForAWSResource': 'true' },
            },
          }),
        );
      }
    }

    // No grants except those an AWS service creates for an AWS resource (or an AWS service
    // principal creates): the statement AWS Control Tower's CT.KMS.PR.3 requires, word for word
    // (Control Tower controls reference, "CT.KMS.PR.3"). MSK's grants for broker storage and
    // SCRAM secrets are created through MSK and carry kms:GrantIsForAWSResource (AWS KMS
    // Developer Guide, "kms:GrantIsForAWSResource").
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenyGrantsExceptForAwsResources',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['kms:CreateGrant'],
        resources: ['*'],
        conditions: {
          BoolIfExists: {
            'kms:GrantIsForAWSResource': 'false',
            'aws:PrincipalIsAWSService': 'false',
          },
        },
      }),
    );

    // CloudWatch Logs: only for this platform's log groups (`allowLogsToUseKey`, the statement
    // CloudWatch Logs' guide gives, scoped to `<logGroupNamePrefix>*`).
    allowLogsToUseKey(this, 'AllowCloudWatchLogsForPlatformLogGroups');
    this.keyReference = kms.Key.fromKeyArn(this, 'KeyReference', this.key.keyArn);
  }

  /** `EncryptedLogs`: the key itself. */
  public get encryptionKey(): kms.IKey {
    return this.key;
  }

  public get logGroupNamePrefix(): string {
    return this.props.logGroupNamePrefix;
  }

  public get logRetention(): logs.RetentionDays {
    return this.props.logRetentionDays as logs.RetentionDays;
  }

  public get logRemovalPolicy(): RemovalPolicy {
    return this.props.removalPolicy ?? RemovalPolicy.RETAIN;
  }
}
