/** What `npm run integ` reads from the synthesized integ app (a cloud assembly directory). */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { readAssembly, readTemplateFile } from '../shared/assembly';
import { INTEG_STEP_METADATA } from './settings';

export interface StackRef {
  /** `msk-integ/Network`: what the CDK CLI selects. */
  readonly path: string;
  /** `msk-integ-Network`: what CloudFormation knows. */
  readonly name: string;
  readonly templateFile: string;
}

/**
 * The test's stacks in deployment order (as `integ.json`, the integ-tests manifest, lists
 * them), and the assertion stack, which deploys last.
 */
export function readIntegStacks(outdir: string): { stacks: StackRef[]; assertions: StackRef } {
  const assembly = readAssembly(outdir);
  const manifest = JSON.parse(readFileSync(path.join(outdir, 'integ.json'), 'utf8')) as {
    testCases: Record<string, { stacks: string[]; assertionStack: string }>;
  };
  const testCases = Object.values(manifest.testCases);
  if (testCases.length !== 1) {
    throw new Error(`integ.json has ${testCases.length} test cases; the runner expects one`);
  }
  const [testCase] = testCases;
  const byPath = (p: string): StackRef => {
    const stack = assembly.find((s) => s.displayName === p);
    if (!stack) throw new Error(`stack ${p} of integ.json is not in the assembly`);
    return { path: p, name: stack.stackName, templateFile: stack.templateFile };
  };
  return { stacks: testCase.stacks.map(byPath), assertions: byPath(testCase.assertionStack) };
}

/** The step label (`3. …`) of each assertion resource of a template, by logical id. */
export function assertionLabels(templateFile: string): Map<string, string> {
  const labels = new Map<string, string>();
  for (const [id, resource] of Object.entries(readTemplateFile(templateFile).Resources ?? {})) {
    const label = resource.Metadata?.[INTEG_STEP_METADATA];
    if (typeof label === 'string') labels.set(id, label);
  }
  return labels;
}

/** Step number of a label (`12. …` → 12), for ordering. */
export const stepNumber = (label: string): number => parseInt(label, 10);
