import {
  DescribeSecretCommand,
  GetRandomPasswordCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import type { Context, SecretsManagerRotationEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import {
  handler,
  onRotation,
  RotationError,
} from '../../secure-msk-constructs/handlers/scram-secret-rotation/index';
import {
  EXCLUDED_CHARACTERS,
  PASSWORD_LENGTH,
} from '../../secure-msk-constructs/model/password-policy';
import { logger } from '../../secure-msk-constructs/handlers/shared/logger';

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
const ROTATING = { 'token-1': ['AWSCURRENT'], [TOKEN]: ['AWSPENDING'] };
const current = JSON.stringify({ username: 'consumer', password: 'old-password' });

/** GetSecretValue answers: AWSCURRENT and the pending version (a value, or an error). */
function values(pending: string | Error, currentValue = current) {
  sm.on(GetSecretValueCommand, { SecretId: SECRET, VersionStage: 'AWSCURRENT' }).resolves({
    SecretString: currentValue,
  });
  const pendingVersion = sm.on(GetSecretValueCommand, {
    SecretId: SECRET,
    VersionId: TOKEN,
    VersionStage: 'AWSPENDING',
  });
  if (typeof pending === 'string') pendingVersion.resolves({ SecretString: pending });
  else pendingVersion.rejects(pending);
}
const awsError = (name: string, message = name) => Object.assign(new Error(message), { name });
const getSecretValueInputs = () =>
  sm.commandCalls(GetSecretValueCommand).map((call) => call.args[0].input);

let info: jest.SpyInstance;
let error: jest.SpyInstance;
beforeEach(() => {
  sm.reset();
  info = jest.spyOn(logger, 'info').mockImplementation(() => undefined);
  error = jest.spyOn(logger, 'error').mockImplementation(() => undefined);
});
afterEach(() => jest.restoreAllMocks());

test('the password policy the stack and the rotation share: 32 characters, no quoting trouble', () => {
  // Literal values: comparing with the module's own constants could not fail.
  expect(PASSWORD_LENGTH).toBe(32);
  expect(EXCLUDED_CHARACTERS).toBe('"\'\\/@`$;:,={}[] ');
  expect([...EXCLUDED_CHARACTERS].sort()).toEqual(
    [' ', '"', '$', "'", ',', '/', ':', ';', '=', '@', '[', '\\', ']', '`', '{', '}'].sort(),
  );
});

describe('createSecret', () => {
  test('a new password for the same user, as AWSPENDING, with the password policy', async () => {
    versions(ROTATING);
    values(awsError('ResourceNotFoundException', 'no pending'));
    sm.on(GetRandomPasswordCommand).resolves({ RandomPassword: 'new-password' });
    await onRotation(event('createSecret'), client());
    expect(getSecretValueInputs()).toEqual([
      { SecretId: SECRET, VersionStage: 'AWSCURRENT' },
      { SecretId: SECRET, VersionId: TOKEN, VersionStage: 'AWSPENDING' },
    ]);
    expect(sm.commandCalls(GetRandomPasswordCommand).map((c) => c.args[0].input)).toEqual([
      { PasswordLength: 32, ExcludeCharacters: '"\'\\/@`$;:,={}[] ' },
    ]);
    expect(sm.commandCalls(PutSecretValueCommand).map((c) => c.args[0].input)).toEqual([
      {
        SecretId: SECRET,
        ClientRequestToken: TOKEN,
        SecretString: '{"username":"consumer","password":"new-password"}',
        VersionStages: ['AWSPENDING'],
      },
    ]);
    expect(info).toHaveBeenCalledWith('Created pending version', {
      secretId: SECRET,
      token: TOKEN,
    });
  });

  test('is idempotent: an existing pending version is kept, no new password', async () => {
    versions(ROTATING);
    values(JSON.stringify({ username: 'consumer', password: 'pending-password' }));
    await onRotation(event('createSecret'), client());
    expect(sm).not.toHaveReceivedCommand(GetRandomPasswordCommand);
    expect(sm).not.toHaveReceivedCommand(PutSecretValueCommand);
    expect(info).toHaveBeenCalledWith('Pending version exists already', {
      secretId: SECRET,
      token: TOKEN,
    });
  });

  test('an error other than not-found while reading the pending version fails the step', async () => {
    versions(ROTATING);
    const denied = awsError('AccessDeniedException', 'not allowed to read AWSPENDING');
    values(denied);
    await expect(onRotation(event('createSecret'), client())).rejects.toBe(denied);
    expect(sm).not.toHaveReceivedCommand(GetRandomPasswordCommand);
    expect(sm).not.toHaveReceivedCommand(PutSecretValueCommand);
  });

  test('a current value that is not SCRAM JSON stops before generating a password', async () => {
    versions(ROTATING);
    for (const bad of ['not json', '{"username":"consumer","password":""}', '{"password":"x"}']) {
      sm.on(GetSecretValueCommand).resolves({ SecretString: bad });
      await expect(onRotation(event('createSecret'), client())).rejects.toThrow(
        new RotationError(`The current value of ${SECRET} is not {"username","password"} JSON`),
      );
    }
    sm.on(GetSecretValueCommand).resolves({});
    await expect(onRotation(event('createSecret'), client())).rejects.toThrow(
      `The current value of ${SECRET} is not {"username","password"} JSON`,
    );
    expect(sm).not.toHaveReceivedCommand(GetRandomPasswordCommand);
  });
});

test('setSecret calls nothing but DescribeSecret (MSK reads the secret itself)', async () => {
  versions(ROTATING);
  await expect(onRotation(event('setSecret'), client())).resolves.toBeUndefined();
  expect(sm.calls()).toHaveLength(1);
  expect(sm).toHaveReceivedCommandWith(DescribeSecretCommand, { SecretId: SECRET });
});

describe('testSecret', () => {
  test('passes when the pending value is SCRAM JSON for the same user', async () => {
    versions(ROTATING);
    values(JSON.stringify({ username: 'consumer', password: 'new-password' }));
    await expect(onRotation(event('testSecret'), client())).resolves.toBeUndefined();
    expect(getSecretValueInputs()).toEqual([
      { SecretId: SECRET, VersionStage: 'AWSCURRENT' },
      { SecretId: SECRET, VersionId: TOKEN, VersionStage: 'AWSPENDING' },
    ]);
    expect(sm).not.toHaveReceivedCommand(PutSecretValueCommand);
    expect(sm).not.toHaveReceivedCommand(UpdateSecretVersionStageCommand);
  });

  test('fails on another user name or a value without a password', async () => {
    versions(ROTATING);
    values(JSON.stringify({ username: 'someone-else', password: 'x' }));
    await expect(onRotation(event('testSecret'), client())).rejects.toThrow(
      new RotationError(
        `The pending value of ${SECRET} changes the user name; SCRAM rotation keeps it`,
      ),
    );
    values('{"username":"consumer"}');
    await expect(onRotation(event('testSecret'), client())).rejects.toThrow(
      new RotationError(`The pending value of ${SECRET} is not {"username","password"} JSON`),
    );
  });
});

test('finishSecret moves AWSCURRENT from the current version to the new one', async () => {
  versions({ 'token-0': ['AWSPREVIOUS'], 'token-1': ['AWSCURRENT'], [TOKEN]: ['AWSPENDING'] });
  await onRotation(event('finishSecret'), client());
  expect(sm.commandCalls(UpdateSecretVersionStageCommand).map((c) => c.args[0].input)).toEqual([
    {
      SecretId: SECRET,
      VersionStage: 'AWSCURRENT',
      MoveToVersionId: TOKEN,
      RemoveFromVersionId: 'token-1',
    },
  ]);
  expect(info).toHaveBeenCalledWith(
    'Rotation finished: new password is AWSCURRENT; MSK applies it within about 10 minutes',
    { secretId: SECRET, token: TOKEN },
  );
});

describe('version checks before any step', () => {
  test('a version that is already AWSCURRENT is left alone', async () => {
    versions({ [TOKEN]: ['AWSCURRENT', 'AWSPENDING'] });
    await onRotation(event('finishSecret'), client());
    expect(sm.calls()).toHaveLength(1);
    expect(info).toHaveBeenCalledWith('Version is already AWSCURRENT', {
      secretId: SECRET,
      token: TOKEN,
    });
  });

  test.each([
    [
      'rotation disabled',
      { [TOKEN]: ['AWSPENDING'] },
      false,
      `Rotation is not enabled for ${SECRET}`,
    ],
    [
      'unknown version',
      { 'token-1': ['AWSCURRENT'] },
      true,
      `Version ${TOKEN} of ${SECRET} has no stage`,
    ],
    [
      'not pending',
      { [TOKEN]: ['AWSPREVIOUS'] },
      true,
      `Version ${TOKEN} of ${SECRET} is not AWSPENDING`,
    ],
  ])('%s', async (_name, stages, enabled, message) => {
    versions(stages, enabled);
    await expect(onRotation(event('createSecret'), client())).rejects.toThrow(
      new RotationError(message),
    );
    expect(sm.calls()).toHaveLength(1);
  });

  test('no VersionIdsToStages at all: no stage', async () => {
    sm.on(DescribeSecretCommand).resolves({ RotationEnabled: true });
    await expect(onRotation(event('testSecret'), client())).rejects.toThrow(
      `Version ${TOKEN} of ${SECRET} has no stage`,
    );
  });

  test('an unknown step is refused', async () => {
    versions(ROTATING);
    await expect(
      onRotation(event('cleanupSecret' as SecretsManagerRotationEvent['Step']), client()),
    ).rejects.toThrow(new RotationError('Unknown rotation step "cleanupSecret"'));
  });

  test('every step is logged with the secret and the token', async () => {
    versions(ROTATING);
    await onRotation(event('setSecret'), client());
    expect(info).toHaveBeenCalledWith('Rotation step', {
      secretId: SECRET,
      step: 'setSecret',
      token: TOKEN,
    });
  });
});

describe('handler (the Lambda entry point, its own SecretsManagerClient mocked)', () => {
  const context = { functionName: 'rotation', awsRequestId: 'req-1' } as Context;

  test('runs the step with the module’s client and the invocation context', async () => {
    const addContext = jest.spyOn(logger, 'addContext').mockImplementation(() => undefined);
    versions(ROTATING);
    values(JSON.stringify({ username: 'consumer', password: 'new-password' }));
    await expect(handler(event('testSecret'), context)).resolves.toBeUndefined();
    expect(addContext).toHaveBeenCalledWith(context);
    expect(sm).toHaveReceivedCommandTimes(GetSecretValueCommand, 2);
    expect(error).not.toHaveBeenCalled();
  });

  test('without a context it adds none', async () => {
    const addContext = jest.spyOn(logger, 'addContext').mockImplementation(() => undefined);
    versions(ROTATING);
    await handler(event('setSecret'));
    expect(addContext).not.toHaveBeenCalled();
  });

  test('a failing step is logged with the secret and the step, then rethrown', async () => {
    versions(ROTATING);
    values(JSON.stringify({ username: 'someone-else', password: 'x' }));
    const failure = await handler(event('testSecret')).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(RotationError);
    // Lambda reports the error's name as the invocation's errorType.
    expect(failure).toMatchObject({
      name: 'RotationError',
      message: `The pending value of ${SECRET} changes the user name; SCRAM rotation keeps it`,
    });
    expect(error).toHaveBeenCalledWith('Rotation failed', {
      error: failure,
      secretId: SECRET,
      step: 'testSecret',
    });
  });
});
