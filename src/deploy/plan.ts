/**
 * The deploy guard's steps between `cdk synth` and `cdk deploy`: read the synthesized stacks,
 * fetch what is deployed, and check the plan (`checkDeployment`).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CloudFormationClient, GetTemplateCommand } from '@aws-sdk/client-cloudformation';
import { CfnTemplate, checkDeployment, DeployProblem, StackPlan } from './replacement';

/** A stack of the synthesized cloud assembly. */
export interface SynthesizedStack {
  readonly stackName: string;
  readonly displayName: string;
  readonly account: string;
  readonly region: string;
  readonly template: CfnTemplate;
}

interface Manifest {
  readonly artifacts?: Record<
    string,
    {
      readonly type: string;
      readonly environment?: string;
      readonly displayName?: string;
      readonly properties?: {
        readonly directoryName?: string;
        readonly templateFile?: string;
        readonly stackName?: string;
      };
    }
  >;
}

/** Every stack of a cloud assembly (`cdk.out`), nested assemblies (stages) included. */
export function readAssembly(directory: string): SynthesizedStack[] {
  const manifest: Manifest = JSON.parse(readFileSync(join(directory, 'manifest.json'), 'utf8'));
  const stacks: SynthesizedStack[] = [];
  for (const [id, artifact] of Object.entries(manifest.artifacts ?? {})) {
    if (artifact.type === 'cdk:cloud-assembly' && artifact.properties?.directoryName) {
      stacks.push(...readAssembly(join(directory, artifact.properties.directoryName)));
    }
    if (artifact.type !== 'aws:cloudformation:stack' || !artifact.properties?.templateFile) {
      continue;
    }
    const [, account = '', region = ''] =
      /^aws:\/\/([^/]*)\/(.*)$/.exec(artifact.environment ?? '') ?? [];
    stacks.push({
      stackName: artifact.properties.stackName ?? id,
      displayName: artifact.displayName ?? id,
      account,
      region,
      template: JSON.parse(readFileSync(join(directory, artifact.properties.templateFile), 'utf8')),
    });
  }
  return stacks;
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

export interface PlanDeps {
  /** A CloudFormation client for a Region (the stack's). */
  readonly cloudFormation: (region: string) => CloudFormationClient;
}

/** What the guard found: each stack's plan and the problems that block the deployment. */
export interface DeploymentCheck {
  readonly plans: readonly StackPlan[];
  readonly problems: readonly DeployProblem[];
}

/**
 * Compares the synthesized stacks with the deployed ones.
 *
 * @throws NoCredentialsError when the stacks have no account and Region
 */
export async function checkAssembly(
  stacks: readonly SynthesizedStack[],
  deps: PlanDeps,
): Promise<DeploymentCheck> {
  const agnostic = stacks.filter(
    (s) => !/^\d{12}$/.test(s.account) || s.region.startsWith('unknown'),
  );
  if (agnostic.length > 0) throw new NoCredentialsError(agnostic.map((s) => s.displayName));
  const plans: StackPlan[] = [];
  for (const stack of stacks) {
    plans.push({
      stackName: stack.stackName,
      deployed: await deployedTemplate(deps.cloudFormation(stack.region), stack.stackName),
      next: stack.template,
    });
  }
  return { plans, problems: checkDeployment(plans) };
}

/** The guard's report, one line per problem, and what to do. */
export function formatProblems(problems: readonly DeployProblem[]): string {
  return [
    `Not deployed: ${problems.length} change${problems.length === 1 ? '' : 's'} would fail or leave a stack on a deleted resource:`,
    ...problems.map((p) => `  - ${p.stack} ${p.logicalId}: ${p.message}`),
    'Nothing was changed. Revert the setting, or make the change as README.md "Deploying safely" describes ' +
      '(replacement-only settings).',
  ].join('\n');
}
