import assert from 'node:assert/strict';
import { Cache } from '../runtime/cache.ts';
import { isGone, KubeApiError } from '../runtime/errors.ts';
import { waitFor } from '../runtime/wait.ts';
import type { KubeObject, ListerWatcher, RawWatchEvent } from '../runtime/watcher.ts';
import { optionalResource } from './optional-resource.ts';

/** A resource whose CRD appears when `installed` is set: 404 before, one object after. */
function resource() {
  const state = { installed: false, lists: 0 };
  const notFound = () => new KubeApiError(404, { code: 404, reason: 'NotFound', message: 'the server could not find the requested resource' });
  const lw: ListerWatcher<KubeObject> = {
    async list() {
      state.lists++;
      if (!state.installed) throw notFound();
      return { items: [{ metadata: { name: 'm1', namespace: 'ns', resourceVersion: '5' } }], resourceVersion: '5' };
    },
    async watch({ signal }) {
      if (!state.installed) throw notFound();
      return (async function* (): AsyncGenerator<RawWatchEvent<KubeObject>> {
        await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
      })();
    },
  };
  return { state, lw };
}

describe('optionalResource', () => {
  it('lists a resource that is not served as empty, and says so', async () => {
    const { lw } = resource();
    const optional = optionalResource(lw, 1);
    assert.equal(optional.served(), undefined);
    assert.deepEqual(await optional.listerWatcher.list({ limit: 10, signal: AbortSignal.timeout(1_000) }), { items: [], resourceVersion: '' });
    assert.equal(optional.served(), false);
  });

  it('ends the watch quietly while the resource is absent, and answers 410 once it is served so that it is listed', async () => {
    const { state, lw } = resource();
    const optional = optionalResource(lw, 1);
    await optional.listerWatcher.list({ limit: 10, signal: AbortSignal.timeout(1_000) });
    const events = await optional.listerWatcher.watch({ resourceVersion: '', timeoutSeconds: 1, signal: AbortSignal.timeout(1_000) });
    for await (const _ of events) assert.fail('no event while absent');
    state.installed = true;
    await assert.rejects(optional.listerWatcher.watch({ resourceVersion: '', timeoutSeconds: 1, signal: AbortSignal.timeout(1_000) }), isGone);
  });

  it('makes a cache that syncs empty without the resource and fills once it appears', async () => {
    const { state, lw } = resource();
    const optional = optionalResource(lw, 5);
    const cache = new Cache(optional.listerWatcher, { name: 'machines', backoff: { baseMs: 1, maxMs: 5, jitter: 0 } });
    const stop = new AbortController();
    const running = cache.start(stop.signal);
    try {
      await cache.store.waitForSync(AbortSignal.timeout(1_000));
      assert.deepEqual(cache.store.list(), []);
      state.installed = true;
      await waitFor(() => cache.store.get('ns/m1'), { timeoutMs: 2_000, message: 'the object listed once the resource is served' });
      assert.equal(optional.served(), true);
    } finally {
      stop.abort();
      await running;
    }
  });
});
