// CI's machine runs Node 20; the AWS SDK's notice that it will need Node 22 from 2027 is in
// docs/development.md#requirements and would otherwise repeat in every test worker's output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // ts-jest transpiles only: it takes `isolatedModules` from tsconfig.json (its own option of that
  // name is deprecated since 29.3 and warned about in every worker); `npm run build` typechecks.
  // test/kafka, test/recipes and test/integ spread this configuration, transform included.
  // Not @swc/jest or jest 30: their native platform packages are missing from this project's
  // npm mirror for some platforms, which makes `npm ci` reject the lock file.
  transform: {
    '^.+\\.tsx?$': ['ts-jest', { diagnostics: false }],
  },
  snapshotSerializers: ['<rootDir>/test/setup/asset-hash-serializer.ts'],
  setupFiles: ['<rootDir>/test/setup/builtin-validation.ts'],
  setupFilesAfterEnv: ['aws-cdk-lib/testhelpers/jest-autoclean', 'aws-sdk-client-mock-jest'],
  // Synthesizing a CDK app is CPU-bound; two workers match the two-core CI machine.
  maxWorkers: 2,
};
