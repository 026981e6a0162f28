import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../lib/config/validation';
import { checkOverrides, contextValues } from '../../tools/deploy/overrides';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'deploy-overrides-'));
  mkdirSync(join(root, 'config'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const file = (profile: string, values: unknown) =>
  writeFileSync(join(root, 'config', `${profile}.json`), JSON.stringify(values));

test('the -c pairs as the CDK CLI reads them', () => {
  expect(
    contextValues([
      '-c',
      'azCount=3',
      '--context',
      'profile=prod',
      '--context=topics=[{"a":1}]',
      '-c',
      'bad',
    ]),
  ).toEqual({ azCount: '3', profile: 'prod', topics: '[{"a":1}]' });
});

test('no -c, or -c equal to the file: nothing to confirm', () => {
  file('dev', { azCount: 3, scramUsers: ['consumer'] });
  expect(checkOverrides([], root)).toEqual({ lines: [], needsConfirmation: false });
  expect(checkOverrides(['-c', 'azCount=3', '-c', 'scramUsers=["consumer"]'], root)).toEqual({
    lines: [],
    needsConfirmation: false,
  });
});

test('-c that differs from the file, or is not in it, is listed and needs --yes', () => {
  file('dev', { azCount: 3 });
  expect(checkOverrides(['-c', 'azCount=2', '-c', 'scramUsers=consumer,billing'], root)).toEqual({
    lines: [
      '2 -c settings differ from config/dev.json:',
      '  - azCount: 3 → 2',
      '  - scramUsers: (not in the file: profile default) → ["consumer","billing"]',
      'The next deploy without them goes back to config/dev.json. To keep a change, put it in the file; to deploy with these overrides once, run again with --yes.',
    ],
    needsConfirmation: true,
  });
});

test('the profile picks the file', () => {
  file('dev', { azCount: 2 });
  file('prod', { azCount: 3 });
  expect(checkOverrides(['-c', 'profile=prod', '-c', 'azCount=3'], root).needsConfirmation).toBe(
    false,
  );
  expect(checkOverrides(['-c', 'profile=prod', '-c', 'azCount=2'], root).lines[0]).toBe(
    '1 -c setting differs from config/prod.json:',
  );
});

test('a malformed file is a ConfigError naming it', () => {
  writeFileSync(join(root, 'config', 'dev.json'), '{ "azCount": 3, }');
  expect(() => checkOverrides(['-c', 'azCount=2'], root)).toThrow(ConfigError);
  expect(() => checkOverrides(['-c', 'azCount=2'], root)).toThrow(
    /config\/dev.json: is not valid JSON/,
  );
});
