// What a kubelet reports for a pod it "runs": every container started and ready, the pod Running and Ready
// (pkg/kubelet/status/generate.go, kubelet_pods.go generateAPIPodStatus). No containers run here, so the
// status is posted once, as soon as the pod is bound to a ready hollow node.
import { createHash } from 'node:crypto';

/** The parts of a Pod the hollow kubelets read. */
export interface Pod {
  readonly metadata: {
    readonly name: string;
    readonly namespace: string;
    readonly uid: string;
    readonly resourceVersion?: string;
    readonly deletionTimestamp?: string;
    readonly deletionGracePeriodSeconds?: number;
  };
  readonly spec?: {
    readonly nodeName?: string;
    readonly containers?: ReadonlyArray<{ readonly name: string; readonly image?: string }>;
  };
  readonly status?: {
    readonly phase?: string;
    readonly conditions?: ReadonlyArray<{ readonly type: string; readonly status: string }>;
  };
}

/** Whether a pod still waits for its kubelet to start it: not finished, not deleting, not yet Running and Ready. */
export function awaitsStart(pod: Pod): boolean {
  if (pod.metadata.deletionTimestamp !== undefined) return false;
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return false;
  const ready = pod.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
  return !(phase === 'Running' && ready);
}

/** The status of a pod whose containers all run on the node at `hostIP`, started at `now` (RFC 3339). */
export function computeRunningPodStatus(pod: Pod, hostIP: string, now: string): Record<string, unknown> {
  const condition = (type: string) => ({ type, status: 'True', lastProbeTime: null, lastTransitionTime: now });
  return {
    phase: 'Running',
    hostIP,
    hostIPs: [{ ip: hostIP }],
    startTime: now,
    conditions: ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map(condition),
    containerStatuses: (pod.spec?.containers ?? []).map((container) => ({
      name: container.name,
      image: container.image ?? '',
      imageID: '',
      containerID: `cri-o://${createHash('sha256').update(`${pod.metadata.uid}/${container.name}`).digest('hex')}`,
      ready: true,
      started: true,
      restartCount: 0,
      state: { running: { startedAt: now } },
    })),
  };
}
