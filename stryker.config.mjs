// @ts-check
/**
 * Mutation testing with StrykerJS (issue #12): `npm run mutate`, i.e.
 * `npx stryker run stryker.config.mjs`.
 *
 * Two modes, chosen with the environment variable MUTATE:
 *
 * - default (`MUTATE` unset or `MUTATE=handlers`): the Lambda handlers
 *   (`secure-msk-constructs/handlers/**`), the model code (`secure-msk-constructs/model/**`) and
 *   the client CLI (`src/cli/**`), tested by `test/handlers/**`, `test/cli/**` and `test/model/**`.
 *   Only test/model synthesizes stacks (the rules go through every layer). A full run (`--force`)
 *   takes well over an hour on the two-core machine; see docs/development.md#mutation-testing.
 * - `MUTATE=constructs npx stryker run stryker.config.mjs`: the CDK constructs
 *   (`secure-msk-constructs/constructs/**`), tested by every test that synthesizes a stack (the top-level
 *   `test/*.test.ts` except the 1000-user synth, and `test/constructs/**`). Snapshots do not
 *   count here (test/setup/ignore-snapshots.ts). Every mutant synthesizes CDK apps: expect
 *   hours for the whole folder; narrow it with `--mutate secure-msk-constructs/constructs/<file>.ts` or run it on
 *   purpose (e.g. nightly), not on every change.
 *
 * Both modes are incremental: results are kept in `reports/` (one file per mode) and only
 * mutants in changed code, or covered by changed tests, run again; add `--force` to redo all.
 * `reports/` (HTML report, incremental files) and `.stryker-tmp/` (sandboxes during a run)
 * are build output and belong in .gitignore.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
/** @type {import('jest').Config} */
const jestConfig = require('./jest.config.js');

const mode = process.env.MUTATE ?? 'handlers';
if (mode !== 'handlers' && mode !== 'constructs') {
  throw new Error(`MUTATE must be "handlers" (default) or "constructs", got "${mode}"`);
}

const modes = {
  handlers: {
    mutate: [
      'secure-msk-constructs/handlers/**/*.ts',
      'secure-msk-constructs/model/**/*.ts',
      'src/cli/**/*.ts',
      // The CLI's composition root: wires the real AWS SDK, kafkajs and process I/O into `main`
      // and calls process.exit when imported; everything it wires is tested through `main`.
      '!src/cli/index.ts',
    ],
    // test/model checks the rules (secure-msk-constructs/model/rules.ts) through every layer that
    // uses them, so it reaches lib/ and tools/ too.
    testMatch: [
      '<rootDir>/test/handlers/**/*.test.ts',
      '<rootDir>/test/cli/**/*.test.ts',
      '<rootDir>/test/model/**/*.test.ts',
    ],
    roots: [
      '<rootDir>/test',
      '<rootDir>/secure-msk-constructs',
      '<rootDir>/src',
      '<rootDir>/lib',
      '<rootDir>/tools',
    ],
    tsconfigFile: 'tsconfig.mutate-handlers.json',
    timeoutMS: 10_000,
  },
  constructs: {
    mutate: ['secure-msk-constructs/constructs/**/*.ts'],
    // Tests that synthesize stacks; the handler and CLI tests cannot see a construct mutant.
    // Not the 1000-user synth (its checks are CloudFormation limits, and it takes ~10 s).
    testMatch: ['<rootDir>/test/*.test.ts', '<rootDir>/test/constructs/**/*.test.ts'],
    testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/scram-users-scale\\.test\\.ts$'],
    roots: [
      '<rootDir>/test',
      '<rootDir>/lib',
      '<rootDir>/secure-msk-constructs',
      '<rootDir>/src',
      '<rootDir>/bin',
    ],
    // Snapshots do not count (test/setup/ignore-snapshots.ts): they see every template change.
    setupFilesAfterEnv: ['<rootDir>/test/setup/ignore-snapshots.ts'],
    tsconfigFile: 'tsconfig.mutate-constructs.json',
    timeoutMS: 120_000,
  },
};
const selected = modes[mode];

// MUTATE_TESTS (optional): comma-separated test paths or globs that replace the mode's tests, e.g.
// `MUTATE_TESTS='test/constructs/platform-*.test.ts'`. Faster, and a lower bound: a mutant that
// only the tests left out would notice counts as survived.
const narrowed = process.env.MUTATE_TESTS?.split(',')
  .map((glob) => glob.trim())
  .filter(Boolean)
  .map((glob) => `<rootDir>/${glob}`);
if (process.env.MUTATE_TESTS !== undefined && !narrowed?.length) {
  throw new Error('MUTATE_TESTS must name at least one test path or glob, got an empty value');
}

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
const config = {
  packageManager: 'npm',
  testRunner: 'jest',
  jest: {
    projectType: 'custom',
    // `roots` must hold every file between a test and the code it reaches: jest's
    // --findRelatedTests (below) follows imports only through files in its roots, so with
    // jest.config.js's `test/` alone a mutant in src/cli/commands/*, reached through
    // src/cli/main.ts, would find no test and survive.
    config: {
      ...jestConfig,
      testMatch: narrowed ?? selected.testMatch,
      roots: selected.roots,
      testPathIgnorePatterns: selected.testPathIgnorePatterns ?? ['/node_modules/'],
      setupFilesAfterEnv: [
        ...(jestConfig.setupFilesAfterEnv ?? []),
        ...(selected.setupFilesAfterEnv ?? []),
      ],
    },
    // Per mutant, only the test files that import the mutated file (jest --findRelatedTests).
    enableFindRelatedTests: true,
  },
  coverageAnalysis: 'perTest',
  checkers: ['typescript'],
  // The checker compiles the project once per mutant (a file's mutants cannot share a check), so
  // its program holds only the mutated code and the tests that run against it, not the whole
  // repository (bench, scripts, the deploy test). `npm run build` still checks everything.
  tsconfigFile: selected.tsconfigFile,
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  // secure-msk-constructs/handlers/ and src/cli/ hold no declaration, generated or type-only files today (types.ts
  // exports `correlationId`); add exclusions here if that changes.
  mutate: selected.mutate,
  // The sandbox copies only what the tests need: no CDK output, benchmarks or docs.
  ignorePatterns: [
    'cdk.out',
    'cdk.out.deploy',
    'coverage',
    'reports',
    'docs',
    'bench',
    '.ci',
    '**/.cdk.staging',
  ],
  // Two cores: one jest process and one type checker at a time each.
  concurrency: 2,
  timeoutMS: selected.timeoutMS,
  incremental: true,
  incrementalFile: `reports/stryker-incremental${mode === 'handlers' ? '' : `-${mode}`}.json`,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: `reports/mutation/${mode}.html` },
  jsonReporter: { fileName: `reports/mutation/${mode}.json` },
  clearTextReporter: { allowColor: false, logTests: false },
  thresholds: { high: 90, low: 85, break: null },
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
};

export default config;
