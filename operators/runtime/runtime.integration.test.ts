// The runtime against the embedded API server (devcluster/apiserver), over HTTPS with its kubeconfig:
// the cache through watch, restart and 410, and two leader electors on one Lease. Faults are injected
// by wrapping the client (a gated ListerWatcher) or by stopping the server, never by mocking it.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { startApiServer, type ApiServerHandle } from '../../devcluster/apiserver/index.ts';
import { Cache, type StoreEvent } from './cache.ts';
import { createRecorder } from './events.ts';
import { addFinalizer, removeFinalizer } from './finalizers.ts';
import { kubeJson } from './kube-http.ts';
import { kubeResourceClient } from './resource-client.ts';
import { coordinationLeaseClient, LeaderElector, type LeadershipEnd } from './leader-election.ts';
import { waitFor } from './wait.ts';
import { kubeListerWatcher, type KubeObject, type ListerWatcher } from './watcher.ts';

interface ConfigMap extends KubeObject {
  readonly data?: Record<string, string>;
}

const fastRetries = { backoff: { baseMs: 20, maxMs: 200, jitter: 0 } };

describe('runtime against the embedded API server', function () {
  this.timeout(15_000);
  let dataDir: string;
  let server: ApiServerHandle;
  let kc: KubeConfig;
  let stop: AbortController;
  let running: Promise<unknown>[];
  let namespaceCount = 0;

  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'runtime-it-'));
    server = await startApiServer({ dataDir, port: 0 });
    kc = new KubeConfig();
    kc.loadFromFile(server.kubeconfigPath);
    stop = new AbortController();
    running = [];
  });
  afterEach(async () => {
    stop.abort();
    await Promise.all(running);
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function namespace(): Promise<string> {
    const name = `runtime-it-${++namespaceCount}`;
    await kubeJson(kc, '/api/v1/namespaces', { method: 'POST', body: { metadata: { name } } });
    return name;
  }
  const configMaps = (ns: string) => `/api/v1/namespaces/${ns}/configmaps`;
  const createConfigMap = (ns: string, name: string, value: string) =>
    kubeJson(kc, configMaps(ns), { method: 'POST', body: { metadata: { name }, data: { value } } });

  function startCache(lw: ListerWatcher<ConfigMap>, events: string[]): Cache<ConfigMap> {
    const cache = new Cache<ConfigMap>(lw, { name: 'configmaps', ...fastRetries });
    cache.subscribe((e: StoreEvent<ConfigMap>) => events.push(`${e.type} ${e.object.metadata?.name} ${e.object.data?.value ?? ''}`.trim()));
    running.push(cache.start(stop.signal));
    return cache;
  }

  it('syncs a cache and sees ADDED, MODIFIED and DELETED', async () => {
    const ns = await namespace();
    await createConfigMap(ns, 'before', '1');
    const events: string[] = [];
    const cache = startCache(kubeListerWatcher(kc, configMaps(ns)), events);
    await cache.store.waitForSync(AbortSignal.timeout(5000));
    assert.deepEqual(events, ['add before 1']);

    await createConfigMap(ns, 'after', '1');
    await kubeJson(kc, `${configMaps(ns)}/before`, {
      method: 'PATCH',
      contentType: 'application/merge-patch+json',
      body: { data: { value: '2' } },
    });
    await kubeJson(kc, `${configMaps(ns)}/after`, { method: 'DELETE' });
    await waitFor(() => events.length === 4);
    assert.deepEqual(events, ['add before 1', 'add after 1', 'update before 2', 'delete after 1']);
    assert.equal(cache.store.get({ namespace: ns, name: 'before' })?.data?.value, '2');
  });

  it('recovers after the server is stopped and restarted on the same port and data dir', async () => {
    const ns = await namespace();
    const events: string[] = [];
    const cache = startCache(kubeListerWatcher(kc, configMaps(ns)), events);
    await cache.store.waitForSync(AbortSignal.timeout(5000));
    await createConfigMap(ns, 'a', '1');
    await waitFor(() => cache.store.get({ namespace: ns, name: 'a' }));

    const port = server.port;
    await server.stop();
    await new Promise((r) => setTimeout(r, 300)); // the cache retries against a closed port meanwhile
    server = await startApiServer({ dataDir, port });

    await createConfigMap(ns, 'b', '1');
    await waitFor(() => cache.store.get({ namespace: ns, name: 'b' }), { timeoutMs: 5000, message: 'b after the restart' });
    assert.deepEqual(cache.store.list().map((o) => o.metadata?.name).sort(), ['a', 'b']);
  });

  it('relists after the watch history is compacted away (410 Gone)', async () => {
    const ns = await namespace();
    await createConfigMap(ns, 'a', '1');
    const real = kubeListerWatcher<ConfigMap>(kc, configMaps(ns));
    let lists = 0;
    let release!: () => void;
    const firstWatch = new Promise<void>((resolve) => (release = resolve));
    // Holds the first watch back until the history it would start from is gone.
    const gated: ListerWatcher<ConfigMap> = {
      list: (options) => {
        lists++;
        return real.list(options);
      },
      watch: async (options) => {
        await firstWatch;
        return real.watch(options);
      },
    };
    const events: string[] = [];
    const cache = startCache(gated, events);
    await cache.store.waitForSync(AbortSignal.timeout(5000));
    await createConfigMap(ns, 'b', '1');
    await kubeJson(kc, `${configMaps(ns)}/a`, { method: 'DELETE' });
    server.compactHistory();
    release();

    await waitFor(() => lists === 2 && cache.store.get({ namespace: ns, name: 'b' }), { message: 'a relist' });
    assert.equal(cache.store.get({ namespace: ns, name: 'a' }), undefined);
    assert.deepEqual(events, ['add a 1', 'add b 1', 'delete a 1']);
  });

  it('adds and removes finalizers with guarded JSON patches without touching the others', async () => {
    const ns = await namespace();
    const ref = { group: '', version: 'v1', plural: 'configmaps' };
    const client = kubeResourceClient(kc);
    const read = () => kubeJson<ConfigMap>(kc, `${configMaps(ns)}/cm`);
    await createConfigMap(ns, 'cm', '1');
    assert.equal(await addFinalizer(client, ref, await read(), 'example.com/ours'), true, 'creates the missing list');
    const stale = await read();
    await kubeJson(kc, `${configMaps(ns)}/cm`, {
      method: 'PATCH',
      contentType: 'application/json-patch+json',
      body: [{ op: 'add', path: '/metadata/finalizers/-', value: 'example.com/theirs' }],
    });
    // A stale read in which our entry sits at another index: the test op fails instead of removing theirs.
    await assert.rejects(removeFinalizer(client, ref, { ...stale, metadata: { ...stale.metadata, finalizers: ['example.com/other', 'example.com/ours'] } }, 'example.com/ours'));
    assert.equal(await removeFinalizer(client, ref, await read(), 'example.com/ours'), true);
    assert.deepEqual((await read()).metadata?.finalizers, ['example.com/theirs']);
  });

  it('records an aggregated Event that the server accepts', async () => {
    const ns = await namespace();
    const cm = await createConfigMap(ns, 'cm', '1');
    const recorder = createRecorder(kc, { component: 'runtime-it', instance: 'test' });
    recorder.record(cm as ConfigMap, { type: 'Warning', reason: 'FailedCreate', note: 'quota exceeded', action: 'Create' });
    await recorder.flush();
    recorder.record(cm as ConfigMap, { type: 'Warning', reason: 'FailedCreate', note: 'quota exceeded again', action: 'Create' });
    await recorder.flush();
    const events = await kubeJson<{ items: Array<{ reason: string; count: number; message: string; involvedObject: { name: string } }> }>(
      kc,
      `/api/v1/namespaces/${ns}/events`,
    );
    assert.deepEqual(
      events.items.map((e) => [e.reason, e.count, e.message, e.involvedObject.name]),
      [['FailedCreate', 2, 'quota exceeded again', 'cm']],
    );
  });

  describe('leader election', () => {
    const timings = { leaseDurationMs: 1_000, renewDeadlineMs: 700, retryPeriodMs: 150 };

    function candidate(identity: string, releaseOnCancel: boolean) {
      const elector = new LeaderElector({
        name: 'runtime-it',
        namespace: 'default',
        identity,
        client: coordinationLeaseClient(kc, 'default', 'runtime-it'),
        releaseOnCancel,
        ...timings,
      });
      const stopCandidate = new AbortController();
      const state = { leading: false, ledAt: 0, end: undefined as LeadershipEnd | undefined };
      const done = elector
        .run(AbortSignal.any([stop.signal, stopCandidate.signal]), async (leaderSignal) => {
          state.leading = true;
          state.ledAt = performance.now();
          await new Promise((resolve) => leaderSignal.addEventListener('abort', resolve));
          state.leading = false;
        })
        .then((end) => void (state.end = end));
      running.push(done);
      return { state, stop: () => stopCandidate.abort(), done };
    }

    async function readLease(): Promise<{ spec: { holderIdentity?: string; renewTime?: string; leaseTransitions?: number } }> {
      return kubeJson(kc, '/apis/coordination.k8s.io/v1/namespaces/default/leases/runtime-it');
    }

    it('lets exactly one of two candidates lead, and the other take over after the lease expires', async () => {
      const a = candidate('a', false);
      await waitFor(() => a.state.leading);
      const b = candidate('b', false);
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(b.state.leading, false, 'b waits while a renews');
      const lease = await readLease();
      assert.equal(lease.spec.holderIdentity, 'a');
      assert.match(lease.spec.renewTime ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);

      const stoppedAt = performance.now();
      a.stop(); // like a crash: no release
      await a.done;
      await waitFor(() => b.state.leading, { timeoutMs: 5000 });
      const takeoverMs = b.state.ledAt - stoppedAt;
      assert.ok(takeoverMs >= 500, `b took over after ${Math.round(takeoverMs)} ms, before the lease could expire`);
      assert.equal((await readLease()).spec.holderIdentity, 'b');
      assert.equal((await readLease()).spec.leaseTransitions, 1);
    });

    it('hands over at once when the leader releases the lease on shutdown', async () => {
      const a = candidate('a', true);
      await waitFor(() => a.state.leading);
      const b = candidate('b', true);
      await new Promise((r) => setTimeout(r, 200));
      const stoppedAt = performance.now();
      a.stop();
      await a.done;
      assert.equal(a.state.end, 'cancelled');
      // Released: nobody holds it, or b (retrying every 150–330 ms) already took it in between.
      assert.notEqual((await readLease()).spec.holderIdentity, 'a', 'a released the lease on shutdown');
      await waitFor(() => b.state.leading, { timeoutMs: 5000 });
      // b retries every 150–330 ms and the released lease is free at once, far below the 1 s duration.
      assert.ok(b.state.ledAt - stoppedAt < 800, `takeover took ${Math.round(b.state.ledAt - stoppedAt)} ms`);
    });

    it('stops leading when renewals fail past the renew deadline', async () => {
      const a = candidate('a', false);
      await waitFor(() => a.state.leading);
      const port = server.port;
      await server.stop();
      await waitFor(() => a.state.end === 'lost', { timeoutMs: 3000 });
      assert.equal(a.state.leading, false);
      server = await startApiServer({ dataDir, port });
    });
  });
});
