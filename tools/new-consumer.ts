#!/usr/bin/env node
/**
 * `npm run new-consumer -- <name>`: starts a consumer handler of your own from the reference one.
 * Copies the construct library's reference handler (`secure-msk-constructs/handlers/consumer/`)
 * to `lambda/consumers/<name>/` (where a consumer named `<name>` finds its handler) and rewrites
 * the imports that leave the folder (`../shared/…`) to point at the library's files. Then prints
 * what to add to the configuration.
 */
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { CONSUMER_NAME } from '../secure-msk-constructs/model';

/**
 * Rewrites `from '../x'` (and `import('../x')`) in a file moved from `from` to `to` so that it
 * still names the same file.
 */
export function rebaseImports(source: string, from: string, to: string): string {
  return source.replace(
    /(from\s+|import\s*\(\s*)(['"])(\.\.\/[^'"]*)\2/g,
    (_, keyword: string, quote: string, spec: string) =>
      `${keyword}${quote}${relative(to, join(from, spec)).split(sep).join('/')}${quote}`,
  );
}

export function newConsumer(name: string, root: string): string[] {
  if (!CONSUMER_NAME.test(name)) {
    throw new Error(
      `new-consumer: name = ${JSON.stringify(name)}: must be ${CONSUMER_NAME.allowed} (the consumers[].name rule)`,
    );
  }
  const from = join(root, 'secure-msk-constructs', 'handlers', 'consumer');
  const to = join(root, 'lambda', 'consumers', name);
  if (existsSync(to)) {
    throw new Error(`new-consumer: ${to} already exists; nothing was changed`);
  }
  cpSync(from, to, { recursive: true });
  for (const file of readdirSync(to).filter((f) => f.endsWith('.ts'))) {
    const path = join(to, file);
    writeFileSync(path, rebaseImports(readFileSync(path, 'utf8'), from, to));
  }
  return [
    `Created lambda/consumers/${name}/ from the reference handler: put your code in process-record.ts.`,
    `Add the consumer to config/<profile>.json, e.g. "consumers": [{ "name": "consumer", "topic": "orders" }, { "name": "${name}", "topic": "orders" }],`,
    'then npm run synth (or npm run deploy).',
  ];
}

if (require.main === module) {
  const [name, ...rest] = process.argv.slice(2);
  if (!name || rest.length) {
    console.error('Usage: npm run new-consumer -- <name>');
    process.exit(2);
  }
  try {
    for (const line of newConsumer(name, resolve(__dirname, '..'))) console.error(line);
  } catch (error) {
    console.error((error as Error).message);
    process.exit(1);
  }
}
