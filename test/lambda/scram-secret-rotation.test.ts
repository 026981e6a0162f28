import {
  DescribeSecretCommand,
  GetRandomPasswordCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import type { SecretsManagerRotationEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { onRotation } from '../../lambda/scram-secret-rotation/index';
import {
  EXCLUDED_CHARACTERS,
  PASSWORD_LENGTH,
} from '../../lambda/scram-secret-rotation/password-policy';
import { logger } from '../../lambda/shared/logger';

const sm = mockClient(SecretsManagerClient);
const SECRET =
  'arn:aws:secretsmanager:eu-west-1:111122223333:secret:AmazonMSK_orders_consumer-AbCdEf';
const TOKEN = 'token-2';
const event = (Step: SecretsManagerRotationEvent['Step']): SecretsManagerRotationEvent => ({
  Step,
  SecretId: SECRET,
  ClientRequestToken: TOKEN,
});
const client = () => new SecretsManagerClient({ region: 'eu-west-1' });

function versions(stages: Record<string, string[]>, rotationEnabled = true) {
  sm.on(DescribeSecretCommand).resolves({
    RotationEnabled: rotationEnabled,
    VersionIdsToStages: stages,
  });
}
const current = JSON.stringify({ username: 'consumer', password: 'old-password' });

beforeEach(() => {
  sm.reset();
  jest.spyOn(logger, 'info').mockImplementation(() => undefined);
});

test('createSecret: a new password for the same user, as AWSPENDING, with the stack’s password policy', async () => {
  versions({ 'token-1': ['AWSCURRENT'], [TOKEN]: ['AWSPENDING'] });
  sm.on(GetSecretValueCommand, { SecretId: SECRET, VersionStage: 'AWSCURRENT' }).resolves({
    SecretString: current,
  });
  sm.on(GetSecretValueCommand, {
    SecretId: SECRET,
    VersionId: TOKEN,
    VersionStage: 'AWSPENDING',
  }).rejects(Object.assign(new Error('no pending'), { name: 'ResourceNotFoundException' }));
  sm.on(GetRandomPasswordCommand).resolves({ RandomPassword: 'new-password' });
  await onRotation(event('createSecret'), client());
  expect(sm).toHaveReceivedCommandWith(GetRandomPasswordCommand, {
    PasswordLength: PASSWORD_LENGTH,
    ExcludeCharacters: EXCLUDED_CHARACTERS,
  });
  expect(sm).toHaveReceivedCommandWith(PutSecretValueCommand, {
    SecretId: SECRET,
    ClientRequestToken: TOKEN,
    SecretString: JSON.stringify({ username: 'consumer', password: 'new-password' }),
    VersionStages: ['AWSPENDING'],
  });
});

test('createSecret is idempotent: an existing pending version is kept', async () => {
  versions({ 'token-1': ['AWSCURRENT'], [TOKEN]: ['AWSPENDING'] });
  sm.on(GetSecretValueCommand).resolves({ SecretString: current });
  await onRotation(event('createSecret'), client());
  expect(sm).not.toHaveReceivedCommand(PutSecretValueCommand);
});

test('setSecret calls nothing (MSK reads the secret); testSecret checks the pending value', async () => {
  versions({ 'token-1': ['AWSCURRENT'], [TOKEN]: ['AWSPENDING'] });
  await onRotation(event('setSecret'), client());
  expect(sm.calls()).toHaveLength(1); // DescribeSecret only

  sm.on(GetSecretValueCommand, { SecretId: SECRET, VersionStage: 'AWSCURRENT' }).resolves({
    SecretString: current,
  });
  sm.on(GetSecretValueCommand, {
    SecretId: SECRET,
    VersionId: TOKEN,
    VersionStage: 'AWSPENDING',
  }).resolves({
    SecretString: JSON.stringify({ username: 'someone-else', password: 'x' }),
  });
  await expect(onRotation(event('testSecret'), client())).rejects.toThrow(
    `The pending value of ${SECRET} changes the user name; SCRAM rotation keeps it`,
  );
  sm.on(GetSecretValueCommand, {
    SecretId: SECRET,
    VersionId: TOKEN,
    VersionStage: 'AWSPENDING',
  }).resolves({
    SecretString: '{"username":"consumer"}',
  });
  await expect(onRotation(event('testSecret'), client())).rejects.toThrow(
    `The pending value of ${SECRET} is not {"username","password"} JSON`,
  );
});

test('finishSecret moves AWSCURRENT to the new version', async () => {
  versions({ 'token-1': ['AWSCURRENT'], [TOKEN]: ['AWSPENDING'] });
  await onRotation(event('finishSecret'), client());
  expect(sm).toHaveReceivedCommandWith(UpdateSecretVersionStageCommand, {
    SecretId: SECRET,
    VersionStage: 'AWSCURRENT',
    MoveToVersionId: TOKEN,
    RemoveFromVersionId: 'token-1',
  });
});

test('a version that is already AWSCURRENT is left alone; bad states fail with the reason', async () => {
  versions({ [TOKEN]: ['AWSCURRENT'] });
  await onRotation(event('finishSecret'), client());
  expect(sm).not.toHaveReceivedCommand(UpdateSecretVersionStageCommand);

  versions({ [TOKEN]: ['AWSPENDING'] }, false);
  await expect(onRotation(event('createSecret'), client())).rejects.toThrow(
    `Rotation is not enabled for ${SECRET}`,
  );
  versions({ 'token-1': ['AWSCURRENT'] });
  await expect(onRotation(event('createSecret'), client())).rejects.toThrow(
    `Version ${TOKEN} of ${SECRET} has no stage`,
  );
  versions({ [TOKEN]: ['AWSPREVIOUS'] });
  await expect(onRotation(event('createSecret'), client())).rejects.toThrow(
    `Version ${TOKEN} of ${SECRET} is not AWSPENDING`,
  );
});
