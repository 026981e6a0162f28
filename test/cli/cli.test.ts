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
import { CliError, explain } from '../../src/cli/errors';
import { main } from '../../src/cli/main';
import { HELP } from '../../src/cli/options';

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
  type Crash = { payload: { error: Error; restart: boolean } };
  const crashListeners: ((event: Crash) => void)[] = [];
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
    events: { CRASH: 'consumer.crash' },
    on: jest.fn((event: string, listener: (event: Crash) => void) => {
      if (event === 'consumer.crash') crashListeners.push(listener);
      return () => undefined;
    }),
    /** What kafkajs does when the running consumer fails (e.g. on its first fetch). */
    crash: (error: Error, restart: boolean) =>
      crashListeners.forEach((l) => l({ payload: { error, restart } })),
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
  /** The Region and profile of every set of AWS clients the CLI asked for. */
  const clients: [string, string | undefined][] = [];
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
    awsClients: (region, profile) => {
      clients.push([region, profile]);
      return {
        kafka: new KafkaClient({ region: 'eu-west-1' }),
        secretsManager: new SecretsManagerClient({ region: 'eu-west-1' }),
        ssm: new SSMClient({ region: 'eu-west-1' }),
        sts: new STSClient({ region: 'eu-west-1' }),
      };
    },
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
  return { deps, out, err, kafka, configs, signer, clients };
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

  test('the whole kafkajs configuration: client id, TLS, timeouts (default 10 s), 2 retries', async () => {
    const h = harness();
    expect(await main(['whoami', '--cluster-arn', CLUSTER], h.deps)).toBe(0);
    expect(h.configs).toEqual([
      {
        clientId: 'msk-secure-stack-cli',
        brokers: ['b-1.msk.example:9096', 'b-2.msk.example:9096'],
        ssl: true,
        sasl: { mechanism: 'scram-sha-512', username: 'consumer', password: 'p4ss' },
        connectionTimeout: 10_000,
        authenticationTimeout: 10_000,
        retry: { retries: 2 },
      },
    ]);
  });

  test('--connect-timeout sets the connection and the authentication timeout', async () => {
    const h = harness();
    expect(
      await main(['whoami', '--cluster-arn', CLUSTER, '--connect-timeout', '2500'], h.deps),
    ).toBe(0);
    expect(h.configs[0]).toMatchObject({ connectionTimeout: 2500, authenticationTimeout: 2500 });
    for (const bad of ['0', '-5', '2.5', '10s', '']) {
      const b = harness();
      expect(
        await main(['whoami', '--cluster-arn', CLUSTER, `--connect-timeout=${bad}`], b.deps),
      ).toBe(1);
      expect(b.err).toEqual([
        `Error: --connect-timeout must be a positive whole number, got "${bad}".`,
      ]);
      expect(b.configs).toEqual([]);
    }
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
    // What was sent, not only how often: lines in order, the blank one dropped, no key.
    expect(h.kafka.sent).toEqual([
      { topic: 'orders', messages: lines.slice(0, 100).map((value) => ({ key: null, value })) },
      { topic: 'orders', messages: lines.slice(100).map((value) => ({ key: null, value })) },
    ]);
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

describe('usage details', () => {
  test.each([[[]], [['-h']], [['help']]])('%j prints the main help', async (argv) => {
    const h = harness();
    expect(await main(argv, h.deps)).toBe(0);
    expect(h.out).toEqual([HELP.main]);
  });

  test('`<command> -h` prints that command’s help; every help lists the connection options', async () => {
    const h = harness();
    expect(await main(['consume', '-h'], h.deps)).toBe(0);
    expect(h.out).toEqual([HELP.consume]);
    for (const [about, text] of Object.entries(HELP)) {
      expect([about, text]).toEqual([about, expect.stringContaining('--connect-timeout MS')]);
    }
    expect(HELP.main).toContain('whoami    which auth, which principal or user, which brokers');
    expect(HELP.produce).toContain('--stdin          one message per line of standard input');
    expect(HELP.consume).toContain('--timeout S         stop after S seconds');
    expect(HELP.topics).toContain('Usage: npm run client -- topics [list | describe NAME]');
    expect(HELP.whoami).toContain('Prints the authentication, the principal');
  });

  test('usage errors carry a hint', async () => {
    const cases: [string[], string[]][] = [
      [
        ['publish'],
        [
          'Error: Unknown command "publish".',
          'Hint: Commands: produce, consume, topics, whoami, acls, dlq. Try --help.',
        ],
      ],
      [
        ['whoami', '--bogus'],
        [
          "Error: Unknown option '--bogus'", // node:util parseArgs' own message
          'Hint: Try "npm run client -- whoami --help".',
        ],
      ],
      [
        ['consume'],
        ['Error: --topic is required.', 'Hint: Try "npm run client -- consume --help".'],
      ],
      [
        ['consume', '--topic', 'o', '--group', 'g', '--from-beginning'],
        [
          'Error: Give either --group or --from-beginning, not both.',
          'Hint: A new group reads from the beginning with --from-beginning.',
        ],
      ],
      [['topics', 'describe'], ['Error: topics describe needs a topic name.']],
      [
        ['produce', '--topic', 'o', '--stdin', '--message', 'x'],
        ['Error: Give either --message or --stdin, not both.'],
      ],
    ];
    for (const [argv, err] of cases) {
      const h = harness();
      expect(await main(argv, h.deps)).toBe(1);
      expect(h.err).toEqual(err);
    }
  });

  test('only topics (and acls) take positional arguments', async () => {
    const h = harness();
    expect(await main(['produce', 'extra', '--topic', 'o'], h.deps)).toBe(1);
    expect(h.err[0]).toContain("Unexpected argument 'extra'");
  });

  test.each([
    ['1', 0],
    ['x5', 1],
    ['5x', 1],
    [' 5', 1],
    ['01', 0],
  ])('--max %j: positive whole numbers only (exit %i)', async (value, code) => {
    const h = harness({
      kafka: fakeKafka({ messages: [{ partition: 0, offset: '1', value: 'a' }] }),
    });
    expect(
      await main(
        ['consume', '--cluster-arn', CLUSTER, '--topic', 'o', '--group', 'g', '--max', value],
        h.deps,
      ),
    ).toBe(code);
    if (code) {
      expect(h.err).toEqual([`Error: --max must be a positive whole number, got "${value}".`]);
    } else expect(h.out).toEqual(['0\t1\t\ta']);
  });
});

describe('connection details', () => {
  test('the Region comes from the cluster ARN unless --region is given; --profile reaches the AWS clients', async () => {
    const h = harness();
    await main(['whoami', '--cluster-arn', CLUSTER, '--profile', 'dev'], h.deps);
    expect(h.clients).toEqual([['eu-west-1', 'dev']]);
    const r = harness();
    await main(['whoami', '--cluster-arn', CLUSTER, '--region', 'eu-central-1'], r.deps);
    expect(r.clients).toEqual([['eu-central-1', undefined]]);
  });

  test('the SSM lookup: default cluster name, AWS_REGION, else AWS_DEFAULT_REGION; --region wins', async () => {
    ssmMock
      .on(GetParameterCommand, { Name: '/msk-secure-dev/cluster-arn' })
      .resolves({ Parameter: { Value: CLUSTER } });
    ssmMock
      .on(GetParameterCommand, { Name: '/orders/cluster-arn' })
      .resolves({ Parameter: { Value: CLUSTER } });
    const viaDefault = harness({ env: { AWS_DEFAULT_REGION: 'us-east-2' } });
    expect(await main(['whoami'], viaDefault.deps)).toBe(0);
    expect(viaDefault.clients[0]).toEqual(['us-east-2', undefined]);
    const both = harness({ env: { AWS_REGION: 'eu-west-3', AWS_DEFAULT_REGION: 'us-east-2' } });
    await main(['whoami', '--cluster-name', 'orders'], both.deps);
    expect(both.clients[0]).toEqual(['eu-west-3', undefined]);
    const flag = harness({ env: { AWS_REGION: 'eu-west-3' } });
    await main(['whoami', '--region', 'ap-south-1', '--profile', 'p'], flag.deps);
    expect(flag.clients).toEqual([
      ['ap-south-1', 'p'],
      ['ap-south-1', 'p'],
    ]);
    expect(ssmMock.commandCalls(GetParameterCommand).map((c) => c.args[0].input)).toEqual([
      { Name: '/msk-secure-dev/cluster-arn' },
      { Name: '/orders/cluster-arn' },
      { Name: '/msk-secure-dev/cluster-arn' },
    ]);
  });

  test('an SSM parameter without a value, and SSM errors other than not-found', async () => {
    ssmMock.on(GetParameterCommand).resolves({});
    const empty = harness({ env: { AWS_REGION: 'eu-west-1' } });
    expect(await main(['whoami'], empty.deps)).toBe(1);
    expect(empty.err).toEqual([
      'Error: "undefined" is not an MSK cluster ARN.',
      'Hint: Expected arn:aws:kafka:<region>:<account>:cluster/<name>/<uuid> (the ClusterArn stack output).',
    ]);
    ssmMock
      .on(GetParameterCommand)
      .rejects(
        Object.assign(new Error('User is not authorized'), { name: 'AccessDeniedException' }),
      );
    const denied = harness({ env: { AWS_REGION: 'eu-west-1' } });
    expect(await main(['whoami'], denied.deps)).toBe(1);
    expect(denied.err).toEqual(['Error: User is not authorized']);
  });

  test('the not-found hint for the SSM parameter', async () => {
    ssmMock
      .on(GetParameterCommand)
      .rejects(Object.assign(new Error('not found'), { name: 'ParameterNotFound' }));
    const h = harness({ env: { AWS_REGION: 'eu-west-1' } });
    expect(await main(['whoami'], h.deps)).toBe(1);
    expect(h.err).toEqual([
      'Error: SSM parameter /msk-secure-dev/cluster-arn not found in eu-west-1.',
      'Hint: Deploy the stack (npm run deploy), pass the right --cluster-name, or give --cluster-arn.',
    ]);
  });

  test.each([
    ['arn:aws-cn:kafka:cn-north-1:111122223333:cluster/orders/abc-1', 0],
    ['arn:aws-us-gov:kafka:us-gov-west-1:111122223333:cluster/orders/abc-1', 0],
    ['arn:aws:kafka:eu-west-1:11112222333:cluster/orders/abc-1', 1], // 11 digits
    ['arn:aws:kafka:eu-west-1:111122223333:cluster/orders', 1], // no UUID
    ['arn:aws:kafka:eu-west-1:111122223333:cluster/orders/abc-1/x', 1],
    ['arn:aws:kafka:eu-west-1:111122223333:topic/orders/abc-1/x', 1],
    ['xarn:aws:kafka:eu-west-1:111122223333:cluster/orders/abc-1', 1],
    ['arn:aws:kafka::111122223333:cluster/orders/abc-1', 1],
    ['arn:aws:kafka:eu-west-1:111122223333:cluster//abc-1', 1],
  ])('%s is an MSK cluster ARN: exit %i', async (arn, code) => {
    kafkaMock
      .on(GetBootstrapBrokersCommand)
      .resolves({ BootstrapBrokerStringSaslScram: 'b-1:9096' });
    smMock.on(GetSecretValueCommand).resolves({
      SecretString: JSON.stringify({ username: 'consumer', password: 'p4ss' }),
    });
    const h = harness();
    expect(await main(['whoami', '--cluster-arn', arn], h.deps)).toBe(code);
    if (code) expect(h.err[0]).toBe(`Error: "${arn}" is not an MSK cluster ARN.`);
    else {
      expect(h.clients[0][0]).toBe(arn.split(':')[3]);
      // The cluster name in the ARN names the user secret.
      expect(smMock.commandCalls(GetSecretValueCommand)[0].args[0].input).toEqual({
        SecretId: 'AmazonMSK_orders_consumer',
      });
    }
  });

  test('GetBootstrapBrokers is asked for this cluster; no SCRAM brokers: the hint says --auth iam', async () => {
    kafkaMock
      .on(GetBootstrapBrokersCommand)
      .resolves({ BootstrapBrokerStringSaslIam: IAM_BROKERS });
    const h = harness();
    expect(await main(['whoami', '--cluster-arn', CLUSTER], h.deps)).toBe(1);
    expect(h.err).toEqual([
      'Error: The cluster has no bootstrap brokers for SASL/SCRAM: that authentication is not enabled on it.',
      'Hint: Use --auth iam, or enable it on the cluster.',
    ]);
    expect(kafkaMock.commandCalls(GetBootstrapBrokersCommand)[0].args[0].input).toEqual({
      ClusterArn: CLUSTER,
    });
  });

  test('the SCRAM secret: the name from the cluster and --user, the user name from the secret', async () => {
    smMock
      .on(GetSecretValueCommand, { SecretId: 'AmazonMSK_msk-secure-dev_alice' })
      .resolves({ SecretString: JSON.stringify({ username: 'alice', password: 'pw' }) });
    const h = harness();
    expect(await main(['whoami', '--cluster-arn', CLUSTER, '--user', 'alice'], h.deps)).toBe(0);
    expect(h.configs[0].sasl).toEqual({
      mechanism: 'scram-sha-512',
      username: 'alice',
      password: 'pw',
    });
    expect(h.out).toContain('identity: SCRAM user alice');
  });

  test.each([
    ['not JSON', 'not json'],
    ['no password', '{"username":"consumer"}'],
    ['a password that is not a string', '{"username":"consumer","password":1}'],
    ['no value', undefined],
  ])('a secret with %s is malformed', async (_name, SecretString) => {
    smMock.on(GetSecretValueCommand).resolves({ SecretString });
    const h = harness();
    expect(await main(['whoami', '--cluster-arn', CLUSTER], h.deps)).toBe(1);
    expect(h.err).toEqual([
      'Error: Secret AmazonMSK_msk-secure-dev_consumer is malformed: MSK needs JSON with "username" and "password" strings.',
      'Hint: Restore the value {"username": "<user>", "password": "<password>"}.',
    ]);
  });

  test('secret errors: not found has a hint, anything else is passed on', async () => {
    smMock
      .on(GetSecretValueCommand)
      .rejects(Object.assign(new Error('gone'), { name: 'ResourceNotFoundException' }));
    const h = harness();
    await main(['whoami', '--cluster-arn', CLUSTER, '--user', 'bob'], h.deps);
    expect(h.err).toEqual([
      'Error: Secret AmazonMSK_msk-secure-dev_bob not found: there is no SCRAM user "bob".',
      'Hint: Pass --user with one of the scramUsers of the deployment (default users: consumer, producer in prod).',
    ]);
    smMock
      .on(GetSecretValueCommand)
      .rejects(Object.assign(new Error('KMS said no'), { name: 'DecryptionFailure' }));
    const d = harness();
    expect(await main(['whoami', '--cluster-arn', CLUSTER], d.deps)).toBe(1);
    expect(d.err).toEqual(['Error: KMS said no']);
  });

  test('IAM tokens: refreshed when less than 60 s are left, not at exactly 60 s', async () => {
    const h = harness();
    let now = 1_000_000;
    const provider = iamTokenProvider(
      { auth: 'iam', user: 'x', connectTimeoutMs: 1 },
      'eu-west-1',
      { ...h.deps, now: () => now },
    );
    await expect(provider()).resolves.toEqual({ value: 'token-default' });
    now = 1_900_000 - 60_000; // exactly 60 s left
    await provider();
    expect(h.signer.generateAuthToken).toHaveBeenCalledTimes(1);
    now += 1;
    await provider();
    expect(h.signer.generateAuthToken).toHaveBeenCalledTimes(2);
  });

  test('IAM: --role-arn wins over --profile; the provider is wired into the kafkajs config', async () => {
    const h = harness();
    await main(
      [
        'whoami',
        '--cluster-arn',
        CLUSTER,
        '--auth',
        'iam',
        '--role-arn',
        'arn:aws:iam::1:role/r',
        '--profile',
        'dev',
      ],
      h.deps,
    );
    const sasl = h.configs[0].sasl as { oauthBearerProvider: () => Promise<{ value: string }> };
    await expect(sasl.oauthBearerProvider()).resolves.toEqual({ value: 'token-role' });
    expect(h.signer.generateAuthTokenFromProfile).not.toHaveBeenCalled();
    expect(h.configs[0].brokers).toEqual(IAM_BROKERS.split(','));
  });

  test('IAM: a caller without an ARN is "(unknown)"', async () => {
    stsMock.on(GetCallerIdentityCommand).resolves({});
    const h = harness();
    await main(['whoami', '--cluster-arn', CLUSTER, '--auth', 'iam'], h.deps);
    expect(h.out).toEqual([
      `cluster:  ${CLUSTER}`,
      'auth:     IAM (OAUTHBEARER) over TLS',
      'identity: IAM principal (unknown)',
      `brokers:  ${IAM_BROKERS}`,
    ]);
  });
});

describe('produce details', () => {
  const produce = (...argv: string[]) => [
    'produce',
    '--cluster-arn',
    CLUSTER,
    '--topic',
    'orders',
    ...argv,
  ];

  test('defaults: one message, no key; "1 message", singular', async () => {
    const h = harness();
    expect(await main(produce('--message', 'hello'), h.deps)).toBe(0);
    expect(h.kafka.sent).toEqual([{ topic: 'orders', messages: [{ key: null, value: 'hello' }] }]);
    expect(h.out).toEqual(['Sent 1 message to orders (scram).']);
    expect(h.err).toEqual([]);
  });

  test('progress only above 100 messages', async () => {
    const h = harness();
    await main(produce('--count', '100'), h.deps);
    expect(h.err).toEqual([]);
    expect(h.kafka.sent).toHaveLength(1);
    const more = harness();
    await main(produce('--count', '101'), more.deps);
    expect(more.err).toEqual(['sent 100/101', 'sent 101/101']);
  });

  test('stdin: blank lines are skipped; no lines at all is an error', async () => {
    const h = harness({ stdin: ['a', '   ', '', 'b'] });
    await main(produce('--stdin'), h.deps);
    expect(h.kafka.sent).toEqual([
      {
        topic: 'orders',
        messages: [
          { key: null, value: 'a' },
          { key: null, value: 'b' },
        ],
      },
    ]);
    const none = harness({ stdin: [' '] });
    expect(await main(produce('--stdin'), none.deps)).toBe(1);
    expect(none.err).toEqual(['Error: --stdin given but standard input had no lines.']);
    expect(none.kafka.producer.connect).not.toHaveBeenCalled();
  });

  test('--json names the first bad message (1-based), shows at most 80 characters, and hints', async () => {
    const long = `x${'y'.repeat(100)}`;
    const h = harness({ stdin: ['{"ok":1}', long, 'bad'] });
    expect(await main(produce('--stdin', '--json'), h.deps)).toBe(1);
    expect(h.err).toEqual([
      `Error: Message 2 is not valid JSON: ${long.slice(0, 80)}`,
      'Hint: Fix it or drop --json.',
    ]);
  });

  test('the producer is disconnected when a send fails', async () => {
    const kafka = fakeKafka();
    kafka.producer.send.mockRejectedValueOnce(new Error('boom'));
    const h = harness({ kafka });
    expect(await main(produce('--message', 'x'), h.deps)).toBe(1);
    expect(h.err).toEqual(['Error: boom']);
    expect(kafka.producer.disconnect).toHaveBeenCalledTimes(1);
  });
});

describe('consume details', () => {
  const consume = (...argv: string[]) => [
    'consume',
    '--cluster-arn',
    CLUSTER,
    '--topic',
    'orders',
    ...argv,
  ];

  test('defaults: at most 10 records; a record without key or value prints empty fields', async () => {
    const messages = Array.from({ length: 12 }, (_, i) => ({
      partition: 0,
      offset: String(i),
      value: `v${i}`,
    }));
    const kafka = fakeKafka({ messages });
    const h = harness({ kafka });
    expect(await main(consume(), h.deps)).toBe(0);
    expect(h.out).toEqual(messages.slice(0, 10).map((m) => `0\t${m.offset}\t\tv${m.offset}`));
    expect(h.err).toEqual(['10 records from orders (group msk-secure-stack-cli-1000000).']);

    const tombstone = fakeKafka();
    tombstone.consumer.run.mockImplementation(async ({ eachMessage }) => {
      await eachMessage({ partition: 3, message: { offset: '7', key: null, value: null } });
    });
    const t = harness({ kafka: tombstone });
    await main(consume('--max', '1'), t.deps);
    expect(t.out).toEqual(['3\t7\t\t']);
    expect(t.err).toEqual(['1 record from orders (group msk-secure-stack-cli-1000000).']);
  });

  test('--timeout is seconds; the default is 30', async () => {
    jest.useFakeTimers();
    try {
      for (const [argv, ms] of [
        [['--timeout', '2'], 2_000],
        [[], 30_000],
      ] as const) {
        const h = harness({ kafka: fakeKafka({ messages: [] }) });
        let done = false;
        const run = main(consume(...argv), h.deps).then((code) => {
          done = true;
          return code;
        });
        await jest.advanceTimersByTimeAsync(ms - 1);
        expect(done).toBe(false);
        await jest.advanceTimersByTimeAsync(1);
        expect(await run).toBe(0);
      }
    } finally {
      jest.useRealTimers();
    }
  });

  test('a consumer that crashes after run() returned (kafkajs will not restart it): the error is reported at once', async () => {
    const kafka = fakeKafka();
    kafka.consumer.run.mockImplementationOnce(async () => {
      // Like kafkajs: run() has returned when the first fetch fails.
      const denied = Object.assign(
        new Error('Not authorized to access topics: [Topic authorization failed]'),
        { type: 'TOPIC_AUTHORIZATION_FAILED' },
      );
      setImmediate(() => kafka.consumer.crash(denied, false));
    });
    const h = harness({ kafka });
    expect(await main(consume('--group', 'g', '--timeout', '600'), h.deps)).toBe(1);
    expect(h.err).toEqual([
      'Error: Not authorized to access the topic (Not authorized to access topics: [Topic authorization failed]).',
      'Hint: SCRAM users are authorized by Kafka ACLs: add an ACL for this user on the topic.',
    ]);
    expect(kafka.consumer.on).toHaveBeenCalledWith('consumer.crash', expect.any(Function));
    expect(kafka.consumer.disconnect).toHaveBeenCalledTimes(1);
  });

  test('a crash kafkajs restarts from is not a failure: the records still arrive', async () => {
    const kafka = fakeKafka({ messages: [{ partition: 0, offset: '0', value: 'a' }] });
    const run = kafka.consumer.run.getMockImplementation()!;
    kafka.consumer.run.mockImplementationOnce(async (arg) => {
      kafka.consumer.crash(new Error('The coordinator is loading'), true);
      await run(arg);
    });
    const h = harness({ kafka });
    expect(await main(consume('--group', 'g', '--max', '1'), h.deps)).toBe(0);
    expect(h.out).toHaveLength(1);
  });

  test('a consumer that fails while running: the error is reported and the consumer disconnected', async () => {
    const kafka = fakeKafka();
    kafka.consumer.run.mockRejectedValueOnce(new Error('rebalance failed'));
    const h = harness({ kafka });
    expect(await main(consume('--group', 'g'), h.deps)).toBe(1);
    expect(h.err).toEqual(['Error: rebalance failed']);
    expect(kafka.consumer.disconnect).toHaveBeenCalledTimes(1);
  });
});

describe('explain: errors turned into what to do', () => {
  const context = { auth: 'scram', user: 'consumer' };

  test('a CliError stays as it is; exit code 1 unless given', () => {
    const error = new CliError('x', 'y', 3);
    expect(explain(error, context)).toBe(error);
    expect(new CliError('x')).toMatchObject({ exitCode: 1, hint: undefined, name: 'CliError' });
  });

  test.each([
    [
      'credentials by name',
      Object.assign(new Error('x'), { name: 'CredentialsProviderError' }),
      'No AWS credentials found.',
    ],
    [
      'credentials by message',
      new Error('Could not load credentials from any providers'),
      'No AWS credentials found.',
    ],
    [
      'topic by message',
      new Error('Not authorized to access topics: [orders]'),
      'Not authorized to access the topic (Not authorized to access topics: [orders]).',
    ],
    [
      'topic by the cause’s type',
      Object.assign(new Error('failed'), { cause: { type: 'TOPIC_AUTHORIZATION_FAILED' } }),
      'Not authorized to access the topic (failed).',
    ],
    [
      'group by message',
      new Error('GroupAuthorizationFailed'),
      'Not authorized to use the consumer group (GroupAuthorizationFailed).',
    ],
    [
      'no group coordinator (how kafkajs reports GROUP_AUTHORIZATION_FAILED from FindCoordinator)',
      Object.assign(new Error('Failed to find group coordinator'), {
        name: 'KafkaJSGroupCoordinatorNotFound',
      }),
      'Not authorized to use the consumer group, or its coordinator is unavailable (Failed to find group coordinator).',
    ],
    [
      'a topic that does not exist, inside kafkajs’s retries (not a connection problem)',
      Object.assign(new Error('This server does not host this topic-partition'), {
        name: 'KafkaJSNumberOfRetriesExceeded',
        cause: { type: 'UNKNOWN_TOPIC_OR_PARTITION' },
      }),
      'The topic does not exist (This server does not host this topic-partition).',
    ],
    [
      'SASL by message',
      new Error('SASL PLAIN authentication failed: bad'),
      'SASL authentication failed (SASL PLAIN authentication failed: bad).',
    ],
    [
      'ETIMEDOUT',
      new Error('connect ETIMEDOUT 10.0.0.1:9096'),
      'Cannot connect to the brokers (connect ETIMEDOUT 10.0.0.1:9096).',
    ],
    [
      'ECONNREFUSED',
      new Error('connect ECONNREFUSED 10.0.0.1:9096'),
      'Cannot connect to the brokers (connect ECONNREFUSED 10.0.0.1:9096).',
    ],
    [
      'EHOSTUNREACH',
      new Error('connect EHOSTUNREACH'),
      'Cannot connect to the brokers (connect EHOSTUNREACH).',
    ],
    [
      'connection timeout',
      new Error('connection timeout'),
      'Cannot connect to the brokers (connection timeout).',
    ],
    [
      'KafkaJSConnectionError by name',
      Object.assign(new Error('x'), { name: 'KafkaJSConnectionError' }),
      'Cannot connect to the brokers (x).',
    ],
    [
      'KafkaJSNumberOfRetriesExceeded by name',
      Object.assign(new Error('y'), { name: 'KafkaJSNumberOfRetriesExceeded' }),
      'Cannot connect to the brokers (y).',
    ],
    ['anything else', new Error('disk full'), 'disk full'],
    ['not an Error', 'plain string', 'plain string'],
    ['nothing', undefined, 'undefined'],
  ])('%s', (_name, error, message) => {
    expect(explain(error, context).message).toBe(message);
  });

  test('hints depend on the auth', () => {
    const topic = new Error('Not authorized to access topics: [orders]');
    expect(explain(topic, { auth: 'scram' }).hint).toBe(
      'SCRAM users are authorized by Kafka ACLs: add an ACL for this user on the topic.',
    );
    expect(explain(topic, { auth: 'iam' }).hint).toBe(
      'Grant the principal kafka-cluster:DescribeTopic plus ReadData/WriteData on the topic ARN (cluster.msk.access.grantConsume / grantProduce).',
    );
    const sasl = Object.assign(new Error('bad'), { name: 'KafkaJSSASLAuthenticationError' });
    expect(explain(sasl, { auth: 'iam' }).hint).toBe(
      'Check the credentials the signer used (whoami) and that IAM access control is enabled.',
    );
    expect(explain(sasl, { auth: 'scram', user: 'alice' }).hint).toBe(
      'Check that the secret of user "alice" is associated with the cluster (ListScramSecrets), is encrypted with the customer-managed key, and was not rotated in the last 10 minutes.',
    );
    expect(explain(new Error('GroupAuthorization'), context).hint).toBe(
      'SCRAM users are authorized by Kafka ACLs: the user needs READ on the group (a consume permission naming it), or pass a --group its ACLs allow.',
    );
    expect(explain(new Error('GroupAuthorization'), { auth: 'iam' }).hint).toBe(
      'IAM: grant kafka-cluster:DescribeGroup and AlterGroup on the group ARN (grantConsume).',
    );
    expect(explain(new Error('ECONNREFUSED'), context).hint).toBe(
      'The brokers are only reachable from inside the VPC (private subnets, port 9096 for SCRAM, 9098 ' +
        "for IAM) or over a network path into it: run the client on a host in the cluster's VPC with " +
        'the "clients" security group, or through a VPN/peering. See docs/troubleshooting.md#connection-timeout.',
    );
    expect(explain(new Error('disk full'), context).hint).toBeUndefined();
  });

  test('a usage error before the auth is known is explained for SCRAM; exit codes pass through', async () => {
    const kafka = fakeKafka({
      fail: Object.assign(new Error('bad'), { name: 'KafkaJSSASLAuthenticationError' }),
    });
    const h = harness({ kafka });
    expect(await main(['consume', '--cluster-arn', CLUSTER, '--topic', 'o'], h.deps)).toBe(1);
    expect(h.err[1]).toBe(
      'Hint: Check that the secret of user "consumer" is associated with the cluster (ListScramSecrets), is encrypted with the customer-managed key, and was not rotated in the last 10 minutes.',
    );
    const exit = fakeKafka({ fail: new CliError('stop', undefined, 7) });
    const e = harness({ kafka: exit });
    expect(await main(['consume', '--cluster-arn', CLUSTER, '--topic', 'o'], e.deps)).toBe(7);
    expect(e.err).toEqual(['Error: stop']);
  });
});

describe('commands: what they ask the cluster for, and when they stop', () => {
  test('topics describe asks for that one topic; the admin is connected and disconnected', async () => {
    const d = harness();
    expect(await main(['topics', 'describe', 'orders', '--cluster-arn', CLUSTER], d.deps)).toBe(0);
    expect(d.kafka.admin.fetchTopicMetadata).toHaveBeenCalledWith({ topics: ['orders'] });
    expect(d.kafka.admin.listTopics).not.toHaveBeenCalled();
    expect(d.kafka.admin.connect).toHaveBeenCalledTimes(1);
    expect(d.kafka.admin.disconnect).toHaveBeenCalledTimes(1);
    const l = harness();
    expect(await main(['topics', 'list', '--cluster-arn', CLUSTER], l.deps)).toBe(0);
    expect(l.kafka.admin.fetchTopicMetadata).not.toHaveBeenCalled();
    expect(l.kafka.admin.disconnect).toHaveBeenCalledTimes(1);
  });

  test('topics: the admin is disconnected when a call fails', async () => {
    const kafka = fakeKafka();
    kafka.admin.listTopics.mockRejectedValueOnce(new Error('metadata timeout'));
    const h = harness({ kafka });
    expect(await main(['topics', '--cluster-arn', CLUSTER], h.deps)).toBe(1);
    expect(h.err).toEqual(['Error: metadata timeout']);
    expect(kafka.admin.disconnect).toHaveBeenCalledTimes(1);
  });

  test('topics describe: partitions sorted by id, whatever order the broker gives', async () => {
    const kafka = fakeKafka();
    kafka.admin.fetchTopicMetadata.mockResolvedValueOnce({
      topics: [
        {
          name: 'orders',
          partitions: [2, 0, 1].map((partitionId) => ({
            partitionId,
            leader: partitionId + 1,
            replicas: [partitionId + 1],
            isr: [partitionId + 1],
          })),
        },
      ],
    });
    const h = harness({ kafka });
    await main(['topics', 'describe', 'orders', '--cluster-arn', CLUSTER], h.deps);
    expect(h.out).toEqual([
      'orders: 3 partitions',
      '  partition 0: leader 1, replicas [1], in sync [1]',
      '  partition 1: leader 2, replicas [2], in sync [2]',
      '  partition 2: leader 3, replicas [3], in sync [3]',
    ]);
  });

  test('consume stops at the --max-th record, not before, and prints nothing after it', async () => {
    jest.useFakeTimers();
    try {
      const kafka = fakeKafka();
      // Like kafkajs: run() returns at once and records arrive later, one by one.
      let deliver: ((payload: unknown) => Promise<void>) | undefined;
      kafka.consumer.run.mockImplementation(async ({ eachMessage }) => {
        deliver = eachMessage;
      });
      const record = (offset: string) => ({
        partition: 0,
        message: { offset, key: null, value: Buffer.from(`v${offset}`) },
      });
      const h = harness({ kafka });
      let done = false;
      const run = main(
        ['consume', '--cluster-arn', CLUSTER, '--topic', 'orders', '--group', 'g', '--max', '2'],
        h.deps,
      ).then((code) => {
        done = true;
        return code;
      });
      await jest.advanceTimersByTimeAsync(1_000);
      await deliver!(record('1'));
      await jest.advanceTimersByTimeAsync(1_000);
      expect(done).toBe(false);
      expect(h.out).toEqual(['0\t1\t\tv1']);
      await deliver!(record('2'));
      expect(await run).toBe(0);
      await deliver!(record('3')); // handed over before the disconnect took effect
      expect(h.out).toEqual(['0\t1\t\tv1', '0\t2\t\tv2']);
      expect(h.err).toEqual(['2 records from orders (group g).']);
      expect(kafka.consumer.disconnect).toHaveBeenCalledTimes(1);
      // The --timeout timer is cleared, so the process is not kept alive for 30 s.
      expect(jest.getTimerCount()).toBe(0);
    } finally {
      jest.useRealTimers();
    }
  });

  test.each([
    [['consume', '--topic', 'o', '--timeout', '0'], '--timeout', '0'],
    [['consume', '--topic', 'o', '--timeout', '1.5'], '--timeout', '1.5'],
    [['produce', '--topic', 'o', '--count', 'ten'], '--count', 'ten'],
  ])('%j: the error names the option and the value', async (argv, flag, value) => {
    const h = harness();
    expect(await main(argv, h.deps)).toBe(1);
    expect(h.err).toEqual([`Error: ${flag} must be a positive whole number, got "${value}".`]);
    expect(h.configs).toEqual([]);
  });
});
