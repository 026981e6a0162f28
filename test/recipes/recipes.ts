/**
 * The README's and docs' recipes as data, and a runner that carries one out in a copy of the
 * project. A recipe starts at a `<!-- recipe: <name> -->` line and takes the fenced blocks up to
 * the next heading or recipe:
 * - ```` ```json config/<profile>.json ```` blocks: set these top-level keys in that file;
 * - ```` ```bash ```` blocks: commands, run as written in the copy, one shell per block.
 *   `npm run deploy …` cannot run here (no AWS account): the runner runs `npm run synth` instead,
 *   with the same `-c` arguments, into the recipe's output folder.
 */
import { execFileSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';

export const ROOT = join(__dirname, '..', '..');

export interface Step {
  readonly kind: 'json' | 'bash';
  /** For json: the file the keys go into, relative to the project root. */
  readonly file?: string;
  readonly text: string;
}

export interface Recipe {
  readonly name: string;
  /** Where it is written: `README.md:412`. */
  readonly source: string;
  readonly steps: readonly Step[];
}

const MARKER = /^<!-- recipe: ([a-z0-9-]+) -->$/;
const FENCE = /^```(\S*)\s*(.*)$/;

/** Every recipe of a Markdown text. */
export function parseRecipes(markdown: string, file: string): Recipe[] {
  const lines = markdown.split('\n');
  const recipes: Recipe[] = [];
  let current: { name: string; source: string; steps: Step[] } | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const marker = MARKER.exec(line.trim());
    if (marker || /^#{1,6} /.test(line)) {
      if (current) recipes.push(current);
      current = marker ? { name: marker[1], source: `${file}:${i + 1}`, steps: [] } : undefined;
      continue;
    }
    const fence = FENCE.exec(line);
    if (!fence) continue;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]); i++) body.push(lines[i]);
    if (!current) continue;
    const [, language, info] = fence;
    if (language === 'json') {
      if (!/^config\/[a-z]+\.json$/.test(info)) {
        throw new Error(
          `${file}:${i + 1}: a recipe's json block must name its file (\`\`\`json config/<profile>.json), got "${info}"`,
        );
      }
      current.steps.push({ kind: 'json', file: info, text: body.join('\n') });
    } else if (language === 'bash') {
      current.steps.push({ kind: 'bash', text: body.join('\n') });
    }
  }
  if (current) recipes.push(current);
  return recipes;
}

/** The recipes of README.md and docs/*.md. */
export function projectRecipes(root = ROOT): Recipe[] {
  const files = ['README.md', ...readdirMarkdown(join(root, 'docs')).map((f) => `docs/${f}`)];
  return files.flatMap((f) => parseRecipes(readFileSync(join(root, f), 'utf8'), f));
}

function readdirMarkdown(dir: string): string[] {
  return existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith('.md'))
        .sort()
    : [];
}

/** Files and folders a copy of the project needs to synthesize (node_modules is linked). */
const COPIED = [
  'bin',
  'lib',
  'secure-msk-constructs',
  'lambda',
  'config',
  'examples',
  'src',
  'tools',
  'cdk.json',
  'package.json',
  'package-lock.json',
  'tsconfig.json',
];

/** A copy of the project in a temporary folder, with this project's node_modules linked. */
export function copyProject(root = ROOT): string {
  const copy = mkdtempSync(join(tmpdir(), 'msk-recipe-'));
  for (const entry of COPIED) {
    if (existsSync(join(root, entry)))
      cpSync(join(root, entry), join(copy, entry), { recursive: true });
  }
  symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'), 'dir');
  return copy;
}

/**
 * `npm run deploy [-- args]` → `npm run synth -- [args] --output <out>` (less the guard's `--yes`
 * and `--allow-removal`); other lines as written.
 */
export function substituteDeploy(script: string, output: string): string {
  return script
    .split('\n')
    .map((line) => {
      const deploy = /^npm run deploy(?:\s+--)?(.*)$/.exec(line.trim());
      // The guard's own flags (--yes, --allow-removal <name>) are not synth's.
      const args = deploy?.[1].replace(/--allow-removal(=|\s+)\S+/g, '').replace(/--yes\b/g, '');
      return deploy
        ? `npm run synth -- ${args} --output ${output}`.replace(/\s+/g, ' ').trim()
        : line;
    })
    .join('\n');
}

export interface RecipeRun {
  /** The project copy. */
  readonly root: string;
  /** The cloud assembly the recipe's deploy (or a final synth) wrote. */
  readonly assembly: string;
  /** Everything the commands printed. */
  readonly log: string;
}

/**
 * Carries a recipe out in a fresh copy: json steps set keys in their file, bash steps run as
 * written (deploy → synth). If no step synthesized, a plain `npm run synth` runs at the end.
 */
export function runRecipe(recipe: Recipe, root = ROOT): RecipeRun {
  const copy = copyProject(root);
  try {
    return carryOut(recipe, copy);
  } catch (error) {
    rmSync(copy, { recursive: true, force: true });
    throw error;
  }
}

function carryOut(recipe: Recipe, copy: string): RecipeRun {
  const assembly = join(copy, 'cdk.out.recipe');
  let log = '';
  const env = { ...process.env, AWS_EC2_METADATA_DISABLED: 'true' };
  for (const step of recipe.steps) {
    if (step.kind === 'json') {
      const path = join(copy, step.file!);
      const current = existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : {};
      let keys: Record<string, unknown>;
      try {
        keys = JSON.parse(step.text);
      } catch (error) {
        throw new Error(
          `${recipe.source}: its json block for ${step.file} is not JSON: ${(error as Error).message}`,
          {
            cause: error,
          },
        );
      }
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, `${JSON.stringify({ ...current, ...keys }, null, 2)}\n`);
    } else {
      log += run(substituteDeploy(step.text, relative(copy, assembly)), copy, env, recipe);
    }
  }
  if (!existsSync(join(assembly, 'manifest.json'))) {
    log += run(`npm run synth -- --output ${relative(copy, assembly)}`, copy, env, recipe);
  }
  return { root: copy, assembly, log };
}

function run(script: string, cwd: string, env: NodeJS.ProcessEnv, recipe: Recipe): string {
  try {
    return execFileSync('bash', ['-eo', 'pipefail', '-c', script], {
      cwd,
      env,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 180_000,
    });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(
      `${recipe.source} (recipe ${recipe.name}) failed:\n$ ${script}\n${e.stdout ?? ''}${e.stderr ?? ''}`,
      { cause: error },
    );
  }
}
