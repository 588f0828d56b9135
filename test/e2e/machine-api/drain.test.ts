// Drain on the dev cluster: a PodDisruptionBudget that the eviction of a pod on a Machine's Node would violate holds
// the Machine in Deleting (Drained=False, DrainError naming the pod), as in MAO (shared/reference/machine-api.md
// §1.5), until the Machine's drain timeout (the machine.openshift.io/drain-timeout annotation, which MAO lacks)
// lets the deletion proceed without ever evicting the pod.
import assert from 'node:assert/strict';
import { DELETE_MACHINE_ANNOTATION, type Machine, type MachineApiCondition } from '../../../operators/api/machine-v1beta1.ts';
import { DRAIN_TIMEOUT_ANNOTATION } from '../../../operators/machine-api/drain/drain.ts';
import { waitFor } from '../../../operators/runtime/wait.ts';
import { apply, getJson, machineSetManifest, NS, readFleet, startInProcessCluster, waitForFleet, waitForMachinesGone, type InProcessCluster } from './harness.ts';

const APP_NS = 'e2e-drain';
const DRAIN_TIMEOUT_S = 5;

interface EventJson {
  readonly type: string;
  readonly reason: string;
  readonly message: string;
}

describe('Machine API end to end: drain', function () {
  this.timeout(60_000);
  let cluster: InProcessCluster;

  before(async () => {
    cluster = await startInProcessCluster();
  });
  after(async () => {
    await cluster?.stop();
  });

  const drained = (m: Machine | undefined): MachineApiCondition | undefined => m?.status?.conditions?.find((c) => c.type === 'Drained');
  const getMachine = async (name: string): Promise<Machine | undefined> => {
    const got = await cluster.kubectl(['get', 'machine', name, '-n', NS, '-o', 'json'], { allowFailure: true });
    return got.code === 0 ? (JSON.parse(got.stdout) as Machine) : undefined;
  };
  const events = async (name: string): Promise<EventJson[]> =>
    (await getJson<{ items: EventJson[] }>(cluster, ['events', '-n', NS, '--field-selector', `involvedObject.kind=Machine,involvedObject.name=${name}`])).items;

  it('holds a scale-down in Deleting while a PodDisruptionBudget refuses the eviction, then proceeds after the drain timeout', async () => {
    await apply(cluster, machineSetManifest('guarded', { replicas: 2 }));
    const [victim, survivor] = (await waitForFleet(cluster, 'guarded', 2)).machines;
    const victimName = victim.metadata.name ?? '';
    const node = victim.status?.nodeRef?.name ?? '';

    // A pod the hollow kubelet runs on the victim's Node, and a budget that allows no disruption of it.
    await cluster.kubectl(['create', 'namespace', APP_NS]);
    await apply(cluster, {
      apiVersion: 'v1', kind: 'Pod',
      metadata: { name: 'db-0', namespace: APP_NS, labels: { app: 'db' } },
      spec: { nodeName: node, containers: [{ name: 'db', image: 'registry.k8s.io/pause:3.10' }] },
    });
    await apply(cluster, {
      apiVersion: 'policy/v1', kind: 'PodDisruptionBudget',
      metadata: { name: 'db', namespace: APP_NS },
      spec: { minAvailable: 1, selector: { matchLabels: { app: 'db' } } },
    });
    await waitFor(async () => {
      const pdb = await getJson<{ status?: { currentHealthy?: number; disruptionsAllowed?: number } }>(cluster, ['pdb', 'db', '-n', APP_NS]);
      return pdb.status?.currentHealthy === 1 && pdb.status.disruptionsAllowed === 0;
    }, { timeoutMs: 10_000, intervalMs: 150, message: 'the budget to count the pod healthy' });

    await cluster.kubectl(['annotate', 'machine', victimName, '-n', NS, `${DELETE_MACHINE_ANNOTATION}=true`, `${DRAIN_TIMEOUT_ANNOTATION}=${DRAIN_TIMEOUT_S}s`]);
    await cluster.kubectl(['scale', 'machineset', 'guarded', '-n', NS, '--replicas=1']);

    const blocked = await waitFor(async () => {
      const m = await getMachine(victimName);
      return m?.status?.phase === 'Deleting' && drained(m)?.reason === 'DrainError' ? m : undefined;
    }, { timeoutMs: 10_000, intervalMs: 100, message: 'the victim to be Deleting with Drained=False DrainError' });
    const condition = drained(blocked);
    assert.equal(condition?.status, 'False');
    assert.match(condition?.message ?? '', new RegExp(`^could not drain machine: evicting pod ${APP_NS}/db-0: Cannot evict pod as it would violate the pod's disruption budget`));
    assert.match(condition?.message ?? '', /The disruption budget db needs 1 healthy pods and has 1 currently/);

    // While the budget blocks: cordoned, still running, the pod untouched.
    const during = await readFleet(cluster, 'guarded');
    assert.equal(during.nodes.get(node)?.spec?.unschedulable, true, 'the Node is cordoned');
    assert.equal(during.instances.find((i) => i.name === victimName)?.state, 'running', 'the instance waits for the drain');
    const table = (await cluster.kubectl(['get', 'machine', victimName, '-n', NS, '--no-headers'])).stdout;
    assert.match(table, new RegExp(`^${victimName}\\s+Deleting\\s`));

    // The timeout runs from the moment Drained turned False (whole seconds in lastTransitionTime).
    const drainStarted = Date.parse(String(condition?.lastTransitionTime));
    await waitFor(async () => (await getMachine(victimName)) === undefined, { timeoutMs: (DRAIN_TIMEOUT_S + 10) * 1000, intervalMs: 100, message: 'the victim to be deleted after the drain timeout' });
    const heldMs = Date.now() - drainStarted;
    assert.ok(heldMs >= (DRAIN_TIMEOUT_S - 1) * 1000, `held ${heldMs} ms, want the ${DRAIN_TIMEOUT_S} s timeout`);
    await waitForMachinesGone(cluster, 'guarded', [victim]);

    const timedOut = (await events(victimName)).find((e) => e.reason === 'DrainTimeout');
    assert.equal(timedOut?.type, 'Warning');
    assert.match(timedOut?.message ?? '', new RegExp(`^Drain of node ${node} did not finish within ${DRAIN_TIMEOUT_S}s, proceeding with deletion: evicting pod ${APP_NS}/db-0`));
    assert.ok((await events(victimName)).some((e) => e.reason === 'DrainRequeued'), 'a DrainRequeued event');
    const pod = await cluster.kubectl(['get', 'pod', 'db-0', '-n', APP_NS, '-o', 'name'], { allowFailure: true });
    assert.equal(pod.stdout.trim(), 'pod/db-0', 'the budget was never violated: the pod was not evicted');

    const after = await waitForFleet(cluster, 'guarded', 1);
    assert.equal(after.machines[0].metadata.name, survivor.metadata.name, 'the other Machine stays');
  });
});
