// `npm run integ:snapshot` (jest -c test/integ/jest.config.js): the main configuration, but only
// the integ app's snapshot test. It synthesizes (and bundles) the whole integ app, which is too
// slow for `npm test`; its name (`*.integ-snapshot.ts`) keeps the main `**/*.test.ts` from
// picking it up.
const base = require('../../jest.config.js');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  rootDir: '../..',
  roots: ['<rootDir>/test/integ'],
  testMatch: ['**/*.integ-snapshot.ts'],
  // One synth with esbuild bundling of every function, in-process (about 4 s on a 2-core machine):
  // room for a slower one.
  testTimeout: 300_000,
};
