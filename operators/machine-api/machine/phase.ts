// The Machine controller's state machine as pure functions (MAO pkg/controller/machine/controller.go `Reconcile`;
// shared/reference/machine-api.md §1.3, §1.4). The controller runs, in order:
//
//   if (isDeleting(m))  → write nextMachineStep({machine, now}).status (phase Deleting), then the delete phases,
//                         gated by deletionBlocker(m) and isIgnorableDeleteError(m, err)
//   if (isFailed(m))    → nothing: Failed is terminal (MAO, and the machine-instance-lifecycle enhancement)
//   exists  = result of actuator.exists(m)
//   call    = instanceCallAfterExists(m, exists, now)        // 'update' | 'create' | undefined
//   outcome = call ? result of actuator[call](m) : undefined
//   step    = nextMachineStep({ machine: m, exists, instance: outcome, now })
//   patch step.patch (spec.providerID, labels, annotations), write step.status when step.statusChanged,
//   then throw step.error if set, else return { requeueAfterMs: step.requeueAfterMs }
//
// The MAO order is kept: exists error → InstanceExists=Unknown (ErrorCheckingProvider); exists → update,
// InstanceExists=True, then Provisioned (providerID or addresses, no nodeRef, requeue 30 s) or Running (nodeRef);
// missing but provisioned → Failed "can't find created instance" (InstanceMissing); otherwise create → requeue
// 30 s, or Failed on a TerminalError.
//
// Deviations from MAO, and why:
// - A new Machine is created in its first reconcile, and what create returned is written with the phase it
//   implies in one status write: Provisioned when create reported a providerID or addresses (the instance
//   exists), else Provisioning. MAO first writes Provisioning, requeues, then creates and writes again, and only
//   the reconcile after that reaches Provisioned: three status writes and three reconciles where one does. The
//   early Provisioning write protects nothing: create is idempotent (ClientToken, requestId, deterministic names),
//   which is what makes a kill -9 mid-create safe. A create that fails transiently or asks to wait still writes
//   Provisioning (InstanceNotCreated), so a slow create shows.
// - The actuator returns what it observed (providers/actuator.ts) instead of patching the Machine itself, so this
//   module writes it: spec.providerID only while unset (a different observed value is reported in `warnings`,
//   never written: "once set, providerID must never be mutated"), status.addresses, status.providerStatus, the
//   instance-state annotation and the provider's labels. Create's observation is recorded too, so the instance's
//   identity is persisted as soon as it exists (reference §8.4).
// - A successful create sets MachineCreated=True (MachineCreationSucceeded); a terminal one MachineCreated=False
//   (MachineCreationFailed). MAO leaves that condition to providers.
// - Eventual consistency: a Machine whose create succeeded less than INSTANCE_VISIBILITY_GRACE_MS ago (the
//   MachineCreated transition) and that never had a Node (no nodeRef, never Running) is not failed when exists()
//   says false; it is looked at again when the grace ends. MAO leaves this to each provider (AWS: 20 s after lastUpdated); doing it
//   here protects every provider from "instance vanished" right after create.
// - Any TerminalError from create fails the Machine; errorReason is its reason when that is a MachineStatusError,
//   else CreateError. MAO fails only on InvalidConfiguration, which is what providers throw (actuator.ts).
// - Errors go back to the controller as values (`error`), so runtime/controller.ts decides: RequeueAfter waits,
//   TerminalError is dropped, anything else backs off. An update error keeps MAO's fixed 30 s requeue.
import {
  INSTANCE_STATE_ANNOTATION,
  MACHINE_FINALIZER,
  MACHINE_STATUS_ERRORS,
  type Machine,
  type MachineApiCondition,
  type MachineStatus,
  type MachineStatusError,
} from '../../api/machine-v1beta1.ts';
import { getCondition, isConditionTrue, type ConditionInput } from '../../runtime/conditions.ts';
import { errorMessage, RequeueAfter, TerminalError } from '../../runtime/errors.ts';
import type { InstanceObservation } from '../providers/actuator.ts';
import { floorRequeue, toMillis } from '../timing.ts';
import { computeMachineStatus, UNKNOWN_INSTANCE_STATE, type MachineFailure, type MachineStatusChange } from './status.ts';

/** MAO's `requeueAfter`: after create, while Provisioned, after an update error, while the instance is deleting. */
export const PROVISIONED_REQUEUE_MS = 30_000;
/** How long a just-created instance may be invisible to exists() before the Machine fails (MAO AWS: 20 s). */
export const INSTANCE_VISIBILITY_GRACE_MS = 20_000;
/** status.errorMessage when a provisioned Machine's instance is gone (MAO's exact text). */
export const INSTANCE_VANISHED_MESSAGE = "can't find created instance";

/** An actuator call's outcome as a value. */
export type CallResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };

/** The actuator call that follows exists(). */
export type InstanceCall = 'update' | 'create';

export function isDeleting(machine: Machine): boolean {
  return !!machine.metadata.deletionTimestamp;
}

export function isFailed(machine: Machine): boolean {
  return machine.status?.phase === 'Failed';
}

/** MAO machineIsProvisioned: the instance has been given a providerID or addresses. */
export function isProvisioned(machine: Machine): boolean {
  return !!machine.spec?.providerID || (machine.status?.addresses?.length ?? 0) > 0;
}

/** Where a non-deleting, non-Failed Machine stands once exists() has answered. */
type Situation =
  | { readonly kind: 'checkFailed'; readonly error: unknown }
  | { readonly kind: 'exists' }
  | { readonly kind: 'vanished' }
  | { readonly kind: 'notVisibleYet'; readonly remainingMs: number }
  | { readonly kind: 'create' };

function situation(machine: Machine, exists: CallResult<boolean>, now: Date): Situation {
  if (!exists.ok) return { kind: 'checkFailed', error: exists.error };
  if (exists.value) return { kind: 'exists' };
  if (isProvisioned(machine)) {
    const conditions = machine.status?.conditions;
    const created = getCondition(conditions, 'MachineCreated');
    const createdAt = created?.status === 'True' ? toMillis(created.lastTransitionTime) : undefined;
    const remainingMs = createdAt === undefined ? 0 : createdAt + INSTANCE_VISIBILITY_GRACE_MS - now.getTime();
    // Create's own answer sets InstanceExists=True and Provisioned, so only a Node proves a read has seen it.
    const seen = machine.status?.phase === 'Running' || machine.status?.nodeRef !== undefined;
    return !seen && remainingMs > 0 ? { kind: 'notVisibleYet', remainingMs } : { kind: 'vanished' };
  }
  return { kind: 'create' };
}

/** Which actuator call comes after exists() (MAO §1.4 steps 7 and 10); undefined when none. */
export function instanceCallAfterExists(machine: Machine, exists: CallResult<boolean>, now: Date): InstanceCall | undefined {
  const kind = situation(machine, exists, now).kind;
  return kind === 'exists' ? 'update' : kind === 'create' ? 'create' : undefined;
}

export interface MachineStepInput {
  readonly machine: Machine;
  /** actuator.exists(); not needed for a deleting or Failed Machine. */
  readonly exists?: CallResult<boolean>;
  /** The outcome of the call instanceCallAfterExists asked for. */
  readonly instance?: CallResult<InstanceObservation>;
  readonly now: Date;
}

/** A JSON merge patch for the Machine itself (not its status). */
export interface MachinePatch {
  readonly metadata?: {
    readonly labels?: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
  };
  readonly spec?: { readonly providerID: string };
}

export interface MachineStep {
  /** The whole new status; write it when statusChanged. */
  readonly status: MachineStatus;
  readonly statusChanged: boolean;
  /** Apply before the status write; undefined when the Machine itself does not change. */
  readonly patch?: MachinePatch;
  readonly requeueAfterMs?: number;
  /** Throw this after writing, so the runtime's error policy applies (RequeueAfter, TerminalError, backoff). */
  readonly error?: unknown;
  /** For the log and a Warning event; nothing was written because of them. */
  readonly warnings: readonly string[];
}

const INSTANCE_NOT_CREATED: ConditionInput<MachineApiCondition> = {
  type: 'InstanceExists', status: 'False', reason: 'InstanceNotCreated', severity: 'Warning', message: 'Instance has not been created',
};
const INSTANCE_MISSING: ConditionInput<MachineApiCondition> = {
  type: 'InstanceExists', status: 'False', reason: 'InstanceMissing', severity: 'Warning', message: 'Instance not found on provider',
};

/** The Machine-level writes an observation implies: providerID while unset, instance state, provider labels. */
function patchFromObservation(machine: Machine, observation: InstanceObservation | undefined, failed: boolean, warnings: string[]): MachinePatch | undefined {
  const current = machine.spec?.providerID;
  const observedID = observation?.providerID;
  let spec: MachinePatch['spec'];
  if (observedID && !current) spec = { providerID: observedID };
  else if (observedID && current && observedID !== current) {
    warnings.push(`Provider reported providerID ${JSON.stringify(observedID)}, keeping ${JSON.stringify(current)}: providerID is never changed once set`);
  }
  const state = failed ? UNKNOWN_INSTANCE_STATE : observation?.instanceState;
  const annotations = state && machine.metadata.annotations?.[INSTANCE_STATE_ANNOTATION] !== state ? { [INSTANCE_STATE_ANNOTATION]: state } : undefined;
  const changedLabels = Object.entries(observation?.labels ?? {}).filter(([k, v]) => machine.metadata.labels?.[k] !== v);
  const labels = changedLabels.length > 0 ? Object.fromEntries(changedLabels) : undefined;
  if (!spec && !annotations && !labels) return undefined;
  return {
    ...(labels || annotations ? { metadata: { ...(labels ? { labels } : {}), ...(annotations ? { annotations } : {}) } } : {}),
    ...(spec ? { spec } : {}),
  };
}

/** The Machine as it will be once the observation is written: what isProvisioned must judge after an update. */
function withObservation(machine: Machine, observation: InstanceObservation): Machine {
  return {
    ...machine,
    spec: { ...machine.spec, providerID: machine.spec?.providerID || observation.providerID },
    status: { ...machine.status, addresses: observation.addresses },
  };
}

function failureFromCreate(error: TerminalError): MachineFailure {
  const reason = (MACHINE_STATUS_ERRORS as readonly string[]).includes(error.reason) ? (error.reason as MachineStatusError) : 'CreateError';
  return { reason, message: error.message };
}

/** Everything one reconcile of a Machine decides; see the top of the file for the calling sequence. */
export function nextMachineStep(input: MachineStepInput): MachineStep {
  const { machine, now } = input;
  const warnings: string[] = [];
  const finish = (change: MachineStatusChange, rest: { requeueAfterMs?: number; error?: unknown } = {}): MachineStep => {
    const { status, changed } = computeMachineStatus(machine, change, now);
    const patch = patchFromObservation(machine, change.observation, status.phase === 'Failed' && !isFailed(machine), warnings);
    return { status, statusChanged: changed, ...(patch ? { patch } : {}), ...rest, warnings };
  };

  if (isDeleting(machine)) return finish({ phase: 'Deleting' });
  if (isFailed(machine)) return { status: machine.status ?? {}, statusChanged: false, warnings };
  if (!input.exists) throw new Error('nextMachineStep: exists() result is required for a Machine that is not deleting or Failed');

  const where = situation(machine, input.exists, now);
  switch (where.kind) {
    case 'checkFailed':
      return finish(
        { conditions: [{ type: 'InstanceExists', status: 'Unknown', reason: 'ErrorCheckingProvider', message: `Failed to check if machine exists: ${errorMessage(where.error)}` }] },
        { error: where.error },
      );
    case 'vanished':
      return finish({ phase: 'Failed', conditions: [INSTANCE_MISSING], failure: { message: INSTANCE_VANISHED_MESSAGE } });
    case 'notVisibleYet':
      return finish({}, { requeueAfterMs: floorRequeue(where.remainingMs) });
    case 'exists': {
      const outcome = requireOutcome(input, 'update');
      if (!outcome.ok) {
        warnings.push(`Update failed: ${errorMessage(outcome.error)}`);
        const afterMs = outcome.error instanceof RequeueAfter ? floorRequeue(outcome.error.afterMs) : PROVISIONED_REQUEUE_MS;
        return finish({}, { requeueAfterMs: afterMs });
      }
      const observed = outcome.value;
            const conditions = [{ type: 'InstanceExists', status: 'True' } as const];
      if (!isProvisioned(withObservation(machine, observed))) return finish({ conditions, observation: observed }, { requeueAfterMs: PROVISIONED_REQUEUE_MS });
      if (!machine.status?.nodeRef) {
        return finish({ phase: 'Provisioned', conditions, observation: observed }, { requeueAfterMs: PROVISIONED_REQUEUE_MS });
      }
      return finish({ phase: 'Running', conditions, observation: observed });
    }
    case 'create': {
      const outcome = requireOutcome(input, 'create');
      // No phase yet: this reconcile is the one that starts provisioning, whatever create answers.
      const provisioning = machine.status?.phase ? {} : { phase: 'Provisioning' as const };
      if (outcome.ok) {
        const observed = outcome.value;
        const created = { type: 'MachineCreated', status: 'True', reason: 'MachineCreationSucceeded' } as const;
        const change: MachineStatusChange = isProvisioned(withObservation(machine, observed))
          ? { phase: 'Provisioned', conditions: [{ type: 'InstanceExists', status: 'True' }, created], observation: observed }
          : { ...provisioning, conditions: [INSTANCE_NOT_CREATED, created], observation: observed };
        return finish(change, { requeueAfterMs: PROVISIONED_REQUEUE_MS });
      }
      if (outcome.error instanceof TerminalError) {
        const failure = failureFromCreate(outcome.error);
        return finish({
          phase: 'Failed',
          conditions: [INSTANCE_NOT_CREATED, { type: 'MachineCreated', status: 'False', reason: 'MachineCreationFailed', severity: 'Error', message: failure.message }],
          failure,
        });
      }
      return finish({ ...provisioning, conditions: [INSTANCE_NOT_CREATED] }, { error: outcome.error });
    }
  }
}

function requireOutcome(input: MachineStepInput, call: InstanceCall): CallResult<InstanceObservation> {
  if (!input.instance) throw new Error(`nextMachineStep: the result of actuator.${call}() is required here`);
  return input.instance;
}

// ---- deletion (MAO §1.4 step 4) ----------------------------------------------------------------------------------

/** Why the delete phases must wait, in MAO's order; undefined when the instance may be deleted now. */
export type DeletionBlocker =
  /** The finalizer is already gone: nothing left to do. */
  | 'FinalizerRemoved'
  /** The drain controller has not set Drained=True yet. */
  | 'NotDrained'
  /** spec.lifecycleHooks.preTerminate is not empty; its owners remove the hooks. */
  | 'PreTerminateHookPresent';

export function deletionBlocker(machine: Machine): DeletionBlocker | undefined {
  if (!machine.metadata.finalizers?.includes(MACHINE_FINALIZER)) return 'FinalizerRemoved';
  if (!isConditionTrue(machine.status?.conditions, 'Drained')) return 'NotDrained';
  if (machine.spec?.lifecycleHooks?.preTerminate?.length) return 'PreTerminateHookPresent';
  return undefined;
}

/**
 * Whether an actuator.delete() error may be ignored: an InvalidConfiguration error on a Machine that never got
 * addresses (so, most likely, never got an instance) must not block deleting it forever (MAO §1.4 step 4.5).
 */
export function isIgnorableDeleteError(machine: Machine, error: unknown): boolean {
  return error instanceof TerminalError && error.reason === 'InvalidConfiguration' && (machine.status?.addresses?.length ?? 0) === 0;
}
