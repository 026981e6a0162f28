import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { FORK_TOOLS, libraryPackages, ROOT } from './fork/fork-app';

// GIVEN the library's README, for a forker who copies the folder.
const file = join(ROOT, 'secure-msk-constructs', 'README.md');
const readme = readFileSync(file, 'utf8');

test('it names every npm package the library imports, and the tools a fork app builds with', () => {
  const packages = [...new Set([...Object.values(libraryPackages()).flat(), ...FORK_TOOLS])];
  expect(packages.length).toBeGreaterThan(8);
  expect(packages.filter((name) => !readme.includes(`\`${name}\``))).toEqual([]);
});

test('every relative link resolves', () => {
  const links = [...readme.matchAll(/\]\((\.[^)#\s]*)\)/g)].map((m) => m[1]);
  expect(links.length).toBeGreaterThan(5);
  expect(links.filter((link) => !existsSync(join(dirname(file), link)))).toEqual([]);
});
