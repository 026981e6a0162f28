/** MSK requires SCRAM secret names to start with this prefix. */
export const MSK_SECRET_PREFIX = 'AmazonMSK_';

/**
 * The secret of a SCRAM user, as this project names it (the stack creates it; the CLI reads it).
 */
export const scramSecretName = (clusterName: string, user: string): string =>
  `${MSK_SECRET_PREFIX}${clusterName}_${user}`;
