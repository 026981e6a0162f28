/**
 * `--help` / `-h` of `npm run validate`, `npm run cost` and `npm run deploy`: the usage on
 * stdout, exit code 0, nothing synthesized, read or called; and what npm passes on.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { main as cost, parseArgs as costArgs } from '../../tools/cost/run';
import { main as deploy } from '../../tools/deploy/index';
import { columns, wantsHelp } from '../../tools/shared/cli';
import { main as validate, parseArgs as validateArgs, VARIANTS } from '../../tools/validate/run';

const REPO = join(__dirname, '..', '..');

/** What a command's `main` writes and returns for these arguments. */
async function run(
  main: (argv: readonly string[], write: (text: string) => void) => Promise<number>,
  argv: string[],
): Promise<[number, string]> {
  let output = '';
  const code = await main(argv, (t) => (output += t));
  return [code, output];
}

test.each([['--help'], ['-h']])(
  'npm run validate -- %s: what it does, the variants, the options',
  async (flag) => {
    const [code, output] = await run(validate, [flag]);
    expect(code).toBe(0);
    expect(output).toMatch(/^usage: npm run validate -- \[--variant NAME\]\.\.\. /);
    expect(output).toMatch(/cfn-lint, the AWS Control Tower proactive controls \(cfn-guard\) and/);
    // Every variant with the context it synthesizes with.
    const width = Math.max(...Object.keys(VARIANTS).map((name) => name.length)) + 2;
    for (const [name, context] of Object.entries(VARIANTS)) {
      expect(output).toContain(`  ${name.padEnd(width)}${context.join(' ') || '(defaults)'}\n`);
    }
    for (const option of ['--variant NAME', '--templates DIR', '--validator NAME', '-h, --help']) {
      expect(output).toMatch(new RegExp(`^  ${option} +\\S`, 'm'));
    }
    expect(output).toMatch(/only this validator \(repeatable\): cfn-lint, control-tower, iam/);
    expect(output).toMatch(/^Exit code: 0 when no variant has an unacknowledged finding/m);
    expect(output).toMatch(/Options go after `--` \(npm run validate -- --help\)/);
  },
);

test('npm run validate: --help wins over the other arguments; an unknown one is named with the allowed ones', async () => {
  expect((await run(validate, ['--variant', 'prod', '--help']))[0]).toBe(0);
  expect(() => validateArgs(['--bogus'])).toThrow(
    'unknown argument --bogus: npm run validate takes --variant NAME, --templates DIR, ' +
      '--validator NAME, -h, --help (npm run validate -- --help)',
  );
});

test.each([['--help'], ['-h']])(
  'npm run cost -- %s: what it does and the options',
  async (flag) => {
    const [code, output] = await run(cost, [flag]);
    expect(code).toBe(0);
    expect(output).toMatch(/^usage: npm run cost -- \[-c key=value\]\.\.\. /);
    expect(output).toMatch(/^Prices the app per month at list price, nested stacks included/m);
    expect(output).toMatch(
      /^dev, dev-gateway, prod \(dev-gateway is dev with natProvider=gateway\)/m,
    );
    for (const option of ['-c, --context key=value', '--templates \\[NAME=\\]DIR', '-h, --help']) {
      expect(output).toMatch(new RegExp(`^  ${option} +\\S`, 'm'));
    }
    expect(output).toMatch(/Options go after `--` \(npm run cost -- --help\)/);
    expect(() => costArgs(['--bogus'])).toThrow(
      /^unknown argument --bogus\nusage: npm run cost -- /,
    );
  },
);

test.each([['--help'], ['-h']])(
  'npm run deploy -- %s: what it does and the options, before any credential check',
  async (flag) => {
    // Nothing may reach AWS: no credentials, and the instance metadata service is off.
    const [code, output] = await run(deploy, ['-c', 'profile=prod', flag]);
    expect(code).toBe(0);
    expect(output).toMatch(/^usage: npm run deploy -- \[-c key=value\]\.\.\. \[--yes\] /);
    expect(output).toMatch(/then the deploy guard compares every stack and nested stack/);
    for (const option of [
      '-c, --context key=value',
      '--yes',
      '--allow-removal KIND:NAME',
      '-h, --help',
    ]) {
      expect(output).toMatch(new RegExp(`^  ${option} +\\S`, 'm'));
    }
    expect(output).toMatch(
      /^ {2}anything else +passed on to cdk deploy \(npx cdk deploy --help\)$/m,
    );
    expect(output).toMatch(/Options go after `--` \(npm run deploy -- --help\)/);
  },
);

test('wantsHelp and columns', () => {
  expect(
    [['-h'], ['--help'], ['--variant', 'x', '--help'], ['--helpful'], []].map(wantsHelp),
  ).toEqual([true, true, true, false, false]);
  expect(
    columns([
      ['-a', 'one', 'two'],
      ['--long', 'three'],
    ]),
  ).toEqual(['  -a      one', '          two', '  --long  three']);
});

describe('through npm (npm run <script>)', () => {
  const npm = (...args: string[]) =>
    spawnSync('npm', args, {
      cwd: REPO,
      encoding: 'utf8',
      env: { ...process.env, AWS_EC2_METADATA_DISABLED: 'true' },
    });

  test('after `--`, --help reaches the script: its usage, exit code 0', () => {
    const result = npm('run', '--silent', 'validate', '--', '--help');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^usage: npm run validate -- /);
  }, 120_000);

  test('before `--`, npm takes --help as its own and never starts the script (so the usage says `--`)', () => {
    const result = npm('run', 'validate', '--help');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^Run arbitrary package scripts/);
    expect(result.stdout).not.toMatch(/usage: npm run validate/);
  }, 120_000);
});

describe('a -c written before `--` (npm keeps it as its own option)', () => {
  afterEach(() => {
    delete process.env.npm_config_call;
    delete process.env.npm_config_context;
  });

  test('npm run deploy -c profile=prod is refused before anything runs, naming the fix', async () => {
    process.env.npm_config_call = 'profile=prod';
    const errors: string[] = [];
    const spy = jest.spyOn(console, 'error').mockImplementation((m) => void errors.push(m));
    try {
      const [code, output] = await run(deploy, []);
      expect(code).toBe(2);
      expect(output).toBe('');
      expect(errors.join('\n')).toBe(
        'npm took -c profile=prod as its own option (it came before `--`), so the setting would be ' +
          'lost. Write it after `--`: npm run deploy -- -c profile=prod\n' +
          'Nothing was synthesized or deployed.',
      );
    } finally {
      spy.mockRestore();
    }
  });

  test('what npm passes the script for each form (npm 11, a throw-away package)', () => {
    const show = (...args: string[]) =>
      spawnSync('npm', ['run', '--silent', 'show', ...args], {
        cwd: join(REPO, 'test', 'fixtures', 'npm-args'),
        encoding: 'utf8',
        env: { ...process.env, npm_config_call: undefined, npm_config_context: undefined },
      }).stdout.trim();
    expect(show('-c', 'profile=prod')).toBe('[] call=profile=prod context=undefined');
    expect(show('--context', 'profile=prod')).toBe('["profile=prod"] call=undefined context=true');
    expect(show('--', '-c', 'profile=prod')).toBe(
      '["-c","profile=prod"] call=undefined context=undefined',
    );
  });
});
