/** How long a full synth (with all three nag packs) takes per profile, and template sizes. */
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
