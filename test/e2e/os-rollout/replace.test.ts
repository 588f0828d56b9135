// The Replace strategy end to end on the dev cluster: a MachineSet of 4 local Machines in the worker pool, switched to
// `osUpdate.strategy: Replace` (maxSurge 1, maxUnavailable 1), and `kubectl patch clusterversion` from 4.1.0 to 4.2.0.
// The machine-config operator puts the payload's 4.2.0 local boot image into the MachineSet and replaces its Machines.
// The real kubectl watches Machines, Nodes and the ClusterVersion throughout (`--output-watch-events`, so deletions
// show): never more than R + 1 Machines, never fewer than R − 1 available Nodes, each old Node cordoned before its
// Machine went, every Node at the end on the 4.2.0 OS and kubelet, and the ClusterVersion Completed only in a write
// after the last replacement (the embedded server has one resourceVersion counter for all objects, so the watches
// are ordered against each other).
import assert from 'node:assert/strict';
import { demoLocalBootImage, demoNodeInfo } from '../../../devcluster/releases/demo-manifests.ts';
import type { ClusterVersion } from '../../../operators/api/config-v1.ts';
import type { Machine, MachineSet } from '../../../operators/api/machine-v1beta1.ts';
import { isUnavailableForTest } from '../../../operators/machine-config/integration.test-util.ts';
import type { NodeObject } from '../../../operators/machine-config/pool-node.ts';
import { waitFor } from '../../../operators/runtime/wait.ts';
import type { KubectlRunner } from '../../support/dev-server.ts';
import {
  allNodesOn,
  clusterVersion,
  CVO_TUNING,
  getJson,
  isCompleted,
  osImageOf,
  resourceVersionOf,
  startRolloutDevCluster,
  upgradeTo,
  waitForCompleted,
  watchJson,
  type JsonWatch,
  type RolloutDevCluster,
} from './harness.ts';

const REPLICAS = 4;
const MAX_SURGE = 1;
const MAX_UNAVAILABLE = 1;
const NAMESPACE = 'openshift-machine-api';

/** A document of `kubectl get -w --output-watch-events -o json`. */
interface WatchEvent<T> {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
  readonly object: T;
}

function machineSet(image: string): MachineSet {
  const labels = { 'machine.openshift.io/cluster-api-cluster': 'local', 'machine.openshift.io/cluster-api-machineset': 'replaced-workers' };
  return {
    apiVersion: 'machine.openshift.io/v1beta1',
    kind: 'MachineSet',
    metadata: { name: 'replaced-workers', namespace: NAMESPACE },
    spec: {
      replicas: REPLICAS,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          metadata: { labels: { 'node-role.kubernetes.io/worker': '' } },
          providerSpec: { value: { apiVersion: 'machine.openshift.io/v1beta1', kind: 'LocalMachineProviderSpec', instanceType: 'local.small', zone: 'local-a', image } },
        },
      },
    },
  };
}

const imageOf = (m: Machine | MachineSet) =>
  ('template' in (m.spec ?? {}) ? (m as MachineSet).spec?.template?.spec : (m as Machine).spec)?.providerSpec?.value?.image;

/** Watches with deletions: `kubectl get <args> -w --output-watch-events -o json`. */
function watchEvents<T>(target: KubectlRunner, args: string[]): JsonWatch<WatchEvent<T>> {
  return watchJson<WatchEvent<T>>(target, [...args, '--output-watch-events']);
}

describe('OS rollout end to end: osUpdate.strategy Replace replaces the Machines of a MachineSet', function () {
  this.timeout(120_000);
  let cluster: RolloutDevCluster;
  after(async () => {
    await cluster?.stop();
  });

  it('upgrades 4.1.0 to 4.2.0 by replacing 4 Machines, never more than 5 Machines nor fewer than 3 available Nodes, Completed only after the last', async () => {
    cluster = await startRolloutDevCluster(0, { clusterVersion: CVO_TUNING, cloud: { terminateDelayMs: 100 } });
    await waitFor(async () => isCompleted(await clusterVersion(cluster), '4.1.0'), { timeoutMs: 60_000, intervalMs: 300, message: 'the 4.1.0 install to complete' });
    await cluster.kubectl(['patch', 'machineconfigpool', 'worker', '--type', 'merge', '-p', JSON.stringify({
      spec: { maxUnavailable: MAX_UNAVAILABLE, osUpdate: { strategy: 'Replace', maxSurge: MAX_SURGE } },
    })]);
    // The installer writes the install release's boot image into the MachineSet.
    await cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify(machineSet(demoLocalBootImage('4.1.0'))) });
    const old = await waitFor(async () => (await getJson<{ items: NodeObject[] }>(cluster, ['nodes'])).items.length === REPLICAS && allNodesOn(cluster, osImageOf('4.1.0')), {
      timeoutMs: 20_000, intervalMs: 200, message: `${REPLICAS} nodes adopted on 4.1.0`,
    });
    const oldMachines = new Set((await getJson<{ items: Machine[] }>(cluster, ['machines', '-n', NAMESPACE])).items.map((m) => m.metadata.name));

    const machineWatch = watchEvents<Machine>(cluster, ['machines', '-n', NAMESPACE]);
    const nodeWatch = watchEvents<NodeObject>(cluster, ['nodes']);
    const cvWatch = watchJson<ClusterVersion>(cluster, ['clusterversion', 'version']);
    const target = await upgradeTo(cluster, '4.2.0', old);
    await waitForCompleted(cluster, '4.2.0', 60_000);
    // Let the watches print the writes that came before the Completed one.
    await waitFor(() => cvWatch.observed().some((o) => isCompleted(o.object, '4.2.0')), { timeoutMs: 5_000, message: 'the ClusterVersion watch to show Completed' });
    await Promise.all([machineWatch.stop(), nodeWatch.stop(), cvWatch.stop()]);

    // The Machines: at most R + maxSurge at once; every old one deleted.
    const machines = new Map<string, Machine>();
    let maxMachines = 0;
    const machineGoneRv = new Map<string, number>();
    const nodeOfMachine = new Map<string, string>();
    for (const { object: { type, object } } of machineWatch.observed()) {
      const name = object.metadata.name ?? '';
      if (object.status?.nodeRef?.name) nodeOfMachine.set(name, object.status.nodeRef.name);
      if (type === 'DELETED') {
        machines.delete(name);
        machineGoneRv.set(name, resourceVersionOf(object));
      } else machines.set(name, object);
      maxMachines = Math.max(maxMachines, machines.size);
    }
    assert.equal(maxMachines, REPLICAS + MAX_SURGE, 'never more than R + maxSurge Machines, and the surge is used');
    assert.deepEqual([...machineGoneRv.keys()].sort(), [...oldMachines].sort(), 'every old Machine, and only those, went');

    // The Nodes: at least R − maxUnavailable available once the initial list is in; each old one cordoned before its
    // Machine went; the last new one Done on the target before the ClusterVersion completed.
    const nodes = new Map<string, NodeObject>();
    let minAvailable = Infinity;
    const cordonedRv = new Map<string, number>();
    let lastDoneRv = 0;
    for (const { object: { type, object } } of nodeWatch.observed()) {
      const name = object.metadata?.name ?? '';
      if (type === 'DELETED') nodes.delete(name);
      else nodes.set(name, object);
      if (object.spec?.unschedulable && !cordonedRv.has(name)) cordonedRv.set(name, resourceVersionOf(object));
      const a = object.metadata?.annotations ?? {};
      if (type !== 'DELETED' && a['machineconfiguration.openshift.io/currentConfig'] === target && !isUnavailableForTest(object)) lastDoneRv = Math.max(lastDoneRv, resourceVersionOf(object));
      if (nodes.size >= REPLICAS || minAvailable !== Infinity) minAvailable = Math.min(minAvailable, [...nodes.values()].filter((n) => !isUnavailableForTest(n)).length);
    }
    assert.ok(minAvailable >= REPLICAS - MAX_UNAVAILABLE, `never fewer than R − maxUnavailable available Nodes (saw ${minAvailable})`);
    for (const [machine, goneRv] of machineGoneRv) {
      const node = nodeOfMachine.get(machine)!;
      const cordoned = cordonedRv.get(node);
      assert.ok(cordoned !== undefined && cordoned < goneRv, `Node ${node} was cordoned (rv ${cordoned}) before Machine ${machine} went (rv ${goneRv})`);
    }

    // The end: every Node on the 4.2.0 OS and kubelet, the MachineSet on the 4.2.0 boot image, Completed after all that.
    const want = demoNodeInfo('4.2.0');
    const finalNodes = (await getJson<{ items: NodeObject[] }>(cluster, ['nodes'])).items;
    assert.equal(finalNodes.length, REPLICAS);
    for (const node of finalNodes) {
      assert.equal(node.status?.nodeInfo?.osImage, want.osImage, node.metadata?.name);
      assert.equal(node.status?.nodeInfo?.kubeletVersion, want.kubeletVersion, node.metadata?.name);
      assert.equal(node.metadata?.annotations?.['machineconfiguration.openshift.io/currentConfig'], target, node.metadata?.name);
    }
    const ms = await getJson<MachineSet>(cluster, ['machineset', 'replaced-workers', '-n', NAMESPACE]);
    assert.equal(imageOf(ms), demoLocalBootImage('4.2.0'));
    assert.equal(ms.spec?.replicas, REPLICAS);
    const completedRv = resourceVersionOf(cvWatch.observed().find((o) => isCompleted(o.object, '4.2.0'))!.object);
    const lastReplacementRv = Math.max(lastDoneRv, ...machineGoneRv.values());
    assert.ok(lastReplacementRv < completedRv, `the last replacement (rv ${lastReplacementRv}) came before the ClusterVersion completed (rv ${completedRv})`);
  });
});
