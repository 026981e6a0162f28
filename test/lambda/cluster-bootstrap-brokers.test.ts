import { ConflictException, GetBootstrapBrokersCommand, KafkaClient } from '@aws-sdk/client-kafka';
import type { CdkCustomResourceEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { onEvent } from '../../lambda/cluster-bootstrap-brokers/index';
import { logger } from '../../lambda/shared/logger';

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
