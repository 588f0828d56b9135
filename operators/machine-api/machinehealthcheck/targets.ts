// Which Machines a MachineHealthCheck finds unhealthy, and which of them it may remediate (MAO
// pkg/controller/machinehealthcheck/machinehealthcheck_controller.go `needsRemediation`, `healthCheckTargets`,
// `isAllowedRemediation`; shared/reference/machine-api.md §1.9). Pure: the controller lists the targets (Machines
// matching spec.selector, each with its Node), calls evaluateHealthCheck, writes status and conditions, and deletes
// (or externally remediates) `toRemediate`.
//
// Deviations from MAO, and why:
// - nodeStartupTimeout is measured from status.lastUpdated as in MAO, but a Machine without lastUpdated falls back
//   to metadata.creationTimestamp instead of waiting a whole timeout from "now" on every reconcile (which, with
//   events arriving, could postpone the check forever).
// - A short-circuited check asks to be looked at again after SHORT_CIRCUIT_RECHECK_MS, not after 1 ms: time alone
//   cannot lift a short circuit (targets only get less healthy as timeouts pass), so the Machine and Node events
//   that can lift it already trigger a reconcile; the recheck is a safety net, not a loop.
// - maxUnhealthy given as a digit string ("3", which the CRD pattern admits) counts Machines; MAO rejects it and
//   short-circuits forever.
// - A Machine Failed with errorReason InvalidConfiguration (MAO #736) is remediated only once it has been Failed
//   for INVALID_CONFIGURATION_REMEDIATION_DELAY_MS; until then it is reported in `skipped` with reason
//   InvalidConfiguration. Its replacement would fail the same way, so remediating at once is an endless
//   create/fail/delete churn; remediating after the delay bounds the churn to one Machine per delay and still
//   replaces it by itself once the MachineSet template is fixed.
// - Machines already being deleted are not remediated again.
// - An unparseable timeout never makes a Machine unhealthy: nodeStartupTimeout falls back to its default (10m) and
//   an unhealthyCondition with a bad timeout is ignored. (The CRD pattern keeps both from happening.)
import {
  DEFAULT_NODE_STARTUP_TIMEOUT,
  EXTERNAL_REMEDIATION_ANNOTATION,
  type Machine,
  type MachineApiCondition,
  type MachineHealthCheck,
} from '../../api/machine-v1beta1.ts';
import { setCondition } from '../../runtime/conditions.ts';
import { getNodeCondition, type Node } from '../node.ts';
import { floorRequeue, minDefined, toMillis } from '../timing.ts';
import { parseGoDuration } from './duration.ts';

/** Added to every recheck so the timeout has strictly passed when it runs (MAO adds one second too). */
export const RECHECK_MARGIN_MS = 1000;
/** How soon a short-circuited MachineHealthCheck is evaluated again without an event. */
export const SHORT_CIRCUIT_RECHECK_MS = 30_000;
/** How long a Machine Failed with InvalidConfiguration is left alone before it is remediated. */
export const INVALID_CONFIGURATION_REMEDIATION_DELAY_MS = 30 * 60_000;

export interface HealthCheckTarget {
  readonly machine: Machine;
  /** The Node named by status.nodeRef, when it was found. */
  readonly node?: Node;
  /** Whether the Node named by status.nodeRef exists; ignored while the Machine has no nodeRef. */
  readonly nodeFound: boolean;
}

export type UnhealthyReason = 'MachineFailed' | 'NodeStartupTimeout' | 'NodeNotFound' | 'UnhealthyNodeCondition';

export interface TargetHealth {
  readonly unhealthy: boolean;
  readonly reason?: UnhealthyReason;
  readonly message?: string;
  /** Healthy for now, but may turn unhealthy by itself: check again after this long. */
  readonly recheckAfterMs?: number;
}

function nodeStartupTimeoutMs(mhc: MachineHealthCheck): number {
  const parsed = parseGoDuration(mhc.spec?.nodeStartupTimeout ?? DEFAULT_NODE_STARTUP_TIMEOUT);
  return parsed !== undefined && parsed >= 0 ? parsed : (parseGoDuration(DEFAULT_NODE_STARTUP_TIMEOUT) as number);
}

/** Whether one target needs remediation, following MAO's order: Failed, no node yet, node gone, node conditions. */
export function needsRemediation(target: HealthCheckTarget, mhc: MachineHealthCheck, now: Date): TargetHealth {
  const { machine, node } = target;
  const nowMs = now.getTime();
  if (machine.status?.phase === 'Failed') {
    return { unhealthy: true, reason: 'MachineFailed', message: 'Machine phase is Failed' };
  }

  if (!machine.status?.nodeRef) {
    const timeout = nodeStartupTimeoutMs(mhc);
    if (timeout === 0) return { unhealthy: false }; // "0" disables the startup check
    const since = toMillis(machine.status?.lastUpdated) ?? toMillis(machine.metadata.creationTimestamp);
    if (since === undefined) return { unhealthy: false, recheckAfterMs: timeout };
    if (since + timeout < nowMs) {
      return { unhealthy: true, reason: 'NodeStartupTimeout', message: `Machine has no node after ${mhc.spec?.nodeStartupTimeout ?? DEFAULT_NODE_STARTUP_TIMEOUT}` };
    }
    return { unhealthy: false, recheckAfterMs: since + timeout - nowMs + RECHECK_MARGIN_MS };
  }

  if (!target.nodeFound || !node) {
    return { unhealthy: true, reason: 'NodeNotFound', message: `Node ${machine.status.nodeRef.name ?? ''} not found` };
  }

  const rechecks: number[] = [];
  for (const rule of mhc.spec?.unhealthyConditions ?? []) {
    const condition = rule.type !== undefined ? getNodeCondition(node, rule.type) : undefined;
    if (!condition || condition.status !== rule.status) continue;
    const timeout = parseGoDuration(rule.timeout ?? '0s');
    if (timeout === undefined) continue;
    // A missing lastTransitionTime is Go's zero time: long past.
    const since = toMillis(condition.lastTransitionTime) ?? 0;
    if (since + timeout < nowMs) {
      return {
        unhealthy: true,
        reason: 'UnhealthyNodeCondition',
        message: `Node condition ${rule.type}=${rule.status} for longer than ${rule.timeout ?? '0s'}`,
      };
    }
    rechecks.push(since + timeout - nowMs + RECHECK_MARGIN_MS);
  }
  const recheck = minDefined(rechecks);
  return recheck === undefined ? { unhealthy: false } : { unhealthy: false, recheckAfterMs: recheck };
}

/**
 * spec.maxUnhealthy as a Machine count: absent means all of them (100%), a percentage is of `expected` rounded
 * down, a number or digit string is a count. Undefined when unparseable.
 */
export function maxUnhealthyCount(maxUnhealthy: number | string | undefined, expected: number): number | undefined {
  if (maxUnhealthy === undefined) return expected;
  if (typeof maxUnhealthy === 'number') return Number.isInteger(maxUnhealthy) && maxUnhealthy >= 0 ? maxUnhealthy : undefined;
  const percent = /^(\d+)%$/.exec(maxUnhealthy);
  if (percent) return Math.floor((Number(percent[1]) * expected) / 100);
  return /^\d+$/.test(maxUnhealthy) ? Number(maxUnhealthy) : undefined;
}

export interface UnhealthyTarget {
  readonly machine: Machine;
  readonly reason: UnhealthyReason;
  readonly message: string;
}

export interface SkippedTarget {
  readonly machine: Machine;
  /** SkippedNoController: no MachineSet controls it, so nothing would replace it (MAO's event reason). */
  readonly reason: 'SkippedNoController' | 'InvalidConfiguration';
  readonly message: string;
}

export interface HealthCheckEvaluation {
  readonly expectedMachines: number;
  readonly currentHealthy: number;
  readonly remediationsAllowed: number;
  /** More Machines are unhealthy than maxUnhealthy allows: nothing is remediated. */
  readonly shortCircuited: boolean;
  /** Every unhealthy target (for DetectedUnhealthy events), remediated or not. */
  readonly unhealthy: readonly UnhealthyTarget[];
  /** Unhealthy targets to remediate now: empty when short-circuited. */
  readonly toRemediate: readonly Machine[];
  /** Unhealthy targets left alone on purpose, with why. */
  readonly skipped: readonly SkippedTarget[];
  /** When to evaluate again without an event; undefined when only events can change the outcome. */
  readonly recheckAfterMs?: number;
  /** status.conditions with RemediationAllowed set. */
  readonly conditions: MachineApiCondition[];
}

function controlledByMachineSet(machine: Machine): boolean {
  return (machine.metadata.ownerReferences ?? []).some((ref) => ref.controller === true && ref.kind === 'MachineSet');
}

/** Milliseconds a Failed-with-InvalidConfiguration Machine is still held back, 0 once it may be remediated. */
function invalidConfigurationHoldMs(machine: Machine, nowMs: number): number {
  if (machine.status?.phase !== 'Failed' || machine.status.errorReason !== 'InvalidConfiguration') return 0;
  // A Failed Machine's status no longer changes, so lastUpdated is when it failed.
  const failedAt = toMillis(machine.status.lastUpdated) ?? toMillis(machine.metadata.creationTimestamp) ?? 0;
  return Math.max(0, failedAt + INVALID_CONFIGURATION_REMEDIATION_DELAY_MS - nowMs);
}

export function evaluateHealthCheck(mhc: MachineHealthCheck, targets: readonly HealthCheckTarget[], now: Date): HealthCheckEvaluation {
  const nowMs = now.getTime();
  const checked = targets.map((target) => ({ target, health: needsRemediation(target, mhc, now) }));

  const currentHealthy = checked.filter(
    ({ target, health }) =>
      !health.unhealthy &&
      health.recheckAfterMs === undefined &&
      !target.machine.metadata.deletionTimestamp &&
      !!target.machine.status?.nodeRef &&
      target.nodeFound &&
      target.node !== undefined &&
      target.machine.metadata.annotations?.[EXTERNAL_REMEDIATION_ANNOTATION] === undefined,
  ).length;
  const expectedMachines = targets.length;
  // Includes Machines still starting and Machines being deleted, as in MAO.
  const unhealthyCount = expectedMachines - currentHealthy;
  const maxUnhealthy = maxUnhealthyCount(mhc.spec?.maxUnhealthy, expectedMachines);
  const shortCircuited = maxUnhealthy === undefined || unhealthyCount > maxUnhealthy;
  const remediationsAllowed = shortCircuited ? 0 : Math.max(0, maxUnhealthy - unhealthyCount);

  const unhealthy: UnhealthyTarget[] = checked
    .filter(({ health }) => health.unhealthy)
    .map(({ target, health }) => ({ machine: target.machine, reason: health.reason as UnhealthyReason, message: health.message ?? '' }));
  const toRemediate: Machine[] = [];
  const skipped: SkippedTarget[] = [];
  const holds: number[] = [];
  if (!shortCircuited) {
    for (const { machine } of unhealthy) {
      if (machine.metadata.deletionTimestamp) continue;
      if (!controlledByMachineSet(machine)) {
        skipped.push({ machine, reason: 'SkippedNoController', message: 'Machine has no MachineSet controller owner, skipping remediation' });
        continue;
      }
      const hold = invalidConfigurationHoldMs(machine, nowMs);
      if (hold > 0) {
        holds.push(hold + RECHECK_MARGIN_MS);
        skipped.push({
          machine,
          reason: 'InvalidConfiguration',
          message: 'Machine failed with InvalidConfiguration; a replacement would fail the same way, remediation is delayed',
        });
        continue;
      }
      toRemediate.push(machine);
    }
  }

  const condition = shortCircuited
    ? {
        type: 'RemediationAllowed',
        status: 'False' as const,
        reason: 'TooManyUnhealthy',
        severity: 'Warning' as const,
        message:
          maxUnhealthy === undefined
            ? `Remediation is not allowed, maxUnhealthy ${JSON.stringify(mhc.spec?.maxUnhealthy)} is not a count or a percentage`
            : `Remediation is not allowed, the number of not started or unhealthy machines exceeds maxUnhealthy (total: ${expectedMachines}, unhealthy: ${unhealthyCount}, maxUnhealthy: ${mhc.spec?.maxUnhealthy ?? '100%'})`,
      }
    : { type: 'RemediationAllowed', status: 'True' as const };
  const conditions = setCondition<MachineApiCondition>(mhc.status?.conditions, condition, now);

  const recheck = shortCircuited ? SHORT_CIRCUIT_RECHECK_MS : minDefined([...checked.map(({ health }) => health.recheckAfterMs), ...holds]);
  return {
    expectedMachines,
    currentHealthy,
    remediationsAllowed,
    shortCircuited,
    unhealthy,
    toRemediate,
    skipped,
    ...(recheck !== undefined ? { recheckAfterMs: floorRequeue(recheck) } : {}),
    conditions,
  };
}
