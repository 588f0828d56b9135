// Batched, briefly cached instance reads, one cache per EC2 connection (credentials + region + endpoint).
// MAO's AWS provider makes one DescribeInstances per Machine per reconcile (shared/reference/machine-api.md
// §2.1 "Cloud API calls", §7), so its steady state grows with the number of Machines and throttles at scale
// (§6 item 13). Here, lookups that arrive within `batchWindowMs` of each other are answered by ONE paged
// DescribeInstances of the whole cluster (filter tag-key kubernetes.io/cluster/<clusterID>, which every
// instance the Machine API makes carries, MAO's included), and that listing answers every further lookup for
// `freshnessMs`. A resync that reconciles every Machine at once costs one call per cluster, whatever the number
// of Machines or MachineSets. Instance IDs the listing lacks (an instance made without the cluster tag) are
// looked up in the same flush with one `instance-id` filter call, which, unlike InstanceIds, does not fail the
// whole batch when one ID is unknown.
import type { Filter, Instance } from '@aws-sdk/client-ec2';
import { BatchedReads, type BatchedCacheOptions, type Waiter } from '../batched-reads.ts';

/** How long lookups wait to be sent together, in ms. */
export const DEFAULT_BATCH_WINDOW_MS = 50;
/** How long a cluster listing answers lookups, in ms: exists+update of one reconcile, or a resync burst. */
export const DEFAULT_FRESHNESS_MS = 5_000;
/**
 * How long an instance this process launched is believed to exist when DescribeInstances does not show it
 * yet, in ms: EC2 reads are eventually consistent, and a "vanished" instance would make the Machine Failed
 * (MAO clears addresses on the first pass for the same reason, §2.1 "Instance lookup and idempotency").
 */
export const DEFAULT_LAUNCH_GRACE_MS = 60_000;
/** Most values in one describe filter. */
const MAX_FILTER_VALUES = 200;
/** A batched describe that takes longer than this is abandoned (its callers get the error), in ms. */
const DESCRIBE_TIMEOUT_MS = 30_000;

/** The tag every instance made by this provider carries with its Machine's UID. */
export const MACHINE_UID_TAG = 'machine.openshift.io/machine-uid';

export function clusterTagKey(clusterID: string): string {
  return `kubernetes.io/cluster/${clusterID}`;
}

/** Which instance a lookup is about: by ID when the Machine recorded one, else by its UID tag. */
export interface InstanceRef {
  readonly clusterID: string;
  readonly uid: string;
  readonly instanceId?: string;
}

export type DescribeInstances = (filters: Filter[], signal: AbortSignal) => Promise<Instance[]>;

export interface InstanceCacheOptions extends BatchedCacheOptions {
  readonly launchGraceMs?: number;
}

interface Snapshot {
  readonly at: number;
  readonly instances: readonly Instance[];
}

interface Remembered {
  readonly instance: Instance;
  readonly uid: string;
  readonly at: number;
  /** From RunInstances: keeps standing in for the instance while describes may not show it yet. */
  readonly launched: boolean;
}

/** Snapshots are by cluster ID. */
export class InstanceCache {
  readonly #describe: DescribeInstances;
  readonly #freshnessMs: number;
  readonly #launchGraceMs: number;
  readonly #now: () => number;
  readonly #reads: BatchedReads<InstanceRef, Snapshot, Instance | undefined>;
  readonly #remembered = new Map<string, Remembered>();

  constructor(describe: DescribeInstances, options: InstanceCacheOptions = {}) {
    this.#describe = describe;
    this.#freshnessMs = options.freshnessMs ?? DEFAULT_FRESHNESS_MS;
    this.#launchGraceMs = options.launchGraceMs ?? DEFAULT_LAUNCH_GRACE_MS;
    this.#now = options.now ?? Date.now;
    this.#reads = new BatchedReads<InstanceRef, Snapshot, Instance | undefined>(
      {
        keyOf: (ref) => ref.clusterID,
        answer: (ref, snapshot) => this.#resolve(ref, snapshot),
        read: (groups) => Promise.all([...groups].map(([clusterID, waiters]) => this.#refresh(clusterID, waiters))).then(() => {}),
        prune: (now) => this.#prune(now),
      },
      { batchWindowMs: options.batchWindowMs ?? DEFAULT_BATCH_WINDOW_MS, freshnessMs: this.#freshnessMs, now: this.#now },
    );
  }

  /**
   * The instance `ref` names (a live one before a terminated one), or undefined when EC2 has none.
   * `fresh`: answer from a describe sent after this call (delete decides on it), never from the cache.
   */
  lookup(ref: InstanceRef, signal: AbortSignal, options: { fresh?: boolean } = {}): Promise<Instance | undefined> {
    return this.#reads.lookup(ref, signal, options);
  }

  /**
   * What RunInstances or TerminateInstances answered is the freshest news there is. A partial answer
   * (TerminateInstances gives only the state) is laid over what was known of the instance.
   */
  remember(uid: string, instance: Instance, options: { launched?: boolean } = {}): void {
    const id = instance.InstanceId;
    if (!id) return;
    const previous = this.#remembered.get(id);
    const listed = [...this.#reads.snapshots.values()].flatMap((s) => s.instances).find((i) => i.InstanceId === id);
    const known = previous?.instance ?? listed ?? {};
    this.#remembered.set(id, { instance: { ...known, ...instance }, uid, at: this.#now(), launched: options.launched ?? previous?.launched ?? false });
  }

  async #refresh(clusterID: string, waiters: readonly Waiter<InstanceRef, Instance | undefined>[]): Promise<void> {
    const signal = AbortSignal.timeout(DESCRIBE_TIMEOUT_MS);
    const at = this.#now();
    let instances: Instance[];
    try {
      instances = await this.#describe([{ Name: 'tag-key', Values: [clusterTagKey(clusterID)] }], signal);
      const listed = new Set(instances.map((i) => i.InstanceId));
      const missing = [...new Set(waiters.map((w) => w.ref.instanceId).filter((id): id is string => id !== undefined && !listed.has(id)))];
      for (let i = 0; i < missing.length; i += MAX_FILTER_VALUES) {
        instances.push(...(await this.#describe([{ Name: 'instance-id', Values: missing.slice(i, i + MAX_FILTER_VALUES) }], signal)));
      }
    } catch (err) {
      for (const waiter of waiters) waiter.reject(err);
      return;
    }
    const snapshot: Snapshot = { at, instances };
    this.#reads.store(clusterID, snapshot);
    for (const waiter of waiters) waiter.resolve(this.#resolve(waiter.ref, snapshot));
  }

  // The listing, with what RunInstances/TerminateInstances answered since laid over it, and with instances this
  // process launched that the listing does not show yet (eventual consistency).
  #resolve(ref: InstanceRef, snapshot: Snapshot): Instance | undefined {
    const matches = (instance: Instance, uid: string | undefined) =>
      ref.instanceId !== undefined ? instance.InstanceId === ref.instanceId : uid === ref.uid;
    const byId = new Map(snapshot.instances.filter((i) => matches(i, uidOf(i))).map((i) => [i.InstanceId, i]));
    const now = this.#now();
    for (const [id, r] of this.#remembered) {
      if (!matches(r.instance, r.uid)) continue;
      if (r.at > snapshot.at || (r.launched && !byId.has(id) && now - r.at < this.#launchGraceMs)) byId.set(id, r.instance);
    }
    return pickInstance([...byId.values()]);
  }

  #prune(now: number): void {
    const keep = Math.max(this.#freshnessMs, this.#launchGraceMs);
    for (const [id, r] of this.#remembered) if (now - r.at >= keep) this.#remembered.delete(id);
  }
}

export function uidOf(instance: Instance): string | undefined {
  return instance.Tags?.find((t) => t.Key === MACHINE_UID_TAG)?.Value;
}

/** Of several instances for one Machine (there should be one), the live one, else the newest; ties: the first. */
function pickInstance(candidates: readonly Instance[]): Instance | undefined {
  const live = candidates.filter((i) => i.State?.Name !== 'terminated');
  const pool = live.length > 0 ? live : candidates;
  let best: Instance | undefined;
  for (const i of pool) if (!best || (i.LaunchTime?.getTime() ?? 0) > (best.LaunchTime?.getTime() ?? 0)) best = i;
  return best;
}
