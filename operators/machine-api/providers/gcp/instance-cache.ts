// Batched, briefly cached instance reads, one cache per connection. MAO's GCP provider makes one Instances.Get per
// Machine per reconcile (shared/reference/machine-api.md §2.2 "Exists"), so its steady state grows with the number
// of Machines and throttles at scale (§6 item 13). Here, lookups that arrive within `batchWindowMs` of each other
// are answered by ONE paged instances.list per project+zone, filtered on the cluster's ownership label
// (`labels.kubernetes-io-cluster-<id> = "owned"`, which MAO's instances carry too), and that listing answers every
// further lookup in that zone for `freshnessMs`. A resync that reconciles every Machine at once costs one call per
// zone (≈ per MachineSet: installers make one per zone), whatever the number of Machines, and staggered reconciles
// cost at most one per zone per `freshnessMs`.
//
// An instance is the Machine's when it bears the Machine's name (GCE names are unique per zone) and its
// machine-uid label is the Machine's UID, or it has none (an instance MAO made; MAO finds instances by name only).
// A same-named instance with another UID belongs to an earlier Machine of that name and is not this one's.
// Machines that recorded an instance the listing lacks (made without the ownership label) are looked up by name
// in the same flush.
import { BatchedReads, type BatchedCacheOptions, type Waiter } from '../batched-reads.ts';
import type { Instance } from './client.ts';
import { clusterLabelKey, MACHINE_UID_LABEL, machineUidLabel } from './insert.ts';

/** How long lookups wait to be sent together, in ms. */
export const DEFAULT_BATCH_WINDOW_MS = 50;
/**
 * How long a zone listing answers lookups, in ms. It bounds the steady state to at most one list per zone per 30 s
 * (120 an hour) whatever the number of Machines, and Machines resynced together share one. Staleness is harmless
 * here: it is shorter than every requeue interval, create is idempotent (a stale "absent" ends in a 409 that is
 * adopted), and delete always reads afresh.
 */
export const DEFAULT_FRESHNESS_MS = 30_000;
/** A batched read that takes longer than this is abandoned (its callers get the error), in ms. */
const READ_TIMEOUT_MS = 30_000;

/** Which instance a lookup is about. */
export interface InstanceRef {
  readonly project: string;
  readonly zone: string;
  readonly clusterID: string;
  readonly uid: string;
  /** The instance name: the Machine's name. */
  readonly name: string;
  /** The Machine recorded an instance (providerID or providerStatus): worth a get when the listing lacks it. */
  readonly recorded: boolean;
}

export type ListInstances = (project: string, zone: string, filter: string, signal: AbortSignal) => Promise<Instance[]>;
/** The named instance, or undefined on 404. */
export type GetInstance = (project: string, zone: string, name: string, signal: AbortSignal) => Promise<Instance | undefined>;

export type InstanceCacheOptions = BatchedCacheOptions;

interface Snapshot {
  readonly at: number;
  readonly byName: ReadonlyMap<string, Instance>;
}

interface Remembered {
  readonly at: number;
  /** undefined: known to be gone. */
  readonly instance: Instance | undefined;
}

/** The listing filter for a cluster's instances. */
export function clusterFilter(clusterID: string): string {
  return `labels.${clusterLabelKey(clusterID)} = "owned"`;
}

/** Whether `instance` is the one of the Machine `ref` names (see the file comment). */
export function isMachineInstance(instance: Instance, ref: Pick<InstanceRef, 'name' | 'uid'>): boolean {
  if (instance.name !== ref.name) return false;
  const uid = instance.labels?.[MACHINE_UID_LABEL];
  return uid === undefined || uid === machineUidLabel(ref.uid);
}

/** Snapshots are by project, zone and cluster. */
export class InstanceCache {
  readonly #list: ListInstances;
  readonly #get: GetInstance;
  readonly #freshnessMs: number;
  readonly #now: () => number;
  readonly #reads: BatchedReads<InstanceRef, Snapshot, Instance | undefined>;
  readonly #remembered = new Map<string, Remembered>();

  constructor(list: ListInstances, get: GetInstance, options: InstanceCacheOptions = {}) {
    this.#list = list;
    this.#get = get;
    this.#freshnessMs = options.freshnessMs ?? DEFAULT_FRESHNESS_MS;
    this.#now = options.now ?? Date.now;
    this.#reads = new BatchedReads<InstanceRef, Snapshot, Instance | undefined>(
      {
        keyOf: zoneKey,
        answer: (ref, snapshot) => this.#resolve(ref, snapshot),
        read: (groups) => Promise.all([...groups.values()].map((waiters) => this.#refresh(waiters))).then(() => {}),
        prune: (now) => {
          for (const [key, r] of this.#remembered) if (now - r.at >= this.#freshnessMs) this.#remembered.delete(key);
        },
      },
      { batchWindowMs: options.batchWindowMs ?? DEFAULT_BATCH_WINDOW_MS, freshnessMs: this.#freshnessMs, now: this.#now },
    );
  }

  /**
   * The Machine's instance, or undefined when GCE has none. `fresh`: answer from a read sent after this call
   * (delete decides on it), never from the cache.
   */
  lookup(ref: InstanceRef, signal: AbortSignal, options: { fresh?: boolean } = {}): Promise<Instance | undefined> {
    return this.#reads.lookup(ref, signal, options);
  }

  /**
   * What an insert, get or delete answered is the freshest news there is (undefined: the instance is gone), until
   * a listing asked for later replaces it.
   */
  remember(ref: Pick<InstanceRef, 'project' | 'zone' | 'clusterID' | 'name'>, instance: Instance | undefined): void {
    this.#remembered.set(instanceKey(ref), { at: this.#now(), instance });
  }

  async #refresh(waiters: readonly Waiter<InstanceRef, Instance | undefined>[]): Promise<void> {
    const { project, zone, clusterID } = waiters[0].ref;
    const signal = AbortSignal.timeout(READ_TIMEOUT_MS);
    const at = this.#now();
    let snapshot: Snapshot;
    const fetched = new Map<string, Instance | undefined>();
    try {
      const listed = await this.#list(project, zone, clusterFilter(clusterID), signal);
      snapshot = { at, byName: new Map(listed.map((i) => [i.name ?? '', i])) };
      const missing = [...new Set(waiters.filter((w) => w.ref.recorded && !snapshot.byName.has(w.ref.name)).map((w) => w.ref.name))];
      await Promise.all(missing.map(async (name) => fetched.set(name, await this.#get(project, zone, name, signal))));
    } catch (err) {
      for (const waiter of waiters) waiter.reject(err);
      return;
    }
    const key = zoneKey(waiters[0].ref);
    this.#reads.store(key, snapshot);
    for (const [remembered, r] of this.#remembered) if (remembered.startsWith(`${key}/`) && r.at <= at) this.#remembered.delete(remembered);
    for (const [name, instance] of fetched) this.remember({ project, zone, clusterID, name }, instance);
    for (const waiter of waiters) waiter.resolve(this.#resolve(waiter.ref, snapshot));
  }

  // The listing, with what inserts, gets and deletes answered since laid over it (older news was dropped when the
  // listing came).
  #resolve(ref: InstanceRef, snapshot: Snapshot): Instance | undefined {
    const remembered = this.#remembered.get(instanceKey(ref));
    const instance = remembered ? remembered.instance : snapshot.byName.get(ref.name);
    return instance && isMachineInstance(instance, ref) ? instance : undefined;
  }
}

function zoneKey(ref: Pick<InstanceRef, 'project' | 'zone' | 'clusterID'>): string {
  return `${ref.project}/${ref.zone}/${ref.clusterID}`;
}

function instanceKey(ref: Pick<InstanceRef, 'project' | 'zone' | 'clusterID' | 'name'>): string {
  return `${zoneKey(ref)}/${ref.name}`;
}
