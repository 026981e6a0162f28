import { RemovalPolicy } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/**
 * Where and how a construct creates its log groups: `PlatformKey` is one; a forker can give any
 * key whose policy lets CloudWatch Logs use it for log groups named under `logGroupNamePrefix`
 * (CloudWatch Logs User Guide, "Encrypt log data in CloudWatch Logs using AWS KMS").
 */
export interface EncryptedLogs {
  /** Encrypts every log group. */
  readonly encryptionKey: kms.IKey;
  /** Start of every log group name, e.g. `/msk-secure-dev/`. */
  readonly logGroupNamePrefix: string;
  /** Retention of every log group. */
  readonly logRetention: logs.RetentionDays;
  /**
   * @default RemovalPolicy.RETAIN
   */
  readonly logRemovalPolicy?: RemovalPolicy;
}

/** A log group named `<logGroupNamePrefix><name>`, encrypted and retained as `settings` say. */
export function createEncryptedLogGroup(
  scope: Construct,
  id: string,
  settings: EncryptedLogs,
  name: string,
): logs.LogGroup {
  return new logs.LogGroup(scope, id, {
    logGroupName: `${settings.logGroupNamePrefix}${name}`,
    encryptionKey: settings.encryptionKey,
    retention: settings.logRetention,
    removalPolicy: settings.logRemovalPolicy ?? RemovalPolicy.RETAIN,
  });
}
