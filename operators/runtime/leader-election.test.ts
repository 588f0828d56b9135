import assert from 'node:assert/strict';
import { KubeApiError } from './errors.ts';
import {
  decideLease,
  LeaderElector,
  releasedLeaseSpec,
  renewDeadlinePassed,
  type LeaseClient,
  type LeaseSnapshot,
  type LeaseSpec,
} from './leader-election.ts';
import { waitFor } from './wait.ts';

const T0 = Date.parse('2026-11-20T10:00:00.123Z');
const DURATION = 137_000;

describe('decideLease', () => {
  const held = (holder: string, extra: Partial<LeaseSnapshot> = {}): LeaseSnapshot => ({
    resourceVersion: '5',
    holderIdentity: holder,
    leaseDurationSeconds: 137,
    acquireTime: '2026-11-20T09:00:00.000000Z',
    renewTime: '2026-11-20T09:59:50.000000Z',
    leaseTransitions: 3,
    ...extra,
  });

  it('creates a missing lease with MicroTime stamps and no transitions', () => {
    const { decision } = decideLease({ lease: undefined, identity: 'a', leaseDurationMs: DURATION, nowMs: T0, observation: undefined });
    assert.deepEqual(decision, {
      action: 'create',
      spec: {
        holderIdentity: 'a',
        leaseDurationSeconds: 137,
        acquireTime: '2026-11-20T10:00:00.123000Z',
        renewTime: '2026-11-20T10:00:00.123000Z',
        leaseTransitions: 0,
      },
    });
  });

  it('waits on a lease held by another candidate until it has looked unchanged for the whole duration', () => {
    const lease = held('b');
    const first = decideLease({ lease, identity: 'a', leaseDurationMs: DURATION, nowMs: T0, observation: undefined });
    assert.deepEqual(first.decision, { action: 'wait', holder: 'b' });
    assert.equal(first.observation?.observedAtMs, T0, 'the clock starts when we first see the record, not at its renewTime');

    const almost = decideLease({ lease, identity: 'a', leaseDurationMs: DURATION, nowMs: T0 + DURATION - 1, observation: first.observation });
    assert.equal(almost.decision.action, 'wait');

    const expired = decideLease({ lease, identity: 'a', leaseDurationMs: DURATION, nowMs: T0 + DURATION, observation: first.observation });
    assert.deepEqual(expired.decision, {
      action: 'update',
      resourceVersion: '5',
      spec: {
        holderIdentity: 'a',
        leaseDurationSeconds: 137,
        acquireTime: '2026-11-20T10:02:17.123000Z',
        renewTime: '2026-11-20T10:02:17.123000Z',
        leaseTransitions: 4,
      },
    });
  });

  it('restarts the wait whenever the holder renews', () => {
    const first = decideLease({ lease: held('b'), identity: 'a', leaseDurationMs: DURATION, nowMs: T0, observation: undefined });
    const renewed = held('b', { resourceVersion: '6', renewTime: '2026-11-20T10:01:00.000000Z' });
    const later = decideLease({ lease: renewed, identity: 'a', leaseDurationMs: DURATION, nowMs: T0 + DURATION, observation: first.observation });
    assert.equal(later.decision.action, 'wait');
    assert.equal(later.observation?.observedAtMs, T0 + DURATION);
  });

  it("honours the holder's declared duration over our own", () => {
    const lease = held('b', { leaseDurationSeconds: 300 });
    const first = decideLease({ lease, identity: 'a', leaseDurationMs: 10_000, nowMs: T0, observation: undefined });
    const later = decideLease({ lease, identity: 'a', leaseDurationMs: 10_000, nowMs: T0 + 200_000, observation: first.observation });
    assert.equal(later.decision.action, 'wait');
  });

  it('renews its own lease keeping acquireTime and transitions', () => {
    const { decision } = decideLease({ lease: held('a'), identity: 'a', leaseDurationMs: DURATION, nowMs: T0, observation: undefined });
    assert.deepEqual(decision, {
      action: 'update',
      resourceVersion: '5',
      spec: {
        holderIdentity: 'a',
        leaseDurationSeconds: 137,
        acquireTime: '2026-11-20T09:00:00.000000Z',
        renewTime: '2026-11-20T10:00:00.123000Z',
        leaseTransitions: 3,
      },
    });
  });

  it('takes a released lease (no holder) at once', () => {
    const released: LeaseSnapshot = { resourceVersion: '9', leaseDurationSeconds: 1, leaseTransitions: 3 };
    const { decision } = decideLease({ lease: released, identity: 'a', leaseDurationMs: DURATION, nowMs: T0, observation: undefined });
    assert.equal(decision.action, 'update');
    assert.equal(decision.action === 'update' && decision.spec.leaseTransitions, 4);
  });

  it('releases by clearing the holder with a 1 s duration', () => {
    assert.deepEqual(releasedLeaseSpec(held('a'), T0), {
      leaseDurationSeconds: 1,
      acquireTime: '2026-11-20T10:00:00.123000Z',
      renewTime: '2026-11-20T10:00:00.123000Z',
      leaseTransitions: 3,
    });
  });

  it('declares leadership lost exactly at the renew deadline', () => {
    assert.equal(renewDeadlinePassed(T0, T0 + 106_999, 107_000), false);
    assert.equal(renewDeadlinePassed(T0, T0 + 107_000, 107_000), true);
  });
});

/** One Lease in memory with resourceVersion checks, like the API server. */
class MemoryLease implements LeaseClient {
  lease: LeaseSnapshot | undefined;
  failing = false;
  #rv = 0;
  async get() {
    if (this.failing) throw new Error('connection refused');
    return this.lease;
  }
  async create(spec: LeaseSpec) {
    if (this.failing) throw new Error('connection refused');
    if (this.lease) throw new KubeApiError(409, { reason: 'AlreadyExists' });
    this.lease = { ...spec, resourceVersion: String(++this.#rv) };
  }
  async update(resourceVersion: string, spec: LeaseSpec) {
    if (this.failing) throw new Error('connection refused');
    if (this.lease?.resourceVersion !== resourceVersion) throw new KubeApiError(409, { reason: 'Conflict' });
    this.lease = { ...spec, resourceVersion: String(++this.#rv) };
  }
}

describe('LeaderElector', () => {
  const timings = { leaseDurationMs: 300, renewDeadlineMs: 200, retryPeriodMs: 40 };

  it('refuses timings where the lease could expire while the leader still thinks it leads', () => {
    assert.throws(
      () => new LeaderElector({ name: 'x', namespace: 'ns', client: new MemoryLease(), leaseDurationMs: 100, renewDeadlineMs: 100, retryPeriodMs: 10 }),
      RangeError,
    );
  });

  it('stops leading and reports lost when renewals fail past the deadline', async () => {
    const store = new MemoryLease();
    const elector = new LeaderElector({ name: 'x', namespace: 'ns', identity: 'a', client: store, ...timings });
    let leaderSignal: AbortSignal | undefined;
    const end = elector.run(new AbortController().signal, async (signal) => {
      leaderSignal = signal;
      await new Promise((resolve) => signal.addEventListener('abort', resolve));
    });
    await waitFor(() => leaderSignal);
    store.failing = true;
    const started = performance.now();
    assert.equal(await end, 'lost');
    assert.equal(leaderSignal!.aborted, true);
    assert.ok(performance.now() - started < timings.renewDeadlineMs + 100);
  });

  it('waits for the leader work to stop before releasing the lease on cancel', async () => {
    const store = new MemoryLease();
    const elector = new LeaderElector({ name: 'x', namespace: 'ns', identity: 'a', client: store, ...timings });
    const stop = new AbortController();
    const order: string[] = [];
    const end = elector.run(stop.signal, async (signal) => {
      await new Promise((resolve) => signal.addEventListener('abort', resolve));
      await new Promise((r) => setTimeout(r, 20));
      order.push(`work stopped, holder ${store.lease?.holderIdentity}`);
    });
    await waitFor(() => store.lease?.holderIdentity === 'a');
    stop.abort();
    assert.equal(await end, 'cancelled');
    assert.deepEqual(order, ['work stopped, holder a']);
    assert.equal(store.lease?.holderIdentity, undefined);
  });
});
