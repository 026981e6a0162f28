import { GetBootstrapBrokersCommand, KafkaClient } from '@aws-sdk/client-kafka';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import type { KafkaConfig } from 'kafkajs';
import type { Deps } from '../../src/cli/connection';
import { createHandler } from './producer';

// The integ producer runs the CLI's connection and produce code; only its Deps are its own.
const kafkaMock = mockClient(KafkaClient);
const smMock = mockClient(SecretsManagerClient);

const CLUSTER = 'arn:aws:kafka:eu-west-1:111122223333:cluster/msk-integ/1a2b3c4d-5e6f-2';
const ENV = { CLUSTER_ARN: CLUSTER, TOPIC: 'orders', SCRAM_USER: 'producer' };

function fakeDeps(fail?: Error) {
  const configs: KafkaConfig[] = [];
  const sent: unknown[] = [];
  const tokens: string[] = [];
  const makeDeps = (out: (line: string) => void): Deps => ({
    awsClients: (region) => ({
      kafka: new KafkaClient({ region }),
      secretsManager: new SecretsManagerClient({ region }),
      ssm: new SSMClient({ region }),
      sts: new STSClient({ region }),
    }),
    createKafka: (config) => {
      configs.push(config);
      return {
        producer: () =>
          ({
            connect: async () => {
              if (fail) throw fail;
            },
            send: async (batch: unknown) => void sent.push(batch),
            disconnect: async () => undefined,
          }) as never,
        consumer: () => ({}) as never,
        admin: () => ({}) as never,
      };
    },
    signer: {
      generateAuthToken: async ({ region }) => {
        tokens.push(region);
        return { token: 'iam-token', expiryTime: Date.now() + 900_000 };
      },
      generateAuthTokenFromProfile: async () => ({ token: 'x', expiryTime: 0 }),
      generateAuthTokenFromRole: async () => ({ token: 'x', expiryTime: 0 }),
    },
    out,
    err: () => undefined,
    stdinLines: async function* () {},
    now: () => Date.now(),
    env: {},
  });
  return { makeDeps, configs, sent, tokens };
}

beforeEach(() => {
  kafkaMock.reset();
  smMock.reset();
  kafkaMock.on(GetBootstrapBrokersCommand).resolves({
    BootstrapBrokerStringSaslScram: 'b-1.msk.example:9096,b-2.msk.example:9096',
    BootstrapBrokerStringSaslIam: 'b-1.msk.example:9098,b-2.msk.example:9098',
  });
  smMock
    .on(GetSecretValueCommand, { SecretId: 'AmazonMSK_msk-integ_producer' })
    .resolves({ SecretString: JSON.stringify({ username: 'producer', password: 'pw' }) });
});

test("SCRAM: the user's secret, the SCRAM brokers, one record; returns the CLI's line", async () => {
  const fake = fakeDeps();
  const handler = createHandler(fake.makeDeps, ENV);
  await expect(
    handler({ auth: 'scram', key: 'integ-scram', message: '{"integ":"scram"}' }),
  ).resolves.toBe('Sent 1 message to orders (scram).');
  expect(fake.configs[0]).toMatchObject({
    brokers: ['b-1.msk.example:9096', 'b-2.msk.example:9096'],
    ssl: true,
    sasl: { mechanism: 'scram-sha-512', username: 'producer', password: 'pw' },
  });
  expect(fake.sent).toEqual([
    { topic: 'orders', messages: [{ key: 'integ-scram', value: '{"integ":"scram"}' }] },
  ]);
});

test('IAM: OAUTHBEARER tokens for the Region of the cluster, the IAM brokers, no secret read', async () => {
  const fake = fakeDeps();
  const handler = createHandler(fake.makeDeps, ENV);
  await expect(
    handler({ auth: 'iam', key: 'integ-iam', message: '{"integ":"iam"}' }),
  ).resolves.toBe('Sent 1 message to orders (iam).');
  const sasl = fake.configs[0].sasl as {
    mechanism: string;
    oauthBearerProvider: () => Promise<unknown>;
  };
  expect(fake.configs[0].brokers).toEqual(['b-1.msk.example:9098', 'b-2.msk.example:9098']);
  expect(sasl.mechanism).toBe('oauthbearer');
  await expect(sasl.oauthBearerProvider()).resolves.toEqual({ value: 'iam-token' });
  expect(fake.tokens).toEqual(['eu-west-1']);
  expect(smMock).toHaveReceivedCommandTimes(GetSecretValueCommand, 0);
});

test("a failure comes back with the CLI's explanation and hint", async () => {
  const fake = fakeDeps(
    Object.assign(new Error('SASL SCRAM SHA512 authentication failed'), {
      name: 'KafkaJSSASLAuthenticationError',
    }),
  );
  const handler = createHandler(fake.makeDeps, ENV);
  await expect(
    handler({ auth: 'scram', key: 'integ-scram', message: '{"integ":"scram"}' }),
  ).rejects.toThrow(
    /^SASL authentication failed .* Hint: Check that the secret of user "producer" is associated/,
  );
});

test.each([
  [{ auth: 'plain', key: 'k', message: '{}' }, /auth = "plain"/],
  [{ auth: 'scram', key: '', message: '{}' }, /key = ""/],
  [{ auth: 'scram', key: 'k' }, /message = undefined/],
  [{ auth: 'scram', key: 'k', message: 'not json' }, /is not valid JSON/],
])('refuses a bad request %j', async (event, message) => {
  await expect(createHandler(fakeDeps().makeDeps, ENV)(event)).rejects.toThrow(message);
});

test('names a missing environment variable', async () => {
  const env: Record<string, string | undefined> = { ...ENV, CLUSTER_ARN: undefined };
  await expect(
    createHandler(fakeDeps().makeDeps, env)({ auth: 'scram', key: 'k', message: '{}' }),
  ).rejects.toThrow('environment variable CLUSTER_ARN is not set');
});
