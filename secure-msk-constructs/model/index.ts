/**
 * The library's model: plain code both the constructs and the handlers use (ACL bindings, SCRAM
 * secret names, the password policy, the name, version and limit rules, the Kafka ports). No CDK,
 * no AWS SDK, no esbuild: code outside the library that needs only these (the client CLI, config
 * checks, tools, Lambda handlers) imports this file, so nothing of aws-cdk-lib is bundled with it.
 * The main index (`../index.ts`) re-exports it.
 */
export * from './acl-binding';
export * from './kafka-ports';
export * from './password-policy';
export * from './rules';
export * from './scram-secret-name';
