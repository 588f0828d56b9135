// What the Machine API end-to-end suites share: a dev cluster in this process (startDevCluster, as `npm start`
// runs it) whose API server can be restarted, MachineSet manifests for the local provider, and reads of the three
// places a Machine shows up (the Machine and its Node through the real kubectl, the instance through the local
// cloud's HTTP API), with bounded waits for the fleet to settle.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApiServer, type ApiServerHandle } from '../../../devcluster/apiserver/index.ts';
import { startDevCluster } from '../../../devcluster/cluster.ts';
import {
  CLUSTER_ID_LABEL,
  MACHINE_API_GROUP_VERSION,
  MACHINE_API_NAMESPACE,
  MACHINE_SET_LABEL,
  type Machine,
  type MachineSet,
} from '../../../operators/api/machine-v1beta1.ts';
import { createLogger } from '../../../operators/runtime/log.ts';
import { waitFor } from '../../../operators/runtime/wait.ts';
import { kubectlRunner, type KubectlResult, type KubectlRunner } from '../../support/dev-server.ts';
import { listInstances, type CloudInstance } from '../../support/local-cloud-api.ts';

export const NS = MACHINE_API_NAMESPACE;
export const CLUSTER_ID = 'e2e';
/** How long a fleet of a few Machines may take to settle (boot delays are 0–2 s). */
const SETTLE_MS = 20_000;
const POLL_MS = 150;

/** Whatever runs the cluster (in this process or as child processes): kubectl bound to it, and the cloud's URL. */
export interface E2eTarget extends KubectlRunner {
  readonly cloudUrl: string;
}

/** The parts of a Node the suites read, as kubectl prints them (timestamps stay strings). */
export interface NodeJson {
  readonly metadata: { readonly name: string; readonly deletionTimestamp?: string; readonly annotations?: Record<string, string> };
  readonly spec?: { readonly providerID?: string; readonly unschedulable?: boolean };
  readonly status?: { readonly conditions?: readonly { readonly type: string; readonly status: string; readonly reason?: string }[] };
}

export interface MachineSetOptions {
  readonly replicas: number;
  readonly deletePolicy?: 'Random' | 'Oldest' | 'Newest';
  /** Fields of the LocalMachineProviderSpec over the defaults (local.small, bootDelaySeconds 0). */
  readonly providerSpec?: Readonly<Record<string, unknown>>;
  /** spec.selector.matchLabels; default the cluster and machineset labels the template carries. */
  readonly selector?: Readonly<Record<string, string>>;
}

/** A worker MachineSet as the installer writes one (examples/local/machineset.yaml), for the local provider. */
export function machineSetManifest(name: string, options: MachineSetOptions): MachineSet {
  const labels = { [CLUSTER_ID_LABEL]: CLUSTER_ID, [MACHINE_SET_LABEL]: name };
  return {
    apiVersion: MACHINE_API_GROUP_VERSION,
    kind: 'MachineSet',
    metadata: { name, namespace: NS, labels: { [CLUSTER_ID_LABEL]: CLUSTER_ID } },
    spec: {
      replicas: options.replicas,
      ...(options.deletePolicy ? { deletePolicy: options.deletePolicy } : {}),
      selector: { matchLabels: options.selector ?? labels },
      template: {
        metadata: { labels: { ...labels, 'machine.openshift.io/cluster-api-machine-role': 'worker' } },
        spec: {
          metadata: { labels: { 'node-role.kubernetes.io/worker': '' } },
          providerSpec: { value: localProviderSpec(options.providerSpec) },
        },
      },
    },
  } as MachineSet;
}

export function localProviderSpec(fields: Readonly<Record<string, unknown>> = {}): Record<string, unknown> {
  return { apiVersion: MACHINE_API_GROUP_VERSION, kind: 'LocalMachineProviderSpec', instanceType: 'local.small', region: 'local', zone: 'local-a', bootDelaySeconds: 0, ...fields };
}

/** `kubectl apply -f -` of one object. */
export function apply(target: KubectlRunner, object: object, options: { allowFailure?: boolean; args?: string[] } = {}): Promise<KubectlResult> {
  return target.kubectl(['apply', '-f', '-', ...(options.args ?? [])], { input: JSON.stringify(object), allowFailure: options.allowFailure });
}

export async function getJson<T>(target: KubectlRunner, args: string[]): Promise<T> {
  return JSON.parse((await target.kubectl(['get', ...args, '-o', 'json'])).stdout) as T;
}

/** The Machines of a MachineSet (by its label), oldest first, deleting ones included. */
export async function machinesOf(target: KubectlRunner, machineSet: string): Promise<Machine[]> {
  const list = await getJson<{ items: Machine[] }>(target, ['machines', '-n', NS, '-l', `${MACHINE_SET_LABEL}=${machineSet}`]);
  return list.items.sort((a, b) => String(a.metadata.creationTimestamp).localeCompare(String(b.metadata.creationTimestamp)) || String(a.metadata.name).localeCompare(String(b.metadata.name)));
}

async function nodesByName(target: KubectlRunner): Promise<Map<string, NodeJson>> {
  const list = await getJson<{ items: NodeJson[] }>(target, ['nodes']);
  return new Map(list.items.map((n) => [n.metadata.name, n]));
}

/** The cloud's instances for Machines named `<machineSet>-…`, terminated ones included. */
export async function instancesOf(target: E2eTarget, machineSet: string): Promise<CloudInstance[]> {
  return (await listInstances(target.cloudUrl)).filter((i) => i.name.startsWith(`${machineSet}-`));
}

/** Instances that hold (or will hold) a machine: neither shutting down nor terminated. */
export function live(instances: readonly CloudInstance[]): CloudInstance[] {
  return instances.filter((i) => i.state === 'pending' || i.state === 'running');
}

function isNodeReady(node: NodeJson | undefined): boolean {
  return node?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

export interface Fleet {
  readonly machines: Machine[];
  readonly nodes: Map<string, NodeJson>;
  readonly instances: CloudInstance[];
}

/** Everything the MachineSet's Machines touch, read once. */
export async function readFleet(target: E2eTarget, machineSet: string): Promise<Fleet> {
  const [machines, nodes, instances] = await Promise.all([machinesOf(target, machineSet), nodesByName(target), instancesOf(target, machineSet)]);
  return { machines, nodes, instances };
}

/**
 * Why the fleet is not yet exactly `replicas` Running Machines, each with a Ready Node and one running instance,
 * with nothing else of the set alive; undefined once it is.
 */
function fleetProblem(fleet: Fleet, replicas: number): string | undefined {
  const { machines, nodes, instances } = fleet;
  if (machines.length !== replicas) return `${machines.length} Machines, want ${replicas}`;
  for (const m of machines) {
    if (m.metadata.deletionTimestamp) return `Machine ${m.metadata.name} is being deleted`;
    if (m.status?.phase !== 'Running') return `Machine ${m.metadata.name} is ${m.status?.phase ?? 'without a phase'}`;
    const node = nodes.get(m.status.nodeRef?.name ?? '');
    if (!isNodeReady(node)) return `the Node of Machine ${m.metadata.name} is not Ready`;
  }
  const alive = live(instances);
  if (alive.length !== replicas || alive.some((i) => i.state !== 'running')) return `instances: ${instances.map((i) => `${i.name}=${i.state}`).join(', ')}`;
  return undefined;
}

/** Waits until the MachineSet's fleet is settled at `replicas` (fleetProblem) and returns it. */
export async function waitForFleet(target: E2eTarget, machineSet: string, replicas: number, timeoutMs = SETTLE_MS): Promise<Fleet> {
  let last = 'not read yet';
  try {
    return await waitFor(async () => {
      const fleet = await readFleet(target, machineSet);
      last = fleetProblem(fleet, replicas) ?? '';
      return last === '' ? fleet : undefined;
    }, { timeoutMs, intervalMs: POLL_MS, message: `${replicas} Running Machines of ${machineSet}` });
  } catch (err) {
    throw new Error(`${(err as Error).message}; last seen: ${last}`, { cause: err });
  }
}

/** Waits until each of `gone`, its Node and its instance are gone (the instance terminated). */
export async function waitForMachinesGone(target: E2eTarget, machineSet: string, gone: readonly Machine[], timeoutMs = SETTLE_MS): Promise<void> {
  const names = new Set(gone.map((m) => m.metadata.name ?? ''));
  const nodeNames = gone.map((m) => m.status?.nodeRef?.name).filter((n): n is string => n !== undefined);
  await waitFor(async () => {
    const fleet = await readFleet(target, machineSet);
    return fleet.machines.every((m) => !names.has(m.metadata.name ?? ''))
      && nodeNames.every((n) => !fleet.nodes.has(n))
      && fleet.instances.filter((i) => names.has(i.name)).every((i) => i.state === 'terminated');
  }, { timeoutMs, intervalMs: POLL_MS, message: `Machines ${[...names].join(', ')} with their Nodes and instances to be gone` });
}

/**
 * The settled fleet is linked (assertLinked), and the cloud holds exactly one instance per Machine, whatever its
 * state: none left over from a Machine that does not exist (a leak), none created twice for one Machine.
 */
export async function assertOneInstancePerMachine(target: E2eTarget, machineSet: string, fleet: Fleet): Promise<void> {
  assertLinked(fleet);
  const byMachine = new Map<string, string[]>();
  for (const i of await instancesOf(target, machineSet)) byMachine.set(i.clientToken, [...(byMachine.get(i.clientToken) ?? []), `${i.id} (${i.state})`]);
  assert.deepEqual([...byMachine.keys()].sort(), fleet.machines.map((m) => m.metadata.uid).sort(), 'every instance belongs to a Machine that exists');
  for (const [uid, instances] of byMachine) assert.equal(instances.length, 1, `instances created for Machine ${uid}: ${instances.join(', ')}`);
}

/** The fleet is consistent: each Machine links its own Node and instance, by providerID. */
export function assertLinked(fleet: Fleet): void {
  for (const m of fleet.machines) {
    const name = m.metadata.name ?? '';
    assert.equal(m.spec?.providerID, `local:///${name}`, `providerID of ${name}`);
    const node = fleet.nodes.get(m.status?.nodeRef?.name ?? '');
    assert.equal(node?.spec?.providerID, m.spec?.providerID, `the Node of ${name} has its providerID`);
    const instance = live(fleet.instances).find((i) => i.clientToken === m.metadata.uid);
    assert.equal(instance?.providerID, m.spec?.providerID, `the instance of ${name} has its providerID`);
  }
}

export interface InProcessCluster extends E2eTarget {
  /** The API server now serving (a new handle after each restart). */
  readonly api: ApiServerHandle;
  /** The operator's (and the cloud's and hollow nodes') log lines so far, parsed. */
  logs(): { readonly msg: string; readonly logger?: string; readonly [field: string]: unknown }[];
  /** Stops the API server and starts it again on the same port and data dir; the rest keeps running. */
  restartApiServer(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The whole dev cluster in this process, persisting to a temporary data dir (so that its API server can be
 * restarted), with a fast cloud (instances shut down in 100 ms) and the operator's requeue floor lowered.
 */
export async function startInProcessCluster(): Promise<InProcessCluster> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mapi-e2e-'));
  const lines: string[] = [];
  const logger = createLogger({ sink: (line) => lines.push(line) });
  const handle = await startDevCluster({ dataDir, port: 0, cloud: { terminateDelayMs: 100 }, minRequeueAfterMs: 200, logger });
  let api = handle.api;
  const runner = kubectlRunner(api.kubeconfigPath, join(dataDir, 'kubectl-cache'));
  return {
    ...runner,
    get api() {
      return api;
    },
    cloudUrl: handle.cloud?.url ?? '',
    logs: () => lines.map((l) => JSON.parse(l) as { msg: string; logger?: string }),
    async restartApiServer() {
      const port = api.port;
      await api.stop();
      api = await startApiServer({ dataDir, port });
    },
    async stop() {
      // The operator, the hollow nodes and the cloud first; the first API server's stop then fails quietly
      // (logged as a warning) when it was restarted, so the current one is stopped last.
      await handle.stop();
      if (api !== handle.api) await api.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
