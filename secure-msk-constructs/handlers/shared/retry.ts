/**
 * Bounded retries with exponential backoff and full jitter, inside a deadline (the Lambda
 * function's remaining time), for MSK calls that fail while the cluster is busy or throttled.
 */

export interface RetryOptions {
  /** Attempts in total, including the first. */
  readonly maxAttempts: number;
  /** Backoff base: attempt n waits up to `baseDelayMs × 2^(n−1)`. */
  readonly baseDelayMs: number;
  /** Cap of one wait. */
  readonly maxDelayMs: number;
  /** Milliseconds left before the caller must have answered (e.g. Lambda's remaining time). */
  readonly remainingTimeMs?: () => number;
  /** Time kept in reserve for reporting a failure. */
  readonly reserveMs?: number;
  /** Which errors are worth another attempt. */
  readonly isRetryable: (error: unknown) => boolean;
  /** Called before each wait (for logging). */
  readonly onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  /** Injected in tests. */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

/** Thrown when retries ran out (attempts or time); `cause` is the last error. */
export class RetriesExhaustedError extends Error {
  constructor(
    public readonly operation: string,
    public readonly attempts: number,
    public readonly lastError: unknown,
  ) {
    super(
      `${operation} failed after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${describeError(lastError)}`,
      { cause: lastError },
    );
    this.name = 'RetriesExhaustedError';
  }
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function withRetries<T>(
  operation: string,
  fn: () => Promise<T>,
  options: RetryOptions,
): Promise<T> {
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (!options.isRetryable(error)) throw error;
      const delayMs = Math.round(
        random() * Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1)),
      );
      const timeLeft = options.remainingTimeMs?.() ?? Number.POSITIVE_INFINITY;
      if (attempt >= options.maxAttempts || delayMs + (options.reserveMs ?? 0) >= timeLeft) {
        throw new RetriesExhaustedError(operation, attempt, error);
      }
      options.onRetry?.(error, attempt, delayMs);
      await sleep(delayMs);
    }
  }
}

/** `Name: message` of an error, or its string form. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/**
 * The retry policy of the custom-resource handlers: up to 10 attempts, 2 s doubling to 60 s,
 * stopping while 10 s of the function's time are left to report the failure.
 */
export function customResourceRetry(
  remainingTimeMs: () => number,
  onRetry?: RetryOptions['onRetry'],
): Omit<RetryOptions, 'isRetryable'> {
  return {
    maxAttempts: 10,
    baseDelayMs: 2_000,
    maxDelayMs: 60_000,
    remainingTimeMs,
    reserveMs: 10_000,
    onRetry,
  };
}
