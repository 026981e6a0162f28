/**
 * A forker's own key: the constructs give CloudWatch Logs what it needs on a key they can edit,
 * and refuse, naming the statement, a key they cannot (an imported one).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import {
  createEncryptedLogGroup,
  EncryptedLogs,
  LOGS_KEY_ACTIONS,
} from '../../secure-msk-constructs/constructs/encrypted-logs';
import { PlatformKey } from '../../secure-msk-constructs/constructs/platform-key';

const ENV = { account: '111111111111', region: 'eu-west-1' };

function stackWith(key: (stack: Stack) => kms.IKey) {
  const stack = new Stack(new App(), 'Fork', { env: ENV });
  return { stack, key: key(stack) };
}

const settings = (key: kms.IKey, prefix = '/fork/', extra?: Partial<EncryptedLogs>) => ({
  encryptionKey: key,
  logGroupNamePrefix: prefix,
  logRetention: logs.RetentionDays.ONE_MONTH,
  logRemovalPolicy: RemovalPolicy.DESTROY,
  ...extra,
});

/** The key-policy statements whose principal is CloudWatch Logs. */
function logsStatements(stack: Stack) {
  const [key] = Object.values(Template.fromStack(stack).findResources('AWS::KMS::Key'));
  return (key.Properties.KeyPolicy.Statement as Record<string, unknown>[]).filter(
    (s) => JSON.stringify(s.Principal) === JSON.stringify({ Service: LOGS_PRINCIPAL }),
  );
}

/** `logs.<Region>.amazonaws.com` as CloudFormation writes it (`AWS::Region` at deploy). */
const LOGS_PRINCIPAL = { 'Fn::Join': ['', ['logs.', { Ref: 'AWS::Region' }, '.amazonaws.com']] };
const logGroupArn = (prefix: string) => ({
  'Fn::Join': [
    '',
    ['arn:', { Ref: 'AWS::Partition' }, `:logs:eu-west-1:111111111111:log-group:${prefix}*`],
  ],
});

const ownKey = (stack: Stack) => new kms.Key(stack, 'Key', { enableKeyRotation: true });
const importedKey = (stack: Stack) =>
  kms.Key.fromKeyArn(
    stack,
    'Imported',
    'arn:aws:kms:eu-west-1:111111111111:key/11111111-2222-3333-4444-555555555555',
  );

test('a key of the app gets one CloudWatch Logs statement per name prefix, scoped to it', () => {
  const { stack, key } = stackWith(ownKey);
  createEncryptedLogGroup(stack, 'A', settings(key), 'a');
  createEncryptedLogGroup(stack, 'B', settings(key), 'b');
  createEncryptedLogGroup(stack, 'C', settings(key, '/other/'), 'c');
  expect(logsStatements(stack)).toEqual([
    {
      Sid: 'AllowCloudWatchLogsForfork',
      Effect: 'Allow',
      Principal: { Service: LOGS_PRINCIPAL },
      Action: LOGS_KEY_ACTIONS,
      Resource: '*',
      Condition: {
        ArnLike: {
          'kms:EncryptionContext:aws:logs:arn': logGroupArn('/fork/'),
        },
      },
    },
    expect.objectContaining({
      Sid: 'AllowCloudWatchLogsForother',
      Condition: {
        ArnLike: {
          'kms:EncryptionContext:aws:logs:arn': logGroupArn('/other/'),
        },
      },
    }),
  ]);
  // No wildcard actions, no kms:* and nothing but key use.
  expect(LOGS_KEY_ACTIONS.every((a) => /^kms:[A-Za-z]+$/.test(a))).toBe(true);
  Template.fromStack(stack).resourceCountIs('AWS::Logs::LogGroup', 3);
});

test('an imported key fails synth with the statement to add and how to proceed', () => {
  const { stack, key } = stackWith(importedKey);
  expect(() => createEncryptedLogGroup(stack, 'A', settings(key), 'a')).toThrow(
    'EncryptedLogs: encryptionKey Fork/Imported cannot be edited (an imported key), so the ' +
      'key-policy statement CloudWatch Logs needs for the log groups "/fork/*" cannot be added, ' +
      'and creating them would fail at deploy. Add to the key\'s policy: { "Effect": "Allow", ' +
      '"Principal": { "Service": "logs.eu-west-1.amazonaws.com" }, "Action": ["kms:Encrypt",' +
      '"kms:Decrypt","kms:ReEncryptFrom","kms:ReEncryptTo","kms:GenerateDataKey",' +
      '"kms:GenerateDataKeyWithoutPlaintext"], "Resource": "*", "Condition": { "ArnLike": { ' +
      '"kms:EncryptionContext:aws:logs:arn": "arn:<partition>:logs:eu-west-1:111111111111:log-group:/fork/*" ' +
      '} } }, then set keyPolicyAllowsLogs: true next to encryptionKey; or give a kms.Key this ' +
      'app creates, and the constructs add it.',
  );
});

test('an imported key whose policy is declared to allow CloudWatch Logs is used as given', () => {
  const { stack, key } = stackWith(importedKey);
  createEncryptedLogGroup(stack, 'A', settings(key, '/fork/', { keyPolicyAllowsLogs: true }), 'a');
  Template.fromStack(stack).hasResourceProperties('AWS::Logs::LogGroup', {
    LogGroupName: '/fork/a',
    KmsKeyId: key.keyArn,
  });
});

test('keyPolicyAllowsLogs on a key of the app adds nothing to its policy', () => {
  const { stack, key } = stackWith(ownKey);
  createEncryptedLogGroup(stack, 'A', settings(key, '/fork/', { keyPolicyAllowsLogs: true }), 'a');
  expect(logsStatements(stack)).toEqual([]);
});

test("PlatformKey's log groups use its one statement, under its own Sid", () => {
  const stack = new Stack(new App(), 'Fork', { env: ENV });
  const platform = new PlatformKey(stack, 'Platform', {
    aliasName: 'fork',
    logGroupNamePrefix: '/fork/',
    logRetentionDays: 30,
  });
  createEncryptedLogGroup(stack, 'A', platform, 'a');
  createEncryptedLogGroup(stack, 'B', platform, 'b');
  expect(logsStatements(stack)).toEqual([
    expect.objectContaining({ Sid: 'AllowCloudWatchLogsForPlatformLogGroups' }),
  ]);
});

test('every log group of the library is made by createEncryptedLogGroup', () => {
  const dir = join(__dirname, '..', '..', 'secure-msk-constructs', 'constructs');
  const direct = readdirSync(dir).filter(
    (file) =>
      file !== 'encrypted-logs.ts' &&
      /new logs\.(LogGroup|CfnLogGroup)\b/.test(readFileSync(join(dir, file), 'utf8')),
  );
  expect(direct).toEqual([]);
});
