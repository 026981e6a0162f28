/**
 * Every relative link and `#anchor` in README.md, docs/*.md and the library's README resolves,
 * offline (markdown-links.ts). A moved section or a renamed heading fails here, not for a reader.
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { anchors, brokenLinks, links, slug } from './markdown-links';

const ROOT = join(__dirname, '..', '..');

/** The project's Markdown that readers follow links in. */
const FILES = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => `docs/${f}`),
  ...(existsSync(join(ROOT, 'secure-msk-constructs', 'README.md'))
    ? ['secure-msk-constructs/README.md']
    : []),
];

test('every relative link and anchor of README.md and docs/ resolves', () => {
  expect(FILES.length).toBeGreaterThan(5);
  expect(brokenLinks(ROOT, FILES)).toEqual([]);
});

test('the docs do link to each other (the check has something to check)', () => {
  const all = FILES.flatMap((f) => links(readFileSync(join(ROOT, f), 'utf8'), f));
  expect(all.filter((l) => l.target.includes('#')).length).toBeGreaterThan(20);
});

describe('anchors as GitHub makes them', () => {
  test.each([
    ['Security in brief', 'security-in-brief'],
    ["AWS's validators (`npm run validate`)", 'awss-validators-npm-run-validate'],
    ['Refusals and `--allow-removal`', 'refusals-and---allow-removal'],
    [
      'The SCRAM association resource (and why not `AWS::MSK::BatchScramSecret`)',
      'the-scram-association-resource-and-why-not-awsmskbatchscramsecret',
    ],
    ['Kafka 4.x (KRaft)', 'kafka-4x-kraft'],
    ['See [the docs](docs/x.md) **now**', 'see-the-docs-now'],
    ['snake_case and — dashes', 'snake_case-and--dashes'],
  ])('%s → #%s', (heading, expected) => {
    expect(slug(heading)).toBe(expected);
  });

  test('repeated headings get -1, -2; explicit <a id> and <a name> count; code blocks do not', () => {
    const md = [
      '# Setup',
      '## Setup',
      '### Setup',
      '<a id="custom"></a>',
      '<a name="legacy">x</a>',
      '```',
      '# not a heading',
      '```',
    ].join('\n');
    expect([...anchors(md)].sort()).toEqual(['custom', 'legacy', 'setup', 'setup-1', 'setup-2']);
  });
});

describe('what the check reports', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'links-'));
    mkdirSync(join(dir, 'docs'));
    writeFileSync(join(dir, 'docs', 'b.md'), '# B title\n\n## Part two\n');
    writeFileSync(join(dir, 'code.ts'), '');
    writeFileSync(
      join(dir, 'README.md'),
      [
        '# Top',
        '[ok](docs/b.md) [ok](docs/b.md#part-two) [ok](#top) [ok](code.ts) [ok](https://x.y/#z)',
        '[ok](mailto:a@b.c) ![ok](docs/b.md "title") `[not a link](gone.md)`',
        '[missing file](docs/c.md)',
        '[missing anchor](docs/b.md#part-three)',
        '[missing local](#bottom)',
        '[anchor on code](code.ts#L1)',
        '[ref]: docs/none.md',
        '```',
        '[in a code block](gone.md)',
        '```',
      ].join('\n'),
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('each broken link with its file, line and what is wrong; nothing else', () => {
    expect(brokenLinks(dir, ['README.md', 'docs/b.md'])).toEqual([
      'README.md:4: docs/c.md: no such file docs/c.md',
      'README.md:5: docs/b.md#part-three: no heading or <a id> "part-three" in docs/b.md',
      'README.md:6: #bottom: no heading or <a id> "bottom" in README.md',
      'README.md:7: code.ts#L1: an anchor on code.ts, which is not Markdown',
      'README.md:8: docs/none.md: no such file docs/none.md',
    ]);
  });
});
