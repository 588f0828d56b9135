// sources (cache events) → handlers → queue → reconcile, after controller-runtime's
// pkg/internal/controller/controller.go. `#process` holds the one switch that maps a reconcile outcome
// to queue operations and metrics (shared/STYLE.md §1, "One switch maps outcomes to the queue").
import { randomUUID } from 'node:crypto';
import type { Registry } from 'prom-client';
import type { BackoffPolicy, TokenBucketOptions } from './backoff.ts';
import type { EventSource } from './cache.ts';
import { isConflict, RequeueAfter, TerminalError } from './errors.ts';
import { parseRequestKey, requestKey, type EventHandler, type Request } from './handlers.ts';
import { discardLogger, type Logger } from './log.ts';
import type { Runnable } from './manager.ts';
import { runtimeMetrics, type ReconcileResultLabel, type RuntimeMetrics } from './metrics.ts';
import { WorkQueue } from './queue.ts';
import { whenAborted } from './wait.ts';

export type { Request } from './handlers.ts';

/** When to look again. Omitted `requeueAfterMs`: wait for the next event. */
export interface Result {
  readonly requeueAfterMs?: number;
}

export interface ReconcileContext {
  /** Aborts when the controller stops (shutdown or lost lease): pass it to every API and cloud call. */
  readonly signal: AbortSignal;
  /** Carries the controller name, the object key and a reconcileID. */
  readonly log: Logger;
}

export type Reconciler = (req: Request, ctx: ReconcileContext) => Promise<Result>;

/** A source and its handler; build with `watch(source, handler)` so the object types line up. */
export interface WatchSpec {
  readonly source: EventSource<unknown>;
  readonly handler: EventHandler<unknown>;
  /**
   * Queue the requests this source maps to after this long instead of now, in ms, so that a burst of events
   * becomes one reconcile: for an object that sums up many others (a MachineSet's status counts its Machines),
   * reconciling on every one of a thousand events is a thousand full recomputes and status writes.
   */
  readonly batchMs?: number;
}

export function watch<T>(source: EventSource<T>, handler: EventHandler<T>, options: { readonly batchMs?: number } = {}): WatchSpec {
  return { source, handler, ...options } as WatchSpec;
}

/**
 * The shortest requeue a reconciler can ask for, in ms. requeueAfterMs is for waiting on the outside
 * world (an instance booting, a node joining); anything shorter is a hot loop against the API server
 * and the cloud (MAO's MachineHealthCheck requeued after 0 s). Errors get the exponential backoff instead.
 */
export const MIN_REQUEUE_AFTER_MS = 1_000;

export interface ControllerOptions {
  /** The `controller` metric label and logger name, e.g. "machineset-controller". */
  readonly name: string;
  /** The Kind of the reconciled objects, used as the log key of the request (`{ MachineSet: "ns/name" }`). */
  readonly kind: string;
  readonly reconcile: Reconciler;
  readonly watches: readonly WatchSpec[];
  /** Objects reconciled at once. Default 1. */
  readonly concurrency?: number;
  /** Floor of requeueAfterMs and RequeueAfter, in ms. Default MIN_REQUEUE_AFTER_MS; lower it only in tests. */
  readonly minRequeueAfterMs?: number;
  readonly backoff?: BackoffPolicy;
  readonly rateLimit?: TokenBucketOptions;
  readonly logger?: Logger;
  readonly registry?: Registry;
}

/** What a reconcile ended with, once the thrown value or result is classified. */
export type Outcome =
  | { readonly kind: 'success' }
  | { readonly kind: 'requeueAfter'; readonly afterMs: number }
  | { readonly kind: 'terminal'; readonly error: TerminalError }
  | { readonly kind: 'error'; readonly error: unknown };

/**
 * Classifies a settled reconcile. Any requeue, from a Result or a RequeueAfter, is raised to the floor;
 * `requeueAfterMs: 0` therefore means "again after the floor", never "now".
 */
export function classifyOutcome(
  settled: { readonly result: Result } | { readonly error: unknown },
  minRequeueAfterMs: number,
): Outcome {
  const floor = (ms: number) => (Number.isFinite(ms) ? Math.max(minRequeueAfterMs, ms) : minRequeueAfterMs);
  if ('result' in settled) {
    const after = settled.result?.requeueAfterMs;
    return after === undefined ? { kind: 'success' } : { kind: 'requeueAfter', afterMs: floor(after) };
  }
  const { error } = settled;
  if (error instanceof RequeueAfter) return { kind: 'requeueAfter', afterMs: floor(error.afterMs) };
  if (error instanceof TerminalError) return { kind: 'terminal', error };
  return { kind: 'error', error };
}

export class Controller implements Runnable {
  readonly name: string;
  readonly needsLeader = true;
  readonly #options: ControllerOptions;
  readonly #log: Logger;
  readonly #metrics: RuntimeMetrics | undefined;
  readonly #queue: WorkQueue;
  #signal: AbortSignal = AbortSignal.abort(new Error('controller not started'));

  constructor(options: ControllerOptions) {
    this.name = options.name;
    this.#options = options;
    this.#log = (options.logger ?? discardLogger).child(options.name, { controller: options.name });
    this.#metrics = options.registry ? runtimeMetrics(options.registry) : undefined;
    this.#queue = new WorkQueue((key) => this.#process(key), {
      name: options.name,
      concurrency: options.concurrency,
      backoff: options.backoff,
      rateLimit: options.rateLimit,
      metrics: this.#metrics,
    });
  }

  /** Queues a request by hand (e.g. a periodic check of every object). */
  enqueue(req: Request): void {
    this.#queue.add(requestKey(req));
  }

  /** Failures of this request since its last success: how far its backoff has grown. */
  numRequeues(req: Request): number {
    return this.#queue.numRequeues(requestKey(req));
  }

  /**
   * Waits for every source to sync, then reconciles until `signal` aborts; then stops taking work,
   * aborts the reconciles in flight (they get the same signal) and resolves once they have returned.
   */
  async start(signal: AbortSignal): Promise<void> {
    this.#signal = signal;
    this.#metrics?.maxConcurrentReconciles.set({ controller: this.name }, this.#options.concurrency ?? 1);
    const unsubscribes: Array<() => void> = [];
    try {
      // Reconcilers read from the stores, so no key is processed before they are complete. Subscribing
      // after the sync loses nothing: subscribe() replays the current objects as adds.
      await Promise.all(this.#options.watches.map((w) => w.source.store.waitForSync(signal)));
      for (const { source, handler, batchMs = 0 } of this.#options.watches) {
        unsubscribes.push(source.subscribe((event) => {
          for (const req of handler(event)) this.#queue.addAfter(requestKey(req), batchMs);
        }));
      }
      this.#log.info('Starting workers', { workerCount: this.#options.concurrency ?? 1 });
      await whenAborted(signal);
    } catch (err) {
      if (!signal.aborted) throw err;
    } finally {
      for (const unsubscribe of unsubscribes) unsubscribe();
      this.#log.info('Stopping workers');
      await this.#queue.shutdown();
    }
  }

  async #process(key: string): Promise<void> {
    const req = parseRequestKey(key);
    const log = this.#log.child(undefined, { [this.#options.kind]: key, reconcileID: randomUUID() });
    const labels = { controller: this.name };
    const start = performance.now();
    this.#metrics?.activeWorkers.inc(labels);
    let settled: { result: Result } | { error: unknown };
    try {
      // A synchronous throw and a rejection are the same outcome: recovered here, never fatal.
      settled = { result: await this.#options.reconcile(req, { signal: this.#signal, log }) };
    } catch (error) {
      settled = { error };
    } finally {
      this.#metrics?.activeWorkers.dec(labels);
      this.#metrics?.reconcileTime.observe(labels, (performance.now() - start) / 1000);
    }

    const outcome = classifyOutcome(settled, this.#options.minRequeueAfterMs ?? MIN_REQUEUE_AFTER_MS);
    let result: ReconcileResultLabel;
    switch (outcome.kind) {
      case 'success':
        this.#queue.forget(key);
        result = 'success';
        break;
      case 'requeueAfter':
        // An expected wait, not a failure: the backoff starts over.
        this.#queue.forget(key);
        this.#queue.addAfter(key, outcome.afterMs);
        result = 'requeue_after';
        break;
      case 'terminal':
        // Retrying cannot help; the reconciler has recorded the failure (condition, Event) itself.
        this.#queue.forget(key);
        this.#metrics?.reconcileErrors.inc(labels);
        this.#metrics?.terminalReconcileErrors.inc(labels);
        log.error('Reconciler error, not retrying', { reason: outcome.error.reason, error: outcome.error });
        result = 'error';
        break;
      case 'error': {
        if (this.#signal.aborted) return; // cut short by shutdown: nothing to retry, nothing to count
        const retryInMs = this.#queue.addRateLimited(key);
        this.#metrics?.reconcileErrors.inc(labels);
        // A conflict only means the cache was a write behind: expected, retried in milliseconds, not an error
        // an operator of the cluster needs to see.
        if (isConflict(outcome.error)) log.debug('Object changed since it was read, retrying', { retryInMs: Math.round(retryInMs) });
        else log.error('Reconciler error', { error: outcome.error, retryInMs: Math.round(retryInMs) });
        result = 'error';
        break;
      }
    }
    this.#metrics?.reconcileTotal.inc({ controller: this.name, result });
  }
}
