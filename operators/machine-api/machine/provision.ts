// The normal (not deleting) Machine phases (MAO controller.go Reconcile §1.4 steps 5–10): exists → update or
// create → phase, through phase.ts's state machine. This file makes the actuator calls, reports their failures
// (Events, mapi_instance_*_failed) and applies the step; it decides nothing phase.ts decides.
import { TerminalError, RequeueAfter, errorMessage } from '../../runtime/errors.ts';
import type { Result } from '../../runtime/controller.ts';
import type { MachineStatus } from '../../api/machine-v1beta1.ts';
import type { Actuator } from '../providers/actuator.ts';
import { toMillis } from '../timing.ts';
import { instanceCallAfterExists, isProvisioned, nextMachineStep, type CallResult, type InstanceCall } from './phase.ts';
import { applyStep, failureLabels, recordEvent, type MachineScope } from './scope.ts';

/** Timings of the normal phases, in ms. */
export interface ProvisionTimings {
  /** Look again at a Provisioned Machine after this long (see DEFAULT_PROVISIONED_REQUEUE_MS). */
  readonly provisionedRequeueMs: number;
  /** Look again at a Running Machine after this long (see DEFAULT_RUNNING_RESYNC_MS). */
  readonly runningResyncMs: number;
}

async function settle<T>(call: () => Promise<T>): Promise<CallResult<T>> {
  try {
    return { ok: true, value: await call() };
  } catch (error) {
    return { ok: false, error };
  }
}

/**
 * The actuator, or what stands in for it when no enabled provider serves the providerSpec kind (a TerminalError
 * naming spec.providerSpec.value.kind). A Machine that never got an instance then fails like a terminal create;
 * one that has an instance reports InstanceExists=Unknown and waits for its spec to be fixed.
 */
function actuatorOf(scope: MachineScope): { readonly actuator: Actuator } | { readonly error: unknown } {
  try {
    return { actuator: scope.ctx.providers.actuatorFor(scope.machine) };
  } catch (error) {
    return { error };
  }
}

export async function reconcileInstance(scope: MachineScope, timings: ProvisionTimings): Promise<Result> {
  const { machine, signal, log } = scope;
  const resolved = actuatorOf(scope);
  const exists: CallResult<boolean> = 'actuator' in resolved
    ? await settle(() => resolved.actuator.exists(machine, signal))
    : isProvisioned(machine) ? { ok: false, error: resolved.error } : { ok: true, value: false };
  signal.throwIfAborted();

  const call = instanceCallAfterExists(machine, exists, scope.ctx.now());
  let instance: CallResult<Awaited<ReturnType<Actuator['create']>>> | undefined;
  if (call) {
    log.info(call === 'create' ? 'Creating instance' : 'Updating instance');
    instance = 'actuator' in resolved
      ? await settle(() => (call === 'create' ? resolved.actuator.create(machine, signal) : resolved.actuator.update(machine, signal)))
      : { ok: false, error: resolved.error };
    // Cut short by shutdown: the call's outcome is unknown, and the next leader starts over from exists().
    signal.throwIfAborted();
    report(scope, call, instance);
  }

  const step = nextMachineStep({ machine, exists, instance, now: scope.ctx.now() });
  await applyStep(scope, step);
  if (step.status.phase === 'Failed' && machine.status?.phase !== 'Failed') {
    log.info('Machine failed', { errorReason: step.status.errorReason ?? '', errorMessage: step.status.errorMessage ?? '' });
    if (call !== 'create') recordEvent(scope, 'Warning', 'InstanceMissing', `Machine failed: ${step.status.errorMessage ?? ''}`, 'Reconcile');
  }
  if (step.error !== undefined) throw step.error;
  const settleMs = runningSettleRemainingMs(step.status, scope.ctx.now());
  if (settleMs !== undefined) return { requeueAfterMs: settleMs };
  return { requeueAfterMs: requeueAfter(step.status.phase, step.status.nodeRef !== undefined, call, instance, step.requeueAfterMs, timings, scope.ctx.now()) };
}

/** How long after a machine turns Running its instance is read again, in ms. */
export const RUNNING_SETTLE_MS = 5_000;

/**
 * The read right after a Machine turned Running (nodelink's nodeRef write) may predate the instance's own switch
 * to running (the provider's batched read can be a moment old when the Node joins): a Machine whose status changed
 * less than RUNNING_SETTLE_MS ago is read once more when that time is up, so the instance-state annotation does
 * not show a boot state until the next resync. Undefined once the status has been still that long.
 */
function runningSettleRemainingMs(status: MachineStatus, now: Date): number | undefined {
  if (status.phase !== 'Running') return undefined;
  const updated = toMillis(status.lastUpdated);
  if (updated === undefined) return undefined;
  const remaining = updated + RUNNING_SETTLE_MS - now.getTime();
  return remaining > 0 ? remaining : undefined;
}

/**
 * phase.ts keeps MAO's 30 s requeue; two cases wait for something an event announces, so they look again less often:
 * - Provisioned (the instance is up, no nodeRef): nodelink setting nodeRef is a Machine update that re-queues it at
 *   once, so the requeue only refreshes the instance state and is a safety net.
 * - Running: MAO never requeues and relies on the manager's 10-minute resync to notice a vanished instance; the
 *   caches here have no resync, so the controller asks for it.
 */
function requeueAfter(
  phase: string | undefined,
  hasNode: boolean,
  call: InstanceCall | undefined,
  instance: CallResult<unknown> | undefined,
  stepMs: number | undefined,
  timings: ProvisionTimings,
  now: Date,
): number | undefined {
  const updated = call === 'update' && instance?.ok === true;
  if (updated && phase === 'Provisioned' && !hasNode) return timings.provisionedRequeueMs;
  // Running machines resync at the same wall-clock boundaries, so their status reads land in one batch of the
  // provider's instance cache (one cloud listing per period, however many machines came up at different times).
  if (updated && phase === 'Running' && stepMs === undefined) return timings.runningResyncMs - (now.getTime() % timings.runningResyncMs);
  return stepMs;
}

/** Events and mapi_instance_{create,update}_failed for an actuator call; RequeueAfter is a wait, not a failure. */
function report(scope: MachineScope, call: InstanceCall, outcome: CallResult<unknown>): void {
  const { machine, metrics } = scope;
  const name = machine.metadata.name ?? '';
  if (outcome.ok) {
    if (call === 'create') recordEvent(scope, 'Normal', 'Create', `Created Machine ${name}`, 'Create');
    return;
  }
  const error = outcome.error;
  if (error instanceof RequeueAfter) {
    scope.log.info('Actuator asked to wait', { call, retryInMs: error.afterMs, message: error.message });
    return;
  }
  const reason = error instanceof TerminalError ? error.reason : call === 'create' ? 'CreateError' : 'UpdateError';
  const counter = call === 'create' ? metrics.instanceCreateFailed : metrics.instanceUpdateFailed;
  counter.inc(failureLabels(machine, reason));
  const verb = call === 'create' ? 'Create' : 'Update';
  scope.log.warn(`${verb} failed`, { reason, error: errorMessage(error), terminal: error instanceof TerminalError });
  recordEvent(scope, 'Warning', `Failed${verb}`, `${name}: ${reason}: ${errorMessage(error)}`, verb);
}
