/**
 * Every Kafka ACL the Cluster stack deploys for a configuration: each SCRAM user's permissions
 * (`aclBindingsFor`) and, for each consumer that reads with SASL/SCRAM, the ACLs Lambda's Kafka
 * event source needs (`lambdaConsumerBindings`). `npm run test:kafka` applies exactly these to a
 * real broker.
 */
import type { AppConfig } from '../config';
import { AclBinding, aclBindingsFor, lambdaConsumerBindings } from './spec';

export function platformAclBindings(
  config: Pick<AppConfig, 'scramUserPermissions' | 'consumers'>,
): AclBinding[] {
  return [
    ...config.scramUserPermissions.flatMap(aclBindingsFor),
    ...config.consumers
      .filter((c) => c.auth === 'scram')
      .flatMap((c) => lambdaConsumerBindings(c.scramUser, c.topic, c.group)),
  ];
}
