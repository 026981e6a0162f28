#!/usr/bin/env node
/**
 * `npm run deploy [-- -c setting=value … | cdk deploy options]`: synthesize, check the plan
 * against what is deployed, then deploy exactly the checked cloud assembly.
 *
 * The check (`src/deploy/replacement.ts`) refuses, before anything changes, a deployment that
 * would make CloudFormation replace a custom-named resource (it cannot: the update fails midway)
 * or change an output that another stack reads with `Fn::GetStackOutput` (that stack would keep
 * the old value). See README.md, "Deploying safely".
 */
import { spawnSync } from 'node:child_process';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { checkAssembly, formatProblems, NoCredentialsError, readAssembly } from './plan';

const ASSEMBLY = 'cdk.out.deploy';

/** `-c k=v` / `--context k=v` go to synth; everything else to `cdk deploy`. */
export function splitArgs(args: readonly string[]): { context: string[]; deploy: string[] } {
  const context: string[] = [];
  const deploy: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '-c' || args[i] === '--context') context.push(args[i], args[++i] ?? '');
    else if (/^--context=/.test(args[i])) context.push(args[i]);
    else deploy.push(args[i]);
  }
  return { context, deploy };
}

function cdk(args: readonly string[]): void {
  const result = spawnSync('cdk', ['--no-notices', ...args], { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

async function main(): Promise<number> {
  const { context, deploy } = splitArgs(process.argv.slice(2));
  cdk(['synth', '--quiet', '**', ...context, '--output', ASSEMBLY]);
  try {
    const { plans, problems } = await checkAssembly(readAssembly(ASSEMBLY), {
      cloudFormation: (region) => new CloudFormationClient({ region }),
    });
    if (problems.length > 0) {
      console.error(formatProblems(problems));
      return 1;
    }
    const existing = plans.filter((p) => p.deployed).length;
    console.error(
      `Deploy guard: ${plans.length} stacks checked (${existing} deployed, ${plans.length - existing} new): ` +
        'no custom-named replacement, no read output changes.',
    );
  } catch (error) {
    if (error instanceof NoCredentialsError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  }
  cdk(['deploy', '--app', ASSEMBLY, '**', ...deploy]);
  return 0;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(
        `Deploy guard failed: ${error instanceof Error ? error.message : String(error)}`,
      );
      process.exit(1);
    },
  );
}
