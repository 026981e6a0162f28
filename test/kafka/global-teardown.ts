/** Stops the brokers global-setup.ts started and removes their directories, CA and context. */
import { rmSync } from 'node:fs';

export default async function globalTeardown(): Promise<void> {
  const run = globalThis.kafkaTestRun;
  if (!run) return;
  await Promise.all(run.brokers.map((b) => b.stop()));
  rmSync(run.dir, { recursive: true, force: true });
  globalThis.kafkaTestRun = undefined;
}
