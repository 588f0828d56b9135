// The end to end on the dev cluster: `kubectl patch clusterversion` from 4.1.0 to 4.2.0 rolls 10 hollow
// nodes to the 4.2.0 OS with the payload's worker pool (maxUnavailable 2). The real kubectl watches the Nodes and
// the ClusterVersion throughout: never more than 2 nodes unavailable, every node ends on the 4.2.0 osImage, and
// the ClusterVersion's history says Completed only in a write after the last node's Done (the embedded server has
// one resourceVersion counter for all objects, as etcd's revision, so the two watches are ordered).
// PDB-blocked drains, rollback, pause/resume and the canary: operators/machine-config/rollout.integration.test.ts.
import assert from 'node:assert/strict';
import { waitFor } from '../../../operators/runtime/wait.ts';
import { allNodesOn, getJson, osImageOf, splitJsonStream, startRolloutDevCluster, watchNodes, type RolloutDevCluster } from './harness.ts';

type Json = any;
const NODES = 10;
const MAX_UNAVAILABLE = 2;

const completed = (cv: Json, version: string) => cv?.status?.history?.[0]?.version === version && cv.status.history[0].state === 'Completed';

describe('OS rollout end to end: a ClusterVersion upgrade rolls the nodes', function () {
  this.timeout(120_000);
  let cluster: RolloutDevCluster;
  after(async () => {
    await cluster?.stop();
  });

  it('upgrades 4.1.0 to 4.2.0 never more than 2 nodes unavailable, every node on 4.2.0, Completed only after the last node', async () => {
    cluster = await startRolloutDevCluster(NODES, {
      clusterVersion: { reconcileIntervalMs: 500, statusIntervalMs: 200, updatePollIntervalMs: 1_000, minRequeueAfterMs: 20 },
    });
    await waitFor(async () => completed(await getJson(cluster, ['clusterversion', 'version']), '4.1.0'), { timeoutMs: 60_000, intervalMs: 300, message: 'the 4.1.0 install to complete' });
    const pool = await getJson<Json>(cluster, ['machineconfigpool', 'worker']);
    assert.equal(pool.spec.maxUnavailable, MAX_UNAVAILABLE, 'the worker pool comes from the payload');
    const old = await waitFor(() => allNodesOn(cluster, osImageOf('4.1.0')), { timeoutMs: 10_000, intervalMs: 200, message: 'every node adopted on 4.1.0' });

    const nodeWatch = watchNodes(cluster);
    const cvWatch = cluster.kubectlStart(['get', 'clusterversion', 'version', '-w', '-o', 'json']);
    await cluster.kubectl(['patch', 'clusterversion', 'version', '--type', 'merge', '-p', '{"spec":{"desiredUpdate":{"version":"4.2.0"}}}']);

    const cv = await waitFor(async () => {
      const v = await getJson<Json>(cluster, ['clusterversion', 'version']);
      return completed(v, '4.2.0') && v;
    }, { timeoutMs: 90_000, intervalMs: 300, message: 'the 4.2.0 update to complete' });
    const target = await allNodesOn(cluster, osImageOf('4.2.0'));
    assert.ok(target && target !== old, 'every node runs the 4.2.0 config and osImage when the ClusterVersion completes');
    await waitFor(() => nodeWatch.doneRv(target).size === NODES, { timeoutMs: 5_000, message: 'the kubectl watch to show every node Done' });
    await nodeWatch.stop();
    await cvWatch.stop();

    assert.equal(nodeWatch.maxUnavailable(), MAX_UNAVAILABLE, 'never more than maxUnavailable nodes unavailable, and the budget is used');
    const completedRv = (splitJsonStream(cvWatch.stdout()).documents as Json[]).find((v) => completed(v, '4.2.0'))?.metadata.resourceVersion;
    assert.ok(completedRv, 'the ClusterVersion watch saw the update complete');
    const lastNodeRv = Math.max(...nodeWatch.doneRv(target).values());
    assert.ok(lastNodeRv < Number(completedRv), `the last node was Done (rv ${lastNodeRv}) before the ClusterVersion completed (rv ${completedRv})`);
    assert.equal(cv.status.desired.version, '4.2.0');
    const co = await getJson<Json>(cluster, ['clusteroperator', 'machine-config']);
    assert.equal(co.status.versions.find((v: Json) => v.name === 'operator')?.version, '4.2.0');
  });
});
