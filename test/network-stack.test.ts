import { Match, Template } from 'aws-cdk-lib/assertions';
import { synthesize } from './helpers/synth';

// GIVEN each profile, synthesized once per file (with all three nag packs: a finding throws).
const dev = synthesize({ profile: 'dev' }).network;
const prod = synthesize({ profile: 'prod' }).network;

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
  ['dev', dev, 2, 1],
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

  test(`${nats} NAT gateway(s)`, () => {
    template.resourceCountIs('AWS::EC2::NatGateway', nats);
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
      RetentionInDays: _profile === 'dev' ? 7 : 365,
    });
  });

  test('the flow-log role has a customer-managed policy, no inline or AWS-managed ones', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Principal: { Service: 'vpc-flow-logs.amazonaws.com' },
            Condition: {
              StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
              ArnLike: { 'aws:SourceArn': Match.anyValue() },
            },
          }),
        ],
      },
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
  const groups = dev.findResources('AWS::EC2::SecurityGroup');
  const idOf = (description: RegExp) =>
    Object.entries(groups).find(([, g]) => description.test(g.Properties.GroupDescription))![0];
  const brokers = idOf(/^MSK brokers/);
  const clients = idOf(/^Kafka clients/);

  test('both groups have descriptions and no open ingress', () => {
    for (const group of Object.values(groups)) {
      expect(group.Properties.GroupDescription).toBeTruthy();
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
      }));
    expect(ingress).toHaveLength(4);
    expect(ingress).toEqual(
      expect.arrayContaining([
        { port: [9096, 9096], from: clients, protocol: 'tcp' },
        { port: [9098, 9098], from: clients, protocol: 'tcp' },
        { port: [9096, 9096], from: brokers, protocol: 'tcp' },
        { port: [9098, 9098], from: brokers, protocol: 'tcp' },
      ]),
    );
    expect(Object.values(dev.findResources('AWS::EC2::SecurityGroupIngress'))).toHaveLength(4);
  });

  test('outbound is restricted: Kafka ports between the groups and HTTPS for AWS APIs', () => {
    const egress = Object.values(dev.findResources('AWS::EC2::SecurityGroupEgress')).map((r) => ({
      group: r.Properties.GroupId['Fn::GetAtt'][0],
      port: r.Properties.FromPort,
      to: r.Properties.DestinationSecurityGroupId['Fn::GetAtt'][0],
    }));
    expect(egress).toHaveLength(4);
    expect(egress).toEqual(
      expect.arrayContaining([
        { group: clients, port: 9096, to: brokers },
        { group: clients, port: 9098, to: brokers },
        { group: brokers, port: 9096, to: brokers },
        { group: brokers, port: 9098, to: brokers },
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
      Properties: Match.objectLike({ EnableKeyRotation: true }),
      DeletionPolicy: 'Retain',
    });
    dev.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/msk-secure-dev' });
  });

  test('CloudWatch Logs may use it only for the platform log groups; kms:* only for the root', () => {
    const [key] = Object.values(dev.findResources('AWS::KMS::Key'));
    const statements = key.Properties.KeyPolicy.Statement;
    expect(statements).toContainEqual({
      Sid: 'AllowCloudWatchLogsForPlatformLogGroups',
      Effect: 'Allow',
      Principal: {
        Service: { 'Fn::Join': ['', ['logs.', { Ref: 'AWS::Region' }, '.amazonaws.com']] },
      },
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
      Condition: {
        ArnLike: {
          'kms:EncryptionContext:aws:logs:arn': {
            'Fn::Join': [
              '',
              [
                'arn:',
                { Ref: 'AWS::Partition' },
                ':logs:',
                { Ref: 'AWS::Region' },
                ':',
                { Ref: 'AWS::AccountId' },
                ':log-group:/msk-secure-dev/*',
              ],
            ],
          },
        },
      },
    });
    // MSK (data at rest, grants) and Secrets Manager (SCRAM secrets) only through their service.
    const viaService = (service: string) => ({
      'Fn::Join': ['', [`${service}.`, { Ref: 'AWS::Region' }, '.amazonaws.com']],
    });
    expect(statements).toContainEqual(
      expect.objectContaining({
        Sid: 'AllowMskViaService',
        Action: expect.arrayContaining(['kms:CreateGrant', 'kms:Decrypt', 'kms:GenerateDataKey']),
        Condition: {
          StringEquals: {
            'kms:ViaService': viaService('kafka'),
            'kms:CallerAccount': { Ref: 'AWS::AccountId' },
          },
        },
      }),
    );
    expect(statements).toContainEqual(
      expect.objectContaining({
        Action: expect.arrayContaining(['kms:Decrypt', 'kms:Encrypt']),
        Condition: { StringEquals: { 'kms:ViaService': viaService('secretsmanager') } },
      }),
    );
    const fullAccess = statements.filter((s: { Action: unknown }) => s.Action === 'kms:*');
    expect(fullAccess).toHaveLength(1);
    expect(JSON.stringify(fullAccess[0].Principal)).toMatch(/:root/);
  });
});
