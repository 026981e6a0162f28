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

/**
 * The npm package names in backquotes on the README's `- <label>…` bullet (up to the next
 * bullet); construct names such as `SecureFunction` are not package names (npm refuses capitals).
 */
function bullet(label: string): string[] {
  const start = readme.indexOf(`- ${label}`);
  expect(start).toBeGreaterThanOrEqual(0);
  const end = readme.indexOf('\n- ', start + 1);
  return [...readme.slice(start, end).matchAll(/`((?:@[a-z0-9-]+\/)?[a-z0-9][a-z0-9._-]*)`/g)]
    .map((m) => m[1])
    .sort();
}

test('each bullet lists what its part imports: the constructs, the handlers (types under build)', () => {
  const packages = libraryPackages();
  expect(bullet('for the constructs:')).toEqual(packages.constructs);
  expect(bullet('for the handlers')).toEqual(
    packages.handlers.filter((name) => !name.startsWith('@types/')),
  );
  expect(bullet('to build:')).toEqual(
    expect.arrayContaining([
      ...FORK_TOOLS,
      ...packages.handlers.filter((n) => n.startsWith('@types/')),
    ]),
  );
});

test("package.json declares the library's packages as dependencies (esbuild runs at synth)", () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const runtime = [...new Set(Object.values(libraryPackages()).flat())].filter(
    (name) => !name.startsWith('@types/'),
  );
  expect(runtime).toContain('esbuild');
  expect(runtime.filter((name) => !pkg.dependencies[name])).toEqual([]);
  expect(runtime.filter((name) => pkg.devDependencies[name])).toEqual([]);
});

test('every relative link resolves', () => {
  const links = [...readme.matchAll(/\]\((\.[^)#\s]*)\)/g)].map((m) => m[1]);
  expect(links.length).toBeGreaterThan(5);
  expect(links.filter((link) => !existsSync(join(dirname(file), link)))).toEqual([]);
});
