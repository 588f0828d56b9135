// The machine-controller (MAO pkg/controller/machine/controller.go; shared/reference/machine-api.md §1.4): fetch
// from the cache, finalizer, then either the delete phases (delete.ts) or validation and the instance phases
// (provision.ts), each writing the Machine's status once through scope.ts.
//
// Choices that differ from MAO, and why:
// - Finalizer before validation: MAO validates first, so a Machine that lost its cluster-ID label could not even be
//   deleted. Deleting never needs the label.
// - Invalid Machine (no cluster-ID label, no providerSpec.value): a Warning Event FailedValidate naming the field
//   and a TerminalError, so the Machine is not retried until it changes (MAO retries the unchanged object with
//   backoff). It is not marked Failed: Failed is terminal, and a MachineHealthCheck would delete it and its
//   MachineSet recreate it, invalid again (MAO #736); adding the label or the providerSpec lets it proceed.
// - Several Machines at once (DEFAULT_MACHINE_CONCURRENCY): MAO reconciles one at a time on AWS, which made large
//   scale-ups slow (reference §6 item 12). Each Machine is still never reconciled twice at once (the queue).
// - Requeues: see provision.ts `requeueAfter` (Provisioned waits longer, Running is resynced).
import { MACHINE_FINALIZER, type Machine } from '../../api/machine-v1beta1.ts';
import type { BackoffPolicy } from '../../runtime/backoff.ts';
import { Controller, watch, type Reconciler } from '../../runtime/controller.ts';
import { TerminalError } from '../../runtime/errors.ts';
import { addFinalizer, hasFinalizer } from '../../runtime/finalizers.ts';
import { enqueueSelf } from '../../runtime/handlers.ts';
import { OwnWrites } from '../../runtime/own-writes.ts';
import { MACHINES, type MachineApiContext } from '../context.ts';
import { reconcileDelete } from './delete.ts';
import { isDeleting, isFailed } from './phase.ts';
import { reconcileInstance } from './provision.ts';
import { newScope, recordEvent } from './scope.ts';
import { formatValidationErrors, machineValidationErrors } from './validate.ts';

/** Machines reconciled at once (MAO: 1 on AWS, 10 on GCP and Azure). */
export const DEFAULT_MACHINE_CONCURRENCY = 10;
/**
 * How often a Provisioned Machine is looked at, in ms. MAO polls every 30 s until the Node joins; here nodelink's
 * nodeRef write re-queues the Machine at once, so this only refreshes the instance state.
 */
export const DEFAULT_PROVISIONED_REQUEUE_MS = 2 * 60_000;
/** How often a Running Machine is looked at, in ms: MAO's 10-minute manager resync, which notices vanished instances. */
export const DEFAULT_RUNNING_RESYNC_MS = 10 * 60_000;

/** How soon a Machine whose cached copy lags behind our own write is looked at if no event came first, in ms. */
export const CACHE_CATCH_UP_MS = 5_000;

export interface MachineControllerOptions {
  /** Default DEFAULT_MACHINE_CONCURRENCY. */
  readonly concurrency?: number;
  /** Default DEFAULT_PROVISIONED_REQUEUE_MS. */
  readonly provisionedRequeueMs?: number;
  /** Default DEFAULT_RUNNING_RESYNC_MS. */
  readonly runningResyncMs?: number;
  /** Requeue floor passed to the Controller; lower it only in tests. */
  readonly minRequeueAfterMs?: number;
  /** Backoff of transient errors. Default: the runtime's. */
  readonly backoff?: BackoffPolicy;
}

export function machineController(ctx: MachineApiContext, options: MachineControllerOptions = {}): Controller {
  return new Controller({
    name: 'machine-controller',
    kind: 'Machine',
    reconcile: machineReconciler(ctx, options),
    watches: [watch(ctx.caches.machines, enqueueSelf<Machine>())],
    concurrency: options.concurrency ?? DEFAULT_MACHINE_CONCURRENCY,
    minRequeueAfterMs: options.minRequeueAfterMs,
    backoff: options.backoff,
    logger: ctx.logger,
    registry: ctx.metricsRegistry,
  });
}

export function machineReconciler(ctx: MachineApiContext, options: MachineControllerOptions = {}): Reconciler {
  const timings = {
    provisionedRequeueMs: options.provisionedRequeueMs ?? DEFAULT_PROVISIONED_REQUEUE_MS,
    runningResyncMs: options.runningResyncMs ?? DEFAULT_RUNNING_RESYNC_MS,
  };
  const ownWrites = new OwnWrites();
  return async (req, rctx) => {
    const machine = ctx.caches.machines.store.get(req);
    if (!machine) {
      ownWrites.forget(req); // gone: the finalizer did the cleanup
      return {};
    }
    if (ownWrites.isBehind(machine)) {
      // The watch event of our own write is on its way and will re-queue the Machine; the requeue is a safety net.
      rctx.log.debug('Cache is behind our last write, waiting for it');
      return { requeueAfterMs: CACHE_CATCH_UP_MS };
    }
    const scope = newScope(ctx, machine, rctx.signal, rctx.log, ownWrites);

    if (isDeleting(machine)) return reconcileDelete(scope);
    if (!hasFinalizer(machine, MACHINE_FINALIZER)) {
      // Before anything can exist in the cloud, so an instance is never created without a way to clean it up.
      // The update is an event: the next reconcile carries on.
      rctx.log.info('Adding finalizer');
      await addFinalizer(ctx.client, MACHINES, machine, MACHINE_FINALIZER);
      return {};
    }
    if (isFailed(machine)) {
      rctx.log.debug('Machine is Failed, nothing to do until it is deleted');
      return {};
    }
    const errors = machineValidationErrors(machine);
    if (errors.length > 0) {
      const message = `${machine.metadata.name}: machine validation failed: ${formatValidationErrors(errors)}`;
      recordEvent(scope, 'Warning', 'FailedValidate', message, 'Validate');
      throw new TerminalError('InvalidConfiguration', message);
    }
    return reconcileInstance(scope, timings);
  };
}
