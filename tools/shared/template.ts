/**
 * A CloudFormation template as CDK synthesizes it (JSON), and as CloudFormation returns it
 * (`GetTemplate`): the one template type of the tools (validate, cost, the deploy guard, the
 * integ runner). Only what the tools read is typed; the rest is `unknown`.
 */
export interface CfnTemplate {
  readonly Description?: unknown;
  readonly Parameters?: Record<string, { readonly Type?: string; readonly [key: string]: unknown }>;
  readonly Resources?: Record<string, CfnResource>;
  readonly Outputs?: Record<string, CfnOutput>;
  readonly [key: string]: unknown;
}

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  /** `aws:cdk:path`, `aws:asset:path` (a nested stack's template file), … */
  readonly Metadata?: Record<string, unknown>;
  readonly DeletionPolicy?: string;
  readonly [key: string]: unknown;
}

export interface CfnOutput {
  readonly Value?: unknown;
  readonly Export?: { readonly Name?: unknown };
  readonly [key: string]: unknown;
}
