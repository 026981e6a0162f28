import {
  arnMatchesFormat,
  checkPolicyDocument,
  checkTemplatePolicies,
  conditionKeyAvailable,
  findPolicyDocuments,
  PolicyContext,
} from '../../tools/validate/iam';
import type { CfnTemplate } from '../../tools/shared/template';

const CLUSTER =
  'arn:aws:kafka:us-east-1:111111111111:cluster/my-cluster/0b1c2d3e-aaaa-bbbb-cccc-0123456789ab-2';
const TOPIC =
  'arn:aws:kafka:us-east-1:111111111111:topic/my-cluster/0b1c2d3e-aaaa-bbbb-cccc-0123456789ab-2/orders';
const KEY = 'arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab';

const IDENTITY: PolicyContext = { kind: 'identity' };

function doc(...statements: Record<string, unknown>[]) {
  return { Version: '2012-10-17', Statement: statements };
}

async function rules(statement: Record<string, unknown>, ctx: PolicyContext = IDENTITY) {
  return (await checkPolicyDocument(doc(statement), ctx)).map((i) => i.rule);
}

describe('IAM checker: actions', () => {
  test('a correct statement gives no findings', async () => {
    const issues = await checkPolicyDocument(
      doc(
        { Effect: 'Allow', Action: 'kafka-cluster:Connect', Resource: CLUSTER },
        {
          Effect: 'Allow',
          Action: ['kafka-cluster:DescribeTopic', 'kafka-cluster:ReadData'],
          Resource: TOPIC,
        },
        {
          Effect: 'Allow',
          Action: 'kms:Decrypt',
          Resource: KEY,
          Condition: { StringLike: { 'kms:ViaService': 'secretsmanager.*.amazonaws.com' } },
        },
      ),
      IDENTITY,
    );
    expect(issues).toEqual([]);
  });

  test('an unknown action or service is reported', async () => {
    const issues = await checkPolicyDocument(
      doc(
        { Effect: 'Allow', Action: 'kafka-cluster:ReadDta', Resource: TOPIC },
        { Effect: 'Allow', Action: 'kafkacluster:ReadData', Resource: TOPIC },
        { Effect: 'Allow', Action: 'kms:Nothing*', Resource: KEY },
      ),
      IDENTITY,
    );
    expect(issues.map((i) => [i.rule, i.message])).toEqual([
      [
        'unknown-action',
        expect.stringContaining('kafka-cluster:ReadDta: no such kafka-cluster action'),
      ],
      ['unknown-action', expect.stringContaining('unknown service "kafkacluster"')],
      ['unknown-action', expect.stringContaining('kms:Nothing*: no kms action matches')],
    ]);
  });

  test.each(['kafka-cluster:*', '*'])('the wildcard action %s is reported', async (action) => {
    expect(await rules({ Effect: 'Allow', Action: action, Resource: CLUSTER })).toEqual([
      'wildcard-action',
    ]);
  });

  test('a Deny of service:* (e.g. TLS-only queue policies) is not', async () => {
    const deny = {
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: 'sqs:*',
      Resource: 'arn:aws:sqs:us-east-1:111111111111:q',
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    };
    expect(await rules(deny, { kind: 'resource' })).toEqual([]);
  });

  test('partial wildcards are expanded against the reference, each action checked', async () => {
    const issues = await checkPolicyDocument(
      doc({
        Effect: 'Allow',
        Action: ['kms:GenerateDataKey*', 'kms:DescribeK*'],
        Resource: KEY,
        Condition: { StringEquals: { 'kms:EncryptionContext:aws:logs:arn': 'x' } },
      }),
      IDENTITY,
    );
    // GenerateDataKey, …WithoutPlaintext, …Pair, …PairWithoutPlaintext carry the context;
    // DescribeKey does not.
    expect(issues.map((i) => i.message)).toEqual([
      'dead statement: kms:DescribeKey never carries kms:EncryptionContext:aws:logs:arn (statement 0, from kms:DescribeK*)',
    ]);
  });
});

describe('IAM checker: resources', () => {
  test('a resource ARN of the wrong type is reported (ReadData on a cluster ARN)', async () => {
    const issues = await checkPolicyDocument(
      doc({ Effect: 'Allow', Action: 'kafka-cluster:ReadData', Resource: CLUSTER }),
      IDENTITY,
    );
    expect(issues).toEqual([
      expect.objectContaining({
        rule: 'resource-type-mismatch',
        message: expect.stringMatching(
          /kafka-cluster:ReadData on arn:aws:kafka:.*:cluster\/.*matches none of its resource types \(topic: /,
        ),
      }),
    ]);
  });

  test('prefix wildcards match the type they name, and only that type', async () => {
    const prefix = `${TOPIC.replace(/orders$/, '')}ord*`;
    expect(
      await rules({ Effect: 'Allow', Action: 'kafka-cluster:ReadData', Resource: prefix }),
    ).toEqual([]);
    expect(
      await rules({ Effect: 'Allow', Action: 'kafka-cluster:Connect', Resource: prefix }),
    ).toEqual(['resource-type-mismatch']);
    expect(
      arnMatchesFormat(
        prefix,
        'arn:${Partition}:kafka:${Region}:${Account}:topic/${ClusterName}/${ClusterUuid}/${TopicName}',
      ),
    ).toBe(true);
    expect(
      arnMatchesFormat(
        prefix,
        'arn:${Partition}:kafka:${Region}:${Account}:cluster/${ClusterName}/${ClusterUuid}',
      ),
    ).toBe(false);
  });

  test('"*" is a warning on an action with resource types, fine on one without', async () => {
    const issues = await checkPolicyDocument(
      doc({
        Effect: 'Allow',
        Action: ['ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces'],
        Resource: '*',
      }),
      IDENTITY,
    );
    expect(issues).toEqual([
      expect.objectContaining({
        rule: 'resource-star',
        severity: 'warning',
        where: 'Statement[0].Action[ec2:CreateNetworkInterface]',
      }),
    ]);
  });

  test('an action AWS authorizes on "*" only, on a specific ARN, is never granted', async () => {
    expect(
      await rules({
        Effect: 'Allow',
        Action: 'ec2:DescribeNetworkInterfaces',
        Resource: 'arn:aws:ec2:us-east-1:111111111111:network-interface/*',
      }),
    ).toEqual(['action-needs-star']);
  });

  test('same-template Fn::GetAtt is shaped after the resource type (a log group Arn ends in :*)', async () => {
    const template: CfnTemplate = {
      Resources: {
        Logs: { Type: 'AWS::Logs::LogGroup', Properties: { LogGroupName: '/app/fn' } },
        Queue: { Type: 'AWS::SQS::Queue', Properties: {} },
        Fn: { Type: 'AWS::Lambda::Function', Properties: {} },
      },
    };
    const ctx: PolicyContext = { kind: 'identity', template, stackName: 'S' };
    const issues = await checkPolicyDocument(
      doc(
        {
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: { 'Fn::GetAtt': ['Logs', 'Arn'] },
        },
        {
          Effect: 'Allow',
          Action: 'sqs:SendMessage',
          Resource: { 'Fn::GetAtt': ['Queue', 'Arn'] },
        },
        {
          Effect: 'Allow',
          Action: 'lambda:InvokeFunction',
          Resource: [
            { 'Fn::GetAtt': ['Fn', 'Arn'] },
            { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['Fn', 'Arn'] }, ':*']] },
          ],
        },
        // A queue's Ref is its URL, not an ARN.
        { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: { Ref: 'Queue' } },
      ),
      ctx,
    );
    expect(issues.map((i) => [i.where, i.rule])).toEqual([
      ['Statement[3].Action[sqs:SendMessage]', 'resource-type-mismatch'],
    ]);
  });

  test('key policies: "*" is the key itself; trust policies: no resource checks', async () => {
    const keyCtx: PolicyContext = { kind: 'key', selfArn: KEY };
    expect(
      await rules(
        {
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::111111111111:root' },
          Action: 'kms:Decrypt',
          Resource: '*',
        },
        keyCtx,
      ),
    ).toEqual([]);
    expect(
      await rules(
        {
          Effect: 'Allow',
          Principal: { Service: 'lambda.amazonaws.com' },
          Action: 'sts:AssumeRole',
        },
        { kind: 'trust' },
      ),
    ).toEqual([]);
  });
});

describe('ARN patterns against ARN formats', () => {
  const FUNCTION = 'arn:${Partition}:lambda:${Region}:${Account}:function:${FunctionName}';
  const QUEUE = 'arn:${Partition}:sqs:${Region}:${Account}:${QueueName}';
  test.each([
    ['arn:aws:lambda:us-east-1:111111111111:function:fn', FUNCTION, true],
    ['arn:aws:lambda:us-east-1:111111111111:function:fn:*', FUNCTION, true],
    ['arn:aws:lambda:*:*:function:fn', FUNCTION, true],
    ['arn:aws:lambda:us-east-1:111111111111:layer:fn', FUNCTION, false],
    ['arn:aws:sqs:us-east-1:111111111111:q?', QUEUE, true],
    ['arn:aws:sqs:us-east-1:111111111111:queue/q', QUEUE, true],
    ['arn:aws:sns:us-east-1:111111111111:q', QUEUE, false],
    ['arn:aws:kms:us-east-1:111111111111:key/k*', QUEUE, false],
    // The account never spans a ':', so the trailing '*' cannot turn a topic into a cluster.
    [
      'arn:aws:kafka:us-east-1:111111111111:topic/c/u/*',
      'arn:${Partition}:kafka:${Region}:${Account}:cluster/${ClusterName}/${ClusterUuid}',
      false,
    ],
    ['*', QUEUE, true],
  ])('%s ~ %s: %s', (pattern, format, expected) => {
    expect(arnMatchesFormat(pattern, format)).toBe(expected);
  });
});

describe('IAM checker: dead statements', () => {
  test('a condition key the action never carries is reported', async () => {
    const issues = await checkPolicyDocument(
      doc({
        Sid: 'Grants',
        Effect: 'Allow',
        Action: ['kms:CreateGrant', 'kms:RetireGrant'],
        Resource: KEY,
        Condition: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
      }),
      IDENTITY,
    );
    expect(issues).toEqual([
      expect.objectContaining({
        rule: 'dead-statement',
        message:
          'dead statement: kms:RetireGrant never carries kms:GrantIsForAWSResource (statement Grants)',
      }),
    ]);
  });

  test('…IfExists, Null and ForAllValues: do not require the key; global keys are always there', async () => {
    const statement = (operator: string, key: string) => ({
      Effect: 'Allow',
      Action: 'kms:RetireGrant',
      Resource: KEY,
      Condition: { [operator]: { [key]: 'true' } },
    });
    expect(await rules(statement('BoolIfExists', 'kms:GrantIsForAWSResource'))).toEqual([]);
    expect(await rules(statement('Null', 'kms:GrantIsForAWSResource'))).toEqual([]);
    expect(
      await rules(statement('ForAllValues:StringEquals', 'kms:GrantIsForAWSResource')),
    ).toEqual([]);
    expect(await rules(statement('ForAnyValue:StringEquals', 'kms:GrantIsForAWSResource'))).toEqual(
      ['dead-statement'],
    );
    expect(await rules(statement('Bool', 'aws:PrincipalIsAWSService'))).toEqual([]);
  });

  test('templated condition keys of the reference match their instances', () => {
    expect(
      conditionKeyAvailable('kms:EncryptionContext:aws:logs:arn', [
        'kms:EncryptionContext:${EncryptionContextKey}',
      ]),
    ).toBe(true);
    expect(conditionKeyAvailable('ec2:ResourceTag/Name', ['ec2:ResourceTag/${TagKey}'])).toBe(true);
    expect(conditionKeyAvailable('ec2:ResourceTag', ['ec2:ResourceTag/${TagKey}'])).toBe(false);
    expect(conditionKeyAvailable('aws:RequestTag/Team', [])).toBe(true);
  });

  test('resource-type condition keys count (kafka-cluster:Connect on a tagged cluster)', async () => {
    expect(
      await rules({
        Effect: 'Allow',
        Action: 'kafka-cluster:Connect',
        Resource: CLUSTER,
        Condition: { StringEquals: { 'kafka-cluster:ResourceTag/x': 'y' } },
      }),
    ).toEqual(['dead-statement']);
  });
});

describe('IAM checker: templates', () => {
  test('finds every policy document and how to read it', () => {
    expect(
      findPolicyDocuments('AWS::IAM::Role', {
        AssumeRolePolicyDocument: doc({ Effect: 'Allow', Action: 'sts:AssumeRole' }),
        Policies: [
          { PolicyName: 'p', PolicyDocument: doc({ Effect: 'Allow', Action: 's3:GetObject' }) },
        ],
      }).map((d) => [d.path, d.kind]),
    ).toEqual([
      ['Properties.AssumeRolePolicyDocument', 'trust'],
      ['Properties.Policies[0].PolicyDocument', 'identity'],
    ]);
    expect(findPolicyDocuments('AWS::KMS::Key', { KeyPolicy: doc() }).map((d) => d.kind)).toEqual([
      'key',
    ]);
    expect(
      findPolicyDocuments('AWS::MSK::ClusterPolicy', { Policy: doc() }).map((d) => d.kind),
    ).toEqual(['resource']);
    expect(
      findPolicyDocuments('AWS::Some::Thing', { ResourcePolicy: JSON.stringify(doc()) }).map(
        (d) => d.path,
      ),
    ).toEqual(['Properties.ResourcePolicy']);
  });

  // The two statements of the dev templates as synthesized at the start of this check's life:
  // both are dead, and the checker must say so.
  test('reports the known dead statements of the dev templates', async () => {
    const template: CfnTemplate = {
      Resources: {
        PlatformKey1C4A1A63: {
          Type: 'AWS::KMS::Key',
          Properties: {
            KeyPolicy: doc({
              Action: [
                'kms:Decrypt',
                'kms:DescribeKey',
                'kms:Encrypt',
                'kms:GenerateDataKey',
                'kms:GenerateDataKeyWithoutPlaintext',
                'kms:ReEncryptFrom',
                'kms:ReEncryptTo',
              ],
              Condition: {
                ArnLike: {
                  'kms:EncryptionContext:aws:logs:arn':
                    'arn:aws:logs:us-east-1:111111111111:log-group:/msk-secure-dev/*',
                },
              },
              Effect: 'Allow',
              Principal: { Service: 'logs.us-east-1.amazonaws.com' },
              Resource: '*',
              Sid: 'AllowCloudWatchLogsForPlatformLogGroups',
            }),
          },
        },
        HandlerPolicy: {
          Type: 'AWS::IAM::ManagedPolicy',
          Properties: {
            PolicyDocument: doc({
              Action: ['kms:CreateGrant', 'kms:RetireGrant'],
              Condition: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
              Effect: 'Allow',
              Resource: KEY,
              Sid: 'GrantMskUseOfSecretKey',
            }),
          },
        },
      },
    };
    const findings = await checkTemplatePolicies(template, 't.template.json', 'S');
    expect(findings.map((f) => [f.resource, f.rule, f.message])).toEqual([
      [
        'PlatformKey1C4A1A63',
        'dead-statement',
        expect.stringContaining('kms:DescribeKey never carries kms:EncryptionContext:aws:logs:arn'),
      ],
      [
        'HandlerPolicy',
        'dead-statement',
        expect.stringContaining('kms:RetireGrant never carries kms:GrantIsForAWSResource'),
      ],
    ]);
    expect(findings[1].path).toBe('Properties.PolicyDocument.Statement[0].Action[kms:RetireGrant]');
  });
});
