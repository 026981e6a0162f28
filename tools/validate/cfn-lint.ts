/** cfn-lint (AWS CloudFormation Linter) over the synthesized templates. */
import { spawn } from 'node:child_process';
import { basename } from 'node:path';
import type { Finding } from './types';

/** The rules `npm run validate` does not apply; W3005 (redundant DependsOn) is CDK's style. */
export const CFN_LINT_IGNORED = ['W3005'];
export const CFN_LINT_REGIONS = ['us-east-1', 'eu-west-1'];

interface LintMatch {
  Rule: { Id: string; ShortDescription?: string };
  Level: string;
  Message: string;
  Filename: string;
  Location?: { Path?: (string | number)[] };
}

/** Runs cfn-lint in a child process (so that other validators can run meanwhile). */
export async function runCfnLint(templatePaths: string[]): Promise<Finding[]> {
  if (templatePaths.length === 0) return [];
  const args = [
    '-i',
    ...CFN_LINT_IGNORED,
    '--regions',
    ...CFN_LINT_REGIONS,
    '-f',
    'json',
    '--',
    ...templatePaths,
  ];
  const { status, stdout, stderr } = await new Promise<{
    status: number | null;
    stdout: string;
    stderr: string;
  }>((done, fail) => {
    const child = spawn('cfn-lint', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', (e) => fail(new Error(`cfn-lint could not run: ${e.message}`)));
    child.on('close', (code) => done({ status: code, stdout: out, stderr: err }));
  });
  let matches: LintMatch[];
  try {
    matches = JSON.parse(stdout || '[]') as LintMatch[];
  } catch {
    throw new Error(`cfn-lint exited ${status} without JSON output:\n${stderr}${stdout}`);
  }
  // Exit codes are a bit mask of the levels found (2 error, 4 warning, 8 informational);
  // anything else with no matches is cfn-lint itself failing.
  if (matches.length === 0 && status !== 0) {
    throw new Error(`cfn-lint exited ${status}:\n${stderr}`);
  }
  return matches.map((m) => {
    const path = m.Location?.Path ?? [];
    return {
      validator: 'cfn-lint',
      rule: m.Rule.Id,
      severity: m.Level === 'Error' ? 'error' : 'warning',
      file: basename(m.Filename),
      resource: path[0] === 'Resources' && typeof path[1] === 'string' ? path[1] : '',
      message: m.Message,
      path: path.join('.'),
    };
  });
}
