// What one Machine reconcile works with, and the writes every phase file shares: the Machine patch, the one status
// write, Events and metrics. Decisions live in phase.ts and status.ts; this file only carries them out.
import { MACHINE_RESOURCE, type Machine } from '../../api/machine-v1beta1.ts';
import type { EventType } from '../../runtime/events.ts';
import type { Logger } from '../../runtime/log.ts';
import type { OwnWrites } from '../../runtime/own-writes.ts';
import { writeStatus } from '../../runtime/status.ts';
import { MACHINES, type MachineApiContext } from '../context.ts';
import { machineApiMetrics, type MachineApiMetrics } from '../metrics.ts';
import { toMillis } from '../timing.ts';
import type { MachineStep } from './phase.ts';

export interface MachineScope {
  readonly ctx: MachineApiContext;
  /** The Machine as read from the cache at the start of the reconcile (frozen: never modify it). */
  readonly machine: Machine;
  readonly signal: AbortSignal;
  readonly log: Logger;
  readonly metrics: MachineApiMetrics;
  readonly ownWrites: OwnWrites;
}

export function newScope(ctx: MachineApiContext, machine: Machine, signal: AbortSignal, log: Logger, ownWrites: OwnWrites): MachineScope {
  return { ctx, machine, signal, log, metrics: machineApiMetrics(ctx.metricsRegistry), ownWrites };
}

/** Objects listed from the cache may lack apiVersion and kind, which an Event's involvedObject needs. */
export function eventTarget(machine: Machine): Machine {
  return { ...machine, apiVersion: MACHINE_RESOURCE.apiVersion, kind: 'Machine' };
}

export function recordEvent(scope: MachineScope, type: EventType, reason: string, note: string, action: string): void {
  scope.ctx.recorder.record(eventTarget(scope.machine), { type, reason, note, action });
}

/** The metric labels of a failed actuator call. */
export function failureLabels(machine: Machine, reason: string): { name: string; namespace: string; reason: string } {
  return { name: machine.metadata.name ?? '', namespace: machine.metadata.namespace ?? '', reason };
}

/**
 * Writes what a step decided: first the Machine patch (spec.providerID, instance labels and annotation), then the
 * status, once. The patch carries the resourceVersion we read, so providerID is written exactly once even if two
 * writers race (the loser gets 409 and re-reads); the status write then locks on the patched resourceVersion, which
 * proves nobody else wrote the status we computed from in between.
 */
export async function applyStep(scope: MachineScope, step: MachineStep): Promise<void> {
  const { ctx, machine, log } = scope;
  let before = machine;
  if (step.patch) {
    const body = { ...step.patch, metadata: { ...step.patch.metadata, resourceVersion: machine.metadata.resourceVersion } };
    if (step.patch.spec?.providerID) log.info('Setting providerID', { providerID: step.patch.spec.providerID });
    const patched = (await ctx.client.patch(MACHINES, machine.metadata.namespace, machine.metadata.name ?? '', 'application/merge-patch+json', body)) as Machine;
    scope.ownWrites.record(patched);
    before = { ...machine, metadata: { ...machine.metadata, resourceVersion: patched.metadata?.resourceVersion } };
  }
  for (const warning of step.warnings) log.warn(warning);
  if (!step.statusChanged) return;
  const written = await writeStatus(scope.ownWrites.recording(ctx.client), MACHINES, before, step.status);
  const from = machine.status?.phase;
  const to = step.status.phase;
  if (written === 'patched' && to && to !== from) {
    log.info('Machine phase changed', { from: from ?? '', to });
    observePhaseTransition(scope.metrics, machine, to, ctx.now());
  }
}

/**
 * mapi_machine_phase_transition_seconds: seconds since creation, for every phase entered except Deleting (MAO).
 * Called by whoever writes the phase: this controller, and nodelink for Provisioned → Running.
 */
export function observePhaseTransition(metrics: MachineApiMetrics, machine: Machine, phase: string, now: Date): void {
  if (phase === 'Deleting') return;
  const created = toMillis(machine.metadata.creationTimestamp);
  if (created === undefined) return;
  metrics.machinePhaseTransitionSeconds.observe({ phase }, Math.max(0, (now.getTime() - created) / 1000));
}
