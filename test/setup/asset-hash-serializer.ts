/**
 * Jest snapshot serializer that masks CDK asset hashes (64 hex characters, e.g. in the S3 keys
 * of Lambda code), so that snapshots change only when the infrastructure does, not when a
 * handler's bytes or a dependency's build does. After cdk-monitoring-constructs' test/setup.
 */
const HAS_ASSET_HASH = /[0-9a-f]{64}/;
const ASSET_HASHES = /[0-9a-f]{64}/g;

export const test = (value: unknown): boolean =>
  typeof value === 'string' && HAS_ASSET_HASH.test(value);

export const serialize = (value: string): string =>
  JSON.stringify(value.replace(ASSET_HASHES, '[ASSET_HASH]'));
