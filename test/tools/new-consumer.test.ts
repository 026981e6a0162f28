import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { newConsumer, rebaseImports } from '../../tools/new-consumer';

const ROOT = resolve(__dirname, '..', '..');

const HANDLERS = join('secure-msk-constructs', 'handlers');

/** A project root with the construct library's reference handler and its shared code. */
function tempRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'new-consumer-'));
  for (const dir of ['consumer', 'shared']) {
    cpSync(join(ROOT, HANDLERS, dir), join(root, HANDLERS, dir), { recursive: true });
  }
  return root;
}

/** esbuild as SecureFunction bundles a handler (external packages: resolution of our files only). */
const bundle = (entry: string) =>
  build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    platform: 'node',
    packages: 'external',
    logLevel: 'silent',
  });

describe('npm run new-consumer', () => {
  let root: string;
  beforeEach(() => {
    root = tempRoot();
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  test('a plain copy to lambda/consumers does not bundle (the README recipe as it was)', async () => {
    cpSync(join(root, HANDLERS, 'consumer'), join(root, 'lambda', 'consumers', 'payments'), {
      recursive: true,
    });
    await expect(bundle(join(root, 'lambda', 'consumers', 'payments', 'index.ts'))).rejects.toThrow(
      /Could not resolve "\.\.\/shared\/logger"/,
    );
  });

  test('the copy it makes bundles, and keeps every file of the reference handler', async () => {
    const lines = newConsumer('payments', root);
    const dir = join(root, 'lambda', 'consumers', 'payments');
    for (const file of ['index.ts', 'decode.ts', 'process-record.ts', 'types.ts']) {
      expect(existsSync(join(dir, file))).toBe(true);
    }
    expect(readFileSync(join(dir, 'index.ts'), 'utf8')).toContain(
      "import { logger } from '../../../secure-msk-constructs/handlers/shared/logger';",
    );
    const result = await bundle(join(dir, 'index.ts'));
    expect(result.errors).toEqual([]);
    expect(lines[0]).toBe(
      'Created lambda/consumers/payments/ from the reference handler: put your code in process-record.ts.',
    );
  });

  test('a name the consumers setting would refuse, or an existing folder, changes nothing', () => {
    expect(() => newConsumer('Payments', root)).toThrow(
      'new-consumer: name = "Payments": must be 1–40 lower-case letters, digits and hyphens, starting with a letter (the consumers[].name rule)',
    );
    newConsumer('payments', root);
    expect(() => newConsumer('payments', root)).toThrow(/already exists; nothing was changed/);
  });

  test('only imports that leave the folder are rebased, to the same files', () => {
    expect(
      rebaseImports(
        "import { a } from '../shared/a';\nimport { b } from './b';\nconst c = import(\"../shared/c\");",
        '/p/lib/handlers/consumer',
        '/p/lambda/consumers/payments',
      ),
    ).toBe(
      "import { a } from '../../../lib/handlers/shared/a';\nimport { b } from './b';\nconst c = import(\"../../../lib/handlers/shared/c\");",
    );
  });
});
