// The pool's rollout decision as one pure function (shared/STYLE.md "Decisions are pure functions with time passed
// in"): from the pool's policy, its target config, its nodes as the API shows them and the time, which nodes to start
// next, which to roll back, and why the rest wait. The controller writes what it says and nothing else.
//
// OpenShift's NodeController (§5.3): capacity = maxUnavailable − unavailable nodes; candidates are Ready nodes not yet
// targeting the config, ordered by zone label then oldest first. Added here, from the peers (§7, §10.8):
//   - rollback: a node that goes Degraded, or stays NotReady past nodeReadyTimeout, while moving to the target is sent
//     back to its previous config (Flatcar/Talos A/B) and the pool stops (Nebraska's circuit breaker);
//   - a canary gate: the first N nodes update alone and must stay Ready for a soak time (Nebraska safe mode);
//   - maintenance windows gate new starts only (SUC `window`, kured); rollbacks are never held back by a window or a
//     pause, since they restore service.
// The gates alone (failed nodes, pause, windows, canary) are computeStartGate, which the Replace strategy
// (replace/planner.ts) goes through as well.
import {
  DEFAULT_CANARY_NODES,
  DEFAULT_CANARY_SOAK_SECONDS,
  DEFAULT_MAX_UNAVAILABLE,
  DEFAULT_NODE_READY_TIMEOUT_SECONDS,
  type MachineConfigPool,
  type PoolMaintenanceWindow,
} from '../api/machineconfiguration-v1.ts';
import { maintenanceWindowState, WEEKDAYS } from '../cluster-version/updates/auto-update.ts';
import { formatDuration } from '../machine-api/drain/drain.ts';
import { isNodeDegraded, isNodeUnavailable, isNodeUpdated, isRolledBackFrom, type PoolNode } from './pool-node.ts';

export interface CanaryPolicy {
  readonly nodes: number;
  readonly soakMs: number;
}

export interface RolloutPolicy {
  /** spec.maxUnavailable as written. */
  readonly maxUnavailable: number | string | undefined;
  readonly paused: boolean;
  readonly canary: CanaryPolicy | undefined;
  readonly maintenanceWindows: readonly PoolMaintenanceWindow[];
  readonly nodeReadyTimeoutMs: number;
}

/** The policy a pool's spec sets, with the CRD's defaults filled in (objects written before a default existed lack it). */
export function rolloutPolicyOf(pool: MachineConfigPool): RolloutPolicy {
  const spec = pool.spec ?? {};
  return {
    maxUnavailable: spec.maxUnavailable,
    paused: spec.paused === true,
    canary: spec.canary
      ? { nodes: spec.canary.nodes ?? DEFAULT_CANARY_NODES, soakMs: (spec.canary.soakSeconds ?? DEFAULT_CANARY_SOAK_SECONDS) * 1000 }
      : undefined,
    maintenanceWindows: spec.maintenanceWindows ?? [],
    nodeReadyTimeoutMs: (spec.osUpdate?.nodeReadyTimeoutSeconds ?? DEFAULT_NODE_READY_TIMEOUT_SECONDS) * 1000,
  };
}

export interface RolloutInput {
  readonly policy: RolloutPolicy;
  /** The rendered config the pool's nodes must reach; undefined until one is rendered. */
  readonly target: string | undefined;
  readonly nodes: readonly PoolNode[];
  readonly now: Date;
}

/** Why no (more) nodes start now. PascalCase: it becomes the Updating condition's reason. */
export type WaitReason =
  | 'NoTarget'
  | 'InvalidMaxUnavailable'
  | 'NodeDegraded'
  | 'Paused'
  | 'OutsideMaintenanceWindow'
  | 'CanarySoaking'
  | 'MaxUnavailable'
  // Replace (replace/planner.ts, replace/reconcile.ts):
  | 'BootImagesOutdated'
  | 'InvalidMaxSurge'
  | 'ScalingMachineSet'
  | 'MaxSurge'
  | 'MachineFailed'
  | 'NewMachinesNotReady';

export interface Rollback {
  readonly node: string;
  /** The config the node ran before (its currentConfig). */
  readonly to: string;
  /** The config it failed to reach (the target). */
  readonly from: string;
  readonly reason: string;
}

export interface RolloutPlan {
  /** The resolved budget (at least 1). */
  readonly maxUnavailable: number;
  /** Names of the nodes that use up the budget now. */
  readonly unavailable: readonly string[];
  /** Nodes to point at the target, in order. */
  readonly start: readonly string[];
  readonly rollback: readonly Rollback[];
  /** Failed nodes that cannot be rolled back (no previous config), with why. */
  readonly stuck: readonly { readonly node: string; readonly message: string }[];
  /** Set when nodes remain to be started but none may start now. */
  readonly wait?: { readonly reason: WaitReason; readonly message: string };
  /** When a time-based gate (soak, window, Ready timeout) may change the answer, in ms from now. */
  readonly recheckAfterMs?: number;
}

/** A count resolved from an int-or-percent field, or why it cannot be. */
export type CountResult = { readonly ok: true; readonly value: number } | { readonly ok: false; readonly message: string };

const PERCENT = /^(\d+)%$/;

/**
 * An int-or-percent field as a count of `total` (intstr.GetScaledValueFromIntOrPercent): a percentage is rounded
 * up or down as the caller says; errors name `field`.
 */
export function scaleIntOrPercent(value: number | string, total: number, roundUp: boolean, field: string): CountResult {
  let n: number;
  if (typeof value === 'number') n = value;
  else {
    const m = PERCENT.exec(value.trim());
    if (!m) return { ok: false, message: `${field}: ${JSON.stringify(value)} must be an integer or a percentage such as "20%"` };
    const exact = (Number(m[1]) * total) / 100;
    n = roundUp ? Math.ceil(exact) : Math.floor(exact);
  }
  if (!Number.isInteger(n) || n < 0) return { ok: false, message: `${field}: ${JSON.stringify(value)} must not be negative` };
  return { ok: true, value: n };
}

/**
 * spec.maxUnavailable as a node count: an integer, or a percentage of the pool rounded down
 * (intstr.GetScaledValueFromIntOrPercent with roundUp=false, as MCO's maxUnavailable); 0 and absent become 1
 * ("You cannot set this value to 0 to stop updates", types.go).
 */
export function resolveMaxUnavailable(value: number | string | undefined, poolSize: number): CountResult {
  const count = scaleIntOrPercent(value ?? DEFAULT_MAX_UNAVAILABLE, poolSize, false, 'spec.maxUnavailable');
  return count.ok ? { ok: true, value: Math.max(1, count.value) } : count;
}

/** What the update order reads: a node's, or (Replace) a Machine's. */
export type UpdateOrderKey = Pick<PoolNode, 'name' | 'zone' | 'createdAtMs'>;

/** Zone label alphabetically, nodes without one last; then oldest first; then by name, so the order is total. */
export function compareUpdateOrder(a: UpdateOrderKey, b: UpdateOrderKey): number {
  if (a.zone !== b.zone) {
    if (a.zone === undefined) return 1;
    if (b.zone === undefined) return -1;
    return a.zone < b.zone ? -1 : 1;
  }
  if (a.createdAtMs !== b.createdAtMs) return a.createdAtMs - b.createdAtMs;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

function describeNodes(names: readonly string[]): string {
  return names.length === 1 ? `node ${names[0]}` : `nodes ${names.join(', ')}`;
}

/** The failure of a node moving to `target`, or undefined while it is fine (or not moving). */
function failureOf(node: PoolNode, target: string, policy: RolloutPolicy, nowMs: number): string | undefined {
  if (node.desiredConfig !== target || node.currentConfig === target) return undefined;
  if (isNodeDegraded(node)) return node.reason ?? `node reported state ${node.state}`;
  if (!node.ready && node.readySinceMs !== undefined && nowMs - node.readySinceMs >= policy.nodeReadyTimeoutMs) {
    return `node was not Ready for ${formatDuration(nowMs - node.readySinceMs)} while updating (timeout ${formatDuration(policy.nodeReadyTimeoutMs)})`;
  }
  return undefined;
}

export interface StartGateInput {
  readonly policy: RolloutPolicy;
  readonly target: string;
  readonly nodes: readonly PoolNode[];
  readonly now: Date;
  /**
   * Updates started towards the target so far: nodes targeting it (InPlace), or replacements begun (Replace). The
   * canary lets `canary.nodes` of them start before its soak.
   */
  readonly targeted: number;
  /** How many nodes (or Machines) still wait for their update, for the Paused message. */
  readonly waiting: number;
  /** Nodes failing beyond those the agent reports (being rolled back, stuck). */
  readonly failing?: readonly string[];
  /** Why the pool's budget cannot be resolved (maxUnavailable, maxSurge), if it cannot. */
  readonly invalidBudget?: string;
}

export interface StartGate {
  /** Set when no update may start now. */
  readonly wait?: { readonly reason: WaitReason; readonly message: string };
  /** How many more updates may start (the canary's remaining slots); Infinity when the gate does not limit. */
  readonly limit: number;
  /** When a time-based gate (soak, window) may open, in ms from now. */
  readonly recheckAfterMs?: number;
}

/**
 * What holds new updates back whatever the strategy, in this order: a failed node, an unusable budget, pause, the
 * maintenance windows, the canary. In-place starts and replacements both go through it, so a pool behaves the same
 * under either; updates already started are not held (rollouts finish them).
 */
export function computeStartGate(input: StartGateInput): StartGate {
  const { policy, target, nodes } = input;
  const nowMs = input.now.getTime();
  const failed = nodes.filter((n) => isNodeDegraded(n) || isRolledBackFrom(n, target)).map((n) => n.name);
  const failing = [...new Set([...failed, ...(input.failing ?? [])])];
  if (failing.length > 0) return { limit: 0, wait: { reason: 'NodeDegraded', message: `Update stopped: ${describeNodes(failing)} failed to update` } };
  if (input.invalidBudget !== undefined) return { limit: 0, wait: { reason: 'InvalidMaxUnavailable', message: input.invalidBudget } };
  if (policy.paused) return { limit: 0, wait: { reason: 'Paused', message: `Pool is paused; ${input.waiting} node(s) wait` } };

  if (policy.maintenanceWindows.length > 0) {
    const windows = policy.maintenanceWindows.map((w) => ({ ...w, days: w.days ?? WEEKDAYS, timeZone: 'UTC' as const }));
    const state = maintenanceWindowState(windows, input.now);
    if (!state.open) {
      const next = state.nextStart ? `; the next opens at ${state.nextStart.toISOString()}` : '';
      return {
        limit: 0,
        wait: { reason: 'OutsideMaintenanceWindow', message: `Outside the pool's maintenance windows${next}` },
        ...(state.nextStart ? { recheckAfterMs: state.nextStart.getTime() - nowMs } : {}),
      };
    }
  }

  if (!policy.canary) return { limit: Infinity };
  const size = Math.min(policy.canary.nodes, nodes.length);
  if (input.targeted < size) return { limit: size - input.targeted };
  // Soaked: updated, Ready and schedulable since at least soakMs. Counting any N such nodes (not N named
  // ones) keeps the gate a function of the API state alone.
  const soakEnds = nodes
    .filter((n) => isNodeUpdated(n, target) && n.ready && !n.unschedulable && n.readySinceMs !== undefined)
    .map((n) => n.readySinceMs! + policy.canary!.soakMs)
    .sort((a, b) => a - b);
  const passesAt = soakEnds.length >= size ? soakEnds[size - 1] : undefined;
  if (passesAt !== undefined && passesAt <= nowMs) return { limit: Infinity };
  const when = passesAt === undefined ? '' : `; the soak ends at ${new Date(passesAt).toISOString()}`;
  return {
    limit: 0,
    wait: {
      reason: 'CanarySoaking',
      message: `Canary: ${size} updated node(s) must stay Ready for ${formatDuration(policy.canary.soakMs)} before the rest start (${soakEnds.length} updated and Ready)${when}`,
    },
    ...(passesAt !== undefined ? { recheckAfterMs: passesAt - nowMs } : {}),
  };
}

export function planRollout(input: RolloutInput): RolloutPlan {
  const { policy, target, nodes } = input;
  const nowMs = input.now.getTime();
  const budget = resolveMaxUnavailable(policy.maxUnavailable, nodes.length);
  const maxUnavailable = budget.ok ? budget.value : 1;
  const unavailable = nodes.filter(isNodeUnavailable).map((n) => n.name);
  const base = { maxUnavailable, unavailable, start: [] as string[], rollback: [] as Rollback[], stuck: [] as { node: string; message: string }[] };
  if (target === undefined) return { ...base, wait: { reason: 'NoTarget', message: 'No rendered config for the pool yet' } };

  // Rollbacks first, whatever else holds the pool: they give capacity back.
  const recheck: number[] = [];
  for (const node of nodes) {
    const failure = failureOf(node, target, policy, nowMs);
    if (failure === undefined) {
      if (node.desiredConfig === target && node.currentConfig !== target && !node.ready && node.readySinceMs !== undefined) {
        recheck.push(node.readySinceMs + policy.nodeReadyTimeoutMs - nowMs);
      }
      continue;
    }
    if (node.currentConfig === undefined) base.stuck.push({ node: node.name, message: `${failure}; no previous config to roll back to` });
    else base.rollback.push({ node: node.name, to: node.currentConfig, from: target, reason: failure });
  }
  const withRecheck = (plan: RolloutPlan): RolloutPlan => {
    const times = [...recheck, ...(plan.recheckAfterMs !== undefined ? [plan.recheckAfterMs] : [])].map((t) => Math.max(0, t));
    return times.length > 0 ? { ...plan, recheckAfterMs: Math.min(...times) } : plan;
  };

  const remaining = nodes.filter((n) => n.desiredConfig !== target && !isRolledBackFrom(n, target));
  if (remaining.length === 0 && base.rollback.length === 0 && base.stuck.length === 0) return withRecheck(base);

  // A failed node stops the pool (MCO: a Degraded node blocks; here also one rolled back and not yet cleared).
  const gate = computeStartGate({
    policy,
    target,
    nodes,
    now: input.now,
    targeted: nodes.filter((n) => n.desiredConfig === target).length,
    waiting: remaining.length,
    failing: [...base.rollback.map((r) => r.node), ...base.stuck.map((s) => s.node)],
    ...(budget.ok ? {} : { invalidBudget: budget.message }),
  });
  if (gate.wait) return withRecheck({ ...base, wait: gate.wait, ...(gate.recheckAfterMs !== undefined ? { recheckAfterMs: gate.recheckAfterMs } : {}) });
  const limit = gate.limit;

  const capacity = maxUnavailable - unavailable.length;
  const candidates = remaining.filter((n) => !isNodeUnavailable(n)).sort(compareUpdateOrder);
  if (candidates.length === 0) return withRecheck(base);
  if (capacity <= 0) {
    return withRecheck({
      ...base,
      wait: { reason: 'MaxUnavailable', message: `${unavailable.length} node(s) unavailable, maxUnavailable is ${maxUnavailable}` },
    });
  }
  return withRecheck({ ...base, start: candidates.slice(0, Math.min(capacity, limit)).map((n) => n.name) });
}
