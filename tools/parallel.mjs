// @ts-check
/**
 * `node tools/parallel.mjs <npm script>...`: runs the named npm scripts at the same time and
 * prints each one's output after it ends, in the order given, with its time. Exits with the
 * first non-zero exit code, after all have ended.
 *
 * `npm test` uses it for the type check, ESLint and Prettier: each is single-threaded, so two
 * cores run them side by side (docs/development.md#keeping-npm-test-fast).
 */
import { spawn } from 'node:child_process';

const names = process.argv.slice(2);
if (names.length === 0) {
  console.error('usage: node tools/parallel.mjs <npm script> [<npm script>...]');
  process.exit(2);
}

// Run through the npm that started us (npm_execpath), so this works without a shell on any OS.
const npm = process.env.npm_execpath;

/** @param {string} name */
function run(name) {
  const started = Date.now();
  const child = npm
    ? spawn(process.execPath, [npm, 'run', '--silent', name], { env: process.env })
    : spawn('npm', ['run', '--silent', name], {
        env: process.env,
        shell: process.platform === 'win32',
      });
  /** @type {Buffer[]} */
  const output = [];
  child.stdout.on('data', (chunk) => output.push(chunk));
  child.stderr.on('data', (chunk) => output.push(chunk));
  return new Promise((resolve) => {
    const finish = (/** @type {number} */ code) =>
      resolve({ name, code, seconds: (Date.now() - started) / 1000, output });
    child.on('error', (error) => {
      output.push(Buffer.from(`${error.message}\n`));
      finish(1);
    });
    child.on('close', (code, signal) => finish(code ?? (signal ? 1 : 0)));
  });
}

const results = await Promise.all(names.map(run));
let exitCode = 0;
for (const { name, code, seconds, output } of results) {
  process.stdout.write(Buffer.concat(output));
  const status = code === 0 ? 'ok' : `failed (exit ${code})`;
  console.log(`${name}: ${status}, ${seconds.toFixed(1)} s`);
  if (code !== 0 && exitCode === 0) exitCode = code;
}
process.exit(exitCode);
