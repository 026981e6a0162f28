import type { IConstruct } from 'constructs';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { functionLogGroups, lambdaVpcWrites } from './helpers/cfn';
import { acknowledgements, expectOnlyCustomerManagedPolicies, synthesize } from './helpers/synth';

// GIVEN each profile, synthesized once (all three nag packs: any finding throws)
const devApp = synthesize({ profile: 'dev' });
const prodApp = synthesize({ profile: 'prod' });
const dev = devApp.cluster;
const prod = prodApp.cluster;

const clusterProps = (t: Template) =>
  Object.values(t.findResources('AWS::MSK::Cluster'))[0].Properties;
/** A reference to an output of the Network stack (aws-cdk-lib's `Fn::GetStackOutput`). */
const fromNetwork = (name: string) => ({
  'Fn::GetStackOutput': Match.objectLike({
    OutputName: Match.stringLikeRegexp(name),
    StackName: Match.stringLikeRegexp('^msk-secure-(dev|prod)-Network$'),
  }),
});
const fromNetworkJest = (name: string) => ({
  'Fn::GetStackOutput': expect.objectContaining({ OutputName: expect.stringMatching(name) }),
});
const keyArn = fromNetwork('PlatformKey');
/** The rotation function's only invoke permission: Secrets Manager acting for this account. */
const rotationInvokePermission = {
  Action: 'lambda:InvokeFunction',
  FunctionName: {
    'Fn::GetAtt': [expect.stringMatching(/ScramUsersRotationFunction/), 'Arn'],
  },
  Principal: 'secretsmanager.amazonaws.com',
  SourceAccount: { Ref: 'AWS::AccountId' },
};

describe.each([
  [
    'dev',
    dev,
    devApp.users,
    { brokers: 2, instance: 'kafka.t3.small', monitoring: 'DEFAULT', prometheus: false, ebs: 20 },
  ],
  [
    'prod',
    prod,
    prodApp.users,
    {
      brokers: 3,
      instance: 'kafka.m7g.large',
      monitoring: 'PER_TOPIC_PER_BROKER',
      prometheus: true,
      ebs: 100,
    },
  ],
])('%s cluster', (profile, template, users, expected) => {
  test('brokers, instance type, storage, subnets and security group', () => {
    const props = clusterProps(template);
    expect(props).toMatchObject({
      ClusterName: `msk-secure-${profile}`,
      KafkaVersion: '3.8.x',
      NumberOfBrokerNodes: expected.brokers,
      BrokerNodeGroupInfo: {
        InstanceType: expected.instance,
        StorageInfo: { EBSStorageInfo: { VolumeSize: expected.ebs } },
        SecurityGroups: [fromNetworkJest('Brokers')],
      },
    });
    expect(props.BrokerNodeGroupInfo.ClientSubnets).toHaveLength(expected.brokers);
  });

  test('exact client authentication: SCRAM and IAM, unauthenticated off, no mTLS', () => {
    expect(clusterProps(template).ClientAuthentication).toEqual({
      Sasl: { Scram: { Enabled: true }, Iam: { Enabled: true } },
      Unauthenticated: { Enabled: false },
    });
  });

  test('TLS only in transit; at rest with the platform key', () => {
    template.hasResourceProperties('AWS::MSK::Cluster', {
      EncryptionInfo: {
        EncryptionAtRest: { DataVolumeKMSKeyId: keyArn },
        EncryptionInTransit: { ClientBroker: 'TLS', InCluster: true },
      },
    });
  });

  test('broker logs to a KMS-encrypted log group with retention', () => {
    template.hasResourceProperties('AWS::MSK::Cluster', {
      LoggingInfo: {
        BrokerLogs: {
          CloudWatchLogs: {
            Enabled: true,
            LogGroup: { Ref: Match.stringLikeRegexp('BrokerLogs') },
          },
        },
      },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: `/msk-secure-${profile}/msk-broker-logs`,
      KmsKeyId: keyArn,
      RetentionInDays: 365,
    });
  });

  test('enhanced monitoring and Prometheus exporters from config', () => {
    expect(clusterProps(template)).toMatchObject({
      EnhancedMonitoring: expected.monitoring,
      OpenMonitoring: {
        Prometheus: {
          JmxExporter: { EnabledInBroker: expected.prometheus },
          NodeExporter: { EnabledInBroker: expected.prometheus },
        },
      },
    });
  });

  test('configuration: safe server properties, no version pin, latest revision', () => {
    const rf = Math.min(3, expected.brokers);
    template.hasResourceProperties('AWS::MSK::Configuration', {
      Name: `msk-secure-${profile}-configuration`,
      ServerProperties: [
        'auto.create.topics.enable=false',
        `default.replication.factor=${rf}`,
        `min.insync.replicas=${Math.max(1, rf - 1)}`,
        'unclean.leader.election.enable=false',
      ].join('\n'),
      KafkaVersionsList: Match.absent(),
    });
    const [configurationId] = Object.keys(template.findResources('AWS::MSK::Configuration'));
    expect(clusterProps(template).ConfigurationInfo).toEqual({
      Arn: { 'Fn::GetAtt': [configurationId, 'Arn'] },
      Revision: { 'Fn::GetAtt': [configurationId, 'LatestRevision.Revision'] },
    });
  });

  test('the default topic', () => {
    template.hasResourceProperties('AWS::MSK::Topic', {
      ClusterArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('MskCluster'), 'Arn'] },
      TopicName: 'orders',
      PartitionCount: 3,
      ReplicationFactor: Math.min(3, expected.brokers),
      Configs: Match.absent(),
    });
  });

  test('on a new cluster, topics and the broker lookup wait for the SCRAM association', () => {
    // The associations live in the users' nested stacks: they wait for the whole nested stacks.
    const nested = Object.keys(template.findResources('AWS::CloudFormation::Stack'));
    // consumer and producer hash to two of the ten user stacks.
    expect(nested).toHaveLength(2);
    users.resourceCountIs('Custom::MskScramSecretAssociation', nested.length);
    for (const type of ['AWS::MSK::Topic', 'Custom::MskBootstrapBrokers']) {
      const resources = Object.values(template.findResources(type));
      expect(resources.length).toBeGreaterThan(0);
      for (const resource of resources)
        expect(resource.DependsOn).toEqual(expect.arrayContaining(nested));
    }
  });

  test('the broker lookup asks about this cluster, through its own provider', () => {
    const [clusterId] = Object.keys(template.findResources('AWS::MSK::Cluster'));
    const lookups = Object.values(template.findResources('Custom::MskBootstrapBrokers'));
    expect(lookups).toHaveLength(1);
    expect(lookups[0].Properties).toEqual({
      ServiceToken: {
        'Fn::GetAtt': [expect.stringMatching(/^BootstrapBrokersProviderframeworkonEvent/), 'Arn'],
      },
      ClusterArn: { 'Fn::GetAtt': [clusterId, 'Arn'] },
    });
  });

  test('one AmazonMSK_ secret per user, KMS-encrypted, password generated by Secrets Manager', () => {
    const names = ['consumer', 'producer'];
    users.resourceCountIs('AWS::SecretsManager::Secret', names.length);
    for (const user of names) {
      users.hasResourceProperties('AWS::SecretsManager::Secret', {
        Name: `AmazonMSK_msk-secure-${profile}_${user}`,
        KmsKeyId: keyArn,
        GenerateSecretString: Match.objectLike({
          SecretStringTemplate: JSON.stringify({ username: user }),
          GenerateStringKey: 'password',
          PasswordLength: 32,
          // Characters that break SCRAM clients' config files and shells (password-policy.ts).
          ExcludeCharacters: '"\'\\/@`$;:,={}[] ',
        }),
        SecretString: Match.absent(),
        Description: `SASL/SCRAM credentials of Kafka user "${user}" on MSK cluster msk-secure-${profile}`,
      });
      users.hasResourceProperties('AWS::SSM::Parameter', {
        Name: `/msk-secure-${profile}/scram-users/${user}`,
        Description: `ARN of the SCRAM secret of Kafka user "${user}" (MSK cluster msk-secure-${profile})`,
      });
    }
    // No password anywhere in the templates, not even inside an escaped JSON string
    // (`{\"password\":…}` in a SecretString or a custom resource property).
    const text = JSON.stringify([template.toJSON(), users.toJSON()]);
    expect(text).not.toMatch(/\\*"password\\*"\s*:/);
    expect(text).not.toMatch(/[^A-Za-z]SecretString\\*"\s*:/);
  });

  test('each association resource gets the cluster and exactly the secrets of its stack', () => {
    const stackOf = (key: string) => key.split('/')[0];
    const secrets = Object.keys(users.findResources('AWS::SecretsManager::Secret'));
    const associations = Object.entries(users.findResources('Custom::MskScramSecretAssociation'));
    expect(associations.length).toBeGreaterThan(0);
    for (const [key, resource] of associations) {
      expect(resource.Properties.ClusterArn).toEqual({ Ref: expect.stringMatching(/MskCluster/) });
      expect(resource.Properties.SecretArns).toEqual(
        secrets.filter((s) => stackOf(s) === stackOf(key)).map((s) => ({ Ref: s.split('/')[1] })),
      );
    }
  });

  test("each user's secret ARN is published once, in /<cluster>/scram-users/<user>", () => {
    const names = ['consumer', 'producer'];
    expect(
      Object.values(users.findResources('AWS::SSM::Parameter'))
        .map((p) => p.Properties.Name)
        .sort(),
    ).toEqual(names.map((u) => `/msk-secure-${profile}/scram-users/${u}`));
  });

  test('removal policy: dev destroys, prod retains (cluster, configuration, topics, secrets, logs)', () => {
    const policy = profile === 'dev' ? 'Delete' : 'Retain';
    for (const type of [
      'AWS::MSK::Cluster',
      'AWS::MSK::Configuration',
      'AWS::MSK::Topic',
      'AWS::SecretsManager::Secret',
      'AWS::Logs::LogGroup',
    ]) {
      const resources = [
        ...Object.values(template.findResources(type)),
        ...Object.values(users.findResources(type)),
      ];
      expect(resources.length).toBeGreaterThan(0);
      for (const resource of resources) {
        expect([type, resource.DeletionPolicy, resource.UpdateReplacePolicy]).toEqual([
          type,
          policy,
          policy,
        ]);
      }
    }
  });

  test('endpoints: outputs and SSM parameters', () => {
    for (const auth of ['scram', 'iam']) {
      template.hasResourceProperties('AWS::SSM::Parameter', {
        Name: `/msk-secure-${profile}/bootstrap-brokers/${auth}`,
        Value: {
          'Fn::GetAtt': [
            Match.stringLikeRegexp('BootstrapBrokers'),
            auth === 'scram' ? 'SaslScram' : 'SaslIam',
          ],
        },
      });
    }
    const outputs = template.findOutputs('*');
    expect(Object.keys(outputs)).toEqual(
      expect.arrayContaining([
        'ClusterArn',
        'BootstrapBrokersScram',
        'BootstrapBrokersIam',
        'ScramSecretNamePrefix',
      ]),
    );
  });

  test('no AWS-managed or inline policies on any role', () => {
    expectOnlyCustomerManagedPolicies(template);
  });

  test('custom resource functions: latest Node runtime, arm64, in the VPC, encrypted logs', () => {
    const handlers = Object.values(
      template.findResources('AWS::Lambda::Function', {
        Properties: { Handler: 'index.handler' },
      }),
    );
    // SCRAM association, bootstrap brokers, Kafka ACLs (and their Provider frameworks).
    expect(handlers).toHaveLength(3);
    for (const fn of handlers) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        // The private subnets, one per AZ, and the clients group.
        VpcConfig: {
          SubnetIds: Array.from({ length: expected.brokers }, () =>
            fromNetworkJest('privateSubnet'),
          ),
          SecurityGroupIds: [fromNetworkJest('Clients')],
        },
        KmsKeyArn: fromNetworkJest('PlatformKey'),
        LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: expect.stringMatching(/LogGroup/) } },
      });
    }
  });
});

describe('SCRAM association handler IAM (dev)', () => {
  const policies = dev.findResources('AWS::IAM::ManagedPolicy', {
    Properties: {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Sid: 'AssociateScramSecrets' })]),
      },
    },
  });
  const statements = Object.values(policies)[0].Properties.PolicyDocument.Statement;

  test('exact statements: MSK association on the cluster, KMS grants on the key, describe on the secrets', () => {
    const sids = Object.fromEntries(
      statements.filter((s: { Sid?: string }) => s.Sid).map((s: { Sid: string }) => [s.Sid, s]),
    );
    expect(sids.AssociateScramSecrets).toEqual({
      Sid: 'AssociateScramSecrets',
      Effect: 'Allow',
      Action: [
        'kafka:BatchAssociateScramSecret',
        'kafka:BatchDisassociateScramSecret',
        'kafka:ListScramSecrets',
      ],
      Resource: expect.objectContaining({
        'Fn::GetAtt': [expect.stringMatching(/MskCluster/), 'Arn'],
      }),
    });
    expect(sids.GrantMskUseOfSecretKey).toEqual({
      Sid: 'GrantMskUseOfSecretKey',
      Effect: 'Allow',
      Action: 'kms:CreateGrant',
      Resource: fromNetworkJest('PlatformKey'),
      Condition: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
    });
    // Not under kms:GrantIsForAWSResource: neither request carries it (the statement would be dead).
    expect(sids.DescribeSecretKeyAndRetireGrant).toEqual({
      Sid: 'DescribeSecretKeyAndRetireGrant',
      Effect: 'Allow',
      Action: ['kms:DescribeKey', 'kms:RetireGrant'],
      Resource: fromNetworkJest('PlatformKey'),
    });
    expect(sids.PreflightSecrets).toEqual({
      Sid: 'PreflightSecrets',
      Effect: 'Allow',
      Action: 'secretsmanager:DescribeSecret',
      // By name prefix: the cluster's secrets, however many (1000 ARNs would not fit the policy).
      Resource: {
        'Fn::Join': [
          '',
          [
            'arn:',
            { Ref: 'AWS::Partition' },
            ':secretsmanager:',
            { Ref: 'AWS::Region' },
            ':',
            { Ref: 'AWS::AccountId' },
            ':secret:AmazonMSK_msk-secure-dev_*',
          ],
        ],
      },
    });
  });

  test('wildcards only where AWS requires them (Lambda VPC networking)', () => {
    const wildcard = statements.filter(
      (s: { Resource: unknown }) => JSON.stringify(s.Resource) === '"*"',
    );
    expect(wildcard).toEqual([
      {
        Sid: 'LambdaVpcDescribe',
        Effect: 'Allow',
        Action: 'ec2:DescribeNetworkInterfaces',
        Resource: '*',
      },
    ]);
    expect(statements).toContainEqual(lambdaVpcWrites);
    for (const s of statements) expect(JSON.stringify(s.Action)).not.toMatch(/:\*"/);
  });

  test('the broker lookup reads brokers on * (GetBootstrapBrokers has no resource type)', () => {
    // The bootstrap-broker lookup's role and the ACL handler's role.
    const statement = Object.values(dev.findResources('AWS::IAM::ManagedPolicy'))
      .flatMap((p) => p.Properties.PolicyDocument.Statement)
      .filter((s: { Sid?: string }) => s.Sid === 'ReadBootstrapBrokers');
    expect(statement).toHaveLength(2);
    expect([statement[0]]).toEqual([
      {
        Sid: 'ReadBootstrapBrokers',
        Effect: 'Allow',
        Action: 'kafka:GetBootstrapBrokers',
        Resource: '*',
      },
    ]);
  });

  test('logs only on its own log group', () => {
    const logs = statements.filter((s: { Action: string | string[] }) =>
      JSON.stringify(s.Action).includes('logs:'),
    );
    expect(logs).toEqual([
      {
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: {
          'Fn::GetAtt': [
            expect.stringMatching(/ScramSecretAssociationProviderHandlerLogGroup/),
            'Arn',
          ],
        },
      },
    ]);
  });
});

describe('prod only', () => {
  test('storage auto scaling: target tracking on KafkaBrokerStorageUtilization, service-linked role', () => {
    prod.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      ServiceNamespace: 'kafka',
      ScalableDimension: 'kafka:broker-storage:VolumeSize',
      ResourceId: { 'Fn::GetAtt': [Match.stringLikeRegexp('MskCluster'), 'Arn'] },
      MinCapacity: 1,
      MaxCapacity: 1000,
      RoleARN: Match.absent(),
    });
    prod.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: {
        TargetValue: 60,
        DisableScaleIn: true,
        PredefinedMetricSpecification: { PredefinedMetricType: 'KafkaBrokerStorageUtilization' },
      },
    });
    dev.resourceCountIs('AWS::ApplicationAutoScaling::ScalableTarget', 0);
  });
});

describe('overrides reach the template', () => {
  const { cluster, users } = synthesize({
    profile: 'dev',
    kafkaVersion: '3.9.x',
    scramUsers: 'alice,bob,carol',
    consumerScramUser: 'alice',
    topics: JSON.stringify([
      {
        name: 'payments',
        partitions: 6,
        replicationFactor: 1,
        configs: { 'retention.ms': '3600000' },
      },
      { name: 'audit.v1', partitions: 1 },
    ]),
    serverProperties: JSON.stringify({ 'log.retention.hours': '24', 'min.insync.replicas': '2' }),
  });

  test('users, topics with base64-encoded JSON configs, server properties', () => {
    users.resourceCountIs('AWS::SecretsManager::Secret', 3);
    cluster.hasResourceProperties('AWS::MSK::Cluster', { KafkaVersion: '3.9.x' });
    cluster.hasResourceProperties('AWS::MSK::Topic', {
      TopicName: 'payments',
      PartitionCount: 6,
      ReplicationFactor: 1,
      Configs: Buffer.from('{"retention.ms":"3600000"}').toString('base64'),
    });
    cluster.hasResourceProperties('AWS::MSK::Topic', {
      TopicName: 'audit.v1',
      PartitionCount: 1,
      ReplicationFactor: 2,
    });
    cluster.hasResourceProperties('AWS::MSK::Configuration', {
      ServerProperties: Match.stringLikeRegexp('log.retention.hours=24\nmin.insync.replicas=2\n'),
    });
  });
});

describe('SCRAM password rotation (scramRotationDays)', () => {
  const rotatingApp = synthesize({ profile: 'prod', scramRotationDays: 30 });
  const rotating = rotatingApp.cluster;
  const rotatingUsers = rotatingApp.users;

  test('snapshot of the rotation-on scenario: Cluster stack and users (asset hashes masked)', () => {
    expect({ cluster: rotating.toJSON(), users: rotatingUsers.toJSON() }).toMatchSnapshot();
  });

  test('off by default: no schedule (the nag findings are acknowledged with the reason)', () => {
    prodApp.users.resourceCountIs('AWS::SecretsManager::RotationSchedule', 0);
    rotatingUsers.resourceCountIs('AWS::SecretsManager::RotationSchedule', 2);
  });

  test('on: every user secret rotates on the schedule with the rotation function', () => {
    const schedules = Object.values(
      rotatingUsers.findResources('AWS::SecretsManager::RotationSchedule'),
    );
    expect(schedules).toHaveLength(2);
    for (const schedule of schedules) {
      expect(schedule.Properties).toMatchObject({
        RotationRules: { ScheduleExpression: 'rate(30 days)' },
        // The rotation function of the Cluster stack, passed into the users' nested stack.
        RotationLambdaARN: { Ref: expect.stringMatching(/ScramUsersRotationFunction/) },
        RotateImmediatelyOnUpdate: false,
      });
    }
    // Only Secrets Manager acting for this account may invoke it (confused deputy).
    expect(
      Object.values(rotating.findResources('AWS::Lambda::Permission')).map((p) => p.Properties),
    ).toEqual([rotationInvokePermission]);
  });

  test('the rotation function says what it is and logs to its own group under the prefix', () => {
    expect(functionLogGroups(rotating)).toContainEqual([
      'Rotates MSK SCRAM passwords (msk-secure-stack)',
      '/msk-secure-prod/lambda/scram-secret-rotation',
    ]);
  });

  test('Secrets Manager of this account is the only one that may invoke it (one permission)', () => {
    rotatingUsers.resourceCountIs('AWS::Lambda::Permission', 0);
    const permissions = Object.values(rotating.findResources('AWS::Lambda::Permission'));
    expect(permissions.filter((p) => /RotationFunction/.test(JSON.stringify(p)))).toEqual([
      { Type: 'AWS::Lambda::Permission', Properties: rotationInvokePermission },
    ]);
  });

  test('with rotation on, no secret acknowledges the rotation findings (off: each one does)', () => {
    const rotationAcknowledgements = (stage: IConstruct) =>
      acknowledgements(stage)
        .map(([rule]) => rule)
        .filter((rule) => rule.includes('AwsSolutions-SMG4'));
    expect(rotationAcknowledgements(rotatingApp.stage)).toEqual([]);
    expect(rotationAcknowledgements(prodApp.stage)).toHaveLength(2);
  });

  test('its role: exact secret actions on the secrets, key use via Secrets Manager only', () => {
    const [policy] = Object.values(
      rotating.findResources('AWS::IAM::ManagedPolicy', {
        Properties: { Description: Match.stringLikeRegexp('ScramUsers/Rotation/Role') },
      }),
    );
    const statements = policy.Properties.PolicyDocument.Statement;
    expect(statements).toContainEqual({
      Sid: 'RotateScramSecrets',
      Effect: 'Allow',
      Action: [
        'secretsmanager:DescribeSecret',
        'secretsmanager:GetSecretValue',
        'secretsmanager:PutSecretValue',
        'secretsmanager:UpdateSecretVersionStage',
      ],
      Resource: {
        'Fn::Join': [
          '',
          [
            'arn:',
            { Ref: 'AWS::Partition' },
            ':secretsmanager:',
            { Ref: 'AWS::Region' },
            ':',
            { Ref: 'AWS::AccountId' },
            ':secret:AmazonMSK_msk-secure-prod_*',
          ],
        ],
      },
    });
    expect(statements).toContainEqual({
      Sid: 'GeneratePasswords',
      Effect: 'Allow',
      Action: 'secretsmanager:GetRandomPassword',
      Resource: '*',
    });
    expect(statements).toContainEqual({
      Sid: 'RotateScramSecretsKey',
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'],
      // The platform key's output itself, not any cross-stack value.
      Resource: {
        'Fn::GetStackOutput': {
          StackName: 'msk-secure-prod-Network',
          OutputName: expect.stringMatching(/^PublishOutputFnGetAttPlatformKey1C4A1A63Arn/),
          Region: { Ref: 'AWS::Region' },
        },
      },
      Condition: { StringLike: { 'kms:ViaService': 'secretsmanager.*.amazonaws.com' } },
    });
    expectOnlyCustomerManagedPolicies(rotating);
  });
});

describe('Kafka ACLs (KafkaAcls)', () => {
  const acl = (
    resourceType: string,
    resourceName: string,
    patternType: string,
    user: string,
    operation: string,
  ) => ({
    resourceType,
    resourceName,
    patternType,
    principal: `User:${user}`,
    host: '*',
    operation,
    permission: 'ALLOW',
  });

  test('dev: one resource with the producer ACLs and exactly what the SCRAM consumer mapping needs', () => {
    const resources = Object.values(dev.findResources('Custom::MskKafkaAcls'));
    expect(resources).toHaveLength(1);
    expect(resources[0].Properties.Bindings).toEqual([
      acl('GROUP', 'msk-secure-dev-consumer', 'LITERAL', 'consumer', 'DESCRIBE'),
      acl('GROUP', 'msk-secure-dev-consumer', 'LITERAL', 'consumer', 'READ'),
      acl('TOPIC', 'orders', 'LITERAL', 'consumer', 'DESCRIBE'),
      acl('TOPIC', 'orders', 'LITERAL', 'consumer', 'READ'),
      acl('TOPIC', 'orders', 'LITERAL', 'producer', 'DESCRIBE'),
      acl('TOPIC', 'orders', 'LITERAL', 'producer', 'WRITE'),
    ]);
    expect(resources[0].Properties.BootstrapBrokers).toEqual({
      'Fn::GetAtt': [expect.stringMatching(/^BootstrapBrokers/), 'SaslIam'],
    });
  });

  test('it runs after the users are associated and the topics exist (the consumers deploy after this stack)', () => {
    const [resource] = Object.values(dev.findResources('Custom::MskKafkaAcls'));
    const nested = Object.keys(dev.findResources('AWS::CloudFormation::Stack'));
    const topics = Object.keys(dev.findResources('AWS::MSK::Topic'));
    expect(resource.DependsOn).toEqual(expect.arrayContaining([...nested, ...topics]));
    expect(devApp.stage.consumer.dependencies).toContain(devApp.stage.cluster);
  });

  test('its role administers ACLs on this cluster only', () => {
    const statements = Object.values(dev.findResources('AWS::IAM::ManagedPolicy'))
      .flatMap((p) => p.Properties.PolicyDocument.Statement)
      .filter((s: { Sid?: string }) => s.Sid === 'AdministerKafkaAcls');
    expect(statements).toEqual([
      {
        Sid: 'AdministerKafkaAcls',
        Effect: 'Allow',
        Action: [
          'kafka-cluster:AlterCluster',
          'kafka-cluster:Connect',
          'kafka-cluster:DescribeCluster',
        ],
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^MskCluster/), 'Arn'] },
      },
    ]);
  });

  test('two users with permissions: exactly the bindings asked for, plus the consumer’s', () => {
    const { cluster } = synthesize({
      scramUsers: JSON.stringify([
        'consumer',
        {
          name: 'billing',
          produce: ['orders'],
          consume: [{ topic: 'orders', group: 'billing-*' }],
        },
        { name: 'audit', consume: [{ topic: 'orders', group: 'audit' }] },
      ]),
    });
    const [resource] = Object.values(cluster.findResources('Custom::MskKafkaAcls'));
    const byKey = (list: object[]) => list.map((b) => JSON.stringify(b)).sort();
    expect(byKey(resource.Properties.Bindings)).toEqual(
      byKey([
        acl('GROUP', 'audit', 'LITERAL', 'audit', 'DESCRIBE'),
        acl('GROUP', 'audit', 'LITERAL', 'audit', 'READ'),
        acl('GROUP', 'billing-', 'PREFIXED', 'billing', 'DESCRIBE'),
        acl('GROUP', 'billing-', 'PREFIXED', 'billing', 'READ'),
        acl('GROUP', 'msk-secure-dev-consumer', 'LITERAL', 'consumer', 'DESCRIBE'),
        acl('GROUP', 'msk-secure-dev-consumer', 'LITERAL', 'consumer', 'READ'),
        acl('TOPIC', 'orders', 'LITERAL', 'audit', 'DESCRIBE'),
        acl('TOPIC', 'orders', 'LITERAL', 'audit', 'READ'),
        acl('TOPIC', 'orders', 'LITERAL', 'billing', 'DESCRIBE'),
        acl('TOPIC', 'orders', 'LITERAL', 'billing', 'READ'),
        acl('TOPIC', 'orders', 'LITERAL', 'billing', 'WRITE'),
        acl('TOPIC', 'orders', 'LITERAL', 'consumer', 'DESCRIBE'),
        acl('TOPIC', 'orders', 'LITERAL', 'consumer', 'READ'),
      ]),
    );
  });
});
