// What a hollow kubelet writes: the Node it registers, its status and conditions, and its Lease, as pure
// functions of the instance and the time. Values follow what a kubelet 1.32 on RHCOS reports
// (pkg/kubelet/nodestatus/setters.go; the Unknown conditions are those the node lifecycle controller writes
// when a kubelet stops posting, pkg/controller/nodelifecycle/node_lifecycle_controller.go).
import { createHash } from 'node:crypto';

/** The cloud-agnostic view of an instance a hollow node runs on (the local cloud's, later the emulated ones'). */
export interface HollowInstance {
  readonly id: string;
  /** The Node name: the instance's hostname. */
  readonly nodeName: string;
  readonly providerID: string;
  readonly internalIP: string;
  readonly instanceType: string;
  readonly region: string;
  readonly zone: string;
  readonly cpu: number;
  readonly memoryMiB: number;
  readonly osImage: string;
  /** What the instance's boot image reports (local cloud catalogue); KUBELET_VERSION and CONTAINER_RUNTIME_VERSION when unknown. */
  readonly kubeletVersion?: string;
  readonly containerRuntimeVersion?: string;
  /** Epoch ms the instance started running; notReadyAfterSeconds counts from here. */
  readonly runningSince: number;
  readonly neverReady: boolean;
  readonly notReadyAfterSeconds?: number;
  readonly failToJoin: boolean;
}

export type Readiness = 'Ready' | 'NotReady' | 'Unknown';

export interface NodeCondition {
  readonly type: string;
  readonly status: 'True' | 'False' | 'Unknown';
  readonly reason: string;
  readonly message: string;
  readonly lastHeartbeatTime: string;
  readonly lastTransitionTime: string;
}

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';
export const KUBELET_VERSION = 'v1.32.0';
export const CONTAINER_RUNTIME_VERSION = 'cri-o://1.32.0';
export const KERNEL_VERSION = '5.14.0-427.13.1.el9_4.x86_64';
/** OpenShift's default maxPods. */
export const MAX_PODS = 250;
/** What OpenShift reserves for the system on a worker (systemReserved), taken off capacity for allocatable. */
const RESERVED_MILLICPU = 500;
const RESERVED_MEMORY_MIB = 1024;
const EPHEMERAL_STORAGE_KI = 120 * 1024 * 1024;

const STOPPED_POSTING = { reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' } as const;
const NETWORK_NOT_READY =
  'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: ' +
  'no CNI configuration file in /etc/kubernetes/cni/net.d/. Has your network provider started?';

/** The readiness of a node at `now`: its instance's failure modes decide. */
export function readinessAt(instance: HollowInstance, now: number): Readiness {
  if (instance.neverReady) return 'NotReady';
  return now >= notReadyAt(instance) ? 'Unknown' : 'Ready';
}

/** Epoch ms the node's kubelet stops posting (Infinity: never). */
export function notReadyAt(instance: HollowInstance): number {
  return instance.notReadyAfterSeconds === undefined ? Infinity : instance.runningSince + instance.notReadyAfterSeconds * 1000;
}

/**
 * The node's four conditions for `readiness`. A condition keeps its lastTransitionTime unless its status
 * changes; once Unknown, the heartbeat stays at the kubelet's last post, as the node lifecycle controller
 * leaves it.
 */
export function computeConditions(readiness: Readiness, now: string, previous: readonly NodeCondition[]): NodeCondition[] {
  const wanted: Array<Pick<NodeCondition, 'type' | 'status' | 'reason' | 'message'>> =
    readiness === 'Unknown'
      ? ['MemoryPressure', 'DiskPressure', 'PIDPressure', 'Ready'].map((type) => ({ type, status: 'Unknown', ...STOPPED_POSTING }))
      : [
          { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory', message: 'kubelet has sufficient memory available' },
          { type: 'DiskPressure', status: 'False', reason: 'KubeletHasNoDiskPressure', message: 'kubelet has no disk pressure' },
          { type: 'PIDPressure', status: 'False', reason: 'KubeletHasSufficientPID', message: 'kubelet has sufficient PID available' },
          readiness === 'Ready'
            ? { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' }
            : { type: 'Ready', status: 'False', reason: 'KubeletNotReady', message: NETWORK_NOT_READY },
        ];
  return wanted.map((condition) => {
    const before = previous.find((p) => p.type === condition.type);
    return {
      ...condition,
      lastHeartbeatTime: readiness === 'Unknown' && before ? before.lastHeartbeatTime : now,
      lastTransitionTime: before && before.status === condition.status ? before.lastTransitionTime : now,
    };
  });
}

/** A Node as a kubelet registers it: metadata and spec (the status goes to the status subresource). */
export interface RegisteredNode {
  readonly apiVersion: 'v1';
  readonly kind: 'Node';
  readonly metadata: { readonly name: string; readonly labels: Record<string, string>; readonly annotations: Record<string, string> };
  readonly spec: { readonly providerID: string };
}

export function computeNode(instance: HollowInstance): RegisteredNode {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: instance.nodeName,
      labels: {
        'beta.kubernetes.io/arch': 'amd64',
        'beta.kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'kubernetes.io/hostname': instance.nodeName,
        'kubernetes.io/os': 'linux',
        'node-role.kubernetes.io/worker': '',
        'node.kubernetes.io/instance-type': instance.instanceType,
        'topology.kubernetes.io/region': instance.region,
        'topology.kubernetes.io/zone': instance.zone,
      },
      annotations: { 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' },
    },
    spec: { providerID: instance.providerID },
  };
}

/**
 * What the booted OS reports in nodeInfo when the OS agent (os-agent.ts) has switched it; without it, what the
 * instance booted (its image's osImage and versions, else the defaults).
 */
export interface NodeSoftware {
  readonly osImage: string;
  readonly kubeletVersion: string;
  readonly containerRuntimeVersion: string;
}

/** Which boot of the instance this is (0: the first) and the OS it booted, if the OS agent switched it. */
export interface BootInfo {
  readonly count: number;
  readonly software?: NodeSoftware;
}

/** The whole node status a kubelet posts at registration. */
export function computeNodeStatus(instance: HollowInstance, conditions: readonly NodeCondition[], boot: BootInfo = { count: 0 }): Record<string, unknown> {
  const capacity = {
    cpu: String(instance.cpu),
    'ephemeral-storage': `${EPHEMERAL_STORAGE_KI}Ki`,
    'hugepages-1Gi': '0',
    'hugepages-2Mi': '0',
    memory: `${instance.memoryMiB * 1024}Ki`,
    pods: String(MAX_PODS),
  };
  return {
    capacity,
    allocatable: {
      ...capacity,
      cpu: `${Math.max(0, instance.cpu * 1000 - RESERVED_MILLICPU)}m`,
      'ephemeral-storage': `${Math.floor(EPHEMERAL_STORAGE_KI * 0.9)}Ki`,
      memory: `${Math.max(0, instance.memoryMiB - RESERVED_MEMORY_MIB) * 1024}Ki`,
    },
    conditions,
    addresses: [
      { type: 'InternalIP', address: instance.internalIP },
      { type: 'Hostname', address: instance.nodeName },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
    nodeInfo: {
      // Stable per instance, as /etc/machine-id and the SMBIOS UUID are; the boot ID changes with each boot.
      machineID: digest(instance.id, 'machine-id').slice(0, 32),
      systemUUID: uuidOf(digest(instance.id, 'system-uuid')),
      bootID: uuidOf(digest(instance.id, boot.count === 0 ? `boot-${instance.runningSince}` : `boot-${instance.runningSince}-${boot.count}`)),
      kernelVersion: KERNEL_VERSION,
      osImage: boot.software?.osImage ?? instance.osImage,
      containerRuntimeVersion: boot.software?.containerRuntimeVersion ?? instance.containerRuntimeVersion ?? CONTAINER_RUNTIME_VERSION,
      kubeletVersion: boot.software?.kubeletVersion ?? instance.kubeletVersion ?? KUBELET_VERSION,
      operatingSystem: 'linux',
      architecture: 'amd64',
    },
  };
}

/** The node's Lease in kube-node-lease, owned by its Node so that deleting the Node collects it. */
export interface Lease {
  readonly apiVersion: 'coordination.k8s.io/v1';
  readonly kind: 'Lease';
  readonly metadata: { readonly name: string; readonly namespace: string; readonly ownerReferences: ReadonlyArray<Record<string, string>> };
  readonly spec: { readonly holderIdentity: string; readonly leaseDurationSeconds: number; readonly renewTime: string };
}

export function computeLease(nodeName: string, nodeUid: string, durationSeconds: number, renewTime: string): Lease {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name: nodeName,
      namespace: NODE_LEASE_NAMESPACE,
      ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: nodeName, uid: nodeUid }],
    },
    spec: { holderIdentity: nodeName, leaseDurationSeconds: durationSeconds, renewTime },
  };
}


/** metav1.MicroTime's wire format: RFC 3339 with six fractional digits. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/Z$/, '000Z');
}

function digest(id: string, purpose: string): string {
  return createHash('sha256').update(`${purpose}:${id}`).digest('hex');
}

function uuidOf(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
