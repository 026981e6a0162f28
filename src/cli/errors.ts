/** An error the CLI explains to its user: what went wrong and what to do. */
export class CliError extends Error {
  constructor(
    message: string,
    /** What to do about it. */
    public readonly hint?: string,
    /** Process exit code. */
    public readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

const CONNECTIVITY_HINT =
  'The brokers are only reachable from inside the VPC (private subnets, port 9096 for SCRAM, 9098 ' +
  "for IAM) or over a network path into it: run the client on a host in the cluster's VPC with " +
  'the "clients" security group, or through a VPN/peering. See docs/troubleshooting.md#connection-timeout.';

const groupHint = (context: { auth: string }): string =>
  context.auth === 'iam'
    ? 'IAM: grant kafka-cluster:DescribeGroup and AlterGroup on the group ARN (grantConsume).'
    : 'SCRAM users are authorized by Kafka ACLs: the user needs READ on the group (a consume ' +
      'permission naming it), or pass a --group its ACLs allow.';

/** Turns AWS SDK and kafkajs errors into a CliError that says what to do. */
export function explain(error: unknown, context: { auth: string; user?: string }): CliError {
  if (error instanceof CliError) return error;
  const e = error as { name?: string; message?: string; type?: string; cause?: unknown };
  const name = e?.name ?? '';
  const message = e?.message ?? String(error);
  const type = e?.type ?? (e?.cause as { type?: string } | undefined)?.type ?? '';

  if (name === 'CredentialsProviderError' || /Could not load credentials/i.test(message)) {
    return new CliError(
      'No AWS credentials found.',
      'Set AWS_PROFILE or pass --profile, or run where an IAM role is available (EC2/ECS/Lambda).',
    );
  }
  if (type === 'TOPIC_AUTHORIZATION_FAILED' || /Not authorized to access topics/i.test(message)) {
    return new CliError(
      `Not authorized to access the topic (${message}).`,
      context.auth === 'iam'
        ? 'Grant the principal kafka-cluster:DescribeTopic plus ReadData/WriteData on the topic ARN ' +
            '(cluster.msk.access.grantConsume / grantProduce).'
        : 'SCRAM users are authorized by Kafka ACLs: add an ACL for this user on the topic.',
    );
  }
  if (type === 'GROUP_AUTHORIZATION_FAILED' || /GroupAuthorization/i.test(message)) {
    return new CliError(
      `Not authorized to use the consumer group (${message}).`,
      groupHint(context),
    );
  }
  // kafkajs 2.2.4 turns the broker's GROUP_AUTHORIZATION_FAILED answer to FindCoordinator into
  // this error (seen against Apache Kafka 3.9 and 4.1: test/kafka/authorization.kafka-test.ts);
  // an unavailable coordinator ends the same way.
  if (name === 'KafkaJSGroupCoordinatorNotFound') {
    return new CliError(
      `Not authorized to use the consumer group, or its coordinator is unavailable (${message}).`,
      groupHint(context),
    );
  }
  if (name === 'KafkaJSSASLAuthenticationError' || /SASL .*authentication failed/i.test(message)) {
    return new CliError(
      `SASL authentication failed (${message}).`,
      context.auth === 'scram'
        ? `Check that the secret of user "${context.user}" is associated with the cluster ` +
            '(ListScramSecrets), is encrypted with the customer-managed key, and was not rotated in the ' +
            'last 10 minutes.'
        : 'Check the credentials the signer used (whoami) and that IAM access control is enabled.',
    );
  }
  // Before the connection check: kafkajs gives up on it with KafkaJSNumberOfRetriesExceeded.
  if (type === 'UNKNOWN_TOPIC_OR_PARTITION') {
    return new CliError(
      `The topic does not exist (${message}).`,
      'Check the name with "topics list". The cluster does not create topics on first use ' +
        '(auto.create.topics.enable=false): add the topic to the "topics" setting and deploy.',
    );
  }
  if (
    /ETIMEDOUT|ECONNREFUSED|EHOSTUNREACH|Connection timeout|KafkaJSConnectionError|KafkaJSNumberOfRetriesExceeded/i.test(
      `${name} ${message}`,
    )
  ) {
    return new CliError(`Cannot connect to the brokers (${message}).`, CONNECTIVITY_HINT);
  }
  return new CliError(message);
}
