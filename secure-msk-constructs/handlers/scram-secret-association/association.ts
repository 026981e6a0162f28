/**
 * Additive, owner-scoped SCRAM secret association for one MSK cluster: each function touches
 * only the secret ARNs it is given, never the cluster's whole list.
 */
import {
  BatchAssociateScramSecretCommand,
  BatchDisassociateScramSecretCommand,
  KafkaClient,
  NotFoundException,
  paginateListScramSecrets,
} from '@aws-sdk/client-kafka';
import { DescribeSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { isRetryableKafkaError } from '../shared/kafka-errors';
import { describeError, RetryOptions, withRetries } from '../shared/retry';
import { MSK_SECRET_PREFIX } from '../../model/scram-secret-name';
import {
  AssociationNotConfirmedError,
  SecretPreflightError,
  UnprocessedSecret,
  UnprocessedSecretsError,
} from './errors';

/** MSK accepts at most 10 secret ARNs per Batch(Dis)associateScramSecret call. */
export const MAX_ARNS_PER_CALL = 10;

export interface Deps {
  readonly kafka: KafkaClient;
  readonly secretsManager: SecretsManagerClient;
  /** Retry policy for MSK calls (busy cluster, throttling). */
  readonly retry: Omit<RetryOptions, 'isRetryable'>;
}

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

const retrying = <T>(deps: Deps, operation: string, fn: () => Promise<T>) =>
  withRetries(operation, fn, { ...deps.retry, isRetryable: isRetryableKafkaError });

/** Every secret ARN associated with the cluster (all pages). */
export async function listAssociated(deps: Deps, clusterArn: string): Promise<Set<string>> {
  return retrying(deps, `ListScramSecrets(${clusterArn})`, async () => {
    const arns = new Set<string>();
    for await (const page of paginateListScramSecrets(
      { client: deps.kafka },
      { ClusterArn: clusterArn },
    )) {
      for (const arn of page.SecretArnList ?? []) arns.add(arn);
    }
    return arns;
  });
}

/**
 * Checks every secret before MSK sees it: the name must start with `AmazonMSK_` and the secret
 * must use a customer-managed key (DescribeSecret omits KmsKeyId for the default key).
 * Reports all problems at once.
 */
export async function preflight(deps: Deps, secretArns: readonly string[]): Promise<void> {
  const problems: string[] = [];
  for (const arn of secretArns) {
    try {
      const secret = await deps.secretsManager.send(new DescribeSecretCommand({ SecretId: arn }));
      if (!secret.Name?.startsWith(MSK_SECRET_PREFIX)) {
        problems.push(
          `${arn}: name "${secret.Name}" must start with "${MSK_SECRET_PREFIX}" (MSK requirement)`,
        );
      }
      if (!secret.KmsKeyId || /alias\/aws\/secretsmanager$/.test(secret.KmsKeyId)) {
        problems.push(
          `${arn}: encrypted with the default aws/secretsmanager key; MSK needs a customer-managed KMS key`,
        );
      }
    } catch (error) {
      problems.push(`${arn}: cannot describe the secret (${describeError(error)})`);
    }
  }
  if (problems.length) throw new SecretPreflightError(problems);
}

/**
 * Makes sure every given secret is associated: associates the missing ones in chunks of 10,
 * fails on any unprocessed secret, then confirms with `ListScramSecrets`.
 * Already-associated secrets are left alone, so a re-run is harmless.
 *
 * @returns the ARNs this call associated
 */
export async function ensureAssociated(
  deps: Deps,
  clusterArn: string,
  secretArns: readonly string[],
): Promise<string[]> {
  await preflight(deps, secretArns);
  const before = await listAssociated(deps, clusterArn);
  const missing = secretArns.filter((arn) => !before.has(arn));

  const unprocessed: UnprocessedSecret[] = [];
  for (const arns of chunk(missing, MAX_ARNS_PER_CALL)) {
    const response = await retrying(deps, `BatchAssociateScramSecret(${clusterArn})`, () =>
      deps.kafka.send(
        new BatchAssociateScramSecretCommand({ ClusterArn: clusterArn, SecretArnList: arns }),
      ),
    );
    unprocessed.push(...(response.UnprocessedScramSecrets ?? []));
  }
  if (unprocessed.length) throw new UnprocessedSecretsError('associate', clusterArn, unprocessed);

  const after = await listAssociated(deps, clusterArn);
  const notListed = secretArns.filter((arn) => !after.has(arn));
  if (notListed.length) throw new AssociationNotConfirmedError(clusterArn, notListed);
  return missing;
}

const GONE = /not\s*found|does\s*not\s*exist|no\s+longer\s+exists|not\s+associated/i;

/**
 * Disassociates the given secrets (only those the cluster lists). A cluster that no longer
 * exists, or a secret that is gone, counts as done.
 *
 * @returns the ARNs this call disassociated
 */
export async function disassociate(
  deps: Deps,
  clusterArn: string,
  secretArns: readonly string[],
): Promise<string[]> {
  if (!secretArns.length) return [];
  let associated: Set<string>;
  try {
    associated = await listAssociated(deps, clusterArn);
  } catch (error) {
    if (error instanceof NotFoundException) return [];
    throw error;
  }
  const toRemove = secretArns.filter((arn) => associated.has(arn));

  const unprocessed: UnprocessedSecret[] = [];
  for (const arns of chunk(toRemove, MAX_ARNS_PER_CALL)) {
    try {
      const response = await retrying(deps, `BatchDisassociateScramSecret(${clusterArn})`, () =>
        deps.kafka.send(
          new BatchDisassociateScramSecretCommand({ ClusterArn: clusterArn, SecretArnList: arns }),
        ),
      );
      unprocessed.push(
        ...(response.UnprocessedScramSecrets ?? []).filter(
          (u) => !GONE.test(`${u.ErrorCode ?? ''} ${u.ErrorMessage ?? ''}`),
        ),
      );
    } catch (error) {
      if (error instanceof NotFoundException) return [];
      throw error;
    }
  }
  if (unprocessed.length)
    throw new UnprocessedSecretsError('disassociate', clusterArn, unprocessed);
  return toRemove;
}
