import { Match, Template } from 'aws-cdk-lib/assertions';
import { functionLogGroups, regionalArn } from './helpers/cfn';
import { synthesize } from './helpers/synth';

// GIVEN each profile, synthesized once per file (with all three nag packs: a finding throws).
const dev = synthesize({ profile: 'dev' }).network;
const prod = synthesize({ profile: 'prod' }).network;
// dev with a NAT gateway instead of its default NAT instance.
const devGateway = synthesize({ profile: 'dev', natProvider: 'gateway' }).network;

function subnets(template: Template, isPublic: boolean) {
  return Object.values(
    template.findResources('AWS::EC2::Subnet', {
      Properties: {
        Tags: Match.arrayWith([
          { Key: 'aws-cdk:subnet-type', Value: isPublic ? 'Public' : 'Private' },
        ]),
      },
    }),
  );
}

describe.each([
  ['dev', dev, 2, 0],
  ['dev-gateway', devGateway, 2, 1],
  ['prod', prod, 3, 3],
])('%s network', (_profile, template, azs, nats) => {
  test(`VPC 10.10.0.0/16 with ${azs} public and ${azs} private subnets`, () => {
    template.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: '10.10.0.0/16' });
    expect(subnets(template, true)).toHaveLength(azs);
    expect(subnets(template, false)).toHaveLength(azs);
    template.resourceCountIs('AWS::EC2::Subnet', azs * 2);
    const zones = subnets(template, false).map((s) =>
      JSON.stringify(s.Properties.AvailabilityZone),
    );
    expect(new Set(zones).size).toBe(azs);
  });

  test(`${nats} NAT gateway(s); a NAT instance only without gateways`, () => {
    template.resourceCountIs('AWS::EC2::NatGateway', nats);
    template.resourceCountIs('AWS::EC2::EIP', nats);
    template.resourceCountIs('AWS::EC2::Instance', nats === 0 ? 1 : 0);
  });

  test('subnets are named public and private: their logical IDs, which a rename would change (replacing every subnet)', () => {
    const named = (isPublic: boolean) =>
      Object.entries(
        template.findResources('AWS::EC2::Subnet', {
          Properties: {
            Tags: Match.arrayWith([
              { Key: 'aws-cdk:subnet-type', Value: isPublic ? 'Public' : 'Private' },
            ]),
          },
        }),
      ).map(([id, subnet]) => ({
        id: id.replace(/Subnet[0-9A-F]{8}$/, ''),
        name: subnet.Properties.Tags.find((t: { Key: string }) => t.Key === 'aws-cdk:subnet-name')
          .Value,
      }));
    const each = (name: string) =>
      Array.from({ length: azs }, (_, i) => ({ id: `NetworkVpc${name}Subnet${i + 1}`, name }));
    expect(named(true)).toEqual(each('public'));
    expect(named(false)).toEqual(each('private'));
  });

  test('no subnet auto-assigns public IPs', () => {
    for (const subnet of Object.values(template.findResources('AWS::EC2::Subnet'))) {
      expect(subnet.Properties.MapPublicIpOnLaunch).toBe(false);
    }
  });

  test('flow logs of all traffic go to a KMS-encrypted log group with retention', () => {
    template.hasResourceProperties('AWS::EC2::FlowLog', {
      ResourceType: 'VPC',
      TrafficType: 'ALL',
      LogDestinationType: 'cloud-watch-logs',
      LogGroupName: { Ref: Match.stringLikeRegexp('FlowLogGroup') },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: Match.stringLikeRegexp('^/msk-secure-(dev|prod)/vpc-flow-logs$'),
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('PlatformKey'), 'Arn'] },
      RetentionInDays: 365,
    });
  });

  test('the flow-log role has a customer-managed policy, no inline or AWS-managed ones', () => {
    // Confused-deputy protection: only flow logs of this account may assume it.
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: 'sts:AssumeRole',
            Principal: { Service: 'vpc-flow-logs.amazonaws.com' },
            Condition: {
              StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
              ArnLike: {
                'aws:SourceArn': regionalArn('ec2', ':vpc-flow-log/*'),
              },
            },
          },
        ],
      },
      Description: 'Lets VPC Flow Logs deliver to the flow-log group',
      ManagedPolicyArns: Match.absent(),
      Policies: Match.absent(),
    });
    template.resourceCountIs('AWS::IAM::Policy', 0);
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: [
          {
            Effect: 'Allow',
            Action: ['logs:CreateLogStream', 'logs:DescribeLogStreams', 'logs:PutLogEvents'],
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('FlowLogGroup'), 'Arn'] },
          },
        ],
      },
    });
  });
});

describe('security groups (dev)', () => {
  // The NAT instance's group is checked under 'NAT instance (dev)'.
  const groups = Object.fromEntries(
    Object.entries(dev.findResources('AWS::EC2::SecurityGroup')).filter(
      ([id]) => !id.includes('NatSecurityGroup'),
    ),
  );
  const idOf = (description: RegExp) =>
    Object.entries(groups).find(([, g]) => description.test(g.Properties.GroupDescription))![0];
  const brokers = idOf(/^MSK brokers/);
  const clients = idOf(/^Kafka clients/);

  test('both groups have descriptions and no open ingress', () => {
    for (const group of Object.values(groups)) {
      expect(group.Properties.GroupDescription).toMatch(
        /^(MSK brokers and Lambda MSK pollers: Kafka SCRAM 9096 \/ IAM 9098 from clients and self|Kafka clients of the MSK cluster: reach brokers on 9096\/9098 and AWS APIs on 443)$/,
      );
      expect(group.Properties.SecurityGroupIngress ?? []).toEqual([]);
    }
  });

  test('brokers accept exactly 9096 and 9098, from clients and from themselves', () => {
    const ingress = Object.values(dev.findResources('AWS::EC2::SecurityGroupIngress'))
      .filter((r) => r.Properties.GroupId['Fn::GetAtt'][0] === brokers)
      .map((r) => ({
        port: [r.Properties.FromPort, r.Properties.ToPort],
        from: r.Properties.SourceSecurityGroupId['Fn::GetAtt'][0],
        protocol: r.Properties.IpProtocol,
        description: r.Properties.Description,
      }));
    expect(ingress).toHaveLength(4);
    const pollers = 'within the group (Lambda MSK pollers)';
    expect(ingress).toEqual(
      expect.arrayContaining([
        {
          port: [9096, 9096],
          from: clients,
          protocol: 'tcp',
          description: 'Kafka SCRAM from clients',
        },
        {
          port: [9098, 9098],
          from: clients,
          protocol: 'tcp',
          description: 'Kafka IAM from clients',
        },
        {
          port: [9096, 9096],
          from: brokers,
          protocol: 'tcp',
          description: `Kafka SCRAM ${pollers}`,
        },
        { port: [9098, 9098], from: brokers, protocol: 'tcp', description: `Kafka IAM ${pollers}` },
      ]),
    );
    expect(Object.values(dev.findResources('AWS::EC2::SecurityGroupIngress'))).toHaveLength(4);
  });

  test('outbound is restricted: Kafka ports between the groups and HTTPS for AWS APIs', () => {
    const egress = Object.values(dev.findResources('AWS::EC2::SecurityGroupEgress')).map((r) => ({
      group: r.Properties.GroupId['Fn::GetAtt'][0],
      port: r.Properties.FromPort,
      to: r.Properties.DestinationSecurityGroupId['Fn::GetAtt'][0],
      description: r.Properties.Description,
    }));
    expect(egress).toHaveLength(4);
    const pollers = 'within the group (Lambda MSK pollers)';
    expect(egress).toEqual(
      expect.arrayContaining([
        { group: clients, port: 9096, to: brokers, description: 'Kafka SCRAM to brokers' },
        { group: clients, port: 9098, to: brokers, description: 'Kafka IAM to brokers' },
        { group: brokers, port: 9096, to: brokers, description: `Kafka SCRAM ${pollers}` },
        { group: brokers, port: 9098, to: brokers, description: `Kafka IAM ${pollers}` },
      ]),
    );
    for (const id of [brokers, clients]) {
      expect(groups[id].Properties.SecurityGroupEgress).toEqual([
        {
          CidrIp: '0.0.0.0/0',
          Description: 'HTTPS to AWS service APIs (via NAT)',
          FromPort: 443,
          IpProtocol: 'tcp',
          ToPort: 443,
        },
      ]);
    }
  });
});

describe('platform KMS key', () => {
  test('rotation on; dev destroys it after the minimum window, prod retains it', () => {
    dev.hasResource('AWS::KMS::Key', {
      Properties: Match.objectLike({ EnableKeyRotation: true, PendingWindowInDays: 7 }),
      DeletionPolicy: 'Delete',
    });
    prod.hasResource('AWS::KMS::Key', {
      Properties: Match.objectLike({
        EnableKeyRotation: true,
        // Not shortened: if the retained key is ever scheduled for deletion, KMS's default
        // (and longest) 30-day window applies.
        PendingWindowInDays: Match.absent(),
      }),
      DeletionPolicy: 'Retain',
    });
    dev.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/msk-secure-dev' });
  });

  test('its description says whose key it is and what it encrypts', () => {
    dev.hasResourceProperties('AWS::KMS::Key', {
      Description:
        'msk-secure-stack platform key for msk-secure-dev (logs, secrets, MSK at rest, queues)',
    });
  });

  test('exact key policy: kms:* only for the root; each service only through itself; grants only for AWS resources', () => {
    const [key] = Object.values(dev.findResources('AWS::KMS::Key'));
    const root = {
      AWS: {
        'Fn::Join': [
          '',
          ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':root'],
        ],
      },
    };
    const viaService = (service: string) => ({
      'kms:ViaService': {
        'Fn::Join': ['', [`${service}.`, { Ref: 'AWS::Region' }, '.amazonaws.com']],
      },
      'kms:CallerAccount': { Ref: 'AWS::AccountId' },
    });
    expect(key.Properties.KeyPolicy).toEqual({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: root, Action: 'kms:*', Resource: '*' },
        {
          Sid: 'AllowMskViaService',
          Effect: 'Allow',
          Principal: root,
          Action: [
            'kms:Decrypt',
            'kms:DescribeKey',
            'kms:Encrypt',
            'kms:GenerateDataKey',
            'kms:GenerateDataKeyWithoutPlaintext',
            'kms:ReEncryptFrom',
            'kms:ReEncryptTo',
          ],
          Resource: '*',
          Condition: { StringEquals: viaService('kafka') },
        },
        {
          Sid: 'AllowMskGrantsForAwsResources',
          Effect: 'Allow',
          Principal: root,
          Action: 'kms:CreateGrant',
          Resource: '*',
          Condition: {
            StringEquals: viaService('kafka'),
            Bool: { 'kms:GrantIsForAWSResource': 'true' },
          },
        },
        {
          Sid: 'AllowSecretsManagerViaService',
          Effect: 'Allow',
          Principal: root,
          Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
          Resource: '*',
          Condition: { StringEquals: viaService('secretsmanager') },
        },
        {
          // Only with the NAT instance (dev's default): its root volume uses the key.
          Sid: 'AllowEbsViaService',
          Effect: 'Allow',
          Principal: root,
          Action: [
            'kms:Decrypt',
            'kms:DescribeKey',
            'kms:Encrypt',
            'kms:GenerateDataKey',
            'kms:GenerateDataKeyWithoutPlaintext',
            'kms:ReEncryptFrom',
            'kms:ReEncryptTo',
          ],
          Resource: '*',
          Condition: { StringEquals: viaService('ec2') },
        },
        {
          Sid: 'AllowEbsGrantsForAwsResources',
          Effect: 'Allow',
          Principal: root,
          Action: 'kms:CreateGrant',
          Resource: '*',
          Condition: {
            StringEquals: viaService('ec2'),
            Bool: { 'kms:GrantIsForAWSResource': 'true' },
          },
        },
        {
          // Control Tower CT.KMS.PR.3, exactly as the control requires it.
          Sid: 'DenyGrantsExceptForAwsResources',
          Effect: 'Deny',
          Principal: { AWS: '*' },
          Action: 'kms:CreateGrant',
          Resource: '*',
          Condition: {
            BoolIfExists: {
              'kms:GrantIsForAWSResource': 'false',
              'aws:PrincipalIsAWSService': 'false',
            },
          },
        },
        {
          Sid: 'AllowCloudWatchLogsForPlatformLogGroups',
          Effect: 'Allow',
          Principal: {
            Service: { 'Fn::Join': ['', ['logs.', { Ref: 'AWS::Region' }, '.amazonaws.com']] },
          },
          Action: [
            'kms:Decrypt',
            'kms:Encrypt',
            'kms:GenerateDataKey',
            'kms:GenerateDataKeyWithoutPlaintext',
            'kms:ReEncryptFrom',
            'kms:ReEncryptTo',
          ],
          Resource: '*',
          Condition: {
            ArnLike: {
              'kms:EncryptionContext:aws:logs:arn': regionalArn(
                'logs',
                ':log-group:/msk-secure-dev/*',
              ),
            },
          },
        },
        {
          // Added by PlatformAlarms (Monitoring stack): CloudWatch publishes this cluster's
          // alarms to the encrypted topic, for this account only.
          Sid: 'CloudWatchAlarmsToSnsMskSecureDev',
          Effect: 'Allow',
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
          Resource: '*',
          Condition: {
            ArnLike: {
              'aws:SourceArn': {
                'Fn::Join': [
                  '',
                  [
                    'arn:',
                    { Ref: 'AWS::Partition' },
                    ':cloudwatch:',
                    { Ref: 'AWS::Region' },
                    ':',
                    { Ref: 'AWS::AccountId' },
                    ':alarm:msk-secure-dev-*',
                  ],
                ],
              },
            },
            StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
          },
        },
      ],
    });
  });
});

describe('NAT instance (dev)', () => {
  const [[instanceId, instance]] = Object.entries(dev.findResources('AWS::EC2::Instance'));
  const props = instance.Properties;
  const [[groupId, group]] = Object.entries(
    dev.findResources('AWS::EC2::SecurityGroup', {
      Properties: { GroupDescription: Match.stringLikeRegexp('^NAT instance') },
    }),
  );

  test('one t4g.nano (Graviton, arm64 AL2023 AMI) that forwards, with standard CPU credits', () => {
    expect(props.InstanceType).toBe('t4g.nano');
    expect(props.SourceDestCheck).toBe(false);
    expect(props.CreditSpecification).toEqual({ CPUCredits: 'standard' });
    expect(dev.toJSON().Parameters[props.ImageId.Ref].Default).toBe(
      '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-6.1-arm64',
    );
  });

  test('IMDSv2 required', () => {
    expect(props.MetadataOptions).toEqual({
      HttpEndpoint: 'enabled',
      HttpTokens: 'required',
      HttpPutResponseHopLimit: 1,
    });
  });

  test('root volume encrypted with the platform key, gp3, deleted with the instance', () => {
    const [keyId] = Object.keys(dev.findResources('AWS::KMS::Key'));
    expect(keyId).toMatch(/^PlatformKey/);
    expect(props.BlockDeviceMappings).toEqual([
      {
        DeviceName: '/dev/xvda',
        Ebs: {
          Encrypted: true,
          KmsKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
          VolumeType: 'gp3',
          VolumeSize: 8,
          DeleteOnTermination: true,
        },
      },
    ]);
  });

  test('no key pair, no instance profile, no role; detailed monitoring on', () => {
    expect(props.KeyName).toBeUndefined();
    expect(props.IamInstanceProfile).toBeUndefined();
    dev.resourceCountIs('AWS::IAM::InstanceProfile', 0);
    for (const role of Object.values(dev.findResources('AWS::IAM::Role'))) {
      expect(JSON.stringify(role.Properties.AssumeRolePolicyDocument)).not.toContain('ec2.');
    }
    expect(instance.DependsOn ?? []).not.toContainEqual(expect.stringMatching(/InstanceRole/));
    expect(props.Monitoring).toBe(true);
  });

  test('its one interface has a public IP in the first public subnet, with the NAT group only', () => {
    const [subnetId] = Object.keys(
      dev.findResources('AWS::EC2::Subnet', {
        Properties: {
          Tags: Match.arrayWith([{ Key: 'Name', Value: Match.stringLikeRegexp('publicSubnet1$') }]),
        },
      }),
    );
    expect(props.NetworkInterfaces).toEqual([
      {
        AssociatePublicIpAddress: true,
        DeviceIndex: '0',
        GroupSet: [{ 'Fn::GetAtt': [groupId, 'GroupId'] }],
        SubnetId: { Ref: subnetId },
      },
    ]);
    expect(subnetId).toMatch(/^NetworkVpcpublicSubnet1Subnet/);
  });

  test('security group: ingress only TCP 443 from the VPC CIDR, nothing from 0.0.0.0/0', () => {
    expect(group.Properties.SecurityGroupIngress).toEqual([
      {
        CidrIp: '10.10.0.0/16',
        Description:
          'HTTPS from the VPC to AWS service APIs (the only traffic the platform sends via NAT)',
        FromPort: 443,
        IpProtocol: 'tcp',
        ToPort: 443,
      },
    ]);
    const separate = Object.values(dev.findResources('AWS::EC2::SecurityGroupIngress')).filter(
      (r) => JSON.stringify(r.Properties.GroupId).includes(groupId),
    );
    expect(separate).toEqual([]);
  });

  test('both private subnets route 0.0.0.0/0 to the instance', () => {
    const routes = Object.values(
      dev.findResources('AWS::EC2::Route', {
        Properties: { InstanceId: { Ref: instanceId } },
      }),
    );
    expect(routes).toHaveLength(2);
    for (const route of routes) expect(route.Properties.DestinationCidrBlock).toBe('0.0.0.0/0');
  });

  test('prod and dev-gateway have neither an instance nor the EBS key statements', () => {
    for (const template of [prod, devGateway]) {
      template.resourceCountIs('AWS::EC2::Instance', 0);
      const [key] = Object.values(template.findResources('AWS::KMS::Key'));
      const sids = key.Properties.KeyPolicy.Statement.map((st: { Sid?: string }) => st.Sid);
      expect(sids).not.toContain('AllowEbsViaService');
    }
  });
});

describe('Prometheus exporters (prod turns both on)', () => {
  const groups = prod.findResources('AWS::EC2::SecurityGroup');
  const idOf = (description: RegExp) =>
    Object.entries(groups).find(([, g]) => description.test(g.Properties.GroupDescription))![0];
  const rules = (template: Template, type: string, peer: string) =>
    Object.values(template.findResources(type))
      .filter((r) => [11001, 11002].includes(r.Properties.FromPort))
      .map((r) => ({
        group: r.Properties.GroupId['Fn::GetAtt'][0],
        port: [r.Properties.FromPort, r.Properties.ToPort],
        peer: r.Properties[peer]['Fn::GetAtt'][0],
        description: r.Properties.Description,
      }));

  test('brokers admit 11001 (JMX) and 11002 (node) from clients only; clients may reach them', () => {
    const brokers = idOf(/^MSK brokers/);
    const clients = idOf(/^Kafka clients/);
    expect(rules(prod, 'AWS::EC2::SecurityGroupIngress', 'SourceSecurityGroupId')).toEqual([
      {
        group: brokers,
        port: [11001, 11001],
        peer: clients,
        description: 'Prometheus JMX exporter scrape from clients',
      },
      {
        group: brokers,
        port: [11002, 11002],
        peer: clients,
        description: 'Prometheus node exporter scrape from clients',
      },
    ]);
    expect(rules(prod, 'AWS::EC2::SecurityGroupEgress', 'DestinationSecurityGroupId')).toEqual([
      {
        group: clients,
        port: [11001, 11001],
        peer: brokers,
        description: 'Prometheus JMX exporter scrape of brokers',
      },
      {
        group: clients,
        port: [11002, 11002],
        peer: brokers,
        description: 'Prometheus node exporter scrape of brokers',
      },
    ]);
  });

  test('dev (exporters off) opens neither port', () => {
    expect(rules(dev, 'AWS::EC2::SecurityGroupIngress', 'SourceSecurityGroupId')).toEqual([]);
  });
});

describe('default security group', () => {
  test("emptied by our own in-VPC custom resource, not aws-cdk-lib's (managed policy, outside the VPC)", () => {
    const [[id, resource]] = Object.entries(dev.findResources('Custom::VpcRestrictDefaultSG'));
    expect(id).toMatch(/^NetworkVpcRestrictDefaultSecurityGroupCustomResource/);
    expect(resource.Properties).toEqual({
      ServiceToken: {
        'Fn::GetAtt': [
          expect.stringMatching(/^NetworkRestrictDefaultSecurityGroupProvider/),
          'Arn',
        ],
      },
      DefaultSecurityGroupId: {
        'Fn::GetAtt': [expect.stringMatching(/^NetworkVpc/), 'DefaultSecurityGroup'],
      },
      Account: { Ref: 'AWS::AccountId' },
    });
    // It waits for the NAT routes its handler needs.
    expect(resource.DependsOn).toEqual(
      expect.arrayContaining([expect.stringMatching(/^NetworkVpcprivateSubnet1DefaultRoute/)]),
    );
    expect(JSON.stringify(dev.toJSON())).not.toContain(
      'CustomVpcRestrictDefaultSGCustomResourceProvider',
    );
  });

  test('its handler says what it is and logs to its own log group under the platform prefix', () => {
    const functions = functionLogGroups(dev);
    expect(functions).toContainEqual([
      'Default security group restriction custom resource (msk-secure-stack)',
      '/msk-secure-dev/custom-resources/restrict-default-security-group',
    ]);
    expect(functions.map(([, logGroup]) => logGroup).sort()).toEqual([
      '/msk-secure-dev/custom-resources/restrict-default-security-group',
      '/msk-secure-dev/custom-resources/restrict-default-security-group-framework',
    ]);
  });

  test('its handler may revoke rules of the default group only', () => {
    const policies = Object.values(dev.findResources('AWS::IAM::ManagedPolicy'));
    const statements = policies.flatMap((p) => p.Properties.PolicyDocument.Statement);
    expect(statements.filter((s) => s.Sid === 'RevokeDefaultSecurityGroupRules')).toEqual([
      {
        Sid: 'RevokeDefaultSecurityGroupRules',
        Effect: 'Allow',
        Action: ['ec2:RevokeSecurityGroupEgress', 'ec2:RevokeSecurityGroupIngress'],
        Resource: regionalArn('ec2', ':security-group/', {
          'Fn::GetAtt': [expect.stringMatching(/^NetworkVpc/), 'DefaultSecurityGroup'],
        }),
      },
    ]);
  });
});
