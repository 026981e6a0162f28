/**
 * README.md holds the cost of dev and prod between markers that `npm run cost` writes. This test
 * checks the blocks are there and well-formed without synthesizing the app (too slow for jest);
 * `npm run cost -- --check-readme` compares their content with a fresh synth.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { extractBlock, markers } from '../../tools/cost/format';
import { DEFAULT_PROFILES } from '../../tools/cost/run';

const README = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');

test.each(DEFAULT_PROFILES)('README.md has the %s cost block', (profile) => {
  const block = extractBlock(README, profile);
  if (block === undefined) {
    const { start, end } = markers(profile);
    throw new Error(
      `README.md has no ${start} … ${end} block: run \`npm run cost -- --write-readme\` ` +
        '(it synthesizes dev and prod and writes both blocks)',
    );
  }
  expect(block).toMatch(new RegExp(`^${markers(profile).start}\\n\\n\\*\\*${profile}\\*\\*: \\$`));
  expect(block).toMatch(/\| item +\| quantity +\| price +\| +monthly \|/);
  expect(block).toMatch(/\*\*fixed total\*\*/);
  expect(block).toMatch(/\*\*total with usage\*\*/);
});
