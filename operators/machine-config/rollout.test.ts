import assert from 'node:assert/strict';
import type { PoolNode } from './pool-node.ts';
import { compareUpdateOrder, computeStartGate, planRollout, resolveMaxUnavailable, rolloutPolicyOf, type RolloutPolicy } from './rollout.ts';

const NOW = new Date('2026-08-22T12:00:00Z'); // a Saturday
const HOUR = 3_600_000;
const OLD = 'rendered-worker-old';
const NEW = 'rendered-worker-new';

/** A Ready, schedulable node that runs OLD, in zone a, created an hour ago. */
function node(name: string, over: Partial<PoolNode> = {}): PoolNode {
  return {
    name, zone: 'a', createdAtMs: NOW.getTime() - HOUR, ready: true, readySinceMs: NOW.getTime() - HOUR, unschedulable: false,
    desiredConfig: OLD, currentConfig: OLD, state: 'Done', reason: undefined, rolledBackFrom: undefined, rollbackReason: undefined,
    kubeletVersion: 'v1.32.0', ...over,
  };
}

/** Started on NEW, not finished: what a restarted operator finds in the API. */
const started = (name: string, over: Partial<PoolNode> = {}) => node(name, { desiredConfig: NEW, ...over });
const updated = (name: string, over: Partial<PoolNode> = {}) => node(name, { desiredConfig: NEW, currentConfig: NEW, ...over });

function policy(over: Partial<RolloutPolicy> = {}): RolloutPolicy {
  return { maxUnavailable: 1, paused: false, canary: undefined, maintenanceWindows: [], nodeReadyTimeoutMs: 600_000, ...over };
}

describe('resolveMaxUnavailable', () => {
  const cases: Array<[number | string | undefined, number, number | string]> = [
    [undefined, 10, 1],
    [0, 10, 1],
    [2, 10, 2],
    ['20%', 10, 2],
    ['25%', 10, 2],
    ['5%', 10, 1],
    ['100%', 7, 7],
    ['abc', 10, 'spec.maxUnavailable: "abc" must be an integer or a percentage such as "20%"'],
    [-1, 10, 'spec.maxUnavailable: -1 must not be negative'],
  ];
  for (const [value, size, want] of cases) {
    it(`resolves ${JSON.stringify(value)} for a pool of ${size} to ${JSON.stringify(want)}`, () => {
      const got = resolveMaxUnavailable(value, size);
      assert.deepEqual(got, typeof want === 'number' ? { ok: true, value: want } : { ok: false, message: want });
    });
  }
});

describe('compareUpdateOrder', () => {
  it('orders by zone label, nodes without a zone last, then oldest first, then by name', () => {
    const nodes = [
      node('none-old', { zone: undefined, createdAtMs: 1 }),
      node('b-young', { zone: 'b', createdAtMs: 50 }),
      node('a-young', { zone: 'a', createdAtMs: 40 }),
      node('b-old', { zone: 'b', createdAtMs: 5 }),
      node('a-old-2', { zone: 'a', createdAtMs: 10 }),
      node('a-old-1', { zone: 'a', createdAtMs: 10 }),
    ];
    assert.deepEqual([...nodes].sort(compareUpdateOrder).map((n) => n.name), ['a-old-1', 'a-old-2', 'a-young', 'b-old', 'b-young', 'none-old']);
  });
});

describe('planRollout', () => {
  const plan = (nodes: PoolNode[], over: Partial<RolloutPolicy> = {}, now = NOW) => planRollout({ policy: policy(over), target: NEW, nodes, now });

  describe('the maxUnavailable budget', () => {
    const cases: Array<{ name: string; nodes: PoolNode[]; maxUnavailable: number | string; start: string[]; wait?: string }> = [
      {
        name: 'starts up to maxUnavailable nodes, zone first, oldest first',
        nodes: [node('c1', { zone: 'c' }), node('b1', { zone: 'b', createdAtMs: 2 }), node('b0', { zone: 'b', createdAtMs: 1 }), node('x', { zone: undefined })],
        maxUnavailable: 2, start: ['b0', 'b1'],
      },
      {
        name: 'counts nodes unavailable for any reason: NotReady and cordoned nodes use up the budget',
        nodes: [node('down', { ready: false }), node('cordoned', { unschedulable: true }), node('n1'), node('n2')],
        maxUnavailable: 3, start: ['n1'],
      },
      {
        name: 'counts a node told to update before its agent reacts (a restart right after the write keeps the limit)',
        nodes: [started('s1'), started('s2'), node('n1'), node('n2')],
        maxUnavailable: 2, start: [], wait: 'MaxUnavailable',
      },
      {
        name: 'counts Working nodes, and finished-but-cordoned nodes until they are uncordoned',
        nodes: [started('working', { state: 'Working', unschedulable: true }), updated('done-cordoned', { unschedulable: true }), node('n1'), node('n2')],
        maxUnavailable: 3, start: ['n1'],
      },
      {
        name: 'frees a slot once a node is back: updated, Ready and uncordoned',
        nodes: [updated('u1'), started('s1', { state: 'Working' }), node('n1'), node('n2')],
        maxUnavailable: 2, start: ['n1'],
      },
      {
        name: 'never starts a node that is itself unavailable',
        nodes: [node('down', { ready: false }), node('n1')],
        maxUnavailable: '100%', start: ['n1'],
      },
      {
        name: 'starts nothing once every node targets the config',
        nodes: [updated('u1'), started('s1', { state: 'Working' })],
        maxUnavailable: 1, start: [],
      },
    ];
    for (const c of cases) {
      it(c.name, () => {
        const got = plan(c.nodes, { maxUnavailable: c.maxUnavailable });
        assert.deepEqual(got.start, c.start);
        assert.equal(got.wait?.reason, c.wait);
        assert.deepEqual(got.rollback, []);
      });
    }

    it('gives the same answer to a restarted operator at every step of a rollout (the limit is a function of the API state)', () => {
      // Replay a 6-node rollout with maxUnavailable 2 where every step is planned from scratch, as after a restart.
      let nodes = ['a', 'b', 'c', 'd', 'e', 'f'].map((n) => node(n));
      let maxSeen = 0;
      for (let step = 0; step < 20 && !nodes.every((n) => n.currentConfig === NEW); step++) {
        const p = plan(nodes, { maxUnavailable: 2 });
        nodes = nodes.map((n) => (p.start.includes(n.name) ? started(n.name) : n));
        maxSeen = Math.max(maxSeen, nodes.filter((n) => n.desiredConfig !== n.currentConfig || n.unschedulable).length);
        // The agent finishes one started node per step.
        const finishing = nodes.find((n) => n.desiredConfig === NEW && n.currentConfig !== NEW);
        nodes = nodes.map((n) => (n === finishing ? updated(n.name) : n));
      }
      assert.ok(nodes.every((n) => n.currentConfig === NEW));
      assert.equal(maxSeen, 2);
    });
  });

  describe('failures', () => {
    it('rolls a node that went Degraded while updating back to its current config and stops the pool', () => {
      const got = plan([started('bad', { state: 'Degraded', reason: 'boot check failed' }), node('n1'), node('n2')], { maxUnavailable: 3 });
      assert.deepEqual(got.rollback, [{ node: 'bad', to: OLD, from: NEW, reason: 'boot check failed' }]);
      assert.deepEqual(got.start, []);
      assert.deepEqual(got.wait, { reason: 'NodeDegraded', message: 'Update stopped: node bad failed to update' });
    });

    it('rolls back a node that stays NotReady past the timeout, and rechecks one that has not yet', () => {
      const late = started('late', { state: 'Working', ready: false, readySinceMs: NOW.getTime() - 601_000 });
      const fresh = started('fresh', { state: 'Working', ready: false, readySinceMs: NOW.getTime() - 60_000 });
      const got = plan([late, fresh, node('n1')], { maxUnavailable: 3 });
      assert.deepEqual(got.rollback, [{ node: 'late', to: OLD, from: NEW, reason: 'node was not Ready for 10m1s while updating (timeout 10m0s)' }]);
      assert.equal(got.recheckAfterMs, 540_000);
      assert.deepEqual(got.start, []);

      const onlyFresh = plan([fresh, node('n1')], { maxUnavailable: 1 });
      assert.deepEqual([onlyFresh.rollback, onlyFresh.recheckAfterMs], [[], 540_000]);
    });

    it('reports a failed node that has no previous config instead of rolling it back', () => {
      const got = plan([started('new', { currentConfig: undefined, state: 'Degraded', reason: 'boom' }), node('n1')]);
      assert.deepEqual(got.rollback, []);
      assert.deepEqual(got.stuck, [{ node: 'new', message: 'boom; no previous config to roll back to' }]);
      assert.deepEqual(got.start, []);
    });

    it('stays stopped while a rolled-back node carries the mark for this target, and ignores a mark for another one', () => {
      const marked = node('rolled', { rolledBackFrom: NEW });
      assert.equal(plan([marked, node('n1')]).wait?.reason, 'NodeDegraded');
      assert.deepEqual(plan([node('rolled', { rolledBackFrom: 'rendered-worker-older' }), node('n1')]).start, ['n1']);
    });

    it('stops on a Degraded node even when it is not moving to the target', () => {
      const got = plan([node('sick', { state: 'Degraded', reason: 'disk full' }), node('n1')]);
      assert.deepEqual([got.start, got.rollback, got.wait?.reason], [[], [], 'NodeDegraded']);
    });

    it('rolls back even while the pool is paused or outside its windows: rollbacks restore service', () => {
      const bad = started('bad', { state: 'Degraded', reason: 'x' });
      assert.equal(plan([bad], { paused: true }).rollback.length, 1);
      assert.equal(plan([bad], { maintenanceWindows: [{ days: ['Mon'], start: '02:00', durationMinutes: 60 }] }).rollback.length, 1);
    });
  });

  describe('pause and maintenance windows', () => {
    it('starts nothing while paused, and says how many nodes wait', () => {
      const got = plan([updated('u'), node('n1'), node('n2')], { paused: true });
      assert.deepEqual([got.start, got.wait], [[], { reason: 'Paused', message: 'Pool is paused; 2 node(s) wait' }]);
    });

    const windows = [{ days: ['Sat' as const], start: '11:30', durationMinutes: 60 }, { days: ['Sun' as const], start: '02:00', durationMinutes: 60 }];
    it('starts nodes inside a window', () => {
      assert.deepEqual(plan([node('n1')], { maintenanceWindows: windows }).start, ['n1']);
    });
    it('waits outside every window and rechecks when the next one opens', () => {
      const after = new Date('2026-08-22T12:45:00Z');
      const got = plan([node('n1')], { maintenanceWindows: windows }, after);
      assert.deepEqual(got.wait, { reason: 'OutsideMaintenanceWindow', message: "Outside the pool's maintenance windows; the next opens at 2026-08-23T02:00:00.000Z" });
      assert.equal(got.recheckAfterMs, new Date('2026-08-23T02:00:00Z').getTime() - after.getTime());
    });
    it('treats a window without days as open every day', () => {
      assert.deepEqual(plan([node('n1')], { maintenanceWindows: [{ start: '11:00', durationMinutes: 120 }] }).start, ['n1']);
    });
  });

  describe('the canary gate', () => {
    const canary = { nodes: 1, soakMs: 300_000 };
    it('starts only the canary nodes first, whatever the budget', () => {
      assert.deepEqual(plan([node('n1'), node('n2'), node('n3')], { maxUnavailable: 3, canary: { nodes: 2, soakMs: 1 } }).start, ['n1', 'n2']);
    });
    it('holds the rest while the canary updates', () => {
      const got = plan([started('c', { state: 'Working' }), node('n1'), node('n2')], { maxUnavailable: 3, canary });
      assert.deepEqual([got.start, got.wait?.reason], [[], 'CanarySoaking']);
      assert.equal(got.recheckAfterMs, undefined, 'an unfinished canary is waited for by its events, not a timer');
    });
    it('holds the rest until the updated canary has been Ready for the soak time, and rechecks then', () => {
      const c = updated('c', { readySinceMs: NOW.getTime() - 100_000 });
      const got = plan([c, node('n1'), node('n2')], { maxUnavailable: 3, canary });
      assert.equal(got.wait?.reason, 'CanarySoaking');
      assert.equal(got.wait?.message, 'Canary: 1 updated node(s) must stay Ready for 5m0s before the rest start (1 updated and Ready); the soak ends at 2026-08-22T12:03:20.000Z');
      assert.equal(got.recheckAfterMs, 200_000);
    });
    it('lets the rest go, maxUnavailable at a time, once the soak has passed', () => {
      const c = updated('c', { readySinceMs: NOW.getTime() - 300_000 });
      assert.deepEqual(plan([c, node('n1'), node('n2'), node('n3')], { maxUnavailable: 2, canary }).start, ['n1', 'n2']);
    });
    it('does not count a canary that is cordoned or NotReady again as soaked', () => {
      const c = updated('c', { readySinceMs: NOW.getTime() - HOUR, unschedulable: true });
      assert.equal(plan([c, node('n1')], { maxUnavailable: 2, canary }).wait?.reason, 'CanarySoaking');
    });
  });

  it('waits for a target before anything', () => {
    assert.deepEqual(planRollout({ policy: policy(), target: undefined, nodes: [node('n1')], now: NOW }).wait?.reason, 'NoTarget');
  });
});

describe('computeStartGate', () => {
  const input = { target: NEW, now: NOW, waiting: 3 };
  it('gives the canary\'s remaining slots from the updates the caller says have begun (Replace: replacements, not desiredConfig)', () => {
    const gate = (targeted: number) => computeStartGate({ ...input, policy: policy({ canary: { nodes: 2, soakMs: 1_000 } }), nodes: [node('a'), node('b'), node('c')], targeted });
    assert.deepEqual(gate(0), { limit: 2 });
    assert.deepEqual(gate(1), { limit: 1 });
    assert.equal(gate(2).wait?.reason, 'CanarySoaking', 'both begun, none soaked yet');
    assert.deepEqual(computeStartGate({ ...input, policy: policy(), nodes: [node('a')], targeted: 0 }), { limit: Infinity });
  });
  it('holds everything while paused or with a failed node, saying why', () => {
    assert.deepEqual(computeStartGate({ ...input, policy: policy({ paused: true }), nodes: [node('a')], targeted: 0 }), { limit: 0, wait: { reason: 'Paused', message: 'Pool is paused; 3 node(s) wait' } });
    assert.equal(computeStartGate({ ...input, policy: policy({ paused: true }), nodes: [node('a', { state: 'Degraded' })], targeted: 0 }).wait?.reason, 'NodeDegraded');
  });
});

describe('rolloutPolicyOf', () => {
  it('fills in the CRD defaults and converts seconds to ms', () => {
    assert.deepEqual(rolloutPolicyOf({ spec: { maxUnavailable: '10%', canary: {}, osUpdate: {} } }), {
      maxUnavailable: '10%', paused: false, canary: { nodes: 1, soakMs: 300_000 }, maintenanceWindows: [], nodeReadyTimeoutMs: 600_000,
    });
    assert.equal(rolloutPolicyOf({ spec: {} }).canary, undefined);
  });
});
