// The Machine's status as one pure function: MAO's `updateStatus` side effects (pkg/controller/machine/controller.go;
// shared/reference/machine-api.md §1.4 "Side effects in updateStatus") without the API calls.
// - Drainable/Terminable are recomputed on every write: False, reason HookPresent, while preDrain/preTerminate
//   hooks exist; True otherwise.
// - errorReason/errorMessage are cleared unless the Machine is Failed.
// - On Failed, providerStatus.instanceState (AWS, GCP) and vmState (Azure) become Unknown when present.
// - lastUpdated moves to `now` only when something else in the status changed, so an idle reconcile writes nothing
//   (and does not restart the MachineHealthCheck's nodeStartupTimeout, which is measured from lastUpdated).
// Deviation: a Machine that stays Failed without a new failure keeps its error fields (MAO never re-enters
// updateStatus for a Failed Machine, so the case does not arise there).
import { isDeepStrictEqual } from 'node:util';
import type {
  LifecycleHook,
  Machine,
  MachineApiCondition,
  MachinePhase,
  MachineStatus,
  MachineStatusError,
  ProviderConfig,
} from '../../api/machine-v1beta1.ts';
import { setCondition, type ConditionInput } from '../../runtime/conditions.ts';
import { formatTime } from '../../runtime/time.ts';
import type { InstanceObservation } from '../providers/actuator.ts';

/** The instance state written when the Machine is Failed: nobody knows what the instance is doing. */
export const UNKNOWN_INSTANCE_STATE = 'Unknown';

export interface MachineFailure {
  /** Absent for failures that are not a MachineError, e.g. "can't find created instance". */
  readonly reason?: MachineStatusError;
  readonly message: string;
}

/** What one reconcile learned; everything else in the status is kept. */
export interface MachineStatusChange {
  /** Absent: keep the current phase. */
  readonly phase?: MachinePhase;
  /** Conditions to set, in order (lastTransitionTime moves only when a status flips). */
  readonly conditions?: readonly ConditionInput<MachineApiCondition>[];
  /** Only read when the phase is Failed. */
  readonly failure?: MachineFailure;
  /** What the actuator reported: status.addresses and status.providerStatus. */
  readonly observation?: InstanceObservation;
}

export interface ComputedMachineStatus {
  readonly status: MachineStatus;
  /** Whether the status differs from the Machine's current one (then lastUpdated is `now`). */
  readonly changed: boolean;
}

/** Go's %+v of []LifecycleHook, as MAO's condition messages print it. */
function formatHooks(hooks: readonly LifecycleHook[]): string {
  return `[${hooks.map((h) => `{Name:${h.name} Owner:${h.owner}}`).join(' ')}]`;
}

function hookCondition(type: 'Drainable' | 'Terminable', operation: string, hooks: readonly LifecycleHook[] | undefined): ConditionInput<MachineApiCondition> {
  if (!hooks?.length) return { type, status: 'True' };
  return {
    type,
    status: 'False',
    reason: 'HookPresent',
    severity: 'Warning',
    message: `${operation} operation currently blocked by: ${formatHooks(hooks)}`,
  };
}

function failedProviderStatus(providerStatus: ProviderConfig | undefined): ProviderConfig | undefined {
  if (!providerStatus) return undefined;
  const overridden: Record<string, unknown> = { ...providerStatus };
  for (const field of ['instanceState', 'vmState']) {
    if (typeof overridden[field] === 'string') overridden[field] = UNKNOWN_INSTANCE_STATE;
  }
  return overridden;
}

/** Drops undefined-valued keys, so that an absent field and an undefined one compare equal. */
function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

export function computeMachineStatus(machine: Machine, change: MachineStatusChange, now: Date): ComputedMachineStatus {
  const current = machine.status ?? {};
  const hooks = machine.spec?.lifecycleHooks;
  const conditions = [
    ...(change.conditions ?? []),
    hookCondition('Drainable', 'Drain', hooks?.preDrain),
    hookCondition('Terminable', 'Terminate', hooks?.preTerminate),
  ].reduce<MachineApiCondition[] | undefined>((list, next) => setCondition(list, next, now), current.conditions ? [...current.conditions] : undefined);

  const phase = change.phase ?? current.phase;
  const failed = phase === 'Failed';
  const error = failed
    ? change.failure
      ? { errorReason: change.failure.reason, errorMessage: change.failure.message }
      : { errorReason: current.errorReason, errorMessage: current.errorMessage }
    : {};
  const observed = change.observation;
  const addresses = observed ? (observed.addresses.length > 0 ? observed.addresses : undefined) : current.addresses;
  const providerStatus = (observed?.providerStatus as ProviderConfig | undefined) ?? current.providerStatus;

  const next = compact<MachineStatus>({
    ...current,
    phase,
    errorReason: undefined,
    errorMessage: undefined,
    ...error,
    addresses,
    providerStatus: failed ? failedProviderStatus(providerStatus) : providerStatus,
    conditions,
    lastUpdated: current.lastUpdated,
  });
  const changed = !isDeepStrictEqual(compact({ ...next, lastUpdated: undefined }), compact({ ...current, lastUpdated: undefined }));
  return { status: changed ? { ...next, lastUpdated: formatTime(now) } : next, changed };
}
