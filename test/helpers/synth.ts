import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { Template } from 'aws-cdk-lib/assertions';
import { addCompliancePacks } from '../../lib/compliance';
import { AppConfig, loadConfig } from '../../lib/config';
import { MskSecureStage } from '../../lib/msk-secure-stage';

/** The feature flags of cdk.json, so tests synthesize exactly what `cdk synth` does. */
export const FEATURE_FLAGS: Record<string, unknown> = JSON.parse(
  readFileSync(join(__dirname, '..', '..', 'cdk.json'), 'utf8'),
).context;

export interface SynthResult {
  readonly config: AppConfig;
  readonly stage: MskSecureStage;
  /** The cloud assembly's directory (a temporary one). */
  readonly assemblyDirectory: string;
  readonly network: Template;
  readonly cluster: Template;
  readonly consumer: Template;
  readonly monitoring: Template;
  /** The nested stacks of SCRAM users, merged into one template (secrets, parameters, associations). */
  readonly users: Template;
}

export interface SynthOptions {
  /**
   * Run aws-cdk-lib's built-in CloudFormation validation during synth, as `cdk synth` does
   * (cdk.json makes a finding fail synth). test/setup/builtin-validation.ts explains why it is
   * off in other unit tests.
   * @default false
   */
  readonly builtinValidation?: boolean;
  /**
   * Add the three cdk-nag packs (a finding makes synth throw).
   * @default true
   */
  readonly nag?: boolean;
}

/**
 * Synthesizes the whole app once with all three cdk-nag packs (AwsSolutions, NIST 800-53 R5,
 * HIPAA) unless `options.nag` is false. Any unacknowledged finding makes `app.synth()` throw with the report, so every test
 * file that calls this also proves the app is nag-clean for its context.
 */
export function synthesize(
  context: Record<string, unknown> = {},
  options: SynthOptions = {},
): SynthResult {
  // No Lambda bundling in unit tests (templates do not depend on it; `npm run validate` and
  // `npm run synth` bundle for real in CI): it is most of a synth's time.
  const app = new App({
    context: { ...FEATURE_FLAGS, 'aws:cdk:bundling-stacks': [], ...context },
  });
  const config = loadConfig({ ...context });
  const stage = new MskSecureStage(app, config.clusterName, { config });
  if (options.nag ?? true) addCompliancePacks(app, 'all');
  const assemblyDirectory = (
    options.builtinValidation ? synthWithBuiltinValidation(app) : app.synth()
  ).directory;
  return {
    config,
    stage,
    assemblyDirectory,
    network: Template.fromStack(stage.network),
    cluster: Template.fromStack(stage.cluster),
    consumer: Template.fromStack(stage.consumer),
    monitoring: Template.fromStack(stage.monitoring),
    users: Template.fromJSON({
      // Logical ids repeat across the nested stacks: keys are `<nested stack id>/<logical id>`.
      Resources: Object.fromEntries(
        [...stage.cluster.users.stacks.values()].flatMap((stack) =>
          Object.entries(Template.fromStack(stack).toJSON().Resources).map(([id, resource]) => [
            `${stack.node.id}/${id}`,
            resource,
          ]),
        ),
      ),
    }),
  };
}

/**
 * `app.synth()` with aws-cdk-lib's built-in CloudFormation validation on, whatever
 * test/setup/builtin-validation.ts set: a finding makes it throw ("Validation failed").
 */
export function synthWithBuiltinValidation(app: App): CloudAssembly {
  const saved = process.env.CDK_VALIDATION;
  delete process.env.CDK_VALIDATION;
  try {
    return app.synth();
  } finally {
    if (saved !== undefined) process.env.CDK_VALIDATION = saved;
  }
}

/** No AWS-managed or inline policy anywhere: only customer-managed policies. */
export function expectOnlyCustomerManagedPolicies(template: Template): void {
  template.resourceCountIs('AWS::IAM::Policy', 0);
  for (const role of Object.values(template.findResources('AWS::IAM::Role'))) {
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    expect(role.Properties.Policies).toBeUndefined();
  }
}

/** Every cdk-nag acknowledgement made in `scope`'s construct tree, as [rule id, reason]. */
export function acknowledgements(scope: IConstruct): [string, string][] {
  return scope.node
    .findAll()
    .flatMap((c) => c.node.metadata)
    .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
    .flatMap((m) => Object.entries(m.data as Record<string, string>));
}
