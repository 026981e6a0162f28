#!/usr/bin/env node
/**
 * Entry point: `cdk synth` / `cdk deploy`. `-c profile=dev|prod` (default dev) picks the settings
 * file `config/<profile>.json`; any other `-c key=value` overrides one setting for one command.
 * See the configuration table: docs/configuration.md#settings.
 */
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { addCompliancePacks } from '../lib/compliance';
import { ConfigError, loadConfig } from '../lib/config';
import { MskSecureStage } from '../lib/msk-secure-stage';

const app = new App();

let config;
try {
  config = loadConfig(app.node.getAllContext(), { root: join(__dirname, '..') });
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}

// Bound to an account and Region only when the CLI knows both (it sets CDK_DEFAULT_ACCOUNT from
// the caller's credentials). Without credentials the CLI still sets CDK_DEFAULT_REGION to a
// default, so binding the Region alone would pin templates to a guess: stay agnostic instead.
const account = process.env.CDK_DEFAULT_ACCOUNT;
const region = process.env.CDK_DEFAULT_REGION;
new MskSecureStage(app, config.clusterName, {
  config,
  env: account && region ? { account, region } : undefined,
});

addCompliancePacks(app, config.compliance);
