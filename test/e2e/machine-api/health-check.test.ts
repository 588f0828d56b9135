// MachineHealthCheck on the dev cluster (shared/reference/machine-api.md §1.9): a Machine whose Node goes
// Ready=Unknown (the local provider's notReadyAfterSeconds: its hollow kubelet stops posting status) is deleted and
// its MachineSet replaces it; when more Machines are unhealthy than maxUnhealthy allows, the check short-circuits
// and deletes nothing.
import assert from 'node:assert/strict';
import type { MachineApiCondition, MachineHealthCheck } from '../../../operators/api/machine-v1beta1.ts';
import { waitFor } from '../../../operators/runtime/wait.ts';
import {
  apply,
  CLUSTER_ID,
  getJson,
  machineSetManifest,
  machinesOf,
  NS,
  readFleet,
  startInProcessCluster,
  waitForFleet,
  waitForMachinesGone,
  type InProcessCluster,
} from './harness.ts';

/** How long the short-circuited check is watched for deletions that must not happen. */
const OBSERVE_MS = 2_000;

interface EventJson {
  readonly type: string;
  readonly reason: string;
  readonly message: string;
}

function healthCheck(name: string, maxUnhealthy?: number | string): MachineHealthCheck {
  return {
    apiVersion: 'machine.openshift.io/v1beta1',
    kind: 'MachineHealthCheck',
    metadata: { name, namespace: NS },
    spec: {
      selector: { matchLabels: { 'machine.openshift.io/cluster-api-cluster': CLUSTER_ID, 'machine.openshift.io/cluster-api-machineset': name } },
      unhealthyConditions: [{ type: 'Ready', status: 'Unknown', timeout: '1s' }],
      ...(maxUnhealthy === undefined ? {} : { maxUnhealthy }),
    },
  } as MachineHealthCheck;
}

describe('Machine API end to end: MachineHealthCheck', function () {
  this.timeout(60_000);
  let cluster: InProcessCluster;

  before(async () => {
    cluster = await startInProcessCluster();
  });
  after(async () => {
    await cluster?.stop();
  });

  const getCheck = (name: string) => getJson<MachineHealthCheck>(cluster, ['machinehealthcheck', name, '-n', NS]);
  const condition = (mhc: MachineHealthCheck, type: string): MachineApiCondition | undefined => mhc.status?.conditions?.find((c) => c.type === type);
  const events = async (kind: string, name: string): Promise<EventJson[]> =>
    (await getJson<{ items: EventJson[] }>(cluster, ['events', '-n', NS, '--field-selector', `involvedObject.kind=${kind},involvedObject.name=${name}`])).items;

  it('replaces the Machines whose Nodes stop reporting, and the replacements stay', async () => {
    await apply(cluster, healthCheck('flaky'));
    // The first Machines' kubelets stop posting 4 s after their instances run; the template is then fixed, so
    // the Machines that replace them stay healthy.
    await apply(cluster, machineSetManifest('flaky', { replicas: 2, providerSpec: { notReadyAfterSeconds: 4 } }));
    const sick = (await waitForFleet(cluster, 'flaky', 2)).machines;
    await cluster.kubectl(['patch', 'machineset', 'flaky', '-n', NS, '--type=json', '-p', JSON.stringify([{ op: 'remove', path: '/spec/template/spec/providerSpec/value/notReadyAfterSeconds' }])]);

    await waitForMachinesGone(cluster, 'flaky', sick);
    const healed = await waitForFleet(cluster, 'flaky', 2);
    const sickNames = new Set(sick.map((m) => m.metadata.name));
    assert.ok(healed.machines.every((m) => !sickNames.has(m.metadata.name)), 'two new Machines');

    // MAO records remediation on the Machine; the Events outlive it.
    for (const machine of sick) {
      const reasons = (await events('Machine', machine.metadata.name ?? '')).map((e) => e.reason);
      assert.ok(reasons.includes('DetectedUnhealthy') && reasons.includes('MachineDeleted'), `events of ${machine.metadata.name}: ${reasons.join(', ')}`);
    }
    await waitFor(async () => {
      const mhc = await getCheck('flaky');
      return mhc.status?.expectedMachines === 2 && mhc.status.currentHealthy === 2 && condition(mhc, 'RemediationAllowed')?.status === 'True';
    }, { timeoutMs: 5_000, intervalMs: 150, message: 'the check to report 2 of 2 healthy' });
  });

  it('short-circuits when more Machines are unhealthy than maxUnhealthy allows, and deletes none', async () => {
    await apply(cluster, healthCheck('outage', 1));
    await apply(cluster, machineSetManifest('outage', { replicas: 3, providerSpec: { notReadyAfterSeconds: 2 } }));
    const fleet = (await waitForFleet(cluster, 'outage', 3)).machines;
    await waitFor(async () => {
      const { nodes } = await readFleet(cluster, 'outage');
      return fleet.every((m) => nodes.get(m.status?.nodeRef?.name ?? '')?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'Unknown'));
    }, { timeoutMs: 10_000, intervalMs: 150, message: 'every Node to go Ready=Unknown' });

    const shorted = await waitFor(async () => {
      const mhc = await getCheck('outage');
      return condition(mhc, 'RemediationAllowed')?.status === 'False' && mhc.status?.currentHealthy === 0 ? mhc : undefined;
    }, { timeoutMs: 10_000, intervalMs: 150, message: 'the check to short-circuit with 3 Nodes NotReady' });
    const allowed = condition(shorted, 'RemediationAllowed');
    assert.equal(allowed?.reason, 'TooManyUnhealthy');
    assert.equal(allowed?.message, 'Remediation is not allowed, the number of not started or unhealthy machines exceeds maxUnhealthy (total: 3, unhealthy: 3, maxUnhealthy: 1)');
    assert.equal(shorted.status?.expectedMachines, 3);
    assert.equal(shorted.status?.remediationsAllowed, 0);
    assert.ok((await events('MachineHealthCheck', 'outage')).some((e) => e.reason === 'RemediationRestricted' && e.type === 'Warning'), 'a RemediationRestricted event');

    // Nothing is deleted while it stays short-circuited, though the 1 s condition timeout has long passed.
    const deadline = Date.now() + OBSERVE_MS;
    while (Date.now() < deadline) {
      const machines = await machinesOf(cluster, 'outage');
      assert.deepEqual(machines.map((m) => m.metadata.name), fleet.map((m) => m.metadata.name));
      assert.ok(machines.every((m) => !m.metadata.deletionTimestamp), 'no Machine is being deleted');
    }
    assert.equal(condition(await getCheck('outage'), 'RemediationAllowed')?.status, 'False');
    for (const machine of fleet) {
      assert.ok(!(await events('Machine', machine.metadata.name ?? '')).some((e) => e.reason === 'MachineDeleted'), `no MachineDeleted event for ${machine.metadata.name}`);
    }
  });
});
