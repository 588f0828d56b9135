import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { Cache } from './cache.ts';
import { classifyOutcome, Controller, watch, type Reconciler, type Request } from './controller.ts';
import { RequeueAfter, TerminalError } from './errors.ts';
import { FakeListerWatcher, type TestObject } from './fake-lister-watcher.test-util.ts';
import { enqueueSelf } from './handlers.ts';
import { waitFor } from './wait.ts';

describe('classifyOutcome', () => {
  const terminal = new TerminalError('InvalidConfiguration', 'bad');
  const transient = new Error('throttled');
  const table: Array<[name: string, settled: Parameters<typeof classifyOutcome>[0], expected: ReturnType<typeof classifyOutcome>]> = [
    ['an empty result is a success', { result: {} }, { kind: 'success' }],
    ['a requeueAfterMs is kept when above the floor', { result: { requeueAfterMs: 5000 } }, { kind: 'requeueAfter', afterMs: 5000 }],
    ['a requeueAfterMs of 0 is raised to the floor', { result: { requeueAfterMs: 0 } }, { kind: 'requeueAfter', afterMs: 1000 }],
    ['a NaN requeueAfterMs is raised to the floor', { result: { requeueAfterMs: NaN } }, { kind: 'requeueAfter', afterMs: 1000 }],
    ['a thrown RequeueAfter is a wait, raised to the floor', { error: new RequeueAfter(1, 'booting') }, { kind: 'requeueAfter', afterMs: 1000 }],
    ['a TerminalError is terminal', { error: terminal }, { kind: 'terminal', error: terminal }],
    ['any other error is transient', { error: transient }, { kind: 'error', error: transient }],
    ['a thrown non-Error is transient', { error: 'oops' }, { kind: 'error', error: 'oops' }],
  ];
  for (const [name, settled, expected] of table) {
    it(name, () => assert.deepEqual(classifyOutcome(settled, 1000), expected));
  }
});

describe('Controller', () => {
  let stop: AbortController;
  let running: Promise<unknown>[];
  let api: FakeListerWatcher;
  let registry: Registry;

  beforeEach(() => {
    stop = new AbortController();
    running = [];
    api = new FakeListerWatcher();
    registry = new Registry();
  });
  afterEach(async () => {
    stop.abort();
    await Promise.all(running);
  });

  function startController(reconcile: Reconciler, options: { concurrency?: number } = {}): Controller {
    const cache = new Cache<TestObject>(api, { name: 'things' });
    const controller = new Controller({
      name: 'test-controller',
      kind: 'Thing',
      reconcile,
      watches: [watch(cache, enqueueSelf())],
      minRequeueAfterMs: 30,
      backoff: { baseMs: 5, maxMs: 20, jitter: 0 },
      registry,
      ...options,
    });
    running.push(cache.start(stop.signal), controller.start(stop.signal));
    return controller;
  }

  async function metric(name: string, labels: Record<string, string>): Promise<number> {
    const values = (await registry.getSingleMetric(name)?.get())?.values ?? [];
    const found = values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l));
    return found?.value ?? 0;
  }

  it('reconciles every object once the cache has synced, and again when it changes', async () => {
    api.put('a');
    api.put('b');
    const seen: string[] = [];
    startController(async (req) => {
      seen.push(req.name);
      return {};
    });
    await waitFor(() => seen.length === 2);
    assert.deepEqual(seen.sort(), ['a', 'b']);
    await waitFor(() => api.openWatches === 1);
    api.put('a', 'changed');
    await waitFor(() => seen.length === 3);
    assert.equal(seen[2], 'a');
    assert.equal(await metric('controller_runtime_reconcile_total', { controller: 'test-controller', result: 'success' }), 3);
  });

  it('turns a burst of events of a batched watch into one reconcile after the batch time', async () => {
    const cache = new Cache<TestObject>(api, { name: 'things' });
    const runs: number[] = [];
    const controller = new Controller({
      name: 'batched-controller',
      kind: 'Summary',
      reconcile: async () => {
        runs.push(performance.now());
        return {};
      },
      // Every object maps to the one summary, as Machines map to their MachineSet.
      watches: [watch(cache, () => [{ name: 'summary' }], { batchMs: 100 })],
      registry,
    });
    running.push(cache.start(stop.signal), controller.start(stop.signal));
    api.put('first');
    await waitFor(() => runs.length === 1);
    await waitFor(() => api.openWatches === 1);
    const burstAt = performance.now();
    for (let i = 0; i < 20; i++) api.put(`t${i}`);
    await waitFor(() => runs.length === 2);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(runs.length, 2, 'twenty events, one reconcile');
    assert.ok(runs[1]! - burstAt >= 90, `ran ${Math.round(runs[1]! - burstAt)} ms after the burst, before the batch time`);
  });

  it('forgets a success and does not run it again without an event', async () => {
    api.put('a');
    let calls = 0;
    const controller = startController(async () => {
      calls++;
      return {};
    });
    await waitFor(() => calls === 1);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(calls, 1);
    assert.equal(controller.numRequeues({ namespace: 'ns', name: 'a' }), 0);
  });

  it('retries a transient error with growing backoff, then resets it after a success', async () => {
    api.put('a');
    const req: Request = { namespace: 'ns', name: 'a' };
    let calls = 0;
    const requeuesSeen: number[] = [];
    const controller = startController(async () => {
      requeuesSeen.push(controller.numRequeues(req));
      if (++calls <= 3) throw new Error('cloud API throttled');
      return {};
    });
    await waitFor(() => calls === 4);
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(calls, 4);
    assert.deepEqual(requeuesSeen, [0, 1, 2, 3]);
    assert.equal(controller.numRequeues(req), 0);
    assert.equal(await metric('controller_runtime_reconcile_errors_total', { controller: 'test-controller' }), 3);
    assert.equal(await metric('controller_runtime_reconcile_total', { result: 'error' }), 3);
    assert.equal(await metric('workqueue_retries_total', { name: 'test-controller' }), 3);
  });

  it('counts and drops a terminal error without retrying it', async () => {
    api.put('a');
    let calls = 0;
    startController(async () => {
      calls++;
      throw new TerminalError('InvalidConfiguration', 'spec.providerSpec.value.instanceType: "m9.huge" is not offered');
    });
    await waitFor(() => calls === 1);
    await new Promise((r) => setTimeout(r, 60));
    assert.equal(calls, 1);
    assert.equal(await metric('controller_runtime_terminal_reconcile_errors_total', { controller: 'test-controller' }), 1);
    assert.equal(await metric('workqueue_retries_total', { name: 'test-controller' }), 0);
  });

  const waits: Array<[name: string, reconcile: Reconciler]> = [
    ['a thrown RequeueAfter', async () => { throw new RequeueAfter(1, 'instance still booting'); }],
    ['a result with requeueAfterMs below the floor', async () => ({ requeueAfterMs: 1 })],
  ];
  for (const [name, body] of waits) {
    it(`waits at least the floor after ${name}, without growing the backoff`, async () => {
      api.put('a');
      const times: number[] = [];
      const controller = startController(async (req, ctx) => {
        times.push(performance.now());
        return body(req, ctx);
      });
      await waitFor(() => times.length === 3, { timeoutMs: 1000 });
      assert.ok(times[1]! - times[0]! >= 28, `second run after ${times[1]! - times[0]!} ms`);
      assert.equal(controller.numRequeues({ namespace: 'ns', name: 'a' }), 0);
      assert.ok((await metric('controller_runtime_reconcile_total', { result: 'requeue_after' })) >= 2);
    });
  }

  it('recovers from a reconciler that throws synchronously', async () => {
    api.put('a');
    let calls = 0;
    startController(((): Promise<never> => {
      calls++;
      throw new TypeError('cannot read properties of undefined');
    }) as Reconciler);
    await waitFor(() => calls >= 2);
  });

  it('aborts the reconcile signal on stop and waits for the reconcile to return', async () => {
    api.put('a');
    let started = false;
    let finished = false;
    startController(async (_req, ctx) => {
      started = true;
      await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
      await new Promise((r) => setTimeout(r, 20));
      finished = true;
      return {};
    });
    await waitFor(() => started);
    stop.abort();
    await Promise.all(running);
    assert.equal(finished, true);
  });

  it('never reconciles one object twice at once while reconciling others in parallel', async () => {
    for (const name of ['a', 'b', 'c']) api.put(name);
    const active = new Set<string>();
    let maxParallel = 0;
    let overlap = false;
    let calls = 0;
    startController(
      async (req) => {
        if (active.has(req.name)) overlap = true;
        active.add(req.name);
        maxParallel = Math.max(maxParallel, active.size);
        calls++;
        await new Promise((r) => setTimeout(r, 15));
        active.delete(req.name);
        return {};
      },
      { concurrency: 3 },
    );
    await waitFor(() => api.openWatches === 1 && active.size === 3);
    for (let i = 0; i < 5; i++) api.put('a', String(i));
    await waitFor(() => calls === 4 && active.size === 0);
    assert.equal(overlap, false);
    assert.equal(maxParallel, 3);
  });
});
