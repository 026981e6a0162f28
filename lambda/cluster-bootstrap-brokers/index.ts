/**
 * Custom resource `Custom::MskBootstrapBrokers`: reads the cluster's SASL/SCRAM and IAM
 * bootstrap broker strings (CloudFormation does not return them from AWS::MSK::Cluster).
 *
 * Property: `ClusterArn`. Data: `SaslScram`, `SaslIam`.
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
  logger.info('Bootstrap brokers', { clusterArn, ...data });
  return { PhysicalResourceId: physicalId, Data: data };
}

const kafka = new KafkaClient({});

export async function handler(
  event: CdkCustomResourceEvent,
  context: Context,
): Promise<CdkCustomResourceResponse> {
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
