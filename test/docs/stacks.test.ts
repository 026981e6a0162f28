/**
 * The README's stack table and the stack counts in the docs are the stacks the app builds. The
 * stage is constructed (Lambda bundling skipped) but not synthesized: its stacks are its children.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { loadConfig } from '../../lib/config';
import { MskSecureStage } from '../../lib/msk-secure-stage';
import { noBundlingApp } from '../helpers/no-bundling';

const ROOT = join(__dirname, '..', '..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');
const README = read('README.md');

const built = new Map<string, Stack[]>();
/** The stacks of one profile's stage, in the order they are created (and deployed). */
function stacksOf(profile: string): Stack[] {
  if (!built.has(profile)) {
    const config = loadConfig({ profile });
    const stage = new MskSecureStage(noBundlingApp(), config.clusterName, { config });
    built.set(profile, stage.node.children.filter(Stack.isStack));
  }
  return built.get(profile)!;
}

/** The rows of the README's stack table: [stack name pattern, source file]. */
function readmeStackRows(): [string, string][] {
  return README.split('\n')
    .map((line) => /^\| `(msk-secure-<profile>-\w+)` +\|.*\| `([^`]+)` +\|$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => [m[1], m[2]]);
}

const NUMBERS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];

test.each(['dev', 'prod'])('the README stack table names the stacks of %s, in order', (profile) => {
  const rows = readmeStackRows();
  expect(rows.map(([name]) => name.replace('<profile>', profile))).toEqual(
    stacksOf(profile).map((s) => s.stackName),
  );
});

test('each stack row names the source file of that stack', () => {
  const stacks = stacksOf('dev');
  for (const [name, source] of readmeStackRows()) {
    expect(existsSync(join(ROOT, source))).toBe(true);
    const stack = stacks.find((s) => s.stackName === name.replace('<profile>', 'dev'))!;
    expect(read(source)).toContain(`export class ${stack.constructor.name} `);
  }
});

test.each([
  ['README.md', /holds (\w+) stacks/],
  ['README.md', /deletes dev's (\w+) stacks/],
  ['docs/deploying.md', /deletes all (\w+) stacks/],
])('%s says how many stacks there are: %s', (file, pattern) => {
  const said = pattern.exec(read(file))?.[1];
  expect(said).toBe(NUMBERS[stacksOf('dev').length]);
});
