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
  | 'MaxUnavailable';

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

export type MaxUnavailableResult = { readonly ok: true; readonly value: number } | { readonly ok: false; readonly message: string };

const PERCENT = /^(\d+)%$/;

/**
 * spec.maxUnavailable as a node count: an integer, or a percentage of the pool rounded down
 * (intstr.GetScaledValueFromIntOrPercent with roundUp=false, as MCO's maxUnavailable); 0 and absent become 1
 * ("You cannot set this value to 0 to stop updates", types.go).
 */
export function resolveMaxUnavailable(value: number | string | undefined, poolSize: number): MaxUnavailableResult {
  let n: number;
  if (value === undefined) n = DEFAULT_MAX_UNAVAILABLE;
  else if (typeof value === 'number') n = value;
  else {
    const m = PERCENT.exec(value.trim());
    if (!m) return { ok: false, message: `spec.maxUnavailable: ${JSON.stringify(value)} must be an integer or a percentage such as "20%"` };
    n = Math.floor((Number(m[1]) * poolSize) / 100);
  }
  if (!Number.isInteger(n) || n < 0) return { ok: false, message: `spec.maxUnavailable: ${JSON.stringify(value)} must not be negative` };
  return { ok: true, value: Math.max(1, n) };
}

/** Zone label alphabetically, nodes without one last; then oldest first; then by name, so the order is total. */
export function compareUpdateOrder(a: PoolNode, b: PoolNode): number {
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
  const failed = nodes.filter((n) => isNodeDegraded(n) || isRolledBackFrom(n, target)).map((n) => n.name);
  const failing = [...new Set([...failed, ...base.rollback.map((r) => r.node), ...base.stuck.map((s) => s.node)])];
  if (failing.length > 0) {
    return withRecheck({ ...base, wait: { reason: 'NodeDegraded', message: `Update stopped: ${describeNodes(failing)} failed to update` } });
  }
  if (!budget.ok) return withRecheck({ ...base, wait: { reason: 'InvalidMaxUnavailable', message: budget.message } });
  if (policy.paused) return withRecheck({ ...base, wait: { reason: 'Paused', message: `Pool is paused; ${remaining.length} node(s) wait` } });

  if (policy.maintenanceWindows.length > 0) {
    const windows = policy.maintenanceWindows.map((w) => ({ ...w, days: w.days ?? WEEKDAYS, timeZone: 'UTC' as const }));
    const state = maintenanceWindowState(windows, input.now);
    if (!state.open) {
      const next = state.nextStart ? `; the next opens at ${state.nextStart.toISOString()}` : '';
      return withRecheck({
        ...base,
        wait: { reason: 'OutsideMaintenanceWindow', message: `Outside the pool's maintenance windows${next}` },
        ...(state.nextStart ? { recheckAfterMs: state.nextStart.getTime() - nowMs } : {}),
      });
    }
  }

  let limit = Infinity;
  if (policy.canary) {
    const size = Math.min(policy.canary.nodes, nodes.length);
    const targeted = nodes.filter((n) => n.desiredConfig === target).length;
    if (targeted < size) limit = size - targeted;
    else {
      // Soaked: updated, Ready and schedulable since at least soakMs. Counting any N such nodes (not N named
      // ones) keeps the gate a function of the API state alone.
      const soakEnds = nodes
        .filter((n) => isNodeUpdated(n, target) && n.ready && !n.unschedulable && n.readySinceMs !== undefined)
        .map((n) => n.readySinceMs! + policy.canary!.soakMs)
        .sort((a, b) => a - b);
      const passesAt = soakEnds.length >= size ? soakEnds[size - 1] : undefined;
      if (passesAt === undefined || passesAt > nowMs) {
        const updated = soakEnds.length;
        const when = passesAt === undefined ? '' : `; the soak ends at ${new Date(passesAt).toISOString()}`;
        return withRecheck({
          ...base,
          wait: {
            reason: 'CanarySoaking',
            message: `Canary: ${size} updated node(s) must stay Ready for ${formatDuration(policy.canary.soakMs)} before the rest start (${updated} updated and Ready)${when}`,
          },
          ...(passesAt !== undefined ? { recheckAfterMs: passesAt - nowMs } : {}),
        });
      }
    }
  }

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
