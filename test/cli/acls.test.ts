import { GetBootstrapBrokersCommand, KafkaClient } from '@aws-sdk/client-kafka';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import {
  AclFilter,
  AclOperationTypes,
  AclPermissionTypes,
  AclResourceTypes,
  KafkaConfig,
  KafkaJSProtocolError,
  ResourcePatternTypes,
} from 'kafkajs';
import { Deps } from '../../src/cli/connection';
import { main } from '../../src/cli/main';

const kafkaMock = mockClient(KafkaClient);

const CLUSTER =
  'arn:aws:kafka:eu-west-1:111122223333:cluster/msk-secure-dev/1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d-2';
const IAM_BROKERS = 'b-1.msk.example:9098,b-2.msk.example:9098';

/** Two resources as a broker answers DescribeAcls: a topic with two ACLs, a prefixed group. */
const RESOURCES = [
  {
    resourceType: AclResourceTypes.TOPIC,
    resourceName: 'orders',
    resourcePatternType: ResourcePatternTypes.LITERAL,
    acls: [
      {
        principal: 'User:billing',
        host: '*',
        operation: AclOperationTypes.WRITE,
        permissionType: AclPermissionTypes.ALLOW,
      },
      {
        principal: 'User:audit',
        host: '10.0.0.1',
        operation: AclOperationTypes.READ,
        permissionType: AclPermissionTypes.DENY,
      },
    ],
  },
  {
    resourceType: AclResourceTypes.GROUP,
    resourceName: 'billing-',
    resourcePatternType: ResourcePatternTypes.PREFIXED,
    acls: [
      {
        principal: 'User:billing',
        host: '*',
        operation: AclOperationTypes.READ,
        permissionType: AclPermissionTypes.ALLOW,
      },
    ],
  },
];

/** A fake kafkajs client whose admin answers DescribeAcls, honouring the principal filter. */
function harness(describeError?: Error) {
  const out: string[] = [];
  const err: string[] = [];
  const configs: KafkaConfig[] = [];
  const admin = {
    connect: jest.fn(async () => undefined),
    disconnect: jest.fn(async () => undefined),
    describeAcls: jest.fn(async (filter: AclFilter) => {
      if (describeError) throw describeError;
      return {
        throttleTime: 0,
        errorCode: 0,
        resources: RESOURCES.map((r) => ({
          ...r,
          acls: r.acls.filter((a) => !filter.principal || a.principal === filter.principal),
        })).filter((r) => r.acls.length),
      };
    }),
  };
  const signer = {
    generateAuthToken: jest.fn(async () => ({ token: 'token', expiryTime: 2_000_000 })),
    generateAuthTokenFromProfile: jest.fn(),
    generateAuthTokenFromRole: jest.fn(),
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
      return { admin: () => admin } as never;
    },
    signer,
    out: (l) => void out.push(l),
    err: (l) => void err.push(l),
    stdinLines: async function* () {},
    now: () => 1_000_000,
    env: {},
  };
  return { deps, out, err, admin, configs, signer };
}

beforeEach(() => {
  kafkaMock.reset();
  kafkaMock.on(GetBootstrapBrokersCommand, { ClusterArn: CLUSTER }).resolves({
    BootstrapBrokerStringSaslScram: 'b-1.msk.example:9096',
    BootstrapBrokerStringSaslIam: IAM_BROKERS,
  });
});

test('acls (list): every binding, one line each, sorted; IAM auth on 9098 by default', async () => {
  const h = harness();
  expect(await main(['acls', '--cluster-arn', CLUSTER], h.deps)).toBe(0);
  expect(h.out).toEqual([
    'User:audit DENY READ on TOPIC:LITERAL:orders from 10.0.0.1',
    'User:billing ALLOW READ on GROUP:PREFIXED:billing- from *',
    'User:billing ALLOW WRITE on TOPIC:LITERAL:orders from *',
  ]);
  expect(h.err).toEqual(['3 ACL bindings.']);
  expect(h.configs[0]).toMatchObject({
    brokers: IAM_BROKERS.split(','),
    ssl: true,
    sasl: { mechanism: 'oauthbearer' },
  });
  expect(h.admin.describeAcls).toHaveBeenCalledWith({
    resourceType: AclResourceTypes.ANY,
    resourcePatternType: ResourcePatternTypes.ANY,
    operation: AclOperationTypes.ANY,
    permissionType: AclPermissionTypes.ANY,
  });
  expect(h.admin.disconnect).toHaveBeenCalled();
});

test('acls list --user NAME: only that SCRAM user (principal filter sent to the broker)', async () => {
  const h = harness();
  expect(await main(['acls', 'list', '--user', 'billing', '--cluster-arn', CLUSTER], h.deps)).toBe(
    0,
  );
  expect(h.admin.describeAcls).toHaveBeenCalledWith(
    expect.objectContaining({ principal: 'User:billing' }),
  );
  expect(h.out).toEqual([
    'User:billing ALLOW READ on GROUP:PREFIXED:billing- from *',
    'User:billing ALLOW WRITE on TOPIC:LITERAL:orders from *',
  ]);
  expect(h.err).toEqual(['2 ACL bindings for User:billing.']);
});

test('not authorized: names the IAM actions DescribeAcls needs', async () => {
  const h = harness(
    new KafkaJSProtocolError(<never>{
      message: 'Cluster authorization failed',
      type: 'CLUSTER_AUTHORIZATION_FAILED',
      code: 31,
      retriable: false,
    }),
  );
  expect(await main(['acls', '--cluster-arn', CLUSTER], h.deps)).toBe(1);
  expect(h.err).toEqual([
    "Error: Not authorized to describe the cluster's ACLs (Cluster authorization failed).",
    `Hint: Grant the principal kafka-cluster:Connect and kafka-cluster:DescribeCluster on ${CLUSTER}.`,
  ]);
  expect(h.admin.disconnect).toHaveBeenCalled();
});

test.each([
  [['acls', '--auth', 'scram'], 'Error: acls connects with IAM auth only'],
  [['acls', 'delete'], 'Error: acls takes "list", got "delete".'],
  [['acls', 'list', 'all'], 'Error: acls takes "list", got "list all".'],
])('%j', async (argv, message) => {
  const h = harness();
  expect(await main([...argv, '--cluster-arn', CLUSTER], h.deps)).toBe(1);
  expect(h.err[0]).toContain(message);
});

test('help', async () => {
  const h = harness();
  expect(await main(['acls', '--help'], h.deps)).toBe(0);
  expect(h.out[0]).toContain('Usage: npm run client -- acls [list] [--user NAME]');
  const all = harness();
  await main(['--help'], all.deps);
  expect(all.out[0]).toContain("acls      list the cluster's Kafka ACLs (IAM auth)");
});

test('acls --user User:NAME: a full principal is sent as it is; one binding is singular', async () => {
  const h = harness();
  expect(await main(['acls', '--user', 'User:audit', '--cluster-arn', CLUSTER], h.deps)).toBe(0);
  expect(h.admin.describeAcls).toHaveBeenCalledWith({
    resourceType: AclResourceTypes.ANY,
    resourcePatternType: ResourcePatternTypes.ANY,
    operation: AclOperationTypes.ANY,
    permissionType: AclPermissionTypes.ANY,
    principal: 'User:audit',
  });
  expect(h.out).toEqual(['User:audit DENY READ on TOPIC:LITERAL:orders from 10.0.0.1']);
  expect(h.err).toEqual(['1 ACL binding for User:audit.']);
});

test('no ACLs: says what that means on MSK (on stderr; nothing on stdout)', async () => {
  const h = harness();
  expect(await main(['acls', '--cluster-arn', CLUSTER, '--user', 'nobody'], h.deps)).toBe(0);
  expect(h.out).toEqual([]);
  expect(h.err).toEqual([
    '0 ACL bindings for User:nobody.',
    'A topic or group without any ACL is open to every SCRAM user while the cluster keeps ' +
      "MSK's default allow.everyone.if.no.acl.found=true; IAM principals are authorized by IAM policies, not ACLs.",
  ]);
});

test('a cluster without an authorizer: says it keeps no ACLs', async () => {
  const h = harness(
    new KafkaJSProtocolError(<never>{
      message: 'Security features are disabled',
      type: 'SECURITY_DISABLED',
      code: 54,
      retriable: false,
    }),
  );
  expect(await main(['acls', '--cluster-arn', CLUSTER], h.deps)).toBe(1);
  expect(h.err).toEqual(['Error: The cluster has no authorizer: it keeps no ACLs.']);
  expect(h.out).toEqual([]);
  expect(h.admin.disconnect).toHaveBeenCalledTimes(1);
});

test.each([
  ['a plain error', new Error('broker went away'), 'Error: broker went away'],
  [
    'another Kafka error',
    new KafkaJSProtocolError(<never>{
      message: 'The server experienced an unexpected error',
      type: 'UNKNOWN_SERVER_ERROR',
      code: -1,
      retriable: false,
    }),
    'Error: The server experienced an unexpected error',
  ],
])('any other DescribeAcls failure (%s) is reported as it is', async (_name, error, line) => {
  const h = harness(error);
  expect(await main(['acls', '--cluster-arn', CLUSTER], h.deps)).toBe(1);
  expect(h.err).toEqual([line]);
  expect(h.admin.disconnect).toHaveBeenCalledTimes(1);
});

test('acls --auth scram: the hint says how to run it', async () => {
  const h = harness();
  expect(await main(['acls', '--auth', 'scram', '--cluster-arn', CLUSTER], h.deps)).toBe(1);
  expect(h.err).toEqual([
    'Error: acls connects with IAM auth only (--user NAME filters by SCRAM user, it does not log in).',
    'Hint: Drop --auth, or pass --auth iam.',
  ]);
  expect(h.configs).toEqual([]);
  const iam = harness();
  expect(await main(['acls', '--auth', 'iam', '--cluster-arn', CLUSTER], iam.deps)).toBe(0);
  expect(iam.err).toEqual(['3 ACL bindings.']);
});
