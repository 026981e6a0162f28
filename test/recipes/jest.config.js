// `npm run test:recipes`: every recipe of README.md and docs/*.md carried out as written in a copy
// of the project, then checked on what it synthesized (test/recipes/recipes.recipe-test.ts).
// One `npm run synth` per recipe: too slow for `npm test`; CI runs it (.ci/run).
const base = require('../../jest.config.js');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  rootDir: '../..',
  roots: ['<rootDir>/test/recipes'],
  testMatch: ['**/*.recipe-test.ts'],
  testTimeout: 300_000,
};
