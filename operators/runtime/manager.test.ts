import assert from 'node:assert/strict';
import { Counter } from 'prom-client';
import { KubeApiError } from './errors.ts';
import { LeaderElector, type LeaseClient, type LeaseSnapshot, type LeaseSpec } from './leader-election.ts';
import { createLogger } from './log.ts';
import { Manager, type Runnable } from './manager.ts';
import { waitFor } from './wait.ts';

/** A runnable that records its lifetime and can be made ready or made to fail. */
function probeRunnable(name: string, needsLeader: boolean) {
  const state = { running: false, ready: false, fail: undefined as ((err: Error) => void) | undefined };
  const runnable: Runnable = {
    name,
    needsLeader,
    isReady: () => state.ready,
    start: (signal) =>
      new Promise<void>((resolve, reject) => {
        state.running = true;
        state.fail = reject;
        signal.addEventListener('abort', () => {
          state.running = false;
          resolve();
        });
      }),
  };
  return { runnable, state };
}

class MemoryLease implements LeaseClient {
  lease: LeaseSnapshot | undefined;
  failing = false;
  #rv = 0;
  async get() {
    if (this.failing) throw new Error('down');
    return this.lease;
  }
  async create(spec: LeaseSpec) {
    if (this.lease) throw new KubeApiError(409, { reason: 'AlreadyExists' });
    this.lease = { ...spec, resourceVersion: String(++this.#rv) };
  }
  async update(rv: string, spec: LeaseSpec) {
    if (this.failing) throw new Error('down');
    if (this.lease?.resourceVersion !== rv) throw new KubeApiError(409, { reason: 'Conflict' });
    this.lease = { ...spec, resourceVersion: String(++this.#rv) };
  }
}

describe('Manager', () => {
  it('serves /metrics, and /readyz only once every runnable is ready', async () => {
    const manager = new Manager({ port: 0 });
    new Counter({ name: 'mapi_test_total', help: 'test', registers: [manager.registry] }).inc();
    const cache = probeRunnable('machines-cache', false);
    manager.add(cache.runnable);
    const stop = new AbortController();
    const done = manager.start(stop.signal);
    await waitFor(() => manager.url);

    const notReady = await fetch(`${manager.url}/readyz`);
    assert.equal(notReady.status, 500);
    assert.equal(await notReady.text(), '[-]machines-cache failed\nhealthz check failed\n');
    cache.state.ready = true;
    const ready = await fetch(`${manager.url}/readyz`);
    assert.equal(ready.status, 200);
    assert.equal((await fetch(`${manager.url}/healthz`)).status, 200);
    assert.match(await (await fetch(`${manager.url}/metrics`)).text(), /^mapi_test_total 1$/m);
    assert.equal((await fetch(`${manager.url}/nope`)).status, 404);

    stop.abort();
    await done;
    assert.equal(manager.url, undefined, 'the server is closed');
  });

  it('starts leader runnables only on the replica that wins the lease, and caches on every replica', async () => {
    const lease = new MemoryLease();
    const timings = { leaseDurationMs: 3000, renewDeadlineMs: 2000, retryPeriodMs: 30 };
    const replicas = ['a', 'b'].map((identity) => {
      const manager = new Manager({
        leaderElector: new LeaderElector({ name: 'l', namespace: 'ns', identity, client: lease, ...timings }),
      });
      const cache = probeRunnable('cache', false);
      const controller = probeRunnable('controller', true);
      manager.add(cache.runnable);
      manager.add(controller.runnable);
      const stop = new AbortController();
      return { manager, cache, controller, stop, done: manager.start(stop.signal) };
    });
    await waitFor(() => replicas.every((r) => r.cache.state.running) && replicas.some((r) => r.controller.state.running));
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(replicas.map((r) => r.controller.state.running).filter(Boolean), [true], 'exactly one controller runs');
    const [leader, standby] = replicas[0]!.controller.state.running ? replicas : [replicas[1]!, replicas[0]!];

    leader.stop.abort(); // clean shutdown releases the lease
    await leader.done;
    await waitFor(() => standby.controller.state.running);
    standby.stop.abort();
    await standby.done;
  });

  it('stops the controllers and calls onLeadershipLost when the lease cannot be renewed', async () => {
    const lease = new MemoryLease();
    let lost = 0;
    const manager = new Manager({
      leaderElector: new LeaderElector({ name: 'l', namespace: 'ns', identity: 'a', client: lease, leaseDurationMs: 300, renewDeadlineMs: 150, retryPeriodMs: 30 }),
      onLeadershipLost: () => lost++,
    });
    const controller = probeRunnable('controller', true);
    manager.add(controller.runnable);
    const stop = new AbortController();
    const done = manager.start(stop.signal);
    await waitFor(() => controller.state.running);
    lease.failing = true;
    await waitFor(() => lost === 1);
    assert.equal(controller.state.running, false);
    stop.abort();
    await done;
  });

  it('stops everything and rejects when a runnable fails', async () => {
    const lines: string[] = [];
    const manager = new Manager({ logger: createLogger({ sink: (l) => lines.push(l) }) });
    const cache = probeRunnable('cache', false);
    const broken = probeRunnable('broken', true);
    manager.add(cache.runnable);
    manager.add(broken.runnable);
    const done = manager.start(new AbortController().signal);
    await waitFor(() => broken.state.fail);
    broken.state.fail!(new Error('cannot start'));
    await assert.rejects(done, /cannot start/);
    assert.equal(cache.state.running, false);
    assert.ok(lines.some((l) => JSON.parse(l).msg === 'Runnable failed' && JSON.parse(l).runnable === 'broken'));
  });
});
