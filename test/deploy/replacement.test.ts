import {
  checkDeployment,
  createOnlyPaths,
  nameProperty,
  plannedReplacements,
} from '../../tools/deploy/replacement';
import type { CfnTemplate } from '../../tools/shared/template';

// GIVEN a two-stack deployment shaped like ours: Network publishes a subnet and a security
// group; Cluster reads them with Fn::GetStackOutput into the (custom-named) cluster.
const read = (output: string) => ({
  'Fn::GetStackOutput': { StackName: 'net', OutputName: output, Region: { Ref: 'AWS::Region' } },
});
const network = (groupDescription = 'brokers', cidr = '10.0.0.0/24'): CfnTemplate => ({
  Resources: {
    Vpc: { Type: 'AWS::EC2::VPC', Properties: { CidrBlock: '10.0.0.0/16' } },
    Subnet: { Type: 'AWS::EC2::Subnet', Properties: { VpcId: { Ref: 'Vpc' }, CidrBlock: cidr } },
    Route: {
      Type: 'AWS::EC2::SubnetRouteTableAssociation',
      Properties: { SubnetId: { Ref: 'Subnet' }, RouteTableId: 'rtb-1' },
    },
    Brokers: {
      Type: 'AWS::EC2::SecurityGroup',
      Properties: { GroupDescription: groupDescription, VpcId: { Ref: 'Vpc' } },
    },
  },
  Outputs: {
    PublishSubnet: { Value: { Ref: 'Subnet' } },
    PublishBrokers: { Value: { 'Fn::GetAtt': ['Brokers', 'GroupId'] } },
  },
});
const cluster = (props: Record<string, unknown> = {}): CfnTemplate => ({
  Resources: {
    Cluster: {
      Type: 'AWS::MSK::Cluster',
      Properties: {
        ClusterName: 'orders',
        KafkaVersion: '3.8.x',
        BrokerNodeGroupInfo: {
          InstanceType: 'kafka.t3.small',
          ClientSubnets: [read('PublishSubnet')],
          SecurityGroups: [read('PublishBrokers')],
        },
        ...props,
      },
    },
  },
});
const plan = (net: CfnTemplate, msk: CfnTemplate) => [
  { stackName: 'net', deployed: network(), next: net },
  { stackName: 'msk', deployed: cluster(), next: msk },
];

test('create-only properties come from the CloudFormation resource schemas, nested ones included', () => {
  expect(createOnlyPaths('AWS::MSK::Cluster')).toEqual([
    'BrokerNodeGroupInfo/BrokerAZDistribution',
    'BrokerNodeGroupInfo/ClientSubnets',
    'BrokerNodeGroupInfo/SecurityGroups',
    'ClusterName',
    'EncryptionInfo/EncryptionAtRest',
    'EncryptionInfo/EncryptionInTransit/InCluster',
  ]);
  expect(nameProperty('AWS::MSK::Cluster')).toBe('ClusterName');
  expect(nameProperty('AWS::SecretsManager::Secret')).toBe('Name');
  expect(nameProperty('AWS::Logs::LogGroup')).toBe('LogGroupName');
  expect(nameProperty('AWS::EC2::Subnet')).toBeUndefined();
});

test('nothing changed: no replacement, no problem', () => {
  expect(plannedReplacements(plan(network(), cluster())).size).toBe(0);
  expect(checkDeployment(plan(network(), cluster()))).toEqual([]);
});

test('an updatable change is fine (Kafka version, instance type)', () => {
  const next = cluster({
    KafkaVersion: '3.9.x',
    BrokerNodeGroupInfo: {
      ...cluster().Resources!.Cluster.Properties!.BrokerNodeGroupInfo!,
      InstanceType: 'kafka.m7g.large',
    },
  });
  expect(checkDeployment(plan(network(), next))).toEqual([]);
});

test('a new stack (nothing deployed) is never refused', () => {
  expect(checkDeployment([{ stackName: 'net', next: network('other') }])).toEqual([]);
});

test('a replaced security group that another stack reads is refused, naming the output, the readers and why', () => {
  const steps = plan(network('brokers v2'), cluster());
  expect(plannedReplacements(steps)).toEqual(
    new Map([
      ['net/Brokers', 'create-only property GroupDescription changes'],
      [
        'msk/Cluster',
        'create-only property BrokerNodeGroupInfo/SecurityGroups reads output net/PublishBrokers reads net/Brokers, which is replaced',
      ],
    ]),
  );
  expect(checkDeployment(steps)).toEqual([
    {
      stack: 'msk',
      logicalId: 'Cluster',
      message:
        'AWS::MSK::Cluster would be replaced (create-only property BrokerNodeGroupInfo/SecurityGroups reads output ' +
        'net/PublishBrokers reads net/Brokers, which is replaced), but it has a custom name (ClusterName = "orders") ' +
        'and CloudFormation cannot replace a custom-named resource.',
    },
    {
      stack: 'net',
      logicalId: 'PublishBrokers',
      message:
        'msk reads this output with Fn::GetStackOutput, and Brokers is replaced (create-only property ' +
        'GroupDescription changes): they would keep the old value.',
    },
  ]);
});

test('replacement follows references inside a stack (subnet → its route table association)', () => {
  const replaced = plannedReplacements(plan(network('brokers', '10.0.1.0/24'), cluster()));
  expect([...replaced.keys()].sort()).toEqual(['msk/Cluster', 'net/Route', 'net/Subnet']);
  expect(replaced.get('net/Route')).toBe(
    'create-only property SubnetId refers to Subnet, which is replaced',
  );
});

test('a nested create-only property of a named resource (encryption at rest) is refused', () => {
  const problems = checkDeployment(
    plan(
      network(),
      cluster({ EncryptionInfo: { EncryptionAtRest: { DataVolumeKMSKeyId: 'other-key' } } }),
    ),
  );
  expect(problems).toEqual([
    expect.objectContaining({
      logicalId: 'Cluster',
      message: expect.stringContaining(
        'create-only property EncryptionInfo/EncryptionAtRest changes',
      ),
    }),
  ]);
});

test('a new name makes the replacement possible: not refused', () => {
  const renamed = cluster({ ClusterName: 'orders-v2', EncryptionInfo: { EncryptionAtRest: {} } });
  expect(checkDeployment(plan(network(), renamed))).toEqual([]);
});

test('a read output whose value changes is refused, and so is the replacement it causes downstream', () => {
  const next = network();
  const moved = { ...next, Outputs: { ...next.Outputs, PublishSubnet: { Value: { Ref: 'Vpc' } } } };
  expect(
    checkDeployment([
      { stackName: 'net', deployed: network(), next: moved },
      { stackName: 'msk', deployed: cluster(), next: cluster() },
    ]),
  ).toEqual([
    {
      stack: 'msk',
      logicalId: 'Cluster',
      message:
        'AWS::MSK::Cluster would be replaced (create-only property BrokerNodeGroupInfo/ClientSubnets reads output ' +
        'net/PublishSubnet changes its value), but it has a custom name (ClusterName = "orders") and ' +
        'CloudFormation cannot replace a custom-named resource.',
    },
    {
      stack: 'net',
      logicalId: 'PublishSubnet',
      message:
        'msk reads this output with Fn::GetStackOutput, and its value changes: they would keep the old value.',
    },
  ]);
});

test('an output nobody reads may change freely', () => {
  const next = network('brokers v2');
  expect(checkDeployment([{ stackName: 'net', deployed: network(), next }])).toEqual([]);
});
