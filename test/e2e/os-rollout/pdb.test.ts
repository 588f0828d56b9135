// A PodDisruptionBudget blocks one node's drain during a ClusterVersion upgrade, all through the real kubectl: the
// admin `kubectl apply`s a pod bound to worker-0 and a budget with maxUnavailable 0 over it, then patches the
// ClusterVersion to 4.2.0. worker-0's agent cannot evict the pod: the node reports the pod and the budget (reason
// annotation, DrainBlocked Event) and keeps its slot, while the other nodes roll through the rest of the budget.
// The ClusterVersion waits on machine-config until the admin deletes the budget; then worker-0 drains, updates,
// and the ClusterVersion completes. The drain timeout is the agent's default (10 min), far beyond this test.
// Meanwhile the pool's Updating condition names the pod and the budget (pool-status.ts reports what nodes still
// updating say), without calling the pool Degraded: a blocked drain fails only at that timeout.
import assert from 'node:assert/strict';
import { stringify } from 'yaml';
import type { ClusterVersion } from '../../../operators/api/config-v1.ts';
import { CURRENT_CONFIG_ANNOTATION, DESIRED_CONFIG_ANNOTATION, REASON_ANNOTATION, STATE_ANNOTATION } from '../../../operators/api/machineconfiguration-v1.ts';
import { waitFor } from '../../../operators/runtime/wait.ts';
import {
  allNodesOn,
  clusterVersionStatus,
  conditionOf,
  CVO_TUNING,
  getJson,
  getNode,
  isCompleted,
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

type Json = any;
const NODES = 6;
const BLOCKED = 'worker-0';
/**
 * What the eviction API answers for the pod, as the agent reports it. "needs 0": a pod without a controller has no
 * scale to take maxUnavailable from, so the budget expects 0 pods and, fail-safe, allows no disruption (kube's
 * disruption controller does the same; devcluster/apiserver/controllers/pdb-status-controller.ts).
 */
const BLOCKED_BY_BUDGET = /evicting pod apps\/web-0: Cannot evict pod as it would violate the pod's disruption budget: The disruption budget web needs 0 healthy pods and has 1 currently/;

/**
 * A namespace, a pod bound to `node` (the hollow kubelet runs it) and a budget that allows no disruption of it, as
 * a multi-document YAML stream (kubectl reads a stream that starts with `{` as a single JSON document).
 */
function workload(node: string): string {
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'apps' } },
    {
      apiVersion: 'v1', kind: 'Pod',
      metadata: { name: 'web-0', namespace: 'apps', labels: { app: 'web' } },
      spec: { nodeName: node, containers: [{ name: 'web', image: 'nginx' }] },
    },
    {
      apiVersion: 'policy/v1', kind: 'PodDisruptionBudget',
      metadata: { name: 'web', namespace: 'apps' },
      spec: { maxUnavailable: 0, selector: { matchLabels: { app: 'web' } } },
    },
  ].map((doc) => stringify(doc)).join('---\n');
}

describe('OS rollout end to end: a PodDisruptionBudget blocks one drain of a ClusterVersion upgrade', function () {
  this.timeout(120_000);
  let cluster: RolloutDevCluster;
  after(async () => {
    await cluster?.stop();
  });

  it('reports the pod and the budget on the node, rolls the other nodes within maxUnavailable, and finishes once the budget is deleted', async () => {
    cluster = await startRolloutDevCluster(NODES, { clusterVersion: CVO_TUNING });
    const old = await waitForInstalled(cluster);
    await cluster.kubectl(['apply', '-f', '-'], { input: workload(BLOCKED) });
    await waitFor(async () => {
      const pdb = await getJson<Json>(cluster, ['pdb', 'web', '-n', 'apps']);
      return pdb.status?.currentHealthy === 1 && pdb.status?.disruptionsAllowed === 0;
    }, { timeoutMs: 10_000, intervalMs: 100, message: 'the budget to count the running pod and allow no disruption' });

    const nodeWatch = watchNodes(cluster);
    const cvWatch = watchJson<ClusterVersion>(cluster, ['clusterversion', 'version']);
    const target = await upgradeTo(cluster, '4.2.0', old);

    const blocked = await waitFor(async () => {
      const reason = (await getNode(cluster, BLOCKED)).metadata?.annotations?.[REASON_ANNOTATION];
      return reason?.startsWith('Draining:') && reason;
    }, { timeoutMs: 20_000, intervalMs: 100, message: `${BLOCKED} to report its blocked drain` });
    assert.match(blocked, BLOCKED_BY_BUDGET);

    // The others roll through the slot worker-0 leaves: every one of them ends Done on the target.
    await waitFor(() => {
      const done = nodeWatch.doneRv(target);
      return done.size === NODES - 1 && !done.has(BLOCKED);
    }, { timeoutMs: 30_000, intervalMs: 50, message: `the ${NODES - 1} other nodes to finish` });
    const node = await getNode(cluster, BLOCKED);
    const a = node.metadata?.annotations ?? {};
    assert.deepEqual(
      [a[DESIRED_CONFIG_ANNOTATION], a[CURRENT_CONFIG_ANNOTATION], a[STATE_ANNOTATION], node.spec?.unschedulable],
      [target, old, 'Working', true],
      `${BLOCKED} is still cordoned and draining once the others are done`,
    );
    assert.match(a[REASON_ANNOTATION] ?? '', BLOCKED_BY_BUDGET);
    const drainBlocked = await waitFor(async () => {
      const events = await getJson<{ items: Json[] }>(cluster, ['events', '-A']);
      return events.items.find((e) => e.reason === 'DrainBlocked' && e.involvedObject?.name === BLOCKED);
    }, { timeoutMs: 5_000, intervalMs: 100, message: 'a DrainBlocked Event on the node' });
    assert.equal(drainBlocked.type, 'Warning');
    assert.match(drainBlocked.message, BLOCKED_BY_BUDGET);
    await getJson(cluster, ['pod', 'web-0', '-n', 'apps']); // not evicted

    const pool = await waitFor(async () => {
      const p = await workerPool(cluster);
      return p.status?.updatedMachineCount === NODES - 1 && BLOCKED_BY_BUDGET.test(conditionOf(p, 'Updating')?.message ?? '') && p;
    }, { timeoutMs: 5_000, intervalMs: 100, message: 'the pool to count the updated nodes and name the held drain' });
    assert.equal(conditionOf(pool, 'Updating')?.status, 'True');
    assert.match(conditionOf(pool, 'Updating')?.message ?? '', new RegExp(`\\(${NODES - 1} of ${NODES} nodes updated\\).*; Node ${BLOCKED}: Draining`));
    assert.equal(conditionOf(pool, 'Degraded')?.status, 'False', 'a blocked drain is not a failure before the drain timeout');
    assert.equal(pool.status?.unavailableMachineCount, 1);
    // What `kubectl get clusterversion` shows meanwhile: still working towards 4.2.0, waiting on machine-config.
    const status = await waitFor(async () => {
      const s = await clusterVersionStatus(cluster);
      return /waiting on machine-config/.test(s) && s;
    }, { timeoutMs: 10_000, intervalMs: 200, message: 'the ClusterVersion to say it waits on machine-config' });
    assert.match(status, /^Working towards 4\.2\.0: /);

    await cluster.kubectl(['delete', 'pdb', 'web', '-n', 'apps']);
    await waitForCompleted(cluster, '4.2.0');
    assert.equal(await allNodesOn(cluster, osImageOf('4.2.0')), target);
    assert.deepEqual((await getJson<{ items: Json[] }>(cluster, ['pods', '-n', 'apps'])).items, [], 'the pod was evicted once the budget was gone');
    await nodeWatch.waitForDone(target, NODES);
    await nodeWatch.stop();
    await cvWatch.stop();

    assert.equal(nodeWatch.maxUnavailable(), 2, 'never more than maxUnavailable nodes unavailable, and the budget is used');
    const completed = cvWatch.observed().find((o) => isCompleted(o.object, '4.2.0'));
    assert.ok(completed, 'the ClusterVersion watch saw the update complete');
    const blockedDoneRv = nodeWatch.doneRv(target).get(BLOCKED)!;
    assert.ok(blockedDoneRv < resourceVersionOf(completed.object), `${BLOCKED} was Done (rv ${blockedDoneRv}) before the ClusterVersion completed`);
  });
});
