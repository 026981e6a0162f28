/**
 * The modules every function bundle shares: the Powertools logger and metrics (named by the
 * POWERTOOLS_* variables the constructs set, with the project's defaults outside a stack) and the
 * MSK IAM token provider (SASL/OAUTHBEARER, tokens renewed shortly before they expire).
 */
import type * as LoggerModule from '../../secure-msk-constructs/handlers/shared/logger';
import type * as MetricsModule from '../../secure-msk-constructs/handlers/shared/metrics';
import {
  cachedTokenProvider,
  mskIamSasl,
  TOKEN_REFRESH_MARGIN_MS,
} from '../../secure-msk-constructs/handlers/shared/msk-iam-sasl';
import { withEnv } from '../helpers/env';

afterEach(() => jest.restoreAllMocks());

describe('logger and metrics: named when the bundle loads', () => {
  const VARIABLES = [
    'POWERTOOLS_SERVICE_NAME',
    'POWERTOOLS_METRICS_NAMESPACE',
    'POWERTOOLS_LOG_LEVEL',
  ];

  /** Fresh copies of the two modules, loaded with `env` as the function's environment. */
  function load(env: Record<string, string>) {
    return withEnv(VARIABLES, env, () => {
      let loaded: { logger: typeof LoggerModule.logger; metrics: typeof MetricsModule.metrics };
      jest.isolateModules(() => {
        loaded = {
          logger: jest.requireActual<typeof LoggerModule>(
            '../../secure-msk-constructs/handlers/shared/logger',
          ).logger,
          metrics: jest.requireActual<typeof MetricsModule>(
            '../../secure-msk-constructs/handlers/shared/metrics',
          ).metrics,
        };
      });
      return loaded!;
    });
  }

  /** What one INFO line and one metric look like: the log item and the EMF document. */
  function emit({ logger, metrics }: ReturnType<typeof load>) {
    const lines: string[] = [];
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      return true;
    });
    logger.info('hello');
    jest.mocked(process.stdout.write).mockRestore();
    metrics.addMetric('RecordsProcessed', 'Count', 3);
    const emf = metrics.serializeMetrics() as unknown as Record<string, unknown>;
    metrics.clearMetrics();
    return { log: JSON.parse(lines[0]) as Record<string, unknown>, emf };
  }

  test('outside a stack (no variables): service msk-secure-stack, namespace MskSecureStack', () => {
    const { log, emf } = emit(load({}));
    expect(log).toMatchObject({ level: 'INFO', message: 'hello', service: 'msk-secure-stack' });
    expect(emf).toMatchObject({
      _aws: {
        CloudWatchMetrics: [
          {
            Namespace: 'MskSecureStack',
            Dimensions: [['service']],
            Metrics: [{ Name: 'RecordsProcessed', Unit: 'Count' }],
          },
        ],
      },
      service: 'msk-secure-stack',
      RecordsProcessed: 3,
    });
  });

  test('the variables a construct sets win over the defaults', () => {
    const { log, emf } = emit(
      load({ POWERTOOLS_SERVICE_NAME: 'billing', POWERTOOLS_METRICS_NAMESPACE: 'Payments' }),
    );
    expect(log).toMatchObject({ message: 'hello', service: 'billing' });
    expect(emf).toMatchObject({
      _aws: { CloudWatchMetrics: [{ Namespace: 'Payments', Dimensions: [['service']] }] },
      service: 'billing',
    });
  });
});

describe('MSK IAM tokens', () => {
  /** A signer that issues t1, t2, … each valid 15 minutes from the clock's `now`. */
  function signer(clock: { now: number }) {
    let issued = 0;
    return jest.fn(async () => ({ token: `t${++issued}`, expiryTime: clock.now + 900_000 }));
  }

  test('a token is renewed when less than a minute is left, not at exactly a minute', async () => {
    expect(TOKEN_REFRESH_MARGIN_MS).toBe(60_000);
    const clock = { now: 1_000 };
    const generate = signer(clock);
    const provider = cachedTokenProvider(generate, () => clock.now);
    await expect(provider()).resolves.toEqual({ value: 't1' });
    clock.now += 840_000; // exactly 60 s left
    await expect(provider()).resolves.toEqual({ value: 't1' });
    clock.now += 1; // 59.999 s left
    await expect(provider()).resolves.toEqual({ value: 't2' });
    await expect(provider()).resolves.toEqual({ value: 't2' });
    expect(generate).toHaveBeenCalledTimes(2);
  });

  test('another margin is used as given', async () => {
    const clock = { now: 0 };
    const generate = signer(clock);
    const provider = cachedTokenProvider(generate, () => clock.now, 300_000);
    await provider();
    clock.now += 599_999; // 300.001 s left
    await expect(provider()).resolves.toEqual({ value: 't1' });
    clock.now += 2; // 299.999 s left
    await expect(provider()).resolves.toEqual({ value: 't2' });
  });

  test('the clock defaults to Date.now', async () => {
    const now = jest.spyOn(Date, 'now').mockReturnValue(5_000);
    const generate = jest.fn(async () => ({ token: 'iam-token', expiryTime: 905_000 }));
    const provider = cachedTokenProvider(generate);
    await provider();
    now.mockReturnValue(845_000); // exactly 60 s left
    await provider();
    expect(generate).toHaveBeenCalledTimes(1);
    now.mockReturnValue(845_001);
    await provider();
    expect(generate).toHaveBeenCalledTimes(2);
  });

  test('kafkajs SASL options: OAUTHBEARER with the cached provider on the given clock', async () => {
    const clock = { now: 0 };
    const generate = signer(clock);
    const sasl = mskIamSasl(generate, () => clock.now);
    expect(sasl.mechanism).toBe('oauthbearer');
    const provider = (sasl as { oauthBearerProvider: () => Promise<{ value: string }> })
      .oauthBearerProvider;
    await expect(provider()).resolves.toEqual({ value: 't1' });
    await expect(provider()).resolves.toEqual({ value: 't1' });
    clock.now += 850_000; // 50 s left
    await expect(provider()).resolves.toEqual({ value: 't2' });
    expect(generate).toHaveBeenCalledTimes(2);
  });
});
