// The mechanism the clouds' instance caches (aws/gcp/azure instance-cache.ts) share: lookups that arrive within
// `batchWindowMs` of each other wait for ONE flush, which reads a snapshot per key (an EC2 cluster, a GCE
// project+zone, an Azure resource group), and a snapshot answers every further lookup of its key for `freshnessMs`.
// So a resync that reconciles every Machine at once costs one cloud read per key, not one per Machine
// (shared/reference/machine-api.md §6 item 13, §7 "API rate limits"). What one read is, and how a snapshot answers a
// lookup, is each cloud's own.

/** A snapshot of one key, as read at `at` (ms, on the cache's clock). */
export interface Snapshot {
  readonly at: number;
}

/** A lookup waiting for a flush; the cloud's read settles it. */
export interface Waiter<Ref, Answer> {
  readonly ref: Ref;
  resolve(answer: Answer): void;
  reject(err: unknown): void;
}

/** How a cloud's instance cache is tuned; unset fields take the cloud's defaults. */
export interface BatchedCacheOptions {
  /** How long lookups wait to be sent together, in ms. */
  readonly batchWindowMs?: number;
  /** How long a snapshot answers lookups, in ms. */
  readonly freshnessMs?: number;
  readonly now?: () => number;
}

export interface BatchedReadsOptions {
  readonly batchWindowMs: number;
  readonly freshnessMs: number;
  readonly now: () => number;
}

export interface BatchedReadsSpec<Ref, S extends Snapshot, Answer> {
  /** What a lookup's snapshot is keyed by. */
  keyOf(ref: Ref): string;
  /** The answer a snapshot gives a lookup. */
  answer(ref: Ref, snapshot: S): Answer;
  /** Whether a fresh snapshot can answer this lookup at all (e.g. it lacks what the lookup needs). Default: yes. */
  covers?(ref: Ref, snapshot: S): boolean;
  /**
   * One flush: read the snapshots the waiting lookups need (`store` them) and settle every waiter. The waiters are
   * grouped by key. One caller giving up (its signal) must not cancel the read the others wait on, so a read has
   * its own deadline instead of any caller's signal.
   */
  read(groups: ReadonlyMap<string, Waiter<Ref, Answer>[]>): Promise<void>;
  /** Drops what the cloud keeps beside the snapshots and no longer needs, at the start of each flush. */
  prune?(now: number): void;
}

export class BatchedReads<Ref, S extends Snapshot, Answer> {
  readonly #spec: BatchedReadsSpec<Ref, S, Answer>;
  readonly #options: BatchedReadsOptions;
  readonly #snapshots = new Map<string, S>();
  #queued: Waiter<Ref, Answer>[] = [];

  constructor(spec: BatchedReadsSpec<Ref, S, Answer>, options: BatchedReadsOptions) {
    this.#spec = spec;
    this.#options = options;
  }

  /** The snapshots read so far, by key (stale ones until the next flush prunes them). */
  get snapshots(): ReadonlyMap<string, S> {
    return this.#snapshots;
  }

  /**
   * The answer for `ref`: from its key's snapshot while that is fresh, else from the next flush. `fresh`: from a
   * read sent after this call, never from the cache (what a delete decides on).
   */
  lookup(ref: Ref, signal: AbortSignal, options: { readonly fresh?: boolean } = {}): Promise<Answer> {
    const snapshot = this.#snapshots.get(this.#spec.keyOf(ref));
    if (!options.fresh && snapshot && this.#answers(ref, snapshot)) return Promise.resolve(this.#spec.answer(ref, snapshot));
    signal.throwIfAborted();
    return new Promise((resolve, reject) => {
      const onAbort = () => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      if (this.#queued.length === 0) setTimeout(() => void this.#flush(), this.#options.batchWindowMs);
      this.#queued.push({
        ref,
        resolve: (answer) => {
          signal.removeEventListener('abort', onAbort);
          resolve(answer);
        },
        reject: (err) => {
          signal.removeEventListener('abort', onAbort);
          reject(err);
        },
      });
    });
  }

  /** Keeps what a read got as the snapshot of `key`. */
  store(key: string, snapshot: S): void {
    this.#snapshots.set(key, snapshot);
  }

  #answers(ref: Ref, snapshot: S): boolean {
    return this.#options.now() - snapshot.at < this.#options.freshnessMs && (this.#spec.covers?.(ref, snapshot) ?? true);
  }

  async #flush(): Promise<void> {
    const queued = this.#queued;
    this.#queued = [];
    const now = this.#options.now();
    for (const [key, snapshot] of this.#snapshots) if (now - snapshot.at >= this.#options.freshnessMs) this.#snapshots.delete(key);
    this.#spec.prune?.(now);
    await this.#spec.read(Map.groupBy(queued, (w) => this.#spec.keyOf(w.ref)));
  }
}
