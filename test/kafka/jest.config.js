// `npm run test:kafka`: the tests that need a real Apache Kafka broker (test/kafka/*.kafka-test.ts).
// global-setup.ts starts one broker per version on loopback and global-teardown.ts stops them;
// every test file runs its cases against each of them.
const base = require('../../jest.config.js');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  rootDir: '../..',
  roots: ['<rootDir>/test/kafka'],
  testMatch: ['**/*.kafka-test.ts'],
  setupFiles: [...base.setupFiles, '<rootDir>/test/kafka/setup-env.ts'],
  globalSetup: '<rootDir>/test/kafka/global-setup.ts',
  globalTeardown: '<rootDir>/test/kafka/global-teardown.ts',
  // Two brokers share the two cores with the test workers.
  maxWorkers: 2,
  testTimeout: 60_000,
};
