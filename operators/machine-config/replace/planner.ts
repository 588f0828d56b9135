// The replacement of one MachineSet's Machines as one pure function: Cluster API's MachineDeployment RollingUpdate
// (maxSurge, maxUnavailable) done inside a single MachineSet, whose template already names the new boot image.
// New Machines come from raising spec.replicas; an old one leaves by getting the Machine API's
// `machine.openshift.io/delete-machine` annotation and then a lower spec.replicas, so the MachineSet deletes exactly
// that Machine and the Machine controller drains its Node (PodDisruptionBudgets respected) before the instance goes.
//
// With R the MachineSet's size when the replacement began (REPLACE_BASE_REPLICAS_ANNOTATION):
//   - Machines, those being deleted included (their instances still run), never exceed R + maxSurge;
//   - available Machines (Node Ready, schedulable, not being deleted) never drop below R − maxUnavailable;
//   - old Machines go unavailable ones first, then by zone and oldest first (rollout.ts compareUpdateOrder).
// One write per pass, each computed from the API state alone (the annotations hold R and the replicas last written),
// so a restarted operator takes the next step, and a repeated write from a stale cache writes the same value.
// Nothing moves while the MachineSet has not caught up with spec.replicas: the counts would be wrong.
import { DEFAULT_MAX_SURGE } from '../../api/machineconfiguration-v1.ts';
import { compareUpdateOrder, resolveMaxUnavailable, scaleIntOrPercent, type CountResult, type StartGate, type WaitReason } from '../rollout.ts';

export interface ReplaceMachine {
  readonly name: string;
  /** The canonical boot image of its providerSpec (replace/boot-image.ts); undefined when it names none. */
  readonly bootImage: string | undefined;
  /** Its Node's topology zone, else the Machine's; undefined sorts last. */
  readonly zone: string | undefined;
  readonly createdAtMs: number;
  /** Has a deletionTimestamp: draining or terminating, still counted as a Machine. */
  readonly deleting: boolean;
  /** Carries delete-machine with the operator's value: the old Machine that leaves next. */
  readonly marked: boolean;
  /** Its Node is Ready, schedulable and not being deleted. */
  readonly available: boolean;
  /** phase Failed, with why: the MachineSet never replaces such a Machine itself. */
  readonly failed?: string;
}

export interface ReplaceMachineSet {
  /** "namespace/name", for messages. */
  readonly name: string;
  /** spec.replicas. */
  readonly replicas: number;
  /** REPLACE_BASE_REPLICAS_ANNOTATION; undefined when no replacement is under way. */
  readonly baseReplicas: number | undefined;
  /** REPLACE_REPLICAS_ANNOTATION: spec.replicas as the operator last wrote it. */
  readonly writtenReplicas: number | undefined;
  /** Every Machine it controls, those being deleted included. */
  readonly machines: readonly ReplaceMachine[];
}

export interface ReplaceInput {
  readonly machineSet: ReplaceMachineSet;
  /** The canonical boot image of the release (the template names it already). */
  readonly target: string;
  /** spec.osUpdate.maxSurge as written. */
  readonly maxSurge: number | string | undefined;
  /** spec.maxUnavailable as written. */
  readonly maxUnavailable: number | string | undefined;
  /** The pool's gates (rollout.ts computeStartGate): how many more replacements may begin, and why none may. */
  readonly gate: StartGate;
}

export type ReplaceAction =
  /** Record `base` (and the replicas written) on the MachineSet: the replacement begins. */
  | { readonly type: 'Begin'; readonly base: number }
  /** spec.replicas was changed by someone else: it is the new base. */
  | { readonly type: 'Rebase'; readonly base: number }
  /** Set spec.replicas (and the written-replicas annotation). */
  | { readonly type: 'Scale'; readonly replicas: number; readonly why: string }
  /** Put delete-machine on this old Machine; the next pass lowers spec.replicas once the cache shows it. */
  | { readonly type: 'Mark'; readonly machine: string }
  /** Every Machine runs the target and is available at R: remove the annotations. */
  | { readonly type: 'Finish' };

export interface ReplaceWait {
  readonly reason: WaitReason;
  readonly message: string;
}

export interface ReplacePlan {
  /** The one write to make now, if any. */
  readonly action?: ReplaceAction;
  /** Why nothing (more) happens now. */
  readonly wait?: ReplaceWait;
  /** Old Machines left, not counting those being deleted. */
  readonly old: number;
  /** New Machines that failed (phase Failed), with why. */
  readonly failed: readonly { readonly machine: string; readonly message: string }[];
}

/**
 * spec.osUpdate.maxSurge as a Machine count for a MachineSet of `size`: an integer, or a percentage rounded up
 * (Cluster API's maxSurge); absent is DEFAULT_MAX_SURGE, 0 means delete first.
 */
export function resolveMaxSurge(value: number | string | undefined, size: number): CountResult {
  return scaleIntOrPercent(value ?? DEFAULT_MAX_SURGE, size, true, 'spec.osUpdate.maxSurge');
}

/** The order old Machines go in: unavailable ones first (replacing them costs nothing), then zone, oldest, name. */
export function compareVictims(a: ReplaceMachine, b: ReplaceMachine): number {
  if (a.available !== b.available) return a.available ? 1 : -1;
  return compareUpdateOrder(a, b);
}

/**
 * How many replacements of this MachineSet have begun: new Machines asked for, or old ones sent away, whichever is
 * more (with maxSurge 0 the old one goes first). The pool's canary counts these across its MachineSets.
 */
export function replacementsStarted(ms: ReplaceMachineSet, target: string): number {
  const active = ms.machines.filter((m) => !m.deleting);
  const onTarget = active.filter((m) => m.bootImage === target).length + Math.max(0, ms.replicas - active.length);
  const oldStaying = active.filter((m) => m.bootImage !== target && !m.marked).length;
  return Math.max(onTarget, (ms.baseReplicas ?? ms.replicas) - oldStaying);
}

export function planReplace(input: ReplaceInput): ReplacePlan {
  const { machineSet: ms, target, gate } = input;
  const active = ms.machines.filter((m) => !m.deleting);
  const old = active.filter((m) => m.bootImage !== target);
  const fresh = active.filter((m) => m.bootImage === target);
  const failed = fresh.filter((m) => m.failed !== undefined).map((m) => ({ machine: m.name, message: m.failed! }));
  const plan = (rest: Omit<ReplacePlan, 'old' | 'failed'>): ReplacePlan => ({ ...rest, old: old.length, failed });

  if (ms.baseReplicas === undefined) {
    if (old.length === 0) return plan({});
    if (gate.limit <= 0) return plan({ wait: gate.wait });
    return plan({ action: { type: 'Begin', base: ms.replicas } });
  }
  // A replicas value this operator did not write (a user, the cluster-autoscaler): the new size to keep.
  if (ms.writtenReplicas !== ms.replicas) return plan({ action: { type: 'Rebase', base: ms.replicas } });

  const base = ms.baseReplicas;
  const surge = resolveMaxSurge(input.maxSurge, base);
  if (!surge.ok) return plan({ wait: { reason: 'InvalidMaxSurge', message: surge.message } });
  const unavailable = resolveMaxUnavailable(input.maxUnavailable, base);
  if (!unavailable.ok) return plan({ wait: { reason: 'InvalidMaxUnavailable', message: unavailable.message } });
  if (active.length !== ms.replicas) {
    return plan({ wait: { reason: 'ScalingMachineSet', message: `MachineSet ${ms.name} has ${active.length} Machines, spec.replicas is ${ms.replicas}` } });
  }
  if (failed.length > 0) {
    const list = failed.map((f) => `Machine ${f.machine} failed: ${f.message}`).join('; ');
    return plan({ wait: { reason: 'MachineFailed', message: `MachineSet ${ms.name}: ${list}; delete it to try again` } });
  }

  const total = ms.machines.length;
  const available = active.filter((m) => m.available).length;
  const floor = base - unavailable.value;
  const budget = `${available} available, at least ${floor} must stay (replicas ${base}, maxUnavailable ${unavailable.value})`;
  const keepsFloor = (victim: ReplaceMachine) => available - (victim.available ? 1 : 0) >= floor;

  // An old Machine already chosen: lower replicas so that the MachineSet deletes it (its drain follows).
  const marked = old.filter((m) => m.marked).sort(compareVictims);
  if (marked.length > 0) {
    if (!keepsFloor(marked[0])) return plan({ wait: { reason: 'MaxUnavailable', message: `MachineSet ${ms.name}: ${budget}` } });
    return plan({ action: { type: 'Scale', replicas: ms.replicas - 1, why: `removing Machine ${marked[0].name}` } });
  }

  const started = replacementsStarted(ms, target);
  const room = base + surge.value - total;
  const surgeBy = Math.min(room, base - fresh.length, started + gate.limit - fresh.length);
  if (surgeBy > 0) return plan({ action: { type: 'Scale', replicas: ms.replicas + surgeBy, why: `creating ${surgeBy} Machine(s) on the new boot image` } });

  if (old.length > 0) {
    const victim = [...old].sort(compareVictims)[0];
    if (!keepsFloor(victim)) {
      const full = room <= 0 ? `; ${total} Machines, at most ${base + surge.value} (maxSurge ${surge.value})` : '';
      return plan({ wait: { reason: 'MaxUnavailable', message: `MachineSet ${ms.name}: ${budget}${full}` } });
    }
    if (Math.max(fresh.length, base - (old.length - 1)) - started > gate.limit) return plan({ wait: gate.wait });
    return plan({ action: { type: 'Mark', machine: victim.name } });
  }

  if (fresh.length < base) {
    return plan({ wait: { reason: 'MaxSurge', message: `MachineSet ${ms.name}: ${total} Machines, at most ${base + surge.value} (maxSurge ${surge.value}); waiting for deleted Machines to go` } });
  }
  const booting = fresh.filter((m) => !m.available).length;
  if (booting > 0) return plan({ wait: { reason: 'NewMachinesNotReady', message: `MachineSet ${ms.name}: ${booting} new Machine(s) without a Ready, schedulable Node yet` } });
  return plan({ action: { type: 'Finish' } });
}
