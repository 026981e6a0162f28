#!/usr/bin/env node
/**
 * Entry of the integ app (`cdk synth --app 'npx tsx test/integ/integ.platform.ts'`): the real
 * stage with the integ profile, a producer and the assertions (`platform.ts`). `npm run integ`
 * deploys it, runs the assertions and destroys it; `npm run integ:snapshot` compares its
 * templates with a committed snapshot (docs/integ.md).
 */
import { App } from 'aws-cdk-lib';
import { ConfigError } from '../../lib/config';
import { buildIntegPlatform } from './platform';

const app = new App();
try {
  buildIntegPlatform(app);
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
