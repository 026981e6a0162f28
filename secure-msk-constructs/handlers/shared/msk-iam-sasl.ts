/**
 * SASL/OAUTHBEARER for MSK IAM access control with kafkajs: tokens from
 * aws-msk-iam-sasl-signer-js, cached and renewed shortly before they expire. (kafkajs's own `aws`
 * mechanism is not MSK IAM; MSK's guide points non-Java clients to the signer libraries.)
 */
import type { GenerateAuthTokenResponse } from 'aws-msk-iam-sasl-signer-js';
import type { SASLOptions } from 'kafkajs';

/** A signer token is valid 15 minutes; a new one is fetched when less than this is left. */
export const TOKEN_REFRESH_MARGIN_MS = 60_000;

/** An OAUTHBEARER provider that reuses a token until `marginMs` before its expiry. */
export function cachedTokenProvider(
  generate: () => Promise<GenerateAuthTokenResponse>,
  now: () => number = Date.now,
  marginMs = TOKEN_REFRESH_MARGIN_MS,
): () => Promise<{ value: string }> {
  let cached: GenerateAuthTokenResponse | undefined;
  return async () => {
    if (!cached || cached.expiryTime - now() < marginMs) cached = await generate();
    return { value: cached.token };
  };
}

/** kafkajs SASL options for MSK IAM (brokers on port 9098, TLS on). */
export function mskIamSasl(
  generate: () => Promise<GenerateAuthTokenResponse>,
  now?: () => number,
): SASLOptions {
  return { mechanism: 'oauthbearer', oauthBearerProvider: cachedTokenProvider(generate, now) };
}
