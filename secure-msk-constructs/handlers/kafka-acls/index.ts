/**
 * Custom resource `Custom::MskKafkaAcls` (behind the aws-cdk-lib Provider framework): makes the
 * cluster hold this resource's Kafka ACLs, and touches no other ACL. It connects as itself over
 * MSK IAM access control (kafkajs admin client, SASL/OAUTHBEARER tokens from
 * aws-msk-iam-sasl-signer-js, TLS, port 9098): Kafka ACLs do not apply to IAM identities, so the
 * handler needs no ACL of its own, only `kafka-cluster:Connect`, `DescribeCluster` and
 * `AlterCluster` on the cluster (MSK Developer Guide, "IAM access control" and "Semantics of IAM
 * authorization policy actions and resources").
 *
 * Properties: `ClusterArn` (string); `BootstrapBrokers` (optional string, the IAM brokers
 * `b-1…:9098,…`; looked up with `kafka:GetBootstrapBrokers` when absent); `Bindings` (list of
 * `{ resourceType, resourceName, patternType, principal, host, operation, permission }`).
 * - Create: create the missing ACLs, confirm with DescribeAcls. If one fails, the ACLs this
 *   request created are deleted again (the Provider framework ignores the Delete that follows a
 *   failed Create) and the error names every failed ACL with Kafka's error code.
 * - Update: same cluster → create the added ACLs, delete the removed ones (only ACLs listed in
 *   `OldResourceProperties`), confirm; new cluster → create all and return a new physical id, so
 *   CloudFormation's Delete removes them from the old cluster.
 * - Delete: delete this resource's ACLs; a cluster that no longer exists counts as done.
 *
 * A binding this resource lists is owned by it: one that already existed is adopted, and
 * removing it from the list deletes it. Two resources must not list the same ACL.
 */
import { KafkaClient } from '@aws-sdk/client-kafka';
import type { CdkCustomResourceEvent, CdkCustomResourceResponse, Context } from 'aws-lambda';
import { generateAuthToken } from 'aws-msk-iam-sasl-signer-js';
import { Kafka, logLevel } from 'kafkajs';
import {
  AclBinding,
  bindingProblems,
  formatBinding,
  normalizeBindings,
} from '../../model/acl-binding';
import { KAFKA_PORTS } from '../../model/kafka-ports';
import { redact } from '../shared/custom-resource';
import { logger } from '../shared/logger';
import { mskIamSasl } from '../shared/msk-iam-sasl';
import { customResourceRetry } from '../shared/retry';
import { Deps, iamBrokersOf, reconcile, withAdmin } from './acls';
import { InvalidPropertiesError } from './errors';

export interface KafkaAclsProperties {
  readonly clusterArn: string;
  /** The IAM bootstrap brokers, when the construct was given them. */
  readonly bootstrapBrokers?: readonly string[];
  readonly bindings: readonly AclBinding[];
}

export const physicalIdFor = (clusterArn: string): string => `kafka-acls:${clusterArn}`;

const CLUSTER_ARN = /^arn:[^:]+:kafka:[a-z0-9-]+:\d{12}:cluster\/[^/]+\/[^/]+$/;
/** A broker of MSK's IAM listener inside the VPC (`KAFKA_PORTS.iam`). */
const IAM_BROKER = new RegExp(`^[A-Za-z0-9.-]+:${KAFKA_PORTS.iam}$`);

/** Reads and checks `ClusterArn`, `BootstrapBrokers` and `Bindings`, reporting every problem. */
export function parseProperties(
  properties: Record<string, unknown> | undefined,
): KafkaAclsProperties {
  const problems: string[] = [];
  const clusterArn = properties?.ClusterArn;
  if (typeof clusterArn !== 'string' || !CLUSTER_ARN.test(clusterArn)) {
    problems.push(`ClusterArn must be an MSK cluster ARN, got ${JSON.stringify(clusterArn)}`);
  }

  let bootstrapBrokers: string[] | undefined;
  const rawBrokers = properties?.BootstrapBrokers;
  if (rawBrokers !== undefined && rawBrokers !== '') {
    bootstrapBrokers =
      typeof rawBrokers === 'string' ? rawBrokers.split(',').map((b) => b.trim()) : [];
    if (!bootstrapBrokers.length || !bootstrapBrokers.every((b) => IAM_BROKER.test(b))) {
      problems.push(
        `BootstrapBrokers must be the IAM bootstrap brokers (host:${KAFKA_PORTS.iam},…), got ${JSON.stringify(rawBrokers)}`,
      );
    }
  }

  const rawBindings = properties?.Bindings ?? [];
  const bindings: AclBinding[] = [];
  if (!Array.isArray(rawBindings)) {
    problems.push(`Bindings must be a list, got ${JSON.stringify(rawBindings)}`);
  } else {
    rawBindings.forEach((raw, i) => {
      const found = bindingProblems(raw);
      if (found.length) problems.push(...found.map((p) => `Bindings[${i}]: ${p}`));
      else bindings.push(raw as AclBinding);
    });
  }

  if (problems.length) throw new InvalidPropertiesError(problems.join('; '));
  return {
    clusterArn: clusterArn as string,
    bootstrapBrokers,
    bindings: normalizeBindings(bindings),
  };
}

export async function onEvent(
  event: CdkCustomResourceEvent,
  deps: Deps,
): Promise<CdkCustomResourceResponse> {
  logger.info('Custom resource event', { event: redact(event) });
  const props = parseProperties(event.ResourceProperties);
  const physicalId = physicalIdFor(props.clusterArn);
  const data = { BindingCount: props.bindings.length };

  switch (event.RequestType) {
    case 'Create': {
      const result = await apply(deps, props, [], true);
      logger.info('Created Kafka ACLs', { clusterArn: props.clusterArn, ...result });
      return { PhysicalResourceId: physicalId, Data: data };
    }
    case 'Update': {
      const old = parseProperties(event.OldResourceProperties);
      // On a new cluster, the old ACLs are removed by the Delete that CloudFormation sends for
      // the old physical id; a failure on the new cluster leaves nothing behind there.
      const sameCluster = old.clusterArn === props.clusterArn;
      const result = await apply(deps, props, sameCluster ? old.bindings : [], !sameCluster);
      logger.info('Updated Kafka ACLs', { clusterArn: props.clusterArn, ...result });
      return { PhysicalResourceId: physicalId, Data: data };
    }
    case 'Delete': {
      // GetBootstrapBrokers first, also when the brokers were given: NotFound means the cluster
      // (and every ACL on it) is gone.
      const brokers = await iamBrokersOf(deps, props.clusterArn);
      if (!brokers) {
        logger.info('The cluster no longer exists; nothing to delete', {
          clusterArn: props.clusterArn,
        });
        return { PhysicalResourceId: event.PhysicalResourceId };
      }
      const result = await withAdmin(
        deps,
        props.clusterArn,
        props.bootstrapBrokers ?? brokers,
        (admin) =>
          reconcile(deps, admin, props.clusterArn, {
            desired: [],
            owned: props.bindings,
            compensate: false,
          }),
      );
      logger.info('Deleted Kafka ACLs', { clusterArn: props.clusterArn, ...result });
      return { PhysicalResourceId: event.PhysicalResourceId };
    }
  }
}

async function apply(
  deps: Deps,
  props: KafkaAclsProperties,
  owned: readonly AclBinding[],
  compensate: boolean,
): Promise<{ created: string[]; deleted: string[] }> {
  const brokers = props.bootstrapBrokers ?? (await iamBrokersOf(deps, props.clusterArn));
  if (!brokers) {
    throw new InvalidPropertiesError(`Cluster ${props.clusterArn} does not exist`);
  }
  const result = await withAdmin(deps, props.clusterArn, brokers, (admin) =>
    reconcile(deps, admin, props.clusterArn, {
      desired: props.bindings,
      owned,
      compensate,
    }),
  );
  return { created: result.created.map(formatBinding), deleted: result.deleted.map(formatBinding) };
}

const kafka = new KafkaClient({});

/** kafkajs logs go through the function's Powertools logger (JSON), warnings and errors only. */
const kafkajsLogs = () => (entry: { level: number; log: { message: string } }) => {
  const { message, ...details } = entry.log;
  if (entry.level === logLevel.ERROR) logger.error(`kafkajs: ${message}`, details);
  else logger.warn(`kafkajs: ${message}`, details);
};

/** A kafkajs admin client over MSK IAM: TLS, SASL/OAUTHBEARER with signer tokens. */
export function createIamAdmin(brokers: readonly string[], region: string) {
  return new Kafka({
    clientId: 'msk-secure-stack-kafka-acls',
    brokers: [...brokers],
    ssl: true,
    sasl: mskIamSasl(() => generateAuthToken({ region })),
    connectionTimeout: 10_000,
    authenticationTimeout: 10_000,
    requestTimeout: 30_000,
    retry: { retries: 3 },
    logLevel: logLevel.WARN,
    logCreator: kafkajsLogs,
  }).admin();
}

/** Lambda entry point. */
export async function handler(
  event: CdkCustomResourceEvent,
  context: Context,
): Promise<CdkCustomResourceResponse> {
  logger.addContext(context);
  try {
    return await onEvent(event, {
      kafka,
      createAdmin: createIamAdmin,
      retry: customResourceRetry(
        () => context.getRemainingTimeInMillis(),
        (error, attempt, delayMs) => logger.warn('Retrying', { error, attempt, delayMs }),
      ),
    });
  } catch (error) {
    logger.error('Kafka ACLs failed', { error });
    throw error;
  }
}
