/** A secret MSK did not process: `BatchAssociateScramSecret` reports these with HTTP 200. */
export interface UnprocessedSecret {
  readonly SecretArn?: string;
  readonly ErrorCode?: string;
  readonly ErrorMessage?: string;
}

/** MSK rejected one or more secrets; the message names each ARN, code and message. */
export class UnprocessedSecretsError extends Error {
  constructor(
    public readonly action: 'associate' | 'disassociate',
    public readonly clusterArn: string,
    public readonly unprocessed: readonly UnprocessedSecret[],
  ) {
    super(
      `MSK did not ${action} ${unprocessed.length} SCRAM secret(s) ${action === 'associate' ? 'with' : 'from'} ${clusterArn}: ` +
        unprocessed
          .map((u) =>
            `${u.SecretArn ?? '(unknown ARN)'}: ${u.ErrorCode ?? 'UnknownError'}: ${u.ErrorMessage ?? ''}`.trim(),
          )
          .join('; '),
    );
    this.name = 'UnprocessedSecretsError';
  }
}

/** A secret cannot work as an MSK SCRAM secret; found before calling MSK. */
export class SecretPreflightError extends Error {
  constructor(public readonly problems: readonly string[]) {
    super(`SCRAM secret pre-flight failed: ${problems.join('; ')}`);
    this.name = 'SecretPreflightError';
  }
}

/** MSK reported success, but `ListScramSecrets` does not list every secret afterwards. */
export class AssociationNotConfirmedError extends Error {
  constructor(
    public readonly clusterArn: string,
    public readonly missing: readonly string[],
  ) {
    super(
      `After association, ${clusterArn} does not list these SCRAM secrets: ${missing.join(', ')}`,
    );
    this.name = 'AssociationNotConfirmedError';
  }
}

/** The custom resource's properties are not what the construct sends. */
export class InvalidPropertiesError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidPropertiesError';
  }
}
