// The canary gate in a ClusterVersion upgrade, all through the real kubectl: before the upgrade the admin sets
// `kubectl patch machineconfigpool worker` spec.canary {nodes: 1, soakSeconds: 2}, then patches the ClusterVersion
// to 4.2.0. The Nodes' watch shows one node updating alone, and no second node starting before the canary has been
// Ready (its Ready condition's lastTransitionTime after the reboot) for the soak time; then the rest roll with
// maxUnavailable 2 and the ClusterVersion completes. A start's time is when the watch read it, later than the write
// by tens of ms at most: a gate that did not hold would show a start seconds early.
import assert from 'node:assert/strict';
import type { MachineConfigPool } from '../../../operators/api/machineconfiguration-v1.ts';
import {
  allNodesOn,
  conditionOf,
  CVO_TUNING,
  getNode,
  osImageOf,
  startRolloutDevCluster,
  upgradeTo,
  waitForCompleted,
  waitForInstalled,
  watchJson,
  watchNodes,
  type RolloutDevCluster,
} from './harness.ts';

const NODES = 6;
/** The canary's soak, in seconds (the CRD takes whole seconds). */
const SOAK_SECONDS = 2;

describe('OS rollout end to end: the canary gate of a ClusterVersion upgrade', function () {
  this.timeout(120_000);
  let cluster: RolloutDevCluster;
  after(async () => {
    await cluster?.stop();
  });

  it('updates one node alone, starts no other before it has been Ready for the soak, then rolls the rest with maxUnavailable', async () => {
    cluster = await startRolloutDevCluster(NODES, { clusterVersion: CVO_TUNING });
    const old = await waitForInstalled(cluster);
    await cluster.kubectl(['patch', 'machineconfigpool', 'worker', '--type', 'merge', '-p', JSON.stringify({ spec: { canary: { nodes: 1, soakSeconds: SOAK_SECONDS } } })]);

    const nodeWatch = watchNodes(cluster);
    const poolWatch = watchJson<MachineConfigPool>(cluster, ['machineconfigpool', 'worker']);
    const target = await upgradeTo(cluster, '4.2.0', old);
    await waitForCompleted(cluster, '4.2.0');
    assert.equal(await allNodesOn(cluster, osImageOf('4.2.0')), target);
    await nodeWatch.waitForDone(target, NODES);
    await nodeWatch.stop();
    await poolWatch.stop();

    const [canary, ...rest] = nodeWatch.starts(target);
    assert.ok(canary);
    assert.equal(rest.length, NODES - 1, 'every node started once');
    const canaryDoneRv = nodeWatch.doneRv(target).get(canary.node)!;
    const readyCondition = (await getNode(cluster, canary.node)).status?.conditions?.find((c) => c.type === 'Ready');
    const canaryReadySince = Date.parse(String(readyCondition?.lastTransitionTime));
    for (const start of rest) {
      assert.ok(start.resourceVersion > canaryDoneRv, `${start.node} started after the canary ${canary.node} was Done`);
      assert.ok(
        start.atMs >= canaryReadySince + SOAK_SECONDS * 1000,
        `${start.node} started ${start.atMs - canaryReadySince} ms after the canary became Ready, before the ${SOAK_SECONDS} s soak`,
      );
    }
    // What the pool said while the canary soaked, last: the canary counted, and when the gate opens.
    const soaking = poolWatch.observed().map((o) => conditionOf(o.object, 'Updating')).filter((c) => c?.reason === 'CanarySoaking').at(-1);
    assert.equal(
      soaking?.message,
      `All nodes are updating to MachineConfig ${target} (1 of ${NODES} nodes updated); Canary: 1 updated node(s) must stay Ready for ${SOAK_SECONDS}s before the rest start (1 updated and Ready); the soak ends at ${new Date(canaryReadySince + SOAK_SECONDS * 1000).toISOString()}`,
    );
    assert.equal(nodeWatch.maxUnavailable(), 2, 'after the soak the rest roll two at a time');
  });
});
