/** From the command-line options to a ready kafkajs configuration for the deployed cluster. */
import { GetBootstrapBrokersCommand, KafkaClient } from '@aws-sdk/client-kafka';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { GenerateAuthTokenResponse } from 'aws-msk-iam-sasl-signer-js';
import type { Admin, Consumer, ConsumerConfig, KafkaConfig, Producer, SASLOptions } from 'kafkajs';
import { scramSecretName } from '../../secure-msk-constructs/model';
import { CliError } from './errors';
import type { Auth, CommonOptions } from './options';

/** The parts of a kafkajs `Kafka` the commands use (a fake in tests). */
export interface KafkaLike {
  producer(): Producer;
  consumer(config: ConsumerConfig): Consumer;
  admin(): Admin;
}

export interface AwsClients {
  readonly kafka: KafkaClient;
  readonly secretsManager: SecretsManagerClient;
  readonly ssm: SSMClient;
  readonly sts: STSClient;
}

/** Token generation of aws-msk-iam-sasl-signer-js. */
export interface Signer {
  generateAuthToken(o: { region: string }): Promise<GenerateAuthTokenResponse>;
  generateAuthTokenFromProfile(o: {
    region: string;
    awsProfileName: string;
  }): Promise<GenerateAuthTokenResponse>;
  generateAuthTokenFromRole(o: {
    region: string;
    awsRoleArn: string;
    awsRoleSessionName?: string;
  }): Promise<GenerateAuthTokenResponse>;
}

/** Everything the CLI touches outside itself, injected so that tests use fakes. */
export interface Deps {
  awsClients(region: string, profile?: string): AwsClients;
  createKafka(config: KafkaConfig): KafkaLike;
  readonly signer: Signer;
  out(line: string): void;
  err(line: string): void;
  stdinLines(): AsyncIterable<string>;
  now(): number;
  readonly env: Readonly<Record<string, string | undefined>>;
}

export interface Connection {
  readonly clusterArn: string;
  readonly clusterName: string;
  readonly region: string;
  readonly auth: Auth;
  readonly brokers: string[];
  /** SCRAM user name, or undefined for IAM (ask STS). */
  readonly scramUser?: string;
  readonly kafka: KafkaLike;
  readonly aws: AwsClients;
}

const CLUSTER_ARN = /^arn:aws[a-z-]*:kafka:([a-z0-9-]+):\d{12}:cluster\/([^/]+)\/[^/]+$/;
/** Tokens are valid 15 minutes; a new one is fetched when less than this is left. */
const TOKEN_REFRESH_MARGIN_MS = 60_000;

export async function connect(options: CommonOptions, deps: Deps): Promise<Connection> {
  const { clusterArn, region, clusterName } = await resolveCluster(options, deps);
  const aws = deps.awsClients(region, options.profile);
  const brokers = await bootstrapBrokers(aws.kafka, clusterArn, options.auth);

  let sasl: SASLOptions;
  let scramUser: string | undefined;
  if (options.auth === 'scram') {
    const credentials = await scramCredentials(aws.secretsManager, clusterName, options.user);
    scramUser = credentials.username;
    sasl = { mechanism: 'scram-sha-512', ...credentials };
  } else {
    sasl = {
      mechanism: 'oauthbearer',
      oauthBearerProvider: iamTokenProvider(options, region, deps),
    };
  }

  const kafka = deps.createKafka({
    clientId: 'msk-secure-stack-cli',
    brokers,
    ssl: true,
    sasl,
    connectionTimeout: options.connectTimeoutMs,
    authenticationTimeout: options.connectTimeoutMs,
    retry: { retries: 2 },
  });
  return { clusterArn, clusterName, region, auth: options.auth, brokers, scramUser, kafka, aws };
}

async function resolveCluster(
  options: CommonOptions,
  deps: Deps,
): Promise<{ clusterArn: string; region: string; clusterName: string }> {
  let clusterArn = options.clusterArn;
  if (!clusterArn) {
    const name = options.clusterName ?? 'msk-secure-dev';
    const region = options.region ?? deps.env.AWS_REGION ?? deps.env.AWS_DEFAULT_REGION;
    if (!region) {
      throw new CliError('No Region: pass --cluster-arn, or --region (or set AWS_REGION).');
    }
    const parameter = `/${name}/cluster-arn`;
    try {
      const result = await deps
        .awsClients(region, options.profile)
        .ssm.send(new GetParameterCommand({ Name: parameter }));
      clusterArn = result.Parameter?.Value;
    } catch (error) {
      if ((error as Error).name === 'ParameterNotFound') {
        throw new CliError(
          `SSM parameter ${parameter} not found in ${region}.`,
          `Deploy the stack (npm run deploy), pass the right --cluster-name, or give --cluster-arn.`,
        );
      }
      throw error;
    }
  }
  const match = CLUSTER_ARN.exec(clusterArn ?? '');
  if (!match) {
    throw new CliError(
      `"${clusterArn}" is not an MSK cluster ARN.`,
      'Expected arn:aws:kafka:<region>:<account>:cluster/<name>/<uuid> (the ClusterArn stack output).',
    );
  }
  return { clusterArn: clusterArn!, region: options.region ?? match[1], clusterName: match[2] };
}

async function bootstrapBrokers(
  kafka: KafkaClient,
  clusterArn: string,
  auth: Auth,
): Promise<string[]> {
  const result = await kafka.send(new GetBootstrapBrokersCommand({ ClusterArn: clusterArn }));
  const brokers =
    auth === 'scram' ? result.BootstrapBrokerStringSaslScram : result.BootstrapBrokerStringSaslIam;
  if (!brokers) {
    throw new CliError(
      `The cluster has no bootstrap brokers for ${auth === 'scram' ? 'SASL/SCRAM' : 'IAM'}: that authentication is not enabled on it.`,
      `Use --auth ${auth === 'scram' ? 'iam' : 'scram'}, or enable it on the cluster.`,
    );
  }
  return brokers.split(',');
}

async function scramCredentials(
  secretsManager: SecretsManagerClient,
  clusterName: string,
  user: string,
): Promise<{ username: string; password: string }> {
  const secretId = scramSecretName(clusterName, user);
  let secretString: string | undefined;
  try {
    secretString = (await secretsManager.send(new GetSecretValueCommand({ SecretId: secretId })))
      .SecretString;
  } catch (error) {
    if ((error as Error).name === 'ResourceNotFoundException') {
      throw new CliError(
        `Secret ${secretId} not found: there is no SCRAM user "${user}".`,
        'Pass --user with one of the scramUsers of the deployment (default users: consumer, producer in prod).',
      );
    }
    throw error;
  }
  let parsed: { username?: unknown; password?: unknown } | undefined;
  try {
    parsed = JSON.parse(secretString ?? '');
  } catch {
    parsed = undefined;
  }
  if (typeof parsed?.username !== 'string' || typeof parsed?.password !== 'string') {
    throw new CliError(
      `Secret ${secretId} is malformed: MSK needs JSON with "username" and "password" strings.`,
      'Restore the value {"username": "<user>", "password": "<password>"}.',
    );
  }
  return { username: parsed.username, password: parsed.password };
}

/** OAUTHBEARER tokens from the MSK IAM signer, cached and refreshed before they expire. */
export function iamTokenProvider(
  options: CommonOptions,
  region: string,
  deps: Deps,
): () => Promise<{ value: string }> {
  let cached: GenerateAuthTokenResponse | undefined;
  return async () => {
    if (!cached || cached.expiryTime - deps.now() < TOKEN_REFRESH_MARGIN_MS) {
      cached = options.roleArn
        ? await deps.signer.generateAuthTokenFromRole({
            region,
            awsRoleArn: options.roleArn,
            awsRoleSessionName: 'msk-secure-stack-cli',
          })
        : options.profile
          ? await deps.signer.generateAuthTokenFromProfile({
              region,
              awsProfileName: options.profile,
            })
          : await deps.signer.generateAuthToken({ region });
    }
    return { value: cached.token };
  };
}

/** The IAM principal the AWS credentials resolve to. */
export async function callerArn(sts: STSClient): Promise<string> {
  return (await sts.send(new GetCallerIdentityCommand({}))).Arn ?? '(unknown)';
}
