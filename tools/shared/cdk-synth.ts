/** `cdk synth` of the app into a directory, offline, for the scripts that read templates. */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

export const REPO_ROOT = resolve(__dirname, '..', '..');

/**
 * Runs `npx cdk synth --quiet '**' -o outDir <context…>` in the repository; rejects with the
 * CLI's output (and `what`) when it fails.
 */
export function cdkSynth(outDir: string, context: readonly string[], what: string): Promise<void> {
  const args = ['cdk', 'synth', '--no-notices', '--quiet', '**', '-o', outDir, ...context];
  return new Promise((done, fail) => {
    const child = spawn('npx', args, {
      cwd: REPO_ROOT,
      // Offline: the CDK CLI must not wait on the EC2 instance metadata service for credentials.
      env: { ...process.env, AWS_EC2_METADATA_DISABLED: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', fail);
    child.on('close', (code) =>
      code === 0 ? done() : fail(new Error(`cdk synth (${what}) exited ${code}:\n${output}`)),
    );
  });
}
