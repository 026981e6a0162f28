import {
  customResourceRetry,
  describeError,
  RetriesExhaustedError,
  withRetries,
} from '../../secure-msk-constructs/handlers/shared/retry';

class Busy extends Error {
  override name = 'ConflictException';
}

/** A Lambda invocation with `timeoutMs` to run; `sleep` advances its clock. */
function lambdaClock(timeoutMs: number) {
  let now = 0;
  const waits: number[] = [];
  return {
    remainingTimeMs: () => timeoutMs - now,
    sleep: async (ms: number) => {
      waits.push(ms);
      now += ms;
    },
    /** Time spent inside one call (e.g. an MSK request). */
    spend: (ms: number) => (now += ms),
    waits,
    left: () => timeoutMs - now,
  };
}

describe('withRetries', () => {
  test('returns the first success; waits random × min(max, base × 2^(n−1)), rounded', async () => {
    const fn = jest
      .fn<Promise<string>, []>()
      .mockRejectedValueOnce(new Busy('1'))
      .mockRejectedValueOnce(new Busy('2'))
      .mockRejectedValueOnce(new Busy('3'))
      .mockResolvedValueOnce('ok');
    const sleep = jest.fn(async (_ms: number) => undefined);
    const onRetry = jest.fn();
    await expect(
      withRetries('Op', fn, {
        maxAttempts: 5,
        baseDelayMs: 100,
        maxDelayMs: 250,
        isRetryable: () => true,
        onRetry,
        sleep,
        random: () => 0.5,
      }),
    ).resolves.toBe('ok');
    // 0.5 × 100, 0.5 × 200, 0.5 × min(250, 400)
    expect(sleep.mock.calls).toEqual([[50], [100], [125]]);
    expect(onRetry.mock.calls).toEqual([
      [new Busy('1'), 1, 50],
      [new Busy('2'), 2, 100],
      [new Busy('3'), 3, 125],
    ]);
    expect((onRetry.mock.calls[0][0] as Error).message).toBe('1');
    expect(fn).toHaveBeenCalledTimes(4);
  });

  test('a delay is rounded to whole milliseconds (up from .5)', async () => {
    const sleep = jest.fn(async (_ms: number) => undefined);
    await withRetries(
      'Op',
      jest.fn<Promise<void>, []>().mockRejectedValueOnce(new Busy()).mockResolvedValue(),
      {
        maxAttempts: 2,
        baseDelayMs: 3,
        maxDelayMs: 100,
        isRetryable: () => true,
        sleep,
        random: () => 0.5,
      },
    );
    expect(sleep).toHaveBeenCalledWith(2); // Math.round(1.5)
  });

  test('an error that is not retryable is thrown as it is, at once', async () => {
    const error = new Error('denied');
    const sleep = jest.fn();
    const isRetryable = jest.fn(() => false);
    await expect(
      withRetries('Op', () => Promise.reject(error), {
        maxAttempts: 5,
        baseDelayMs: 1,
        maxDelayMs: 1,
        isRetryable,
        sleep,
      }),
    ).rejects.toBe(error);
    expect(isRetryable).toHaveBeenCalledWith(error);
    expect(sleep).not.toHaveBeenCalled();
  });

  test('after maxAttempts: RetriesExhaustedError with the operation, the count and the last error', async () => {
    const last = new Busy('still busy');
    const fn = jest
      .fn<Promise<never>, []>()
      .mockRejectedValueOnce(new Busy('busy'))
      .mockRejectedValueOnce(new Busy('busy'))
      .mockRejectedValueOnce(last);
    const sleep = jest.fn(async (_ms: number) => undefined);
    const error = await withRetries('ListScramSecrets(c)', fn, {
      maxAttempts: 3,
      baseDelayMs: 1,
      maxDelayMs: 1,
      isRetryable: () => true,
      sleep,
      random: () => 1,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetriesExhaustedError);
    expect(error).toMatchObject({
      name: 'RetriesExhaustedError',
      message: 'ListScramSecrets(c) failed after 3 attempts: ConflictException: still busy',
      operation: 'ListScramSecrets(c)',
      attempts: 3,
      lastError: last,
      cause: last,
    });
    expect(fn).toHaveBeenCalledTimes(3);
    expect(sleep).toHaveBeenCalledTimes(2);
  });

  test('one attempt: "1 attempt", singular; without remainingTimeMs there is no deadline', async () => {
    await expect(
      withRetries('Op', () => Promise.reject('boom'), {
        maxAttempts: 1,
        baseDelayMs: 1_000_000,
        maxDelayMs: 1_000_000,
        isRetryable: () => true,
      }),
    ).rejects.toThrow(new RetriesExhaustedError('Op', 1, 'boom'));
    expect(new RetriesExhaustedError('Op', 1, 'boom').message).toBe(
      'Op failed after 1 attempt: boom',
    );
    const sleep = jest.fn(async (_ms: number) => undefined);
    await withRetries(
      'Op',
      jest.fn<Promise<void>, []>().mockRejectedValueOnce(new Busy()).mockResolvedValue(),
      {
        maxAttempts: 2,
        baseDelayMs: 1_000_000,
        maxDelayMs: 1_000_000,
        reserveMs: 1_000_000,
        isRetryable: () => true,
        sleep,
        random: () => 1,
      },
    );
    expect(sleep).toHaveBeenCalledWith(1_000_000);
  });

  test('the default sleep waits the delay on the real clock', async () => {
    jest.useFakeTimers();
    try {
      const fn = jest
        .fn<Promise<string>, []>()
        .mockRejectedValueOnce(new Busy())
        .mockResolvedValue('ok');
      const run = withRetries('Op', fn, {
        maxAttempts: 2,
        baseDelayMs: 1_000,
        maxDelayMs: 1_000,
        isRetryable: () => true,
        random: () => 1,
      });
      await jest.advanceTimersByTimeAsync(999);
      expect(fn).toHaveBeenCalledTimes(1);
      await jest.advanceTimersByTimeAsync(1);
      await expect(run).resolves.toBe('ok');
      expect(fn).toHaveBeenCalledTimes(2);
    } finally {
      jest.useRealTimers();
    }
  });

  test('without random, Math.random scales the delay', async () => {
    const random = jest.spyOn(Math, 'random').mockReturnValue(0.25);
    try {
      const sleep = jest.fn(async (_ms: number) => undefined);
      await withRetries(
        'Op',
        jest.fn<Promise<void>, []>().mockRejectedValueOnce(new Busy()).mockResolvedValue(),
        { maxAttempts: 2, baseDelayMs: 400, maxDelayMs: 400, isRetryable: () => true, sleep },
      );
      expect(sleep).toHaveBeenCalledWith(100);
    } finally {
      random.mockRestore();
    }
  });

  test('stops when the wait plus the reserve would reach the deadline (strictly less is needed)', async () => {
    const attempt = async (remaining: number) => {
      const fn = jest
        .fn<Promise<string>, []>()
        .mockRejectedValueOnce(new Busy())
        .mockResolvedValue('ok');
      const result = await withRetries('Op', fn, {
        maxAttempts: 5,
        baseDelayMs: 1_000,
        maxDelayMs: 1_000,
        remainingTimeMs: () => remaining,
        reserveMs: 500,
        isRetryable: () => true,
        sleep: async () => undefined,
        random: () => 1,
      }).catch((e: unknown) => e);
      return { result, calls: fn.mock.calls.length };
    };
    // 1000 ms wait + 500 ms reserve: needs more than 1500 ms left.
    expect(await attempt(1_501)).toEqual({ result: 'ok', calls: 2 });
    const atDeadline = await attempt(1_500);
    expect(atDeadline.calls).toBe(1);
    expect(atDeadline.result).toBeInstanceOf(RetriesExhaustedError);
    expect((atDeadline.result as RetriesExhaustedError).attempts).toBe(1);
  });

  test('without reserveMs, the wait alone must end before the deadline', async () => {
    const run = (remaining: number) =>
      withRetries(
        'Op',
        jest.fn<Promise<string>, []>().mockRejectedValueOnce(new Busy()).mockResolvedValue('ok'),
        {
          maxAttempts: 2,
          baseDelayMs: 1_000,
          maxDelayMs: 1_000,
          remainingTimeMs: () => remaining,
          isRetryable: () => true,
          sleep: async () => undefined,
          random: () => 1,
        },
      );
    await expect(run(1_001)).resolves.toBe('ok');
    await expect(run(1_000)).rejects.toBeInstanceOf(RetriesExhaustedError);
  });
});

describe('describeError', () => {
  test('"Name: message" of an Error, String() of anything else', () => {
    expect(describeError(new Busy('cluster is UPDATING'))).toBe(
      'ConflictException: cluster is UPDATING',
    );
    expect(describeError({ code: 1 })).toBe('[object Object]');
    expect(describeError(undefined)).toBe('undefined');
  });
});

describe('customResourceRetry: the policy of the custom-resource handlers', () => {
  test('exact figures: 10 attempts, 2 s doubling to 60 s, 10 s kept in reserve', () => {
    const remaining = () => 42;
    const onRetry = jest.fn();
    expect(customResourceRetry(remaining, onRetry)).toEqual({
      maxAttempts: 10,
      baseDelayMs: 2_000,
      maxDelayMs: 60_000,
      remainingTimeMs: remaining,
      reserveMs: 10_000,
      onRetry,
    });
  });

  test('in a 15-minute Lambda, a cluster that stays busy gets 10 attempts and the full backoff', async () => {
    const clock = lambdaClock(15 * 60_000);
    const fn = jest.fn(async () => {
      clock.spend(1_000);
      throw new Busy('busy');
    });
    await expect(
      withRetries('BatchAssociateScramSecret(c)', fn, {
        ...customResourceRetry(clock.remainingTimeMs),
        isRetryable: () => true,
        sleep: clock.sleep,
        random: () => 1,
      }),
    ).rejects.toThrow('BatchAssociateScramSecret(c) failed after 10 attempts');
    expect(fn).toHaveBeenCalledTimes(10);
    expect(clock.waits).toEqual([
      2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000, 60_000,
    ]);
    // 10 × 1 s in calls + 302 s of waits.
    expect(clock.left()).toBe(900_000 - 10_000 - 302_000);
  });

  test('near the deadline it stops while at least the 10 s reserve is left to report the failure', async () => {
    // 60 s of function time, each call takes 1 s, longest waits (random = 1).
    const clock = lambdaClock(60_000);
    const fn = jest.fn(async () => {
      clock.spend(1_000);
      throw new Busy('busy');
    });
    const error = await withRetries('GetBootstrapBrokers(c)', fn, {
      ...customResourceRetry(clock.remainingTimeMs),
      isRetryable: () => true,
      sleep: clock.sleep,
      random: () => 1,
    }).catch((e: unknown) => e);
    // t=1 s fail, wait 2 → t=4 fail, wait 4 → t=9 fail, wait 8 → t=18 fail, wait 16 → t=35 fail:
    // the next wait (32 s) + 10 s reserve ≥ the 25 s left, so it gives up with 25 s to spare.
    expect(clock.waits).toEqual([2_000, 4_000, 8_000, 16_000]);
    expect(fn).toHaveBeenCalledTimes(5);
    expect(error).toBeInstanceOf(RetriesExhaustedError);
    expect((error as RetriesExhaustedError).attempts).toBe(5);
    expect(clock.left()).toBe(25_000);
  });

  test('it never waits into the reserve: 10 s + the wait must be strictly less than the time left', async () => {
    for (const [left, attempts] of [
      [12_001, 2], // 2 s wait + 10 s reserve < 12.001 s: one retry (then 10.001 s left < 4 + 10)
      [12_000, 1], // 2 s + 10 s = 12 s left: no retry
      [10_000, 1],
    ] as const) {
      const clock = lambdaClock(left);
      const fn = jest.fn(async () => {
        throw new Busy('busy');
      });
      await expect(
        withRetries('Op', fn, {
          ...customResourceRetry(clock.remainingTimeMs),
          isRetryable: () => true,
          sleep: clock.sleep,
          random: () => 1,
        }),
      ).rejects.toThrow(`Op failed after ${attempts} attempt`);
      expect(fn).toHaveBeenCalledTimes(attempts);
      expect(clock.left()).toBeGreaterThanOrEqual(10_000);
    }
  });
});
