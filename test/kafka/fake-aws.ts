/**
 * A fake AWS control plane on 127.0.0.1 for the CLI's end-to-end tests: exactly the three calls
 * `src/cli/connection.ts` makes for SASL/SCRAM, in the wire formats of the installed AWS SDK v3
 * clients (which reach it through `AWS_ENDPOINT_URL`):
 * - SSM `GetParameter` (awsJson1_1, `X-Amz-Target: AmazonSSM.GetParameter`): `/<cluster>/cluster-arn`;
 * - MSK `GetBootstrapBrokers` (restJson1, `GET /v1/clusters/{ClusterArn}/bootstrap-brokers`,
 *   members in lower camel case: `bootstrapBrokerStringSaslScram`, `…SaslIam`);
 * - Secrets Manager `GetSecretValue` (awsJson1_1, `X-Amz-Target: secretsmanager.GetSecretValue`).
 * Every request must be SigV4-signed with the fake access key and the fake Region (the signing
 * name picks the service). Anything else (STS `GetCallerIdentity` too: only `whoami --auth iam`
 * calls it, and no test runs that) is refused with HTTP 400 and an error code no client knows,
 * and recorded in `refused`: the tests assert that list stays empty.
 */
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { scramSecretName } from '../../secure-msk-constructs/model/scram-secret-name';

export const FAKE_REGION = 'eu-west-1';
export const FAKE_ACCOUNT = '111122223333';
export const FAKE_ACCESS_KEY_ID = 'AKIAFAKECLITEST00000';
const FAKE_SECRET_ACCESS_KEY = 'fake-secret-access-key-for-the-cli-tests';

/** The environment a child process needs to reach the fake with static fake credentials. */
export function fakeAwsEnv(endpoint: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: FAKE_ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY: FAKE_SECRET_ACCESS_KEY,
    AWS_REGION: FAKE_REGION,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
  };
}

export interface FakeCluster {
  /** The cluster name (SSM parameter `/<name>/cluster-arn`, secrets `AmazonMSK_<name>_<user>`). */
  readonly name: string;
  /** `BootstrapBrokerStringSaslScram`; absent: SCRAM is not enabled on the cluster. */
  readonly scramBrokers?: string;
  /** `BootstrapBrokerStringSaslIam`; absent: IAM access control is not enabled. */
  readonly iamBrokers?: string;
  /** SCRAM user → the secret's `SecretString`. */
  readonly secrets: Readonly<Record<string, string>>;
}

/** One request as the fake understood it. */
export interface FakeRequest {
  /** SigV4 signing name of the request (`ssm`, `kafka`, `secretsmanager`). */
  readonly service: string;
  readonly operation: string;
  /** Parameter name, cluster ARN or secret id; for refused requests, why. */
  readonly subject: string;
  readonly status: number;
}

export const clusterArnOf = (name: string): string =>
  `arn:aws:kafka:${FAKE_REGION}:${FAKE_ACCOUNT}:cluster/${name}/0b5c6d7e-1f2a-4b3c-8d9e-0f1a2b3c4d5e-2`;

interface Answer {
  readonly status: number;
  readonly body?: unknown;
  /** Error code (`x-amzn-errortype` and `__type`), for errors. */
  readonly error?: string;
  readonly message?: string;
  readonly operation: string;
  readonly subject: string;
}

const SIGV4 =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=[^,]+, Signature=[0-9a-f]{64}$/;

export class FakeAws {
  /** Requests answered (including the API's own not-found errors), in order. */
  readonly handled: FakeRequest[] = [];
  /** Requests the fake does not implement, or not signed as expected. */
  readonly refused: FakeRequest[] = [];
  private readonly clusters = new Map<string, FakeCluster>();

  private constructor(
    private readonly server: Server,
    /** `http://127.0.0.1:<port>` */
    readonly endpoint: string,
  ) {}

  static async start(): Promise<FakeAws> {
    const server = createServer();
    await new Promise<void>((done, fail) => {
      server.once('error', fail);
      server.listen(0, '127.0.0.1', () => done());
    });
    const { port } = server.address() as AddressInfo;
    const fake = new FakeAws(server, `http://127.0.0.1:${port}`);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      fake.handle(req, res).catch(() => res.destroy());
    });
    return fake;
  }

  /** Serves a cluster; returns its ARN. */
  addCluster(cluster: FakeCluster): string {
    this.clusters.set(cluster.name, cluster);
    return clusterArnOf(cluster.name);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((done, fail) => this.server.close((e) => (e ? fail(e) : done())));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const auth = SIGV4.exec(req.headers.authorization ?? '');
    const service = auth?.[4] ?? '(unsigned)';
    let answer: Answer;
    if (!auth || auth[1] !== FAKE_ACCESS_KEY_ID || auth[3] !== FAKE_REGION) {
      answer = refuse(
        `${req.method} ${req.url}`,
        `not SigV4-signed with ${FAKE_ACCESS_KEY_ID} for ${FAKE_REGION}: ${req.headers.authorization}`,
      );
    } else {
      answer = this.answer(service, req, body);
    }
    const record: FakeRequest = {
      service,
      operation: answer.operation,
      subject: answer.subject,
      status: answer.status,
    };
    (answer.error === UNSUPPORTED ? this.refused : this.handled).push(record);

    const requestId = `fake-${this.handled.length + this.refused.length}`;
    if (req.headers['content-type']?.startsWith('application/x-www-form-urlencoded')) {
      // An awsQuery client (STS) reads only an XML error.
      res.writeHead(answer.status, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId });
      res.end(
        `<ErrorResponse><Error><Type>Sender</Type><Code>${answer.error}</Code><Message>${escapeXml(
          answer.message ?? '',
        )}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
      );
      return;
    }
    res.writeHead(answer.status, {
      'content-type': service === 'kafka' ? 'application/json' : 'application/x-amz-json-1.1',
      'x-amzn-requestid': requestId,
      ...(answer.error ? { 'x-amzn-errortype': answer.error } : {}),
    });
    res.end(
      JSON.stringify(
        answer.error
          ? { __type: answer.error, ...(answer.message ? { message: answer.message } : {}) }
          : answer.body,
      ),
    );
  }

  private answer(service: string, req: IncomingMessage, body: string): Answer {
    const target = req.headers['x-amz-target'];
    const url = new URL(req.url ?? '/', 'http://fake');

    if (service === 'ssm' && req.method === 'POST' && target === 'AmazonSSM.GetParameter') {
      const { Name } = parseJson(body) as { Name?: string };
      const cluster = /^\/([^/]+)\/cluster-arn$/.exec(Name ?? '')?.[1];
      const operation = 'GetParameter';
      if (!cluster || !this.clusters.has(cluster)) {
        return apiError(400, 'ParameterNotFound', '', operation, String(Name));
      }
      const arn = clusterArnOf(cluster);
      return {
        status: 200,
        operation,
        subject: Name!,
        body: {
          Parameter: {
            Name,
            Type: 'String',
            Value: arn,
            Version: 1,
            LastModifiedDate: 1_700_000_000,
            ARN: `arn:aws:ssm:${FAKE_REGION}:${FAKE_ACCOUNT}:parameter${Name}`,
            DataType: 'text',
          },
        },
      };
    }

    const brokers = /^\/v1\/clusters\/([^/]+)\/bootstrap-brokers$/.exec(url.pathname);
    if (service === 'kafka' && req.method === 'GET' && brokers) {
      const arn = decodeURIComponent(brokers[1]);
      const operation = 'GetBootstrapBrokers';
      const cluster = [...this.clusters.values()].find((c) => clusterArnOf(c.name) === arn);
      if (!cluster) {
        return apiError(404, 'NotFoundException', `Cluster ${arn} not found.`, operation, arn);
      }
      return {
        status: 200,
        operation,
        subject: arn,
        body: {
          ...(cluster.scramBrokers ? { bootstrapBrokerStringSaslScram: cluster.scramBrokers } : {}),
          ...(cluster.iamBrokers ? { bootstrapBrokerStringSaslIam: cluster.iamBrokers } : {}),
        },
      };
    }

    if (
      service === 'secretsmanager' &&
      req.method === 'POST' &&
      target === 'secretsmanager.GetSecretValue'
    ) {
      const { SecretId } = parseJson(body) as { SecretId?: string };
      const operation = 'GetSecretValue';
      for (const cluster of this.clusters.values()) {
        for (const [user, secretString] of Object.entries(cluster.secrets)) {
          const name = scramSecretName(cluster.name, user);
          if (SecretId !== name) continue;
          return {
            status: 200,
            operation,
            subject: name,
            body: {
              ARN: `arn:aws:secretsmanager:${FAKE_REGION}:${FAKE_ACCOUNT}:secret:${name}-AbCdEf`,
              Name: name,
              VersionId: '00000000-0000-4000-8000-000000000001',
              SecretString: secretString,
              VersionStages: ['AWSCURRENT'],
              CreatedDate: 1_700_000_000,
            },
          };
        }
      }
      return apiError(
        400,
        'ResourceNotFoundException',
        "Secrets Manager can't find the specified secret.",
        operation,
        String(SecretId),
      );
    }

    const action = new URLSearchParams(body).get('Action'); // awsQuery (STS)
    return refuse(
      `${req.method} ${url.pathname}${target ? ` (${target})` : ''}${action ? ` (Action=${action})` : ''}`,
      `${service}: not implemented by the fake`,
    );
  }
}

const UNSUPPORTED = 'FakeAwsUnsupportedRequest';

function refuse(operation: string, why: string): Answer {
  return apiError(
    400,
    UNSUPPORTED,
    `The fake AWS does not serve ${operation}: ${why}`,
    operation,
    why,
  );
}

function apiError(
  status: number,
  code: string,
  message: string,
  operation: string,
  subject: string,
): Answer {
  return { status, error: code, message, operation, subject };
}

const escapeXml = (text: string): string =>
  text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return {};
  }
}
