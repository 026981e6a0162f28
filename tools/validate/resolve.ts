/**
 * A "resolved copy" of a synthesized template: what a CloudFormation hook (the way AWS Control
 * Tower runs its proactive controls) sees of it at deploy time.
 *
 * - `Fn::GetStackOutput` / `Fn::ImportValue` (cross-stack references) become the literal the
 *   producer's output would hold, shaped after the producer's resource (a KMS key ARN, `sg-…`).
 * - Pseudo parameters become literals (us-east-1, 111111111111, aws, amazonaws.com), and
 *   `Fn::Join` / `Fn::Sub` / `Fn::Select` / `Fn::Split` / `Fn::GetAZs` are folded whenever all
 *   of their parts are literal.
 * - `Ref` / `Fn::GetAtt` to resources of the same template are kept: the Control Tower rules
 *   accept those, and they are what ties a resource to its neighbours.
 *
 * Pure: the caller passes the templates of the assembly by stack name.
 */
import {
  availabilityZones,
  PlaceholderEnv,
  placeholderFor,
  pseudoParameter,
  REGION,
} from './placeholders';
import type { CfnTemplate } from '../shared/template';

export interface ResolveContext {
  /** The stack whose template is resolved. */
  readonly stackName: string;
  /** Every stack of the cloud assembly (producers of cross-stack references), by stack name. */
  readonly stacks: ReadonlyMap<string, CfnTemplate>;
  readonly region?: string;
}

export interface ResolveResult {
  readonly template: CfnTemplate;
  /** What could not be shaped (unknown producer resource types, missing outputs). */
  readonly notes: string[];
}

interface Scope {
  readonly env: PlaceholderEnv;
  readonly template: CfnTemplate;
  /** True when evaluating a producer's output: its resource references must become literals. */
  readonly literalRefs: boolean;
  readonly depth: number;
}

interface State {
  readonly stacks: ReadonlyMap<string, CfnTemplate>;
  readonly notes: Set<string>;
  /** Unknown resource types met while evaluating the current output. */
  unknown: string[];
}

const INTRINSICS = new Set([
  'Ref',
  'Fn::GetAtt',
  'Fn::GetStackOutput',
  'Fn::ImportValue',
  'Fn::Join',
  'Fn::Sub',
  'Fn::Select',
  'Fn::Split',
  'Fn::GetAZs',
]);

export function resolveTemplate(template: CfnTemplate, ctx: ResolveContext): ResolveResult {
  const state: State = { stacks: ctx.stacks, notes: new Set(), unknown: [] };
  const scope: Scope = {
    env: { stackName: ctx.stackName, region: ctx.region ?? REGION },
    template,
    literalRefs: false,
    depth: 0,
  };
  const resolved = resolveValue(template, scope, state) as CfnTemplate;
  return { template: resolved, notes: [...state.notes].sort() };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function resolveValue(node: unknown, scope: Scope, state: State): unknown {
  if (Array.isArray(node)) return node.map((item) => resolveValue(item, scope, state));
  if (!isRecord(node)) return node;
  const keys = Object.keys(node);
  if (keys.length === 1 && INTRINSICS.has(keys[0])) {
    return resolveIntrinsic(keys[0], node[keys[0]], node, scope, state);
  }
  const out: Record<string, unknown> = {};
  for (const key of keys) out[key] = resolveValue(node[key], scope, state);
  return out;
}

function resolveIntrinsic(
  fn: string,
  arg: unknown,
  original: Record<string, unknown>,
  scope: Scope,
  state: State,
): unknown {
  switch (fn) {
    case 'Ref': {
      if (typeof arg !== 'string') return original;
      const pseudo = pseudoParameter(arg, scope.env);
      if (pseudo !== undefined) return pseudo;
      return scope.literalRefs
        ? (resourceValue(arg, undefined, scope, state) ?? original)
        : original;
    }
    case 'Fn::GetAtt': {
      const parsed = parseGetAtt(arg);
      if (!parsed || !scope.literalRefs) return original;
      return resourceValue(parsed[0], parsed[1], scope, state) ?? original;
    }
    case 'Fn::GetStackOutput': {
      const r = resolveValue(arg, scope, state);
      if (!isRecord(r)) return { [fn]: r };
      const { StackName, OutputName, Region } = r;
      if (typeof StackName !== 'string' || typeof OutputName !== 'string') return { [fn]: r };
      const region = typeof Region === 'string' ? Region : (scope.env.region ?? REGION);
      return stackOutput(StackName, OutputName, region, scope, state);
    }
    case 'Fn::ImportValue': {
      const name = resolveValue(arg, scope, state);
      if (typeof name !== 'string') return { [fn]: name };
      for (const [stackName, template] of state.stacks) {
        for (const [outputName, output] of Object.entries(template.Outputs ?? {})) {
          const exportScope = { ...scope, env: { ...scope.env, stackName }, template };
          if (resolveValue(output.Export?.Name, exportScope, state) === name) {
            return stackOutput(stackName, outputName, scope.env.region ?? REGION, scope, state);
          }
        }
      }
      state.notes.add(`Fn::ImportValue ${name}: no stack of the assembly exports it`);
      return `resolved-${name}`;
    }
    case 'Fn::Join': {
      const r = resolveValue(arg, scope, state);
      if (Array.isArray(r) && r.length === 2 && typeof r[0] === 'string' && Array.isArray(r[1])) {
        const parts = r[1];
        if (parts.every((p) => typeof p === 'string')) return parts.join(r[0]);
      }
      return { [fn]: r };
    }
    case 'Fn::Split': {
      const r = resolveValue(arg, scope, state);
      if (Array.isArray(r) && typeof r[0] === 'string' && typeof r[1] === 'string') {
        return r[1].split(r[0]);
      }
      return { [fn]: r };
    }
    case 'Fn::Select': {
      const r = resolveValue(arg, scope, state);
      if (Array.isArray(r) && r.length === 2 && Array.isArray(r[1])) {
        const index = Number(r[0]);
        const item: unknown = r[1][index];
        if (Number.isInteger(index) && typeof item === 'string') return item;
      }
      return { [fn]: r };
    }
    case 'Fn::GetAZs': {
      const r = resolveValue(arg, scope, state);
      if (r === '' || typeof r === 'string') return availabilityZones(r || scope.env.region);
      return { [fn]: r };
    }
    case 'Fn::Sub':
      return resolveSub(arg, original, scope, state);
    default:
      return original;
  }
}

function parseGetAtt(arg: unknown): [string, string] | undefined {
  if (typeof arg === 'string') {
    const dot = arg.indexOf('.');
    return dot > 0 ? [arg.slice(0, dot), arg.slice(dot + 1)] : undefined;
  }
  if (Array.isArray(arg) && typeof arg[0] === 'string' && typeof arg[1] === 'string') {
    return [arg[0], arg[1]];
  }
  return undefined;
}

/** The literal value of a resource's Ref / attribute, in a producer's scope. */
function resourceValue(
  logicalId: string,
  attribute: string | undefined,
  scope: Scope,
  state: State,
): string | undefined {
  const resource = scope.template.Resources?.[logicalId];
  if (!resource) return undefined;
  if (resource.Type === 'AWS::CloudFormation::Stack' && attribute?.startsWith('Outputs.')) {
    // A CDK nested stack: its template is the asset named in the resource's metadata, loaded
    // with the other templates under its file name.
    const asset = (resource as { Metadata?: Record<string, unknown> }).Metadata?.['aws:asset:path'];
    const nested = typeof asset === 'string' ? asset.replace(/\.template\.json$/, '') : undefined;
    if (nested && state.stacks.has(nested)) {
      const region = scope.env.region ?? REGION;
      return stackOutput(nested, attribute.slice('Outputs.'.length), region, scope, state);
    }
  }
  if (resource.Type === 'AWS::SSM::Parameter' && attribute === 'Value') {
    // A parameter's value is what its template says, resolved in the same scope.
    const value = resolveValue(resource.Properties?.Value, scope, state);
    if (typeof value === 'string') return value;
  }
  const value = placeholderFor(resource, logicalId, attribute, scope.env);
  if (value === undefined) state.unknown.push(`${resource.Type} ${attribute ?? 'Ref'}`);
  return value;
}

function stackOutput(
  stackName: string,
  outputName: string,
  region: string,
  scope: Scope,
  state: State,
): string {
  const fallback = `resolved-${outputName}`;
  const producer = state.stacks.get(stackName);
  const output = producer?.Outputs?.[outputName];
  if (!producer || !output || scope.depth > 5) {
    state.notes.add(
      `${stackName}.${outputName}: ${producer ? 'no such output' : 'no such stack in the assembly'} → "${fallback}"`,
    );
    return fallback;
  }
  const saved = state.unknown;
  state.unknown = [];
  const producerScope: Scope = {
    env: { stackName, region },
    template: producer,
    literalRefs: true,
    depth: scope.depth + 1,
  };
  const value = resolveValue(output.Value, producerScope, state);
  const unknown = state.unknown;
  state.unknown = saved;
  if (typeof value === 'string') return value;
  const why = unknown.length ? `unknown type ${[...new Set(unknown)].join(', ')}` : 'not a literal';
  state.notes.add(`${stackName}.${outputName}: ${why} → "${fallback}"`);
  return fallback;
}

function resolveSub(
  arg: unknown,
  original: Record<string, unknown>,
  scope: Scope,
  state: State,
): unknown {
  let text: unknown = arg;
  let vars: Record<string, unknown> = {};
  if (Array.isArray(arg)) {
    text = arg[0];
    const r = resolveValue(arg[1] ?? {}, scope, state);
    vars = isRecord(r) ? r : {};
  }
  if (typeof text !== 'string') return original;
  let complete = true;
  const out = text.replace(/\$\{([^}]*)\}/g, (whole, name: string) => {
    if (name.startsWith('!')) return `\${${name.slice(1)}}`;
    const fromVars = vars[name];
    if (typeof fromVars === 'string') return fromVars;
    const pseudo = pseudoParameter(name, scope.env);
    if (typeof pseudo === 'string') return pseudo;
    if (scope.literalRefs && !(name in vars)) {
      const dot = name.indexOf('.');
      const value =
        dot > 0
          ? resourceValue(name.slice(0, dot), name.slice(dot + 1), scope, state)
          : resourceValue(name, undefined, scope, state);
      if (value !== undefined) return value;
    }
    complete = false;
    return whole;
  });
  if (complete) return out;
  return Array.isArray(arg) ? { 'Fn::Sub': [text, vars] } : original;
}
