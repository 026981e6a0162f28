import { callerArn, Connection, Deps } from '../connection';

export async function whoami(connection: Connection, deps: Deps): Promise<void> {
  const principal =
    connection.auth === 'scram'
      ? `SCRAM user ${connection.scramUser}`
      : `IAM principal ${await callerArn(connection.aws.sts)}`;
  deps.out(`cluster:  ${connection.clusterArn}`);
  deps.out(
    `auth:     ${connection.auth === 'scram' ? 'SASL/SCRAM-SHA-512 over TLS' : 'IAM (OAUTHBEARER) over TLS'}`,
  );
  deps.out(`identity: ${principal}`);
  deps.out(`brokers:  ${connection.brokers.join(',')}`);
}
