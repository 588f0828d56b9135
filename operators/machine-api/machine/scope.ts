// What one Machine reconcile works with, and the writes every phase file shares: the Machine patch, the one status
// write, Events and metrics. Decisions live in phase.ts and status.ts; this file only carries them out.
import { MACHINE_RESOURCE, type Machine } from '../../api/machine-v1beta1.ts';
import type { EventType } from '../../runtime/events.ts';
import type { Logger } from '../../runtime/log.ts';
import type { ResourceWriter } from '../../runtime/resource-client.ts';
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

/**
 * The resourceVersion of this controller's last write to each Machine, by uid. A reconcile writes twice (the
 * Machine, then its status) and the queue runs the key again as soon as the first write's event arrives, possibly
 * before the second's: a reconcile on that in-between object would repeat the actuator call (a second create of a
 * Machine just marked Failed). So a Machine whose cached copy is older than our last write is not reconciled until
 * the watch delivers it. Resource versions are compared as integers (etcd revisions), as cluster-api's
 * WaitForCacheToBeUpToDate does; a non-numeric one never counts as behind.
 */
export class OwnWrites {
  /** By "namespace/name": the uid written and its resourceVersion. */
  readonly #byKey = new Map<string, { readonly uid: string; readonly version: bigint }>();

  record(written: unknown): void {
    const metadata = (written as Machine | undefined)?.metadata;
    const version = parseVersion(metadata?.resourceVersion);
    if (metadata?.uid && version !== undefined) this.#byKey.set(keyOf(metadata), { uid: metadata.uid, version });
  }

  /** True while the cached `machine` does not include our last write to it. */
  isBehind(machine: Machine): boolean {
    const key = keyOf(machine.metadata);
    const written = this.#byKey.get(key);
    if (!written) return false;
    const cached = parseVersion(machine.metadata.resourceVersion);
    if (written.uid === machine.metadata.uid && cached !== undefined && cached < written.version) return true;
    this.#byKey.delete(key);
    return false;
  }

  /** The Machine is gone from the cache: nothing to wait for any more. */
  forget(key: { readonly namespace?: string; readonly name: string }): void {
    this.#byKey.delete(keyOf(key));
  }

  /** A writer that records the resourceVersion of every object it writes. */
  recording(client: ResourceWriter): ResourceWriter {
    return {
      patch: async (...args) => {
        const written = await client.patch(...args);
        this.record(written);
        return written;
      },
      create: (...args) => client.create(...args),
    };
  }
}

function keyOf(ref: { readonly namespace?: string; readonly name?: string }): string {
  return `${ref.namespace ?? ''}/${ref.name ?? ''}`;
}

function parseVersion(resourceVersion: string | undefined): bigint | undefined {
  return resourceVersion && /^\d+$/.test(resourceVersion) ? BigInt(resourceVersion) : undefined;
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
