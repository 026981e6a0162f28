import { GetBootstrapBrokersCommand, KafkaClient } from '@aws-sdk/client-kafka';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import {
  KafkaJSConnectionError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSProtocolError,
  KafkaJSSASLAuthenticationError,
  KafkaConfig,
} from 'kafkajs';
import { Deps, iamTokenProvider } from '../../src/cli/connection';
import { main } from '../../src/cli/main';

const kafkaMock = mockClient(KafkaClient);
const smMock = mockClient(SecretsManagerClient);
const ssmMock = mockClient(SSMClient);
const stsMock = mockClient(STSClient);

const CLUSTER =
  'arn:aws:kafka:eu-west-1:111122223333:cluster/msk-secure-dev/1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d-2';
const SCRAM_BROKERS = 'b-1.msk.example:9096,b-2.msk.example:9096';
const IAM_BROKERS = 'b-1.msk.example:9098,b-2.msk.example:9098';

/** A fake kafkajs client that records what the commands do. */
function fakeKafka(
  behaviour: {
    messages?: { partition: number; offset: string; key?: string; value: string }[];
    fail?: Error;
  } = {},
) {
  const sent: unknown[] = [];
  const subscribed: unknown[] = [];
  const producer = {
    connect: jest.fn(async () => {
      if (behaviour.fail) throw behaviour.fail;
    }),
    send: jest.fn(async (batch: unknown) => void sent.push(batch)),
    disconnect: jest.fn(async () => undefined),
  };
  const consumer = {
    connect: jest.fn(async () => {
      if (behaviour.fail) throw behaviour.fail;
    }),
    subscribe: jest.fn(async (s: unknown) => void subscribed.push(s)),
    run: jest.fn(async ({ eachMessage }: { eachMessage: (p: unknown) => Promise<void> }) => {
      for (const m of behaviour.messages ?? []) {
        await eachMessage({
          topic: 'orders',
          partition: m.partition,
          message: {
            offset: m.offset,
            key: m.key ? Buffer.from(m.key) : null,
            value: Buffer.from(m.value),
          },
        });
      }
    }),
    disconnect: jest.fn(async () => undefined),
  };
  const admin = {
    connect: jest.fn(async () => undefined),
    listTopics: jest.fn(async () => ['orders', '__amazon_msk_canary']),
    fetchTopicMetadata: jest.fn(async () => ({
      topics: [
        {
          name: 'orders',
          partitions: [
            { partitionId: 1, leader: 2, replicas: [2, 1], isr: [2, 1] },
            { partitionId: 0, leader: 1, replicas: [1, 2], isr: [1] },
          ],
        },
      ],
    })),
    disconnect: jest.fn(async () => undefined),
  };
  return { producer, consumer, admin, sent, subscribed };
}

function harness(
  options: {
    stdin?: string[];
    kafka?: ReturnType<typeof fakeKafka>;
    env?: Record<string, string>;
  } = {},
) {
  const out: string[] = [];
  const err: string[] = [];
  const kafka = options.kafka ?? fakeKafka();
  const configs: KafkaConfig[] = [];
  const signer = {
    generateAuthToken: jest.fn(async () => ({
      token: 'token-default',
      expiryTime: 1_000_000 + 900_000,
    })),
    generateAuthTokenFromProfile: jest.fn(async () => ({
      token: 'token-profile',
      expiryTime: 1_000_000 + 900_000,
    })),
    generateAuthTokenFromRole: jest.fn(async () => ({
      token: 'token-role',
      expiryTime: 1_000_000 + 900_000,
    })),
  };
  const deps: Deps = {
    awsClients: () => ({
      kafka: new KafkaClient({ region: 'eu-west-1' }),
      secretsManager: new SecretsManagerClient({ region: 'eu-west-1' }),
      ssm: new SSMClient({ region: 'eu-west-1' }),
      sts: new STSClient({ region: 'eu-west-1' }),
    }),
    createKafka: (config) => {
      configs.push(config);
      return {
        producer: () => kafka.producer,
        consumer: () => kafka.consumer,
        admin: () => kafka.admin,
      } as never;
    },
    signer,
    out: (l) => void out.push(l),
    err: (l) => void err.push(l),
    stdinLines: async function* () {
      yield* options.stdin ?? [];
    },
    now: () => 1_000_000,
    env: options.env ?? {},
  };
  return { deps, out, err, kafka, configs, signer };
}

beforeEach(() => {
  kafkaMock.reset();
  smMock.reset();
  ssmMock.reset();
  stsMock.reset();
  kafkaMock.on(GetBootstrapBrokersCommand, { ClusterArn: CLUSTER }).resolves({
    BootstrapBrokerStringSaslScram: SCRAM_BROKERS,
    BootstrapBrokerStringSaslIam: IAM_BROKERS,
  });
  smMock
    .on(GetSecretValueCommand, { SecretId: 'AmazonMSK_msk-secure-dev_consumer' })
    .resolves({ SecretString: JSON.stringify({ username: 'consumer', password: 'p4ss' }) });
});

describe('help and usage errors', () => {
  test('--help lists the commands; each command has its own help', async () => {
    const h = harness();
    expect(await main(['--help'], h.deps)).toBe(0);
    expect(h.out.join('\n')).toMatch(
      /Usage: npm run client -- <command>[\s\S]*produce[\s\S]*consume[\s\S]*topics[\s\S]*whoami/,
    );
    for (const command of ['produce', 'consume', 'topics', 'whoami']) {
      const c = harness();
      expect(await main([command, '--help'], c.deps)).toBe(0);
      expect(c.out.join('\n')).toContain(`Usage: npm run client -- ${command}`);
    }
  });

  test.each([
    [['publish'], 'Error: Unknown command "publish".'],
    [['produce'], 'Error: --topic is required.'],
    [
      ['produce', '--topic', 'orders', '--count', '0'],
      'Error: --count must be a positive whole number, got "0".',
    ],
    [
      ['produce', '--topic', 'o', '--message', 'x', '--stdin'],
      'Error: Give either --message or --stdin, not both.',
    ],
    [
      ['consume', '--topic', 'o', '--group', 'g', '--from-beginning'],
      'Error: Give either --group or --from-beginning, not both.',
    ],
    [['whoami', '--auth', 'tls'], 'Error: --auth must be "scram" or "iam", got "tls".'],
    [['topics', 'delete'], 'Error: topics takes "list" or "describe NAME", got "delete".'],
    [['whoami', '--cluster-arn', 'orders'], 'Error: "orders" is not an MSK cluster ARN.'],
    [['whoami', '--bogus'], "Error: Unknown option '--bogus'"],
  ])('%j', async (argv, message) => {
    const h = harness();
    expect(await main(argv, h.deps)).toBe(1);
    expect(h.err[0]).toContain(message);
  });
});

describe('connection', () => {
  test('SCRAM: brokers from GetBootstrapBrokers (9096), credentials from the user secret, TLS', async () => {
    const h = harness();
    await main(['whoami', '--cluster-arn', CLUSTER], h.deps);
    expect(h.configs[0]).toMatchObject({
      brokers: SCRAM_BROKERS.split(','),
      ssl: true,
      sasl: { mechanism: 'scram-sha-512', username: 'consumer', password: 'p4ss' },
    });
    expect(h.out).toEqual([
      `cluster:  ${CLUSTER}`,
      'auth:     SASL/SCRAM-SHA-512 over TLS',
      'identity: SCRAM user consumer',
      `brokers:  ${SCRAM_BROKERS}`,
    ]);
    expect(h.out.join('\n')).not.toContain('p4ss');
  });

  test('IAM: OAUTHBEARER tokens from the signer (9098), principal from STS', async () => {
    stsMock
      .on(GetCallerIdentityCommand)
      .resolves({ Arn: 'arn:aws:sts::111122223333:assumed-role/app/i-1' });
    const h = harness();
    expect(await main(['whoami', '--cluster-arn', CLUSTER, '--auth', 'iam'], h.deps)).toBe(0);
    const sasl = h.configs[0].sasl as {
      mechanism: string;
      oauthBearerProvider: () => Promise<{ value: string }>;
    };
    expect(sasl.mechanism).toBe('oauthbearer');
    await expect(sasl.oauthBearerProvider()).resolves.toEqual({ value: 'token-default' });
    expect(h.signer.generateAuthToken).toHaveBeenCalledWith({ region: 'eu-west-1' });
    expect(h.out).toContain(
      'identity: IAM principal arn:aws:sts::111122223333:assumed-role/app/i-1',
    );
    expect(h.out).toContain(`brokers:  ${IAM_BROKERS}`);
  });

  test('IAM tokens are reused, refreshed a minute before expiry, and come from --role-arn / --profile when given', async () => {
    const h = harness();
    let now = 1_000_000;
    const deps = { ...h.deps, now: () => now };
    const fromRole = iamTokenProvider(
      { auth: 'iam', user: 'x', connectTimeoutMs: 1, roleArn: 'arn:aws:iam::1:role/r' },
      'eu-west-1',
      deps,
    );
    await fromRole();
    await fromRole();
    expect(h.signer.generateAuthTokenFromRole).toHaveBeenCalledTimes(1);
    now += 900_000 - 30_000; // 30 s before expiry
    await fromRole();
    expect(h.signer.generateAuthTokenFromRole).toHaveBeenCalledTimes(2);
    expect(h.signer.generateAuthTokenFromRole).toHaveBeenCalledWith({
      region: 'eu-west-1',
      awsRoleArn: 'arn:aws:iam::1:role/r',
      awsRoleSessionName: 'msk-secure-stack-cli',
    });
    await iamTokenProvider(
      { auth: 'iam', user: 'x', connectTimeoutMs: 1, profile: 'dev' },
      'eu-west-1',
      deps,
    )();
    expect(h.signer.generateAuthTokenFromProfile).toHaveBeenCalledWith({
      region: 'eu-west-1',
      awsProfileName: 'dev',
    });
  });

  test('the cluster ARN can come from the stack’s SSM parameter', async () => {
    ssmMock
      .on(GetParameterCommand, { Name: '/msk-secure-dev/cluster-arn' })
      .resolves({ Parameter: { Value: CLUSTER } });
    const h = harness({ env: { AWS_REGION: 'eu-west-1' } });
    expect(await main(['whoami'], h.deps)).toBe(0);
    expect(h.out[0]).toBe(`cluster:  ${CLUSTER}`);
  });

  test.each([
    [
      'no SSM parameter',
      () =>
        ssmMock
          .on(GetParameterCommand)
          .rejects(Object.assign(new Error('not found'), { name: 'ParameterNotFound' })),
      ['whoami', '--cluster-name', 'other', '--region', 'eu-west-1'],
      ['Error: SSM parameter /other/cluster-arn not found in eu-west-1.', 'Hint: Deploy the stack'],
    ],
    [
      'no Region',
      () => undefined,
      ['whoami'],
      ['Error: No Region: pass --cluster-arn, or --region (or set AWS_REGION).'],
    ],
    [
      'no brokers for that auth',
      () =>
        kafkaMock
          .on(GetBootstrapBrokersCommand)
          .resolves({ BootstrapBrokerStringSaslScram: SCRAM_BROKERS }),
      ['whoami', '--cluster-arn', CLUSTER, '--auth', 'iam'],
      [
        'Error: The cluster has no bootstrap brokers for IAM: that authentication is not enabled on it.',
        'Hint: Use --auth scram',
      ],
    ],
    [
      'secret missing',
      () =>
        smMock
          .on(GetSecretValueCommand)
          .rejects(Object.assign(new Error('gone'), { name: 'ResourceNotFoundException' })),
      ['whoami', '--cluster-arn', CLUSTER, '--user', 'alice'],
      ['Error: Secret AmazonMSK_msk-secure-dev_alice not found: there is no SCRAM user "alice".'],
    ],
    [
      'secret malformed',
      () => smMock.on(GetSecretValueCommand).resolves({ SecretString: '{"user":"consumer"}' }),
      ['whoami', '--cluster-arn', CLUSTER],
      [
        'Error: Secret AmazonMSK_msk-secure-dev_consumer is malformed: MSK needs JSON with "username" and "password" strings.',
      ],
    ],
    [
      'no AWS credentials',
      () =>
        kafkaMock.on(GetBootstrapBrokersCommand).rejects(
          Object.assign(new Error('Could not load credentials from any providers'), {
            name: 'CredentialsProviderError',
          }),
        ),
      ['whoami', '--cluster-arn', CLUSTER],
      ['Error: No AWS credentials found.', 'Hint: Set AWS_PROFILE or pass --profile'],
    ],
  ])('%s', async (_name, arrange, argv, expected) => {
    arrange();
    const h = harness();
    expect(await main(argv, h.deps)).toBe(1);
    expected.forEach((line, i) => expect(h.err[i]).toContain(line));
  });
});

describe('produce', () => {
  test('--count N sends N JSON messages with the key, then disconnects', async () => {
    const h = harness();
    expect(
      await main(
        ['produce', '--cluster-arn', CLUSTER, '--topic', 'orders', '--count', '3', '--key', 'k1'],
        h.deps,
      ),
    ).toBe(0);
    expect(h.kafka.sent).toEqual([
      {
        topic: 'orders',
        messages: [0, 1, 2].map((n) => ({
          key: 'k1',
          value: JSON.stringify({ n, sentAt: new Date(1_000_000).toISOString() }),
        })),
      },
    ]);
    expect(h.kafka.producer.disconnect).toHaveBeenCalled();
    expect(h.out).toEqual(['Sent 3 messages to orders (scram).']);
  });

  test('stdin lines, in batches of 100 with progress on stderr', async () => {
    const lines = Array.from({ length: 150 }, (_, i) => `{"line":${i}}`);
    const h = harness({ stdin: [...lines, ''] });
    await main(
      ['produce', '--cluster-arn', CLUSTER, '--topic', 'orders', '--stdin', '--json'],
      h.deps,
    );
    expect(h.kafka.producer.send).toHaveBeenCalledTimes(2);
    expect(h.err).toEqual(['sent 100/150', 'sent 150/150']);
    expect(h.out).toEqual(['Sent 150 messages to orders (scram).']);
  });

  test('--json refuses a message that is not JSON before connecting', async () => {
    const h = harness();
    expect(
      await main(
        ['produce', '--cluster-arn', CLUSTER, '--topic', 'orders', '--message', 'hello', '--json'],
        h.deps,
      ),
    ).toBe(1);
    expect(h.err[0]).toBe('Error: Message 1 is not valid JSON: hello');
    expect(h.kafka.producer.connect).not.toHaveBeenCalled();
  });
});

describe('consume', () => {
  test('prints partition, offset, key and value; stops at --max', async () => {
    const kafka = fakeKafka({
      messages: [
        { partition: 0, offset: '5', key: 'k', value: '{"a":1}' },
        { partition: 1, offset: '9', value: 'plain' },
        { partition: 0, offset: '6', value: 'not printed' },
      ],
    });
    const h = harness({ kafka });
    expect(
      await main(
        [
          'consume',
          '--cluster-arn',
          CLUSTER,
          '--topic',
          'orders',
          '--group',
          'billing',
          '--max',
          '2',
        ],
        h.deps,
      ),
    ).toBe(0);
    expect(h.out).toEqual(['0\t5\tk\t{"a":1}', '1\t9\t\tplain']);
    expect(kafka.subscribed).toEqual([{ topics: ['orders'], fromBeginning: false }]);
    expect(h.err).toEqual(['2 records from orders (group billing).']);
    expect(kafka.consumer.disconnect).toHaveBeenCalled();
  });

  test('without a group: a new group from the beginning; stops at --timeout', async () => {
    jest.useFakeTimers();
    try {
      const kafka = fakeKafka({ messages: [] });
      const h = harness({ kafka });
      const run = main(
        ['consume', '--cluster-arn', CLUSTER, '--topic', 'orders', '--timeout', '5'],
        h.deps,
      );
      await jest.advanceTimersByTimeAsync(5_000);
      expect(await run).toBe(0);
      expect(kafka.subscribed).toEqual([{ topics: ['orders'], fromBeginning: true }]);
      expect(h.err).toEqual(['0 records from orders (group msk-secure-stack-cli-1000000).']);
    } finally {
      jest.useRealTimers();
    }
  });
});

describe('topics', () => {
  test('list (sorted) and describe (partitions in order)', async () => {
    const h = harness();
    await main(['topics', '--cluster-arn', CLUSTER], h.deps);
    expect(h.out).toEqual(['__amazon_msk_canary', 'orders']);
    const d = harness();
    await main(['topics', 'describe', 'orders', '--cluster-arn', CLUSTER], d.deps);
    expect(d.out).toEqual([
      'orders: 2 partitions',
      '  partition 0: leader 1, replicas [1,2], in sync [1]',
      '  partition 1: leader 2, replicas [2,1], in sync [2,1]',
    ]);
  });
});

describe('Kafka errors say what to do', () => {
  test.each([
    [
      'connection timeout',
      new KafkaJSNumberOfRetriesExceeded(new KafkaJSConnectionError('Connection timeout'), {
        retryCount: 2,
        retryTime: 1000,
      }),
      'scram',
      [
        'Error: Cannot connect to the brokers',
        'Hint: The brokers are only reachable from inside the VPC',
      ],
    ],
    [
      'SASL failure (SCRAM)',
      new (KafkaJSSASLAuthenticationError as unknown as new (message: string) => Error)(
        'SASL SCRAM SHA512 authentication failed: Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512',
      ),
      'scram',
      [
        'Error: SASL authentication failed',
        'Hint: Check that the secret of user "consumer" is associated with the cluster',
      ],
    ],
    [
      'topic authorization (IAM)',
      new KafkaJSProtocolError(<never>{
        message: 'Not authorized to access topics: [Topic authorization failed]',
        type: 'TOPIC_AUTHORIZATION_FAILED',
        code: 29,
        retriable: false,
      }),
      'iam',
      [
        'Error: Not authorized to access the topic',
        'Hint: Grant the principal kafka-cluster:DescribeTopic plus ReadData/WriteData',
      ],
    ],
    [
      'group authorization (IAM)',
      new KafkaJSProtocolError(<never>{
        message: 'Not authorized to access group: Group authorization failed',
        type: 'GROUP_AUTHORIZATION_FAILED',
        code: 30,
        retriable: false,
      }),
      'iam',
      [
        'Error: Not authorized to use the consumer group',
        'Hint: IAM: grant kafka-cluster:DescribeGroup and AlterGroup',
      ],
    ],
  ])('%s', async (_name, error, auth, expected) => {
    const h = harness({ kafka: fakeKafka({ fail: error }) });
    expect(
      await main(
        ['consume', '--cluster-arn', CLUSTER, '--topic', 'orders', '--auth', auth],
        h.deps,
      ),
    ).toBe(1);
    expected.forEach((line, i) => expect(h.err[i]).toContain(line));
  });
});
