// The floors the operator is measured against: bare clients doing only API work, on the same kind of server,
// through the same HTTP stack (kubeJson), with no cloud, no watches and no reads. Each step runs with the
// concurrency of the component that does it in the operator run, pipelined as there: a Machine's next step starts
// as soon as its previous one returned.
//
// - The bare floor (the issue's): per Machine, create it (as the MachineSet controller would, machineFromTemplate),
//   create its Node (what the hollow kubelet registers), and write its status Running with a nodeRef. 3 requests.
// - The contract floor: the requests any operator keeping OpenShift's observable contract sends, plus the kubelet's,
//   with the operator's own bodies (nextMachineStep, nodeUpdatesFromMachine, the Event Recorder): create the
//   Machine; patch its providerID, instance labels and instance-state annotation; write Provisioned; record the
//   "Created Machine" Event; the kubelet creates the Node and its Lease; write Running with the nodeRef; patch the
//   Node's machine annotation and labels. 8 requests. It is what the operator would take if its controllers cost
//   nothing: the gap between it and the bare floor is the contract's, the gap above it the operator's.
import { performance } from 'node:perf_hooks';
import type { KubeConfig } from '@kubernetes/client-node';
import PQueue from 'p-queue';
import type { Machine, MachineSet } from '../../operators/api/machine-v1beta1.ts';
import { DEFAULT_MACHINE_CONCURRENCY } from '../../operators/machine-api/machine/controller.ts';
import { nextMachineStep } from '../../operators/machine-api/machine/phase.ts';
import { DEFAULT_MAX_MACHINE_WRITES_IN_FLIGHT } from '../../operators/machine-api/machineset/controller.ts';
import { machineFromTemplate } from '../../operators/machine-api/machineset/validate.ts';
import { DEFAULT_NODELINK_CONCURRENCY } from '../../operators/machine-api/nodelink/controller.ts';
import { nodeUpdatesFromMachine } from '../../operators/machine-api/nodelink/match.ts';
import type { Node } from '../../operators/machine-api/node.ts';
import { observe, type LocalInstance } from '../../operators/machine-api/providers/local/index.ts';
import { createRecorder } from '../../operators/runtime/events.ts';
import { kubeJson } from '../../operators/runtime/kube-http.ts';
import { mergePatchDiff } from '../../operators/runtime/status.ts';
import { formatTime } from '../../operators/runtime/time.ts';
import { DEFAULT_LEASE_DURATION_SECONDS, DEFAULT_MAX_IN_FLIGHT as HOLLOW_NODE_MAX_IN_FLIGHT } from '../../devcluster/hollow-nodes/index.ts';
import { ipOfIndex, FIRST_HOST_INDEX } from '../../devcluster/local-cloud/ip-allocator.ts';
import {
  computeConditions,
  computeLease,
  computeNode,
  computeNodeStatus,
  microTime,
  NODE_LEASE_NAMESPACE,
  type HollowInstance,
} from '../../devcluster/hollow-nodes/node-object.ts';
import { benchMachineSet, MACHINE_SETS_PATH, MACHINES_PATH } from './machine-set.ts';

export type FloorKind = 'bare' | 'contract';

/** Requests each floor sends per Machine. */
export const FLOOR_REQUESTS_PER_MACHINE: Readonly<Record<FloorKind, number>> = { bare: 3, contract: 8 };

/**
 * In flight at once, per step: the MachineSet controller's write limit, the hollow kubelets' cap, the Machine
 * controller's workers, and nodelink's workers (contract floor only; the bare floor's status write is the Machine
 * controller's rule, so it runs with the Machine workers).
 */
export const FLOOR_CONCURRENCY = {
  createMachine: DEFAULT_MAX_MACHINE_WRITES_IN_FLIGHT,
  kubelet: HOLLOW_NODE_MAX_IN_FLIGHT,
  machineWorkers: DEFAULT_MACHINE_CONCURRENCY,
  nodelinkWorkers: DEFAULT_NODELINK_CONCURRENCY,
} as const;

export interface FloorRun {
  /** From the first request to the last status write, in s. */
  readonly seconds: number;
  /** Until the first Machine's status write returned, in s. */
  readonly firstSeconds: number;
  /** Per Machine, from its create returning (it exists) to its status write returning, in ms. */
  readonly perMachineMs: readonly number[];
  readonly requests: number;
}

/** The hollow kubelet's view of the instance of machine number `index`. */
function hollowInstance(name: string, index: number): HollowInstance {
  return {
    id: `i-${index.toString(16).padStart(17, '0')}`,
    nodeName: name,
    providerID: `local:///${name}`,
    internalIP: ipOfIndex(FIRST_HOST_INDEX + index),
    instanceType: 'local.medium',
    region: 'local',
    zone: 'local-a',
    cpu: 4,
    memoryMiB: 16384,
    osImage: 'Red Hat Enterprise Linux CoreOS',
    runningSince: Date.now(),
    neverReady: false,
    failToJoin: false,
  };
}

/** The Node a hollow kubelet registers for `instance`, status included. */
function nodeFor(instance: HollowInstance): Record<string, unknown> {
  const conditions = computeConditions('Ready', formatTime(new Date()), []);
  return { ...computeNode(instance), status: computeNodeStatus(instance, conditions) };
}

/** The local cloud's instance for `instance`, as the local provider's create returns it. */
function localInstance(machine: Machine, instance: HollowInstance): LocalInstance {
  return {
    id: instance.id,
    clientToken: machine.metadata.uid ?? '',
    name: instance.nodeName,
    tags: {},
    state: 'running',
    providerID: instance.providerID,
    privateIp: instance.internalIP,
    hostname: instance.nodeName,
    launchTime: new Date().toISOString(),
    spec: { instanceType: instance.instanceType, region: instance.region, zone: instance.zone, bootDelaySeconds: 0 },
  };
}

/** What the Machine controller leaves in a Running Machine's status (machine/status.ts), abridged to its fields. */
function runningStatus(node: Node, internalIP: string): Record<string, unknown> {
  const now = formatTime(new Date());
  return {
    phase: 'Running',
    lastUpdated: now,
    nodeRef: { kind: 'Node', name: node.metadata?.name, uid: node.metadata?.uid },
    addresses: [
      { type: 'InternalIP', address: internalIP },
      { type: 'Hostname', address: node.metadata?.name },
    ],
    conditions: [{ type: 'InstanceExists', status: 'True', reason: '', message: '', lastTransitionTime: now }],
  };
}

const MERGE_PATCH = 'application/merge-patch+json';

/** One Machine's steps; resolves when its last status write returned, with the time its create returned. */
type MachineSteps = (index: number) => Promise<number>;

/** Creates the bench MachineSet (replicas 0: nothing reconciles it here) and runs `count` Machines' steps. */
export async function runFloor(kc: KubeConfig, count: number, kind: FloorKind): Promise<FloorRun> {
  const ms = await kubeJson<MachineSet>(kc, MACHINE_SETS_PATH, { method: 'POST', body: benchMachineSet(0) });
  const template = machineFromTemplate(ms);
  const queues = {
    createMachine: new PQueue({ concurrency: FLOOR_CONCURRENCY.createMachine }),
    kubelet: new PQueue({ concurrency: FLOOR_CONCURRENCY.kubelet }),
    machineWorkers: new PQueue({ concurrency: FLOOR_CONCURRENCY.machineWorkers }),
    nodelinkWorkers: new PQueue({ concurrency: FLOOR_CONCURRENCY.nodelinkWorkers }),
  };
  const createMachine = () => queues.createMachine.add(() => kubeJson<Machine>(kc, MACHINES_PATH, { method: 'POST', body: template }));
  const statusPath = (name: string) => `${MACHINES_PATH}/${name}/status`;

  const bare: MachineSteps = async (index) => {
    const machine = await createMachine();
    const created = performance.now();
    const name = machine.metadata.name ?? '';
    const node = await queues.kubelet.add(() => kubeJson<Node>(kc, '/api/v1/nodes', { method: 'POST', body: nodeFor(hollowInstance(name, index)) }));
    await queues.machineWorkers.add(() =>
      kubeJson(kc, statusPath(name), { method: 'PATCH', contentType: MERGE_PATCH, body: { status: runningStatus(node, ipOfIndex(FIRST_HOST_INDEX + index)) } }),
    );
    return created;
  };

  const recorder = createRecorder(kc, { component: 'machine-controller' });
  const contract: MachineSteps = async (index) => {
    let machine = await createMachine();
    const created = performance.now();
    const name = machine.metadata.name ?? '';
    const instance = hollowInstance(name, index);
    // The Machine controller's first reconcile: create the instance, write what create returned.
    const step = nextMachineStep({
      machine,
      exists: { ok: true, value: false },
      instance: { ok: true, value: observe(localInstance(machine, instance)) },
      now: new Date(),
    });
    machine = await queues.machineWorkers.add(async () => {
      const patched = await kubeJson<Machine>(kc, `${MACHINES_PATH}/${name}`, {
        method: 'PATCH',
        contentType: MERGE_PATCH,
        body: { ...step.patch, metadata: { ...step.patch?.metadata, resourceVersion: machine.metadata.resourceVersion } },
      });
      const written = await kubeJson<Machine>(kc, statusPath(name), {
        method: 'PATCH',
        contentType: MERGE_PATCH,
        body: { status: mergePatchDiff(patched.status, step.status), metadata: { resourceVersion: patched.metadata.resourceVersion } },
      });
      recorder.record(written, { type: 'Normal', reason: 'Create', note: `Created Machine ${name}`, action: 'Create' });
      return written;
    });
    // The kubelet joins.
    const node = await queues.kubelet.add(async () => {
      const registered = await kubeJson<Node>(kc, '/api/v1/nodes', { method: 'POST', body: nodeFor(instance) });
      const lease = computeLease(name, registered.metadata?.uid ?? '', DEFAULT_LEASE_DURATION_SECONDS, microTime(Date.now()));
      await kubeJson(kc, `/apis/coordination.k8s.io/v1/namespaces/${NODE_LEASE_NAMESPACE}/leases`, { method: 'POST', body: lease });
      return registered;
    });
    // nodelink: Running with the nodeRef, then the Node's machine annotation and labels.
    await queues.nodelinkWorkers.add(async () => {
      const nodeRef = { kind: 'Node', name: node.metadata?.name ?? '', uid: node.metadata?.uid };
      const status = { ...machine.status, nodeRef, phase: 'Running', lastUpdated: formatTime(new Date()) };
      await kubeJson(kc, statusPath(name), {
        method: 'PATCH',
        contentType: MERGE_PATCH,
        body: { status: mergePatchDiff(machine.status, status), metadata: { resourceVersion: machine.metadata.resourceVersion } },
      });
      const nodePatch = nodeUpdatesFromMachine(machine, node);
      if (nodePatch) await kubeJson(kc, `/api/v1/nodes/${name}`, { method: 'PATCH', contentType: MERGE_PATCH, body: nodePatch });
    });
    return created;
  };

  const steps = kind === 'bare' ? bare : contract;
  const perMachineMs: number[] = [];
  let firstDone: number | undefined;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const created = await steps(i);
      const done = performance.now();
      firstDone ??= done;
      perMachineMs.push(done - created);
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await recorder.flush();
  return { seconds, firstSeconds: ((firstDone ?? started) - started) / 1000, perMachineMs, requests: count * FLOOR_REQUESTS_PER_MACHINE[kind] };
}
