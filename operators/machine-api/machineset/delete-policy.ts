// Which Machines a MachineSet deletes first when it scales down: MAO's priority functions
// (pkg/controller/machineset/delete_policy.go; shared/reference/machine-api.md §1.7, delete-policy table).
//
// Priorities, highest deleted first:
//   policy          | deleting | delete annotation               | errorReason/errorMessage | no nodeRef | otherwise
//   Random (or "")  | 100      | 50 (delete-machine only)        | 50                       | 40         | 20
//   Oldest          | 100      | 100 (delete-machine or legacy)  | 100                      | -          | age score
//   Newest          | 100      | 100 (delete-machine only)       | 100                      | -          | 100 - age score
// age score = 100·(1 − e^(−age / 10 days)); a missing or future creationTimestamp scores 0.
// The annotation counts when its value is non-empty. errorReason/errorMessage count when present at all, as
// Go's non-nil pointer check does (even an empty string).
//
// Deliberate differences from MAO, neither changing which priority a Machine gets:
// - MAO's scale constant is `secondsPerTenDays` with a 100 factor (the study's "50·(1−e^(−age/100 days))" does not
//   match the source; this file follows the source).
// - MAO sorts with Go's non-stable sort.Sort over a list pre-sorted by name, so equal priorities ("Random" is not
//   random) come out in an unspecified order. Here ties are broken deterministically: a Machine whose priority
//   comes from a rule (deleting, annotation, error, nodeRef) goes before one whose equal priority comes from its
//   age, then by name. The first tie-break matters because float64 rounds the age score of a Machine older than
//   about a year to exactly 100 (and a Machine created this very second scores 100 under Newest): such a Machine
//   must not be deleted instead of the one the cluster-autoscaler annotated.
import {
  DELETE_MACHINE_ANNOTATION,
  LEGACY_DELETE_MACHINE_ANNOTATION,
  type DeletePolicy,
  type Machine,
} from '../../api/machine-v1beta1.ts';
import { toMillis } from '../timing.ts';

export const MUST_DELETE = 100;
export const BETTER_DELETE = 50;
export const PREFER_DELETE = 40;
export const COULD_DELETE = 20;
export const MUST_NOT_DELETE = 0;
/** The time constant of the age score, in milliseconds (MAO `secondsPerTenDays`). */
export const AGE_SCORE_SCALE_MS = 10 * 24 * 60 * 60 * 1000;

/** spec.deletePolicy as stored; empty and absent mean Random. */
export type DeletePolicyValue = DeletePolicy | '' | undefined;

function hasAnnotation(machine: Machine, key: string): boolean {
  return (machine.metadata.annotations?.[key] ?? '') !== '';
}

function hasError(machine: Machine): boolean {
  // `!= null`: JSON may carry an explicit null, which Go decodes as a nil pointer.
  return machine.status?.errorReason != null || machine.status?.errorMessage != null;
}

/** The priority a rule gives, or undefined when the policy falls through to the age score. */
function rulePriority(machine: Machine, policy: DeletePolicyValue): number | undefined {
  if (machine.metadata.deletionTimestamp) return MUST_DELETE;
  switch (policy) {
    case 'Oldest':
    case 'Newest': {
      // Only oldestDeletePriority reads the legacy annotation.
      const annotated =
        hasAnnotation(machine, DELETE_MACHINE_ANNOTATION) || (policy === 'Oldest' && hasAnnotation(machine, LEGACY_DELETE_MACHINE_ANNOTATION));
      return annotated || hasError(machine) ? MUST_DELETE : undefined;
    }
    default:
      if (hasAnnotation(machine, DELETE_MACHINE_ANNOTATION) || hasError(machine)) return BETTER_DELETE;
      // No Node yet, so no workloads to disturb.
      return machine.status?.nodeRef ? COULD_DELETE : PREFER_DELETE;
  }
}

/** Oldest's score: 0 for a missing or future creationTimestamp, rising towards 100 with age. */
function oldestAgeScore(machine: Machine, now: Date): number {
  const created = toMillis(machine.metadata.creationTimestamp);
  if (created === undefined || created === 0) return MUST_NOT_DELETE;
  const age = now.getTime() - created;
  if (age < 0) return MUST_NOT_DELETE;
  return MUST_DELETE * (1 - Math.exp(-age / AGE_SCORE_SCALE_MS));
}

function agePriority(machine: Machine, policy: DeletePolicyValue, now: Date): number {
  const score = oldestAgeScore(machine, now);
  return policy === 'Newest' ? MUST_DELETE - score : score;
}

/** MAO's delete priority of one Machine under `policy` (0–100, higher is deleted first). */
export function deletePriority(machine: Machine, policy: DeletePolicyValue, now: Date): number {
  return rulePriority(machine, policy) ?? agePriority(machine, policy, now);
}

/**
 * The `count` Machines to delete, highest priority first (ties: rule-based before age-based, then by name).
 * All of them when count ≥ machines.length, none when count ≤ 0. The input is not modified.
 */
export function selectMachinesToDelete(machines: readonly Machine[], count: number, policy: DeletePolicyValue, now: Date): Machine[] {
  if (count <= 0) return [];
  const ranked = machines.map((machine) => {
    const rule = rulePriority(machine, policy);
    return { machine, byRule: rule !== undefined, priority: rule ?? agePriority(machine, policy, now) };
  });
  ranked.sort((a, b) => {
    if (a.priority !== b.priority) return b.priority - a.priority;
    if (a.byRule !== b.byRule) return a.byRule ? -1 : 1;
    const an = a.machine.metadata.name ?? '';
    const bn = b.machine.metadata.name ?? '';
    return an < bn ? -1 : an > bn ? 1 : 0;
  });
  return ranked.slice(0, count).map((r) => r.machine);
}
