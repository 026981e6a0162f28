/**
 * Realistic literal values for what CloudFormation resolves at deploy time: pseudo parameters
 * and the `Ref` / `Fn::GetAtt` values of resources, shaped like the real thing (an ARN of the
 * right service and resource type, `sg-…`, `subnet-…`, a queue URL). Pure: no I/O.
 */
import { createHash } from 'node:crypto';
import { KAFKA_PORTS } from '../../secure-msk-constructs/model';
import type { CfnResource } from '../shared/template';

export const ACCOUNT = '111111111111';
export const REGION = 'us-east-1';
export const PARTITION = 'aws';
export const URL_SUFFIX = 'amazonaws.com';

/** Where a resource lives: its stack and the Region its ARNs name. */
export interface PlaceholderEnv {
  readonly stackName: string;
  readonly region?: string;
  readonly account?: string;
}

/** The values of the pseudo parameters a template may `Ref`, or undefined for the others. */
export function pseudoParameter(name: string, env: PlaceholderEnv): string | string[] | undefined {
  const region = env.region ?? REGION;
  const account = env.account ?? ACCOUNT;
  switch (name) {
    case 'AWS::Region':
      return region;
    case 'AWS::AccountId':
      return account;
    case 'AWS::Partition':
      return PARTITION;
    case 'AWS::URLSuffix':
      return URL_SUFFIX;
    case 'AWS::StackName':
      return env.stackName;
    case 'AWS::StackId':
      return `arn:${PARTITION}:cloudformation:${region}:${account}:stack/${env.stackName}/${uuid(env.stackName)}`;
    default:
      // AWS::NoValue and AWS::NotificationARNs keep their meaning: leave them to the validators.
      return undefined;
  }
}

/** The Availability Zones `Fn::GetAZs` returns. */
export function availabilityZones(region = REGION): string[] {
  return ['a', 'b', 'c'].map((z) => `${region}${z}`);
}

function hex(seed: string, length: number): string {
  let out = '';
  for (let i = 0; out.length < length; i++) {
    out += createHash('sha256').update(`${seed}#${i}`).digest('hex');
  }
  return out.slice(0, length);
}

/** A UUID-shaped id derived from `seed` (stable, so reruns give the same templates). */
export function uuid(seed: string): string {
  const h = hex(seed, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** The first of `keys` in `properties` that is a literal string. */
function literalProperty(props: Record<string, unknown>, ...keys: string[]): string | undefined {
  for (const key of keys) {
    const value = props[key];
    if (typeof value === 'string' && value !== '') return value;
  }
  return undefined;
}

/**
 * The literal `Ref` (attribute undefined) or `Fn::GetAtt` value of a resource, or undefined when
 * this module does not know the resource type or attribute.
 */
export function placeholderFor(
  resource: CfnResource,
  logicalId: string,
  attribute: string | undefined,
  env: PlaceholderEnv,
): string | undefined {
  const props = resource.Properties ?? {};
  const region = env.region ?? REGION;
  const account = env.account ?? ACCOUNT;
  const seed = `${env.stackName}/${logicalId}`;
  const generated = `${env.stackName}-${logicalId}-${hex(seed, 12).toUpperCase()}`;
  const arn = (service: string, resourcePart: string, inRegion = true, inAccount = true) =>
    `arn:${PARTITION}:${service}:${inRegion ? region : ''}:${inAccount ? account : ''}:${resourcePart}`;
  const attr = attribute ?? 'Ref';
  const is = (...names: string[]) => names.includes(attr);
  const type = resource.Type;

  if (type.startsWith('Custom::') || type === 'AWS::CloudFormation::CustomResource') {
    if (is('Ref')) return `${generated}-physical-id`;
    if (/broker|sasl|tls/i.test(attr)) {
      // TLS (9094) and plaintext (9092) are MSK's other listeners, which the library never opens.
      const port = /iam/i.test(attr)
        ? KAFKA_PORTS.iam
        : /scram/i.test(attr)
          ? KAFKA_PORTS.scram
          : /tls/i.test(attr)
            ? 9094
            : 9092;
      return [1, 2]
        .map((b) => `b-${b}.cluster.${hex(seed, 6)}.c2.kafka.${region}.${URL_SUFFIX}:${port}`)
        .join(',');
    }
    return `${attr}-${hex(`${seed}.${attr}`, 8)}`;
  }

  switch (type) {
    case 'AWS::KMS::Key': {
      const keyId = uuid(seed);
      if (is('Ref', 'KeyId')) return keyId;
      if (is('Arn')) return arn('kms', `key/${keyId}`);
      return undefined;
    }
    case 'AWS::KMS::Alias':
      if (is('Ref')) return literalProperty(props, 'AliasName') ?? `alias/${logicalId}`;
      return undefined;
    case 'AWS::EC2::SecurityGroup':
      if (is('Ref', 'GroupId')) return `sg-${hex(seed, 17)}`;
      if (is('VpcId')) return `vpc-${hex(`${seed}.vpc`, 17)}`;
      return undefined;
    case 'AWS::EC2::Subnet':
      if (is('Ref', 'SubnetId')) return `subnet-${hex(seed, 17)}`;
      if (is('AvailabilityZone')) return literalProperty(props, 'AvailabilityZone') ?? `${region}a`;
      if (is('VpcId')) return `vpc-${hex(`${seed}.vpc`, 17)}`;
      return undefined;
    case 'AWS::EC2::VPC':
      if (is('Ref', 'VpcId')) return `vpc-${hex(seed, 17)}`;
      if (is('DefaultSecurityGroup')) return `sg-${hex(`${seed}.default-sg`, 17)}`;
      if (is('DefaultNetworkAcl')) return `acl-${hex(`${seed}.default-acl`, 17)}`;
      if (is('CidrBlock')) return literalProperty(props, 'CidrBlock') ?? '10.0.0.0/16';
      return undefined;
    case 'AWS::EC2::VPCEndpoint':
      if (is('Ref', 'Id')) return `vpce-${hex(seed, 17)}`;
      return undefined;
    case 'AWS::MSK::Cluster': {
      const name = literalProperty(props, 'ClusterName') ?? generated;
      if (is('Ref', 'Arn')) return arn('kafka', `cluster/${name}/${uuid(seed)}-2`);
      return undefined;
    }
    case 'AWS::MSK::ServerlessCluster': {
      const name = literalProperty(props, 'ClusterName') ?? generated;
      if (is('Ref', 'Arn')) return arn('kafka', `cluster/${name}/${uuid(seed)}-s2`);
      return undefined;
    }
    case 'AWS::MSK::Configuration': {
      const name = literalProperty(props, 'Name') ?? generated;
      if (is('Ref', 'Arn')) return arn('kafka', `configuration/${name}/${uuid(seed)}-2`);
      if (is('LatestRevision.Revision')) return '1';
      return undefined;
    }
    case 'AWS::SecretsManager::Secret': {
      const name = literalProperty(props, 'Name') ?? generated;
      if (is('Ref', 'Id')) return arn('secretsmanager', `secret:${name}-${hex(seed, 6)}`);
      return undefined;
    }
    case 'AWS::SQS::Queue': {
      const name = literalProperty(props, 'QueueName') ?? generated;
      if (is('Ref', 'QueueUrl')) return `https://sqs.${region}.${URL_SUFFIX}/${account}/${name}`;
      if (is('Arn')) return arn('sqs', name);
      if (is('QueueName')) return name;
      return undefined;
    }
    case 'AWS::SNS::Topic': {
      const name = literalProperty(props, 'TopicName') ?? generated;
      if (is('Ref', 'TopicArn')) return arn('sns', name);
      if (is('TopicName')) return name;
      return undefined;
    }
    case 'AWS::Logs::LogGroup': {
      const name = literalProperty(props, 'LogGroupName') ?? generated;
      if (is('Ref')) return name;
      // CloudFormation's LogGroup Arn ends in `:*` (it covers the group's streams).
      if (is('Arn')) return arn('logs', `log-group:${name}:*`);
      return undefined;
    }
    case 'AWS::Lambda::Function': {
      const name = literalProperty(props, 'FunctionName') ?? generated.slice(0, 64);
      if (is('Ref')) return name;
      if (is('Arn')) return arn('lambda', `function:${name}`);
      return undefined;
    }
    case 'AWS::IAM::Role': {
      const name = literalProperty(props, 'RoleName') ?? generated.slice(0, 64);
      if (is('Ref')) return name;
      if (is('Arn')) return arn('iam', `role/${name}`, false);
      if (is('RoleId')) return `AROA${hex(seed, 17).toUpperCase()}`;
      return undefined;
    }
    case 'AWS::IAM::ManagedPolicy': {
      const name = literalProperty(props, 'ManagedPolicyName') ?? generated;
      if (is('Ref', 'PolicyArn')) return arn('iam', `policy/${name}`, false);
      return undefined;
    }
    case 'AWS::SSM::Parameter':
      if (is('Ref', 'Name')) return literalProperty(props, 'Name') ?? `CFN-${logicalId}`;
      if (is('Value')) return literalProperty(props, 'Value');
      return undefined;
    case 'AWS::S3::Bucket': {
      const name = literalProperty(props, 'BucketName') ?? generated.toLowerCase().slice(0, 63);
      if (is('Ref')) return name;
      if (is('Arn')) return arn('s3', name, false, false);
      if (is('DomainName')) return `${name}.s3.${URL_SUFFIX}`;
      return undefined;
    }
    default:
      return undefined;
  }
}
