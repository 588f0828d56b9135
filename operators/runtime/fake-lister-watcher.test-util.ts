// An in-memory collection with list and watch, for unit tests of watcher.ts and cache.ts without a
// server. It keeps a resourceVersion counter and a compaction point like an etcd-backed apiserver, and
// lets a test break, end, stall or expire the open watches.
import { KubeApiError } from './errors.ts';
import type { KubeObject, ListerWatcher, ListPage, RawWatchEvent } from './watcher.ts';

export interface TestObject extends KubeObject {
  readonly metadata: { name: string; namespace?: string; resourceVersion?: string; labels?: Record<string, string> };
  readonly data?: string;
}

interface OpenWatch {
  push(event: RawWatchEvent<TestObject> | Error | 'end'): void;
}

export class FakeListerWatcher implements ListerWatcher<TestObject> {
  rv = 1;
  compactedRv = 0;
  readonly objects = new Map<string, TestObject>();
  readonly listCalls: Array<{ continue?: string }> = [];
  readonly watchCalls: Array<{ resourceVersion: string }> = [];
  /** Errors thrown by the next watch (or list) calls, in order. */
  readonly watchStartErrors: Error[] = [];
  readonly listErrors: Error[] = [];
  /** When set, new watches deliver nothing and never end (a silent, half-open stream). */
  stall = false;
  pageSize = Infinity;
  #open = new Set<OpenWatch>();

  get openWatches(): number {
    return this.#open.size;
  }

  put(name: string, data = ''): TestObject {
    const type = this.objects.has(name) ? 'MODIFIED' : 'ADDED';
    const object: TestObject = { metadata: { name, namespace: 'ns', resourceVersion: String(++this.rv) }, data };
    this.objects.set(name, object);
    this.#broadcast({ type, object });
    return object;
  }

  remove(name: string): void {
    const existing = this.objects.get(name);
    if (!existing) return;
    this.objects.delete(name);
    this.#broadcast({ type: 'DELETED', object: { ...existing, metadata: { ...existing.metadata, resourceVersion: String(++this.rv) } } });
  }

  /** Changes objects without telling the open watches (events lost, as across a compaction). */
  putSilently(name: string, data = ''): void {
    this.objects.set(name, { metadata: { name, namespace: 'ns', resourceVersion: String(++this.rv) }, data });
  }

  /** Forgets history up to now: open watches get an ERROR 410, and watching from older versions fails with 410. */
  compact(): void {
    this.compactedRv = this.rv;
    this.#broadcast({ type: 'ERROR', object: { code: 410, reason: 'Expired', message: 'too old resource version' } });
  }

  endWatches(): void {
    for (const w of this.#open) w.push('end');
  }

  breakWatches(message = 'connection reset'): void {
    for (const w of this.#open) w.push(new Error(message));
  }

  async list(options: { limit: number; continue?: string }): Promise<ListPage<TestObject>> {
    this.listCalls.push({ continue: options.continue });
    const error = this.listErrors.shift();
    if (error) throw error;
    const all = [...this.objects.values()];
    const start = options.continue ? Number(options.continue) : 0;
    const end = Math.min(all.length, start + Math.min(options.limit, this.pageSize));
    return {
      items: all.slice(start, end),
      resourceVersion: String(this.rv),
      continue: end < all.length ? String(end) : undefined,
    };
  }

  async watch(options: { resourceVersion: string; signal: AbortSignal }): Promise<AsyncIterable<RawWatchEvent<TestObject>>> {
    this.watchCalls.push({ resourceVersion: options.resourceVersion });
    const error = this.watchStartErrors.shift();
    if (error) throw error;
    if (Number(options.resourceVersion) < this.compactedRv) {
      throw new KubeApiError(410, { code: 410, reason: 'Expired', message: 'too old resource version' });
    }
    const queue: Array<RawWatchEvent<TestObject> | Error | 'end'> = [];
    let wake: (() => void) | undefined;
    const open: OpenWatch = {
      push: (item) => {
        if (this.stall) return;
        queue.push(item);
        wake?.();
      },
    };
    this.#open.add(open);
    const onAbort = () => wake?.();
    options.signal.addEventListener('abort', onAbort);
    const self = this;
    return (async function* () {
      try {
        for (;;) {
          if (options.signal.aborted) throw options.signal.reason;
          const item = queue.shift();
          if (item === undefined) {
            await new Promise<void>((resolve) => (wake = resolve));
            continue;
          }
          if (item === 'end') return;
          if (item instanceof Error) throw item;
          yield item;
        }
      } finally {
        self.#open.delete(open);
        options.signal.removeEventListener('abort', onAbort);
      }
    })();
  }

  #broadcast(event: RawWatchEvent<TestObject>): void {
    for (const w of this.#open) w.push(event);
  }
}
