/**
 * Every Kafka ACL the Cluster stack deploys for a configuration: each SCRAM user's permissions
 * (`aclBindingsFor`) and, for each consumer that reads with SASL/SCRAM, the ACLs Lambda's Kafka
 * event source needs (`lambdaConsumerBindings`), with WRITE on its dead-letter topic if it has one.
 * `npm run test:kafka` applies exactly these to a real broker.
 */
import type { AppConfig } from '../config';
import { deadLetterTopicOf } from '../config/consumers';
import { AclBinding, aclBindingsFor, lambdaConsumerBindings } from './spec';

export function platformAclBindings(
  config: Pick<AppConfig, 'scramUserPermissions' | 'consumers'>,
): AclBinding[] {
  return [
    ...config.scramUserPermissions.flatMap(aclBindingsFor),
    ...config.consumers
      .filter((c) => c.auth === 'scram')
      .flatMap((c) =>
        lambdaConsumerBindings(c.scramUser, c.topic, c.group, {
          deadLetterTopic: deadLetterTopicOf(c),
        }),
      ),
  ];
}
