// A MachineSet driven with the real kubectl on the dev cluster (operator in process): it becomes Running Machines
// with Ready Nodes and instances in the local cloud; kubectl scale adds and removes Machines, the delete policy
// choosing the victims (shared/reference/machine-api.md §1.7); deleting the set removes everything it made.
import assert from 'node:assert/strict';
import { DELETE_MACHINE_ANNOTATION, type Machine } from '../../../operators/api/machine-v1beta1.ts';
import { waitFor } from '../../../operators/runtime/wait.ts';
import { parseTable } from '../../support/kubectl-table.ts';
import {
  apply,
  assertLinked,
  machineSetManifest,
  NS,
  readFleet,
  startInProcessCluster,
  waitForFleet,
  waitForMachinesGone,
  type InProcessCluster,
  type MachineSetOptions,
} from './harness.ts';

describe('Machine API end to end: MachineSets and kubectl scale', function () {
  this.timeout(60_000);
  let cluster: InProcessCluster;
  const created: string[] = [];

  before(async () => {
    cluster = await startInProcessCluster();
  });
  after(async () => {
    await cluster?.stop();
  });
  // Each test has its own MachineSet: the next one need not wait for this one's Machines to go.
  afterEach(async () => {
    for (const name of created.splice(0)) await cluster.kubectl(['delete', 'machineset', name, '-n', NS, '--wait=false']);
  });

  async function createMachineSet(name: string, options: MachineSetOptions): Promise<void> {
    created.push(name);
    await apply(cluster, machineSetManifest(name, options));
  }
  const scale = (name: string, replicas: number) => cluster.kubectl(['scale', 'machineset', name, '-n', NS, `--replicas=${replicas}`]);
  const names = (machines: readonly Machine[]) => machines.map((m) => m.metadata.name).sort();

  /**
   * creationTimestamp has whole seconds: Machines made in the same second are the same age to the delete policy.
   * Waits (under a second) until Machines created from now on are strictly younger than `machines`.
   */
  async function nextSecond(machines: readonly Machine[]): Promise<void> {
    const newest = Math.max(...machines.map((m) => Date.parse(String(m.metadata.creationTimestamp))));
    await waitFor(() => Date.now() >= newest + 1000, { timeoutMs: 2_000, intervalMs: 20, message: 'the next second' });
  }

  it('turns an applied MachineSet into Running Machines with Ready Nodes, shown by kubectl get -o wide', async () => {
    await createMachineSet('workers', { replicas: 3, providerSpec: { bootDelaySeconds: 1 } });
    const fleet = await waitForFleet(cluster, 'workers', 3);
    assertLinked(fleet);

    const machines = parseTable((await cluster.kubectl(['get', 'machines', '-n', NS, '-l', 'machine.openshift.io/cluster-api-machineset=workers', '-o', 'wide'])).stdout);
    assert.deepEqual(machines.header, ['NAME', 'PHASE', 'TYPE', 'REGION', 'ZONE', 'AGE', 'NODE', 'PROVIDERID', 'STATE']);
    assert.equal(machines.rows.length, 3);
    for (const row of machines.rows) {
      assert.match(row.NAME, /^workers-[a-z0-9]{5}$/);
      assert.deepEqual(
        { PHASE: row.PHASE, TYPE: row.TYPE, REGION: row.REGION, ZONE: row.ZONE, NODE: row.NODE, PROVIDERID: row.PROVIDERID, STATE: row.STATE },
        { PHASE: 'Running', TYPE: 'local.small', REGION: 'local', ZONE: 'local-a', NODE: row.NAME, PROVIDERID: `local:///${row.NAME}`, STATE: 'running' },
      );
    }

    const nodes = parseTable((await cluster.kubectl(['get', 'nodes', '-l', 'node-role.kubernetes.io/worker', '-o', 'wide'])).stdout);
    const workerNodes = nodes.rows.filter((r) => r.NAME.startsWith('workers-'));
    assert.deepEqual(workerNodes.map((r) => r.NAME).sort(), machines.rows.map((r) => r.NAME).sort());
    for (const row of workerNodes) assert.equal(row.STATUS, 'Ready', `node ${row.NAME}`);
    const providerIDs = (await cluster.kubectl(['get', 'nodes', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.spec.providerID}{"\\n"}{end}'])).stdout;
    for (const row of workerNodes) assert.ok(providerIDs.includes(`${row.NAME}=local:///${row.NAME}\n`), `providerID of node ${row.NAME}`);

    await waitFor(async () => {
      const set = parseTable((await cluster.kubectl(['get', 'machineset', 'workers', '-n', NS])).stdout).rows[0];
      return set.DESIRED === '3' && set.CURRENT === '3' && set.READY === '3' && set.AVAILABLE === '3';
    }, { timeoutMs: 5_000, intervalMs: 150, message: 'the MachineSet to print 3 3 3 3' });
  });

  it('scales up and down with kubectl scale; deletePolicy Oldest removes the oldest Machine with its Node and instance', async () => {
    await createMachineSet('oldest', { replicas: 1, deletePolicy: 'Oldest' });
    const [first] = (await waitForFleet(cluster, 'oldest', 1)).machines;
    await nextSecond([first]);
    await scale('oldest', 3);
    const grown = await waitForFleet(cluster, 'oldest', 3);
    assert.ok(grown.machines.some((m) => m.metadata.name === first.metadata.name), 'scaling up keeps the Machine there was');

    await scale('oldest', 2);
    await waitForMachinesGone(cluster, 'oldest', [first]);
    const shrunk = await waitForFleet(cluster, 'oldest', 2);
    assert.deepEqual(names(shrunk.machines), names(grown.machines.filter((m) => m.metadata.name !== first.metadata.name)));
    assertLinked(shrunk);
  });

  it('with deletePolicy Newest, scaling down removes the newest Machine', async () => {
    await createMachineSet('newest', { replicas: 2, deletePolicy: 'Newest' });
    const before = (await waitForFleet(cluster, 'newest', 2)).machines;
    await nextSecond(before);
    await scale('newest', 3);
    const grown = await waitForFleet(cluster, 'newest', 3);
    const newest = grown.machines.filter((m) => !names(before).includes(m.metadata.name));
    assert.equal(newest.length, 1);

    await scale('newest', 2);
    await waitForMachinesGone(cluster, 'newest', newest);
    assert.deepEqual(names((await waitForFleet(cluster, 'newest', 2)).machines), names(before));
  });

  it('removes a Machine annotated delete-machine first, even the oldest one under deletePolicy Newest', async () => {
    await createMachineSet('marked', { replicas: 2, deletePolicy: 'Newest' });
    const before = (await waitForFleet(cluster, 'marked', 2)).machines;
    await nextSecond(before);
    await scale('marked', 3);
    await waitForFleet(cluster, 'marked', 3);
    const [oldest] = before;
    await cluster.kubectl(['annotate', 'machine', oldest.metadata.name ?? '', '-n', NS, `${DELETE_MACHINE_ANNOTATION}=true`]);

    await scale('marked', 2);
    await waitForMachinesGone(cluster, 'marked', [oldest]);
    const after = await waitForFleet(cluster, 'marked', 2);
    assert.ok(!names(after.machines).includes(oldest.metadata.name), 'the annotated Machine went');
    assert.ok(names(after.machines).includes(before[1].metadata.name), 'the other old Machine stayed');
  });

  it('deletes every Machine, Node and instance of a deleted MachineSet', async () => {
    await apply(cluster, machineSetManifest('doomed', { replicas: 2 }));
    const fleet = await waitForFleet(cluster, 'doomed', 2);
    const nodeNames = fleet.machines.map((m) => m.status?.nodeRef?.name ?? '');

    await cluster.kubectl(['delete', 'machineset', 'doomed', '-n', NS]);
    await waitForMachinesGone(cluster, 'doomed', fleet.machines);
    const after = await readFleet(cluster, 'doomed');
    assert.deepEqual(after.machines, []);
    assert.deepEqual(nodeNames.filter((n) => after.nodes.has(n)), [], 'no Node left');
    assert.deepEqual(after.instances.map((i) => i.state), ['terminated', 'terminated']);
    const gone = await cluster.kubectl(['get', 'machineset', 'doomed', '-n', NS], { allowFailure: true });
    assert.match(gone.stderr, /machinesets.machine.openshift.io "doomed" not found/);
  });
});
