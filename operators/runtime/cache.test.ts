import assert from 'node:assert/strict';
import { Cache, indexByLabel, type StoreEvent } from './cache.ts';
import { KubeApiError } from './errors.ts';
import { FakeListerWatcher, type TestObject } from './fake-lister-watcher.test-util.ts';
import { waitFor } from './wait.ts';

const fast = { backoff: { baseMs: 5, maxMs: 20, jitter: 0 }, idleTimeoutMs: 10_000 };

describe('Cache', () => {
  let stop: AbortController;
  let running: Promise<void>;
  let api: FakeListerWatcher;
  let events: string[];

  function startCache(options: Partial<ConstructorParameters<typeof Cache<TestObject>>[1]> = {}): Cache<TestObject> {
    const cache = new Cache(api, { name: 'things', ...fast, ...options });
    cache.subscribe((e: StoreEvent<TestObject>) =>
      events.push(`${e.type} ${e.object.metadata.name}${e.type === 'update' ? ` ${e.oldObject.data}->${e.object.data}` : ''}`),
    );
    running = cache.start(stop.signal);
    return cache;
  }

  beforeEach(() => {
    stop = new AbortController();
    api = new FakeListerWatcher();
    events = [];
  });
  afterEach(async () => {
    stop.abort();
    await running;
  });

  it('syncs from a paged list, then sees ADDED, MODIFIED and DELETED from the watch', async () => {
    api.pageSize = 1;
    api.put('a', '1');
    api.put('b', '1');
    const cache = startCache({ indexers: { tier: indexByLabel('tier') } });
    await cache.store.waitForSync(AbortSignal.timeout(1000));
    assert.equal(api.listCalls.length, 2, 'two pages');
    assert.deepEqual(events, ['add a', 'add b']);
    await waitFor(() => api.openWatches === 1);
    assert.equal(api.watchCalls[0]!.resourceVersion, '3', 'watches from the list resourceVersion');

    api.put('c', '1');
    api.put('a', '2');
    api.remove('b');
    await waitFor(() => events.length === 5);
    assert.deepEqual(events.slice(2), ['add c', 'update a 1->2', 'delete b']);
    assert.deepEqual(cache.store.list().map((o) => o.metadata.name).sort(), ['a', 'c']);
    assert.equal(cache.store.get('ns/a')?.data, '2');
    assert.equal(cache.store.get({ namespace: 'ns', name: 'c' })?.data, '1');
    assert.equal(cache.store.get('ns/b'), undefined);
  });

  it('serves indexes that follow updates and deletes', async () => {
    api.objects.set('a', { metadata: { name: 'a', namespace: 'ns', resourceVersion: '1', labels: { tier: 'web' } } });
    const cache = startCache({ indexers: { tier: indexByLabel('tier') } });
    await cache.store.waitForSync();
    assert.deepEqual(cache.store.byIndex('tier', 'web').map((o) => o.metadata.name), ['a']);
    await waitFor(() => api.openWatches === 1);
    api.objects.clear();
    const moved: TestObject = { metadata: { name: 'a', namespace: 'ns', resourceVersion: '7', labels: { tier: 'db' } } };
    api.rv = 7;
    api.objects.set('a', moved);
    api.compact(); // forces a relist, which rebuilds the indexes
    await waitFor(() => cache.store.byIndex('tier', 'db').length === 1);
    assert.deepEqual(cache.store.byIndex('tier', 'web'), []);
    assert.throws(() => cache.store.byIndex('missing', 'x'), /no index "missing"/);
  });

  it('relists after a 410 in the stream and reports only the difference', async () => {
    api.put('a', '1');
    api.put('b', '1');
    const cache = startCache();
    await cache.store.waitForSync();
    await waitFor(() => api.openWatches === 1);
    // Changes the watch never delivers, then the history is compacted away.
    api.putSilently('b', '2');
    api.putSilently('c', '1');
    api.objects.delete('a');
    api.compact();
    await waitFor(() => events.length === 5);
    assert.deepEqual(events.slice(2).sort(), ['add c', 'delete a', 'update b 1->2']);
    assert.equal(api.listCalls.length, 2);
    assert.deepEqual(cache.store.list().map((o) => o.metadata.name).sort(), ['b', 'c']);
  });

  it('relists when reopening the watch answers 410, without spinning while it keeps answering 410', async () => {
    const cache = startCache();
    await cache.store.waitForSync();
    await waitFor(() => api.openWatches === 1);
    api.compactedRv = 100; // every resourceVersion the list hands out is already expired
    api.endWatches();
    await new Promise((r) => setTimeout(r, 100));
    assert.ok(api.listCalls.length >= 2 && api.listCalls.length < 15, `${api.listCalls.length} lists in 100 ms`);
    api.rv = 200;
    await waitFor(() => api.openWatches === 1);
    assert.equal(cache.store.synced, true);
  });

  it('re-watches from the last seen resourceVersion after watch errors, without relisting', async () => {
    api.put('a', '1');
    const cache = startCache();
    await cache.store.waitForSync();
    await waitFor(() => api.openWatches === 1);
    api.put('a', '2'); // rv 3
    await waitFor(() => cache.store.get('ns/a')?.data === '2');
    api.watchStartErrors.push(new KubeApiError(500, { message: 'etcd unavailable' }), new Error('ECONNREFUSED'));
    api.breakWatches();
    await waitFor(() => api.watchCalls.length === 4 && api.openWatches === 1);
    assert.deepEqual(api.watchCalls.map((c) => c.resourceVersion), ['2', '3', '3', '3']);
    assert.equal(api.listCalls.length, 1);
    api.put('b');
    await waitFor(() => cache.store.get('ns/b'));
  });

  it('retries a failed list with backoff until it syncs', async () => {
    api.listErrors.push(new KubeApiError(503, undefined), new Error('socket hang up'));
    api.put('a');
    const cache = startCache();
    await cache.store.waitForSync(AbortSignal.timeout(1000));
    assert.equal(api.listCalls.length, 3);
    assert.equal(cache.store.get('ns/a')?.metadata.name, 'a');
  });

  it('reopens a watch that went silent once the watchdog fires', async () => {
    const cache = startCache({ idleTimeoutMs: 40 });
    await cache.store.waitForSync();
    api.stall = true;
    api.breakWatches(); // the replacement watch is silent
    await waitFor(() => api.watchCalls.length >= 3, { timeoutMs: 1000 });
    api.stall = false;
    await waitFor(() => api.openWatches === 1);
    api.put('late');
    await waitFor(() => cache.store.get('ns/late'), { timeoutMs: 1000 });
  });

  it('stops for good when its signal aborts and does not reopen the watch', async () => {
    startCache();
    await waitFor(() => api.openWatches === 1);
    stop.abort();
    await running;
    const calls = api.watchCalls.length;
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(api.watchCalls.length, calls);
    assert.equal(api.openWatches, 0);
  });

  it('freezes cached objects so a reconciler cannot mutate them by accident', async () => {
    api.put('a', '1');
    const cache = startCache();
    await cache.store.waitForSync();
    const a = cache.store.get('ns/a')!;
    assert.throws(() => {
      (a.metadata as { name: string }).name = 'x';
    }, TypeError);
  });

  it('replays the current objects to a late subscriber', async () => {
    api.put('a');
    const cache = startCache();
    await cache.store.waitForSync();
    const seen: string[] = [];
    const unsubscribe = cache.subscribe((e) => seen.push(`${e.type} ${e.object.metadata.name}`));
    assert.deepEqual(seen, ['add a']);
    unsubscribe();
  });

  it('rejects waitForSync when the caller gives up first', async () => {
    api.listErrors.push(...Array.from({ length: 100 }, () => new Error('down')));
    const cache = startCache();
    await assert.rejects(cache.store.waitForSync(AbortSignal.timeout(20)), { name: 'TimeoutError' });
  });
});
