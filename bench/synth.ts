/** How long a full synth (with all three nag packs) takes per profile, and template sizes. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Stack } from 'aws-cdk-lib';
import { synthesize } from '../test/helpers/synth';

export function run(): void {
  for (const profile of ['dev', 'prod']) {
    const start = performance.now();
    const { stage } = synthesize({ profile });
    const ms = performance.now() - start;
    const sizes = stage.node.children
      .filter(Stack.isStack)
      .map(
        (s) =>
          `${s.node.id} ${(JSON.stringify(stage.synth().getStackArtifact(s.artifactId).template).length / 1024).toFixed(1)} KB`,
      );
    console.log(
      `${profile}${profile === 'dev' ? ' (cold: includes loading aws-cdk-lib)' : ''}: synth + nag ${ms.toFixed(0)} ms; templates: ${sizes.join(', ')}`,
    );
  }
}

/** MSK's limit of 1000 SCRAM users with rotation on: synth time, largest stack and policy. */
export function runScramUsers(): void {
  const users = ['consumer', ...Array.from({ length: 999 }, (_, i) => `user-${i}`)];
  const start = performance.now();
  const { stage } = synthesize({ scramUsers: JSON.stringify(users), scramRotationDays: 30 });
  const ms = performance.now() - start;
  const assembly = stage.synth();
  let maxResources = 0;
  let maxPolicy = 0;
  let maxTemplate = 0;
  for (const stack of stage.node.findAll().filter(Stack.isStack)) {
    const template = stack.nestedStackParent
      ? JSON.parse(readFileSync(join(assembly.directory, stack.templateFile), 'utf8'))
      : assembly.getStackArtifact(stack.artifactId).template;
    const resources = Object.values(template.Resources ?? {}) as {
      Type: string;
      Properties?: { PolicyDocument?: unknown };
    }[];
    maxResources = Math.max(maxResources, resources.length);
    maxTemplate = Math.max(maxTemplate, JSON.stringify(template).length);
    for (const r of resources) {
      if (r.Type === 'AWS::IAM::ManagedPolicy') {
        maxPolicy = Math.max(maxPolicy, JSON.stringify(r.Properties?.PolicyDocument).length);
      }
    }
  }
  console.log(
    `1000 SCRAM users, rotation on: synth + nag ${ms.toFixed(0)} ms; largest stack ${maxResources} resources, ` +
      `${(maxTemplate / 1024).toFixed(1)} KB; largest managed policy ${maxPolicy} characters (IAM limit 6,144)`,
  );
}
