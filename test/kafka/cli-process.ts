/**
 * The CLI as a child process: `tsx src/cli/index.ts …` with only the environment it needs, its
 * AWS SDK clients pointed at a fake AWS control plane (fake-aws.ts), trusting the test CA through
 * `NODE_EXTRA_CA_CERTS` (the CLI verifies the brokers: `ssl: true`). Shared by the test files that
 * run the CLI end to end (cli.kafka-test.ts, dlq.kafka-test.ts).
 */
import { ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import type { BrokerInfo } from './context';
import { FakeAws, fakeAwsEnv, FakeRequest } from './fake-aws';

const ROOT = resolve(__dirname, '..', '..');
const TSX = resolve(ROOT, 'node_modules', '.bin', 'tsx');
/** A child that runs longer than this is killed (with its process group) and the test fails. */
const CHILD_TIMEOUT_MS = 30_000;

export interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
  /** The fake AWS requests made while it ran (meaningful when no other child ran alongside). */
  readonly aws: FakeRequest[];
}

export const lines = (text: string): string[] => text.split('\n').filter((l) => l !== '');
/** A Node or kafkajs stack frame, which the CLI must never print. */
export const STACK_FRAME = /^\s+at \S/m;

function killGroup(child: ChildProcess): void {
  try {
    // tsx runs the CLI in a child node of its own: signal the whole group this test started.
    process.kill(-child.pid!, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** Starts CLI children against one fake AWS; `killAll` ends those still running. */
export class CliProcesses {
  private readonly children = new Set<ChildProcess>();

  constructor(private readonly fake: FakeAws) {}

  /** Kills every child still running (afterAll). */
  killAll(): void {
    for (const child of this.children) killGroup(child);
  }

  /** `tsx src/cli/index.ts …` with only the environment the CLI needs. */
  run(broker: BrokerInfo, args: string[], stdin = ''): Promise<Run> {
    const fake = this.fake;
    const children = this.children;
    const env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/tmp',
      ...(process.env.TMPDIR ? { TMPDIR: process.env.TMPDIR } : {}),
      ...fakeAwsEnv(fake.endpoint),
      NODE_EXTRA_CA_CERTS: broker.caFile,
      // As jest.config.js does: the SDK's Node 22 notice (docs/development.md#requirements) is not the CLI's.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };
    const start = Date.now();
    const awsBefore = fake.handled.length;
    return new Promise((done, fail) => {
      const child = spawn(TSX, ['src/cli/index.ts', ...args], {
        cwd: ROOT,
        env,
        stdio: ['pipe', 'pipe', 'pipe'],
        detached: true,
      });
      children.add(child);
      let stdout = '';
      let stderr = '';
      let timedOut = false;
      child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      const timer = setTimeout(() => {
        timedOut = true;
        killGroup(child);
      }, CHILD_TIMEOUT_MS);
      child.once('error', (error) => {
        clearTimeout(timer);
        children.delete(child);
        fail(error);
      });
      child.once('close', (code) => {
        clearTimeout(timer);
        children.delete(child);
        if (timedOut) {
          fail(
            new Error(
              `cli ${args.join(' ')} did not finish within ${CHILD_TIMEOUT_MS} ms\nstdout: ${stdout}\nstderr: ${stderr}`,
            ),
          );
          return;
        }
        done({ code, stdout, stderr, ms: Date.now() - start, aws: fake.handled.slice(awsBefore) });
      });
      child.stdin!.on('error', () => undefined); // a child that exits before reading stdin
      child.stdin!.end(stdin);
    });
  }
}

/**
 * A fake AWS control plane and the CLI children of one test file: started before its tests,
 * checked after each (every AWS call the CLI made is one the fake serves, signed with the fake
 * credentials), stopped after all. The fields are set once `beforeAll` has run.
 */
export function useFakeAwsCli(): { fake: FakeAws; processes: CliProcesses } {
  const env = {} as { fake: FakeAws; processes: CliProcesses };
  beforeAll(async () => {
    env.fake = await FakeAws.start();
    env.processes = new CliProcesses(env.fake);
  });
  afterEach(() => {
    expect(env.fake.refused).toEqual([]);
  });
  afterAll(async () => {
    env.processes?.killAll();
    await env.fake?.close();
  });
  return env;
}
