import {
  formatBinding,
  normalizeBindings,
  scramPrincipal,
} from '../../../secure-msk-constructs/model';
import {
  describeBindings,
  kafkaErrorCode,
} from '../../../secure-msk-constructs/handlers/shared/kafka-acl-admin';
import type { Connection, Deps } from '../connection';
import { CliError } from '../errors';
import type { AclsOptions } from '../options';

/**
 * `acls [list] [--user NAME]`: the cluster's ACLs, one line per binding, sorted by principal and
 * resource. Lines go to stdout, the count and notes to stderr (so the list can be piped).
 */
export async function acls(
  connection: Connection,
  options: AclsOptions,
  deps: Deps,
): Promise<void> {
  const principal = options.user
    ? options.user.startsWith('User:')
      ? options.user
      : scramPrincipal(options.user)
    : undefined;
  const admin = connection.kafka.admin();
  await admin.connect();
  try {
    let bindings;
    try {
      bindings = normalizeBindings(await describeBindings(admin, principal));
    } catch (error) {
      // DescribeAcls is DESCRIBE on the CLUSTER (Apache Kafka wiki, "Kafka Authorizations"),
      // which MSK's IAM access control maps to kafka-cluster:DescribeCluster.
      if (/CLUSTER_AUTHORIZATION_FAILED/.test(kafkaErrorCode(error))) {
        throw new CliError(
          `Not authorized to describe the cluster's ACLs (${(error as Error).message}).`,
          `Grant the principal kafka-cluster:Connect and kafka-cluster:DescribeCluster on ${connection.clusterArn}.`,
        );
      }
      if (/SECURITY_DISABLED/.test(kafkaErrorCode(error))) {
        throw new CliError('The cluster has no authorizer: it keeps no ACLs.');
      }
      throw error;
    }
    for (const binding of bindings) deps.out(formatBinding(binding));
    const whose = principal ? ` for ${principal}` : '';
    deps.err(`${bindings.length} ACL binding${bindings.length === 1 ? '' : 's'}${whose}.`);
    if (!bindings.length) {
      deps.err(
        'A topic or group without any ACL is open to every SCRAM user while the cluster keeps ' +
          "MSK's default allow.everyone.if.no.acl.found=true; IAM principals are authorized by IAM policies, not ACLs.",
      );
    }
  } finally {
    await admin.disconnect();
  }
}
