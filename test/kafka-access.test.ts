import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { PlatformKey } from '../secure-msk-constructs/constructs/platform-key';
import { SecureMskCluster } from '../secure-msk-constructs/constructs/secure-msk-cluster';
import { kafkaResourceArn } from './helpers/cfn';

// GIVEN a cluster in a stack of its own (the grants do not depend on the rest of the app)
function fixture() {
  const stack = new Stack(new App(), 'Grants');
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0 });
  const cluster = new SecureMskCluster(stack, 'Msk', {
    clusterName: 'orders',
    kafkaVersion: '3.8.x',
    instanceType: 'kafka.t3.small',
    numberOfBrokerNodes: 2,
    vpc,
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    securityGroup: new ec2.SecurityGroup(stack, 'Sg', { vpc }),
    ...(() => {
      const key = new PlatformKey(stack, 'Key', {
        aliasName: 'orders',
        logGroupNamePrefix: '/orders/',
        logRetentionDays: 7,
        removalPolicy: RemovalPolicy.DESTROY,
      });
      return { encryptionKey: key.key, logs: key };
    })(),
    ebsVolumeGiB: 10,
  });
  const role = new iam.Role(stack, 'App', {
    assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
  });
  return { stack, cluster, role };
}

const clusterArn = { 'Fn::GetAtt': ['MskCluster46ECFC4D', 'Arn'] };
const clusterUuid = { 'Fn::GetAtt': ['MskClusterUuid8E350644', 'Value'] };
const arn = (type: string, name: string) => kafkaResourceArn(clusterUuid, type, 'orders', name);
function statementsOf(stack: Stack) {
  const policies = Template.fromStack(stack).findResources('AWS::IAM::Policy');
  return Object.values(policies).flatMap((p) => p.Properties.PolicyDocument.Statement);
}

test('the cluster UUID is cut from the cluster ARN in its own stack and kept in a parameter', () => {
  const { stack, cluster, role } = fixture();
  cluster.access.grantConsume(role, 'orders', 'billing');
  expect(Template.fromStack(stack).findResources('AWS::SSM::Parameter')).toEqual({
    MskClusterUuid8E350644: {
      Type: 'AWS::SSM::Parameter',
      Properties: {
        Type: 'String',
        Value: { 'Fn::Select': [2, { 'Fn::Split': ['/', clusterArn] }] },
        Description: 'UUID of MSK cluster orders (part of its topic and group ARNs)',
      },
    },
  });
});

test('no UUID parameter until a topic or group ARN is asked for', () => {
  const { stack, cluster, role } = fixture();
  cluster.access.grantConnect(role);
  Template.fromStack(stack).resourceCountIs('AWS::SSM::Parameter', 0);
});

test('grantConnect: Connect on the cluster only', () => {
  const { stack, cluster, role } = fixture();
  cluster.access.grantConnect(role);
  expect(statementsOf(stack)).toEqual([
    { Effect: 'Allow', Action: 'kafka-cluster:Connect', Resource: clusterArn },
  ]);
});

test('grantConsume with names: ReadData with its dependencies on the exact topic and group ARNs', () => {
  const { stack, cluster, role } = fixture();
  cluster.access.grantConsume(role, 'orders', 'billing');
  expect(statementsOf(stack)).toEqual([
    { Effect: 'Allow', Action: 'kafka-cluster:Connect', Resource: clusterArn },
    {
      Effect: 'Allow',
      Action: ['kafka-cluster:DescribeTopic', 'kafka-cluster:ReadData'],
      Resource: arn('topic', 'orders'),
    },
    {
      Effect: 'Allow',
      Action: ['kafka-cluster:AlterGroup', 'kafka-cluster:DescribeGroup'],
      Resource: arn('group', 'billing'),
    },
  ]);
});

test('grantConsume with prefixes: a trailing * only where a prefix was asked for (Kafka Connect sink groups)', () => {
  const { stack, cluster, role } = fixture();
  cluster.access.grantConsume(role, { prefix: 'orders.' }, { prefix: 'connect-' });
  const statements = statementsOf(stack);
  expect(statements[1].Resource).toEqual(arn('topic', 'orders.*'));
  expect(statements[2].Resource).toEqual(arn('group', 'connect-*'));
});

test('grantProduce: WriteData with DescribeTopic, and WriteDataIdempotently on the cluster by default', () => {
  const { stack, cluster, role } = fixture();
  cluster.access.grantProduce(role, 'orders');
  expect(statementsOf(stack)).toEqual([
    {
      Effect: 'Allow',
      Action: ['kafka-cluster:Connect', 'kafka-cluster:WriteDataIdempotently'],
      Resource: clusterArn,
    },
    {
      Effect: 'Allow',
      Action: ['kafka-cluster:DescribeTopic', 'kafka-cluster:WriteData'],
      Resource: arn('topic', 'orders'),
    },
  ]);
});

test('grantProduce without idempotence leaves WriteDataIdempotently out', () => {
  const { stack, cluster, role } = fixture();
  cluster.access.grantProduce(role, 'orders', { idempotent: false });
  expect(statementsOf(stack)[0]).toEqual({
    Effect: 'Allow',
    Action: 'kafka-cluster:Connect',
    Resource: clusterArn,
  });
});

test('grantAdmin: create, describe and alter topics under a prefix', () => {
  const { stack, cluster, role } = fixture();
  cluster.access.grantAdmin(role, { prefix: 'team-a.' });
  expect(statementsOf(stack)[1]).toEqual({
    Effect: 'Allow',
    Action: [
      'kafka-cluster:CreateTopic',
      'kafka-cluster:DescribeTopic',
      'kafka-cluster:AlterTopic',
      'kafka-cluster:DescribeTopicDynamicConfiguration',
      'kafka-cluster:AlterTopicDynamicConfiguration',
    ],
    Resource: arn('topic', 'team-a.*'),
  });
});

test('a "*" in a plain name is refused with what to do instead', () => {
  const { cluster, role } = fixture();
  expect(() => cluster.access.grantConsume(role, 'orders*', 'g')).toThrow(
    'topic "orders*" is not a Kafka topic name (1–249 characters of letters, digits, ".", "_" and "-", and not "." or ".." (Kafka rule)); pass { prefix: "…" } for a prefix instead of writing "*"',
  );
});

test('a "*" inside a name is refused too, not only at its end', () => {
  const { cluster, role } = fixture();
  expect(() => cluster.access.grantProduce(role, 'orders.*.eu')).toThrow(
    'topic "orders.*.eu" is not a Kafka topic name',
  );
});

test('a bad group name is refused and named as a group', () => {
  const { cluster, role } = fixture();
  expect(() => cluster.access.grantConsume(role, 'orders', 'billing team')).toThrow(
    'group "billing team" is not a consumer group name (1–200 characters of letters, digits and - / : _ + = . @)',
  );
});

test('a prefix is checked like a name: "*" in a prefix is refused', () => {
  const { cluster, role } = fixture();
  expect(() => cluster.access.grantAdmin(role, { prefix: 'team-*' })).toThrow(
    'topic "team-*" is not a Kafka topic name',
  );
});

test('an empty prefix means every topic (a bare *); an empty name is refused', () => {
  const { stack, cluster, role } = fixture();
  cluster.access.grantConsume(role, { prefix: '' }, 'billing');
  expect(statementsOf(stack)[1].Resource).toEqual(arn('topic', '*'));
  expect(() => cluster.access.grantConsume(role, '', 'billing')).toThrow(
    'topic "" is not a Kafka topic name',
  );
});

test('a role in another account (Debezium/Doris style) is named in the cluster policy', () => {
  // GIVEN a role of account 999999999999 that this stack cannot modify
  const { stack, cluster } = fixture();
  const external = iam.Role.fromRoleArn(
    stack,
    'Doris',
    'arn:aws:iam::999999999999:role/doris-routine-load',
    {
      mutable: false,
    },
  );
  // WHEN
  cluster.access.grantConsume(external, 'orders', 'doris');
  // THEN the grants go to AWS::MSK::ClusterPolicy with the role as principal
  const template = Template.fromStack(stack);
  template.resourceCountIs('AWS::IAM::Policy', 0);
  const [policy] = Object.values(template.findResources('AWS::MSK::ClusterPolicy'));
  expect(policy.Properties.ClusterArn).toEqual(clusterArn);
  const principal = { AWS: 'arn:aws:iam::999999999999:role/doris-routine-load' };
  expect(policy.Properties.Policy.Statement).toEqual([
    {
      Effect: 'Allow',
      Principal: principal,
      Action: 'kafka-cluster:Connect',
      Resource: clusterArn,
    },
    {
      Effect: 'Allow',
      Principal: principal,
      Action: ['kafka-cluster:DescribeTopic', 'kafka-cluster:ReadData'],
      Resource: arn('topic', 'orders'),
    },
    {
      Effect: 'Allow',
      Principal: principal,
      Action: ['kafka-cluster:AlterGroup', 'kafka-cluster:DescribeGroup'],
      Resource: arn('group', 'doris'),
    },
  ]);
});
