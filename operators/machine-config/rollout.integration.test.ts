// The machine-config operator against the embedded API server with hollow nodes and their OS agent: a release's
// OS image reaches every node within maxUnavailable, across an operator restart; a drain blocked by a
// PodDisruptionBudget is reported with the pod; a node failing after its update is rolled back and stops the pool;
// pause/resume; the canary soak. Reboots take REBOOT_SECONDS (0.2 s), so a test takes one to three seconds.
import assert from 'node:assert/strict';
import type { ClusterOperator } from '../api/config-v1.ts';
import { kubeJson } from '../runtime/kube-http.ts';
import { waitFor } from '../runtime/wait.ts';
import {
  osImageName,
  REBOOT_SECONDS,
  RELEASE_4_1,
  RELEASE_4_2,
  startRolloutCluster,
  waitForPoolUpdated,
  WORKER_SELECTOR,
  type RolloutCluster,
} from './integration.test-util.ts';

type Json = any;

/** The canary soak of the canary test, in seconds (the CRD takes whole seconds). */
const SOAK_SECONDS = 1;

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

    // Watch the ClusterOperator: the write that first reports 4.2.0 must come after every node's last update write.
    let reportedAtRv: number | undefined;
    const coWatch = cluster.watch<ClusterOperator>('/apis/config.openshift.io/v1/clusteroperators', (co) => {
      if (reportedAtRv === undefined && operatorVersion(co) === '4.2.0') reportedAtRv = Number(co.metadata?.resourceVersion);
    });
    const target = await targetAfterUpgrade(cluster, old);

    // Stop the operator mid-rollout: the next one must keep the budget from the API state alone.
    await waitFor(() => cluster.recorder.startOrder(target).length >= 2, { timeoutMs: 5_000, message: 'two nodes to start' });
    const midway = await cluster.clusterOperator();
    assert.equal(operatorVersion(midway), '4.1.0', 'the old version is reported while nodes roll');
    assert.equal(condition(midway, 'Progressing')?.status, 'True');
    await operator.stop();
    operator = await cluster.startOperator();

    await waitForPoolUpdated(cluster, 'worker');
    const coNow = await waitFor(async () => {
      const c = await cluster.clusterOperator();
      return operatorVersion(c) === '4.2.0' && c;
    }, { timeoutMs: 5_000, message: 'machine-config to report 4.2.0' });
    await coWatch.stop();
    assert.ok(reportedAtRv !== undefined);
    for (const name of cluster.nodes.nodeNames()) {
      const node = await cluster.node(name);
      assert.equal(node.status?.nodeInfo?.osImage, osImageName(RELEASE_4_2), `${name} osImage`);
      assert.equal(node.status?.nodeInfo?.kubeletVersion, 'v1.33.0', `${name} kubelet`);
      assert.equal(node.status?.nodeInfo?.containerRuntimeVersion, 'cri-o://1.33.0', `${name} runtime`);
      assert.equal(node.spec?.unschedulable ?? false, false, `${name} uncordoned`);
      const doneAt = cluster.recorder.doneAt(name, target);
      assert.ok(doneAt !== undefined && doneAt.resourceVersion < reportedAtRv, `${name} finished (rv ${doneAt?.resourceVersion}) before 4.2.0 was reported (rv ${reportedAtRv})`);
    }
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

  it('reports a drain blocked by a PodDisruptionBudget with the pod and the budget, then rolls the node back and stops the pool', async () => {
    cluster = await startRolloutCluster({ nodes: [{ name: 'w-a-1', zone: 'zone-a' }, { name: 'w-b-1', zone: 'zone-b' }], drainTimeoutSeconds: 1 });
    await cluster.startOperator();
    const old = await installedOn41(cluster, { maxUnavailable: 1 });
    await kubeJson(cluster.kc, '/api/v1/namespaces', { method: 'POST', body: { metadata: { name: 'apps' } } });
    await kubeJson(cluster.kc, '/api/v1/namespaces/apps/pods', {
      method: 'POST',
      body: { metadata: { name: 'web-0', labels: { app: 'web' } }, spec: { nodeName: 'w-a-1', containers: [{ name: 'web', image: 'nginx' }] } },
    });
    await kubeJson(cluster.kc, '/apis/policy/v1/namespaces/apps/poddisruptionbudgets', {
      method: 'POST',
      body: { metadata: { name: 'web' }, spec: { minAvailable: 1, selector: { matchLabels: { app: 'web' } } } },
    });
    await waitFor(async () => {
      const pdb = await cluster.get<Json>('/apis/policy/v1/namespaces/apps/poddisruptionbudgets/web');
      return pdb.status?.currentHealthy === 1 && pdb.status?.disruptionsAllowed === 0;
    }, { message: 'the budget to count the running pod' });

    const target = await targetAfterUpgrade(cluster, old);
    const blocked = await waitFor(async () => {
      const reason = (await cluster.node('w-a-1')).metadata?.annotations?.['machineconfiguration.openshift.io/reason'];
      return reason?.startsWith('Draining:') && reason;
    }, { message: 'the blocked drain to be reported on the node' });
    assert.match(blocked, /evicting pod apps\/web-0: Cannot evict pod as it would violate the pod's disruption budget: The disruption budget web needs 1 healthy pods and has 1 currently/);
    const events = await waitFor(async () => {
      const list = await cluster.get<Json>('/api/v1/namespaces/default/events');
      return list.items.find((e: Json) => e.reason === 'DrainBlocked' && e.involvedObject.name === 'w-a-1');
    }, { message: 'a DrainBlocked Event' });
    assert.equal(events.type, 'Warning');
    assert.match(events.message, /apps\/web-0.*disruption budget web/);

    // Past the drain timeout: Degraded, rolled back to the old config (nothing to reboot: the OS never changed).
    const pool = await waitFor(async () => {
      const p = await cluster.pool('worker');
      return condition(p, 'Degraded')?.status === 'True' && /rolled back/.test(condition(p, 'Degraded').message) && p;
    }, { timeoutMs: 5_000, message: 'the pool to go Degraded with the rollback' });
    assert.match(condition(pool, 'Degraded').message, /Node w-a-1 was rolled back from .* failed to drain node w-a-1 within 1s: evicting pod apps\/web-0/);
    const node = await waitFor(async () => {
      const n = await cluster.node('w-a-1');
      return n.metadata?.annotations?.['machineconfiguration.openshift.io/state'] === 'Done' && !n.spec?.unschedulable && n;
    }, { message: 'the node to be back in service' });
    assert.equal(node.metadata?.annotations?.['machineconfiguration.openshift.io/currentConfig'], old);
    assert.equal(node.metadata?.annotations?.['machine-fleet.io/rolled-back-from'], target);
    assert.deepEqual(cluster.recorder.startOrder(target), ['w-a-1'], 'no other node started');
  });

  it('rolls a node that fails after its update back to its previous OS, stops the pool, and resumes once cleared', async () => {
    cluster = await startRolloutCluster({ nodes: [{ name: 'w-a-1', zone: 'zone-a' }, { name: 'w-b-1', zone: 'zone-b' }, { name: 'w-c-1', zone: 'zone-c' }] });
    await cluster.startOperator();
    const old = await installedOn41(cluster, { maxUnavailable: 1 });
    const label = (value: string | null) =>
      kubeJson(cluster.kc, '/api/v1/nodes/w-a-1', { method: 'PATCH', contentType: 'application/merge-patch+json', body: { metadata: { labels: { 'machine-fleet.io/fail-os-update': value } } } });
    await label('4.2.0');
    const target = await targetAfterUpgrade(cluster, old);

    const pool = await waitFor(async () => {
      const p = await cluster.pool('worker');
      return condition(p, 'Degraded')?.status === 'True' && p;
    }, { timeoutMs: 5_000, message: 'the pool to go Degraded' });
    assert.match(condition(pool, 'NodeDegraded').message, /Node w-a-1 (was rolled back from .*|is reporting: ").*injected by machine-fleet.io\/fail-os-update=4.2.0/);
    const node = await waitFor(async () => {
      const n = await cluster.node('w-a-1');
      const a = n.metadata?.annotations ?? {};
      return a['machineconfiguration.openshift.io/state'] === 'Done' && a['machineconfiguration.openshift.io/currentConfig'] === old && !n.spec?.unschedulable
        && n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') && n;
    }, { timeoutMs: 5_000, message: 'the node to be rolled back and in service' });
    assert.equal(node.status?.nodeInfo?.osImage, osImageName(RELEASE_4_1), 'booted back into the previous OS');
    assert.equal(node.metadata?.annotations?.['machine-fleet.io/rolled-back-from'], target);

    const co = await waitFor(async () => {
      const c = await cluster.clusterOperator();
      return condition(c, 'Degraded')?.status === 'True' && c;
    }, { message: 'machine-config to go Degraded' });
    assert.equal(condition(co, 'Degraded').reason, 'RequiredPoolsFailed');
    assert.equal(condition(co, 'Upgradeable').reason, 'DegradedPool');
    assert.equal(operatorVersion(co), '4.1.0');
    // Several update times later, nothing else has started.
    await new Promise((resolve) => setTimeout(resolve, 3 * REBOOT_SECONDS * 1000));
    assert.deepEqual(cluster.recorder.startOrder(target), ['w-a-1']);
    assert.equal((await cluster.pool('worker')).status?.updatedMachineCount, 0);

    // The retry action: fix the node, clear the mark; the rollout runs to the end.
    await label(null);
    await kubeJson(cluster.kc, '/api/v1/nodes/w-a-1', {
      method: 'PATCH', contentType: 'application/merge-patch+json', body: { metadata: { annotations: { 'machine-fleet.io/rolled-back-from': null } } },
    });
    await waitForPoolUpdated(cluster, 'worker');
    assert.equal(cluster.recorder.maxUnavailable(), 1);
    await waitFor(async () => operatorVersion(await cluster.clusterOperator()) === '4.2.0', { message: 'machine-config to report 4.2.0' });
  });

  it('pauses between nodes and resumes where it stopped', async () => {
    cluster = await startRolloutCluster({ nodes: [{ name: 'w-a-1', zone: 'zone-a' }, { name: 'w-b-1', zone: 'zone-b' }, { name: 'w-c-1', zone: 'zone-c' }] });
    await cluster.startOperator();
    const old = await installedOn41(cluster, { maxUnavailable: 1 });
    const target = await targetAfterUpgrade(cluster, old);
    await waitFor(() => cluster.recorder.startOrder(target).length === 1, { message: 'the first node to start' });
    await cluster.patchPool('worker', { paused: true });
    await waitFor(() => cluster.recorder.doneAt('w-a-1', target), { message: 'the started node to finish' });
    await new Promise((resolve) => setTimeout(resolve, 3 * REBOOT_SECONDS * 1000));
    assert.deepEqual(cluster.recorder.startOrder(target), ['w-a-1'], 'no node starts while paused');
    const paused = await cluster.pool('worker');
    assert.deepEqual([condition(paused, 'Updating').status, condition(paused, 'Updating').reason], ['False', 'Paused']);
    assert.equal(paused.status?.updatedMachineCount, 1);

    await cluster.patchPool('worker', { paused: false });
    await waitForPoolUpdated(cluster, 'worker');
    assert.deepEqual(cluster.recorder.startOrder(target), ['w-a-1', 'w-b-1', 'w-c-1']);
  });

  it('holds the rest of the pool until the canary has stayed Ready for the soak time', async () => {
    cluster = await startRolloutCluster({
      nodes: [{ name: 'w-a-1', zone: 'zone-a' }, { name: 'w-a-2', zone: 'zone-a' }, { name: 'w-b-1', zone: 'zone-b' }, { name: 'w-b-2', zone: 'zone-b' }],
    });
    await cluster.startOperator();
    const old = await installedOn41(cluster, { maxUnavailable: 2, canary: { nodes: 1, soakSeconds: SOAK_SECONDS } });
    const target = await targetAfterUpgrade(cluster, old);
    await waitFor(() => cluster.recorder.doneAt('w-a-1', target), { message: 'the canary to finish' });
    const soaking = await cluster.pool('worker');
    assert.equal(condition(soaking, 'Updating').reason, 'CanarySoaking');
    assert.deepEqual(cluster.recorder.startOrder(target), ['w-a-1'], 'the canary updates alone');

    await waitForPoolUpdated(cluster, 'worker');
    const canaryReadySince = Date.parse((await cluster.node('w-a-1')).status!.conditions!.find((c) => c.type === 'Ready')!.lastTransitionTime as string);
    const order = cluster.recorder.startOrder(target);
    assert.equal(order[0], 'w-a-1');
    for (const name of order.slice(1)) {
      assert.ok(cluster.recorder.startedAt(name, target)! >= canaryReadySince + SOAK_SECONDS * 1000, `${name} started after the soak`);
    }
    assert.equal(cluster.recorder.maxUnavailable(), 2, 'after the soak the rest go two at a time');
  });
});
