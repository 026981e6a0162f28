import { ArnFormat, Aws, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

export interface PlatformKeyProps {
  /** Alias name without the `alias/` prefix (the cluster name). */
  readonly aliasName: string;
  /**
   * Name prefix of the log groups this key may encrypt, e.g. `/msk-secure-dev/`. CloudWatch Logs
   * may use the key only for log groups whose names start with it.
   */
  readonly logGroupNamePrefix: string;
  /** Retention of the log groups made with `createLogGroup`, in days. */
  readonly logRetentionDays: number;
  /**
   * `RETAIN` keeps the key (and so the data encrypted with it) after `cdk destroy`.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** Actions a service needs to encrypt and decrypt with the key (no wildcards). */
export const KEY_USE_ACTIONS = [
  'kms:Encrypt',
  'kms:Decrypt',
  'kms:ReEncryptFrom',
  'kms:ReEncryptTo',
  'kms:GenerateDataKey',
  'kms:GenerateDataKeyWithoutPlaintext',
  'kms:DescribeKey',
];

/**
 * The platform's one customer-managed symmetric KMS key: rotation on, alias `alias/<cluster>`.
 *
 * Only the account root has `kms:*` (the CDK default key policy, which delegates to IAM);
 * every service gets exactly the actions it needs, scoped by condition.
 */
export class PlatformKey extends Construct {
  public readonly key: kms.Key;
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

    // MSK encrypts broker storage with the key and creates grants for it; only through MSK, for
    // principals of this account that IAM allows to (the account root principal delegates to
    // IAM; kms:ViaService pins the service). Secrets Manager's equivalent statement is added by
    // each aws-secretsmanager Secret that uses the key.
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowMskViaService',
        principals: [new iam.AccountRootPrincipal()],
        actions: [...KEY_USE_ACTIONS, 'kms:CreateGrant'],
        resources: ['*'],
        conditions: {
          StringEquals: {
            'kms:ViaService': `kafka.${Aws.REGION}.amazonaws.com`,
            'kms:CallerAccount': Aws.ACCOUNT_ID,
          },
        },
      }),
    );

    // CloudWatch Logs: only for this platform's log groups (encryption-context condition from
    // the CloudWatch Logs guide, "Encrypt log data in CloudWatch Logs using AWS KMS").
    const stack = Stack.of(this);
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchLogsForPlatformLogGroups',
        principals: [new iam.ServicePrincipal(`logs.${Aws.REGION}.amazonaws.com`)],
        actions: KEY_USE_ACTIONS,
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': stack.formatArn({
              service: 'logs',
              resource: 'log-group',
              resourceName: `${props.logGroupNamePrefix}*`,
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
  }

  /**
   * A log group encrypted with this key, named `<logGroupNamePrefix><name>` (the only names the
   * key policy lets CloudWatch Logs use the key for), with the platform's retention.
   */
  public createLogGroup(scope: Construct, id: string, name: string): logs.LogGroup {
    return new logs.LogGroup(scope, id, {
      logGroupName: `${this.props.logGroupNamePrefix}${name}`,
      encryptionKey: this.key,
      retention: this.props.logRetentionDays as logs.RetentionDays,
      removalPolicy: this.props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
  }
}
