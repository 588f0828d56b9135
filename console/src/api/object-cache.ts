// What a list+watch has seen of one collection, for a table to render. Watch events arrive one by one (a scale-up
// of 1,000 Machines is thousands of MODIFIED events), so listeners are told at most once per NOTIFY_INTERVAL_MS and
// the sorted snapshot is rebuilt only when a listener asks after a change.
import type { KubeObject } from '../../../operators/runtime/watcher.ts';

/** Coalescing window for change notifications, in ms: one render per frame or so, however many events arrive. */
export const NOTIFY_INTERVAL_MS = 50;

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export function objectKey(obj: KubeObject): string {
  return `${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;
}

function byNamespaceThenName(a: KubeObject, b: KubeObject): number {
  const ka = objectKey(a);
  const kb = objectKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

export interface CacheState<T> {
  /** Sorted by namespace, then name. */
  readonly items: readonly T[];
  /** The first list arrived (an empty table then means "none", not "loading"). */
  readonly synced: boolean;
  /** The last list or watch failure, cleared by the next success. */
  readonly error: Error | undefined;
}

export class ObjectCache<T extends KubeObject> {
  private readonly objects = new Map<string, T>();
  private readonly listeners = new Set<() => void>();
  private state: CacheState<T> = { items: [], synced: false, error: undefined };
  private dirty = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly schedule: (fn: () => void) => ReturnType<typeof setTimeout>;

  constructor(schedule: (fn: () => void) => ReturnType<typeof setTimeout> = (fn) => setTimeout(fn, NOTIFY_INTERVAL_MS)) {
    this.schedule = schedule;
  }

  /** A (re)list: the collection is exactly these objects now. */
  replace(items: readonly T[]): void {
    this.objects.clear();
    for (const item of items) this.objects.set(objectKey(item), item);
    this.state = { ...this.state, synced: true, error: undefined };
    this.changed();
  }

  apply(type: WatchEventType, obj: T): void {
    if (type === 'ADDED' || type === 'MODIFIED') this.objects.set(objectKey(obj), obj);
    else if (type === 'DELETED') this.objects.delete(objectKey(obj));
    else return;
    this.changed();
  }

  /** A request succeeded again: drop the error shown since the last failure. */
  recovered(): void {
    if (!this.state.error) return;
    this.state = { ...this.state, error: undefined };
    this.changed();
  }

  fail(error: Error): void {
    this.state = { ...this.state, error };
    this.changed();
  }

  /** Stable between changes, so React's useSyncExternalStore does not re-render for nothing. */
  getState = (): CacheState<T> => {
    if (this.dirty) {
      this.dirty = false;
      this.state = { ...this.state, items: [...this.objects.values()].sort(byNamespaceThenName) };
    }
    return this.state;
  };

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  private changed(): void {
    this.dirty = true;
    if (this.timer !== undefined) return;
    this.timer = this.schedule(() => {
      this.timer = undefined;
      for (const listener of this.listeners) listener();
    });
  }
}
