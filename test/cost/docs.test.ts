/**
 * docs/operations.md holds the cost of dev, dev-gateway and prod between markers that
 * `npm run cost -- --write-docs` writes. This test checks the blocks are there and well-formed
 * without synthesizing the app (too slow for jest); `npm run cost -- --check-docs` (in CI)
 * compares their content with a fresh synth.
 */
import { readFileSync } from 'node:fs';
import { extractBlock, markers } from '../../tools/cost/format';
import { COST_DOC, DEFAULT_PROFILES } from '../../tools/cost/run';

const DOC = readFileSync(COST_DOC, 'utf8');

test('the cost doc is docs/operations.md', () => {
  expect(COST_DOC.replace(/\\/g, '/')).toMatch(/\/docs\/operations\.md$/);
});

test.each(DEFAULT_PROFILES)('docs/operations.md has the %s cost block', (profile) => {
  const block = extractBlock(DOC, profile);
  if (block === undefined) {
    const { start, end } = markers(profile);
    throw new Error(
      `docs/operations.md has no ${start} … ${end} block: run \`npm run cost -- --write-docs\` ` +
        '(it synthesizes dev, dev-gateway and prod and writes their blocks)',
    );
  }
  expect(block).toMatch(new RegExp(`^${markers(profile).start}\\n\\n\\*\\*${profile}\\*\\*: \\$`));
  expect(block).toMatch(/\| item +\| quantity +\| price +\| +monthly \|/);
  expect(block).toMatch(/\*\*fixed total\*\*/);
  expect(block).toMatch(/\*\*total with usage\*\*/);
});
