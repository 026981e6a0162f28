import { ConflictException, GetBootstrapBrokersCommand, KafkaClient } from '@aws-sdk/client-kafka';
import type { CdkCustomResourceEvent, Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import {
  bootstrapSubset,
  handler,
  MAX_BOOTSTRAP_BROKERS,
  MissingBootstrapBrokersError,
  onEvent,
} from '../../secure-msk-constructs/handlers/cluster-bootstrap-brokers/index';
import { logger } from '../../secure-msk-constructs/handlers/shared/logger';

const kafkaMock = mockClient(KafkaClient);
const CLUSTER =
  'arn:aws:kafka:eu-west-1:111122223333:cluster/orders/1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d-2';
const sleep = jest.fn(async (_ms: number) => undefined);
const retry = { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 100, sleep, random: () => 1 };

const event = (RequestType: 'Create' | 'Update' | 'Delete') =>
  ({
    RequestType,
    ServiceToken: 'token',
    ResponseURL: 'https://example.invalid/SIGNED',
    StackId: 'stack',
    RequestId: 'r',
    LogicalResourceId: 'BootstrapBrokers',
    PhysicalResourceId: `bootstrap-brokers:${CLUSTER}`,
    ResourceType: 'Custom::MskBootstrapBrokers',
    ResourceProperties: { ServiceToken: 'token', ClusterArn: CLUSTER },
    OldResourceProperties: { ServiceToken: 'token', ClusterArn: CLUSTER },
  }) as CdkCustomResourceEvent;

beforeEach(() => {
  kafkaMock.reset();
  sleep.mockClear();
  jest.spyOn(logger, 'info').mockImplementation(() => undefined);
});
afterEach(() => jest.restoreAllMocks());

test('returns the SCRAM (9096) and IAM (9098) broker strings, retrying a busy cluster', async () => {
  kafkaMock
    .on(GetBootstrapBrokersCommand, { ClusterArn: CLUSTER })
    .rejectsOnce(new ConflictException({ message: 'busy', $metadata: {} }))
    .resolves({
      BootstrapBrokerStringSaslScram: 'b-1.orders:9096,b-2.orders:9096',
      BootstrapBrokerStringSaslIam: 'b-1.orders:9098,b-2.orders:9098',
    });
  await expect(onEvent(event('Create'), new KafkaClient({}), retry)).resolves.toEqual({
    PhysicalResourceId: `bootstrap-brokers:${CLUSTER}`,
    Data: {
      SaslScram: 'b-1.orders:9096,b-2.orders:9096',
      SaslIam: 'b-1.orders:9098,b-2.orders:9098',
    },
  });
  expect(sleep).toHaveBeenCalledTimes(1);
});

test('an auth mode without brokers fails with a clear message', async () => {
  kafkaMock.on(GetBootstrapBrokersCommand).resolves({ BootstrapBrokerStringSaslScram: 'b-1:9096' });
  await expect(onEvent(event('Update'), new KafkaClient({}), retry)).rejects.toThrow(
    `${CLUSTER} returned no bootstrap brokers for IAM; is that authentication enabled?`,
  );
});

test('delete calls nothing', async () => {
  await expect(onEvent(event('Delete'), new KafkaClient({}), retry)).resolves.toEqual({
    PhysicalResourceId: `bootstrap-brokers:${CLUSTER}`,
  });
  expect(kafkaMock.calls()).toHaveLength(0);
});

/** MSK's broker host form: b-<n>.<cluster name>.<id>.c<n>.kafka.<region>.amazonaws.com. */
const host = (n: number, cluster: string, port: number) =>
  `b-${n}.${cluster}.abc123.c2.kafka.ap-southeast-2.amazonaws.com:${port}`;
const brokerString = (count: number, cluster: string, port: number) =>
  Array.from({ length: count }, (_, i) => host(count - i, cluster, port)).join(',');

test('keeps the first brokers by broker number, numerically (b-2 before b-10)', () => {
  expect(bootstrapSubset('b-10.c:9096,b-2.c:9096,b-1.c:9096,b-3.c:9096')).toBe(
    'b-1.c:9096,b-2.c:9096,b-3.c:9096',
  );
  expect(bootstrapSubset('b-2.c:9096, b-1.c:9096')).toBe('b-1.c:9096,b-2.c:9096');
  expect(MAX_BOOTSTRAP_BROKERS).toBe(3);
});

test('the largest cluster the configuration allows fits the 4,096-byte custom-resource response', async () => {
  // 30 brokers (brokersPerAz 10 × 3 AZs) and a 64-character cluster name.
  const cluster = `c${'x'.repeat(63)}`;
  const clusterArn = `arn:aws:kafka:ap-southeast-2:111122223333:cluster/${cluster}/1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d-2`;
  kafkaMock.on(GetBootstrapBrokersCommand).resolves({
    BootstrapBrokerStringSaslScram: brokerString(30, cluster, 9096),
    BootstrapBrokerStringSaslIam: brokerString(30, cluster, 9098),
  });
  const base = event('Create');
  const result = await onEvent(
    { ...base, ResourceProperties: { ServiceToken: 'token', ClusterArn: clusterArn } },
    new KafkaClient({}),
    retry,
  );
  expect(result.Data).toEqual({
    SaslScram: [1, 2, 3].map((n) => host(n, cluster, 9096)).join(','),
    SaslIam: [1, 2, 3].map((n) => host(n, cluster, 9098)).join(','),
  });
  // What the Provider framework sends to CloudFormation for this response.
  const response = {
    Status: 'SUCCESS',
    Reason: 'OK',
    StackId: `arn:aws:cloudformation:ap-southeast-2:111122223333:stack/${cluster}-Cluster/${'f'.repeat(36)}`,
    RequestId: 'e'.repeat(36),
    LogicalResourceId: 'BootstrapBrokersResourceE1A2B3C4',
    PhysicalResourceId: result.PhysicalResourceId,
    Data: result.Data,
  };
  expect(Buffer.byteLength(JSON.stringify(response))).toBeLessThan(4096);
});

describe('handler (the Lambda entry point: module client, the custom-resource retry policy)', () => {
  const context = (remainingMs: number) =>
    ({
      functionName: 'bootstrap-brokers',
      awsRequestId: 'req-1',
      getRemainingTimeInMillis: () => remainingMs,
    }) as unknown as Context;
  beforeEach(() => {
    // Zero backoff: the real sleep (setTimeout) returns at once; only attempts and time count.
    jest.spyOn(Math, 'random').mockReturnValue(0);
    jest.spyOn(logger, 'addContext').mockImplementation(() => undefined);
    jest.spyOn(logger, 'error').mockImplementation(() => undefined);
  });

  test('returns the subsets, with the invocation context in the logs', async () => {
    kafkaMock.on(GetBootstrapBrokersCommand, { ClusterArn: CLUSTER }).resolves({
      BootstrapBrokerStringSaslScram: 'b-2.orders:9096,b-1.orders:9096',
      BootstrapBrokerStringSaslIam: 'b-1.orders:9098',
    });
    const ctx = context(900_000);
    await expect(handler(event('Create'), ctx)).resolves.toEqual({
      PhysicalResourceId: `bootstrap-brokers:${CLUSTER}`,
      Data: { SaslScram: 'b-1.orders:9096,b-2.orders:9096', SaslIam: 'b-1.orders:9098' },
    });
    expect(logger.addContext).toHaveBeenCalledWith(ctx);
    expect(logger.info).toHaveBeenCalledWith('Bootstrap brokers', {
      clusterArn: CLUSTER,
      SaslScram: 'b-1.orders:9096,b-2.orders:9096',
      SaslIam: 'b-1.orders:9098',
    });
  });

  test('a busy cluster: 10 attempts while more than the 10 s reserve is left; 1 with only the reserve', async () => {
    const busy = new ConflictException({ message: 'busy', $metadata: {} });
    kafkaMock.on(GetBootstrapBrokersCommand).rejects(busy);
    const failure = await handler(event('Create'), context(10_001)).catch((e: unknown) => e);
    expect((failure as Error).message).toBe(
      `GetBootstrapBrokers(${CLUSTER}) failed after 10 attempts: ConflictException: busy`,
    );
    expect(kafkaMock.commandCalls(GetBootstrapBrokersCommand)).toHaveLength(10);
    expect(logger.error).toHaveBeenCalledWith('Reading bootstrap brokers failed', {
      error: failure,
    });

    kafkaMock.resetHistory();
    await expect(handler(event('Create'), context(10_000))).rejects.toThrow(
      `GetBootstrapBrokers(${CLUSTER}) failed after 1 attempt: ConflictException: busy`,
    );
    expect(kafkaMock.commandCalls(GetBootstrapBrokersCommand)).toHaveLength(1);
  });
});

describe('details', () => {
  test('broker numbers compare as numbers of any length; empty entries are dropped', () => {
    expect(bootstrapSubset('b-100.c:9096,b-20.c:9096')).toBe('b-20.c:9096,b-100.c:9096');
    expect(bootstrapSubset('b-2.c:9096,,b-1.c:9096,')).toBe('b-1.c:9096,b-2.c:9096');
    // A host that is not b-<n>. sorts after the numbered ones, by name.
    expect(bootstrapSubset('z.c:9096,xb-1.c:9096,b-9.c:9096', 3)).toBe(
      'b-9.c:9096,xb-1.c:9096,z.c:9096',
    );
  });

  test('no SCRAM brokers, or none at all: the message names the missing modes', async () => {
    kafkaMock.on(GetBootstrapBrokersCommand).resolves({ BootstrapBrokerStringSaslIam: 'b-1:9098' });
    const missingScram = await onEvent(event('Create'), new KafkaClient({}), retry).catch(
      (e: unknown) => e,
    );
    expect(missingScram).toBeInstanceOf(MissingBootstrapBrokersError);
    expect(missingScram).toMatchObject({
      name: 'MissingBootstrapBrokersError',
      message: `${CLUSTER} returned no bootstrap brokers for SASL/SCRAM; is that authentication enabled?`,
    });
    kafkaMock.on(GetBootstrapBrokersCommand).resolves({});
    await expect(onEvent(event('Create'), new KafkaClient({}), retry)).rejects.toThrow(
      `${CLUSTER} returned no bootstrap brokers for SASL/SCRAM and IAM; is that authentication enabled?`,
    );
  });

  test('the event is logged with the ResponseURL redacted', async () => {
    await onEvent(event('Delete'), new KafkaClient({}), retry);
    expect(logger.info).toHaveBeenCalledWith('Custom resource event', {
      event: expect.objectContaining({ RequestType: 'Delete', ResponseURL: '[redacted]' }),
    });
  });
});
