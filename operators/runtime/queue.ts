// A controller work queue around p-queue, with client-go's semantics (util/workqueue queue.go,
// delaying_queue.go, default_rate_limiters.go); p-queue only supplies the worker concurrency
// (shared/reference/ts-ecosystem.md §5):
// - keys are de-duplicated: N adds of a waiting key run it once;
// - a key never runs twice at once: an add while it runs marks it dirty, and it runs once more after;
// - addAfter keeps the earliest deadline per key (kube-rs scheduler.rs), and a plain add is "now";
// - addRateLimited waits max(per-key exponential backoff, global token bucket), like client-go's
//   DefaultTypedControllerRateLimiter: the bucket slows retries only, never fresh events.
import PQueue from 'p-queue';
import {
  backoffDelayMs,
  DEFAULT_ITEM_BACKOFF,
  DEFAULT_RETRY_RATE_LIMIT,
  TokenBucket,
  type BackoffPolicy,
  type TokenBucketOptions,
} from './backoff.ts';
import type { RuntimeMetrics } from './metrics.ts';

/** Handles one key. The queue guarantees it is never called twice at once for the same key. */
export type ProcessKey = (key: string) => Promise<void>;

export interface WorkQueueOptions {
  /** Queue name: the `name` and `controller` labels of the workqueue_* metrics. */
  readonly name: string;
  /** How many different keys are processed at once. Default 1 (controller-runtime's MaxConcurrentReconciles). */
  readonly concurrency?: number;
  /** Per-key retry backoff. Default DEFAULT_ITEM_BACKOFF (5 ms → 1000 s). */
  readonly backoff?: BackoffPolicy;
  /** Global limit on retries. Default DEFAULT_RETRY_RATE_LIMIT (10 qps, burst 100). */
  readonly rateLimit?: TokenBucketOptions;
  readonly metrics?: RuntimeMetrics;
  /** Monotonic clock in ms. Default performance.now. */
  readonly now?: () => number;
  /** Random source in [0, 1) for the backoff jitter. Default Math.random. */
  readonly random?: () => number;
}

export class WorkQueue {
  readonly #process: ProcessKey;
  readonly #name: string;
  readonly #pq: PQueue;
  readonly #backoff: BackoffPolicy;
  readonly #bucket: TokenBucket;
  readonly #metrics: RuntimeMetrics | undefined;
  readonly #now: () => number;
  readonly #random: () => number;
  /** Keys that need a run: waiting in #pq, or running and to be run once more. */
  readonly #dirty = new Set<string>();
  readonly #processing = new Set<string>();
  /** When each dirty key was added, for workqueue_queue_duration_seconds. */
  readonly #addedAt = new Map<string, number>();
  readonly #failures = new Map<string, number>();
  readonly #waiting = new Map<string, { readonly at: number; readonly timer: NodeJS.Timeout }>();
  #shuttingDown = false;

  constructor(process: ProcessKey, options: WorkQueueOptions) {
    this.#process = process;
    this.#name = options.name;
    this.#pq = new PQueue({ concurrency: options.concurrency ?? 1 });
    this.#backoff = options.backoff ?? DEFAULT_ITEM_BACKOFF;
    this.#bucket = new TokenBucket(options.rateLimit ?? DEFAULT_RETRY_RATE_LIMIT);
    this.#metrics = options.metrics;
    this.#now = options.now ?? (() => performance.now());
    this.#random = options.random ?? Math.random;
  }

  /** Queues `key` now. A pending addAfter for it is dropped: now is the earliest deadline. */
  add(key: string): void {
    if (this.#shuttingDown) return;
    this.#cancelWaiting(key);
    this.#metrics?.workqueueAdds.inc(this.#labels());
    if (this.#dirty.has(key)) return;
    this.#dirty.add(key);
    this.#addedAt.set(key, this.#now());
    if (this.#processing.has(key)) return;
    this.#enqueue(key);
  }

  /**
   * Queues `key` after `delayMs`, unless it is already due earlier: waiting with an earlier deadline, or queued to
   * run now (or to run again once its run in progress ends), which run sees everything this one would.
   */
  addAfter(key: string, delayMs: number): void {
    if (this.#shuttingDown) return;
    if (delayMs <= 0) {
      this.add(key);
      return;
    }
    if (this.#dirty.has(key)) return;
    const at = this.#now() + delayMs;
    const existing = this.#waiting.get(key);
    if (existing && existing.at <= at) return;
    if (existing) clearTimeout(existing.timer);
    const timer = setTimeout(() => {
      this.#waiting.delete(key);
      this.add(key);
    }, delayMs);
    this.#waiting.set(key, { at, timer });
  }

  /** Queues `key` after its next backoff step and returns the delay in ms. */
  addRateLimited(key: string): number {
    const failures = this.#failures.get(key) ?? 0;
    this.#failures.set(key, failures + 1);
    const delay = Math.max(
      backoffDelayMs(failures, this.#backoff, this.#random()),
      this.#bucket.reserve(this.#now()),
    );
    this.#metrics?.workqueueRetries.inc(this.#labels());
    this.addAfter(key, delay);
    return delay;
  }

  /** Resets the key's backoff: the next failure waits the base delay again. */
  forget(key: string): void {
    this.#failures.delete(key);
  }

  /** Failures since the last forget. */
  numRequeues(key: string): number {
    return this.#failures.get(key) ?? 0;
  }

  /** Keys ready and waiting for a worker (workqueue_depth). */
  get depth(): number {
    return this.#pq.size;
  }

  /** Keys being processed right now. */
  get processing(): number {
    return this.#processing.size;
  }

  /** Resolves when no key is waiting for a worker or running (delayed keys do not count). */
  async onIdle(): Promise<void> {
    await this.#pq.onIdle();
  }

  /** Stops taking keys, drops waiting and delayed ones, and resolves once running keys finish. */
  async shutdown(): Promise<void> {
    this.#shuttingDown = true;
    for (const { timer } of this.#waiting.values()) clearTimeout(timer);
    this.#waiting.clear();
    this.#pq.clear();
    this.#dirty.clear();
    this.#updateDepth();
    await this.#pq.onIdle();
  }

  #enqueue(key: string): void {
    // p-queue rejects cleared tasks with an AbortError; they are dropped on purpose at shutdown.
    this.#pq.add(() => this.#run(key)).catch(() => {});
    this.#updateDepth();
  }

  async #run(key: string): Promise<void> {
    this.#dirty.delete(key);
    this.#processing.add(key);
    this.#updateDepth();
    const start = this.#now();
    const addedAt = this.#addedAt.get(key);
    this.#addedAt.delete(key);
    if (addedAt !== undefined) this.#metrics?.workqueueQueueDuration.observe(this.#labels(), (start - addedAt) / 1000);
    try {
      await this.#process(key);
    } catch {
      // controller.ts maps every outcome itself; a processor that throws anyway gets the retry path.
      if (!this.#shuttingDown) this.addRateLimited(key);
    } finally {
      this.#metrics?.workqueueWorkDuration.observe(this.#labels(), (this.#now() - start) / 1000);
      this.#processing.delete(key);
      if (this.#dirty.has(key) && !this.#shuttingDown) this.#enqueue(key);
    }
  }

  #cancelWaiting(key: string): void {
    const waiting = this.#waiting.get(key);
    if (!waiting) return;
    clearTimeout(waiting.timer);
    this.#waiting.delete(key);
  }

  #updateDepth(): void {
    this.#metrics?.workqueueDepth.set(this.#labels(), this.#pq.size);
  }

  #labels(): { name: string; controller: string } {
    return { name: this.#name, controller: this.#name };
  }
}
