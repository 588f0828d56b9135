// The floor the operator is measured against: a bare client doing only the API work a scale-up needs, on the same
// kind of server, through the same HTTP stack (kubeJson). Per Machine: create it (as the MachineSet controller
// would, machineFromTemplate), create its Node (what the hollow kubelet registers), and write the Machine's status
// Running with a nodeRef. No cloud, no watches, no reads, no Events. Each step runs with the concurrency of the
// operator component that does it, pipelined as the operator pipelines them: a Machine's Node is created as soon
// as the Machine exists, its status written as soon as the Node exists.
import { performance } from 'node:perf_hooks';
import type { KubeConfig } from '@kubernetes/client-node';
import PQueue from 'p-queue';
import type { Machine, MachineSet } from '../../operators/api/machine-v1beta1.ts';
import { DEFAULT_MACHINE_CONCURRENCY } from '../../operators/machine-api/machine/controller.ts';
import { DEFAULT_MAX_MACHINE_WRITES_IN_FLIGHT } from '../../operators/machine-api/machineset/controller.ts';
import { machineFromTemplate } from '../../operators/machine-api/machineset/validate.ts';
import { kubeJson } from '../../operators/runtime/kube-http.ts';
import { DEFAULT_MAX_IN_FLIGHT as HOLLOW_NODE_MAX_IN_FLIGHT } from '../../devcluster/hollow-nodes/index.ts';
import { ipOfIndex, FIRST_HOST_INDEX } from '../../devcluster/local-cloud/ip-allocator.ts';
import { computeConditions, computeNode, computeNodeStatus, type HollowInstance } from '../../devcluster/hollow-nodes/node-object.ts';
import { benchMachineSet, MACHINE_SETS_PATH, MACHINES_PATH } from './machine-set.ts';

/** Requests the floor sends per Machine. */
export const FLOOR_REQUESTS_PER_MACHINE = 3;

/** In flight at once, per step: the MachineSet controller's write limit, the hollow kubelets' cap, the Machine controller's workers. */
export const FLOOR_CONCURRENCY = {
  createMachine: DEFAULT_MAX_MACHINE_WRITES_IN_FLIGHT,
  createNode: HOLLOW_NODE_MAX_IN_FLIGHT,
  writeStatus: DEFAULT_MACHINE_CONCURRENCY,
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

/** The Node a hollow kubelet would register for the instance of machine number `index`. */
function nodeFor(name: string, index: number): Record<string, unknown> {
  const now = Date.now();
  const instance: HollowInstance = {
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
    runningSince: now,
    neverReady: false,
    failToJoin: false,
  };
  const conditions = computeConditions('Ready', new Date(now).toISOString().replace(/\.\d+Z$/, 'Z'), []);
  return { ...computeNode(instance), status: computeNodeStatus(instance, conditions) };
}

/** What the Machine controller leaves in a Running Machine's status (machine/status.ts), abridged to its fields. */
function runningStatus(node: { metadata: { name: string; uid: string } }, internalIP: string): Record<string, unknown> {
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  return {
    phase: 'Running',
    lastUpdated: now,
    nodeRef: { kind: 'Node', name: node.metadata.name, uid: node.metadata.uid },
    addresses: [
      { type: 'InternalIP', address: internalIP },
      { type: 'Hostname', address: node.metadata.name },
    ],
    conditions: [{ type: 'InstanceExists', status: 'True', reason: '', message: '', lastTransitionTime: now }],
  };
}

/** Creates the bench MachineSet (replicas 0: nothing reconciles it here) and `count` Machines, Nodes and statuses. */
export async function runFloor(kc: KubeConfig, count: number): Promise<FloorRun> {
  const ms = await kubeJson<MachineSet>(kc, MACHINE_SETS_PATH, { method: 'POST', body: benchMachineSet(0) });
  const template = machineFromTemplate(ms);
  const queues = {
    createMachine: new PQueue({ concurrency: FLOOR_CONCURRENCY.createMachine }),
    createNode: new PQueue({ concurrency: FLOOR_CONCURRENCY.createNode }),
    writeStatus: new PQueue({ concurrency: FLOOR_CONCURRENCY.writeStatus }),
  };
  const perMachineMs: number[] = [];
  let firstDone: number | undefined;
  const started = performance.now();

  async function oneMachine(index: number): Promise<void> {
    const machine = await queues.createMachine.add(() => kubeJson<Machine>(kc, MACHINES_PATH, { method: 'POST', body: template }));
    const created = performance.now();
    const name = machine.metadata.name ?? '';
    const body = nodeFor(name, index);
    const node = await queues.createNode.add(() => kubeJson<{ metadata: { name: string; uid: string } }>(kc, '/api/v1/nodes', { method: 'POST', body }));
    await queues.writeStatus.add(() =>
      kubeJson(kc, `${MACHINES_PATH}/${name}/status`, {
        method: 'PATCH',
        contentType: 'application/merge-patch+json',
        body: { status: runningStatus(node, ipOfIndex(FIRST_HOST_INDEX + index)) },
      }),
    );
    const done = performance.now();
    firstDone ??= done;
    perMachineMs.push(done - created);
  }

  await Promise.all(Array.from({ length: count }, (_, i) => oneMachine(i)));
  const seconds = (performance.now() - started) / 1000;
  return { seconds, firstSeconds: ((firstDone ?? started) - started) / 1000, perMachineMs, requests: count * FLOOR_REQUESTS_PER_MACHINE };
}
