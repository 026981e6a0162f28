/**
 * The one reader of a synthesized cloud assembly (`cdk synth -o DIR`, or `app.synth()`) for the
 * tools: validate, cost, the deploy guard and the integ runner. It stands on CDK's own `cx-api`
 * `CloudAssembly` (stages' nested assemblies included) and adds what that does not read: the
 * templates of nested stacks (`AWS::CloudFormation::Stack` resources), which are files of the
 * same assembly directory.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import {
  AssetManifestArtifact,
  CloudAssembly,
  type CloudFormationStackArtifact,
} from 'aws-cdk-lib/cx-api';
import type { CfnTemplate } from './template';

export type { CfnOutput, CfnResource, CfnTemplate } from './template';

/** A nested stack: an `AWS::CloudFormation::Stack` resource of its parent, with its template. */
export interface NestedStack {
  /** Logical id of the `AWS::CloudFormation::Stack` resource in the parent template. */
  readonly logicalId: string;
  /** Short name for messages: the nested stack's construct id (`Users5`), else the logical id. */
  readonly label: string;
  /** Absolute path of its template file. */
  readonly templateFile: string;
  readonly template: CfnTemplate;
  readonly nested: readonly NestedStack[];
}

/** A stack of the cloud assembly. */
export interface AssemblyStack {
  /** What CloudFormation knows: `msk-secure-dev-Network`. */
  readonly stackName: string;
  /** Its construct path, `msk-secure-dev/Network`: what the CDK CLI shows and selects. */
  readonly displayName: string;
  /** `unknown-account` / `unknown-region` when synthesized without an environment. */
  readonly account: string;
  readonly region: string;
  /** Absolute path of its template file. */
  readonly templateFile: string;
  readonly template: CfnTemplate;
  /** Its nested stacks, whose templates are files of the same assembly directory. */
  readonly nested: readonly NestedStack[];
}

/** One template of the assembly, a stack's or a nested stack's. */
export interface StackTemplate {
  /**
   * The stack's name; for a nested stack, which has no name until it is deployed, its template
   * file's name without `.template.json` (`msksecuredevClusterScramUsersUsers5E5BE7658.nested`):
   * what its parent's `aws:asset:path` metadata names, so a reader of `Outputs.` of the nested
   * stack resource finds it (tools/validate/resolve.ts).
   */
  readonly stackName: string;
  /** Absolute path of the template file. */
  readonly templateFile: string;
  readonly template: CfnTemplate;
}

/** The resource type of a nested stack. */
export const NESTED_STACK = 'AWS::CloudFormation::Stack';

/** A template file of the assembly (JSON). */
export function readTemplateFile(path: string): CfnTemplate {
  return JSON.parse(readFileSync(path, 'utf8')) as CfnTemplate;
}

/**
 * Every stack of the cloud assembly in `directory`, nested assemblies (stages) included, in the
 * assembly's order, each with its nested stacks.
 */
export function readAssembly(directory: string): AssemblyStack[] {
  const dir = resolve(directory);
  if (!existsSync(join(dir, 'manifest.json'))) {
    throw new Error(
      `${directory} is not a cloud assembly: it has no manifest.json (\`cdk synth -o DIR\` writes one)`,
    );
  }
  return new CloudAssembly(dir).stacksRecursively.map((artifact) => {
    const template = artifact.template as CfnTemplate;
    return {
      stackName: artifact.stackName,
      displayName: artifact.hierarchicalId,
      account: artifact.environment.account,
      region: artifact.environment.region,
      templateFile: artifact.templateFullPath,
      template,
      nested: readNested(artifact.assembly.directory, template, fileAssets(artifact)),
    };
  });
}

/**
 * Every template of the cloud assembly in `directory`: each stack's, followed by those of its
 * nested stacks (depth first).
 */
export function loadTemplates(directory: string): StackTemplate[] {
  const flatten = (nested: readonly NestedStack[]): StackTemplate[] =>
    nested.flatMap((n) => [
      {
        stackName: basename(n.templateFile, '.template.json'),
        templateFile: n.templateFile,
        template: n.template,
      },
      ...flatten(n.nested),
    ]);
  return readAssembly(directory).flatMap((s) => [
    { stackName: s.stackName, templateFile: s.templateFile, template: s.template },
    ...flatten(s.nested),
  ]);
}

/** The nested stack resources of a template, by logical id, with their label. */
export function nestedStackResources(
  template: CfnTemplate,
): { logicalId: string; label: string }[] {
  return Object.entries(template.Resources ?? {})
    .filter(([, r]) => r.Type === NESTED_STACK)
    .map(([logicalId, r]) => {
      const path = r.Metadata?.['aws:cdk:path'];
      const label =
        (typeof path === 'string' ? /([^/]+)\.NestedStack\/[^/]+$/.exec(path)?.[1] : undefined) ??
        /NestedStack(.+)NestedStackResource[0-9A-F]{8}$/.exec(logicalId)?.[1];
      return { logicalId, label: label ?? logicalId };
    });
}

/** File assets of a stack's assembly (its asset manifests): source path by object key. */
function fileAssets(stack: CloudFormationStackArtifact): Map<string, string> {
  const files = new Map<string, string>();
  for (const artifact of stack.assembly.artifacts) {
    if (!AssetManifestArtifact.isAssetManifestArtifact(artifact)) continue;
    for (const asset of Object.values(artifact.contents.files ?? {})) {
      for (const destination of Object.values(asset.destinations)) {
        if (asset.source.path && destination.objectKey) {
          files.set(destination.objectKey, asset.source.path);
        }
      }
    }
  }
  return files;
}

/**
 * The nested stacks of a template: each `AWS::CloudFormation::Stack` resource whose Metadata
 * `aws:asset:path` names its template file in the assembly directory (the CDK CLI adds it), or
 * else whose `TemplateURL` ends with the object key of a file asset of the assembly's asset
 * manifests (an app synthesized without asset metadata, as in tests).
 */
function readNested(
  directory: string,
  template: CfnTemplate,
  assets: ReadonlyMap<string, string>,
): NestedStack[] {
  return nestedStackResources(template).flatMap(({ logicalId, label }) => {
    const resource = template.Resources?.[logicalId];
    const objectKey = /\/([^/"]+\.json)"/.exec(
      JSON.stringify(resource?.Properties?.TemplateURL ?? ''),
    )?.[1];
    const metadata = resource?.Metadata?.['aws:asset:path'];
    const file =
      typeof metadata === 'string' ? metadata : objectKey ? assets.get(objectKey) : undefined;
    if (!file || !existsSync(join(directory, file))) return [];
    const templateFile = join(directory, file);
    const nestedTemplate = readTemplateFile(templateFile);
    return [
      {
        logicalId,
        label,
        templateFile,
        template: nestedTemplate,
        nested: readNested(directory, nestedTemplate, assets),
      },
    ];
  });
}
