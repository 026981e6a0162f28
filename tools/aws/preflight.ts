/**
 * Before `npm run deploy` or `npm run integ` synthesizes or deploys anything: are there AWS
 * credentials and a Region, and whose are they? One STS `GetCallerIdentity` through the SDK's
 * default credential chain (environment, SSO, shared files, process, web identity,
 * container/instance metadata), bounded by a timeout so that a metadata endpoint that never
 * answers cannot hang the run. The Region is the SDK's (AWS_REGION, then the profile's), then
 * AWS_DEFAULT_REGION, which the CDK CLI reads too.
 */
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';

/** A problem the caller fixes before running again; printed without a stack trace. */
export class PreflightError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PreflightError';
  }
}

export interface Caller {
  readonly account: string;
  readonly arn: string;
  readonly region: string;
}

export interface PreflightOptions {
  /** The command the messages name, e.g. `npm run deploy`. */
  readonly command: string;
  /** Which account the credentials are for, as in "Set credentials for the account to test in". */
  readonly account: string;
  /** The client to ask (a mock in tests); default: `new STSClient({})`, the default chain. */
  readonly sts?: STSClient;
  /** Give up after this long. @default 15000 */
  readonly timeoutMs?: number;
  /** Where AWS_DEFAULT_REGION is read. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
}

const howToFix = (account: string) =>
  `Set credentials for the account ${account} (AWS_PROFILE, or AWS_ACCESS_KEY_ID and ` +
  "AWS_SECRET_ACCESS_KEY, or `aws sso login`) and a Region (AWS_REGION or the profile's " +
  'region), then run it again. Nothing was synthesized or deployed.';

const NETWORK_ERROR =
  /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH/;

const CREDENTIAL_ERRORS = new Set([
  'CredentialsProviderError',
  'ProviderError',
  'TokenProviderError',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'ExpiredToken',
  'ExpiredTokenException',
  'SignatureDoesNotMatch',
  'AccessDenied',
]);

/**
 * The caller's account, ARN and Region.
 *
 * @throws PreflightError naming what is missing and how to provide it
 */
export async function checkCredentials(options: PreflightOptions): Promise<Caller> {
  const { command } = options;
  const HOW_TO_FIX = howToFix(options.account);
  let sts = options.sts ?? new STSClient({});
  const timeoutMs = options.timeoutMs ?? 15_000;
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  const timedOut = new Promise<never>((_, reject) =>
    abort.signal.addEventListener('abort', () => reject(new TimeoutError())),
  );
  timedOut.catch(() => undefined);
  try {
    // Both first, without a network call where possible, so that one message names both.
    const defaultRegion = (options.env ?? process.env).AWS_DEFAULT_REGION || undefined;
    const sdkRegion = await Promise.race([sts.config.region(), timedOut]).catch((error: unknown) =>
      error instanceof TimeoutError ? Promise.reject(error) : undefined,
    );
    const region = sdkRegion || defaultRegion;
    if (!sdkRegion && region && !options.sts) sts = new STSClient({ region });
    const credentials = await Promise.race([sts.config.credentials(), timedOut]).then(
      () => ({ ok: true as const }),
      (error: unknown) =>
        error instanceof TimeoutError ? Promise.reject(error) : { ok: false as const, error },
    );
    const missing = [...(credentials.ok ? [] : ['credentials']), ...(region ? [] : ['Region'])];
    if (missing.length > 0) {
      const detail = credentials.ok ? '' : ` (${describe(credentials.error)})`;
      throw new PreflightError(
        `${command} needs AWS credentials and a Region, and found no ${missing.join(' and no ')}` +
          `${detail}. ${HOW_TO_FIX}`,
      );
    }
    const identity = await Promise.race([
      sts.send(new GetCallerIdentityCommand({}), { abortSignal: abort.signal }),
      timedOut,
    ]);
    if (!identity.Account || !identity.Arn) {
      throw new PreflightError(`STS GetCallerIdentity answered without an account. ${HOW_TO_FIX}`);
    }
    return { account: identity.Account, arn: identity.Arn, region: region! };
  } catch (error) {
    if (error instanceof PreflightError) throw error;
    const e = error as { name?: string; message?: string };
    if (error instanceof TimeoutError || abort.signal.aborted || e.name === 'AbortError') {
      throw new PreflightError(
        `${command} could not confirm AWS credentials within ${timeoutMs / 1000} s ` +
          '(the credential chain or STS GetCallerIdentity did not answer). Check the network ' +
          `path to STS and, outside EC2, set AWS_EC2_METADATA_DISABLED=true. ${HOW_TO_FIX}`,
      );
    }
    if (CREDENTIAL_ERRORS.has(e.name ?? '')) {
      throw new PreflightError(
        `${command} needs working AWS credentials: STS refused the ones found ` +
          `(${describe(error)}). ${HOW_TO_FIX}`,
      );
    }
    if (NETWORK_ERROR.test(`${e.name} ${e.message} ${(error as { code?: string }).code ?? ''}`)) {
      throw new PreflightError(
        `${command} found credentials but cannot reach STS (${describe(error)}): it needs ` +
          'network access to the AWS APIs of the Region (and CloudFormation and S3 for the ' +
          'deployment). Nothing was synthesized or deployed.',
      );
    }
    throw new PreflightError(`STS GetCallerIdentity failed (${describe(error)}). ${HOW_TO_FIX}`);
  } finally {
    clearTimeout(timer);
  }
}

class TimeoutError extends Error {}

function describe(error: unknown): string {
  const e = error as { name?: string; message?: string };
  return `${e?.name ?? 'Error'}: ${e?.message ?? String(error)}`;
}
