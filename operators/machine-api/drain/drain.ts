// The drain controller's decisions as pure functions, time passed in (shared/STYLE.md "Decisions are pure").
// What MAO's drain controller gets from kubectl's drain.Helper (pkg/controller/machine/drain_controller.go with
// Force, IgnoreAllDaemonSets, DeleteEmptyDirData; k8s.io/kubectl/pkg/drain/filters.go), plus the overall
// timeout MAO lacks (shared/reference/machine-api.md §1.5, §6 item 4; CAPI's nodeDrainTimeout).
import type { Machine, MachineApiCondition } from '../../api/machine-v1beta1.ts';
import type { BackoffPolicy } from '../../runtime/backoff.ts';
import { getCondition, type ConditionInput } from '../../runtime/conditions.ts';
import { KubeApiError, errorMessage, statusCodeOf } from '../../runtime/errors.ts';
import type { Node, Pod } from '../context.ts';
import { parseGoDuration } from '../machinehealthcheck/duration.ts';
import { getNodeCondition } from '../node.ts';
import { toMillis } from '../timing.ts';

/**
 * On a Machine: how long its drain may take before deletion proceeds anyway, as a Go duration ("90s", "15m");
 * "0" means no limit (MAO's behaviour). Overrides the controller's drainTimeoutMs.
 */
export const DRAIN_TIMEOUT_ANNOTATION = 'machine.openshift.io/drain-timeout';
/**
 * Default overall drain timeout, in ms. MAO has none, so a PodDisruptionBudget that can never be satisfied blocks
 * a deletion forever (reference §6 item 4); after this the Machine is deleted anyway, with a Warning event.
 */
export const DEFAULT_DRAIN_TIMEOUT_MS = 10 * 60_000;
/** MAO's wait after a failed cordon, or while another control-plane node is cordoned, in ms. */
export const DRAIN_REQUEUE_MS = 20_000;
/** Retry delays after a refused or failed eviction: MAO's drain rate limiter, 5 s doubling up to 1000 s. */
export const DRAIN_BACKOFF: BackoffPolicy = { baseMs: 5_000, maxMs: 1_000_000, jitter: 0.1 };
/**
 * Grace period given to pods of an unreachable node (Ready=Unknown), in seconds, and how long after their
 * deletion started the drain stops waiting for them (MAO: GracePeriodSeconds=1, SkipWaitForDeleteTimeoutSeconds=1):
 * no kubelet will ever confirm they stopped. PodDisruptionBudgets still apply.
 */
export const UNREACHABLE_GRACE_PERIOD_SECONDS = 1;
export const UNREACHABLE_SKIP_WAIT_MS = 1_000;

export const CONTROL_PLANE_LABELS = ['node-role.kubernetes.io/control-plane', 'node-role.kubernetes.io/master'] as const;
/** Pods the kubelet runs from a manifest; the API object is a mirror and cannot be evicted. */
export const MIRROR_POD_ANNOTATION = 'kubernetes.io/config.mirror';

/** Drained reason while pods are still leaving (not in MAO, which blocks inside kubectl instead). */
export const DRAINING_REASON = 'Draining';
/** Drained reason and Event reason when the timeout let the deletion proceed. */
export const DRAIN_TIMEOUT_REASON = 'DrainTimeout';

export function isControlPlaneNode(node: Node): boolean {
  return CONTROL_PLANE_LABELS.some((label) => node.metadata?.labels?.[label] !== undefined);
}

/** The kubelet stopped reporting: MAO nodeIsUnreachable. */
export function isNodeUnreachable(node: Node): boolean {
  return getNodeCondition(node, 'Ready')?.status === 'Unknown';
}

/** The drain controller acts on a Machine being deleted whose phase is Deleting and that is not Drained yet. */
export function needsDrain(machine: Machine): boolean {
  return !!machine.metadata.deletionTimestamp
    && machine.status?.phase === 'Deleting'
    && getCondition(machine.status?.conditions, 'Drained')?.status !== 'True';
}

/**
 * The Machine's drain timeout in ms, or undefined for no limit. `defaultMs` 0 means no limit. An annotation that is
 * not a Go duration is reported in `invalid` and the default applies.
 */
export function drainTimeoutMs(machine: Machine, defaultMs: number): { readonly timeoutMs: number | undefined; readonly invalid?: string } {
  const text = machine.metadata.annotations?.[DRAIN_TIMEOUT_ANNOTATION];
  const fallback = defaultMs > 0 ? defaultMs : undefined;
  if (text === undefined) return { timeoutMs: fallback };
  const parsed = parseGoDuration(text.trim());
  if (parsed === undefined || parsed < 0) {
    return { timeoutMs: fallback, invalid: `${DRAIN_TIMEOUT_ANNOTATION}: invalid duration ${JSON.stringify(text)}: want a Go duration such as "90s" or "15m", or "0" for no limit` };
  }
  return { timeoutMs: parsed > 0 ? parsed : undefined };
}

/**
 * When this drain began: the moment Drained turned False (setCondition keeps that time while it stays False, so it
 * survives restarts and requeues); `now` on the first attempt.
 */
export function drainStartedAt(machine: Machine, now: Date): number {
  const drained = getCondition(machine.status?.conditions, 'Drained');
  const since = drained?.status === 'False' ? toMillis(drained.lastTransitionTime) : undefined;
  return since ?? now.getTime();
}

function isDaemonSetPod(pod: Pod): boolean {
  return (pod.metadata?.ownerReferences ?? []).some((ref) => ref.controller === true && ref.kind === 'DaemonSet');
}

function isMirrorPod(pod: Pod): boolean {
  return pod.metadata?.annotations?.[MIRROR_POD_ANNOTATION] !== undefined;
}

/** What is left to do for the pods of one node. */
export interface DrainPlan {
  /** Pods to ask to leave through the eviction API. */
  readonly evict: readonly Pod[];
  /** Pods already asked (deletionTimestamp set) that are still on the node. */
  readonly terminating: readonly Pod[];
}

/**
 * Which pods of a node must go: all but DaemonSet pods (IgnoreAllDaemonSets: their controller would recreate them
 * and they tolerate cordoning) and mirror pods. Pods using emptyDir and pods without a controller go too (MAO's
 * DeleteEmptyDirData and Force). On an unreachable node, pods whose deletion began more than
 * UNREACHABLE_SKIP_WAIT_MS ago are no longer waited for (kubectl's skipDeletedFilter), and terminating pods with a
 * longer grace are evicted again so their grace shrinks to UNREACHABLE_GRACE_PERIOD_SECONDS.
 */
export function planDrain(pods: readonly Pod[], unreachable: boolean, now: Date): DrainPlan {
  const evict: Pod[] = [];
  const terminating: Pod[] = [];
  for (const pod of pods) {
    if (isDaemonSetPod(pod) || isMirrorPod(pod)) continue;
    const deletionAt = toMillis(pod.metadata?.deletionTimestamp);
    if (deletionAt === undefined) {
      evict.push(pod);
      continue;
    }
    if (!unreachable) {
      terminating.push(pod);
      continue;
    }
    // A graceful deletion sets deletionTimestamp to now + grace: it lies ahead while the grace runs.
    if (now.getTime() - deletionAt > UNREACHABLE_SKIP_WAIT_MS) continue;
    if (deletionAt - now.getTime() > UNREACHABLE_GRACE_PERIOD_SECONDS * 1000) evict.push(pod);
    else terminating.push(pod);
  }
  return { evict, terminating };
}

/** When an unreachable node's terminating pods stop being waited for, in ms from now; undefined when never. */
export function skipWaitAfterMs(terminating: readonly Pod[], unreachable: boolean, now: Date): number | undefined {
  if (!unreachable || terminating.length === 0) return undefined;
  const latest = Math.max(...terminating.map((p) => toMillis(p.metadata?.deletionTimestamp) ?? now.getTime()));
  return Math.max(0, latest + UNREACHABLE_SKIP_WAIT_MS - now.getTime()) + 1;
}

/** An eviction that did not go through. */
export interface EvictionFailure {
  readonly pod: string;
  /** 429: a PodDisruptionBudget forbids it for now. */
  readonly blockedByBudget: boolean;
  readonly message: string;
}

interface StatusWithCauses {
  readonly message?: string;
  readonly details?: { readonly causes?: readonly { readonly message?: string }[] };
}

/**
 * Describes a failed eviction. A 429's causes name the budget ("The disruption budget web needs 2 healthy pods and
 * has 2 currently"), which is what a user needs to act on, so they follow the generic message.
 */
export function evictionFailure(pod: string, err: unknown): EvictionFailure {
  const code = statusCodeOf(err);
  const status = err instanceof KubeApiError ? (err.status as StatusWithCauses | undefined) : undefined;
  const causes = (status?.details?.causes ?? []).map((c) => c.message).filter((m): m is string => !!m);
  const base = status?.message ?? errorMessage(err);
  const message = causes.length > 0 ? `${base.replace(/\.$/, '')}: ${causes.join('; ')}` : base;
  return { pod, blockedByBudget: code === 429, message: `evicting pod ${pod}: ${message}` };
}

/** Pod names for messages: the first few, then a count, so a condition stays readable on a node with 100 pods. */
export function summarizePods(pods: readonly string[], max = 5): string {
  const shown = pods.slice(0, max).join(', ');
  return pods.length > max ? `${shown} and ${pods.length - max} more` : shown;
}

/** Go's time.Duration.String() for whole seconds, as timeouts are written in annotations and flags ("10m0s"). */
export function formatDuration(ms: number): string {
  const total = Math.round(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${h}h${m}m${s}s`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}

/** What one drain attempt concluded, as the Drained condition. */
export type DrainVerdict =
  | { readonly kind: 'drained'; readonly condition: ConditionInput<MachineApiCondition> }
  | { readonly kind: 'timedOut'; readonly condition: ConditionInput<MachineApiCondition> }
  | { readonly kind: 'failed'; readonly condition: ConditionInput<MachineApiCondition>; readonly detail: string }
  | { readonly kind: 'waiting'; readonly condition: ConditionInput<MachineApiCondition> };

export interface DrainAttempt {
  readonly nodeName: string;
  readonly failures: readonly EvictionFailure[];
  /** Pods still on the node after this attempt (asked to leave, not gone yet). */
  readonly remaining: readonly string[];
  readonly startedAtMs: number;
  readonly timeoutMs: number | undefined;
  readonly now: Date;
}

/**
 * The Drained condition after an attempt: True once no pod is left; False with DrainError while evictions are
 * refused or fail (MAO); False with Draining while evicted pods terminate; and, once the timeout has passed with
 * anything still blocking, True with DrainTimeout so the deletion proceeds.
 */
export function judgeDrain(attempt: DrainAttempt): DrainVerdict {
  const { failures, remaining } = attempt;
  if (failures.length === 0 && remaining.length === 0) {
    return { kind: 'drained', condition: { type: 'Drained', status: 'True', message: 'Drain finished successfully' } };
  }
  const detail = failures.length > 0
    ? failures.map((f) => f.message).join('; ')
    : `waiting for ${remaining.length} pod(s) to terminate: ${summarizePods(remaining)}`;
  const expired = attempt.timeoutMs !== undefined && attempt.now.getTime() >= attempt.startedAtMs + attempt.timeoutMs;
  if (expired) {
    return {
      kind: 'timedOut',
      condition: {
        type: 'Drained',
        status: 'True',
        reason: DRAIN_TIMEOUT_REASON,
        message: `Drain of node ${attempt.nodeName} did not finish within ${formatDuration(attempt.timeoutMs!)}, proceeding with deletion: ${detail}`,
      },
    };
  }
  if (failures.length > 0) {
    return {
      kind: 'failed',
      detail,
      condition: { type: 'Drained', status: 'False', reason: 'DrainError', severity: 'Warning', message: `could not drain machine: ${detail}` },
    };
  }
  return { kind: 'waiting', condition: { type: 'Drained', status: 'False', reason: DRAINING_REASON, severity: 'Info', message: `Draining node ${attempt.nodeName}: ${detail}` } };
}

/** ms until the timeout, or undefined without one. */
export function timeLeftMs(startedAtMs: number, timeoutMs: number | undefined, now: Date): number | undefined {
  return timeoutMs === undefined ? undefined : Math.max(0, startedAtMs + timeoutMs - now.getTime());
}
