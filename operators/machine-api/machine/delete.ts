// The delete phases of a Machine (MAO controller.go Reconcile §1.4 step 4): phase Deleting → wait for Drained
// (the drain controller) → wait for preTerminate hooks → delete the instance → delete the Node → release the
// finalizer. Each wait returns without a requeue: the drain controller's status write and a hook's removal are
// Machine updates, which re-queue it.
import { MACHINE_FINALIZER } from '../../api/machine-v1beta1.ts';
import type { Result } from '../../runtime/controller.ts';
import { RequeueAfter, TerminalError, errorMessage, isConflict, isNotFound } from '../../runtime/errors.ts';
import { removeFinalizer } from '../../runtime/finalizers.ts';
import { MACHINES, NODES } from '../context.ts';
import { deletionBlocker, isIgnorableDeleteError, nextMachineStep } from './phase.ts';
import { applyStep, failureLabels, recordEvent, type MachineScope } from './scope.ts';

export async function reconcileDelete(scope: MachineScope): Promise<Result> {
  const { ctx, machine, log } = scope;
  // Phase Deleting first: the drain controller acts only on Machines in that phase.
  await applyStep(scope, nextMachineStep({ machine, now: ctx.now() }));
  const blocker = deletionBlocker(machine);
  if (blocker) {
    log.info('Waiting before deleting the instance', { blocker });
    return {};
  }

  await deleteInstance(scope);
  await deleteNode(scope);
  log.info('Removing finalizer');
  // Recorded, so a reconcile queued meanwhile waits for the deletion instead of deleting the instance again.
  await removeFinalizer(scope.ownWrites.recording(ctx.client), MACHINES, machine, MACHINE_FINALIZER);
  return {};
}

/**
 * actuator.delete resolves once the instance is gone and throws RequeueAfter while it terminates. A Machine that
 * never got an instance is let go even when the provider calls its configuration invalid (phase.ts
 * isIgnorableDeleteError); any other TerminalError is retried with backoff, because an instance may exist and
 * releasing the finalizer would leak it.
 */
async function deleteInstance(scope: MachineScope): Promise<void> {
  const { ctx, machine, log, signal } = scope;
  try {
    log.info('Deleting instance');
    await ctx.providers.actuatorFor(machine).delete(machine, signal);
  } catch (err) {
    if (isIgnorableDeleteError(machine, err)) {
      log.info('Releasing a Machine that never got an instance', { error: errorMessage(err) });
      return;
    }
    if (err instanceof RequeueAfter) {
      log.info('Waiting for the instance to terminate', { retryInMs: err.afterMs, message: err.message });
      throw err;
    }
    const reason = err instanceof TerminalError ? err.reason : 'DeleteError';
    scope.metrics.instanceDeleteFailed.inc(failureLabels(machine, reason));
    recordEvent(scope, 'Warning', 'FailedDelete', `${machine.metadata.name}: ${reason}: ${errorMessage(err)}`, 'Delete');
    throw err instanceof TerminalError ? new Error(`Deleting instance: ${err.message}`, { cause: err }) : err;
  }
  recordEvent(scope, 'Normal', 'Deleted', `Deleted machine ${machine.metadata.name}`, 'Delete');
}

/**
 * Deletes the Node the Machine was linked to. The uid precondition spares a Node of the same name registered since
 * (409); a Node already gone is fine.
 */
async function deleteNode(scope: MachineScope): Promise<void> {
  const { ctx, machine, log } = scope;
  const nodeRef = machine.status?.nodeRef;
  if (!nodeRef?.name) return;
  try {
    log.info('Deleting node', { Node: nodeRef.name });
    await ctx.client.delete(NODES, undefined, nodeRef.name, nodeRef.uid ? { preconditions: { uid: nodeRef.uid } } : {});
  } catch (err) {
    if (isNotFound(err)) return;
    if (isConflict(err)) {
      log.info('Node was replaced by another of the same name, leaving it', { Node: nodeRef.name });
      return;
    }
    throw err;
  }
}
