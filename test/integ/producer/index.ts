/**
 * The integ app's producer: a test-only function in the VPC (`clients` security group) that
 * sends one record to the deployed cluster with the CLI's own code (`src/cli/connection.ts`
 * builds the kafkajs client: SCRAM-SHA-512 with the user's secret, or IAM OAUTHBEARER tokens
 * from aws-msk-iam-sasl-signer-js; `src/cli/commands/produce.ts` sends). Only the `Deps` are
 * Lambda's: AWS clients on the function's role, no stdin, output collected and returned.
 *
 * Input: `{ "auth": "scram" | "iam", "key": "…", "message": "<JSON text>" }`. It returns the
 * CLI's line, e.g. `Sent 1 message to orders (scram).`, and fails with the CLI's explanation
 * (message and hint) otherwise, which is what the invoking assertion shows.
 */
import { KafkaClient } from '@aws-sdk/client-kafka';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import * as signer from 'aws-msk-iam-sasl-signer-js';
import { Kafka, logLevel } from 'kafkajs';
import { produce } from '../../../src/cli/commands/produce';
import { connect, Deps } from '../../../src/cli/connection';
import { explain } from '../../../src/cli/errors';
import type { Auth } from '../../../src/cli/options';

export interface ProduceRequest {
  readonly auth: Auth;
  readonly key: string;
  /** The record value, JSON text (the CLI's `--json` check applies). */
  readonly message: string;
}

/** Environment the construct sets: the cluster, the topic, the SCRAM user. */
export const PRODUCER_ENV = {
  clusterArn: 'CLUSTER_ARN',
  topic: 'TOPIC',
  scramUser: 'SCRAM_USER',
} as const;

/** Broker connection timeout; the function's own timeout leaves room for kafkajs's retries. */
const CONNECT_TIMEOUT_MS = 10_000;

function parseRequest(event: unknown): ProduceRequest {
  const e = (event ?? {}) as Partial<Record<keyof ProduceRequest, unknown>>;
  if (e.auth !== 'scram' && e.auth !== 'iam') {
    throw new Error(`auth = ${JSON.stringify(e.auth)}: must be "scram" or "iam"`);
  }
  if (typeof e.key !== 'string' || e.key === '') {
    throw new Error(`key = ${JSON.stringify(e.key)}: must be a non-empty string`);
  }
  if (typeof e.message !== 'string') {
    throw new Error(`message = ${JSON.stringify(e.message)}: must be JSON text`);
  }
  return { auth: e.auth, key: e.key, message: e.message };
}

function required(env: Readonly<Record<string, string | undefined>>, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}

/** What the handler needs from outside; `lambdaDeps` in Lambda, fakes in tests. */
export type DepsFactory = (out: (line: string) => void) => Deps;

/** The CLI's `Deps` on the function's role: the default credential chain, no stdin. */
export const lambdaDeps: DepsFactory = (out) => ({
  awsClients: (region) => ({
    kafka: new KafkaClient({ region }),
    secretsManager: new SecretsManagerClient({ region }),
    ssm: new SSMClient({ region }),
    sts: new STSClient({ region }),
  }),
  createKafka: (config) => new Kafka({ ...config, logLevel: logLevel.ERROR }),
  signer,
  out,
  err: (line) => console.error(line),
  stdinLines: async function* () {},
  now: () => Date.now(),
  env: process.env,
});

export function createHandler(
  makeDeps: DepsFactory,
  env: Readonly<Record<string, string | undefined>>,
): (event: unknown) => Promise<string> {
  return async (event) => {
    const request = parseRequest(event);
    const user = required(env, PRODUCER_ENV.scramUser);
    const lines: string[] = [];
    const deps = makeDeps((line) => lines.push(line));
    try {
      const connection = await connect(
        {
          clusterArn: required(env, PRODUCER_ENV.clusterArn),
          auth: request.auth,
          user,
          connectTimeoutMs: CONNECT_TIMEOUT_MS,
        },
        deps,
      );
      await produce(
        connection,
        {
          topic: required(env, PRODUCER_ENV.topic),
          count: 1,
          message: request.message,
          key: request.key,
          json: true,
          stdin: false,
        },
        deps,
      );
    } catch (error) {
      const explained = explain(error, { auth: request.auth, user });
      throw new Error(
        explained.hint ? `${explained.message} Hint: ${explained.hint}` : explained.message,
        { cause: error },
      );
    }
    return lines.join('\n');
  };
}

/** Lambda entry point. */
export const handler = createHandler(lambdaDeps, process.env);
