#!/usr/bin/env node
/**
 * Entry point: `cdk synth` / `cdk deploy`. Settings come from context (`-c profile=prod`,
 * `-c azCount=3`, …); see the configuration table in README.md.
 */
import { App } from 'aws-cdk-lib';
import { addCompliancePacks } from '../lib/compliance';
import { ConfigError, loadConfig } from '../lib/config';
import { MskSecureStage } from '../lib/msk-secure-stage';

const app = new App();

let config;
try {
  config = loadConfig(app.node.getAllContext());
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}

new MskSecureStage(app, config.clusterName, {
  config,
  // Environment-agnostic unless the CLI knows the account/Region (it sets these from the
  // caller's credentials/profile when there are any).
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});

addCompliancePacks(app, config.compliance);
