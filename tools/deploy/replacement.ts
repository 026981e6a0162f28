/**
 * What a deployment would replace, and which of those replacements CloudFormation cannot do or
 * would leave another stack pointing at a deleted resource. Pure functions over templates: the
 * deployed ones (from CloudFormation) and the synthesized ones.
 *
 * - A resource is replaced when one of its create-only properties changes (the
 *   `createOnlyProperties` of its CloudFormation resource schema, in
 *   `create-only-properties.json`), including when such a property refers to a resource that is
 *   replaced itself, in this stack or, through `Fn::GetStackOutput`, in another.
 * - CloudFormation cannot replace a resource that has a custom name (User Guide, "Name type":
 *   "You can't perform an update that causes a custom-named resource to be replaced").
 * - `Fn::GetStackOutput` is resolved when the consuming stack is created or updated; "if the
 *   referenced stack or output is later deleted or modified, the consuming stack is not
 *   automatically updated or notified" (Template Reference, "Fn::GetStackOutput"), and the CDK
 *   CLI skips a stack whose template did not change. So a read output whose value changes
 *   would leave its readers on the old value.
 */
import type { CfnResource, CfnTemplate } from '../shared/template';
import createOnly from './create-only-properties.json';

/**
 * One stack of the deployment: its deployed template (none yet: a new stack) and its next one.
 * A nested stack is a plan of its own, named `<parent>/<nested stack>`; one that the deployment
 * removes has an empty next template (CloudFormation deletes its resources with it).
 */
export interface StackPlan {
  /** The stack's name, or `<parent stack name>/<label>` for a nested stack. */
  readonly stackName: string;
  readonly deployed?: CfnTemplate;
  readonly next: CfnTemplate;
}

/** A change that the deployment must not attempt. */
export interface DeployProblem {
  readonly stack: string;
  /** Logical id of the resource, or of the output. */
  readonly logicalId: string;
  readonly message: string;
}

const CREATE_ONLY: Readonly<Record<string, readonly string[]>> = createOnly.types;

/** Create-only property paths of a type, e.g. `BrokerNodeGroupInfo/ClientSubnets`. */
export function createOnlyPaths(type: string): readonly string[] | undefined {
  return CREATE_ONLY[type]?.map((p) => p.replace(/^\/properties\//, ''));
}

/** The top-level create-only property that names the resource (`ClusterName`, `Name`, …). */
export function nameProperty(type: string): string | undefined {
  return createOnlyPaths(type)?.find((p) => !p.includes('/') && /Name$/.test(p));
}

const valueAt = (properties: Record<string, unknown> | undefined, path: string): unknown =>
  path
    .split('/')
    .reduce<unknown>(
      (value, key) =>
        value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined,
      properties,
    );

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Logical ids a value refers to with `Ref` / `Fn::GetAtt`, and the outputs it reads across stacks. */
export function references(value: unknown): { local: Set<string>; remote: Set<string> } {
  const local = new Set<string>();
  const remote = new Set<string>();
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(visit);
    if (!v || typeof v !== 'object') return;
    const o = v as Record<string, unknown>;
    if (typeof o.Ref === 'string') local.add(o.Ref);
    const getAtt = o['Fn::GetAtt'];
    if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') local.add(getAtt[0]);
    if (typeof getAtt === 'string') local.add(getAtt.split('.')[0]);
    const output = o['Fn::GetStackOutput'] as { StackName?: unknown; OutputName?: unknown };
    if (output && typeof output.StackName === 'string' && typeof output.OutputName === 'string') {
      remote.add(`${output.StackName}/${output.OutputName}`);
    }
    Object.values(o).forEach(visit);
  };
  visit(value);
  return { local, remote };
}

/** Why each resource would be replaced, by `stack/logicalId`. */
export function plannedReplacements(stacks: readonly StackPlan[]): Map<string, string> {
  const replaced = new Map<string, string>();
  const byName = new Map(stacks.map((s) => [s.stackName, s]));

  // Outputs whose value changes or whose resource is replaced; read by other stacks.
  const outputChange = (key: string): string | undefined => {
    const [stackName, outputName] = key.split('/');
    const stack = byName.get(stackName);
    const before = stack?.deployed?.Outputs?.[outputName];
    const after = stack?.next.Outputs?.[outputName];
    if (!stack?.deployed || !before || !after) return undefined;
    if (!same(before.Value, after.Value)) return `output ${key} changes its value`;
    for (const id of references(after.Value).local) {
      if (replaced.has(`${stackName}/${id}`))
        return `output ${key} reads ${stackName}/${id}, which is replaced`;
    }
    return undefined;
  };

  for (let changed = true; changed;) {
    changed = false;
    for (const stack of stacks) {
      if (!stack.deployed) continue;
      for (const [id, resource] of Object.entries(stack.next.Resources ?? {})) {
        const key = `${stack.stackName}/${id}`;
        const old = stack.deployed.Resources?.[id];
        if (replaced.has(key) || !old) continue;
        const reason = replacementReason(stack.stackName, old, resource, replaced, outputChange);
        if (reason) {
          replaced.set(key, reason);
          changed = true;
        }
      }
    }
  }
  return replaced;
}

function replacementReason(
  stackName: string,
  old: CfnResource,
  next: CfnResource,
  replaced: ReadonlyMap<string, string>,
  outputChange: (key: string) => string | undefined,
): string | undefined {
  if (old.Type !== next.Type) return `its type changes from ${old.Type} to ${next.Type}`;
  for (const path of createOnlyPaths(next.Type) ?? []) {
    const before = valueAt(old.Properties, path);
    const after = valueAt(next.Properties, path);
    if (!same(before, after)) return `create-only property ${path} changes`;
    const refs = references(after);
    for (const id of refs.local) {
      if (replaced.has(`${stackName}/${id}`))
        return `create-only property ${path} refers to ${id}, which is replaced`;
    }
    for (const output of refs.remote) {
      const change = outputChange(output);
      if (change) return `create-only property ${path} reads ${change}`;
    }
  }
  return undefined;
}

/** Outputs that other stacks of the deployment read with `Fn::GetStackOutput`, and who reads them. */
export function readOutputs(stacks: readonly StackPlan[]): Map<string, string[]> {
  const readers = new Map<string, string[]>();
  for (const stack of stacks) {
    for (const output of references(stack.next.Resources ?? {}).remote) {
      readers.set(output, [...(readers.get(output) ?? []), stack.stackName]);
    }
    for (const output of references(stack.next.Outputs ?? {}).remote) {
      readers.set(output, [...(readers.get(output) ?? []), stack.stackName]);
    }
  }
  for (const [key, names] of readers) readers.set(key, [...new Set(names)]);
  return readers;
}

/**
 * Everything in the plan that must not be deployed: replacements CloudFormation cannot do
 * (custom names) and read outputs that would change under their readers. Empty: safe to deploy.
 */
export function checkDeployment(stacks: readonly StackPlan[]): DeployProblem[] {
  const replaced = plannedReplacements(stacks);
  const problems: DeployProblem[] = [];
  for (const stack of stacks) {
    for (const [id, resource] of Object.entries(stack.next.Resources ?? {})) {
      const reason = replaced.get(`${stack.stackName}/${id}`);
      const name = nameProperty(resource.Type);
      const value = name && resource.Properties?.[name];
      const oldValue = name && stack.deployed?.Resources?.[id]?.Properties?.[name];
      if (!reason || value === undefined || !same(value, oldValue)) continue;
      problems.push({
        stack: stack.stackName,
        logicalId: id,
        message:
          `${resource.Type} would be replaced (${reason}), but it has a custom name ` +
          `(${name} = ${JSON.stringify(value)}) and CloudFormation cannot replace a custom-named resource.`,
      });
    }
  }
  for (const [key, readers] of readOutputs(stacks)) {
    const [stackName, outputName] = key.split('/');
    const stack = stacks.find((s) => s.stackName === stackName);
    const before = stack?.deployed?.Outputs?.[outputName];
    const after = stack?.next.Outputs?.[outputName];
    if (!stack || !before || !after) continue;
    let reason: string | undefined;
    if (!same(before.Value, after.Value)) reason = 'its value changes';
    for (const id of references(after.Value).local) {
      const why = replaced.get(`${stackName}/${id}`);
      if (!reason && why) reason = `${id} is replaced (${why})`;
    }
    if (!reason) continue;
    problems.push({
      stack: stackName,
      logicalId: outputName,
      message:
        `${readers.join(', ')} read${readers.length === 1 ? 's' : ''} this output with ` +
        `Fn::GetStackOutput, and ${reason}: they would keep the old value.`,
    });
  }
  return problems;
}
