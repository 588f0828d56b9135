// What the pool decisions read of a Node: the protocol annotations (PROTOCOL.md), readiness, the cordon, the zone and
// the age. Everything is read from the API object, never remembered, so an operator restarted mid-rollout works out
// the same picture (and the same maxUnavailable budget) from a fresh list.
import {
  CURRENT_CONFIG_ANNOTATION,
  DESIRED_CONFIG_ANNOTATION,
  REASON_ANNOTATION,
  ROLLBACK_REASON_ANNOTATION,
  ROLLED_BACK_FROM_ANNOTATION,
  STATE_ANNOTATION,
  ZONE_LABEL,
} from '../api/machineconfiguration-v1.ts';
import type { KubeObject } from '../runtime/watcher.ts';
import { nodeInfoMatches, type ExpectedNodeInfo } from './target.ts';

/** The parts of a core/v1 Node read here (structural: plain JSON from the cache fits). */
export interface NodeObject extends KubeObject {
  readonly metadata?: KubeObject['metadata'] & { readonly creationTimestamp?: string | Date };
  readonly spec?: { readonly unschedulable?: boolean; readonly providerID?: string };
  readonly status?: {
    readonly conditions?: readonly { readonly type: string; readonly status: string; readonly lastTransitionTime?: string | Date }[];
    readonly nodeInfo?: { readonly osImage?: string; readonly kubeletVersion?: string; readonly containerRuntimeVersion?: string };
  };
}

export interface PoolNode {
  readonly name: string;
  /** topology.kubernetes.io/zone; undefined sorts last. */
  readonly zone: string | undefined;
  readonly createdAtMs: number;
  readonly ready: boolean;
  /** When the Ready condition took its current status (ms), if known: how long a node has been (Not)Ready. */
  readonly readySinceMs: number | undefined;
  readonly unschedulable: boolean;
  readonly desiredConfig: string | undefined;
  readonly currentConfig: string | undefined;
  readonly state: string | undefined;
  readonly reason: string | undefined;
  readonly rolledBackFrom: string | undefined;
  readonly rollbackReason: string | undefined;
  readonly kubeletVersion: string | undefined;
}

function millis(value: string | Date | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = value instanceof Date ? value.getTime() : Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

export function toPoolNode(node: NodeObject): PoolNode {
  const annotations = node.metadata?.annotations ?? {};
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
  const nonEmpty = (key: string) => annotations[key] || undefined;
  return {
    name: node.metadata?.name ?? '',
    zone: node.metadata?.labels?.[ZONE_LABEL] || undefined,
    createdAtMs: millis(node.metadata?.creationTimestamp) ?? 0,
    ready: ready?.status === 'True',
    readySinceMs: millis(ready?.lastTransitionTime),
    unschedulable: node.spec?.unschedulable === true,
    desiredConfig: nonEmpty(DESIRED_CONFIG_ANNOTATION),
    currentConfig: nonEmpty(CURRENT_CONFIG_ANNOTATION),
    state: nonEmpty(STATE_ANNOTATION),
    reason: nonEmpty(REASON_ANNOTATION),
    rolledBackFrom: nonEmpty(ROLLED_BACK_FROM_ANNOTATION),
    rollbackReason: nonEmpty(ROLLBACK_REASON_ANNOTATION),
    kubeletVersion: node.status?.nodeInfo?.kubeletVersion,
  };
}

/** The agent reported a failure (MCD Degraded or Unreconcilable). */
export function isNodeDegraded(node: PoolNode): boolean {
  return node.state === 'Degraded' || node.state === 'Unreconcilable';
}

/**
 * Unavailable for the maxUnavailable budget: NotReady, cordoned (by anyone: "nodes unavailable for any reason",
 * types.go), Working, or told to move to a config it does not run yet. The last one is what makes the budget safe
 * across restarts and before the agent reacts: the desiredConfig write itself takes a slot, with no window in
 * which a started node still looks available (MCO counts such nodes too, §5.3).
 */
export function isNodeUnavailable(node: PoolNode): boolean {
  return !node.ready || node.unschedulable || node.state === 'Working' || node.desiredConfig !== node.currentConfig;
}

/** Runs `target` and the agent is done with it (MCO isNodeDone plus currentConfig == target). */
export function isNodeUpdated(node: PoolNode, target: string | undefined): boolean {
  return target !== undefined && node.desiredConfig === target && node.currentConfig === target && node.state === 'Done';
}

/** A node the pool rolled back from `target` and that nobody has cleared for a retry. */
export function isRolledBackFrom(node: PoolNode, target: string | undefined): boolean {
  return target !== undefined && node.rolledBackFrom === target;
}

/**
 * A node that joined without the protocol annotations (installed before the operator ran, or a new Machine booted
 * from the current boot image) and already reports the target's OS: it is adopted as running the target, as the MCD
 * records its first-boot config, instead of being rebooted into what it already runs.
 */
export function isAdoptable(node: NodeObject, expected: ExpectedNodeInfo | undefined): boolean {
  const annotations = node.metadata?.annotations ?? {};
  return expected !== undefined
    && !annotations[DESIRED_CONFIG_ANNOTATION]
    && !annotations[CURRENT_CONFIG_ANNOTATION]
    && nodeInfoMatches(node.status?.nodeInfo, expected);
}
