import { resolveTemplate } from '../../tools/validate/resolve';
import type { CfnTemplate } from '../../tools/shared/template';

const NETWORK: CfnTemplate = {
  Resources: {
    Key: { Type: 'AWS::KMS::Key', Properties: {} },
    Subnet: { Type: 'AWS::EC2::Subnet', Properties: {} },
    Group: { Type: 'AWS::EC2::SecurityGroup', Properties: {} },
    Vpc: { Type: 'AWS::EC2::VPC', Properties: {} },
    Thing: { Type: 'AWS::Made::Up', Properties: {} },
  },
  Outputs: {
    KeyArn: { Value: { 'Fn::GetAtt': ['Key', 'Arn'] } },
    KeyId: { Value: { Ref: 'Key' } },
    SubnetId: { Value: { Ref: 'Subnet' } },
    GroupId: { Value: { 'Fn::GetAtt': ['Group', 'GroupId'] } },
    VpcId: { Value: { Ref: 'Vpc' } },
    ThingArn: { Value: { 'Fn::GetAtt': ['Thing', 'Arn'] } },
    Literal: { Value: 'just-a-string' },
  },
};

const CLUSTER: CfnTemplate = {
  Resources: {
    Cluster: { Type: 'AWS::MSK::Cluster', Properties: { ClusterName: 'my-cluster' } },
    Secret: {
      Type: 'AWS::SecretsManager::Secret',
      Properties: { Name: 'AmazonMSK_my-cluster_app' },
    },
    Queue: { Type: 'AWS::SQS::Queue', Properties: {} },
    Brokers: { Type: 'Custom::MskBootstrapBrokers', Properties: {} },
    Uuid: {
      Type: 'AWS::SSM::Parameter',
      Properties: {
        Type: 'String',
        Value: { 'Fn::Select': [2, { 'Fn::Split': ['/', { 'Fn::GetAtt': ['Cluster', 'Arn'] }] }] },
      },
    },
  },
  Outputs: {
    ClusterArn: { Value: { 'Fn::GetAtt': ['Cluster', 'Arn'] } },
    SecretArn: { Value: { Ref: 'Secret' } },
    QueueArn: { Value: { 'Fn::GetAtt': ['Queue', 'Arn'] } },
    QueueUrl: { Value: { Ref: 'Queue' } },
    Brokers: { Value: { 'Fn::GetAtt': ['Brokers', 'SaslScram'] } },
    Uuid: { Value: { 'Fn::GetAtt': ['Uuid', 'Value'] } },
    Exported: { Value: { Ref: 'Secret' }, Export: { Name: 'cluster-secret' } },
  },
};

const stacks = new Map<string, CfnTemplate>([
  ['app-Network', NETWORK],
  ['app-Cluster', CLUSTER],
]);

function output(stack: string, name: string, region: unknown = { Ref: 'AWS::Region' }) {
  return { 'Fn::GetStackOutput': { StackName: stack, OutputName: name, Region: region } };
}

/** Resolves `value` as the property `P` of a resource of a consumer stack. */
function resolve(value: unknown, extra: Record<string, unknown> = {}) {
  const template: CfnTemplate = {
    Resources: {
      Local: { Type: 'AWS::SQS::Queue', Properties: {} },
      R: { Type: 'AWS::Test::Thing', Properties: { P: value, ...extra } },
    },
  };
  const result = resolveTemplate(template, { stackName: 'app-Consumer', stacks });
  return { value: result.template.Resources!.R.Properties!.P, notes: result.notes };
}

describe('resolveTemplate: Fn::GetStackOutput becomes a literal shaped after the producer', () => {
  test.each([
    [
      'KMS key Arn',
      'app-Network',
      'KeyArn',
      /^arn:aws:kms:us-east-1:111111111111:key\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    ],
    [
      'KMS key Ref',
      'app-Network',
      'KeyId',
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    ],
    ['subnet', 'app-Network', 'SubnetId', /^subnet-[0-9a-f]{17}$/],
    ['security group GroupId', 'app-Network', 'GroupId', /^sg-[0-9a-f]{17}$/],
    ['VPC', 'app-Network', 'VpcId', /^vpc-[0-9a-f]{17}$/],
    ['literal output', 'app-Network', 'Literal', /^just-a-string$/],
    [
      'MSK cluster Arn',
      'app-Cluster',
      'ClusterArn',
      /^arn:aws:kafka:us-east-1:111111111111:cluster\/my-cluster\/[0-9a-f-]{36}-2$/,
    ],
    [
      'secret Ref',
      'app-Cluster',
      'SecretArn',
      /^arn:aws:secretsmanager:us-east-1:111111111111:secret:AmazonMSK_my-cluster_app-[0-9a-f]{6}$/,
    ],
    [
      'queue Arn',
      'app-Cluster',
      'QueueArn',
      /^arn:aws:sqs:us-east-1:111111111111:app-Cluster-Queue-\w+$/,
    ],
    [
      'queue Ref (URL)',
      'app-Cluster',
      'QueueUrl',
      /^https:\/\/sqs\.us-east-1\.amazonaws\.com\/111111111111\/app-Cluster-Queue-\w+$/,
    ],
    ['custom resource attribute', 'app-Cluster', 'Brokers', /^b-1\.\S+:9096,b-2\.\S+:9096$/],
    [
      'SSM parameter Value (its own template value, resolved)',
      'app-Cluster',
      'Uuid',
      /^[0-9a-f-]{36}-2$/,
    ],
  ])('%s', (_what, stack, name, shape) => {
    const { value, notes } = resolve(output(stack, name));
    expect(value).toMatch(shape);
    expect(notes).toEqual([]);
  });

  test('the same producer value resolves the same everywhere (a cluster ARN and its UUID agree)', () => {
    const arn = resolve(output('app-Cluster', 'ClusterArn')).value as string;
    expect(resolve(output('app-Cluster', 'Uuid')).value).toBe(arn.split('/')[2]);
  });

  test('a literal Region of the reference is the Region of the ARN', () => {
    expect(resolve(output('app-Network', 'KeyArn', 'eu-west-1')).value).toMatch(
      /^arn:aws:kms:eu-west-1:111111111111:key\//,
    );
  });

  test('an unknown producer type becomes resolved-<OutputName>, with a note naming the type', () => {
    const { value, notes } = resolve(output('app-Network', 'ThingArn'));
    expect(value).toBe('resolved-ThingArn');
    expect(notes).toEqual([expect.stringContaining('AWS::Made::Up Arn')]);
  });

  test('a missing stack or output becomes resolved-<OutputName>, with a note', () => {
    expect(resolve(output('app-Nope', 'X'))).toEqual({
      value: 'resolved-X',
      notes: [expect.stringContaining('no such stack')],
    });
    expect(resolve(output('app-Network', 'Nope')).notes).toEqual([
      expect.stringContaining('no such output'),
    ]);
  });

  test('Fn::ImportValue resolves through the export name', () => {
    expect(resolve({ 'Fn::ImportValue': 'cluster-secret' }).value).toMatch(
      /^arn:aws:secretsmanager:us-east-1:111111111111:secret:AmazonMSK_my-cluster_app-/,
    );
  });
});

describe('resolveTemplate: intrinsics fold when all parts are literal', () => {
  test('Fn::Join of pseudo parameters', () => {
    const join = {
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          ':logs:',
          { Ref: 'AWS::Region' },
          ':',
          { Ref: 'AWS::AccountId' },
          ':log-group:/x/*',
        ],
      ],
    };
    expect(resolve(join).value).toBe('arn:aws:logs:us-east-1:111111111111:log-group:/x/*');
  });

  test('Fn::Sub with pseudo parameters, variables and ${!literal}', () => {
    expect(resolve({ 'Fn::Sub': 'kafka.${AWS::Region}.${AWS::URLSuffix}' }).value).toBe(
      'kafka.us-east-1.amazonaws.com',
    );
    expect(resolve({ 'Fn::Sub': ['${A}-${!B}', { A: { Ref: 'AWS::AccountId' } }] }).value).toBe(
      '111111111111-${B}',
    );
  });

  test('Fn::Select / Fn::Split of a cross-stack ARN inside a Fn::Join', () => {
    const topic = {
      'Fn::Join': [
        '',
        [
          'arn:aws:kafka:us-east-1:111111111111:topic/my-cluster/',
          { 'Fn::Select': [2, { 'Fn::Split': ['/', output('app-Cluster', 'ClusterArn')] }] },
          '/orders',
        ],
      ],
    };
    expect(resolve(topic).value).toMatch(
      /^arn:aws:kafka:us-east-1:111111111111:topic\/my-cluster\/[0-9a-f-]{36}-2\/orders$/,
    );
  });

  test('same-template Ref and Fn::GetAtt are kept, and so is a Fn::Join that contains one', () => {
    const ref = { Ref: 'Local' };
    const getAtt = { 'Fn::GetAtt': ['Local', 'Arn'] };
    expect(resolve(ref).value).toEqual(ref);
    expect(resolve(getAtt).value).toEqual(getAtt);
    expect(resolve({ 'Fn::Join': [':', [{ Ref: 'AWS::Region' }, getAtt]] }).value).toEqual({
      'Fn::Join': [':', ['us-east-1', getAtt]],
    });
    expect(resolve({ 'Fn::Sub': '${Local.Arn}/${AWS::Region}' }).value).toEqual({
      'Fn::Sub': '${Local.Arn}/${AWS::Region}',
    });
  });

  test('AWS::NoValue stays, and the input template is not modified', () => {
    const template: CfnTemplate = {
      Resources: {
        R: {
          Type: 'AWS::Test::Thing',
          Properties: { A: { Ref: 'AWS::NoValue' }, B: output('app-Network', 'KeyArn') },
        },
      },
    };
    const copy = JSON.parse(JSON.stringify(template));
    const result = resolveTemplate(template, { stackName: 'app-Consumer', stacks });
    expect(template).toEqual(copy);
    expect(result.template.Resources!.R.Properties!.A).toEqual({ Ref: 'AWS::NoValue' });
  });
});
