#!/usr/bin/env node
/**
 * The project's relative imports, the rules they follow and the picture they draw.
 *
 *   npx tsx tools/imports.ts          # which folders import which, and what imports handler code
 *
 * Every .ts/.mjs/.cjs/.js file outside node_modules, cdk.out*, coverage, reports and dot folders is
 * parsed with TypeScript's parser (not a regular expression, so code in strings and comments does
 * not count): `import … from`, `export … from`, `import x = require()`, `import()`, `require()`,
 * `require.resolve()` and the paths given to `jest.mock()`/`jest.requireActual()` and the like.
 * Only relative specifiers (`./`, `../`) are project imports; packages are not.
 * `test/imports.test.ts` enforces `RULES` over the whole tree in `npm test`.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

export const ROOT = resolve(__dirname, '..');

const SOURCE = /\.(ts|mts|cts|js|mjs|cjs)$/;
const SKIPPED_DIRS = new Set(['node_modules', 'coverage', 'reports']);
/** How an import without an extension is resolved, in order (TypeScript's and Node's). */
const CANDIDATES = ['', '.ts', '.mts', '.cts', '.js', '.mjs', '.cjs', '.json'];
const INDEXES = ['index.ts', 'index.js', 'index.mjs'];
/** Calls whose first argument names a module. */
const JEST_MODULE_CALLS = new Set([
  'mock',
  'doMock',
  'unmock',
  'dontMock',
  'setMock',
  'requireActual',
  'requireMock',
  'createMockFromModule',
]);

export interface Import {
  /** The importing file, relative to the root, with `/`. */
  readonly file: string;
  /** As written. */
  readonly specifier: string;
  /** The file it names, relative to the root (or the path it would be when unresolved). */
  readonly target: string;
  readonly resolved: boolean;
  /** 1-based. */
  readonly line: number;
}

/** Every source file under `root`, relative, with `/`, sorted. */
export function sourceFiles(root = ROOT): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name.startsWith('.') || SKIPPED_DIRS.has(entry.name)) continue;
      if (entry.name.startsWith('cdk.out')) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() && SOURCE.test(entry.name) && !entry.name.endsWith('.d.ts')) {
        files.push(toPosix(relative(root, path)));
      }
    }
  };
  walk(root);
  return files.sort();
}

/** The module specifiers a source text names, with their 1-based lines. */
export function specifiers(text: string, fileName: string): { specifier: string; line: number }[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const found: { specifier: string; line: number }[] = [];
  const add = (node: ts.Node | undefined) => {
    if (node && ts.isStringLiteralLike(node)) {
      const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
      found.push({ specifier: node.text, line });
    }
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) {
      add(node.moduleSpecifier);
    } else if (
      ts.isImportEqualsDeclaration(node) &&
      ts.isExternalModuleReference(node.moduleReference)
    ) {
      add(node.moduleReference.expression);
    } else if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const first = node.arguments[0];
      if (callee.kind === ts.SyntaxKind.ImportKeyword) add(first);
      else if (ts.isIdentifier(callee) && callee.text === 'require') add(first);
      else if (
        ts.isPropertyAccessExpression(callee) &&
        ts.isIdentifier(callee.expression) &&
        ((callee.expression.text === 'jest' && JEST_MODULE_CALLS.has(callee.name.text)) ||
          (callee.expression.text === 'require' && callee.name.text === 'resolve'))
      ) {
        add(first);
      }
    } else if (ts.isImportTypeNode(node)) {
      const argument = node.argument;
      if (ts.isLiteralTypeNode(argument)) add(argument.literal);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function toPosix(path: string): string {
  return path.split(sep).join('/');
}

function resolveTarget(root: string, from: string, specifier: string) {
  const base = resolve(root, dirname(from), specifier);
  const isFile = (p: string) => existsSync(p) && statSync(p).isFile();
  // `./x.js` in NodeNext TypeScript names `./x.ts`.
  const stripped = base.replace(/\.(c|m)?js$/, '');
  for (const candidate of [
    ...CANDIDATES.map((ext) => base + ext),
    ...['.ts', '.mts', '.cts'].map((ext) => stripped + ext),
    ...INDEXES.map((index) => join(base, index)),
  ]) {
    if (isFile(candidate)) return { target: toPosix(relative(root, candidate)), resolved: true };
  }
  return { target: toPosix(relative(root, base)), resolved: false };
}

/** Every relative import of every source file under `root`. */
export function projectImports(root = ROOT): Import[] {
  return sourceFiles(root).flatMap((file) =>
    specifiers(readFileSync(join(root, file), 'utf8'), file)
      .filter(({ specifier }) => specifier.startsWith('./') || specifier.startsWith('../'))
      .map(({ specifier, line }) => ({
        file,
        specifier,
        line,
        ...resolveTarget(root, file, specifier),
      })),
  );
}

const LIBRARY = 'secure-msk-constructs';
const LIBRARY_INDEX = `${LIBRARY}/index.ts`;
/** The model's own entry point: plain code, no CDK (for the CLI, config checks, handlers). */
const MODEL_INDEX = `${LIBRARY}/model/index.ts`;
/** The two files code outside the library may import the library through. */
const ENTRY_POINTS: readonly string[] = [LIBRARY_INDEX, MODEL_INDEX];

/**
 * The part of the tree a path is in: its top-level folder, the library split into
 * `secure-msk-constructs/{constructs,handlers,model,index,model/index}`, `(root)` for files at
 * the top.
 */
export function areaOf(path: string): string {
  const [top, second] = path.split('/');
  if (path.startsWith('../')) return '(outside)';
  if (!path.includes('/')) return '(root)';
  if (top === LIBRARY) {
    if (path === LIBRARY_INDEX) return `${LIBRARY}/index`;
    if (path === MODEL_INDEX) return `${LIBRARY}/model/index`;
    return ['constructs', 'handlers', 'model'].includes(second) ? `${LIBRARY}/${second}` : LIBRARY;
  }
  return top;
}

const under = (path: string, ...folders: string[]) =>
  folders.some((folder) => path.startsWith(`${folder}/`));

export interface Rule {
  readonly name: string;
  /** True when the import breaks the rule. */
  readonly breaks: (imp: Import) => boolean;
}

/**
 * Named exceptions: imports that cross a line on purpose. Each says why.
 * - The client CLI (`src/cli`) lists and changes ACLs with the same admin code the ACL custom
 *   resource runs (`handlers/shared/kafka-acl-admin.ts`), so the CLI and the deployed handler
 *   cannot disagree on how an ACL binding becomes Kafka's ACL entries.
 * - The benchmark (`bench/`) measures the deployed consumer handler's code path itself, and
 *   times the same synth the tests run (`test/helpers/synth.ts`), so the figures are the tests'.
 */
export const EXCEPTIONS: readonly { file: RegExp; target: RegExp; why: string }[] = [
  {
    file: /^src\/cli\//,
    target: /^secure-msk-constructs\/handlers\/shared\/kafka-acl-admin\.ts$/,
    why: 'the CLI manages ACLs with the ACL handler’s own admin code',
  },
  {
    file: /^bench\//,
    target: /^secure-msk-constructs\/handlers\//,
    why: 'the benchmark measures the deployed handler code',
  },
  {
    file: /^bench\/synth\.ts$/,
    target: /^test\/helpers\/synth\.ts$/,
    why: 'the synth benchmark times the tests’ own synth helper',
  },
];

const excepted = (i: Import) =>
  EXCEPTIONS.some((e) => e.file.test(i.file) && e.target.test(i.target));

export const RULES: readonly Rule[] = [
  {
    name: 'the library imports nothing outside secure-msk-constructs/',
    breaks: (i) => under(i.file, LIBRARY) && !under(i.target, LIBRARY),
  },
  {
    name: 'handlers/ and model/ import nothing from constructs/ or the index',
    breaks: (i) =>
      under(i.file, `${LIBRARY}/handlers`, `${LIBRARY}/model`) &&
      (under(i.target, `${LIBRARY}/constructs`) || i.target === LIBRARY_INDEX),
  },
  {
    name: 'constructs/ import no handler code (share it through model/)',
    breaks: (i) => under(i.file, `${LIBRARY}/constructs`) && under(i.target, `${LIBRARY}/handlers`),
  },
  {
    name: 'model/ imports nothing from handlers/',
    breaks: (i) => under(i.file, `${LIBRARY}/model`) && under(i.target, `${LIBRARY}/handlers`),
  },
  {
    name: 'outside the library, the library is imported only through secure-msk-constructs/index.ts or secure-msk-constructs/model/index.ts',
    breaks: (i) =>
      !under(i.file, LIBRARY, 'test', 'lambda') &&
      under(i.target, LIBRARY) &&
      !ENTRY_POINTS.includes(i.target) &&
      !excepted(i),
  },
  {
    // `npm run new-consumer` starts an app handler from the reference one, importing the
    // library's handler code (`handlers/shared/…`) as the reference does.
    name: "app handlers (lambda/) use the library's handler and model code, never constructs/ or the index",
    breaks: (i) =>
      under(i.file, 'lambda') &&
      (under(i.target, `${LIBRARY}/constructs`) || i.target === LIBRARY_INDEX),
  },
  {
    name: 'the app (bin/, lib/) imports nothing from tools/, src/, test/, bench/, examples/',
    breaks: (i) =>
      under(i.file, 'bin', 'lib') && under(i.target, 'tools', 'src', 'test', 'bench', 'examples'),
  },
  {
    name: 'tools/ and src/ import nothing from test/',
    breaks: (i) => under(i.file, 'tools', 'src') && under(i.target, 'test'),
  },
  {
    name: "examples/ is a forker's app: only the library's entry points and its own files",
    breaks: (i) =>
      under(i.file, 'examples') && !under(i.target, 'examples') && !ENTRY_POINTS.includes(i.target),
  },
  {
    name: 'nothing outside test/ imports test/',
    breaks: (i) => !under(i.file, 'test') && under(i.target, 'test') && !excepted(i),
  },
  {
    name: 'a relative import names a file that exists',
    breaks: (i) => !i.resolved,
  },
];

/** `file:line -> specifier (rule)`, one per broken rule. */
export function violations(imports: readonly Import[], rules = RULES): string[] {
  return imports.flatMap((i) =>
    rules
      .filter((r) => r.breaks(i))
      .map((r) => `${i.file}:${i.line} -> ${i.specifier} (${r.name})`),
  );
}

export interface ImportPicture {
  /** importing area → imported area → number of imports (within an area not counted). */
  readonly edges: Record<string, Record<string, number>>;
  /** Imports into `secure-msk-constructs/handlers/**`, by where they come from. */
  readonly intoHandlers: Record<'app' | 'tools' | 'src' | 'bench' | 'constructs', number>;
}

/** Which areas import which, and how much reaches into the deployed handler code. */
export function importPicture(imports: readonly Import[]): ImportPicture {
  const edges: Record<string, Record<string, number>> = {};
  const intoHandlers = { app: 0, tools: 0, src: 0, bench: 0, constructs: 0 };
  for (const i of imports) {
    const from = areaOf(i.file);
    const to = areaOf(i.target);
    if (from !== to) {
      edges[from] ??= {};
      edges[from][to] = (edges[from][to] ?? 0) + 1;
    }
    if (!under(i.target, `${LIBRARY}/handlers`)) continue;
    if (under(i.file, 'bin', 'lib')) intoHandlers.app++;
    else if (under(i.file, 'tools')) intoHandlers.tools++;
    else if (under(i.file, 'src')) intoHandlers.src++;
    else if (under(i.file, 'bench')) intoHandlers.bench++;
    else if (under(i.file, `${LIBRARY}/constructs`)) intoHandlers.constructs++;
  }
  return { edges, intoHandlers };
}

/** The picture as text, one importing area a line. */
export function formatPicture(picture: ImportPicture): string {
  const lines = Object.keys(picture.edges)
    .sort()
    .map((from) => {
      const targets = Object.entries(picture.edges[from])
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([to, n]) => `${to} ${n}`)
        .join(', ');
      return `${from} -> ${targets}`;
    });
  const h = picture.intoHandlers;
  lines.push(
    `imports into secure-msk-constructs/handlers/**: app (bin/, lib/) ${h.app}, tools ${h.tools}, ` +
      `src ${h.src}, bench ${h.bench}, library constructs ${h.constructs}`,
  );
  return lines.join('\n');
}

if (require.main === module) {
  const imports = projectImports();
  process.stdout.write(`${formatPicture(importPicture(imports))}\n`);
  const broken = violations(imports);
  if (broken.length > 0) {
    process.stdout.write(`\n${broken.length} import rule violation(s):\n${broken.join('\n')}\n`);
    process.exitCode = 1;
  }
}
