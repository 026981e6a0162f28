/**
 * The SCRAM-SHA-512 users every test broker is formatted with (besides the super user `admin`).
 * Each test file uses its own users, topics and groups, so that files can run side by side on
 * one broker without one's ACLs closing another's resources.
 */
export const SCRAM_USERS = [
  // authorization.kafka-test.ts: the default config's users and the billing example of docs/cluster-and-acls.md#add-a-user-with-permissions.
  'producer',
  'consumer',
  'billing',
  'stranger',
  'read-only',
  // cli.kafka-test.ts
  'cli-producer',
  'cli-reader',
  // dlq.kafka-test.ts: no ACLs, on topics and groups without ACLs (open under
  // allow.everyone.if.no.acl.found=true).
  'dlq-operator',
] as const;
