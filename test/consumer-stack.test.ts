import { Match, Template } from 'aws-cdk-lib/assertions';
import { kafkaResourceArn, lambdaVpcWrites } from './helpers/cfn';
import { expectOnlyCustomerManagedPolicies, synthesize } from './helpers/synth';

// GIVEN the consumer per auth mode and profile, synthesized once each (all nag packs)
const devScram = synthesize({ profile: 'dev' }).consumer;
const devIam = synthesize({ profile: 'dev', consumerAuth: 'iam' }).consumer;
const prod = synthesize({ profile: 'prod' }).consumer;

const fromStack = (stack: string, output: string) =>
  expect.objectContaining({
    'Fn::GetStackOutput': expect.objectContaining({
      StackName: expect.stringMatching(`-${stack}$`),
      OutputName: expect.stringMatching(output),
    }),
  });
const clusterArn = fromStack('Cluster', 'MskCluster');
const keyArn = fromStack('Network', 'PlatformKey');

function statements(template: Template): Record<string, unknown>[] {
  const [policy] = Object.values(template.findResources('AWS::IAM::ManagedPolicy'));
  return policy.Properties.PolicyDocument.Statement;
}
const bySid = (template: Template, sid: string) => statements(template).find((s) => s.Sid === sid);
const clusterUuid = {
  'Fn::GetStackOutput': {
    StackName: 'msk-secure-dev-Cluster',
    OutputName: 'PublishOutputFnGetAttMskClusterUuid8E350644Value45F97529',
    Region: { Ref: 'AWS::Region' },
  },
};
const kafkaArn = (type: string, clusterName: string, name: string) =>
  kafkaResourceArn(clusterUuid, type, clusterName, name);

describe('function', () => {
  test('latest Node runtime, arm64, private subnets, clients group, encrypted logs, timeout ≤ 14 min', () => {
    devScram.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      Timeout: 60,
      MemorySize: 512,
      VpcConfig: {
        SecurityGroupIds: [
          Match.objectLike({
            'Fn::GetStackOutput': Match.objectLike({
              OutputName: Match.stringLikeRegexp('Clients'),
            }),
          }),
        ],
      },
      Environment: {
        Variables: Match.objectLike({
          POWERTOOLS_LOG_LEVEL: 'INFO',
          REPORT_BATCH_ITEM_FAILURES: 'false',
        }),
      },
    });
    devScram.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: '/msk-secure-dev/lambda/consumer',
      RetentionInDays: 365,
    });
    // The platform key's own output, not just any cross-stack value.
    const [logGroup] = Object.values(devScram.findResources('AWS::Logs::LogGroup'));
    expect(logGroup.Properties.KmsKeyId).toEqual({
      'Fn::GetStackOutput': {
        StackName: 'msk-secure-dev-Network',
        OutputName: expect.stringMatching(/^PublishOutputFnGetAttPlatformKey1C4A1A63Arn/),
        Region: { Ref: 'AWS::Region' },
      },
    });
  });

  test('reserved concurrency: none in dev (0), 10 in prod', () => {
    const [devFn] = Object.values(devScram.findResources('AWS::Lambda::Function'));
    expect(devFn.Properties.ReservedConcurrentExecutions).toBeUndefined();
    prod.hasResourceProperties('AWS::Lambda::Function', {
      ReservedConcurrentExecutions: 10,
      Environment: { Variables: Match.objectLike({ REPORT_BATCH_ITEM_FAILURES: 'true' }) },
    });
  });
});

describe('event source mapping', () => {
  test('SCRAM: the consumer secret, topic, group, starting position, batching, on-demand in dev', () => {
    const [esm] = Object.values(devScram.findResources('AWS::Lambda::EventSourceMapping'));
    expect(esm.Properties).toEqual({
      EventSourceArn: clusterArn,
      FunctionName: { Ref: expect.stringMatching(/ConsumerHandlerFunction/) },
      Topics: ['orders'],
      AmazonManagedKafkaEventSourceConfig: { ConsumerGroupId: 'msk-secure-dev-consumer' },
      StartingPosition: 'LATEST',
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 1,
      // The mapping's own metrics (OnFailureDestinationDeliveredEventCount, MaxOffsetLag, …).
      MetricsConfig: { Metrics: ['EventCount', 'ErrorCount', 'KafkaMetrics'] },
      SourceAccessConfigurations: [
        {
          Type: 'SASL_SCRAM_512_AUTH',
          URI: fromStack('Cluster', 'ScramUsersUsers[0-9]NestedStack.*consumer'),
        },
      ],
      DestinationConfig: {
        OnFailure: {
          Destination: { 'Fn::GetAtt': [expect.stringMatching(/FailureQueue/), 'Arn'] },
        },
      },
    });
  });

  test('IAM: no secret, the role authenticates', () => {
    devIam.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      SourceAccessConfigurations: Match.absent(),
      Topics: ['orders'],
    });
  });

  test('prod: provisioned pollers and the error-handling controls', () => {
    prod.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      ProvisionedPollerConfig: { MinimumPollers: 1, MaximumPollers: 3 },
      MaximumRetryAttempts: 3,
      MaximumRecordAgeInSeconds: 3600,
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });
});

describe('failure destination', () => {
  test('SQS queue: platform key, 14 days, declared a dead-letter queue, SSL enforced', () => {
    expect(
      Object.values(devScram.findResources('AWS::SQS::Queue')).map((q) => q.Properties),
    ).toEqual([
      {
        KmsMasterKeyId: keyArn,
        MessageRetentionPeriod: 1_209_600,
        // Control Tower CT.SQS.PR.1: a queue needs a DLQ unless it is one; allowAll is SQS's default.
        RedriveAllowPolicy: { redrivePermission: 'allowAll' },
      },
    ]);
    devScram.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: [
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sqs:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            Principal: { AWS: '*' },
          }),
        ],
      },
    });
  });

  test('SQS interface endpoint in the cluster VPC, reachable on 443 from the pollers (cluster group)', () => {
    devScram.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      VpcEndpointType: 'Interface',
      PrivateDnsEnabled: true,
      ServiceName: { 'Fn::Join': ['', ['com.amazonaws.', { Ref: 'AWS::Region' }, '.sqs']] },
    });
    devScram.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      IpProtocol: 'tcp',
      FromPort: 443,
      ToPort: 443,
      SourceSecurityGroupId: Match.objectLike({
        'Fn::GetStackOutput': Match.objectLike({ OutputName: Match.stringLikeRegexp('Brokers') }),
      }),
    });
  });
});

test("the endpoint's security group: HTTPS in from the pollers and the clients, nothing out", () => {
  const groups = Object.entries(devScram.findResources('AWS::EC2::SecurityGroup'));
  expect(groups).toHaveLength(1);
  const [[groupId, group]] = groups;
  expect(group.Properties).toEqual({
    GroupDescription:
      'SQS interface endpoint: HTTPS from Lambda MSK pollers (cluster group) and clients',
    // aws-cdk-lib's placeholder for "no egress" (allowAllOutbound: false).
    SecurityGroupEgress: [
      {
        CidrIp: '255.255.255.255/32',
        Description: 'Disallow all traffic',
        FromPort: 252,
        IpProtocol: 'icmp',
        ToPort: 86,
      },
    ],
    VpcId: fromStack('Network', 'Vpc'),
  });
  const ingress = Object.values(devScram.findResources('AWS::EC2::SecurityGroupIngress')).map(
    (rule) => rule.Properties,
  );
  const https = (description: string, group: string) => ({
    IpProtocol: 'tcp',
    FromPort: 443,
    ToPort: 443,
    Description: description,
    GroupId: { 'Fn::GetAtt': [groupId, 'GroupId'] },
    SourceSecurityGroupId: fromStack('Network', group),
  });
  expect(ingress).toEqual([
    https('HTTPS from Lambda MSK pollers', 'Brokers'),
    https('HTTPS from Kafka clients', 'Clients'),
  ]);
});

describe('IAM: exact statements, no managed or inline policies', () => {
  test.each([
    ['dev scram', devScram],
    ['dev iam', devIam],
    ['prod', prod],
  ])('%s: one customer-managed policy, nothing else', (_name, template) => {
    expectOnlyCustomerManagedPolicies(template);
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 1);
  });

  test('common: mapping on the cluster, failure queue, * only for actions that accept nothing else', () => {
    expect(bySid(devScram, 'EventSourceMappingCluster')).toEqual({
      Sid: 'EventSourceMappingCluster',
      Effect: 'Allow',
      Action: 'kafka:DescribeClusterV2',
      Resource: clusterArn,
    });
    expect(bySid(devScram, 'FailureDestination')).toEqual({
      Sid: 'FailureDestination',
      Effect: 'Allow',
      Action: 'sqs:SendMessage',
      Resource: { 'Fn::GetAtt': [expect.stringMatching(/FailureQueue/), 'Arn'] },
    });
    expect(bySid(devScram, 'FailureDestinationKey')).toEqual({
      Sid: 'FailureDestinationKey',
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Resource: keyArn,
      Condition: {
        StringEquals: {
          'kms:ViaService': {
            'Fn::Join': ['', ['sqs.', { Ref: 'AWS::Region' }, '.amazonaws.com']],
          },
        },
      },
    });
    const wildcard = statements(devScram).filter((s) => s.Resource === '*');
    // The Service Authorization Reference lists no resource type for any of these.
    expect(wildcard).toEqual([
      {
        Sid: 'LambdaVpcDescribe',
        Effect: 'Allow',
        Action: [
          'ec2:DescribeNetworkInterfaces',
          'ec2:DescribeSecurityGroups',
          'ec2:DescribeSubnets',
          'ec2:DescribeVpcs',
        ],
        Resource: '*',
      },
      {
        Sid: 'EventSourceMappingBrokers',
        Effect: 'Allow',
        Action: 'kafka:GetBootstrapBrokers',
        Resource: '*',
      },
    ]);
    expect(bySid(devScram, 'LambdaVpcNetworkInterfaces')).toEqual(lambdaVpcWrites);
  });

  test('SCRAM: list secrets on the cluster, read only the consumer secret, decrypt via Secrets Manager; no kafka-cluster actions', () => {
    expect(bySid(devScram, 'ScramSecretList')).toEqual({
      Sid: 'ScramSecretList',
      Effect: 'Allow',
      Action: 'kafka:ListScramSecrets',
      Resource: clusterArn,
    });
    expect(bySid(devScram, 'ScramSecretRead')).toEqual({
      Sid: 'ScramSecretRead',
      Effect: 'Allow',
      Action: 'secretsmanager:GetSecretValue',
      Resource: fromStack('Cluster', 'ScramUsersUsers[0-9]NestedStack.*consumer'),
    });
    expect(bySid(devScram, 'ScramSecretDecrypt')).toEqual({
      Sid: 'ScramSecretDecrypt',
      Effect: 'Allow',
      Action: 'kms:Decrypt',
      Resource: keyArn,
      Condition: { StringLike: { 'kms:ViaService': 'secretsmanager.*.amazonaws.com' } },
    });
    expect(JSON.stringify(statements(devScram))).not.toContain('kafka-cluster:');
  });

  test('IAM: kafka-cluster actions on the exact cluster, topic and group ARNs; no secret access', () => {
    const all = statements(devIam).filter((s) =>
      JSON.stringify(s.Action).includes('kafka-cluster:'),
    );
    // Exactly these kafka-cluster statements, nothing more.
    expect(all).toEqual(
      expect.arrayContaining([
        { Effect: 'Allow', Action: 'kafka-cluster:Connect', Resource: clusterArn },
        {
          Effect: 'Allow',
          Action: ['kafka-cluster:DescribeTopic', 'kafka-cluster:ReadData'],
          Resource: kafkaArn('topic', 'msk-secure-dev', 'orders'),
        },
        {
          Effect: 'Allow',
          Action: ['kafka-cluster:AlterGroup', 'kafka-cluster:DescribeGroup'],
          Resource: kafkaArn('group', 'msk-secure-dev', 'msk-secure-dev-consumer'),
        },
        {
          Sid: 'EventSourceMappingIamAuth',
          Effect: 'Allow',
          Action: 'kafka-cluster:DescribeClusterDynamicConfiguration',
          Resource: clusterArn,
        },
      ]),
    );
    expect(all).toHaveLength(4);
    const everything = JSON.stringify(statements(devIam));
    expect(everything).not.toMatch(/secretsmanager|ListScramSecrets|kafka-cluster:\*/);
  });
});

describe('two consumers (consumers setting), nag-clean under all three packs', () => {
  // The example: a second consumer on the same topic with its own group, over IAM.
  const two = synthesize({
    consumers: JSON.stringify([
      { name: 'orders', topic: 'orders' },
      { name: 'audit', topic: 'orders', group: 'audit', auth: 'iam' },
    ]),
  }).consumer;

  test('two functions, two mappings, two log groups, two failure queues, one SQS endpoint', () => {
    two.resourceCountIs('AWS::Lambda::Function', 2);
    two.resourceCountIs('AWS::Lambda::EventSourceMapping', 2);
    two.resourceCountIs('AWS::SQS::Queue', 2);
    two.resourceCountIs('AWS::EC2::VPCEndpoint', 1);
    expect(
      Object.values(two.findResources('AWS::Logs::LogGroup')).map((g) => g.Properties.LogGroupName),
    ).toEqual(['/msk-secure-dev/lambda/orders', '/msk-secure-dev/lambda/audit']);
  });

  test('each mapping: its topic, group and authentication', () => {
    const mappings = Object.values(two.findResources('AWS::Lambda::EventSourceMapping')).map(
      (m) => ({
        topics: m.Properties.Topics,
        group: m.Properties.AmazonManagedKafkaEventSourceConfig.ConsumerGroupId,
        scram: m.Properties.SourceAccessConfigurations?.[0]?.Type,
      }),
    );
    expect(mappings).toEqual([
      { topics: ['orders'], group: 'msk-secure-dev-orders', scram: 'SASL_SCRAM_512_AUTH' },
      { topics: ['orders'], group: 'audit', scram: undefined },
    ]);
  });

  test('each function: its own service name for logs and metrics', () => {
    const services = Object.values(two.findResources('AWS::Lambda::Function')).map(
      (f) => f.Properties.Environment.Variables.POWERTOOLS_SERVICE_NAME,
    );
    expect(services).toEqual(['orders', 'audit']);
  });

  test('the shared endpoint admits HTTPS from the pollers (cluster group) and the functions, once each', () => {
    const ingress = Object.values(two.findResources('AWS::EC2::SecurityGroupIngress')).filter(
      (r) => r.Properties.FromPort === 443,
    );
    expect(ingress.map((r) => r.Properties.Description).sort()).toEqual([
      'HTTPS from Kafka clients',
      'HTTPS from Lambda MSK pollers',
    ]);
  });

  test('outputs per consumer', () => {
    expect(
      Object.keys(two.toJSON().Outputs)
        .filter((k) => !k.startsWith('Publish'))
        .sort(),
    ).toEqual([
      'AuditFailureQueueUrl',
      'AuditFunctionName',
      'AuditLogGroup',
      'OrdersFailureQueueUrl',
      'OrdersFunctionName',
      'OrdersLogGroup',
    ]);
  });
});

test('snapshot of the IAM-consumer scenario (asset hashes masked)', () => {
  expect(devIam.toJSON()).toMatchSnapshot();
});
