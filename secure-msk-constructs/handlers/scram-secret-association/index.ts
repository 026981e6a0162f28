/**
 * Custom resource `Custom::MskScramSecretAssociation` (behind the aws-cdk-lib Provider
 * framework): associates this resource's SCRAM secrets with an MSK cluster, and only those.
 *
 * Why not `AWS::MSK::BatchScramSecret`: it owns the cluster's whole secret list, so a second
 * stack's users get removed. Why not the alpha construct's `addUser`: it never disassociates and
 * reports success when MSK rejects a secret (aws-cdk#34794).
 *
 * Properties: `ClusterArn` (string), `SecretArns` (string[]).
 * - Create: associate all (chunks of 10), confirm with ListScramSecrets.
 * - Update: same cluster → associate added, disassociate removed; new cluster → associate all
 *   and return a new physical id, so CloudFormation deletes (disassociates) the old one.
 * - Delete: disassociate this resource's secrets; a cluster or secret already gone is success.
 */
import { KafkaClient } from '@aws-sdk/client-kafka';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { CdkCustomResourceEvent, CdkCustomResourceResponse, Context } from 'aws-lambda';
import { redact } from '../shared/custom-resource';
import { customResourceRetry } from '../shared/retry';
import { logger } from '../shared/logger';
import { Deps, disassociate, ensureAssociated } from './association';
import { InvalidPropertiesError } from './errors';

export interface AssociationProperties {
  readonly clusterArn: string;
  readonly secretArns: readonly string[];
}

export const physicalIdFor = (clusterArn: string): string =>
  `scram-secret-association:${clusterArn}`;

/** Reads and checks `ClusterArn` / `SecretArns` from CloudFormation properties. */
export function parseProperties(
  properties: Record<string, unknown> | undefined,
): AssociationProperties {
  const clusterArn = properties?.ClusterArn;
  const secretArns = properties?.SecretArns;
  if (typeof clusterArn !== 'string' || !/^arn:[^:]+:kafka:/.test(clusterArn)) {
    throw new InvalidPropertiesError(
      `ClusterArn must be an MSK cluster ARN, got ${JSON.stringify(clusterArn)}`,
    );
  }
  if (
    !Array.isArray(secretArns) ||
    !secretArns.every((a) => typeof a === 'string' && a.startsWith('arn:'))
  ) {
    throw new InvalidPropertiesError(
      `SecretArns must be a list of secret ARNs, got ${JSON.stringify(secretArns)}`,
    );
  }
  return { clusterArn, secretArns: [...new Set(secretArns as string[])] };
}

export async function onEvent(
  event: CdkCustomResourceEvent,
  deps: Deps,
): Promise<CdkCustomResourceResponse> {
  logger.info('Custom resource event', { event: redact(event) });
  const props = parseProperties(event.ResourceProperties);
  const physicalId = physicalIdFor(props.clusterArn);

  switch (event.RequestType) {
    case 'Create': {
      const associated = await ensureAssociated(deps, props.clusterArn, props.secretArns);
      logger.info('Associated SCRAM secrets', { clusterArn: props.clusterArn, associated });
      return { PhysicalResourceId: physicalId, Data: { SecretCount: props.secretArns.length } };
    }
    case 'Update': {
      const old = parseProperties(event.OldResourceProperties);
      const associated = await ensureAssociated(deps, props.clusterArn, props.secretArns);
      // On a new cluster, the old association is cleaned up by the Delete that CloudFormation
      // sends for the old physical id.
      const removed =
        old.clusterArn === props.clusterArn
          ? await disassociate(
              deps,
              props.clusterArn,
              old.secretArns.filter((arn) => !props.secretArns.includes(arn)),
            )
          : [];
      logger.info('Updated SCRAM secret association', {
        clusterArn: props.clusterArn,
        associated,
        removed,
      });
      return { PhysicalResourceId: physicalId, Data: { SecretCount: props.secretArns.length } };
    }
    case 'Delete': {
      const removed = await disassociate(deps, props.clusterArn, props.secretArns);
      logger.info('Disassociated SCRAM secrets', { clusterArn: props.clusterArn, removed });
      return { PhysicalResourceId: event.PhysicalResourceId };
    }
  }
}

const kafka = new KafkaClient({});
const secretsManager = new SecretsManagerClient({});

/** Lambda entry point. */
export async function handler(
  event: CdkCustomResourceEvent,
  context: Context,
): Promise<CdkCustomResourceResponse> {
  logger.addContext(context);
  try {
    return await onEvent(event, {
      kafka,
      secretsManager,
      retry: customResourceRetry(
        () => context.getRemainingTimeInMillis(),
        (error, attempt, delayMs) => logger.warn('Retrying MSK call', { error, attempt, delayMs }),
      ),
    });
  } catch (error) {
    logger.error('SCRAM secret association failed', { error });
    throw error;
  }
}
