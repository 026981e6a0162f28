/**
 * Consumer benchmark: decoding throughput on a maximum-size MSK event, against a raw
 * base64 + JSON.parse loop and Powertools' kafkaConsumer; bundle size and cold require time.
 * Prints figures; never fails on them.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { kafkaConsumer } from '@aws-lambda-powertools/kafka';
import type { Context, MSKEvent } from 'aws-lambda';
import { buildSync } from 'esbuild';
import { consume } from '../secure-msk-constructs/handlers/consumer/index';
import { metrics } from '../secure-msk-constructs/handlers/shared/metrics';
import { buildEvent, PARTITIONS, RECORDS } from './msk-event';

const ITERATIONS = 25;
const WARMUP = 3;

/**
 * Median milliseconds of each function, measured round-robin (one run of each per round, after
 * WARMUP rounds) so that machine noise and garbage collection hit all of them alike.
 * Output to stdout (the handler's INFO line and EMF metrics) is discarded while timing.
 * `npm run bench` runs node with --expose-gc so each run starts after a full collection.
 */
async function measureRoundRobin<K extends string>(
  fns: Record<K, () => unknown>,
): Promise<Record<K, number>> {
  const names = Object.keys(fns) as K[];
  const times = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<K, number[]>;
  const write = process.stdout.write;
  try {
    process.stdout.write = (() => true) as typeof process.stdout.write;
    for (let round = 0; round < WARMUP + ITERATIONS; round++) {
      for (const name of names) {
        // A clean heap for every run, so no contender pays for another's garbage.
        globalThis.gc?.();
        const start = performance.now();
        await fns[name]();
        if (round >= WARMUP) times[name].push(performance.now() - start);
      }
    }
  } finally {
    process.stdout.write = write;
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return Object.fromEntries(names.map((n) => [n, median(times[n])])) as Record<K, number>;
}

function rawBaseline(event: MSKEvent): number {
  let n = 0;
  for (const records of Object.values(event.records)) {
    for (const record of records) {
      JSON.parse(Buffer.from(record.value, 'base64').toString('utf8'));
      n++;
    }
  }
  return n;
}

export async function run(): Promise<void> {
  // What the deployed handler does per invocation, at the production log level (INFO).
  const handler = async (e: MSKEvent) => {
    try {
      return await consume(e, { reportBatchItemFailures: true });
    } finally {
      metrics.publishStoredMetrics();
    }
  };
  const event = buildEvent();
  const megabytes = Buffer.byteLength(JSON.stringify(event)) / 1024 / 1024;

  const powertools = kafkaConsumer<string, unknown>(
    async (e) => {
      let n = 0;
      for (const record of e.records) {
        void record.key;
        void record.value;
        void record.headers;
        n++;
      }
      return n;
    },
    { value: { type: 'json' } },
  );

  const results = await measureRoundRobin({
    raw: () => rawBaseline(event),
    handler: () => handler(event),
    powertools: () => powertools(event as never, {} as Context),
  });
  const row = (name: string, ms: number) =>
    `${name.padEnd(34)} ${ms.toFixed(1).padStart(8)} ms ${((RECORDS / ms) * 1000).toFixed(0).padStart(9)} rec/s ${(megabytes / (ms / 1000)).toFixed(0).padStart(6)} MB/s`;
  console.log(
    `event: ${RECORDS} records, ${PARTITIONS} partitions, ${megabytes.toFixed(2)} MB; median of ${ITERATIONS} runs`,
  );
  console.log(row('raw base64 + JSON.parse', results.raw));
  console.log(row('handler (decode + processRecord)', results.handler));
  console.log(row('Powertools kafkaConsumer', results.powertools));
  const vsRaw = results.raw / results.handler;
  const vsPowertools = results.powertools / results.handler;
  console.log(
    `handler vs raw: ${vsRaw.toFixed(2)}x (goal >= 0.80x) ${vsRaw >= 0.8 ? 'met' : 'MISSED'}`,
  );
  console.log(
    `handler vs Powertools: ${vsPowertools.toFixed(2)}x (goal >= 1.00x) ${vsPowertools >= 1 ? 'met' : 'MISSED'}`,
  );

  const outdir = mkdtempSync(join(tmpdir(), 'consumer-bundle-'));
  const outfile = join(outdir, 'index.js');
  // SecureFunction's esbuild options for the deployed function, without the source map.
  buildSync({
    entryPoints: [
      join(__dirname, '..', 'secure-msk-constructs', 'handlers', 'consumer', 'index.ts'),
    ],
    bundle: true,
    minify: true,
    platform: 'node',
    target: 'node24',
    format: 'cjs',
    outfile,
    logLevel: 'silent',
  });
  const kb = statSync(outfile).size / 1024;
  console.log(
    `bundle (minified, no source map): ${kb.toFixed(1)} KB (goal <= 200 KB) ${kb <= 200 ? 'met' : 'MISSED'}`,
  );

  const requireTimes: number[] = [];
  for (let i = 0; i < 7; i++) {
    const child = spawnSync(
      process.execPath,
      [
        '-e',
        `const t=process.hrtime.bigint();require(${JSON.stringify(outfile)});console.log(Number(process.hrtime.bigint()-t)/1e6)`,
      ],
      { encoding: 'utf8' },
    );
    requireTimes.push(Number(child.stdout.trim()));
  }
  requireTimes.sort((a, b) => a - b);
  const coldMs = requireTimes[3];
  console.log(
    `cold require() of the bundle: ${coldMs.toFixed(1)} ms median of 7 (goal <= 50 ms) ${coldMs <= 50 ? 'met' : 'MISSED'}`,
  );
}
