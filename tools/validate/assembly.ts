/** Reads the stack templates of a synthesized cloud assembly (`cdk synth -o DIR`). */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { CfnTemplate } from './types';

export interface StackTemplate {
  readonly stackName: string;
  /** Absolute path of the template file. */
  readonly path: string;
  readonly template: CfnTemplate;
}

interface Manifest {
  artifacts?: Record<
    string,
    { type?: string; properties?: { templateFile?: string; stackName?: string } }
  >;
}

/**
 * The templates of `dir`: those of `dir/assembly-*` (the layout of a CDK app with stages) and
 * those directly in `dir`. Stack names come from the manifests; a template no manifest lists
 * is named after its file.
 */
export function loadTemplates(dir: string): StackTemplate[] {
  const root = resolve(dir);
  const dirs = [
    root,
    ...readdirSync(root)
      .filter((name) => name.startsWith('assembly-'))
      .map((name) => join(root, name))
      .filter((path) => statSync(path).isDirectory())
      .sort(),
  ];
  const stacks: StackTemplate[] = [];
  for (const d of dirs) {
    const names = new Map<string, string>();
    const manifestPath = join(d, 'manifest.json');
    if (existsSync(manifestPath)) {
      const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest;
      for (const [id, artifact] of Object.entries(manifest.artifacts ?? {})) {
        const file = artifact.properties?.templateFile;
        if (artifact.type === 'aws:cloudformation:stack' && file) {
          names.set(file, artifact.properties?.stackName ?? id);
        }
      }
    }
    for (const file of readdirSync(d)
      .filter((f) => f.endsWith('.template.json'))
      .sort()) {
      const path = join(d, file);
      stacks.push({
        stackName: names.get(file) ?? basename(file, '.template.json'),
        path,
        template: JSON.parse(readFileSync(path, 'utf8')) as CfnTemplate,
      });
    }
  }
  return stacks;
}
