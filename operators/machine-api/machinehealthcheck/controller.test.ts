// The MachineHealthCheck controller against the embedded API server: a Machine whose Node stays NotReady is
// deleted, too many unhealthy Machines short-circuit remediation without a reconcile loop, unowned Machines are
// left alone, and a paused check does nothing. Which target is unhealthy is targets.ts's (tested beside it); these
// tests cover the wiring: watches, deletes, status, events and metrics.
import assert from 'node:assert/strict';
import { MHC_PAUSED_ANNOTATION, type Machine, type MachineHealthCheck, type MachineSet } from '../../api/machine-v1beta1.ts';
import { kubeJson } from '../../runtime/kube-http.ts';
import { resourcePath } from '../../runtime/resource-client.ts';
import { formatTime } from '../../runtime/time.ts';
import { sleep, waitFor } from '../../runtime/wait.ts';
import { MACHINE_HEALTH_CHECKS, MACHINE_SETS, MACHINES, NODES } from '../context.ts';
import { reconcileCount, runControllers, startMachineApiTestCluster, type MachineApiTestCluster, type RunningControllers } from '../integration.test-util.ts';
import { machineHealthCheckController } from './controller.ts';

const CONTROLLER = 'machinehealthcheck-controller';
const ROLE = { 'machine.openshift.io/cluster-api-machine-role': 'worker' };

function healthCheck(name: string, maxUnhealthy: string, annotations?: Record<string, string>): MachineHealthCheck {
  return {
    apiVersion: 'machine.openshift.io/v1beta1',
    kind: 'MachineHealthCheck',
    metadata: { name, ...(annotations ? { annotations } : {}) },
    spec: {
      selector: { matchLabels: ROLE },
      unhealthyConditions: [{ type: 'Ready', status: 'False', timeout: '300s' }],
      maxUnhealthy,
    },
  };
}

describe('MachineHealthCheck controller', function () {
  this.timeout(20_000);
  let cluster: MachineApiTestCluster;
  let running: RunningControllers | undefined;
  let ns: string;
  let owner: MachineSet;

  before(async () => {
    cluster = await startMachineApiTestCluster();
  });
  after(async () => {
    await cluster?.stop();
  });
  beforeEach(async () => {
    ns = await cluster.namespace();
    // The owner the remediated Machines need (no MachineSet controller runs here, so it creates nothing).
    owner = await api<MachineSet>(resourcePath(MACHINE_SETS, ns), {
      method: 'POST',
      body: { metadata: { name: 'workers' }, spec: { replicas: 0, selector: { matchLabels: { set: 'workers' } }, template: { metadata: { labels: { set: 'workers' } } } } },
    });
  });
  afterEach(async () => {
    await running?.stop();
    running = undefined;
  });

  const api = <T>(path: string, request?: Parameters<typeof kubeJson>[2]) => kubeJson<T>(cluster.kc, path, request);
  const start = async () => (running = await runControllers(cluster.kc, ns, (ctx) => [machineHealthCheckController(ctx, { minRequeueAfterMs: 50 })]));
  const getCheck = (name: string) => api<MachineHealthCheck>(resourcePath(MACHINE_HEALTH_CHECKS, ns, name));
  const machineNames = async () => (await api<{ items: Machine[] }>(resourcePath(MACHINES, ns))).items.map((m) => m.metadata.name).sort();

  /** A Machine linked to a Node whose Ready condition has had `ready` for an hour. */
  async function machineWithNode(name: string, ready: boolean, owned = true): Promise<void> {
    const nodeName = `${ns}-${name}`;
    const hourAgo = formatTime(new Date(Date.now() - 3_600_000));
    await api(resourcePath(NODES, undefined), { method: 'POST', body: { metadata: { name: nodeName } } });
    await api(resourcePath(NODES, undefined, nodeName, 'status'), {
      method: 'PATCH',
      contentType: 'application/merge-patch+json',
      body: { status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', reason: 'Test', lastHeartbeatTime: hourAgo, lastTransitionTime: hourAgo }] } },
    });
    const ownerReferences = owned
      ? [{ apiVersion: 'machine.openshift.io/v1beta1', kind: 'MachineSet', name: owner.metadata.name, uid: owner.metadata.uid, controller: true }]
      : undefined;
    await api(resourcePath(MACHINES, ns), { method: 'POST', body: { metadata: { name, labels: { ...ROLE }, ownerReferences }, spec: {} } });
    await api(resourcePath(MACHINES, ns, name, 'status'), {
      method: 'PATCH',
      contentType: 'application/merge-patch+json',
      body: { status: { nodeRef: { kind: 'Node', name: nodeName }, lastUpdated: hourAgo } },
    });
  }

  async function metricValue(name: string, labels: Record<string, string>): Promise<number | undefined> {
    const metric = await running!.registry.getSingleMetric(name)?.get();
    return metric?.values.find((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val))?.value;
  }

  it('deletes a Machine whose Node has been NotReady for longer than the timeout, and reports it', async () => {
    await machineWithNode('healthy', true);
    await machineWithNode('sick', false);
    await start();
    await api(resourcePath(MACHINE_HEALTH_CHECKS, ns), { method: 'POST', body: healthCheck('workers', '50%') });
    await waitFor(async () => !(await machineNames()).includes('sick'), { message: 'the unhealthy Machine to be deleted' });
    assert.deepEqual(await machineNames(), ['healthy']);
    const status = await waitFor(async () => (await getCheck('workers')).status?.expectedMachines !== undefined && (await getCheck('workers')).status);
    assert.equal(status?.conditions?.find((c) => c.type === 'RemediationAllowed')?.status, 'True');
    assert.equal(await metricValue('mapi_machinehealthcheck_remediation_success_total', { name: 'workers', namespace: ns }), 1);
    await running!.context.recorder.flush();
    const events = (await api<{ items: { reason: string; involvedObject: { name: string } }[] }>(`/api/v1/namespaces/${ns}/events`)).items;
    assert.ok(events.some((e) => e.reason === 'MachineDeleted' && e.involvedObject.name === 'sick'), 'MachineDeleted event');
  });

  it('short-circuits when more Machines are unhealthy than maxUnhealthy allows, without spinning', async () => {
    await machineWithNode('a', false);
    await machineWithNode('b', false);
    await machineWithNode('c', true);
    const { registry } = await start();
    await api(resourcePath(MACHINE_HEALTH_CHECKS, ns), { method: 'POST', body: healthCheck('workers', '1') });
    const status = await waitFor(async () => (await getCheck('workers')).status?.conditions && (await getCheck('workers')).status, { message: 'status' });
    assert.equal(status?.expectedMachines, 3);
    assert.equal(status?.currentHealthy, 1);
    assert.equal(status?.remediationsAllowed, 0);
    const condition = status?.conditions?.find((c) => c.type === 'RemediationAllowed');
    assert.equal(condition?.status, 'False');
    assert.equal(condition?.reason, 'TooManyUnhealthy');
    assert.equal(await metricValue('mapi_machinehealthcheck_short_circuit', { name: 'workers', namespace: ns }), 1);

    const before = await reconcileCount(registry, CONTROLLER);
    await sleep(2_000);
    const after = await reconcileCount(registry, CONTROLLER);
    assert.ok(after - before <= 2, `reconciled ${after - before} times in 2 s while short-circuited`);
    assert.deepEqual(await machineNames(), ['a', 'b', 'c']);
  });

  it('leaves an unhealthy Machine that no MachineSet controls', async () => {
    await machineWithNode('loose', false, false);
    await start();
    await api(resourcePath(MACHINE_HEALTH_CHECKS, ns), { method: 'POST', body: healthCheck('workers', '100%') });
    await waitFor(async () => (await getCheck('workers')).status?.expectedMachines === 1);
    await sleep(200);
    assert.deepEqual(await machineNames(), ['loose']);
  });

  it('does nothing while paused', async () => {
    await machineWithNode('sick', false);
    const { registry } = await start();
    await api(resourcePath(MACHINE_HEALTH_CHECKS, ns), { method: 'POST', body: healthCheck('workers', '100%', { [MHC_PAUSED_ANNOTATION]: '' }) });
    await waitFor(async () => (await reconcileCount(registry, CONTROLLER)) > 0);
    await sleep(200);
    assert.deepEqual(await machineNames(), ['sick']);
    assert.equal((await getCheck('workers')).status?.expectedMachines, undefined);
  });
});
