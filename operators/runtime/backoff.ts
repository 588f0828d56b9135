// Pure timing policies shared by queue.ts (per-key retries), cache.ts (list/watch retries) and
// leader-election.ts. Time and randomness come in as arguments so tests are exact.

export interface BackoffPolicy {
  /** Delay after the first failure, in ms. */
  readonly baseMs: number;
  /** Upper bound of any delay, in ms. */
  readonly maxMs: number;
  /** Extra random fraction added on top (0.1 = up to +10 %), so keys failing together spread out. */
  readonly jitter: number;
}

/** client-go's DefaultTypedControllerRateLimiter per-item part: 5 ms doubling up to 1000 s. */
export const DEFAULT_ITEM_BACKOFF: BackoffPolicy = { baseMs: 5, maxMs: 1_000_000, jitter: 0.1 };

/**
 * Delay before retry number `failures + 1`: `baseMs * 2^failures`, jittered, capped at `maxMs`.
 * `random` is in [0, 1).
 */
export function backoffDelayMs(failures: number, policy: BackoffPolicy, random: number): number {
  // 2 ** 1100 is Infinity; clamping the exponent keeps the arithmetic finite for keys failing for days.
  const exponential = policy.baseMs * 2 ** Math.min(failures, 1000);
  const capped = Math.min(exponential, policy.maxMs);
  return Math.min(capped * (1 + policy.jitter * random), policy.maxMs);
}

export interface TokenBucketOptions {
  /** Refill rate, tokens per second. */
  readonly qps: number;
  /** Bucket size: how many takes may happen at once after a quiet period. */
  readonly burst: number;
}

/** client-go's DefaultTypedControllerRateLimiter overall part: 10 qps, burst 100. */
export const DEFAULT_RETRY_RATE_LIMIT: TokenBucketOptions = { qps: 10, burst: 100 };

/**
 * A token bucket that hands out reservations like golang.org/x/time/rate's `Reserve()`: taking always
 * succeeds, and the return value says how long the caller must wait for its token. Tokens may go
 * negative, so a burst of reservations is spread at 1/qps intervals.
 */
export class TokenBucket {
  readonly #qps: number;
  readonly #burst: number;
  #tokens: number;
  #lastMs: number | undefined;

  constructor(options: TokenBucketOptions) {
    if (!(options.qps > 0) || !(options.burst >= 1)) throw new RangeError('token bucket needs qps > 0 and burst >= 1');
    this.#qps = options.qps;
    this.#burst = options.burst;
    this.#tokens = options.burst;
  }

  /** Takes one token at `nowMs` and returns the wait in ms before it may be used (0 if available now). */
  reserve(nowMs: number): number {
    this.#refill(nowMs);
    this.#tokens -= 1;
    return this.#tokens >= 0 ? 0 : (-this.#tokens * 1000) / this.#qps;
  }

  /** Takes one token if one is available at `nowMs`; false (and nothing taken) otherwise. */
  tryTake(nowMs: number): boolean {
    this.#refill(nowMs);
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  #refill(nowMs: number): void {
    if (this.#lastMs !== undefined) {
      const refilled = ((nowMs - this.#lastMs) * this.#qps) / 1000;
      this.#tokens = Math.min(this.#burst, this.#tokens + Math.max(0, refilled));
    }
    this.#lastMs = nowMs;
  }
}
