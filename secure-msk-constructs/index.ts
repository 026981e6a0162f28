/**
 * secure-msk-constructs: CDK constructs for an Amazon MSK cluster with SASL/SCRAM and IAM client
 * authentication, Kafka ACLs and MSK-triggered Lambda consumers, with the handler code they
 * deploy (handlers/) and the model both sides share (model/). Import from this file, or from
 * `model/index.ts` when the model is all you need (no CDK in a Lambda bundle); the folder imports
 * nothing outside itself (see README.md here).
 */
export * from './constructs/acknowledge';
export * from './constructs/cluster-bootstrap-brokers';
export * from './constructs/custom-resource-provider';
export * from './constructs/encrypted-logs';
export * from './constructs/failure-queue-endpoint';
export * from './constructs/kafka-access';
export * from './constructs/kafka-acls';
export * from './constructs/kafka-topics';
export * from './constructs/managed-policy-role';
export * from './constructs/msk-consumer';
export * from './constructs/platform-alarms';
export * from './constructs/platform-dashboard';
export * from './constructs/platform-key';
export * from './constructs/platform-metrics';
export * from './constructs/restrict-default-security-group';
export * from './constructs/scram-secret-association';
export * from './constructs/scram-users';
export * from './constructs/secure-function';
export * from './constructs/secure-msk-cluster';
export * from './constructs/secure-network';
export * from './model';
