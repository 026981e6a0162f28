/**
 * Custom resource `Custom::MskBootstrapBrokers`: reads the cluster's SASL/SCRAM and IAM
 * bootstrap broker strings (CloudFormation does not return them from AWS::MSK::Cluster).
 *
 * Property: `ClusterArn`. Data: `SaslScram`, `SaslIam`, each at most
 * `MAX_BOOTSTRAP_BROKERS` brokers.
 *
 * Why a subset: a custom resource's whole response, `Data` included, is limited to 4,096 bytes
 * (CloudFormation User Guide, "Custom resource response objects"), and MSK's strings list every
 * broker: two strings for 30 brokers of a long cluster name would not fit. Clients need only a
 * few: `bootstrap.servers` is used "for the initial connection to discover the full cluster
 * membership ... this list need not contain the full set of servers" (Apache Kafka producer and
 * consumer configs, `bootstrap.servers`).
 */
import { GetBootstrapBrokersCommand, KafkaClient } from '@aws-sdk/client-kafka';
import type { CdkCustomResourceEvent, CdkCustomResourceResponse, Context } from 'aws-lambda';
import { redact } from '../shared/custom-resource';
import { isRetryableKafkaError } from '../shared/kafka-errors';
import { logger } from '../shared/logger';
import { customResourceRetry, RetryOptions, withRetries } from '../shared/retry';

/** The cluster has no brokers for an auth mode (that mode is not enabled on it). */
export class MissingBootstrapBrokersError extends Error {
  constructor(clusterArn: string, missing: readonly string[]) {
    super(
      `${clusterArn} returned no bootstrap brokers for ${missing.join(' and ')}; is that authentication enabled?`,
    );
    this.name = 'MissingBootstrapBrokersError';
  }
}

/** Bootstrap brokers handed to clients per auth mode: enough to survive a broker or AZ outage. */
export const MAX_BOOTSTRAP_BROKERS = 3;

/**
 * The first `max` brokers of an MSK bootstrap string by broker number (`b-1`, `b-2`, …; MSK
 * spreads consecutive broker ids over the AZs), in a stable order.
 */
export function bootstrapSubset(brokers: string, max = MAX_BOOTSTRAP_BROKERS): string {
  const number = (host: string) => Number(/^b-(\d+)\./.exec(host)?.[1] ?? Number.MAX_SAFE_INTEGER);
  return brokers
    .split(',')
    .map((host) => host.trim())
    .filter(Boolean)
    .sort((a, b) => number(a) - number(b) || a.localeCompare(b))
    .slice(0, max)
    .join(',');
}

export async function onEvent(
  event: CdkCustomResourceEvent,
  kafka: KafkaClient,
  retry: Omit<RetryOptions, 'isRetryable'>,
): Promise<CdkCustomResourceResponse> {
  logger.info('Custom resource event', { event: redact(event) });
  const clusterArn = event.ResourceProperties.ClusterArn as string;
  const physicalId = `bootstrap-brokers:${clusterArn}`;
  if (event.RequestType === 'Delete') return { PhysicalResourceId: event.PhysicalResourceId };

  const brokers = await withRetries(
    `GetBootstrapBrokers(${clusterArn})`,
    () => kafka.send(new GetBootstrapBrokersCommand({ ClusterArn: clusterArn })),
    { ...retry, isRetryable: isRetryableKafkaError },
  );
  const data = {
    SaslScram: brokers.BootstrapBrokerStringSaslScram,
    SaslIam: brokers.BootstrapBrokerStringSaslIam,
  };
  const missing = Object.entries(data)
    .filter(([, value]) => !value)
    .map(([name]) => (name === 'SaslScram' ? 'SASL/SCRAM' : 'IAM'));
  if (missing.length) throw new MissingBootstrapBrokersError(clusterArn, missing);
  const subset = {
    SaslScram: bootstrapSubset(data.SaslScram!),
    SaslIam: bootstrapSubset(data.SaslIam!),
  };
  logger.info('Bootstrap brokers', { clusterArn, ...subset });
  return { PhysicalResourceId: physicalId, Data: subset };
}

const kafka = new KafkaClient({});

export async function handler(
  event: CdkCustomResourceEvent,
  context: Context,
): Promise<CdkCustomResourceResponse> {
  logger.addContext(context);
  try {
    return await onEvent(
      event,
      kafka,
      customResourceRetry(() => context.getRemainingTimeInMillis()),
    );
  } catch (error) {
    logger.error('Reading bootstrap brokers failed', { error });
    throw error;
  }
}
