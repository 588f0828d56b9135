// Waiting without bare sleeps (shared/STYLE.md "Tests"): poll a condition until it holds, bounded by a
// timeout and an AbortSignal.

export interface WaitOptions {
  /** Give up after this long, in ms. Default DEFAULT_WAIT_TIMEOUT_MS. */
  readonly timeoutMs?: number;
  /** Poll interval, in ms. Default DEFAULT_WAIT_INTERVAL_MS. */
  readonly intervalMs?: number;
  readonly signal?: AbortSignal;
  /** Says what was awaited, for the timeout error. */
  readonly message?: string;
}

/** Default waitFor timeout, in ms. */
export const DEFAULT_WAIT_TIMEOUT_MS = 5_000;
/** Default waitFor poll interval, in ms. */
export const DEFAULT_WAIT_INTERVAL_MS = 10;

/**
 * Resolves with the first truthy value `cond` returns. A condition that throws is treated as not yet
 * true (the object may not exist yet); its last error is the cause of the timeout error.
 */
export async function waitFor<T>(
  cond: () => T | Promise<T>,
  options: WaitOptions = {},
): Promise<Exclude<T, false | undefined | null | 0 | ''>> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS;
  const deadline = performance.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    options.signal?.throwIfAborted();
    try {
      const value = await cond();
      if (value) return value as Exclude<T, false | undefined | null | 0 | ''>;
    } catch (err) {
      lastError = err;
    }
    if (performance.now() >= deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${options.message ?? 'condition'}`, {
        cause: lastError,
      });
    }
    await sleep(options.intervalMs ?? DEFAULT_WAIT_INTERVAL_MS, options.signal);
  }
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Resolves once `signal` aborts, at once when it already has: an 'abort' listener added after the fact never
 * fires, which would leave a late-started runnable waiting forever on a shutdown that already happened.
 */
export function whenAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}
