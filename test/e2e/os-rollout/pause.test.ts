// Pause and resume of the worker pool in the middle of a ClusterVersion upgrade, all through the real kubectl: once
// the first node has started, `kubectl patch machineconfigpool worker` with paused: true. The nodes already started
// finish and no other starts while paused; `kubectl get clusterversion` keeps saying it waits on machine-config;
// paused: false resumes, the rest roll and the ClusterVersion completes. The watches order it: the pool's first
// status written for the paused spec (observedGeneration) comes before the operator could only have planned with
// the pause; no node starts after it until the resume's write, and Completed comes after the resume.
import assert from 'node:assert/strict';
import type { ClusterVersion } from '../../../operators/api/config-v1.ts';
import type { MachineConfigPool } from '../../../operators/api/machineconfiguration-v1.ts';
import { waitFor } from '../../../operators/runtime/wait.ts';
import {
  allNodesOn,
  clusterVersion,
  clusterVersionStatus,
  conditionOf,
  CVO_TUNING,
  isCompleted,
  kubectlJson,
  osImageOf,
  resourceVersionOf,
  startRolloutDevCluster,
  upgradeTo,
  waitForCompleted,
  waitForInstalled,
  watchJson,
  watchNodes,
  workerPool,
  type RolloutDevCluster,
} from './harness.ts';

const NODES = 6;

const patchPaused = (cluster: RolloutDevCluster, paused: boolean) =>
  kubectlJson<MachineConfigPool>(cluster, ['patch', 'machineconfigpool', 'worker', '--type', 'merge', '-p', JSON.stringify({ spec: { paused } })]);

/** The pool's status was written for `generation` or later and says it is paused. */
const pausedAt = (pool: MachineConfigPool, generation: number) =>
  (pool.status?.observedGeneration ?? 0) >= generation && conditionOf(pool, 'Updating')?.reason === 'Paused';

describe('OS rollout end to end: pausing and resuming the worker pool during a ClusterVersion upgrade', function () {
  this.timeout(120_000);
  let cluster: RolloutDevCluster;
  after(async () => {
    await cluster?.stop();
  });

  it('starts no node while paused, keeps the ClusterVersion waiting on machine-config, and finishes after the resume', async () => {
    cluster = await startRolloutDevCluster(NODES, { clusterVersion: CVO_TUNING });
    const old = await waitForInstalled(cluster);

    const nodeWatch = watchNodes(cluster);
    const poolWatch = watchJson<MachineConfigPool>(cluster, ['machineconfigpool', 'worker']);
    const cvWatch = watchJson<ClusterVersion>(cluster, ['clusterversion', 'version']);
    const target = await upgradeTo(cluster, '4.2.0', old);
    await waitFor(() => nodeWatch.starts(target).length > 0, { timeoutMs: 10_000, intervalMs: 10, message: 'the first node to start' });
    const pausedGeneration = (await patchPaused(cluster, true)).metadata?.generation ?? 0;

    // Settled while paused: every started node finished, so the budget has room, and still nothing starts.
    const settled = await waitFor(async () => {
      const p = await workerPool(cluster);
      return pausedAt(p, pausedGeneration) && p.status?.unavailableMachineCount === 0 && p;
    }, { timeoutMs: 20_000, intervalMs: 100, message: 'the paused pool to settle with no node in flight' });
    const updatedWhilePaused = settled.status?.updatedMachineCount ?? 0;
    assert.ok(updatedWhilePaused > 0 && updatedWhilePaused < NODES, `paused midway (${updatedWhilePaused} of ${NODES} updated)`);
    assert.equal(conditionOf(settled, 'Updating')?.status, 'False');
    assert.match(conditionOf(settled, 'Updating')?.message ?? '', new RegExp(`^Pool is paused; ${NODES - updatedWhilePaused} node\\(s\\) wait \\(${updatedWhilePaused} of ${NODES} nodes updated\\)$`));
    assert.equal(conditionOf(settled, 'Degraded')?.status, 'False');
    const status = await waitFor(async () => {
      const s = await clusterVersionStatus(cluster);
      return /waiting on machine-config/.test(s) && s;
    }, { timeoutMs: 10_000, intervalMs: 200, message: 'the ClusterVersion to say it waits on machine-config' });
    assert.match(status, /^Working towards 4\.2\.0: /);
    assert.equal(isCompleted(await clusterVersion(cluster), '4.2.0'), false);

    const resumedRv = resourceVersionOf(await patchPaused(cluster, false));
    await waitForCompleted(cluster, '4.2.0');
    assert.equal(await allNodesOn(cluster, osImageOf('4.2.0')), target);
    await nodeWatch.waitForDone(target, NODES);
    await nodeWatch.stop();
    await poolWatch.stop();
    await cvWatch.stop();

    const pauseSeen = poolWatch.observed().find((o) => pausedAt(o.object, pausedGeneration));
    assert.ok(pauseSeen, 'the pool watch saw the operator take the pause');
    const pausedRv = resourceVersionOf(pauseSeen.object);
    const starts = nodeWatch.starts(target);
    assert.deepEqual(starts.filter((s) => s.resourceVersion > pausedRv && s.resourceVersion < resumedRv), [], 'no node starts while paused');
    assert.equal(starts.filter((s) => s.resourceVersion < pausedRv).length, updatedWhilePaused, 'the nodes started before the pause are the ones it let finish');
    assert.equal(starts.filter((s) => s.resourceVersion > resumedRv).length, NODES - updatedWhilePaused, 'the rest start after the resume');
    const completed = cvWatch.observed().find((o) => isCompleted(o.object, '4.2.0'));
    assert.ok(completed, 'the ClusterVersion watch saw the update complete');
    assert.ok(resourceVersionOf(completed.object) > resumedRv, 'the ClusterVersion completed only after the resume');
    assert.equal(nodeWatch.maxUnavailable(), 2, 'never more than maxUnavailable nodes unavailable');
  });
});
