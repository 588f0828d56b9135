// What the per-cloud e2e suites share: the dev cluster in this process running Machines on an emulated cloud
// (startDevCluster's emulatedCloud: hollow kubelets following the emulator, the Machine API operator with that
// cloud's provider, in process or as its own process), driven by the real kubectl, and the checks every suite makes
// against three sources at once: the Machines, their Nodes, and what the emulator holds.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDevCluster, type DevClusterHandle } from '../../../devcluster/cluster.ts';
import { DELETE_MACHINE_ANNOTATION, MACHINE_API_NAMESPACE, MACHINE_SET_LABEL, type Machine } from '../../../operators/api/machine-v1beta1.ts';
import { DEFAULT_PROVISION_POLL_MS } from '../../../operators/machine-api/providers/azure/index.ts';
import { createLogger } from '../../../operators/runtime/log.ts';
import { waitFor } from '../../../operators/runtime/wait.ts';
import { kubectlRunner, type KubectlRunner } from '../../support/dev-server.ts';
import { parseTable } from '../../support/kubectl-table.ts';
import { spawnMachineApiOperator, type OperatorProcess } from '../../support/operator-process.ts';
import type { CloudInstance, EmulatedCloud } from './emulators.ts';

export const NS = MACHINE_API_NAMESPACE;
/** How long a fleet of a few Machines may take to settle, faults included. */
const SETTLE_MS = 25_000;
const POLL_MS = 150;

export interface NodeJson {
  readonly metadata: { readonly name: string };
  readonly spec?: { readonly providerID?: string };
  readonly status?: {
    readonly conditions?: readonly { readonly type: string; readonly status: string }[];
    readonly addresses?: readonly { readonly type: string; readonly address: string }[];
  };
}

export interface CloudCluster extends KubectlRunner {
  readonly cloud: EmulatedCloud;
  readonly kubeconfigPath: string;
  /** Log lines of the operator (in process), the hollow kubelets and the cluster, for a failure's message. */
  logs(): string[];
  stop(): Promise<void>;
}

/**
 * The dev cluster on `cloud`, with the credentials and user-data Secrets applied as the installer leaves them.
 * `inProcessOperator: false` leaves the operator to spawnCloudOperator.
 */
export async function startCloudCluster(cloud: EmulatedCloud, options: { inProcessOperator?: boolean } = {}): Promise<CloudCluster> {
  const dataDir = mkdtempSync(join(tmpdir(), `clouds-e2e-${cloud.name}-`));
  const lines: string[] = [];
  let handle: DevClusterHandle;
  try {
    handle = await startDevCluster({
      dataDir, port: 0, ephemeral: true, emulatedCloud: cloud, inProcessOperator: options.inProcessOperator, minRequeueAfterMs: 200,
      logger: createLogger({ sink: (line) => lines.push(line) }),
    });
  } catch (err) {
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  const runner = kubectlRunner(handle.api.kubeconfigPath, join(dataDir, 'kubectl-cache'));
  for (const secret of cloud.secrets()) await runner.kubectl(['apply', '-f', '-'], { input: JSON.stringify(secret) });
  return {
    ...runner,
    cloud,
    kubeconfigPath: handle.api.kubeconfigPath,
    logs: () => lines,
    async stop() {
      await handle.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * The operator as its own process (operators/machine-api/main.ts --providers <cloud>), pointed at the emulator
 * through the environment as a Deployment would be. test/support's spawner builds the child's environment from
 * process.env when called, before its first await, so the endpoints are set around that call only.
 */
export function spawnCloudOperator(cluster: CloudCluster, args: readonly string[] = []): Promise<OperatorProcess> {
  const saved = Object.fromEntries(Object.keys(cluster.cloud.operatorEnv).map((k) => [k, process.env[k]]));
  Object.assign(process.env, cluster.cloud.operatorEnv);
  try {
    return spawnMachineApiOperator({ kubeconfigPath: cluster.kubeconfigPath, localCloudEndpoint: '', args: ['--providers', cluster.cloud.name, ...args] });
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

export async function getJson<T>(target: KubectlRunner, args: string[]): Promise<T> {
  return JSON.parse((await target.kubectl(['get', ...args, '-o', 'json'])).stdout) as T;
}

export async function machinesOf(target: KubectlRunner, machineSet: string): Promise<Machine[]> {
  return (await getJson<{ items: Machine[] }>(target, ['machines', '-n', NS, '-l', `${MACHINE_SET_LABEL}=${machineSet}`])).items;
}

export interface Fleet {
  readonly machines: Machine[];
  readonly nodes: Map<string, NodeJson>;
  readonly instances: CloudInstance[];
}

export async function readFleet(cluster: CloudCluster, machineSet: string): Promise<Fleet> {
  const [machines, nodes, instances] = await Promise.all([
    machinesOf(cluster, machineSet),
    getJson<{ items: NodeJson[] }>(cluster, ['nodes']),
    cluster.cloud.instances(machineSet),
  ]);
  return { machines, nodes: new Map(nodes.items.map((n) => [n.metadata.name, n])), instances };
}

const isReady = (node: NodeJson | undefined) => node?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

/**
 * Why the fleet is not yet `replicas` Running Machines, each linked to a Ready Node with its providerID and to
 * exactly one live instance, with no other live instance of the set; undefined once it is.
 */
function fleetProblem({ machines, nodes, instances }: Fleet, replicas: number): string | undefined {
  if (machines.length !== replicas) return `${machines.length} Machines, want ${replicas}`;
  for (const m of machines) {
    const name = m.metadata.name ?? '';
    if (m.metadata.deletionTimestamp) return `Machine ${name} is being deleted`;
    if (m.status?.phase !== 'Running') return `Machine ${name} is ${m.status?.phase ?? 'without a phase'}`;
    const node = nodes.get(m.status.nodeRef?.name ?? '');
    if (!isReady(node)) return `the Node of Machine ${name} is not Ready`;
    if (!m.spec?.providerID || node?.spec?.providerID !== m.spec.providerID) return `Machine ${name} (${m.spec?.providerID}) and Node (${node?.spec?.providerID}) differ`;
  }
  const live = instances.filter((i) => i.live);
  if (live.length !== replicas) return `live instances: ${live.map((i) => `${i.machine}=${i.state}`).join(', ')}`;
  return undefined;
}

export async function waitForFleet(cluster: CloudCluster, machineSet: string, replicas: number, timeoutMs = SETTLE_MS): Promise<Fleet> {
  let last = 'not read yet';
  try {
    return await waitFor(async () => {
      const fleet = await readFleet(cluster, machineSet);
      last = fleetProblem(fleet, replicas) ?? '';
      return last === '' ? fleet : undefined;
    }, { timeoutMs, intervalMs: POLL_MS, message: `${replicas} Running Machines of ${machineSet} on ${cluster.cloud.name}` });
  } catch (err) {
    const tail = cluster.logs().filter((l) => /"level":"(warn|error)"/.test(l)).slice(-8).join('\n');
    throw new Error(`${(err as Error).message}; last seen: ${last}\nlast warnings:\n${tail}`, { cause: err });
  }
}

/**
 * Exactly one instance per Machine, ever (a second one for a Machine, even one since deleted, is a duplicate the
 * faults caused), and no live instance without a Machine (a leak).
 */
export function assertOneInstancePerMachine(fleet: Fleet): void {
  const uids = fleet.machines.map((m) => m.metadata.uid ?? '').sort();
  const byUid = new Map<string, string[]>();
  for (const i of fleet.instances) byUid.set(i.uid, [...(byUid.get(i.uid) ?? []), `${i.id} (${i.state})`]);
  for (const uid of uids) assert.equal(byUid.get(uid)?.length, 1, `instances made for Machine ${uid}: ${byUid.get(uid)?.join(', ') ?? 'none'}`);
  assert.deepEqual(fleet.instances.filter((i) => i.live).map((i) => i.uid).sort(), uids, 'every live instance belongs to a Machine');
}

export async function scale(cluster: CloudCluster, machineSet: string, replicas: number): Promise<void> {
  await cluster.kubectl(['scale', 'machineset', machineSet, '-n', NS, `--replicas=${replicas}`]);
}

/**
 * The lifecycle every cloud must pass, driven with kubectl: apply → `replicas` Running Machines on Ready Nodes that
 * carry their instance's providerID (shown by `get machines -o wide`); scale down by one with the delete-machine
 * annotation → exactly that Machine's instance and Node go; delete the MachineSet → every Machine, Node, instance
 * (and, on Azure, NIC and disk) goes.
 */
export async function runLifecycle(cluster: CloudCluster, machineSet: string, replicas: number): Promise<void> {
  const { cloud } = cluster;
  await cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify(cloud.machineSet(machineSet, replicas)) });
  const fleet = await waitForFleet(cluster, machineSet, replicas);
  assertOneInstancePerMachine(fleet);
  for (const m of fleet.machines) {
    const node = fleet.nodes.get(m.status?.nodeRef?.name ?? '')!;
    const expected = cloud.nodeIdentity(m);
    assert.equal(node.metadata.name, expected.nodeName, `the Node of ${m.metadata.name} is named as ${cloud.name}'s kubelet names it`);
    assert.match(m.spec?.providerID ?? '', expected.providerID, `providerID of ${m.metadata.name}`);
    const ip = m.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
    assert.ok(ip, `Machine ${m.metadata.name} has an InternalIP`);
    assert.ok(node.status?.addresses?.some((a) => a.type === 'InternalIP' && a.address === ip), `the Node of ${m.metadata.name} has the instance's address ${ip}`);
  }

  // The STATE column follows the instance a moment behind the phase (the machine controller reads it again shortly
  // after a machine turns Running), so wait for every row to show the cloud's running state.
  const wide = () => cluster.kubectl(['get', 'machines', '-n', NS, '-l', `${MACHINE_SET_LABEL}=${machineSet}`, '-o', 'wide']);
  await waitFor(async () => parseTable((await wide()).stdout).rows.every((r) => r.STATE === RUNNING_STATE[cloud.name]), { timeoutMs: 20_000, intervalMs: 250, message: 'every Machine to show its instance running' });
  const table = parseTable((await wide()).stdout);
  assert.deepEqual(table.header, ['NAME', 'PHASE', 'TYPE', 'REGION', 'ZONE', 'AGE', 'NODE', 'PROVIDERID', 'STATE']);
  for (const row of table.rows) {
    const m = fleet.machines.find((x) => x.metadata.name === row.NAME)!;
    assert.deepEqual({ phase: row.PHASE, node: row.NODE, providerID: row.PROVIDERID, state: row.STATE }, {
      phase: 'Running', node: m.status?.nodeRef?.name, providerID: m.spec?.providerID, state: RUNNING_STATE[cloud.name],
    });
  }

  // Scale down with a chosen victim: the delete policy takes the annotated Machine first (delete_policy.go).
  const victim = fleet.machines[1];
  const victimNode = victim.status?.nodeRef?.name ?? '';
  await cluster.kubectl(['annotate', 'machine', victim.metadata.name ?? '', '-n', NS, `${DELETE_MACHINE_ANNOTATION}=true`]);
  await scale(cluster, machineSet, replicas - 1);
  const after = await waitForFleet(cluster, machineSet, replicas - 1);
  assert.ok(!after.machines.some((m) => m.metadata.uid === victim.metadata.uid), `the annotated Machine ${victim.metadata.name} was the one deleted`);
  assert.ok(!after.nodes.has(victimNode), `the Node ${victimNode} of the deleted Machine is gone`);
  const survivors = fleet.machines.filter((m) => m !== victim).map((m) => m.metadata.uid).sort();
  assert.deepEqual(after.instances.filter((i) => i.live).map((i) => i.uid).sort(), survivors, 'exactly the annotated Machine\'s instance went');
  assertOneInstancePerMachine(after);

  await deleteMachineSet(cluster, machineSet, fleet);
}

/** The cloud's word for a running instance, as the instance-state annotation carries it. */
const RUNNING_STATE: Readonly<Record<EmulatedCloud['name'], string>> = { aws: 'running', gcp: 'RUNNING', azure: 'Running' };

/** `kubectl delete machineset`, then waits until its Machines, their Nodes, instances and other resources are gone. */
export async function deleteMachineSet(cluster: CloudCluster, machineSet: string, fleet: Fleet): Promise<void> {
  await cluster.kubectl(['delete', 'machineset', machineSet, '-n', NS]);
  const nodeNames = fleet.machines.map((m) => m.status?.nodeRef?.name ?? '');
  let last = '';
  await waitFor(async () => {
    const now = await readFleet(cluster, machineSet);
    const leftovers = await cluster.cloud.leftovers(machineSet);
    last = JSON.stringify({
      machines: now.machines.map((m) => m.metadata.name),
      nodes: nodeNames.filter((n) => now.nodes.has(n)),
      instances: now.instances.filter((i) => i.live).map((i) => i.machine),
      leftovers,
    });
    return last === JSON.stringify({ machines: [], nodes: [], instances: [], leftovers: [] });
  }, { timeoutMs: SETTLE_MS, intervalMs: POLL_MS, message: `MachineSet ${machineSet} and everything it made to be gone` }).catch((err: unknown) => {
    throw new Error(`${(err as Error).message}; left: ${last}`, { cause: err });
  });
}

/**
 * An operator process looks again at an instance still provisioning after its provider's default (20 s for Azure,
 * as for GCP's operation polls), which has no flag; a fleet it settles may take that much longer.
 */
const PROCESS_PROVISION_POLL_MS = DEFAULT_PROVISION_POLL_MS;

/** How a suite sees the calls that make an instance reach its cloud, and slows every answer of that cloud. */
export interface CreateCallProbe {
  /** The call that makes the instance, as the emulator counts it ("RunInstances", "instances.insert", …). */
  readonly name: string;
  /** Calls of `name` since the last resetCounts. */
  count(): number;
  resetCounts(): void;
  /** Delays every answer of the emulator by `ms` (0: none). */
  setLatencyMs(ms: number): void;
}

/**
 * The crash-consistency test every cloud shares (shared/reference/machine-api.md §8): the operator as its own
 * process, one Machine at a time and every cloud answer 400 ms late, is killed with SIGKILL right after its first
 * create call reached the cloud; the instance is made for an operator that never hears of it. Started again, the
 * operator must adopt that instance and end with exactly N, one per Machine UID.
 */
export function describeOperatorKilledMidCreate<C extends EmulatedCloud>(cloudTitle: string, startCloud: () => Promise<C>, probeOf: (cloud: C) => CreateCallProbe): void {
  describe(`Machines on ${cloudTitle} end to end, operator killed with SIGKILL mid-create`, function () {
    this.timeout(40_000 + PROCESS_PROVISION_POLL_MS);
    let cloud: C;
    let cluster: CloudCluster;
    let operator: OperatorProcess | undefined;

    before(async () => {
      cloud = await startCloud();
      cluster = await startCloudCluster(cloud, { inProcessOperator: false });
    });
    after(async () => {
      await operator?.stop('SIGKILL');
      await cluster?.stop();
      await cloud?.stop();
    });

    it('ends with exactly N instances when the operator dies right after its create call reached the cloud and is started again', async () => {
      const probe = probeOf(cloud);
      operator = await spawnCloudOperator(cluster, ['--machine-concurrency', '1']);
      await cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify(cloud.machineSet('killed', 0)) });
      probe.setLatencyMs(400);
      probe.resetCounts();
      await scale(cluster, 'killed', 3);
      await waitFor(() => probe.count() >= 1, { timeoutMs: 15_000, intervalMs: 5, message: `the operator to send ${probe.name}` });
      const exit = await operator.stop('SIGKILL');
      operator = undefined;
      assert.equal(exit.signal, 'SIGKILL');

      // The orphaned call completes: an instance exists that no Machine records yet.
      const orphan = await waitFor(async () => (await cloud.instances('killed'))[0], { timeoutMs: 5_000, intervalMs: 50, message: `the in-flight ${probe.name} to reach the cloud` });
      const machines = await machinesOf(cluster, 'killed');
      assert.equal(machines.find((m) => m.metadata.uid === orphan.uid)?.spec?.providerID, undefined, 'the dead operator never recorded the instance');

      probe.setLatencyMs(0);
      operator = await spawnCloudOperator(cluster);
      const fleet = await waitForFleet(cluster, 'killed', 3, SETTLE_MS + PROCESS_PROVISION_POLL_MS);
      assertOneInstancePerMachine(fleet);
      assert.ok(fleet.instances.some((i) => i.id === orphan.id && i.live), `the orphaned instance ${orphan.id} was adopted by its Machine`);
      // No delete here: an operator process polls a terminating instance every 20 s (the providers' default, which
      // has no flag); the in-process suites cover deletion.
    });
  });
}

/** A scale-up under faults: arms the cloud's faults and says which create call must have absorbed them all. */
export interface FaultScenario<C> {
  readonly title: string;
  inject(cloud: C): { readonly call: string; count(): number; readonly atLeast: number };
}

/**
 * The in-process end-to-end suite every cloud runs: the MachineSet lifecycle with kubectl, then a scale-up through
 * the cloud's faults that must end with exactly one instance per Machine.
 */
export function describeCloudEndToEnd<C extends EmulatedCloud>(cloudTitle: string, startCloud: () => Promise<C>, lifecycleTitle: string, faults: FaultScenario<C>): void {
  describe(`Machines on ${cloudTitle} end to end`, function () {
    this.timeout(40_000);
    let cloud: C;
    let cluster: CloudCluster;

    before(async () => {
      cloud = await startCloud();
      cluster = await startCloudCluster(cloud);
    });
    after(async () => {
      await cluster?.stop();
      await cloud?.stop();
    });
    afterEach(() => cloud.clearFaults());

    it(lifecycleTitle, async () => {
      await runLifecycle(cluster, 'lifecycle', 3);
    });

    it(faults.title, async () => {
      await cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify(cloud.machineSet('faults', 0)) });
      const creates = faults.inject(cloud);
      await scale(cluster, 'faults', 3);

      const fleet = await waitForFleet(cluster, 'faults', 3);
      assertOneInstancePerMachine(fleet);
      // Every planned fault was answered before the instances were made.
      assert.ok(creates.count() >= creates.atLeast, `${creates.call} calls: ${creates.count()}`);
      await deleteMachineSet(cluster, 'faults', fleet);
    });
  });
}
