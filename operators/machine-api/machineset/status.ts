// The MachineSet's status and its scale plan, computed from the Machines it owns (MAO
// pkg/controller/machineset/{controller,status}.go; shared/reference/machine-api.md §1.7 steps 3, 5–9).
//
// Differences from MAO:
// - observedGeneration is always metadata.generation (MAO writes it only when a count changed, to the same effect).
// - labelSelector is written (MAO's snapshot leaves it to openshift/api#2807's consumers); absent when the selector
//   is empty or invalid, because the schema requires at least one character.
// - errorReason/errorMessage come from validate.ts; MAO never sets them.
// - MAO requeues after minReadySeconds only when every Machine is ready but not all available; here the requeue
//   is exactly when the first ready Machine becomes available, with a floor of MIN_REQUEUE_MS.
import {
  DEFAULT_MACHINE_SET_REPLICAS,
  type Machine,
  type MachineSet,
  type MachineSetStatus,
} from '../../api/machine-v1beta1.ts';
import { formatLabelSelector, labelSelectorErrors, labelSelectorMatcher } from '../label-selector.ts';
import { getNodeCondition, isNodeReady, type Node } from '../node.ts';
import { floorRequeue, minDefined, toMillis } from '../timing.ts';
import { selectMachinesToDelete } from './delete-policy.ts';
import { validateMachineSet } from './validate.ts';

export { MIN_REQUEUE_MS } from '../timing.ts';

/**
 * The owned Machines the set counts: not being deleted, and matching spec.selector (MAO shouldExcludeMachine).
 * When the selector itself is invalid, no Machine can be matched against it, so only deletion filters.
 */
export function activeMachines(ms: MachineSet, owned: readonly Machine[]): Machine[] {
  const selector = ms.spec?.selector;
  const selectorUsable = labelSelectorErrors(selector, 'spec.selector').length === 0;
  const matches = labelSelectorMatcher(selector);
  return owned.filter((m) => !m.metadata.deletionTimestamp && (!selectorUsable || matches(m.metadata.labels)));
}

/** Milliseconds until a Ready node counts as available, 0 when it already does; undefined when it never will. */
function msUntilAvailable(node: Node | undefined, minReadySeconds: number, now: Date): number | undefined {
  if (!isNodeReady(node)) return undefined;
  if (minReadySeconds <= 0) return 0;
  // IsNodeAvailable: available once lastTransitionTime + minReadySeconds is strictly before now; a zero
  // (here: missing) lastTransitionTime never is.
  const since = toMillis(getNodeCondition(node, 'Ready')?.lastTransitionTime);
  if (since === undefined || since === 0) return undefined;
  const availableAt = since + minReadySeconds * 1000;
  // Strictly after: one millisecond past the instant.
  return availableAt < now.getTime() ? 0 : availableAt - now.getTime() + 1;
}

export interface MachineSetStatusResult {
  /** The whole status to write; conditions are kept from the current status. */
  readonly status: MachineSetStatus;
  /** Set when a ready Machine becomes available later (minReadySeconds); never below MIN_REQUEUE_MS. */
  readonly requeueAfterMs?: number;
}

export function computeMachineSetStatus(
  ms: MachineSet,
  owned: readonly Machine[],
  nodeOf: (m: Machine) => Node | undefined,
  now: Date,
): MachineSetStatusResult {
  const machines = activeMachines(ms, owned);
  const templateLabels = Object.entries(ms.spec?.template?.metadata?.labels ?? {});
  const minReadySeconds = ms.spec?.minReadySeconds ?? 0;
  let fullyLabeled = 0;
  let ready = 0;
  let available = 0;
  const waits: number[] = [];
  for (const m of machines) {
    // The template labels are a superset of the selector, so this is the stricter count.
    if (templateLabels.every(([k, v]) => m.metadata.labels?.[k] === v)) fullyLabeled++;
    const node = nodeOf(m);
    if (!isNodeReady(node)) continue;
    ready++;
    const wait = msUntilAvailable(node, minReadySeconds, now);
    if (wait === 0) available++;
    else if (wait !== undefined) waits.push(wait);
  }
  const invalid = validateMachineSet(ms);
  const selectorString = labelSelectorErrors(ms.spec?.selector, 'spec.selector').length === 0 ? formatLabelSelector(ms.spec?.selector) : '';
  const status: MachineSetStatus = {
    replicas: machines.length,
    fullyLabeledReplicas: fullyLabeled,
    readyReplicas: ready,
    availableReplicas: available,
    ...(ms.metadata.generation !== undefined ? { observedGeneration: ms.metadata.generation } : {}),
    ...(selectorString !== '' ? { labelSelector: selectorString } : {}),
    ...(invalid ? { errorReason: invalid.reason, errorMessage: invalid.message } : {}),
    ...(ms.status?.conditions ? { conditions: ms.status.conditions } : {}),
  };
  const wait = minDefined(waits);
  return wait === undefined ? { status } : { status, requeueAfterMs: floorRequeue(wait) };
}

export interface ScalePlan {
  /** How many Machines to create from the template (machineFromTemplate). */
  readonly create: number;
  /** Which Machines to delete, in delete-policy order. */
  readonly delete: Machine[];
}

/**
 * How to move the active Machines towards spec.replicas (absent: the CRD default). Machines being deleted do not
 * count, so a deleted Machine is replaced at once, as in MAO. An invalid MachineSet plans nothing.
 */
export function scalePlan(ms: MachineSet, owned: readonly Machine[], now: Date): ScalePlan {
  if (validateMachineSet(ms)) return { create: 0, delete: [] };
  const machines = activeMachines(ms, owned);
  const diff = machines.length - (ms.spec?.replicas ?? DEFAULT_MACHINE_SET_REPLICAS);
  if (diff < 0) return { create: -diff, delete: [] };
  return { create: 0, delete: selectMachinesToDelete(machines, diff, ms.spec?.deletePolicy, now) };
}
