// `npm run test:fork`: the construct library copied alone into a fresh CDK app, type-checked and
// synthesized there (test/fork/fork.fork-test.ts). One `cdk synth` with bundling: CI runs it
// (.ci/run), `npm test` does not.
const base = require('../../jest.config.js');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  rootDir: '../..',
  roots: ['<rootDir>/test/fork'],
  testMatch: ['**/*.fork-test.ts'],
  testTimeout: 300_000,
};
