import {
  BatchAssociateScramSecretCommand,
  BatchDisassociateScramSecretCommand,
  ConflictException,
  KafkaClient,
  ListScramSecretsCommand,
  NotFoundException,
  TooManyRequestsException,
} from '@aws-sdk/client-kafka';
import { DescribeSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { CdkCustomResourceEvent, Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import {
  Deps,
  disassociate,
  listAssociated,
} from '../../secure-msk-constructs/handlers/scram-secret-association/association';
import {
  AssociationNotConfirmedError,
  SecretPreflightError,
  UnprocessedSecretsError,
} from '../../secure-msk-constructs/handlers/scram-secret-association/errors';
import {
  handler,
  onEvent,
  parseProperties,
  physicalIdFor,
} from '../../secure-msk-constructs/handlers/scram-secret-association/index';
import { logger } from '../../secure-msk-constructs/handlers/shared/logger';
import { RetriesExhaustedError } from '../../secure-msk-constructs/handlers/shared/retry';
import {
  MSK_SECRET_PREFIX,
  scramSecretName,
} from '../../secure-msk-constructs/model/scram-secret-name';

const kafkaMock = mockClient(KafkaClient);
const smMock = mockClient(SecretsManagerClient);

const CLUSTER =
  'arn:aws:kafka:eu-west-1:111122223333:cluster/orders/1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d-2';
const OTHER_CLUSTER =
  'arn:aws:kafka:eu-west-1:111122223333:cluster/orders-v2/9f8e7d6c-5b4a-3f2e-1d0c-9b8a7f6e5d4c-1';
const secretArn = (user: string) =>
  `arn:aws:secretsmanager:eu-west-1:111122223333:secret:AmazonMSK_orders_${user}-AbCdEf`;
const KEY = 'arn:aws:kms:eu-west-1:111122223333:key/0b6a5f1e-1111-2222-3333-444455556666';

const sleep = jest.fn(async (_ms: number) => undefined);
const deps = (): Deps => ({
  kafka: new KafkaClient({ region: 'eu-west-1' }),
  secretsManager: new SecretsManagerClient({ region: 'eu-west-1' }),
  retry: {
    maxAttempts: 4,
    baseDelayMs: 100,
    maxDelayMs: 1_000,
    sleep,
    random: () => 1,
    remainingTimeMs: () => 600_000,
  },
});

function event(
  requestType: 'Create' | 'Update' | 'Delete',
  props: { cluster: string; secrets: string[] },
  old?: { cluster: string; secrets: string[] },
): CdkCustomResourceEvent {
  const base = {
    ServiceToken: 'arn:aws:lambda:eu-west-1:111122223333:function:provider',
    ResponseURL:
      'https://cloudformation-custom-resource-response-euwest1.s3.amazonaws.com/SECRET-SIGNATURE',
    StackId: 'arn:aws:cloudformation:eu-west-1:111122223333:stack/msk/guid',
    RequestId: 'request-1',
    LogicalResourceId: 'ScramSecretAssociation',
    ResourceType: 'Custom::MskScramSecretAssociation',
    ResourceProperties: {
      ServiceToken: 'token',
      ClusterArn: props.cluster,
      SecretArns: props.secrets,
    },
  };
  if (requestType === 'Create') return { ...base, RequestType: 'Create' };
  const PhysicalResourceId = physicalIdFor(old?.cluster ?? props.cluster);
  if (requestType === 'Delete') return { ...base, RequestType: 'Delete', PhysicalResourceId };
  return {
    ...base,
    RequestType: 'Update',
    PhysicalResourceId,
    OldResourceProperties: {
      ServiceToken: 'token',
      ClusterArn: old!.cluster,
      SecretArns: old!.secrets,
    },
  };
}

/** Every secret passes pre-flight: AmazonMSK_ name, customer-managed key. */
function secretsAreValid(): void {
  smMock.on(DescribeSecretCommand).callsFake((input: { SecretId: string }) => ({
    ARN: input.SecretId,
    Name: input.SecretId.split(':secret:')[1].replace(/-[A-Za-z0-9]{6}$/, ''),
    KmsKeyId: KEY,
  }));
}

/** ListScramSecrets answers from a live set that Batch(Dis)associate change, two per page. */
function clusterWith(initial: string[]): Set<string> {
  const associated = new Set(initial);
  kafkaMock.on(ListScramSecretsCommand).callsFake((input: { NextToken?: string }) => {
    const all = [...associated];
    const start = input.NextToken ? Number(input.NextToken) : 0;
    const next = start + 2 < all.length ? String(start + 2) : undefined;
    return { SecretArnList: all.slice(start, start + 2), NextToken: next };
  });
  kafkaMock.on(BatchAssociateScramSecretCommand).callsFake((input: { SecretArnList: string[] }) => {
    input.SecretArnList.forEach((a) => associated.add(a));
    return { ClusterArn: CLUSTER, UnprocessedScramSecrets: [] };
  });
  kafkaMock
    .on(BatchDisassociateScramSecretCommand)
    .callsFake((input: { SecretArnList: string[] }) => {
      input.SecretArnList.forEach((a) => associated.delete(a));
      return { ClusterArn: CLUSTER, UnprocessedScramSecrets: [] };
    });
  return associated;
}

beforeEach(() => {
  kafkaMock.reset();
  smMock.reset();
  sleep.mockClear();
  jest.spyOn(logger, 'info').mockImplementation(() => undefined);
  jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
});
afterEach(() => jest.restoreAllMocks());

describe('Create', () => {
  test('associates 12 secrets in chunks of 10 and 2, then confirms every one (paginated list)', async () => {
    // GIVEN 12 valid secrets and a cluster with none
    secretsAreValid();
    const associated = clusterWith([]);
    const secrets = Array.from({ length: 12 }, (_, i) => secretArn(`user${i}`));

    // WHEN
    const response = await onEvent(event('Create', { cluster: CLUSTER, secrets }), deps());

    // THEN
    const calls = kafkaMock
      .commandCalls(BatchAssociateScramSecretCommand)
      .map((c) => c.args[0].input);
    expect(calls).toEqual([
      { ClusterArn: CLUSTER, SecretArnList: secrets.slice(0, 10) },
      { ClusterArn: CLUSTER, SecretArnList: secrets.slice(10) },
    ]);
    expect([...associated].sort()).toEqual([...secrets].sort());
    expect(kafkaMock.commandCalls(ListScramSecretsCommand).length).toBeGreaterThan(2); // pages, before and after
    expect(response).toEqual({
      PhysicalResourceId: physicalIdFor(CLUSTER),
      Data: { SecretCount: 12 },
    });
  });

  test('leaves already-associated secrets alone (idempotent re-run)', async () => {
    secretsAreValid();
    clusterWith([secretArn('a'), secretArn('b')]);
    await onEvent(
      event('Create', { cluster: CLUSTER, secrets: [secretArn('a'), secretArn('b')] }),
      deps(),
    );
    expect(kafkaMock).not.toHaveReceivedCommand(BatchAssociateScramSecretCommand);
  });

  test('an unprocessed secret fails the deployment with its ARN, error code and message', async () => {
    secretsAreValid();
    clusterWith([]);
    kafkaMock.on(BatchAssociateScramSecretCommand).resolves({
      ClusterArn: CLUSTER,
      UnprocessedScramSecrets: [
        {
          SecretArn: secretArn('a'),
          ErrorCode: 'AccessDenied',
          ErrorMessage: 'User is not authorized to invoke the CreateGrant operation',
        },
      ],
    });
    await expect(
      onEvent(
        event('Create', { cluster: CLUSTER, secrets: [secretArn('a'), secretArn('b')] }),
        deps(),
      ),
    ).rejects.toThrow(
      `MSK did not associate 1 SCRAM secret(s) with ${CLUSTER}: ${secretArn('a')}: AccessDenied: User is not authorized to invoke the CreateGrant operation`,
    );
  });

  test('MSK says success but does not list the secret afterwards: no false success', async () => {
    secretsAreValid();
    kafkaMock.on(ListScramSecretsCommand).resolves({ SecretArnList: [] });
    kafkaMock.on(BatchAssociateScramSecretCommand).resolves({ UnprocessedScramSecrets: [] });
    await expect(
      onEvent(event('Create', { cluster: CLUSTER, secrets: [secretArn('a')] }), deps()),
    ).rejects.toThrow(
      `After association, ${CLUSTER} does not list these SCRAM secrets: ${secretArn('a')}`,
    );
  });

  test('cluster busy (ConflictException), then success: retried with backoff', async () => {
    secretsAreValid();
    const associated = clusterWith([]);
    kafkaMock
      .on(BatchAssociateScramSecretCommand)
      .rejectsOnce(
        new ConflictException({ message: 'The cluster is being updated', $metadata: {} }),
      )
      .callsFake((input: { SecretArnList: string[] }) => {
        input.SecretArnList.forEach((a) => associated.add(a));
        return { UnprocessedScramSecrets: [] };
      });
    await onEvent(event('Create', { cluster: CLUSTER, secrets: [secretArn('a')] }), deps());
    expect(kafkaMock.commandCalls(BatchAssociateScramSecretCommand)).toHaveLength(2);
    expect(sleep).toHaveBeenCalledTimes(1);
    expect(sleep).toHaveBeenCalledWith(100);
    expect(associated.has(secretArn('a'))).toBe(true);
  });

  test('throttling that does not stop: bounded attempts with growing waits, then a clear failure', async () => {
    secretsAreValid();
    clusterWith([]);
    kafkaMock
      .on(BatchAssociateScramSecretCommand)
      .rejects(new TooManyRequestsException({ message: 'Rate exceeded', $metadata: {} }));
    await expect(
      onEvent(event('Create', { cluster: CLUSTER, secrets: [secretArn('a')] }), deps()),
    ).rejects.toThrow(
      `BatchAssociateScramSecret(${CLUSTER}) failed after 4 attempts: TooManyRequestsException: Rate exceeded`,
    );
    expect(kafkaMock.commandCalls(BatchAssociateScramSecretCommand)).toHaveLength(4);
    expect(sleep.mock.calls.map(([ms]) => ms)).toEqual([100, 200, 400]);
  });

  test('stops retrying when the function would run out of time', async () => {
    secretsAreValid();
    clusterWith([]);
    kafkaMock
      .on(BatchAssociateScramSecretCommand)
      .rejects(new ConflictException({ message: 'busy', $metadata: {} }));
    const shortOnTime = {
      ...deps(),
      retry: { ...deps().retry, maxAttempts: 100, remainingTimeMs: () => 150 },
    };
    await expect(
      onEvent(event('Create', { cluster: CLUSTER, secrets: [secretArn('a')] }), shortOnTime),
    ).rejects.toThrow(/failed after 2 attempts: ConflictException: busy/);
  });

  test('pre-flight: wrong name prefix and default key are reported together, before MSK is called', async () => {
    smMock
      .on(DescribeSecretCommand, { SecretId: secretArn('a') })
      .resolves({ Name: 'orders_a', KmsKeyId: KEY })
      .on(DescribeSecretCommand, { SecretId: secretArn('b') })
      .resolves({ Name: 'AmazonMSK_orders_b' })
      .on(DescribeSecretCommand, { SecretId: secretArn('c') })
      .resolves({
        Name: 'AmazonMSK_orders_c',
        KmsKeyId: 'arn:aws:kms:eu-west-1:111122223333:alias/aws/secretsmanager',
      });
    clusterWith([]);
    const run = onEvent(
      event('Create', {
        cluster: CLUSTER,
        secrets: [secretArn('a'), secretArn('b'), secretArn('c')],
      }),
      deps(),
    );
    await expect(run).rejects.toThrow(/name "orders_a" must start with "AmazonMSK_"/);
    await expect(run).rejects.toThrow(
      new RegExp(`${secretArn('b')}: encrypted with the default aws/secretsmanager key`),
    );
    await expect(run).rejects.toThrow(
      new RegExp(`${secretArn('c')}: encrypted with the default aws/secretsmanager key`),
    );
    expect(kafkaMock).not.toHaveReceivedCommand(BatchAssociateScramSecretCommand);
  });

  test('pre-flight: a secret that cannot be described', async () => {
    smMock.on(DescribeSecretCommand).rejects(
      Object.assign(new Error('Secrets Manager can’t find the specified secret.'), {
        name: 'ResourceNotFoundException',
      }),
    );
    await expect(
      onEvent(event('Create', { cluster: CLUSTER, secrets: [secretArn('a')] }), deps()),
    ).rejects.toThrow(/cannot describe the secret \(ResourceNotFoundException/);
  });
});

describe('Update', () => {
  test('same cluster: associates the added secret, disassociates the removed one, keeps the rest', async () => {
    secretsAreValid();
    const someoneElses =
      'arn:aws:secretsmanager:eu-west-1:111122223333:secret:AmazonMSK_orders_other-XyZabc';
    const associated = clusterWith([secretArn('a'), secretArn('b'), someoneElses]);
    const response = await onEvent(
      event(
        'Update',
        { cluster: CLUSTER, secrets: [secretArn('b'), secretArn('c')] },
        { cluster: CLUSTER, secrets: [secretArn('a'), secretArn('b')] },
      ),
      deps(),
    );
    expect(
      kafkaMock
        .commandCalls(BatchAssociateScramSecretCommand)
        .map((c) => c.args[0].input.SecretArnList),
    ).toEqual([[secretArn('c')]]);
    expect(
      kafkaMock
        .commandCalls(BatchDisassociateScramSecretCommand)
        .map((c) => c.args[0].input.SecretArnList),
    ).toEqual([[secretArn('a')]]);
    expect([...associated].sort()).toEqual([secretArn('b'), secretArn('c'), someoneElses].sort());
    expect(response.PhysicalResourceId).toBe(physicalIdFor(CLUSTER));
  });

  test('new cluster: associates everything there and returns a new physical id (old one is deleted by CloudFormation)', async () => {
    secretsAreValid();
    clusterWith([]);
    const response = await onEvent(
      event(
        'Update',
        { cluster: OTHER_CLUSTER, secrets: [secretArn('a')] },
        { cluster: CLUSTER, secrets: [secretArn('a')] },
      ),
      deps(),
    );
    expect(
      kafkaMock.commandCalls(BatchAssociateScramSecretCommand).map((c) => c.args[0].input),
    ).toEqual([{ ClusterArn: OTHER_CLUSTER, SecretArnList: [secretArn('a')] }]);
    expect(kafkaMock).not.toHaveReceivedCommand(BatchDisassociateScramSecretCommand);
    expect(response.PhysicalResourceId).toBe(physicalIdFor(OTHER_CLUSTER));
    expect(response.PhysicalResourceId).not.toBe(physicalIdFor(CLUSTER));
  });
});

describe('Delete', () => {
  test('disassociates only this resource’s secrets', async () => {
    const someoneElses =
      'arn:aws:secretsmanager:eu-west-1:111122223333:secret:AmazonMSK_orders_other-XyZabc';
    const associated = clusterWith([secretArn('a'), someoneElses]);
    await onEvent(
      event('Delete', { cluster: CLUSTER, secrets: [secretArn('a'), secretArn('gone')] }),
      deps(),
    );
    expect(
      kafkaMock
        .commandCalls(BatchDisassociateScramSecretCommand)
        .map((c) => c.args[0].input.SecretArnList),
    ).toEqual([[secretArn('a')]]);
    expect([...associated]).toEqual([someoneElses]);
  });

  test('a cluster that no longer exists is success', async () => {
    kafkaMock
      .on(ListScramSecretsCommand)
      .rejects(new NotFoundException({ message: 'Cluster not found', $metadata: {} }));
    const response = await onEvent(
      event('Delete', { cluster: CLUSTER, secrets: [secretArn('a')] }),
      deps(),
    );
    expect(response.PhysicalResourceId).toBe(physicalIdFor(CLUSTER));
    expect(kafkaMock).not.toHaveReceivedCommand(BatchDisassociateScramSecretCommand);
  });

  test('a secret reported as not found is success; any other rejection fails', async () => {
    clusterWith([secretArn('a'), secretArn('b')]);
    kafkaMock.on(BatchDisassociateScramSecretCommand).resolves({
      UnprocessedScramSecrets: [
        {
          SecretArn: secretArn('a'),
          ErrorCode: 'SecretNotFound',
          ErrorMessage: 'Secret not found',
        },
        {
          SecretArn: secretArn('b'),
          ErrorCode: 'AccessDenied',
          ErrorMessage: 'not authorized to RetireGrant',
        },
      ],
    });
    await expect(
      onEvent(
        event('Delete', { cluster: CLUSTER, secrets: [secretArn('a'), secretArn('b')] }),
        deps(),
      ),
    ).rejects.toThrow(
      `MSK did not disassociate 1 SCRAM secret(s) from ${CLUSTER}: ${secretArn('b')}: AccessDenied: not authorized to RetireGrant`,
    );
  });
});

describe('properties and logging', () => {
  test('bad properties are refused with what was received', () => {
    expect(() => parseProperties({ ClusterArn: 'orders', SecretArns: [] })).toThrow(
      'ClusterArn must be an MSK cluster ARN, got "orders"',
    );
    expect(() => parseProperties({ ClusterArn: CLUSTER, SecretArns: 'arn:x' })).toThrow(
      'SecretArns must be a list of secret ARNs, got "arn:x"',
    );
  });

  test('the event is logged with ResponseURL redacted', async () => {
    secretsAreValid();
    clusterWith([]);
    const info = jest.spyOn(logger, 'info').mockImplementation(() => undefined);
    await onEvent(event('Create', { cluster: CLUSTER, secrets: [secretArn('a')] }), deps());
    const logged = JSON.stringify(info.mock.calls);
    expect(logged).toContain('[redacted]');
    expect(logged).not.toContain('SECRET-SIGNATURE');
  });
});

describe('handler (the Lambda entry point: module clients, the custom-resource retry policy)', () => {
  /** A Lambda context with a fixed remaining time. */
  const context = (remainingMs: number) =>
    ({
      functionName: 'association',
      awsRequestId: 'req-1',
      getRemainingTimeInMillis: () => remainingMs,
    }) as unknown as Context;
  let error: jest.SpyInstance;
  beforeEach(() => {
    // Zero backoff: the real sleep (setTimeout) returns at once; only attempts and time count.
    jest.spyOn(Math, 'random').mockReturnValue(0);
    jest.spyOn(logger, 'addContext').mockImplementation(() => undefined);
    error = jest.spyOn(logger, 'error').mockImplementation(() => undefined);
  });

  test('associates with the module’s clients and adds the invocation context to the logs', async () => {
    secretsAreValid();
    const associated = clusterWith([]);
    const ctx = context(900_000);
    await expect(
      handler(event('Create', { cluster: CLUSTER, secrets: [secretArn('a')] }), ctx),
    ).resolves.toEqual({ PhysicalResourceId: physicalIdFor(CLUSTER), Data: { SecretCount: 1 } });
    expect([...associated]).toEqual([secretArn('a')]);
    expect(logger.addContext).toHaveBeenCalledWith(ctx);
  });

  test('a busy cluster: 10 attempts while more than the 10 s reserve is left, each retry logged', async () => {
    secretsAreValid();
    clusterWith([]);
    const busy = new ConflictException({ message: 'busy', $metadata: {} });
    kafkaMock.on(BatchAssociateScramSecretCommand).rejects(busy);
    const failure = await handler(
      event('Create', { cluster: CLUSTER, secrets: [secretArn('a')] }),
      context(10_001),
    ).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(RetriesExhaustedError);
    expect((failure as Error).message).toBe(
      `BatchAssociateScramSecret(${CLUSTER}) failed after 10 attempts: ConflictException: busy`,
    );
    expect(kafkaMock.commandCalls(BatchAssociateScramSecretCommand)).toHaveLength(10);
    expect((logger.warn as jest.Mock).mock.calls).toEqual(
      Array.from({ length: 9 }, (_, i) => [
        'Retrying MSK call',
        { error: busy, attempt: i + 1, delayMs: 0 },
      ]),
    );
    expect(error).toHaveBeenCalledWith('SCRAM secret association failed', { error: failure });
  });

  test('with only the 10 s reserve left it does not retry: the failure is reported in time', async () => {
    secretsAreValid();
    clusterWith([]);
    kafkaMock
      .on(BatchAssociateScramSecretCommand)
      .rejects(new ConflictException({ message: 'busy', $metadata: {} }));
    await expect(
      handler(event('Create', { cluster: CLUSTER, secrets: [secretArn('a')] }), context(10_000)),
    ).rejects.toThrow('failed after 1 attempt: ConflictException: busy');
    expect(kafkaMock.commandCalls(BatchAssociateScramSecretCommand)).toHaveLength(1);
    expect(logger.warn).not.toHaveBeenCalled();
  });
});

describe('association details', () => {
  const info = () => logger.info as jest.Mock;

  test('each request type logs what it changed', async () => {
    secretsAreValid();
    clusterWith([secretArn('a')]);
    await onEvent(
      event('Create', { cluster: CLUSTER, secrets: [secretArn('a'), secretArn('b')] }),
      deps(),
    );
    expect(info()).toHaveBeenCalledWith('Associated SCRAM secrets', {
      clusterArn: CLUSTER,
      associated: [secretArn('b')],
    });
    expect(info()).toHaveBeenCalledWith('Custom resource event', {
      event: expect.objectContaining({ RequestType: 'Create', ResponseURL: '[redacted]' }),
    });
    info().mockClear();
    await expect(
      onEvent(
        event(
          'Update',
          { cluster: CLUSTER, secrets: [secretArn('b'), secretArn('c')] },
          { cluster: CLUSTER, secrets: [secretArn('a'), secretArn('b')] },
        ),
        deps(),
      ),
    ).resolves.toEqual({ PhysicalResourceId: physicalIdFor(CLUSTER), Data: { SecretCount: 2 } });
    expect(info()).toHaveBeenCalledWith('Updated SCRAM secret association', {
      clusterArn: CLUSTER,
      associated: [secretArn('c')],
      removed: [secretArn('a')],
    });
    info().mockClear();
    await onEvent(event('Delete', { cluster: CLUSTER, secrets: [secretArn('b')] }), deps());
    expect(info()).toHaveBeenCalledWith('Disassociated SCRAM secrets', {
      clusterArn: CLUSTER,
      removed: [secretArn('b')],
    });
  });

  test('new cluster: secrets the old list had are not removed from the new cluster', async () => {
    secretsAreValid();
    // The new cluster already has "b" from another stack; this resource moves there with "a" only.
    const associated = clusterWith([secretArn('b')]);
    await onEvent(
      event(
        'Update',
        { cluster: OTHER_CLUSTER, secrets: [secretArn('a')] },
        { cluster: CLUSTER, secrets: [secretArn('a'), secretArn('b')] },
      ),
      deps(),
    );
    expect([...associated].sort()).toEqual([secretArn('a'), secretArn('b')].sort());
    expect(kafkaMock).not.toHaveReceivedCommand(BatchDisassociateScramSecretCommand);
    expect(info()).toHaveBeenCalledWith('Updated SCRAM secret association', {
      clusterArn: OTHER_CLUSTER,
      associated: [secretArn('a')],
      removed: [],
    });
  });

  test('nothing to disassociate: no MSK call at all', async () => {
    await expect(disassociate(deps(), CLUSTER, [])).resolves.toEqual([]);
    expect(kafkaMock.calls()).toHaveLength(0);
  });

  test('a cluster gone: nothing removed (logged as such); a cluster gone during the disassociate too', async () => {
    kafkaMock
      .on(ListScramSecretsCommand)
      .rejects(new NotFoundException({ message: 'Cluster not found', $metadata: {} }));
    await onEvent(event('Delete', { cluster: CLUSTER, secrets: [secretArn('a')] }), deps());
    expect(info()).toHaveBeenCalledWith('Disassociated SCRAM secrets', {
      clusterArn: CLUSTER,
      removed: [],
    });

    kafkaMock.reset();
    clusterWith([secretArn('a')]);
    kafkaMock
      .on(BatchDisassociateScramSecretCommand)
      .rejects(new NotFoundException({ message: 'Cluster not found', $metadata: {} }));
    await expect(disassociate(deps(), CLUSTER, [secretArn('a')])).resolves.toEqual([]);
  });

  test('other errors while listing or disassociating fail the delete', async () => {
    const denied = Object.assign(new Error('not authorized to ListScramSecrets'), {
      name: 'ForbiddenException',
    });
    kafkaMock.on(ListScramSecretsCommand).rejects(denied);
    await expect(disassociate(deps(), CLUSTER, [secretArn('a')])).rejects.toBe(denied);

    kafkaMock.reset();
    clusterWith([secretArn('a')]);
    kafkaMock.on(BatchDisassociateScramSecretCommand).rejects(denied);
    await expect(disassociate(deps(), CLUSTER, [secretArn('a')])).rejects.toBe(denied);
  });

  test('retried calls are named in the final error (ListScramSecrets, BatchDisassociateScramSecret)', async () => {
    const throttled = new TooManyRequestsException({ message: 'Rate exceeded', $metadata: {} });
    kafkaMock.on(ListScramSecretsCommand).rejects(throttled);
    await expect(disassociate(deps(), CLUSTER, [secretArn('a')])).rejects.toThrow(
      `ListScramSecrets(${CLUSTER}) failed after 4 attempts: TooManyRequestsException: Rate exceeded`,
    );
    kafkaMock.reset();
    clusterWith([secretArn('a')]);
    kafkaMock.on(BatchDisassociateScramSecretCommand).rejects(throttled);
    await expect(disassociate(deps(), CLUSTER, [secretArn('a')])).rejects.toThrow(
      `BatchDisassociateScramSecret(${CLUSTER}) failed after 4 attempts: TooManyRequestsException: Rate exceeded`,
    );
  });

  test('a page without SecretArnList lists nothing', async () => {
    kafkaMock.on(ListScramSecretsCommand).resolves({});
    await expect(listAssociated(deps(), CLUSTER)).resolves.toEqual(new Set());
  });

  test.each([
    ['ResourceNotFoundException', 'x'], // the code alone says it: no space
    ['Failed', 'secret not found'], // the message alone, with a space
    ['SecretDoesNotExist', 'x'],
    ['Failed', 'the secret does not exist'],
    ['Failed', 'the secret no longer exists'],
    ['Failed', 'the secret is not associated with the cluster'],
    // Runs of whitespace (wrapped or padded messages) match as one space does.
    ['Failed', 'the secret no  longer\n  exists'],
    ['Failed', 'the secret is not \t associated with the cluster'],
  ])(
    'a secret that is already gone (%s: %s) counts as disassociated',
    async (ErrorCode, ErrorMessage) => {
      clusterWith([secretArn('a')]);
      kafkaMock.on(BatchDisassociateScramSecretCommand).resolves({
        UnprocessedScramSecrets: [{ SecretArn: secretArn('a'), ErrorCode, ErrorMessage }],
      });
      await expect(disassociate(deps(), CLUSTER, [secretArn('a')])).resolves.toEqual([
        secretArn('a'),
      ]);
    },
  );

  test('error messages: every unprocessed secret, placeholders for missing fields', () => {
    const error = new UnprocessedSecretsError('associate', CLUSTER, [
      { SecretArn: secretArn('a'), ErrorCode: 'AccessDenied', ErrorMessage: 'no' },
      {},
    ]);
    expect(error).toMatchObject({
      name: 'UnprocessedSecretsError',
      message: `MSK did not associate 2 SCRAM secret(s) with ${CLUSTER}: ${secretArn('a')}: AccessDenied: no; (unknown ARN): UnknownError:`,
    });
    expect(new SecretPreflightError(['one', 'two'])).toMatchObject({
      name: 'SecretPreflightError',
      message: 'SCRAM secret pre-flight failed: one; two',
    });
    expect(new AssociationNotConfirmedError(CLUSTER, ['x', 'y'])).toMatchObject({
      name: 'AssociationNotConfirmedError',
      message: `After association, ${CLUSTER} does not list these SCRAM secrets: x, y`,
    });
    expect(() => parseProperties({})).toThrow(
      expect.objectContaining({ name: 'InvalidPropertiesError' }),
    );
  });

  test.each([
    [
      { ClusterArn: `x${CLUSTER}`, SecretArns: [] },
      `ClusterArn must be an MSK cluster ARN, got "x${CLUSTER}"`,
    ],
    [
      { ClusterArn: CLUSTER, SecretArns: [secretArn('a'), 'secret-b'] },
      `SecretArns must be a list of secret ARNs, got ["${secretArn('a')}","secret-b"]`,
    ],
    [
      { ClusterArn: CLUSTER, SecretArns: [secretArn('a'), 42] },
      `SecretArns must be a list of secret ARNs, got ["${secretArn('a')}",42]`,
    ],
  ])('refuses %j', (properties, message) => {
    expect(() => parseProperties(properties)).toThrow(message);
  });

  test('duplicate secret ARNs count once', () => {
    expect(
      parseProperties({ ClusterArn: CLUSTER, SecretArns: [secretArn('a'), secretArn('a')] }),
    ).toEqual({ clusterArn: CLUSTER, secretArns: [secretArn('a')] });
  });
});

describe('SCRAM secret names (the AmazonMSK_ prefix) and the physical id', () => {
  test('the names this project gives its secrets are AmazonMSK_<cluster>_<user> and pass the pre-flight', async () => {
    expect(MSK_SECRET_PREFIX).toBe('AmazonMSK_');
    expect(scramSecretName('orders', 'alice')).toBe('AmazonMSK_orders_alice');
    const arn = `arn:aws:secretsmanager:eu-west-1:111122223333:secret:${scramSecretName('orders', 'alice')}-AbCdEf`;
    smMock
      .on(DescribeSecretCommand, { SecretId: arn })
      .resolves({ Name: scramSecretName('orders', 'alice'), KmsKeyId: KEY });
    const associated = clusterWith([]);
    await onEvent(event('Create', { cluster: CLUSTER, secrets: [arn] }), deps());
    expect([...associated]).toEqual([arn]);
  });

  test('the prefix is case-sensitive and must come first: MSK would refuse these names', async () => {
    const bad = { a: 'amazonmsk_orders_a', b: 'orders_AmazonMSK_b' };
    for (const [user, Name] of Object.entries(bad)) {
      smMock
        .on(DescribeSecretCommand, { SecretId: secretArn(user) })
        .resolves({ Name, KmsKeyId: KEY });
    }
    clusterWith([]);
    const failure = await onEvent(
      event('Create', { cluster: CLUSTER, secrets: [secretArn('a'), secretArn('b')] }),
      deps(),
    ).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(SecretPreflightError);
    expect((failure as Error).message).toBe(
      'SCRAM secret pre-flight failed: ' +
        `${secretArn('a')}: name "amazonmsk_orders_a" must start with "AmazonMSK_" (MSK requirement); ` +
        `${secretArn('b')}: name "orders_AmazonMSK_b" must start with "AmazonMSK_" (MSK requirement)`,
    );
    expect(kafkaMock.calls()).toHaveLength(0);
  });

  test('only the default key itself is refused, not a customer alias whose name contains it', async () => {
    smMock
      .on(DescribeSecretCommand, { SecretId: secretArn('a') })
      .resolves({ Name: 'AmazonMSK_orders_a', KmsKeyId: 'alias/aws/secretsmanager' })
      .on(DescribeSecretCommand, { SecretId: secretArn('b') })
      .resolves({
        Name: 'AmazonMSK_orders_b',
        KmsKeyId: 'arn:aws:kms:eu-west-1:111122223333:alias/orders/alias/aws/secretsmanager-cmk',
      });
    clusterWith([]);
    await expect(
      onEvent(
        event('Create', { cluster: CLUSTER, secrets: [secretArn('a'), secretArn('b')] }),
        deps(),
      ),
    ).rejects.toThrow(
      new SecretPreflightError([
        `${secretArn('a')}: encrypted with the default aws/secretsmanager key; MSK needs a customer-managed KMS key`,
      ]),
    );
  });

  test('the physical id is exactly scram-secret-association:<cluster ARN>', async () => {
    // Pinned: if its form changed, an upgrade would return a new id on Update, and the Delete
    // CloudFormation then sends for the old id would disassociate the secrets just associated.
    expect(physicalIdFor(CLUSTER)).toBe(`scram-secret-association:${CLUSTER}`);
    secretsAreValid();
    clusterWith([]);
    await expect(
      onEvent(event('Create', { cluster: CLUSTER, secrets: [secretArn('a')] }), deps()),
    ).resolves.toEqual({
      PhysicalResourceId: `scram-secret-association:${CLUSTER}`,
      Data: { SecretCount: 1 },
    });
  });
});
