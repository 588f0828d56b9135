// The end to end on the dev cluster: `kubectl patch clusterversion` from 4.1.0 to 4.2.0 rolls 10 hollow
// nodes to the 4.2.0 OS with the payload's worker pool (maxUnavailable 2). The real kubectl watches the Nodes and
// the ClusterVersion throughout: never more than 2 nodes unavailable, every node ends on the 4.2.0 osImage, and
// the ClusterVersion's history says Completed only in a write after the last node's Done (the embedded server has
// one resourceVersion counter for all objects, as etcd's revision, so the two watches are ordered).
// The same upgrade with the rollout's safety features: pdb.test.ts (a drain blocked by a PodDisruptionBudget),
// rollback.test.ts (a node failing after its update), pause.test.ts, canary.test.ts; without the CVO, on the
// embedded API server: operators/machine-config/rollout.integration.test.ts.
import assert from 'node:assert/strict';
import type { ClusterVersion } from '../../../operators/api/config-v1.ts';
import {
  allNodesOn,
  CVO_TUNING,
  getJson,
  isCompleted,
  osImageOf,
  resourceVersionOf,
  startRolloutDevCluster,
  upgradeTo,
  waitForCompleted,
  waitForInstalled,
  watchJson,
  watchNodes,
  type RolloutDevCluster,
} from './harness.ts';

type Json = any;
const NODES = 10;
const MAX_UNAVAILABLE = 2;

describe('OS rollout end to end: a ClusterVersion upgrade rolls the nodes', function () {
  this.timeout(120_000);
  let cluster: RolloutDevCluster;
  after(async () => {
    await cluster?.stop();
  });

  it('upgrades 4.1.0 to 4.2.0 never more than 2 nodes unavailable, every node on 4.2.0, Completed only after the last node', async () => {
    cluster = await startRolloutDevCluster(NODES, { clusterVersion: CVO_TUNING });
    const old = await waitForInstalled(cluster);
    const pool = await getJson<Json>(cluster, ['machineconfigpool', 'worker']);
    assert.equal(pool.spec.maxUnavailable, MAX_UNAVAILABLE, 'the worker pool comes from the payload');

    const nodeWatch = watchNodes(cluster);
    const cvWatch = watchJson<ClusterVersion>(cluster, ['clusterversion', 'version']);
    await upgradeTo(cluster, '4.2.0', old);

    const cv = await waitForCompleted(cluster, '4.2.0', 90_000);
    const target = await allNodesOn(cluster, osImageOf('4.2.0'));
    assert.ok(target && target !== old, 'every node runs the 4.2.0 config and osImage when the ClusterVersion completes');
    await nodeWatch.waitForDone(target, NODES);
    await nodeWatch.stop();
    await cvWatch.stop();

    assert.equal(nodeWatch.maxUnavailable(), MAX_UNAVAILABLE, 'never more than maxUnavailable nodes unavailable, and the budget is used');
    const completedDoc = cvWatch.observed().find((o) => isCompleted(o.object, '4.2.0'));
    assert.ok(completedDoc, 'the ClusterVersion watch saw the update complete');
    const completedRv = resourceVersionOf(completedDoc.object);
    const lastNodeRv = Math.max(...nodeWatch.doneRv(target).values());
    assert.ok(lastNodeRv < completedRv, `the last node was Done (rv ${lastNodeRv}) before the ClusterVersion completed (rv ${completedRv})`);
    assert.equal(cv.status?.desired?.version, '4.2.0');
    const co = await getJson<Json>(cluster, ['clusteroperator', 'machine-config']);
    assert.equal(co.status.versions.find((v: Json) => v.name === 'operator')?.version, '4.2.0');
  });
});
