/**
 * The deploy guard's steps between `cdk synth` and `cdk deploy`: given the synthesized stacks
 * (`readAssembly` of tools/shared/assembly.ts, nested stacks included), fetch what is deployed
 * (nested stacks included), check the plan (`checkDeployment`) and what it removes from the
 * platform (`platform.ts`).
 */
import {
  CloudFormationClient,
  GetTemplateCommand,
  ListStackResourcesCommand,
} from '@aws-sdk/client-cloudformation';
import { type AssemblyStack, NESTED_STACK, nestedStackResources } from '../shared/assembly';
import type { CfnTemplate } from '../shared/template';
import {
  applyAllowances,
  GuardedRemovals,
  PlatformChanges,
  removalRefusals,
  summarizePlans,
} from './platform';
import { checkDeployment, DeployProblem, StackPlan } from './replacement';

/**
 * A nested stack: an `AWS::CloudFormation::Stack` resource of its parent, with its template
 * (and its own nested stacks).
 */
export interface NestedTemplate {
  /** Logical id of the `AWS::CloudFormation::Stack` resource in the parent template. */
  readonly logicalId: string;
  /** Short name for messages: the nested stack's construct id (`Users5`), else the logical id. */
  readonly label: string;
  readonly template: CfnTemplate;
  readonly nested: readonly NestedTemplate[];
}

/** A stack of the synthesized cloud assembly (`readAssembly` of tools/shared/assembly.ts). */
export type SynthesizedStack = AssemblyStack;

/** A deployed stack: its template and its nested stacks' templates. */
export interface DeployedStack {
  readonly template: CfnTemplate;
  readonly nested: readonly NestedTemplate[];
}

/** The stacks do not name an account and Region: the CDK CLI found no credentials. */
export class NoCredentialsError extends Error {
  constructor(stacks: readonly string[]) {
    super(
      `npm run deploy needs AWS credentials and a Region, and the CDK CLI found none: ` +
        `${stacks.join(', ')} synthesized without an account and Region. Set credentials ` +
        '(`aws configure`, AWS_PROFILE, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY) and a Region ' +
        '(AWS_REGION or the profile), check them with `aws sts get-caller-identity`, and run it again. ' +
        'Nothing was deployed.',
    );
    this.name = 'NoCredentialsError';
  }
}

/** The deployed template of a stack, or undefined when there is no such stack yet. */
export async function deployedTemplate(
  cloudFormation: CloudFormationClient,
  stackName: string,
): Promise<CfnTemplate | undefined> {
  try {
    const { TemplateBody } = await cloudFormation.send(
      new GetTemplateCommand({ StackName: stackName, TemplateStage: 'Original' }),
    );
    return TemplateBody ? JSON.parse(TemplateBody) : undefined;
  } catch (error) {
    if (error instanceof Error && /does not exist/.test(error.message)) return undefined;
    throw error;
  }
}

/** Physical ids (stack ARNs) of a deployed stack's nested stacks, by logical id. */
async function nestedStackIds(
  cloudFormation: CloudFormationClient,
  stackName: string,
): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  let NextToken: string | undefined;
  do {
    const page = await cloudFormation.send(
      new ListStackResourcesCommand({ StackName: stackName, NextToken }),
    );
    for (const r of page.StackResourceSummaries ?? []) {
      if (r.ResourceType === NESTED_STACK && r.LogicalResourceId && r.PhysicalResourceId) {
        ids.set(r.LogicalResourceId, r.PhysicalResourceId);
      }
    }
    NextToken = page.NextToken;
  } while (NextToken);
  return ids;
}

/**
 * The deployed template of a stack and of its nested stacks (each found by its physical id,
 * from `ListStackResources` of its parent), or undefined when there is no such stack yet. A
 * nested stack without a physical id (its creation failed) counts as not deployed.
 */
export async function deployedStack(
  cloudFormation: CloudFormationClient,
  stackName: string,
): Promise<DeployedStack | undefined> {
  const template = await deployedTemplate(cloudFormation, stackName);
  if (!template) return undefined;
  const resources = nestedStackResources(template);
  if (resources.length === 0) return { template, nested: [] };
  const ids = await nestedStackIds(cloudFormation, stackName);
  const nested: NestedTemplate[] = [];
  for (const { logicalId, label } of resources) {
    const id = ids.get(logicalId);
    const child = id ? await deployedStack(cloudFormation, id) : undefined;
    if (child) nested.push({ logicalId, label, ...child });
  }
  return { template, nested };
}

/**
 * One plan per stack and nested stack: a nested stack of either side is compared with the one
 * of the same logical id on the other side (a removed one with an empty template).
 */
export function stackPlans(
  stackName: string,
  deployed: { template: CfnTemplate; nested: readonly NestedTemplate[] } | undefined,
  next: { template: CfnTemplate; nested: readonly NestedTemplate[] } | undefined,
): StackPlan[] {
  const plans: StackPlan[] = [
    { stackName, deployed: deployed?.template, next: next?.template ?? {} },
  ];
  const ids = [
    ...new Set([...(next?.nested ?? []), ...(deployed?.nested ?? [])].map((n) => n.logicalId)),
  ];
  for (const id of ids) {
    const before = deployed?.nested.find((n) => n.logicalId === id);
    const after = next?.nested.find((n) => n.logicalId === id);
    plans.push(...stackPlans(`${stackName}/${(after ?? before)!.label}`, before, after));
  }
  return plans;
}

export interface PlanDeps {
  /** A CloudFormation client for a Region (the stack's). */
  readonly cloudFormation: (region: string) => CloudFormationClient;
}

export interface CheckOptions {
  /** `--allow-removal` names: the removals the caller accepts (`user:billing`, …). */
  readonly allowRemoval?: readonly string[];
}

/** What the guard found: each stack's plan and the problems that block the deployment. */
export interface DeploymentCheck {
  /** A plan per stack and per nested stack (`<parent>/<label>`). */
  readonly plans: readonly StackPlan[];
  /** Replacements CloudFormation cannot do and read outputs that would change. */
  readonly problems: readonly DeployProblem[];
  /** What changes on the platform: users, ACLs, topics, consumers, alarms, data. */
  readonly changes: PlatformChanges;
  /** Removals that lose data or access: refused unless allowed, and allowed ones. */
  readonly removals: GuardedRemovals;
}

/**
 * Compares the synthesized stacks with the deployed ones.
 *
 * @throws NoCredentialsError when the stacks have no account and Region
 */
export async function checkAssembly(
  stacks: readonly SynthesizedStack[],
  deps: PlanDeps,
  options: CheckOptions = {},
): Promise<DeploymentCheck> {
  const agnostic = stacks.filter(
    (s) => !/^\d{12}$/.test(s.account) || s.region.startsWith('unknown'),
  );
  if (agnostic.length > 0) throw new NoCredentialsError(agnostic.map((s) => s.displayName));
  const plans: StackPlan[] = [];
  for (const stack of stacks) {
    const deployed = await deployedStack(deps.cloudFormation(stack.region), stack.stackName);
    plans.push(...stackPlans(stack.stackName, deployed, stack));
  }
  const { before, after, changes } = summarizePlans(plans);
  return {
    plans,
    problems: checkDeployment(plans),
    changes,
    removals: applyAllowances(removalRefusals(before, after), options.allowRemoval ?? []),
  };
}

/** The guard's report, one line per problem, and what to do. */
export function formatProblems(problems: readonly DeployProblem[]): string {
  return [
    `Not deployed: ${problems.length} change${problems.length === 1 ? '' : 's'} would fail or leave a stack on a deleted resource:`,
    ...problems.map((p) => `  - ${p.stack} ${p.logicalId}: ${p.message}`),
    'Nothing was changed. Revert the setting, or make the change as ' +
      'docs/deploying.md#replacement-only-settings describes.',
  ].join('\n');
}
