/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // ts-jest transpiles only (tsconfig has isolatedModules); `npm run build` typechecks.
  // Not @swc/jest or jest 30: their native platform packages are missing from this project's
  // npm mirror for some platforms, which makes `npm ci` reject the lock file.
  transform: {
    '^.+\\.tsx?$': ['ts-jest', { isolatedModules: true, diagnostics: false }],
  },
  snapshotSerializers: ['<rootDir>/test/setup/asset-hash-serializer.ts'],
  setupFilesAfterEnv: ['aws-cdk-lib/testhelpers/jest-autoclean', 'aws-sdk-client-mock-jest'],
  // Synthesizing a CDK app is CPU-bound; two workers match the two-core CI machine.
  maxWorkers: 2,
};
