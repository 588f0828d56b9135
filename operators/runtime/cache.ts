// An informer: watcher.ts's events applied to an in-memory store, with indexes and change
// notifications. One writer, many readers (kube-rs reflector/store.rs): only the Cache writes;
// reconcilers get the read-only Store. Objects are deep-frozen on the way in, so a reconciler that
// mutates a cached object fails loudly instead of corrupting every other reader's view: clone first
// (`structuredClone(obj)`).
import type { KubeConfig } from '@kubernetes/client-node';
import { discardLogger, objectKey, type Logger } from './log.ts';
import type { Runnable } from './manager.ts';
import {
  kubeListerWatcher,
  watcher,
  type KubeObject,
  type ListerWatcher,
  type Selectors,
  type WatcherOptions,
} from './watcher.ts';

/** A change seen by the cache. `update` carries the previous object too (client-node's informer does not). */
export type StoreEvent<T> =
  | { readonly type: 'add'; readonly object: T }
  | { readonly type: 'update'; readonly object: T; readonly oldObject: T }
  | { readonly type: 'delete'; readonly object: T };

/** Maps an object to the index values it is found under (none: not indexed). */
export type IndexFunc<T> = (obj: T) => readonly string[];

export type ObjectRef = { readonly namespace?: string; readonly name: string };

/** The read-only view a reconciler depends on. */
export interface Store<T> {
  /** By "ns/name" (or "name" for cluster-scoped objects) or by reference. */
  get(key: string | ObjectRef): T | undefined;
  list(filter?: (obj: T) => boolean): T[];
  /** Objects whose indexer `index` returned `value`. Throws for an index that was not configured. */
  byIndex(index: string, value: string): T[];
  /** True once the first list has completed. */
  readonly synced: boolean;
  /** Resolves once synced; rejects with the signal's reason if it aborts first. */
  waitForSync(signal?: AbortSignal): Promise<void>;
}

/** A source of StoreEvents, which controller.ts watches. */
export interface EventSource<T> {
  readonly name: string;
  readonly store: Store<T>;
  /** Delivers the current objects as `add` at once, then every change. Returns the unsubscribe function. */
  subscribe(listener: (event: StoreEvent<T>) => void): () => void;
}

export interface CacheOptions<T> extends WatcherOptions {
  /** For logs and readiness, e.g. "machines". */
  readonly name: string;
  readonly indexers?: Readonly<Record<string, IndexFunc<T>>>;
  readonly logger?: Logger;
}

/** Key of an object or reference in a Store. */
export function storeKey(ref: string | ObjectRef | KubeObject): string {
  if (typeof ref === 'string') return ref;
  if ('name' in ref && typeof ref.name === 'string') return ref.namespace ? `${ref.namespace}/${ref.name}` : ref.name;
  return objectKey(ref as KubeObject);
}

export class Cache<T extends KubeObject> implements Runnable, EventSource<T> {
  readonly name: string;
  readonly needsLeader = false;
  readonly store: Store<T>;
  readonly #lw: ListerWatcher<T>;
  readonly #options: CacheOptions<T>;
  readonly #log: Logger;
  readonly #indexers: Readonly<Record<string, IndexFunc<T>>>;
  #objects = new Map<string, T>();
  #indexes = new Map<string, Map<string, Set<string>>>();
  #synced = false;
  readonly #syncWaiters = new Set<() => void>();
  readonly #listeners = new Set<(event: StoreEvent<T>) => void>();

  constructor(lw: ListerWatcher<T>, options: CacheOptions<T>) {
    this.name = options.name;
    this.#lw = lw;
    this.#options = options;
    this.#log = (options.logger ?? discardLogger).child(undefined, { cache: options.name });
    this.#indexers = options.indexers ?? {};
    this.#indexes = buildIndexes(this.#objects, this.#indexers);
    const cache = this;
    this.store = {
      get: (key) => cache.#objects.get(storeKey(key)),
      list: (filter) => [...cache.#objects.values()].filter((o) => !filter || filter(o)),
      byIndex: (index, value) => {
        const values = cache.#indexes.get(index);
        if (!values) throw new Error(`Cache ${cache.name} has no index "${index}"`);
        return [...(values.get(value) ?? [])].map((key) => cache.#objects.get(key)!);
      },
      get synced() {
        return cache.#synced;
      },
      waitForSync: (signal) => cache.#waitForSync(signal),
    };
  }

  isReady(): boolean {
    return this.#synced;
  }

  subscribe(listener: (event: StoreEvent<T>) => void): () => void {
    for (const object of this.#objects.values()) listener({ type: 'add', object });
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Runs list+watch until `signal` aborts. Never rejects on API errors: they are logged and retried. */
  async start(signal: AbortSignal): Promise<void> {
    let pending: Map<string, T> | undefined;
    for await (const event of watcher(this.#lw, signal, this.#options)) {
      switch (event.type) {
        case 'Init':
          pending = new Map();
          if (event.reason === 'Expired') this.#log.info('Relisting: resourceVersion expired');
          break;
        case 'InitApply':
          pending?.set(objectKey(event.object), deepFreeze(event.object));
          break;
        case 'InitDone':
          this.#swap(pending ?? new Map());
          pending = undefined;
          this.#log.debug('Listed', { count: this.#objects.size, resourceVersion: event.resourceVersion });
          break;
        case 'Apply':
          this.#apply(deepFreeze(event.object));
          break;
        case 'Delete':
          this.#delete(event.object);
          break;
        case 'Error':
          this.#log.warn('Watch failed, retrying', { step: event.error.step, error: event.error, retryInMs: Math.round(event.retryInMs) });
          break;
      }
    }
  }

  // After a relist the new contents replace the old at once (kube-rs InitDone), and listeners hear the
  // difference: deletes for vanished objects, updates only where the resourceVersion moved.
  #swap(next: Map<string, T>): void {
    const previous = this.#objects;
    this.#objects = next;
    this.#indexes = buildIndexes(next, this.#indexers);
    const wasSynced = this.#synced;
    this.#synced = true;
    if (!wasSynced) {
      for (const resolve of this.#syncWaiters) resolve();
      this.#syncWaiters.clear();
    }
    for (const [key, object] of next) {
      const old = previous.get(key);
      if (!old) this.#emit({ type: 'add', object });
      else if (old.metadata?.resourceVersion !== object.metadata?.resourceVersion) this.#emit({ type: 'update', object, oldObject: old });
    }
    for (const [key, object] of previous) if (!next.has(key)) this.#emit({ type: 'delete', object });
  }

  #apply(object: T): void {
    const key = objectKey(object);
    const old = this.#objects.get(key);
    if (old) this.#unindex(key, old);
    this.#objects.set(key, object);
    this.#index(key, object);
    this.#emit(old ? { type: 'update', object, oldObject: old } : { type: 'add', object });
  }

  #delete(object: T): void {
    const key = objectKey(object);
    const old = this.#objects.get(key);
    if (!old) return;
    this.#unindex(key, old);
    this.#objects.delete(key);
    this.#emit({ type: 'delete', object: deepFreeze(object) });
  }

  #index(key: string, object: T): void {
    for (const [name, fn] of Object.entries(this.#indexers)) addToIndex(this.#indexes.get(name)!, fn(object), key);
  }

  #unindex(key: string, object: T): void {
    for (const [name, fn] of Object.entries(this.#indexers)) {
      const values = this.#indexes.get(name)!;
      for (const value of fn(object)) {
        const keys = values.get(value);
        keys?.delete(key);
        if (keys?.size === 0) values.delete(value);
      }
    }
  }

  #emit(event: StoreEvent<T>): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (err) {
        // One broken handler must not stop the cache or starve the other listeners.
        this.#log.error('Event handler failed', { error: err, event: event.type });
      }
    }
  }

  #waitForSync(signal?: AbortSignal): Promise<void> {
    if (this.#synced) return Promise.resolve();
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const onAbort = () => {
        this.#syncWaiters.delete(done);
        reject(signal?.reason);
      };
      const done = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      this.#syncWaiters.add(done);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}

/** A Cache of the collection at `path` (see kubeListerWatcher). */
export function createCache<T extends KubeObject>(
  kc: KubeConfig,
  path: string,
  options: CacheOptions<T> & Selectors,
): Cache<T> {
  return new Cache(kubeListerWatcher<T>(kc, path, options), options);
}

function buildIndexes<T>(objects: Map<string, T>, indexers: Readonly<Record<string, IndexFunc<T>>>): Map<string, Map<string, Set<string>>> {
  const indexes = new Map<string, Map<string, Set<string>>>();
  for (const [name, fn] of Object.entries(indexers)) {
    const values = new Map<string, Set<string>>();
    for (const [key, object] of objects) addToIndex(values, fn(object), key);
    indexes.set(name, values);
  }
  return indexes;
}

function addToIndex(values: Map<string, Set<string>>, indexValues: readonly string[], key: string): void {
  for (const value of indexValues) {
    let keys = values.get(value);
    if (!keys) values.set(value, (keys = new Set()));
    keys.add(key);
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

// Indexers used across the operators.

/** Index by the value of one label, e.g. `indexByLabel("machine.openshift.io/cluster-api-machineset")`. */
export function indexByLabel<T extends KubeObject>(label: string): IndexFunc<T> {
  return (obj) => {
    const value = obj.metadata?.labels?.[label];
    return value === undefined ? [] : [value];
  };
}

/** Index by a string field, e.g. `indexByField((m) => m.spec?.providerID)`. */
export function indexByField<T>(field: (obj: T) => string | undefined): IndexFunc<T> {
  return (obj) => {
    const value = field(obj);
    return value ? [value] : [];
  };
}
