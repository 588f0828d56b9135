// A node that fails after its OS update during a ClusterVersion upgrade, all through the real kubectl: the admin
// marks worker-0 with the dev cluster's fault injection (`kubectl annotate node worker-0
// machine-fleet.io/fail-os-update=4.2.0`: its hollow agent fails the health check after booting a 4.2.0 config,
// operators/machine-config/PROTOCOL.md step 4) and patches the ClusterVersion to 4.2.0. The operator rolls worker-0
// back to its previous OS; the pool, then the machine-config ClusterOperator, go Degraded with the reason; no other
// node starts and the ClusterVersion keeps waiting on machine-config. Clearing as PROTOCOL.md says (fix the cause:
// remove the fault; then `kubectl annotate node worker-0 machine-fleet.io/rolled-back-from-`) lets the rollout and
// the ClusterVersion finish. The watches order it: no start between the pool's first Degraded status and the clear,
// and Completed only after the clear.
import assert from 'node:assert/strict';
import type { ClusterOperator, ClusterVersion } from '../../../operators/api/config-v1.ts';
import {
  CURRENT_CONFIG_ANNOTATION,
  DESIRED_CONFIG_ANNOTATION,
  FAIL_OS_UPDATE_KEY,
  ROLLED_BACK_FROM_ANNOTATION,
  STATE_ANNOTATION,
  type MachineConfigPool,
} from '../../../operators/api/machineconfiguration-v1.ts';
import type { NodeObject } from '../../../operators/machine-config/pool-node.ts';
import { waitFor } from '../../../operators/runtime/wait.ts';
import {
  allNodesOn,
  clusterVersion,
  clusterVersionStatus,
  conditionOf,
  CVO_TUNING,
  getJson,
  getNode,
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
const FAILING = 'worker-0';

const isReady = (n: NodeObject) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;

describe('OS rollout end to end: a node failing after its update in a ClusterVersion upgrade', function () {
  this.timeout(120_000);
  let cluster: RolloutDevCluster;
  after(async () => {
    await cluster?.stop();
  });

  it('rolls the node back to its previous OS, degrades the pool and machine-config, holds the ClusterVersion, and finishes once cleared', async () => {
    cluster = await startRolloutDevCluster(NODES, { clusterVersion: CVO_TUNING });
    const old = await waitForInstalled(cluster);
    await cluster.kubectl(['annotate', 'node', FAILING, `${FAIL_OS_UPDATE_KEY}=4.2.0`]);

    const nodeWatch = watchNodes(cluster);
    const poolWatch = watchJson<MachineConfigPool>(cluster, ['machineconfigpool', 'worker']);
    const cvWatch = watchJson<ClusterVersion>(cluster, ['clusterversion', 'version']);
    const target = await upgradeTo(cluster, '4.2.0', old);

    // Degraded, and settled: the rollback and the nodes started before the failure have finished.
    const pool = await waitFor(async () => {
      const p = await workerPool(cluster);
      return conditionOf(p, 'Degraded')?.status === 'True' && p.status?.unavailableMachineCount === 0 && p;
    }, { timeoutMs: 30_000, intervalMs: 100, message: 'the pool to go Degraded with every node back in service' });
    const failure = new RegExp(`Node ${FAILING} was rolled back from ${target} to ${old}: Node failed its health check after booting ${target} \\(release 4\\.2\\.0\\): injected by ${FAIL_OS_UPDATE_KEY}=4\\.2\\.0`);
    assert.equal(conditionOf(pool, 'Degraded')?.reason, 'NodeDegraded');
    assert.match(conditionOf(pool, 'Degraded')?.message ?? '', failure);
    assert.match(conditionOf(pool, 'NodeDegraded')?.message ?? '', failure);
    assert.match(conditionOf(pool, 'Updating')?.message ?? '', new RegExp(`Update stopped: node ${FAILING} failed to update`));
    assert.equal(pool.status?.degradedMachineCount, 1);

    const node = await getNode(cluster, FAILING);
    const a = node.metadata?.annotations ?? {};
    assert.deepEqual(
      [a[DESIRED_CONFIG_ANNOTATION], a[CURRENT_CONFIG_ANNOTATION], a[STATE_ANNOTATION], a[ROLLED_BACK_FROM_ANNOTATION], node.spec?.unschedulable ?? false, isReady(node)],
      [old, old, 'Done', target, false, true],
      `${FAILING} is back on its previous config, in service, marked as rolled back`,
    );
    assert.equal(node.status?.nodeInfo?.osImage, osImageOf('4.1.0'), 'booted back into the previous OS');
    assert.ok(nodeWatch.starts(target).some((s) => s.node === FAILING), `${FAILING} did start on the target`);

    const co = await waitFor(async () => {
      const c = await getJson<ClusterOperator>(cluster, ['clusteroperator', 'machine-config']);
      return conditionOf(c, 'Degraded')?.status === 'True' && c;
    }, { timeoutMs: 10_000, intervalMs: 100, message: 'machine-config to go Degraded' });
    assert.equal(conditionOf(co, 'Degraded')?.reason, 'RequiredPoolsFailed');
    assert.equal(co.status?.versions?.find((v) => v.name === 'operator')?.version, '4.1.0');
    // `kubectl get clusterversion`: still working towards 4.2.0, waiting (within the CVO's grace) on machine-config.
    const status = await waitFor(async () => {
      const s = await clusterVersionStatus(cluster);
      return /waiting up to \d+ minutes on machine-config/.test(s) && s;
    }, { timeoutMs: 10_000, intervalMs: 200, message: 'the ClusterVersion to say it waits on the degraded machine-config' });
    assert.match(status, /^Working towards 4\.2\.0: /);
    const cv = await clusterVersion(cluster);
    assert.deepEqual([cv.status?.history?.[0]?.version, cv.status?.history?.[0]?.state], ['4.2.0', 'Partial']);
    assert.equal(conditionOf(cv, 'Failing')?.status, 'False', 'a degraded operator is not a failure within the grace');

    // The retry as PROTOCOL.md documents it: fix the cause (here: remove the fault), then clear the mark.
    await cluster.kubectl(['annotate', 'node', FAILING, `${FAIL_OS_UPDATE_KEY}-`]);
    const cleared = await kubectlJson<NodeObject>(cluster, ['annotate', 'node', FAILING, `${ROLLED_BACK_FROM_ANNOTATION}-`]);
    const clearedRv = resourceVersionOf(cleared);
    await waitForCompleted(cluster, '4.2.0');
    assert.equal(await allNodesOn(cluster, osImageOf('4.2.0')), target);
    await nodeWatch.waitForDone(target, NODES);
    await nodeWatch.stop();
    await poolWatch.stop();
    await cvWatch.stop();

    const degraded = poolWatch.observed().find((o) => conditionOf(o.object, 'Degraded')?.status === 'True');
    assert.ok(degraded, 'the pool watch saw the pool Degraded');
    const degradedRv = resourceVersionOf(degraded.object);
    const startedWhileDegraded = nodeWatch.starts(target).filter((s) => s.resourceVersion > degradedRv && s.resourceVersion < clearedRv);
    assert.deepEqual(startedWhileDegraded, [], 'no node starts between the pool going Degraded and the clear');
    const startedBefore = new Set(nodeWatch.starts(target).filter((s) => s.resourceVersion < degradedRv).map((s) => s.node));
    assert.ok(startedBefore.size < NODES, `the failure stopped the rollout midway (${startedBefore.size} of ${NODES} started)`);
    const completed = cvWatch.observed().find((o) => isCompleted(o.object, '4.2.0'));
    assert.ok(completed, 'the ClusterVersion watch saw the update complete');
    assert.ok(resourceVersionOf(completed.object) > clearedRv, 'the ClusterVersion completed only after the clear');
    assert.equal(nodeWatch.maxUnavailable(), 2, 'never more than maxUnavailable nodes unavailable');
  });
});
