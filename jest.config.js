/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.tsx?$': ['@swc/jest'],
  },
  snapshotSerializers: ['<rootDir>/test/setup/asset-hash-serializer.ts'],
  setupFilesAfterEnv: ['aws-cdk-lib/testhelpers/jest-autoclean', 'aws-sdk-client-mock-jest'],
  // Synthesizing a CDK app is CPU-bound; two workers match the two-core CI machine.
  maxWorkers: 2,
};
