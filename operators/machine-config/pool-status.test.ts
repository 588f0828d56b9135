import assert from 'node:assert/strict';
import type { MachineConfigPool } from '../api/machineconfiguration-v1.ts';
import type { PoolNode } from './pool-node.ts';
import { computePoolStatus } from './pool-status.ts';
import { planRollout, type RolloutPolicy } from './rollout.ts';

const NOW = new Date('2026-08-22T12:00:00Z');
const OLD = 'rendered-worker-old';
const NEW = 'rendered-worker-new';

function node(name: string, over: Partial<PoolNode> = {}): PoolNode {
  return {
    name, zone: 'a', createdAtMs: 0, ready: true, readySinceMs: 0, unschedulable: false, desiredConfig: OLD, currentConfig: OLD,
    state: 'Done', reason: undefined, rolledBackFrom: undefined, rollbackReason: undefined, kubeletVersion: 'v1.32.0', ...over,
  };
}

const pool = (spec: MachineConfigPool['spec'] = {}): MachineConfigPool => ({
  metadata: { name: 'worker', generation: 4 },
  spec: { configuration: { name: NEW, source: [] }, ...spec },
  status: { configuration: { name: OLD, source: [] } },
});

function status(nodes: PoolNode[], policy: Partial<RolloutPolicy> = {}, p = pool(), renderError?: string) {
  const plan = planRollout({ policy: { maxUnavailable: 1, paused: false, canary: undefined, maintenanceWindows: [], nodeReadyTimeoutMs: 600_000, ...policy }, target: NEW, nodes, now: NOW });
  return computePoolStatus({ pool: p, target: NEW, nodes, plan, renderError, now: NOW });
}

const cond = (s: ReturnType<typeof status>, type: string) => {
  const c = s.conditions?.find((x) => x.type === type);
  return c && [c.status, c.reason, c.message];
};

describe('computePoolStatus', () => {
  it('counts a pool mid-rollout and keeps status.configuration at the old config', () => {
    const s = status([
      node('u1', { desiredConfig: NEW, currentConfig: NEW }),
      node('w1', { desiredConfig: NEW, state: 'Working', unschedulable: true }),
      node('o1'),
      node('down', { ready: false }),
    ]);
    assert.deepEqual(
      [s.machineCount, s.updatedMachineCount, s.readyMachineCount, s.unavailableMachineCount, s.degradedMachineCount, s.observedGeneration, s.configuration?.name],
      [4, 1, 1, 2, 0, 4, OLD],
    );
    assert.deepEqual(cond(s, 'Updated'), ['False', '', '']);
    assert.deepEqual(cond(s, 'Updating'), ['True', 'MaxUnavailable', `All nodes are updating to MachineConfig ${NEW} (1 of 4 nodes updated); 2 node(s) unavailable, maxUnavailable is 1`]);
    assert.deepEqual(cond(s, 'Degraded'), ['False', '', '']);
  });

  it('moves status.configuration and sets Updated once every node runs the target', () => {
    const s = status([node('u1', { desiredConfig: NEW, currentConfig: NEW }), node('u2', { desiredConfig: NEW, currentConfig: NEW })]);
    assert.equal(s.configuration?.name, NEW);
    assert.deepEqual(cond(s, 'Updated'), ['True', '', `All nodes are updated with MachineConfig ${NEW}`]);
    assert.deepEqual(cond(s, 'Updating'), ['False', '', '']);
    assert.equal(s.conditions?.find((c) => c.type === 'Updated')?.lastTransitionTime, '2026-08-22T12:00:00Z');
  });

  it('names failed and rolled-back nodes with their reasons in NodeDegraded and Degraded', () => {
    const s = status([
      node('bad', { desiredConfig: NEW, state: 'Degraded', reason: 'health check failed' }),
      node('back', { rolledBackFrom: NEW, rollbackReason: 'failed to drain node back: evicting pod apps/web-0: …' }),
      node('ok'),
    ]);
    assert.equal(s.degradedMachineCount, 2);
    const degradedMessage = `Node bad is reporting: "health check failed"; Node back was rolled back from ${NEW} to ${OLD}: failed to drain node back: evicting pod apps/web-0: …`;
    assert.deepEqual(cond(s, 'NodeDegraded'), ['True', '2 nodes are reporting degraded status on sync', degradedMessage]);
    assert.deepEqual(cond(s, 'Degraded'), ['True', 'NodeDegraded', degradedMessage]);
    assert.equal(cond(s, 'Updating')?.[1], 'NodeDegraded');
  });

  it('names in Updating what a node still updating reports, such as the pod and budget holding its drain', () => {
    const held = 'Draining: evicting pod apps/web-0: Cannot evict pod as it would violate the pod\'s disruption budget web';
    const s = status([
      node('w1', { desiredConfig: NEW, state: 'Working', unschedulable: true, reason: held }),
      node('w0', { desiredConfig: NEW, state: 'Working', unschedulable: true }),
      node('o1'),
    ], { maxUnavailable: 2 });
    assert.deepEqual(cond(s, 'Updating'), [
      'True', 'MaxUnavailable',
      `All nodes are updating to MachineConfig ${NEW} (0 of 3 nodes updated); 2 node(s) unavailable, maxUnavailable is 2; Node w1: ${held}`,
    ]);
    assert.equal(cond(s, 'Degraded')?.[0], 'False', 'a held drain is not a failure before its timeout');
  });

  it('reports a config that cannot be rendered as RenderDegraded', () => {
    const s = status([node('o1')], {}, pool(), 'ConfigMap x/y: data.releaseVersion: required');
    assert.deepEqual(cond(s, 'RenderDegraded'), ['True', 'RenderFailed', 'ConfigMap x/y: data.releaseVersion: required']);
    assert.deepEqual(cond(s, 'Degraded'), ['True', 'RenderDegraded', 'ConfigMap x/y: data.releaseVersion: required']);
  });

  it('says Updating=False with reason Paused while a paused pool has nodes left', () => {
    const s = status([node('u1', { desiredConfig: NEW, currentConfig: NEW }), node('o1')], { paused: true });
    assert.deepEqual(cond(s, 'Updating'), ['False', 'Paused', 'Pool is paused; 1 node(s) wait (1 of 2 nodes updated)']);
  });

  it('keeps lastTransitionTime while a condition keeps its status', () => {
    const first = status([node('o1')]);
    const later = computePoolStatus({
      pool: { ...pool(), status: first },
      target: NEW,
      nodes: [node('o1', { desiredConfig: NEW })],
      plan: planRollout({ policy: { maxUnavailable: 1, paused: false, canary: undefined, maintenanceWindows: [], nodeReadyTimeoutMs: 1 }, target: NEW, nodes: [], now: NOW }),
      renderError: undefined,
      now: new Date(NOW.getTime() + 60_000),
    });
    assert.equal(later.conditions?.find((c) => c.type === 'Updating')?.lastTransitionTime, '2026-08-22T12:00:00Z');
  });
});
