import assert from 'node:assert/strict';
import type { Machine, MachinePhase } from '../../api/machine-v1beta1.ts';
import { KubeApiError } from '../../runtime/errors.ts';
import type { Node, Pod } from '../context.ts';
import {
  DRAIN_TIMEOUT_ANNOTATION,
  drainStartedAt,
  drainTimeoutMs,
  evictionFailure,
  formatDuration,
  isControlPlaneNode,
  isNodeUnreachable,
  judgeDrain,
  needsDrain,
  planDrain,
  skipWaitAfterMs,
  summarizePods,
  type DrainAttempt,
} from './drain.ts';

const now = new Date('2026-08-01T12:00:00Z');
const at = (offsetMs: number) => new Date(now.getTime() + offsetMs).toISOString();

function pod(name: string, extra: { owner?: string; mirror?: boolean; deletionTimestamp?: string } = {}): Pod {
  return {
    metadata: {
      name,
      namespace: 'apps',
      ...(extra.owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: extra.owner, name: 'x', uid: 'u', controller: true }] } : {}),
      ...(extra.mirror ? { annotations: { 'kubernetes.io/config.mirror': 'hash' } } : {}),
      ...(extra.deletionTimestamp ? { deletionTimestamp: extra.deletionTimestamp } : {}),
    },
  } as Pod;
}

function machine(extra: { annotations?: Record<string, string>; deleting?: boolean; phase?: MachinePhase; drained?: { status: string; lastTransitionTime: string } } = {}): Machine {
  return {
    metadata: { name: 'm', namespace: 'ns', annotations: extra.annotations, ...(extra.deleting ? { deletionTimestamp: at(-60_000) } : {}) },
    status: {
      phase: extra.phase,
      conditions: extra.drained ? [{ type: 'Drained', status: extra.drained.status as 'True' | 'False', lastTransitionTime: extra.drained.lastTransitionTime }] : undefined,
    },
  };
}

const names = (pods: readonly Pod[]) => pods.map((p) => p.metadata?.name);

describe('drain decisions', () => {
  describe('planDrain', () => {
    it('evicts ordinary pods and leaves DaemonSet and mirror pods on the node', () => {
      const plan = planDrain([pod('web', { owner: 'ReplicaSet' }), pod('bare'), pod('agent', { owner: 'DaemonSet' }), pod('static', { mirror: true })], false, now);
      assert.deepEqual(names(plan.evict), ['web', 'bare']);
      assert.deepEqual(names(plan.terminating), []);
    });

    it('waits for pods already terminating on a reachable node instead of evicting them again', () => {
      const plan = planDrain([pod('going', { deletionTimestamp: at(30_000) }), pod('late', { deletionTimestamp: at(-600_000) })], false, now);
      assert.deepEqual(names(plan.evict), []);
      assert.deepEqual(names(plan.terminating), ['going', 'late']);
    });

    const unreachableCases: Array<[string, number, 'evict' | 'terminating' | 'skipped']> = [
      ['a pod with a long grace period left is evicted again so its grace shrinks to 1 s', 30_000, 'evict'],
      ['a pod within its 1 s grace is waited for', 500, 'terminating'],
      ['a pod whose deletion began more than 1 s ago is no longer waited for', -1_500, 'skipped'],
    ];
    for (const [name, offsetMs, expected] of unreachableCases) {
      it(`on an unreachable node, ${name}`, () => {
        const plan = planDrain([pod('p', { deletionTimestamp: at(offsetMs) })], true, now);
        const where = plan.evict.length ? 'evict' : plan.terminating.length ? 'terminating' : 'skipped';
        assert.equal(where, expected);
      });
    }

    it('looks again at an unreachable node once its terminating pods stop being waited for', () => {
      assert.equal(skipWaitAfterMs([pod('p', { deletionTimestamp: at(500) })], true, now), 1_501);
      assert.equal(skipWaitAfterMs([pod('p', { deletionTimestamp: at(500) })], false, now), undefined);
    });
  });

  describe('drainTimeoutMs', () => {
    const cases: Array<[string, string | undefined, number, number | undefined, boolean]> = [
      ['uses the controller default without an annotation', undefined, 600_000, 600_000, false],
      ['takes a Go duration from the annotation', '1m30s', 600_000, 90_000, false],
      ['reads "0" as no limit', '0', 600_000, undefined, false],
      ['has no limit when the default is 0', undefined, 0, undefined, false],
      ['falls back to the default and reports an unparseable annotation', 'ten minutes', 600_000, 600_000, true],
      ['rejects a negative duration', '-5m', 600_000, 600_000, true],
    ];
    for (const [name, annotation, defaultMs, expected, invalid] of cases) {
      it(name, () => {
        const result = drainTimeoutMs(machine({ annotations: annotation === undefined ? undefined : { [DRAIN_TIMEOUT_ANNOTATION]: annotation } }), defaultMs);
        assert.equal(result.timeoutMs, expected);
        assert.equal(result.invalid !== undefined, invalid);
      });
    }
  });

  it('dates the drain from the moment Drained turned False, or from now on the first attempt', () => {
    assert.equal(drainStartedAt(machine({ drained: { status: 'False', lastTransitionTime: '2026-08-01T11:55:00Z' } }), now), Date.parse('2026-08-01T11:55:00Z'));
    assert.equal(drainStartedAt(machine(), now), now.getTime());
  });

  it('drains only Machines being deleted, in phase Deleting, not yet Drained', () => {
    assert.equal(needsDrain(machine({ deleting: true, phase: 'Deleting' })), true);
    assert.equal(needsDrain(machine({ deleting: true, phase: 'Running' })), false, 'the machine controller sets Deleting first');
    assert.equal(needsDrain(machine({ phase: 'Deleting' })), false);
    assert.equal(needsDrain(machine({ deleting: true, phase: 'Deleting', drained: { status: 'True', lastTransitionTime: at(0) } })), false);
  });

  describe('evictionFailure', () => {
    it("names the pod and the budget from a 429's causes", () => {
      const err = new KubeApiError(429, {
        code: 429,
        reason: 'TooManyRequests',
        message: "Cannot evict pod as it would violate the pod's disruption budget.",
        details: { causes: [{ reason: 'DisruptionBudget', message: 'The disruption budget db needs 1 healthy pods and has 1 currently' }] },
      } as never);
      assert.deepEqual(evictionFailure('apps/db-0', err), {
        pod: 'apps/db-0',
        blockedByBudget: true,
        message: "evicting pod apps/db-0: Cannot evict pod as it would violate the pod's disruption budget: The disruption budget db needs 1 healthy pods and has 1 currently",
      });
    });

    it('keeps the message of any other error', () => {
      assert.deepEqual(evictionFailure('apps/x', new Error('connection reset')), { pod: 'apps/x', blockedByBudget: false, message: 'evicting pod apps/x: connection reset' });
    });
  });

  describe('judgeDrain', () => {
    const base: DrainAttempt = { nodeName: 'n1', failures: [], remaining: [], startedAtMs: now.getTime() - 60_000, timeoutMs: 600_000, now };
    const refused = [{ pod: 'apps/db-0', blockedByBudget: true, message: 'evicting pod apps/db-0: refused' }];

    it('is drained once no pod is left', () => {
      assert.deepEqual(judgeDrain(base), { kind: 'drained', condition: { type: 'Drained', status: 'True', message: 'Drain finished successfully' } });
    });

    it('reports refused evictions as DrainError before the timeout', () => {
      const verdict = judgeDrain({ ...base, failures: refused, remaining: ['apps/web'] });
      assert.equal(verdict.kind, 'failed');
      assert.deepEqual(verdict.condition, { type: 'Drained', status: 'False', reason: 'DrainError', severity: 'Warning', message: 'could not drain machine: evicting pod apps/db-0: refused' });
    });

    it('waits for evicted pods to terminate', () => {
      const verdict = judgeDrain({ ...base, remaining: ['apps/a', 'apps/b'] });
      assert.equal(verdict.kind, 'waiting');
      assert.equal(verdict.condition.reason, 'Draining');
      assert.equal(verdict.condition.message, 'Draining node n1: waiting for 2 pod(s) to terminate: apps/a, apps/b');
    });

    it('lets the deletion proceed once the timeout has passed, saying what was still blocking', () => {
      const verdict = judgeDrain({ ...base, failures: refused, startedAtMs: now.getTime() - 600_000 });
      assert.equal(verdict.kind, 'timedOut');
      assert.deepEqual(verdict.condition, {
        type: 'Drained',
        status: 'True',
        reason: 'DrainTimeout',
        message: 'Drain of node n1 did not finish within 10m0s, proceeding with deletion: evicting pod apps/db-0: refused',
      });
    });

    it('never times out without a timeout', () => {
      assert.equal(judgeDrain({ ...base, failures: refused, startedAtMs: 0, timeoutMs: undefined }).kind, 'failed');
    });
  });

  it('formats durations as Go does', () => {
    assert.deepEqual([3_000, 90_000, 600_000, 3_661_000].map(formatDuration), ['3s', '1m30s', '10m0s', '1h1m1s']);
  });

  it('lists the first few pods and counts the rest', () => {
    assert.equal(summarizePods(['a', 'b', 'c'], 2), 'a, b and 1 more');
  });

  it('recognises control-plane and unreachable nodes', () => {
    const node = (labels: Record<string, string>, ready?: string): Node => ({ metadata: { name: 'n', labels }, status: { conditions: ready ? [{ type: 'Ready', status: ready }] : [] } }) as Node;
    assert.equal(isControlPlaneNode(node({ 'node-role.kubernetes.io/master': '' })), true);
    assert.equal(isControlPlaneNode(node({ 'node-role.kubernetes.io/control-plane': '' })), true);
    assert.equal(isControlPlaneNode(node({ 'node-role.kubernetes.io/worker': '' })), false);
    assert.equal(isNodeUnreachable(node({}, 'Unknown')), true);
    assert.equal(isNodeUnreachable(node({}, 'False')), false);
  });
});
