// The MachineSet controller against the embedded API server: user stories (scale up and down, adoption,
// replacement, readiness, invalid specs) and the two failure modes MAO has, a lagging cache causing duplicate
// Machines and unbounded concurrent writes. No Machine controller runs: Machines stay as created, and readiness
// comes from Nodes the tests write.
import assert from 'node:assert/strict';
import {
  AUTOSCALER_MAX_SIZE_ANNOTATION,
  AUTOSCALER_MIN_SIZE_ANNOTATION,
  DELETE_MACHINE_ANNOTATION,
  MACHINE_SET_LABEL,
  type Machine,
  type MachineSet,
} from '../../api/machine-v1beta1.ts';
import { kubeJson } from '../../runtime/kube-http.ts';
import { sleep, waitFor } from '../../runtime/wait.ts';
import type { RawWatchEvent } from '../../runtime/watcher.ts';
import { resourcePath } from '../../runtime/resource-client.ts';
import { MACHINE_SETS, MACHINES, NODES } from '../context.ts';
import { reconcileCount, runControllers, startMachineApiTestCluster, type MachineApiTestCluster, type RunOptions, type RunningControllers } from '../integration.test-util.ts';
import { machineSetController, machineSetInputsChanged, MachineSetExpectations, type MachineSetControllerOptions } from './controller.ts';

const CONTROLLER = 'machineset-controller';

function machineSet(name: string, replicas: number, spec: Record<string, unknown> = {}): MachineSet {
  const labels = { [MACHINE_SET_LABEL]: name };
  return {
    apiVersion: 'machine.openshift.io/v1beta1',
    kind: 'MachineSet',
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels: { ...labels, 'machine.openshift.io/cluster-api-cluster': 'test' } },
        spec: { providerSpec: { value: { apiVersion: 'machine.openshift.io/v1beta1', kind: 'LocalMachineProviderSpec' } } },
      },
      ...spec,
    },
  };
}

describe('MachineSet controller', function () {
  this.timeout(20_000);
  let cluster: MachineApiTestCluster;
  let running: RunningControllers | undefined;
  let ns: string;

  before(async () => {
    cluster = await startMachineApiTestCluster();
  });
  after(async () => {
    await cluster?.stop();
  });
  beforeEach(async () => {
    ns = await cluster.namespace();
  });
  afterEach(async () => {
    await running?.stop();
    running = undefined;
  });

  async function start(options: MachineSetControllerOptions = {}, run: RunOptions = {}): Promise<RunningControllers> {
    running = await runControllers(cluster.kc, ns, (ctx) => [machineSetController(ctx, { minRequeueAfterMs: 50, ...options })], run);
    return running;
  }
  const api = <T>(path: string, request?: Parameters<typeof kubeJson>[2]) => kubeJson<T>(cluster.kc, path, request);
  const createMachineSet = (ms: MachineSet) => api<MachineSet>(resourcePath(MACHINE_SETS, ns), { method: 'POST', body: ms });
  const getMachineSet = (name: string) => api<MachineSet>(resourcePath(MACHINE_SETS, ns, name));
  const listMachines = async () => (await api<{ items: Machine[] }>(resourcePath(MACHINES, ns))).items;
  const liveMachines = async () => (await listMachines()).filter((m) => !m.metadata.deletionTimestamp);
  const patchMachine = (name: string, body: unknown, subresource?: string) =>
    api<Machine>(resourcePath(MACHINES, ns, name, subresource), { method: 'PATCH', contentType: 'application/merge-patch+json', body });
  const scale = (name: string, replicas: number) =>
    api(resourcePath(MACHINE_SETS, ns, name, 'scale'), { method: 'PATCH', contentType: 'application/merge-patch+json', body: { spec: { replicas } } });
  const waitForMachines = (count: number) =>
    waitFor(async () => {
      const machines = await liveMachines();
      return machines.length === count && machines;
    }, { timeoutMs: 8_000, message: `${count} Machines` });

  async function createNode(name: string, ready: boolean): Promise<void> {
    await api(resourcePath(NODES, undefined), { method: 'POST', body: { metadata: { name } } });
    await setNodeReady(name, ready);
  }
  function setNodeReady(name: string, ready: boolean) {
    const condition = { type: 'Ready', status: ready ? 'True' : 'False', lastHeartbeatTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), lastTransitionTime: new Date(Date.now() - 60_000).toISOString().replace(/\.\d+Z$/, 'Z'), reason: 'Test' };
    return api(resourcePath(NODES, undefined, name, 'status'), { method: 'PATCH', contentType: 'application/merge-patch+json', body: { status: { conditions: [condition] } } });
  }

  it('creates spec.replicas Machines from the template, owned by the set, and reports status', async () => {
    await start();
    const autoscaler = { [AUTOSCALER_MIN_SIZE_ANNOTATION]: '1', [AUTOSCALER_MAX_SIZE_ANNOTATION]: '6' };
    const template = machineSet('workers', 3);
    const ms = await createMachineSet({ ...template, metadata: { ...template.metadata, annotations: autoscaler } });
    const machines = await waitForMachines(3);
    for (const m of machines) {
      assert.match(m.metadata.name ?? '', /^workers-/);
      assert.equal(m.metadata.labels?.[MACHINE_SET_LABEL], 'workers');
      assert.deepEqual(m.metadata.ownerReferences, [
        { apiVersion: 'machine.openshift.io/v1beta1', kind: 'MachineSet', name: 'workers', uid: ms.metadata.uid, controller: true, blockOwnerDeletion: true },
      ]);
      assert.equal(m.spec?.providerSpec?.value?.kind, 'LocalMachineProviderSpec');
    }
    const status = await waitFor(async () => {
      const s = (await getMachineSet('workers')).status;
      return s?.replicas === 3 && s;
    });
    assert.deepEqual(status, {
      replicas: 3,
      fullyLabeledReplicas: 3,
      readyReplicas: 0,
      availableReplicas: 0,
      observedGeneration: 1,
      labelSelector: `${MACHINE_SET_LABEL}=workers`,
    });
    // The cluster-autoscaler's bounds are its own: kept as written.
    assert.deepEqual((await getMachineSet('workers')).metadata.annotations, autoscaler);
  });

  it('scales down through /scale, deleting the Machine carrying the delete-machine annotation first', async () => {
    await start();
    await createMachineSet(machineSet('workers', 3));
    const machines = await waitForMachines(3);
    const victim = machines.map((m) => m.metadata.name ?? '').sort()[1];
    await patchMachine(victim, { metadata: { annotations: { [DELETE_MACHINE_ANNOTATION]: 'true' } } });
    await scale('workers', 2);
    const left = await waitForMachines(2);
    assert.ok(!left.some((m) => m.metadata.name === victim), `${victim} should have been deleted`);
    await waitFor(async () => (await getMachineSet('workers')).status?.replicas === 2);
  });

  it('prefers Machines without a Node under the Random policy', async () => {
    await start();
    await createMachineSet(machineSet('workers', 3));
    const names = (await waitForMachines(3)).map((m) => m.metadata.name ?? '').sort();
    // Two of three get a Node; the third (not first by name) has none and goes first.
    for (const name of [names[0], names[2]]) await patchMachine(name, { status: { nodeRef: { kind: 'Node', name: `${ns}-${name}` } } }, 'status');
    await scale('workers', 2);
    const left = (await waitForMachines(2)).map((m) => m.metadata.name).sort();
    assert.deepEqual(left, [names[0], names[2]]);
  });

  it('counts ready and available replicas from the linked Nodes and follows readiness changes', async () => {
    await start();
    await createMachineSet(machineSet('workers', 2));
    const names = (await waitForMachines(2)).map((m) => m.metadata.name ?? '').sort();
    for (const [i, name] of names.entries()) {
      await createNode(`${ns}-${name}`, i === 0);
      await patchMachine(name, { status: { nodeRef: { kind: 'Node', name: `${ns}-${name}` } } }, 'status');
    }
    await waitFor(async () => {
      const s = (await getMachineSet('workers')).status;
      return s?.readyReplicas === 1 && s.availableReplicas === 1;
    }, { message: 'one ready Machine' });
    await setNodeReady(`${ns}-${names[1]}`, true);
    await waitFor(async () => (await getMachineSet('workers')).status?.readyReplicas === 2, { message: 'two ready Machines' });
  });

  it('adopts an orphan Machine its selector matches instead of creating one', async () => {
    await start();
    const template = machineSet('workers', 1).spec!.template!;
    await api(resourcePath(MACHINES, ns), { method: 'POST', body: { metadata: { name: 'orphan', labels: template.metadata!.labels }, spec: template.spec } });
    const ms = await createMachineSet(machineSet('workers', 1));
    await waitFor(async () => (await listMachines()).find((m) => m.metadata.ownerReferences?.[0]?.uid === ms.metadata.uid), { message: 'adoption' });
    await sleep(200);
    assert.deepEqual((await listMachines()).map((m) => m.metadata.name), ['orphan']);
  });

  it('does not count a Machine being deleted and replaces it at once', async () => {
    await start();
    await createMachineSet(machineSet('workers', 2));
    const [first] = await waitForMachines(2);
    const name = first.metadata.name ?? '';
    // A finalizer keeps it in Deleting, as the Machine controller's would while the instance goes away.
    await patchMachine(name, { metadata: { finalizers: ['test.example.com/hold'] } });
    await api(resourcePath(MACHINES, ns, name), { method: 'DELETE' });
    await waitForMachines(2);
    assert.equal((await listMachines()).length, 3);
    await waitFor(async () => (await getMachineSet('workers')).status?.replicas === 2);
    await patchMachine(name, { metadata: { finalizers: null } });
  });

  it('reports an invalid MachineSet in status.errorReason and creates nothing', async () => {
    const registry = (await start()).registry;
    const ms = machineSet('broken', 2);
    await createMachineSet({ ...ms, spec: { ...ms.spec, selector: { matchLabels: { app: 'other' } } } });
    const status = await waitFor(async () => (await getMachineSet('broken')).status?.errorReason && (await getMachineSet('broken')).status);
    assert.equal(status?.errorReason, 'InvalidConfiguration');
    assert.equal(status?.errorMessage, 'spec.selector: Invalid value: {"matchLabels":{"app":"other"}}: selector does not match template labels');
    assert.deepEqual(await listMachines(), []);
    // Terminal: no retry loop.
    const count = await reconcileCount(registry, CONTROLLER);
    await sleep(300);
    assert.equal(await reconcileCount(registry, CONTROLLER), count);
  });

  it('never creates duplicates while its cache lags behind its own writes', async () => {
    // Every watch event of the machines cache arrives 400 ms late, while the MachineSet's own status writes
    // requeue it at once: without expectations the second reconcile would create the Machines again.
    await start({}, {
      wrapMachinesListerWatcher: (lw) => ({
        list: (o) => lw.list(o),
        async watch(o) {
          const events = await lw.watch(o);
          return (async function* delayed(): AsyncIterable<RawWatchEvent<Machine>> {
            for await (const event of events) {
              await sleep(400);
              yield event;
            }
          })();
        },
      }),
    });
    await createMachineSet(machineSet('workers', 3));
    await waitFor(async () => (await getMachineSet('workers')).status?.replicas === 3, { timeoutMs: 8_000 });
    assert.equal((await listMachines()).length, 3);
  });

  it('keeps at most maxInFlight Machine creates in flight', async () => {
    let inFlight = 0;
    let maxSeen = 0;
    await start({ maxInFlight: 3 }, {
      wrapClient: (client) => ({
        ...client,
        async create(ref, namespace, body) {
          inFlight++;
          maxSeen = Math.max(maxSeen, inFlight);
          try {
            await sleep(30);
            return await client.create(ref, namespace, body);
          } finally {
            inFlight--;
          }
        },
      }),
    });
    await createMachineSet(machineSet('workers', 12));
    await waitForMachines(12);
    assert.equal(maxSeen, 3);
  });
});

describe('MachineSetExpectations', () => {
  const machine = (name: string, uid: string, deleting = false): Machine => ({
    metadata: { name, namespace: 'ns', uid, ...(deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
  });
  const lookup = (...machines: Machine[]) => ({ get: (key: string) => machines.find((m) => `ns/${m.metadata.name}` === key) });

  it('waits for a created Machine until the cache has it', () => {
    const e = new MachineSetExpectations(60_000);
    e.expectCreation('ns/ms', 'ns/a', lookup(), 0);
    assert.deepEqual(e.pending('ns/ms', lookup(), 10), { creations: 1, deletions: 0, expiresInMs: 59_990 });
    assert.equal(e.pending('ns/ms', lookup(machine('a', '1')), 20), undefined);
  });

  it('does not wait for a creation the cache showed before the create returned', () => {
    const e = new MachineSetExpectations(60_000);
    e.expectCreation('ns/ms', 'ns/a', lookup(machine('a', '1')), 0);
    assert.equal(e.pending('ns/ms', lookup(), 0), undefined);
  });

  it('settles a creation observed by an event even if the Machine is gone again', () => {
    const e = new MachineSetExpectations(60_000);
    e.expectCreation('ns/ms', 'ns/a', lookup(), 0);
    e.observe('ns/a');
    assert.equal(e.pending('ns/ms', lookup(), 0), undefined);
  });

  it('waits for a deleted Machine until the cache shows it deleting, gone or replaced', () => {
    const e = new MachineSetExpectations(60_000);
    const a = machine('a', '1');
    e.expectDeletion('ns/ms', a, lookup(a), 0);
    assert.equal(e.pending('ns/ms', lookup(a), 0)?.deletions, 1);
    assert.equal(e.pending('ns/ms', lookup(machine('a', '1', true)), 0), undefined);
    e.expectDeletion('ns/ms', a, lookup(a), 0);
    assert.equal(e.pending('ns/ms', lookup(machine('a', '2')), 0), undefined);
  });

  it('gives up after the timeout so a lost event cannot stop scaling for good', () => {
    const e = new MachineSetExpectations(1_000);
    e.expectCreation('ns/ms', 'ns/a', lookup(), 0);
    assert.ok(e.pending('ns/ms', lookup(), 999));
    assert.equal(e.pending('ns/ms', lookup(), 1_000), undefined);
  });
});

describe('machineSetInputsChanged', () => {
  const base: Machine = {
    metadata: { name: 'a', namespace: 'ns', labels: { [MACHINE_SET_LABEL]: 'workers' }, ownerReferences: [] },
    status: { phase: 'Provisioning' },
  };
  const update = (change: (m: Machine) => Machine) => ({ type: 'update' as const, object: change(base), oldObject: base });
  const cases: Array<[string, ReturnType<typeof update> | { type: 'add' | 'delete'; object: Machine }, boolean]> = [
    ['an add', { type: 'add', object: base }, true],
    ['a delete', { type: 'delete', object: base }, true],
    ['a label change', update((m) => ({ ...m, metadata: { ...m.metadata, labels: { ...m.metadata.labels, zone: 'a' } } })), true],
    ['a new owner', update((m) => ({ ...m, metadata: { ...m.metadata, ownerReferences: [{ apiVersion: 'v1', kind: 'MachineSet', name: 'x', uid: '1', controller: true }] } })), true],
    ['a deletionTimestamp', update((m) => ({ ...m, metadata: { ...m.metadata, deletionTimestamp: '2026-01-01T00:00:00Z' } })), true],
    ['a nodeRef', update((m) => ({ ...m, status: { ...m.status, nodeRef: { kind: 'Node', name: 'n' } } })), true],
    ['a phase change', update((m) => ({ ...m, status: { ...m.status, phase: 'Running' } })), false],
    ['a finalizer and providerID', update((m) => ({ ...m, metadata: { ...m.metadata, finalizers: ['f'] }, spec: { providerID: 'local:///a' } })), false],
  ];
  for (const [what, event, expected] of cases) {
    it(`${expected ? 'reconciles' : 'does not reconcile'} the MachineSet on ${what}`, () => {
      assert.equal(machineSetInputsChanged(event), expected);
    });
  }
});
