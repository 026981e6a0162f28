/**
 * Secrets Manager rotation function for MSK SCRAM secrets (single-user strategy: a new password
 * for the same user). MSK reads only the AWSCURRENT version and picks up a new value by itself
 * (the old password stops working within about 10 minutes), so `setSecret` has nothing to call.
 *
 * Steps (Secrets Manager User Guide, "Rotation by Lambda function"):
 * - createSecret: AWSPENDING = `{ username: <same>, password: GetRandomPassword() }`
 * - setSecret: nothing (MSK reads the secret)
 * - testSecret: the pending value is `{ username, password }` for the same user
 * - finishSecret: move AWSCURRENT to the pending version
 */
import {
  DescribeSecretCommand,
  GetRandomPasswordCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import type { SecretsManagerRotationEvent, Context } from 'aws-lambda';
import { logger } from '../shared/logger';
import { EXCLUDED_CHARACTERS, PASSWORD_LENGTH } from '../../model/password-policy';

/** The rotation cannot proceed; the message says why. */
export class RotationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RotationError';
  }
}

interface ScramValue {
  readonly username: string;
  readonly password: string;
}

function parseScram(secretString: string | undefined, what: string): ScramValue {
  let value: Partial<ScramValue> | undefined;
  try {
    value = JSON.parse(secretString ?? '');
  } catch {
    value = undefined;
  }
  if (
    typeof value?.username !== 'string' ||
    typeof value?.password !== 'string' ||
    value.password === ''
  ) {
    throw new RotationError(`${what} is not {"username","password"} JSON`);
  }
  return value as ScramValue;
}

/** The SCRAM value of one version: AWSCURRENT, or the pending version `token`. */
async function readVersion(
  sm: SecretsManagerClient,
  secretId: string,
  token?: string,
): Promise<ScramValue> {
  const { SecretString } = await sm.send(
    new GetSecretValueCommand(
      token
        ? { SecretId: secretId, VersionId: token, VersionStage: 'AWSPENDING' }
        : { SecretId: secretId, VersionStage: 'AWSCURRENT' },
    ),
  );
  return parseScram(SecretString, `The ${token ? 'pending' : 'current'} value of ${secretId}`);
}

export async function onRotation(
  event: SecretsManagerRotationEvent,
  sm: SecretsManagerClient,
): Promise<void> {
  const { SecretId, ClientRequestToken: token, Step } = event;
  logger.info('Rotation step', { secretId: SecretId, step: Step, token });

  const metadata = await sm.send(new DescribeSecretCommand({ SecretId }));
  if (!metadata.RotationEnabled) throw new RotationError(`Rotation is not enabled for ${SecretId}`);
  const stages = metadata.VersionIdsToStages?.[token];
  if (!stages) throw new RotationError(`Version ${token} of ${SecretId} has no stage`);
  if (stages.includes('AWSCURRENT')) {
    logger.info('Version is already AWSCURRENT', { secretId: SecretId, token });
    return;
  }
  if (!stages.includes('AWSPENDING'))
    throw new RotationError(`Version ${token} of ${SecretId} is not AWSPENDING`);

  switch (Step) {
    case 'createSecret':
      return createSecret(sm, SecretId, token);
    case 'setSecret':
      return; // MSK reads AWSCURRENT from Secrets Manager itself.
    case 'testSecret':
      return testSecret(sm, SecretId, token);
    case 'finishSecret':
      return finishSecret(sm, SecretId, token, metadata.VersionIdsToStages ?? {});
    default:
      throw new RotationError(`Unknown rotation step ${JSON.stringify(Step)}`);
  }
}

async function createSecret(
  sm: SecretsManagerClient,
  secretId: string,
  token: string,
): Promise<void> {
  const current = await readVersion(sm, secretId);
  try {
    await readVersion(sm, secretId, token);
    logger.info('Pending version exists already', { secretId, token });
    return;
  } catch (error) {
    if ((error as Error).name !== 'ResourceNotFoundException') throw error;
  }
  const { RandomPassword } = await sm.send(
    new GetRandomPasswordCommand({
      PasswordLength: PASSWORD_LENGTH,
      ExcludeCharacters: EXCLUDED_CHARACTERS,
    }),
  );
  await sm.send(
    new PutSecretValueCommand({
      SecretId: secretId,
      ClientRequestToken: token,
      SecretString: JSON.stringify({ username: current.username, password: RandomPassword }),
      VersionStages: ['AWSPENDING'],
    }),
  );
  logger.info('Created pending version', { secretId, token });
}

async function testSecret(
  sm: SecretsManagerClient,
  secretId: string,
  token: string,
): Promise<void> {
  const current = await readVersion(sm, secretId);
  const pending = await readVersion(sm, secretId, token);
  if (pending.username !== current.username) {
    throw new RotationError(
      `The pending value of ${secretId} changes the user name; SCRAM rotation keeps it`,
    );
  }
}

async function finishSecret(
  sm: SecretsManagerClient,
  secretId: string,
  token: string,
  versions: Record<string, string[]>,
): Promise<void> {
  const currentVersion = Object.keys(versions).find((id) => versions[id].includes('AWSCURRENT'));
  await sm.send(
    new UpdateSecretVersionStageCommand({
      SecretId: secretId,
      VersionStage: 'AWSCURRENT',
      MoveToVersionId: token,
      RemoveFromVersionId: currentVersion,
    }),
  );
  logger.info(
    'Rotation finished: new password is AWSCURRENT; MSK applies it within about 10 minutes',
    {
      secretId,
      token,
    },
  );
}

const secretsManager = new SecretsManagerClient({});

export async function handler(
  event: SecretsManagerRotationEvent,
  context?: Context,
): Promise<void> {
  if (context) logger.addContext(context);
  try {
    await onRotation(event, secretsManager);
  } catch (error) {
    logger.error('Rotation failed', { error, secretId: event.SecretId, step: event.Step });
    throw error;
  }
}
