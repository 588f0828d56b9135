// The server's single source of truth: every object of every resource, one global resourceVersion counter,
// and a per-resource event history that watches replay from (shared/reference/apiserver.md §7.1, §7.3).
//
// Objects are kept as their JSON text plus the parsed form, and are never mutated once stored: readers send
// the text as is, writers parse a private copy. Node runs handlers one at a time, so a read-modify-write
// between two awaits is atomic and optimistic concurrency only has to compare resourceVersions.
import type { KubeObject } from '../types.ts';
import { cloneJson } from '../patch/json-values.ts';

export interface StoredObject {
  readonly object: Readonly<KubeObject>;
  /** Serialized form of `object`, with metadata.resourceVersion set. */
  readonly json: string;
  readonly rv: number;
  readonly namespace: string;
  readonly name: string;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  readonly type: WatchEventType;
  readonly rv: number;
  /** The object after the change; for DELETED, its last state with the deletion resourceVersion. */
  readonly current: StoredObject;
  /** The object before the change (MODIFIED, DELETED); watches need it for selector transitions. */
  readonly previous: StoredObject | undefined;
}

export type StoreListener = (event: StoreEvent) => void;

export type DurableRecord = { rv: number; op: 'put'; key: string; value: string } | { rv: number; op: 'delete'; key: string };

/** What the store needs from durable storage: a synchronous append before a write is acknowledged. */
export interface DurableLog {
  append(records: DurableRecord[]): void;
}

/** Events older than this are dropped from a resource's history (a watch from before them gets 410). */
export const HISTORY_RETENTION_MS = 15 * 60_000;
/** Upper bound of events kept per resource, whatever their age. */
export const HISTORY_MAX_EVENTS = 100_000;

interface History {
  events: StoreEvent[];
  /** Index of the first live entry in `events` (a cheap ring: the array is trimmed in bulk). */
  start: number;
  /** A watch from any resourceVersion >= this can be served from history. */
  compactedRv: number;
  times: number[];
}

class Bucket {
  readonly objects = new Map<string, StoredObject>();
  private sorted: StoredObject[] | undefined;
  readonly listeners = new Set<StoreListener>();
  readonly history: History;
  constructor(compactedRv: number) {
    this.history = { events: [], start: 0, compactedRv, times: [] };
  }
  set(key: string, value: StoredObject): void {
    if (!this.objects.has(key)) this.sorted = undefined;
    else if (this.sorted) this.sorted[findSorted(this.sorted, value.namespace, value.name)] = value;
    this.objects.set(key, value);
  }
  remove(key: string): void {
    if (this.objects.delete(key)) this.sorted = undefined;
  }
  /** Objects ordered by namespace then name, as etcd returns them by key. */
  ordered(): StoredObject[] {
    if (!this.sorted) {
      this.sorted = [...this.objects.values()].sort((a, b) => compareKeys(a.namespace, a.name, b.namespace, b.name));
    }
    return this.sorted;
  }
}

/** Index of (namespace, name) in a key-ordered array that contains it. */
function findSorted(sorted: StoredObject[], namespace: string, name: string): number {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (compareKeys(sorted[mid].namespace, sorted[mid].name, namespace, name) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function compareKeys(ns1: string, n1: string, ns2: string, n2: string): number {
  if (ns1 !== ns2) return ns1 < ns2 ? -1 : 1;
  if (n1 === n2) return 0;
  return n1 < n2 ? -1 : 1;
}

export function objectKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

/** Key in the durable log: "<group>/<plural>/<namespace>/<name>"; names and groups never contain "/". */
export function durableKey(storageKey: string, namespace: string, name: string): string {
  return `${storageKey}/${namespace}/${name}`;
}

export function parseDurableKey(key: string): { storageKey: string; namespace: string; name: string } {
  const parts = key.split('/');
  if (parts.length !== 4) throw new Error(`malformed storage key ${JSON.stringify(key)}`);
  return { storageKey: `${parts[0]}/${parts[1]}`, namespace: parts[2], name: parts[3] };
}

export class ObjectStore {
  private rv: number;
  private readonly buckets = new Map<string, Bucket>();
  private readonly log: DurableLog | undefined;
  private readonly now: () => number;
  /** The resourceVersion the store started at: history before it is gone (a restart), so older watches get 410. */
  private readonly startRv: number;

  constructor(options: { initialRv?: number; log?: DurableLog; now?: () => number } = {}) {
    this.rv = options.initialRv ?? 0;
    this.startRv = this.rv;
    this.log = options.log;
    this.now = options.now ?? Date.now;
  }

  get resourceVersion(): number {
    return this.rv;
  }

  private bucket(storageKey: string): Bucket {
    let bucket = this.buckets.get(storageKey);
    if (!bucket) {
      bucket = new Bucket(this.startRv);
      this.buckets.set(storageKey, bucket);
    }
    return bucket;
  }

  /** Load an object from the durable store at startup: no event, no log write. */
  restore(storageKey: string, json: string): void {
    const object = JSON.parse(json) as KubeObject;
    const namespace = object.metadata.namespace ?? '';
    const name = object.metadata.name ?? '';
    const rv = Number(object.metadata.resourceVersion ?? 0);
    this.bucket(storageKey).set(objectKey(namespace, name), { object, json, rv, namespace, name });
  }

  get(storageKey: string, namespace: string, name: string): StoredObject | undefined {
    return this.buckets.get(storageKey)?.objects.get(objectKey(namespace, name));
  }

  /** All objects of a resource, in key order, optionally in one namespace. */
  list(storageKey: string, namespace?: string): StoredObject[] {
    const bucket = this.buckets.get(storageKey);
    if (!bucket) return [];
    const all = bucket.ordered();
    return namespace === undefined ? all : all.filter((o) => o.namespace === namespace);
  }

  count(storageKey: string): number {
    return this.buckets.get(storageKey)?.objects.size ?? 0;
  }

  storageKeys(): string[] {
    return [...this.buckets.keys()];
  }

  /**
   * Store a new or changed object. The caller has decided it is a valid write; the store assigns the next
   * resourceVersion, makes it durable, then notifies watchers. Returns the stored form.
   */
  put(storageKey: string, object: KubeObject): StoredObject {
    const namespace = object.metadata.namespace ?? '';
    const name = object.metadata.name ?? '';
    const bucket = this.bucket(storageKey);
    const key = objectKey(namespace, name);
    const previous = bucket.objects.get(key);
    const rv = this.rv + 1;
    object.metadata.resourceVersion = String(rv);
    const json = JSON.stringify(object);
    this.log?.append([{ rv, op: 'put', key: durableKey(storageKey, namespace, name), value: json }]);
    this.rv = rv;
    const stored: StoredObject = { object, json, rv, namespace, name };
    bucket.set(key, stored);
    this.emit(bucket, { type: previous ? 'MODIFIED' : 'ADDED', rv, current: stored, previous });
    return stored;
  }

  /** Remove an object. The DELETED event carries its last state with the deletion resourceVersion. */
  remove(storageKey: string, namespace: string, name: string): StoredObject | undefined {
    const bucket = this.buckets.get(storageKey);
    const key = objectKey(namespace, name);
    const previous = bucket?.objects.get(key);
    if (!bucket || !previous) return undefined;
    const rv = this.rv + 1;
    this.log?.append([{ rv, op: 'delete', key: durableKey(storageKey, namespace, name) }]);
    this.rv = rv;
    const last = cloneJson(previous.object) as KubeObject;
    last.metadata.resourceVersion = String(rv);
    const current: StoredObject = { object: last, json: JSON.stringify(last), rv, namespace, name };
    bucket.remove(key);
    this.emit(bucket, { type: 'DELETED', rv, current, previous });
    return current;
  }

  private emit(bucket: Bucket, event: StoreEvent): void {
    const history = bucket.history;
    history.events.push(event);
    history.times.push(this.now());
    this.trimHistory(history);
    for (const listener of bucket.listeners) listener(event);
  }

  private trimHistory(history: History): void {
    const live = history.events.length - history.start;
    const cutoff = this.now() - HISTORY_RETENTION_MS;
    let start = history.start;
    while (start < history.events.length && (history.events.length - start > HISTORY_MAX_EVENTS || history.times[start] < cutoff)) {
      history.compactedRv = history.events[start].rv;
      start++;
    }
    history.start = start;
    // Reclaim the dropped prefix in bulk so trimming stays O(1) amortised.
    if (start > 1024 && start > live / 2) {
      history.events = history.events.slice(start);
      history.times = history.times.slice(start);
      history.start = 0;
    }
  }

  /**
   * Subscribe to a resource's events after `fromRv`. Replays retained history first (synchronously, through
   * the listener), then delivers live events. Returns undefined when `fromRv` is older than the retained
   * history or newer than the store (a stale RV from another server instance): the caller answers 410.
   */
  watch(storageKey: string, fromRv: number, listener: StoreListener): (() => void) | undefined {
    const bucket = this.bucket(storageKey);
    const history = bucket.history;
    this.trimHistory(history);
    if (fromRv < history.compactedRv || fromRv > this.rv) return undefined;
    for (let i = history.start; i < history.events.length; i++) {
      const event = history.events[i];
      if (event.rv > fromRv) listener(event);
    }
    bucket.listeners.add(listener);
    return () => bucket.listeners.delete(listener);
  }

  /** The oldest resourceVersion a watch of this resource can start from. */
  oldestWatchableRv(storageKey: string): number {
    return this.bucket(storageKey).history.compactedRv;
  }

  /** Drop all watch history (tests use it to force 410 Gone, as an etcd compaction would). */
  compactHistory(): void {
    for (const bucket of this.buckets.values()) {
      bucket.history.events = [];
      bucket.history.times = [];
      bucket.history.start = 0;
      bucket.history.compactedRv = this.rv;
    }
  }

  /** Every stored object, for snapshots. */
  *entries(): IterableIterator<[string, string]> {
    for (const [storageKey, bucket] of this.buckets) {
      for (const stored of bucket.objects.values()) yield [durableKey(storageKey, stored.namespace, stored.name), stored.json];
    }
  }

  /** Subscribe to every event of one resource without replay (in-server controllers). */
  subscribe(storageKey: string, listener: StoreListener): () => void {
    const bucket = this.bucket(storageKey);
    bucket.listeners.add(listener);
    return () => bucket.listeners.delete(listener);
  }
}
