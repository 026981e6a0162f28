import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  areaOf,
  EXCEPTIONS,
  Import,
  importPicture,
  projectImports,
  ROOT,
  RULES,
  sourceFiles,
  specifiers,
  violations,
} from '../tools/imports';

// GIVEN every relative import of the project (tools/imports.ts parses each file with TypeScript's
// parser), read once.
const imports = projectImports();

test('every import of the tree follows the boundary rules (file:line -> import (rule))', () => {
  expect(violations(imports)).toEqual([]);
});

test('the scan reads the whole tree: the app, the library, the tools, the tests and the JS files', () => {
  const importing = new Set(imports.map((i) => areaOf(i.file)));
  for (const area of [
    'bin',
    'lib',
    'tools',
    'src',
    'bench',
    'test',
    'examples',
    'secure-msk-constructs/index',
    'secure-msk-constructs/model/index',
    'secure-msk-constructs/constructs',
    'secure-msk-constructs/handlers',
  ]) {
    expect(importing).toContain(area);
  }
  // The jest configs of the tiers are CommonJS files that require the root one.
  expect(imports).toContainEqual(
    expect.objectContaining({
      file: 'test/recipes/jest.config.js',
      target: 'jest.config.js',
      resolved: true,
    }),
  );
  // The app reaches the library through its index (`../secure-msk-constructs` is a folder).
  expect(imports).toContainEqual(
    expect.objectContaining({
      file: 'lib/cluster-stack.ts',
      target: 'secure-msk-constructs/index.ts',
    }),
  );
  // The client CLI reaches the model through the model's index, not the main one (no CDK in the
  // Lambda bundles that use the CLI code, e.g. the integ producer).
  expect(imports).toContainEqual(
    expect.objectContaining({
      file: 'src/cli/connection.ts',
      target: 'secure-msk-constructs/model/index.ts',
    }),
  );
  expect(
    imports.filter(
      (i) => i.file.startsWith('src/') && i.target === 'secure-msk-constructs/index.ts',
    ),
  ).toEqual([]);
});

test("the model's index re-exports every model file, and the main index re-exports the model's", () => {
  const model = sourceFiles().filter(
    (f) =>
      f.startsWith('secure-msk-constructs/model/') && f !== 'secure-msk-constructs/model/index.ts',
  );
  expect(model.length).toBeGreaterThan(3);
  expect(
    imports
      .filter((i) => i.file === 'secure-msk-constructs/model/index.ts')
      .map((i) => i.target)
      .sort(),
  ).toEqual(model);
  expect(
    imports.filter(
      (i) =>
        i.file === 'secure-msk-constructs/index.ts' &&
        i.target.startsWith('secure-msk-constructs/model/'),
    ),
  ).toEqual([expect.objectContaining({ target: 'secure-msk-constructs/model/index.ts' })]);
});

test('model/ imports no npm package (Node built-ins at most): no CDK, no SDK, no esbuild', () => {
  const model = sourceFiles().filter((f) => f.startsWith('secure-msk-constructs/model/'));
  const packages = model.flatMap((file) =>
    specifiers(readFileSync(join(ROOT, file), 'utf8'), file)
      .filter(({ specifier }) => !specifier.startsWith('.') && !specifier.startsWith('node:'))
      .map(({ specifier }) => `${file} -> ${specifier}`),
  );
  expect(packages).toEqual([]);
});

test('every import form is found, and code inside strings and comments is not', () => {
  const text = [
    "import a from './a';",
    "import type { B } from '../b';",
    "import './side-effect';",
    "export * from './c';",
    "export { d } from './d';",
    "import e = require('./e');",
    "const f = require('./f');",
    "const g = await import('./g');",
    "jest.mock('./h', () => ({}));",
    "jest.requireActual('./i');",
    "type J = import('./j').J;",
    "const k = require.resolve('./k');",
    "// import x from './not-in-a-comment';",
    'const s = "import y from \'./not-in-a-string\'";',
    "const t = `require('./not-in-a-template')`;",
  ].join('\n');
  expect(specifiers(text, 'x.ts').map((s) => s.specifier)).toEqual([
    './a',
    '../b',
    './side-effect',
    './c',
    './d',
    './e',
    './f',
    './g',
    './h',
    './i',
    './j',
    './k',
  ]);
  expect(specifiers(text, 'x.ts')[6]).toEqual({ specifier: './f', line: 7 });
});

/** An import of `target` from `file`, as the scan would record it. */
const imp = (file: string, target: string): Import => ({
  file,
  specifier: target,
  target,
  resolved: true,
  line: 1,
});

// Each rule with an import that breaks it and one just inside it: a rule that could never fire,
// or that fires on the allowed case, fails here.
const CASES: [rule: number, breaking: Import, allowed: Import][] = [
  [
    0,
    imp('secure-msk-constructs/constructs/kafka-acls.ts', 'lib/config/index.ts'),
    imp(
      'secure-msk-constructs/constructs/kafka-acls.ts',
      'secure-msk-constructs/model/acl-binding.ts',
    ),
  ],
  [
    1,
    imp(
      'secure-msk-constructs/handlers/kafka-acls/index.ts',
      'secure-msk-constructs/constructs/acknowledge.ts',
    ),
    imp(
      'secure-msk-constructs/handlers/kafka-acls/index.ts',
      'secure-msk-constructs/model/acl-binding.ts',
    ),
  ],
  [
    2,
    imp(
      'secure-msk-constructs/constructs/kafka-acls.ts',
      'secure-msk-constructs/handlers/shared/retry.ts',
    ),
    imp(
      'secure-msk-constructs/constructs/kafka-acls.ts',
      'secure-msk-constructs/constructs/acknowledge.ts',
    ),
  ],
  [
    3,
    imp(
      'secure-msk-constructs/model/acl-binding.ts',
      'secure-msk-constructs/handlers/shared/retry.ts',
    ),
    imp(
      'secure-msk-constructs/model/acl-binding.ts',
      'secure-msk-constructs/model/scram-secret-name.ts',
    ),
  ],
  [
    4,
    imp('lib/cluster-stack.ts', 'secure-msk-constructs/constructs/kafka-acls.ts'),
    imp('lib/cluster-stack.ts', 'secure-msk-constructs/index.ts'),
  ],
  [
    4,
    imp('tools/cost/index.ts', 'secure-msk-constructs/handlers/shared/retry.ts'),
    imp('test/x.test.ts', 'secure-msk-constructs/handlers/shared/retry.ts'),
  ],
  [
    4,
    imp('src/cli/connection.ts', 'secure-msk-constructs/model/scram-secret-name.ts'),
    imp('src/cli/connection.ts', 'secure-msk-constructs/model/index.ts'),
  ],
  [
    4,
    imp('src/cli/commands/acls.ts', 'secure-msk-constructs/handlers/shared/logger.ts'),
    imp('src/cli/commands/acls.ts', 'secure-msk-constructs/handlers/shared/kafka-acl-admin.ts'),
  ],
  [
    5,
    imp('lambda/consumers/orders/index.ts', 'secure-msk-constructs/index.ts'),
    imp('lambda/consumers/orders/index.ts', 'secure-msk-constructs/handlers/shared/logger.ts'),
  ],
  [
    6,
    imp('lib/cluster-stack.ts', 'tools/shared/cdk-synth.ts'),
    imp('lib/cluster-stack.ts', 'lib/config/index.ts'),
  ],
  [6, imp('bin/app.ts', 'src/cli/index.ts'), imp('bin/app.ts', 'lib/msk-secure-stage.ts')],
  [
    7,
    imp('tools/validate/index.ts', 'test/helpers/synth.ts'),
    imp('tools/validate/index.ts', 'lib/config/index.ts'),
  ],
  [
    7,
    imp('src/cli/main.ts', 'test/helpers/env.ts'),
    imp('src/cli/main.ts', 'secure-msk-constructs/index.ts'),
  ],
  [
    8,
    imp('examples/bring-your-own-vpc.ts', 'lib/compliance.ts'),
    imp('examples/bring-your-own-vpc.ts', 'secure-msk-constructs/index.ts'),
  ],
  [
    8,
    imp('examples/bring-your-own-vpc.ts', 'secure-msk-constructs/constructs/msk-consumer.ts'),
    imp('examples/bring-your-own-vpc.ts', 'examples/shared.ts'),
  ],
  [
    8,
    imp('examples/bring-your-own-vpc.ts', 'secure-msk-constructs/model/rules.ts'),
    imp('examples/bring-your-own-vpc.ts', 'secure-msk-constructs/model/index.ts'),
  ],
  [
    9,
    imp('lib/cluster-stack.ts', 'test/helpers/cfn.ts'),
    imp('test/app.test.ts', 'test/helpers/cfn.ts'),
  ],
  [9, imp('jest.config.js', 'test/setup/x.ts'), imp('test/kafka/jest.config.js', 'jest.config.js')],
  [10, { ...imp('lib/a.ts', 'lib/missing'), resolved: false }, imp('lib/a.ts', 'lib/b.ts')],
];

test.each(CASES.map(([rule, b, a]) => [rule, `${b.file} -> ${b.target}`, b, a] as const))(
  'rule %i fires on %s, not on the allowed case',
  (rule, _label, breaking, allowed) => {
    expect(RULES[rule].breaks(breaking)).toBe(true);
    expect(RULES[rule].breaks(allowed)).toBe(false);
    expect(violations([breaking])).toContain(
      `${breaking.file}:1 -> ${breaking.target} (${RULES[rule].name})`,
    );
  },
);

test('every rule has a case above', () => {
  expect(new Set(CASES.map(([rule]) => rule))).toEqual(new Set(RULES.map((_, i) => i)));
});

test('the named exceptions are used (a stale one is removed, not kept)', () => {
  for (const exception of EXCEPTIONS) {
    expect(
      imports.some((i) => exception.file.test(i.file) && exception.target.test(i.target)),
    ).toBe(true);
  }
});

test('the import picture counts areas and imports into handler code', () => {
  const picture = importPicture([
    imp('lib/a.ts', 'secure-msk-constructs/index.ts'),
    imp('lib/a.ts', 'secure-msk-constructs/index.ts'),
    imp('lib/a.ts', 'secure-msk-constructs/model/index.ts'),
    imp('lib/a.ts', 'lib/b.ts'),
    imp('src/cli/x.ts', 'secure-msk-constructs/handlers/shared/kafka-acl-admin.ts'),
    imp('bench/x.ts', 'secure-msk-constructs/handlers/consumer/index.ts'),
    imp('secure-msk-constructs/constructs/x.ts', 'secure-msk-constructs/handlers/shared/retry.ts'),
    imp('test/x.test.ts', 'secure-msk-constructs/handlers/shared/retry.ts'),
  ]);
  expect(picture.edges.lib).toEqual({
    'secure-msk-constructs/index': 2,
    'secure-msk-constructs/model/index': 1,
  });
  expect(picture.intoHandlers).toEqual({ app: 0, tools: 0, src: 1, bench: 1, constructs: 1 });
});
