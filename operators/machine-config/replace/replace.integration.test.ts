// The Replace strategy against the embedded API server, with the Machine API operator and the local cloud: a release's
// boot image reaches a MachineSet and its Machines are replaced within maxSurge and maxUnavailable, across an operator
// restart, with maxSurge 0, and with the MachineSet scaled by a user mid-rollout; a boot image the cloud does not have
// and boot images of another release are reported on the pool; the operator starts without the Machine API.
import assert from 'node:assert/strict';
import { ApiextensionsV1Api, KubeConfig } from '@kubernetes/client-node';
import { demoLocalBootImage, demoNodeInfo } from '../../../devcluster/releases/demo-manifests.ts';
import { startTestServer } from '../../../test/support/dev-server.ts';
import { machineCrds } from '../../../test/support/machine-crds.ts';
import { MACHINE_API_NAMESPACE } from '../../api/machine-v1beta1.ts';
import { MACHINE_CONFIG_OPERATOR_NAMESPACE } from '../../api/machineconfiguration-v1.ts';
import { kubeJson } from '../../runtime/kube-http.ts';
import { resourcePath } from '../../runtime/resource-client.ts';
import { waitFor } from '../../runtime/wait.ts';
import { MACHINE_SETS, POOLS } from '../context.ts';
import { osImageUrlData, RELEASE_4_1, RELEASE_4_2, WORKER_SELECTOR } from '../integration.test-util.ts';
import { buildMachineConfigOperator } from '../operator.ts';
import { startReplaceCluster, waitForPoolUpdated, type ReplaceCluster } from './integration.test-util.ts';

type Json = any;
const condition = (obj: Json, type: string) => obj?.status?.conditions?.find((c: Json) => c.type === type);
const imageOf = (obj: Json) => obj.spec?.template?.spec?.providerSpec?.value?.image ?? obj.spec?.providerSpec?.value?.image;

/** The worker pool with `spec`, a MachineSet `workers` of `replicas` on 4.1.0, every Node adopted; the 4.1.0 config. */
async function installedOn41(cluster: ReplaceCluster, replicas: number, spec: Json): Promise<string> {
  await cluster.setRelease('4.1.0');
  await cluster.patchPool('worker', spec);
  await cluster.createMachineSet('workers', replicas, demoLocalBootImage('4.1.0'));
  const pool = await waitFor(async () => {
    const p = await cluster.pool('worker');
    return p.status?.updatedMachineCount === replicas && condition(p, 'Updated')?.status === 'True' && p;
  }, { timeoutMs: 20_000, intervalMs: 50, message: `${replicas} nodes adopted on 4.1.0` });
  return pool.spec!.configuration!.name!;
}

/** Applies 4.2.0 and waits for the pool to target its config. */
async function upgradeTo42(cluster: ReplaceCluster, from: string, options?: { localBootImage?: string }): Promise<string> {
  cluster.record.reset();
  await cluster.setRelease('4.2.0', options);
  return waitFor(async () => {
    const name = (await cluster.pool('worker')).spec?.configuration?.name;
    return name !== from && name;
  }, { timeoutMs: 5_000, message: 'the pool to target the 4.2.0 config' });
}

/** Every Node of the pool reports 4.2.0, the MachineSet names the 4.2.0 boot image at `replicas`, no annotation left. */
async function assertAllOn42(cluster: ReplaceCluster, replicas: number): Promise<void> {
  const want = demoNodeInfo('4.2.0');
  const nodes = await cluster.nodes();
  assert.equal(nodes.length, replicas);
  for (const node of nodes) {
    assert.equal(node.status?.nodeInfo?.osImage, want.osImage, node.metadata?.name);
    assert.equal(node.status?.nodeInfo?.kubeletVersion, want.kubeletVersion, node.metadata?.name);
  }
  const ms = await cluster.machineSet('workers');
  assert.equal(imageOf(ms), demoLocalBootImage('4.2.0'));
  assert.equal(ms.spec?.replicas, replicas);
  assert.deepEqual(Object.keys(ms.metadata.annotations ?? {}).filter((k) => k.startsWith('machine-fleet.io/replace')), []);
  const machines = await cluster.machines();
  assert.equal(machines.length, replicas);
  assert.ok(machines.every((m) => imageOf(m) === demoLocalBootImage('4.2.0')));
}

describe('machine-config Replace strategy with the Machine API and the local cloud', function () {
  this.timeout(60_000);
  let cluster: ReplaceCluster;
  afterEach(async () => {
    await cluster?.stop();
  });

  it('replaces 4 Machines with maxSurge 1 and maxUnavailable 1 across an operator restart, never more than 5 Machines nor fewer than 3 available, each old Node cordoned before it goes', async () => {
    cluster = await startReplaceCluster();
    let operator = await cluster.startMachineConfigOperator();
    const old = await installedOn41(cluster, 4, { maxUnavailable: 1, osUpdate: { strategy: 'Replace', maxSurge: 1 } });
    await upgradeTo42(cluster, old);

    // Stop the operator mid-rollout: the next one continues from the MachineSet's annotations.
    await waitFor(async () => (await cluster.machines()).some((m) => m.metadata.deletionTimestamp), { timeoutMs: 15_000, intervalMs: 20, message: 'an old Machine to be deleted' });
    const midway = await cluster.pool('worker');
    assert.equal(condition(midway, 'Updated')?.status, 'False');
    assert.equal((await cluster.machineSet('workers')).metadata.annotations?.['machine-fleet.io/replace-base-replicas'], '4');
    await operator.stop();
    operator = await cluster.startMachineConfigOperator();

    const pool = await waitForPoolUpdated(cluster, 'worker');
    assert.equal(pool.status?.updatedMachineCount, 4);
    await assertAllOn42(cluster, 4);
    assert.ok(cluster.record.maxMachines() <= 5, `at most R + maxSurge Machines (saw ${cluster.record.maxMachines()})`);
    assert.equal(cluster.record.maxMachines(), 5, 'the surge is used');
    assert.ok(cluster.record.minAvailable() >= 3, `at least R − maxUnavailable available (saw ${cluster.record.minAvailable()})`);
    const deleted = cluster.record.deletedNodes();
    assert.equal(deleted.size, 4, 'every old Node went');
    for (const [name, { cordonedBefore }] of deleted) assert.ok(cordonedBefore, `Node ${name} was cordoned (drained) before it went`);
  });

  it('deletes first with maxSurge 0, never more than R Machines', async () => {
    cluster = await startReplaceCluster();
    await cluster.startMachineConfigOperator();
    const old = await installedOn41(cluster, 3, { maxUnavailable: 1, osUpdate: { strategy: 'Replace', maxSurge: 0 } });
    await upgradeTo42(cluster, old);
    await waitForPoolUpdated(cluster, 'worker');
    await assertAllOn42(cluster, 3);
    assert.equal(cluster.record.maxMachines(), 3);
    assert.ok(cluster.record.minAvailable() >= 2, `at least R − maxUnavailable available (saw ${cluster.record.minAvailable()})`);
  });

  it('holds replacements while paused, and takes a MachineSet scaled by a user mid-rollout as its new size', async () => {
    cluster = await startReplaceCluster();
    await cluster.startMachineConfigOperator();
    const old = await installedOn41(cluster, 3, { maxUnavailable: 1, osUpdate: { strategy: 'Replace', maxSurge: 1 } });
    await upgradeTo42(cluster, old);
    await waitFor(async () => (await cluster.machines()).some((m) => imageOf(m) === demoLocalBootImage('4.2.0')), { timeoutMs: 10_000, intervalMs: 20, message: 'a new Machine' });
    // Paused: the replacement under way finishes, no other begins, and the MachineSet stays mid-rollout.
    await cluster.patchPool('worker', { paused: true });
    const paused = await waitFor(async () => {
      const p = await cluster.pool('worker');
      return condition(p, 'Updating')?.reason === 'Paused' && p;
    }, { timeoutMs: 5_000, intervalMs: 20, message: 'the pool to report Paused' });
    assert.equal(condition(paused, 'Updated')?.status, 'False');
    assert.equal((await cluster.machineSet('workers')).metadata.annotations?.['machine-fleet.io/replace-base-replicas'], '3');
    // 5 is a value the operator never writes for 3 replicas with maxSurge 1 and maxUnavailable 1 (it writes 2 to 4):
    // a user's value equal to the operator's own cannot be told apart from it.
    await kubeJson(cluster.kc, resourcePath(MACHINE_SETS, MACHINE_API_NAMESPACE, 'workers'), { method: 'PATCH', contentType: 'application/merge-patch+json', body: { spec: { replicas: 5 } } });
    await waitFor(async () => (await cluster.machineSet('workers')).metadata.annotations?.['machine-fleet.io/replace-base-replicas'] === '5', {
      timeoutMs: 5_000, intervalMs: 20, message: 'the new base recorded',
    });
    assert.ok((await cluster.machines()).some((m) => imageOf(m) === demoLocalBootImage('4.1.0')), 'old Machines wait while paused');
    await cluster.patchPool('worker', { paused: false });
    await waitFor(async () => {
      const pool = await cluster.pool('worker');
      return condition(pool, 'Updated')?.status === 'True' && pool.status?.updatedMachineCount === 5;
    }, { timeoutMs: 30_000, intervalMs: 50, message: 'the pool Updated with 5 nodes' });
    await assertAllOn42(cluster, 5);
    assert.ok(cluster.record.maxMachines() <= 6, `at most the new size + maxSurge (saw ${cluster.record.maxMachines()})`);
  });

  it('reports a new Machine whose boot image the cloud does not have, and stops there', async () => {
    cluster = await startReplaceCluster();
    await cluster.startMachineConfigOperator();
    const old = await installedOn41(cluster, 2, { maxUnavailable: 1, osUpdate: { strategy: 'Replace', maxSurge: 1 } });
    await upgradeTo42(cluster, old, { localBootImage: 'rhcos-missing' });
    // Once the MachineSet has settled (an old Machine may have been on its way out when the new one failed).
    const pool = await waitFor(async () => {
      const p = await cluster.pool('worker');
      return /failed on the new boot image/.test(condition(p, 'NodeDegraded')?.message ?? '') && condition(p, 'Updating')?.reason === 'MachineFailed' && p;
    }, { timeoutMs: 15_000, intervalMs: 50, message: 'the pool to report the failed Machine and stop' });
    assert.match(condition(pool, 'NodeDegraded').message, /Machine openshift-machine-api\/workers-\S+ failed on the new boot image: spec\.providerSpec\.value\.image: Invalid value: "rhcos-missing": no such image in the local cloud/);
    assert.equal(condition(pool, 'Degraded')?.status, 'True');
    const machines = await cluster.machines();
    assert.ok(machines.filter((m) => imageOf(m) === demoLocalBootImage('4.1.0') && !m.metadata.deletionTimestamp).length >= 1, 'at most maxUnavailable old Machines went');
  });

  it('waits, naming the key, while the boot images are for another release, and reports them missing', async () => {
    cluster = await startReplaceCluster();
    await cluster.startMachineConfigOperator();
    const old = await installedOn41(cluster, 1, { osUpdate: { strategy: 'Replace' } });
    // The CVO applies the osimageurl ConfigMap first: the boot images still name 4.1.0.
    await kubeJson(cluster.kc, `/api/v1/namespaces/${MACHINE_CONFIG_OPERATOR_NAMESPACE}/configmaps/machine-config-osimageurl`, {
      method: 'PUT',
      body: { metadata: { name: 'machine-config-osimageurl', namespace: MACHINE_CONFIG_OPERATOR_NAMESPACE }, data: osImageUrlData(RELEASE_4_2) },
    });
    const waiting = await waitFor(async () => {
      const p = await cluster.pool('worker');
      return p.spec?.configuration?.name !== old && condition(p, 'Updating')?.reason === 'BootImagesOutdated' && p;
    }, { timeoutMs: 5_000, intervalMs: 50, message: 'the pool to wait for the boot images' });
    assert.match(condition(waiting, 'Updating').message, /ConfigMap openshift-machine-config-operator\/coreos-bootimages data\.releaseVersion is "4\.1\.0", ConfigMap openshift-machine-config-operator\/machine-config-osimageurl data\.releaseVersion is "4\.2\.0"/);
    assert.equal(imageOf(await cluster.machineSet('workers')), demoLocalBootImage('4.1.0'), 'the template is left alone');

    await kubeJson(cluster.kc, `/api/v1/namespaces/${MACHINE_CONFIG_OPERATOR_NAMESPACE}/configmaps/coreos-bootimages`, { method: 'DELETE' });
    const missing = await waitFor(async () => {
      const p = await cluster.pool('worker');
      return condition(p, 'RenderDegraded')?.status === 'True' && p;
    }, { timeoutMs: 5_000, intervalMs: 50, message: 'the pool to report the missing boot images' });
    assert.equal(condition(missing, 'RenderDegraded').message, 'ConfigMap openshift-machine-config-operator/coreos-bootimages not found: the release payload has not been applied yet');
  });
});

describe('machine-config operator without the Machine API', function () {
  this.timeout(20_000);

  it('starts, rolls InPlace pools without looking at boot images, and says a Replace pool needs the Machine API', async () => {
    const server = await startTestServer({ ephemeral: true });
    const kc = new KubeConfig();
    kc.loadFromFile(server.api.kubeconfigPath);
    const stop = new AbortController();
    let done: Promise<void> | undefined;
    try {
      const api = kc.makeApiClient(ApiextensionsV1Api);
      for (const body of machineCrds().filter((c) => !c.spec.group.startsWith('machine.openshift.io'))) await api.createCustomResourceDefinition({ body });
      await kubeJson(kc, '/api/v1/namespaces', { method: 'POST', body: { metadata: { name: MACHINE_CONFIG_OPERATOR_NAMESPACE } } });
      await kubeJson(kc, `/api/v1/namespaces/${MACHINE_CONFIG_OPERATOR_NAMESPACE}/configmaps`, {
        method: 'POST', body: { metadata: { name: 'machine-config-osimageurl' }, data: osImageUrlData(RELEASE_4_1) },
      });
      const pool = (name: string, osUpdate: Json) => kubeJson(kc, resourcePath(POOLS, undefined), {
        method: 'POST',
        body: { apiVersion: 'machineconfiguration.openshift.io/v1', kind: 'MachineConfigPool', metadata: { name }, spec: { nodeSelector: WORKER_SELECTOR, osUpdate } },
      });
      await pool('worker', { strategy: 'InPlace' });
      await pool('replaced', { strategy: 'Replace' });
      done = buildMachineConfigOperator(kc, { version: 'test', minRequeueAfterMs: 20 }).manager.start(stop.signal);
      const get = (name: string) => kubeJson<Json>(kc, resourcePath(POOLS, undefined, name));
      const worker = await waitFor(async () => {
        const p = await get('worker');
        return condition(p, 'Updated')?.status === 'True' && p;
      }, { timeoutMs: 10_000, intervalMs: 50, message: 'the InPlace pool to be rendered and Updated' });
      assert.equal(condition(worker, 'RenderDegraded')?.status, 'False', 'no coreos-bootimages ConfigMap, and it does not matter');
      const replaced = await waitFor(async () => {
        const p = await get('replaced');
        return condition(p, 'RenderDegraded')?.status === 'True' && p;
      }, { timeoutMs: 10_000, intervalMs: 50, message: 'the Replace pool to report the Machine API missing' });
      assert.equal(condition(replaced, 'RenderDegraded').message, 'spec.osUpdate.strategy: Replace needs the Machine API, and machine.openshift.io/v1beta1 MachineSets are not served');
    } finally {
      stop.abort();
      await done;
      await server.stop();
    }
  });
});
