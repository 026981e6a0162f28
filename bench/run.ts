/**
 * `npm run bench`: prints figures, never fails on them. Each benchmark is a module exporting
 * `run(): Promise<void>` or `run(): void`; this runs them in order.
 */
import { run as consumerBench } from './consumer';
import { runScramUsers, run as synthBench } from './synth';
import { run as synthRatioBench } from './synth-ratio';

async function main(): Promise<void> {
  for (const [name, bench] of [
    ['consumer', consumerBench],
    ['synth', synthBench],
    ['cdk synth vs a one-topic app', synthRatioBench],
    ['scram users', runScramUsers],
  ] as const) {
    console.log(`\n## ${name}`);
    await bench();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
