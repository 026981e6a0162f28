#!/usr/bin/env node
/**
 * `npm run client -- <command>`: produce to, consume from and inspect the deployed cluster with
 * SASL/SCRAM (kafkajs, SCRAM-SHA-512) or IAM (OAUTHBEARER tokens from aws-msk-iam-sasl-signer-js).
 */
import { createInterface } from 'node:readline';
import { KafkaClient } from '@aws-sdk/client-kafka';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import { fromIni } from '@aws-sdk/credential-providers';
import * as signer from 'aws-msk-iam-sasl-signer-js';
import { Kafka, logLevel } from 'kafkajs';
import { Deps } from './connection';
import { main } from './main';

const deps: Deps = {
  awsClients(region, profile) {
    const config = { region, ...(profile ? { credentials: fromIni({ profile }) } : {}) };
    return {
      kafka: new KafkaClient(config),
      secretsManager: new SecretsManagerClient(config),
      ssm: new SSMClient(config),
      sts: new STSClient(config),
    };
  },
  createKafka: (config) => new Kafka({ ...config, logLevel: logLevel.NOTHING }),
  signer,
  out: (line) => console.log(line),
  err: (line) => console.error(line),
  stdinLines: () => createInterface({ input: process.stdin }),
  now: () => Date.now(),
  env: process.env,
};

main(process.argv.slice(2), deps).then((code) => process.exit(code));
