import { ArnFormat, Aws, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/**
 * Where and how a construct creates its log groups: `PlatformKey` is one; a forker can give any
 * symmetric key. CloudWatch Logs encrypts with the key as its own service principal, so the key
 * policy must allow it (IAM policies cannot): see `allowLogsToUseKey`.
 */
export interface EncryptedLogs {
  /**
   * Encrypts every log group. A key the app can edit (a `kms.Key` of this app) gets the key-policy
   * statement CloudWatch Logs needs, once per key and name prefix; an imported key cannot, and
   * synth fails unless `keyPolicyAllowsLogs` says its policy already has it.
   */
  readonly encryptionKey: kms.IKey;
  /** Start of every log group name, e.g. `/msk-secure-dev/`. */
  readonly logGroupNamePrefix: string;
  /** Retention of every log group. */
  readonly logRetention: logs.RetentionDays;
  /**
   * @default RemovalPolicy.RETAIN
   */
  readonly logRemovalPolicy?: RemovalPolicy;
  /**
   * The key's policy already lets CloudWatch Logs use it for log groups named
   * `<logGroupNamePrefix>*` (the statement `logsKeyPolicyStatement` returns): nothing is added,
   * and an imported key is accepted.
   *
   * @default false - the statement is added to the key policy; synth fails for an imported key
   */
  readonly keyPolicyAllowsLogs?: boolean;
}

/**
 * Key use by CloudWatch Logs: only actions whose requests carry the log group's encryption
 * context. The guide's example grants `kms:Encrypt*`, `kms:Decrypt*`, `kms:ReEncrypt*`,
 * `kms:GenerateDataKey*` and `kms:Describe*` under the `kms:EncryptionContext:aws:logs:arn`
 * condition; `kms:DescribeKey` carries no encryption context, so under that condition it can never
 * match and is left out, and the wildcards are spelled out.
 */
export const LOGS_KEY_ACTIONS = [
  'kms:Encrypt',
  'kms:Decrypt',
  'kms:ReEncryptFrom',
  'kms:ReEncryptTo',
  'kms:GenerateDataKey',
  'kms:GenerateDataKeyWithoutPlaintext',
];

/**
 * The key-policy statement that lets CloudWatch Logs (its Regional service principal
 * `logs.<Region>.amazonaws.com`) use a key for the log groups of this account and Region whose
 * names start with `logGroupNamePrefix`, and no others: the `ArnLike` condition on the
 * `kms:EncryptionContext:aws:logs:arn` encryption context every CloudWatch Logs request carries
 * (CloudWatch Logs User Guide, "Encrypt log data in CloudWatch Logs using AWS Key Management
 * Service", step 2 "Set permissions on the KMS key",
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html).
 */
export function logsKeyPolicyStatement(
  scope: Construct,
  logGroupNamePrefix: string,
  sid = `AllowCloudWatchLogsFor${logGroupNamePrefix.replace(/[^A-Za-z0-9]/g, '')}`,
): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid,
    principals: [new iam.ServicePrincipal(`logs.${Aws.REGION}.amazonaws.com`)],
    actions: [...LOGS_KEY_ACTIONS],
    resources: ['*'],
    conditions: {
      ArnLike: {
        'kms:EncryptionContext:aws:logs:arn': Stack.of(scope).formatArn({
          service: 'logs',
          resource: 'log-group',
          resourceName: `${logGroupNamePrefix}*`,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      },
    },
  });
}

/** Prefixes each key's policy already allows CloudWatch Logs to use it for. */
const allowedPrefixes = new WeakMap<kms.IKey, Set<string>>();

/**
 * Makes sure CloudWatch Logs may use `settings.encryptionKey` for the log groups named
 * `<logGroupNamePrefix>*`: adds `logsKeyPolicyStatement` to the key policy (once per key and
 * prefix) when the key can be edited; throws, naming the statement, when it cannot (an imported
 * key) unless `keyPolicyAllowsLogs` is set. Without the statement synth would pass and the
 * deployment would fail when CloudWatch Logs creates the first encrypted log group.
 *
 * @param sid the statement's Sid. @default `AllowCloudWatchLogsFor<prefix, letters and digits>`
 */
export function allowLogsToUseKey(settings: EncryptedLogs, sid?: string): void {
  if (settings.keyPolicyAllowsLogs) return;
  const key = settings.encryptionKey;
  const prefix = settings.logGroupNamePrefix;
  const done = allowedPrefixes.get(key) ?? new Set<string>();
  if (done.has(prefix)) return;
  const statement = logsKeyPolicyStatement(key, prefix, sid);
  if (!key.addToResourcePolicy(statement, true).statementAdded) {
    const stack = Stack.of(key);
    const known = (value: string, unknown: string) => (Token.isUnresolved(value) ? unknown : value);
    const arn = `arn:${known(stack.partition, '<partition>')}:logs:${known(stack.region, '<Region>')}:${known(stack.account, '<account>')}:log-group:${prefix}*`;
    throw new Error(
      `EncryptedLogs: encryptionKey ${key.node.path} cannot be edited (an imported key), so the ` +
        `key-policy statement CloudWatch Logs needs for the log groups "${prefix}*" cannot be ` +
        `added, and creating them would fail at deploy. Add to the key's policy: ` +
        `{ "Effect": "Allow", "Principal": { "Service": "logs.${known(stack.region, '<Region>')}.amazonaws.com" }, ` +
        `"Action": ${JSON.stringify(LOGS_KEY_ACTIONS)}, "Resource": "*", "Condition": { "ArnLike": ` +
        `{ "kms:EncryptionContext:aws:logs:arn": "${arn}" } } }, then set ` +
        `keyPolicyAllowsLogs: true next to encryptionKey; or give a kms.Key this app creates, ` +
        `and the constructs add it.`,
    );
  }
  done.add(prefix);
  allowedPrefixes.set(key, done);
}

/** A log group named `<logGroupNamePrefix><name>`, encrypted and retained as `settings` say. */
export function createEncryptedLogGroup(
  scope: Construct,
  id: string,
  settings: EncryptedLogs,
  name: string,
): logs.LogGroup {
  allowLogsToUseKey(settings);
  return new logs.LogGroup(scope, id, {
    logGroupName: `${settings.logGroupNamePrefix}${name}`,
    encryptionKey: settings.encryptionKey,
    retention: settings.logRetention,
    removalPolicy: settings.logRemovalPolicy ?? RemovalPolicy.RETAIN,
  });
}
