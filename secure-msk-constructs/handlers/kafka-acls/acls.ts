/**
 * Owner-scoped Kafka ACL administration over MSK IAM auth: creates the ACLs it is given that are
 * missing, deletes only ACLs it is told it owns, one exact filter per ACL, and confirms the
 * result with DescribeAcls. Anyone else's ACLs are never matched.
 */
import { GetBootstrapBrokersCommand, KafkaClient, NotFoundException } from '@aws-sdk/client-kafka';
import { AclBinding, bindingKey, formatBinding } from '../../model/acl-binding';
import {
  AclAdmin,
  describeBindings,
  kafkaErrorCode,
  toAclEntry,
  toExactFilter,
} from '../shared/kafka-acl-admin';
import { isRetryableKafkaError } from '../shared/kafka-errors';
import { logger } from '../shared/logger';
import { describeError, RetriesExhaustedError, RetryOptions, withRetries } from '../shared/retry';
import {
  AclFailure,
  AclOperationsFailedError,
  AclsNotConfirmedError,
  InvalidPropertiesError,
  KafkaAccessError,
} from './errors';

export interface Deps {
  /** MSK control plane: GetBootstrapBrokers. */
  readonly kafka: KafkaClient;
  /** A kafkajs admin client for these IAM brokers (TLS, SASL/OAUTHBEARER); a fake in tests. */
  createAdmin(brokers: readonly string[], region: string): AclAdmin;
  /** Retry policy for transient MSK and Kafka errors. */
  readonly retry: Omit<RetryOptions, 'isRetryable'>;
}

/**
 * Worth another attempt: a kafkajs error marked retriable (e.g. REQUEST_TIMED_OUT), or a
 * describe that does not show a change yet (ACLs reach every broker asynchronously).
 * Connection failures arrive after kafkajs's own retries as non-retriable errors.
 */
export function isRetryableAclError(error: unknown): boolean {
  if (error instanceof AclsNotConfirmedError) return true;
  return (error as { retriable?: unknown } | undefined)?.retriable === true;
}

const retrying = <T>(deps: Deps, operation: string, fn: () => Promise<T>) =>
  withRetries(operation, fn, { ...deps.retry, isRetryable: isRetryableAclError });

/** The Region of an MSK cluster ARN (`arn:<partition>:kafka:<region>:…`). */
export const regionOf = (clusterArn: string): string => clusterArn.split(':')[3];

/**
 * The cluster's IAM bootstrap brokers from `kafka:GetBootstrapBrokers`, or undefined when the
 * cluster no longer exists.
 */
export async function iamBrokersOf(deps: Deps, clusterArn: string): Promise<string[] | undefined> {
  let brokers: string | undefined;
  try {
    brokers = (
      await withRetries(
        `GetBootstrapBrokers(${clusterArn})`,
        () => deps.kafka.send(new GetBootstrapBrokersCommand({ ClusterArn: clusterArn })),
        { ...deps.retry, isRetryable: isRetryableKafkaError },
      )
    ).BootstrapBrokerStringSaslIam;
  } catch (error) {
    if (error instanceof NotFoundException) return undefined;
    throw error;
  }
  if (!brokers) {
    throw new InvalidPropertiesError(
      `${clusterArn} has no IAM bootstrap brokers: IAM access control must be enabled on the cluster`,
    );
  }
  return brokers.split(',').map((b) => b.trim());
}

/** Turns kafkajs connection, SASL and cluster-authorization failures into a KafkaAccessError. */
export function explainAccessFailure(
  error: unknown,
  clusterArn: string,
  brokers: readonly string[],
): unknown {
  const root = error instanceof RetriesExhaustedError ? error.lastError : error;
  if (
    root instanceof AclOperationsFailedError ||
    root instanceof AclsNotConfirmedError ||
    root instanceof KafkaAccessError ||
    root instanceof InvalidPropertiesError
  ) {
    return error;
  }
  if (/CLUSTER_AUTHORIZATION_FAILED|SECURITY_DISABLED/.test(kafkaErrorCode(root))) {
    return new KafkaAccessError('authorize', clusterArn, brokers, error);
  }
  const text = [root, (root as { cause?: unknown })?.cause]
    .map((e) => (e instanceof Error ? `${e.name} ${e.message}` : ''))
    .join(' ');
  if (/SASL|Authentication/i.test(text)) {
    return new KafkaAccessError('authenticate', clusterArn, brokers, error);
  }
  // Not kafkajs's NumberOfRetriesExceeded itself: it wraps whatever kafkajs retried (a protocol
  // error such as NOT_CONTROLLER too), and its cause, also in `text`, says what happened.
  if (
    /KafkaJSConnection|ETIMEDOUT|ECONNREFUSED|EHOSTUNREACH|ENOTFOUND|Connection timeout|Closed connection/i.test(
      text,
    )
  ) {
    return new KafkaAccessError('connect', clusterArn, brokers, error);
  }
  return error;
}

/** Connects an admin client, runs `fn`, always disconnects; access failures say what to check. */
export async function withAdmin<T>(
  deps: Deps,
  clusterArn: string,
  brokers: readonly string[],
  fn: (admin: AclAdmin) => Promise<T>,
): Promise<T> {
  const admin = deps.createAdmin(brokers, regionOf(clusterArn));
  try {
    await admin.connect();
    return await fn(admin);
  } catch (error) {
    throw explainAccessFailure(error, clusterArn, brokers);
  } finally {
    await admin
      .disconnect()
      .catch((error: unknown) =>
        logger.warn('Disconnecting the Kafka admin client failed', { error }),
      );
  }
}

export interface ReconcileRequest {
  /** ACLs that must exist afterwards. */
  readonly desired: readonly AclBinding[];
  /** ACLs this resource owned before; those not desired any more are deleted. */
  readonly owned: readonly AclBinding[];
  /** On a creation failure, delete the ACLs this call created before failing (Create only). */
  readonly compensate: boolean;
}

export interface ReconcileResult {
  readonly created: readonly AclBinding[];
  readonly deleted: readonly AclBinding[];
}

const failureOf = (binding: AclBinding, error: unknown): AclFailure => ({
  binding,
  code: kafkaErrorCode(error),
  message: describeError((error as { cause?: unknown })?.cause ?? error),
});

/**
 * Creates the desired ACLs that are missing (one CreateAcls entry per call, so that each error
 * names its ACL), deletes owned ACLs that are no longer desired (one exact filter per call),
 * then confirms both with DescribeAcls. Every failure is reported at once.
 */
export async function reconcile(
  deps: Deps,
  admin: AclAdmin,
  clusterArn: string,
  request: ReconcileRequest,
): Promise<ReconcileResult> {
  const list = async () =>
    new Set(
      (await retrying(deps, `DescribeAcls(${clusterArn})`, () => describeBindings(admin))).map(
        bindingKey,
      ),
    );
  const before = await list();
  const desiredKeys = new Set(request.desired.map(bindingKey));

  const created: AclBinding[] = [];
  const createFailures: AclFailure[] = [];
  for (const binding of request.desired.filter((b) => !before.has(bindingKey(b)))) {
    try {
      await retrying(deps, `CreateAcls(${formatBinding(binding)})`, () =>
        admin.createAcls({ acl: [toAclEntry(binding)] }),
      );
      created.push(binding);
    } catch (error) {
      createFailures.push(failureOf(binding, error));
    }
  }
  if (createFailures.length) {
    const rolledBack = request.compensate ? await deleteAll(deps, admin, created) : [];
    throw new AclOperationsFailedError('create', clusterArn, createFailures, rolledBack);
  }

  const toDelete = request.owned.filter(
    (b) => !desiredKeys.has(bindingKey(b)) && before.has(bindingKey(b)),
  );
  const deleted: AclBinding[] = [];
  const deleteFailures: AclFailure[] = [];
  for (const binding of toDelete) {
    try {
      await deleteOne(deps, admin, binding);
      deleted.push(binding);
    } catch (error) {
      deleteFailures.push(failureOf(binding, error));
    }
  }
  if (deleteFailures.length) {
    throw new AclOperationsFailedError('delete', clusterArn, deleteFailures);
  }

  await retrying(deps, `Confirming the ACLs of ${clusterArn}`, async () => {
    const after = await list();
    const missing = request.desired.filter((b) => !after.has(bindingKey(b)));
    const lingering = deleted.filter((b) => after.has(bindingKey(b)));
    if (missing.length || lingering.length) {
      throw new AclsNotConfirmedError(clusterArn, missing, lingering);
    }
  });
  return { created, deleted };
}

async function deleteOne(deps: Deps, admin: AclAdmin, binding: AclBinding): Promise<void> {
  const response = await retrying(deps, `DeleteAcls(${formatBinding(binding)})`, () =>
    admin.deleteAcls({ filters: [toExactFilter(binding)] }),
  );
  const matched = response.filterResponses.flatMap((r) => r.matchingAcls);
  if (matched.length > 1) {
    // An exact filter matches at most the identical ACL; anything else is worth a loud log line.
    logger.error('An exact DeleteAcls filter matched more than one ACL', {
      binding: formatBinding(binding),
      matched: matched.length,
    });
  }
}

/** Best-effort deletion of ACLs this request created (a failed Create must leave none). */
async function deleteAll(
  deps: Deps,
  admin: AclAdmin,
  bindings: readonly AclBinding[],
): Promise<AclBinding[]> {
  const deleted: AclBinding[] = [];
  for (const binding of bindings) {
    try {
      await deleteOne(deps, admin, binding);
      deleted.push(binding);
    } catch (error) {
      logger.error('Could not delete an ACL this request created', {
        binding: formatBinding(binding),
        error,
      });
    }
  }
  return deleted;
}
