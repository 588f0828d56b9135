// Batched, briefly cached instance reads. The Machine controller asks about one machine at a time (exists,
// then update), from several workers at once; a cloud should see one DescribeInstances for all of them, the
// way MAO's AWS provider would have wanted (shared/reference/machine-api.md §7: API rate limits). So lookups
// made in the same turn of the event loop are sent as one `tag:machineUID=u1,u2,…` call, and an answer
// stays good for `freshnessMs`, so that exists+update in one reconcile cost one call, not two.
import type { LocalCloudClient, LocalInstance } from './client.ts';

/** How long a describe answer is reused, in ms. */
export const DEFAULT_FRESHNESS_MS = 1_000;
/** Most machine UIDs in one describe call: keeps the URL well under Node's 16 KiB header limit. */
export const DEFAULT_MAX_BATCH = 100;
/** A batched describe that takes longer than this is abandoned (its callers get the error), in ms. */
const DESCRIBE_TIMEOUT_MS = 30_000;

/** The tag every instance carries with its Machine's UID; lookups go by it, so a lost providerID loses nothing. */
export const MACHINE_UID_TAG = 'machineUID';

interface Entry {
  readonly instance: LocalInstance | undefined;
  readonly at: number;
}

interface Waiter {
  resolve(instance: LocalInstance | undefined): void;
  reject(err: unknown): void;
}

export interface InstanceCacheOptions {
  readonly freshnessMs?: number;
  readonly maxBatch?: number;
  readonly now?: () => number;
}

export class InstanceCache {
  readonly #client: LocalCloudClient;
  readonly #freshnessMs: number;
  readonly #maxBatch: number;
  readonly #now: () => number;
  readonly #entries = new Map<string, Entry>();
  /** UIDs asked for in this turn, with who waits for them. */
  #queued = new Map<string, Waiter[]>();

  constructor(client: LocalCloudClient, options: InstanceCacheOptions = {}) {
    this.#client = client;
    this.#freshnessMs = options.freshnessMs ?? DEFAULT_FRESHNESS_MS;
    this.#maxBatch = options.maxBatch ?? DEFAULT_MAX_BATCH;
    this.#now = options.now ?? Date.now;
  }

  /** The machine's instance (terminated ones included), or undefined when the cloud has none. */
  byMachineUID(uid: string, signal: AbortSignal): Promise<LocalInstance | undefined> {
    const entry = this.#entries.get(uid);
    if (entry && this.#now() - entry.at < this.#freshnessMs) return Promise.resolve(entry.instance);
    signal.throwIfAborted();
    return new Promise((resolve, reject) => {
      const onAbort = () => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      const waiter: Waiter = {
        resolve: (instance) => {
          signal.removeEventListener('abort', onAbort);
          resolve(instance);
        },
        reject: (err) => {
          signal.removeEventListener('abort', onAbort);
          reject(err);
        },
      };
      if (this.#queued.size === 0) setImmediate(() => this.#flush());
      const waiters = this.#queued.get(uid);
      if (waiters) waiters.push(waiter);
      else this.#queued.set(uid, [waiter]);
    });
  }

  /** What a create or terminate answered is the freshest news there is. */
  remember(uid: string, instance: LocalInstance): void {
    this.#entries.set(uid, { instance, at: this.#now() });
  }

  /** The next lookup goes to the cloud. */
  forget(uid: string): void {
    this.#entries.delete(uid);
  }

  #flush(): void {
    const queued = [...this.#queued];
    this.#queued = new Map();
    // Stale answers are never read again, only replaced: drop them so that deleted machines do not pile up.
    const now = this.#now();
    for (const [uid, entry] of this.#entries) if (now - entry.at >= this.#freshnessMs) this.#entries.delete(uid);
    for (let i = 0; i < queued.length; i += this.#maxBatch) void this.#describe(queued.slice(i, i + this.#maxBatch));
  }

  // One caller giving up (its signal) must not cancel the call the others wait on, so the batch has its own
  // deadline instead.
  async #describe(batch: ReadonlyArray<[string, Waiter[]]>): Promise<void> {
    let instances: LocalInstance[];
    try {
      instances = await this.#client.describeInstances({ tag: MACHINE_UID_TAG, values: batch.map(([uid]) => uid) }, AbortSignal.timeout(DESCRIBE_TIMEOUT_MS));
    } catch (err) {
      for (const [, waiters] of batch) for (const waiter of waiters) waiter.reject(err);
      return;
    }
    const at = this.#now();
    for (const [uid, waiters] of batch) {
      const instance = pickInstance(instances.filter((i) => i.tags[MACHINE_UID_TAG] === uid));
      this.#entries.set(uid, { instance, at });
      for (const waiter of waiters) waiter.resolve(instance);
    }
  }
}

/** Of several instances with one machine's tag (there should be one), the live one, else the newest. */
function pickInstance(candidates: readonly LocalInstance[]): LocalInstance | undefined {
  const live = candidates.filter((i) => i.state !== 'terminated');
  const pool = live.length > 0 ? live : candidates;
  return [...pool].sort((a, b) => b.launchTime.localeCompare(a.launchTime))[0];
}
