import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Lazy, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { aclBindingsFor, lambdaConsumerBindings } from '../lib/acls/spec';
import { addCompliancePacks } from '../lib/compliance';
import { KafkaAcls, KafkaAclsProps } from '../secure-msk-constructs/constructs/kafka-acls';
import { PlatformKey } from '../secure-msk-constructs/constructs/platform-key';
import { acl } from './fixtures/acl-binding';
import { lambdaVpcWrites } from './helpers/cfn';

const CLUSTER_ARN =
  'arn:aws:kafka:eu-west-1:111122223333:cluster/orders/1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d-2';
const BILLING = aclBindingsFor({
  name: 'billing',
  produce: ['orders'],
  consume: [{ topic: 'orders', group: 'billing-*' }],
});
const CONSUMER = lambdaConsumerBindings('consumer', 'orders', 'orders-consumer');
/** The feature flags of cdk.json, so the policies come out as `cdk synth` renders them. */
const context = {
  ...JSON.parse(readFileSync(join(__dirname, '..', 'cdk.json'), 'utf8')).context,
  // No Lambda bundling: templates do not depend on it (as in test/helpers/synth.ts).
  'aws:cdk:bundling-stacks': [],
};

// GIVEN a bare stack: an imported VPC and security group, and the platform key (nothing else of
// the app), so the template holds only what KafkaAcls adds.
function fixture(props: Partial<KafkaAclsProps> = {}, app = new App({ context })) {
  const stack = new Stack(app, 'Acls');
  const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
    vpcId: 'vpc-0123456789abcdef0',
    availabilityZones: ['eu-west-1a', 'eu-west-1b'],
    privateSubnetIds: ['subnet-0aaaaaaaaaaaaaaaa', 'subnet-0bbbbbbbbbbbbbbbb'],
    privateSubnetRouteTableIds: ['rtb-0aaaaaaaaaaaaaaaa', 'rtb-0bbbbbbbbbbbbbbbb'],
  });
  const key = new PlatformKey(stack, 'Key', {
    aliasName: 'orders',
    logGroupNamePrefix: '/orders/',
    logRetentionDays: 365,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const acls = new KafkaAcls(stack, 'Acls', {
    cluster: { clusterArn: CLUSTER_ARN },
    bindings: [...CONSUMER, ...BILLING, ...BILLING],
    vpc,
    vpcSubnets: { subnets: vpc.privateSubnets },
    securityGroups: [
      ec2.SecurityGroup.fromSecurityGroupId(stack, 'Clients', 'sg-0123456789abcdef0'),
    ],
    encryptionKey: key.key,
    logs: key,
    ...props,
  });
  return { stack, acls, template: Template.fromStack(stack) };
}

function handlerStatements(template: Template) {
  const policies = template.findResources('AWS::IAM::ManagedPolicy', {
    Properties: {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Sid: 'AdministerKafkaAcls' })]),
      },
    },
  });
  expect(Object.keys(policies)).toHaveLength(1);
  return Object.values(policies)[0].Properties.PolicyDocument.Statement as {
    Sid?: string;
    Action: string | string[];
    Resource: unknown;
  }[];
}

test('Custom::MskKafkaAcls with the cluster ARN and the bindings, deduplicated and sorted', () => {
  const { template, acls } = fixture();
  const resources = template.findResources('Custom::MskKafkaAcls');
  expect(Object.values(resources)).toHaveLength(1);
  const properties = Object.values(resources)[0].Properties;
  expect(properties).toEqual({
    ServiceToken: expect.anything(),
    ClusterArn: CLUSTER_ARN,
    Bindings: acls.bindings,
  });
  expect(acls.bindings).toHaveLength(BILLING.length + CONSUMER.length);
  expect(properties.Bindings[0]).toEqual({
    resourceType: 'GROUP',
    resourceName: 'billing-',
    patternType: 'PREFIXED',
    principal: 'User:billing',
    host: '*',
    operation: 'DESCRIBE',
    permission: 'ALLOW',
  });
});

test('BootstrapBrokers is passed when given', () => {
  const { template } = fixture({ bootstrapBrokers: 'b-1.orders:9098,b-2.orders:9098' });
  template.hasResourceProperties('Custom::MskKafkaAcls', {
    BootstrapBrokers: 'b-1.orders:9098,b-2.orders:9098',
  });
});

test('the handler may administer ACLs on this cluster only: Connect, DescribeCluster, AlterCluster', () => {
  const statements = handlerStatements(fixture().template);
  expect(statements.find((s) => s.Sid === 'AdministerKafkaAcls')).toEqual({
    Sid: 'AdministerKafkaAcls',
    Effect: 'Allow',
    Action: [
      'kafka-cluster:AlterCluster',
      'kafka-cluster:Connect',
      'kafka-cluster:DescribeCluster',
    ],
    Resource: CLUSTER_ARN,
  });
  const kafkaActions = statements
    .flatMap((s) => [s.Action].flat())
    .filter((a) => a.startsWith('kafka'));
  expect(kafkaActions.sort()).toEqual([
    'kafka-cluster:AlterCluster',
    'kafka-cluster:Connect',
    'kafka-cluster:DescribeCluster',
    'kafka:GetBootstrapBrokers',
  ]);
});

test('nothing on * but GetBootstrapBrokers and the EC2 describe Lambda needs (no resource types)', () => {
  const statements = handlerStatements(fixture().template);
  const wildcard = statements.filter((s) => JSON.stringify(s.Resource) === '"*"');
  expect(wildcard).toEqual([
    {
      Sid: 'LambdaVpcDescribe',
      Effect: 'Allow',
      Action: 'ec2:DescribeNetworkInterfaces',
      Resource: '*',
    },
    {
      Sid: 'ReadBootstrapBrokers',
      Effect: 'Allow',
      Action: 'kafka:GetBootstrapBrokers',
      Resource: '*',
    },
  ]);
  expect(statements).toContainEqual(lambdaVpcWrites);
  for (const s of statements) expect(JSON.stringify(s.Action)).not.toMatch(/:\*"/);
  // The rest: writing its own log group.
  const rest = statements.filter(
    (s) =>
      ![
        'AdministerKafkaAcls',
        'ReadBootstrapBrokers',
        'LambdaVpcDescribe',
        'LambdaVpcNetworkInterfaces',
      ].includes(s.Sid ?? ''),
  );
  expect(rest.flatMap((s) => [s.Action].flat()).sort()).toEqual([
    'logs:CreateLogStream',
    'logs:PutLogEvents',
  ]);
});

test('a binding the custom resource would refuse fails synth, naming it', () => {
  expect(() =>
    fixture({
      bindings: [
        {
          resourceType: 'CLUSTER',
          resourceName: 'kafka-cluster',
          patternType: 'LITERAL',
          principal: 'User:ops',
          host: '*',
          operation: 'CLUSTER_ACTION',
          permission: 'ALLOW',
        },
      ],
    }),
  ).toThrow(
    'KafkaAcls: bindings[0] (User:ops ALLOW CLUSTER_ACTION on CLUSTER:LITERAL:kafka-cluster from *): CLUSTER_ACTION on the CLUSTER is refused',
  );
});

test('every refused binding is named in one error, separated by "; "', () => {
  const clusterAction = (principal: string) =>
    acl(principal, 'CLUSTER', 'kafka-cluster', 'CLUSTER_ACTION');
  const refused = (i: number, principal: string) =>
    `bindings[${i}] (${principal} ALLOW CLUSTER_ACTION on CLUSTER:LITERAL:kafka-cluster from *): ` +
    'CLUSTER_ACTION on the CLUSTER is refused: on MSK with SASL/SCRAM it blocks inter-broker ' +
    'replication (AWS Knowledge Center, msk-sasl-scram-issues)';
  expect(() => fixture({ bindings: [clusterAction('User:a'), clusterAction('User:b')] })).toThrow(
    `KafkaAcls: ${refused(0, 'User:a')}; ${refused(1, 'User:b')}`,
  );
});

test('a binding holding a token (a value known only at deploy time) is left to the handler to check', () => {
  // GIVEN a principal whose user name is a token: its text ("${Token[…]}") is no SCRAM user name
  const user = Lazy.string({ produce: () => 'analytics' });
  const { template } = fixture({
    bindings: [acl(`User:${user}`, 'TOPIC', 'orders', 'READ'), ...CONSUMER],
  });
  // THEN synth does not refuse it, and the resource carries the resolved value
  const [resource] = Object.values(template.findResources('Custom::MskKafkaAcls'));
  expect(resource.Properties.Bindings).toContainEqual(
    acl('User:analytics', 'TOPIC', 'orders', 'READ'),
  );
});

test('nag-clean under AwsSolutions, NIST 800-53 R5 and HIPAA', () => {
  const app = new App({ context });
  addCompliancePacks(app, 'all');
  fixture({}, app);
  expect(() => app.synth()).not.toThrow();
});
