// Scale-from-zero capacity annotations (shared/reference/machine-api.md §1.8): the cluster-autoscaler cannot look at
// a Node of a MachineSet that has none, so it reads what one Machine would bring from MachineSet annotations:
// machine.openshift.io/vCPU, memoryMb and GPU, and the Node labels in
// capacity.cluster-autoscaler.kubernetes.io/labels. In OpenShift each provider's machine-controller runs such a
// MachineSet controller (machine-api-provider-aws pkg/actuators/machineset/controller.go); here one controller asks
// whichever provider serves the template's providerSpec kind (Actuator.instanceTypeCapacity).
//
// - Writes only when the annotations differ, with a merge patch of those keys alone: the autoscaler's min/max-size
//   annotations and anyone else's stay as they are, and no resourceVersion is needed.
// - An instance type the provider does not know leaves the capacity annotations absent (removing stale ones: they
//   would describe another type) and records one Warning Event; the MachineSet is not looked at again until its
//   template or annotations change, so there is no retry loop against the cloud.
// - An invalid template (TerminalError from the provider's parser) is reported the same way; the MachineSet
//   controller reports it too. Other errors (a credentials Secret not created yet, the cloud unreachable) back off.
import {
  CAPACITY_LABELS_ANNOTATION,
  GPU_ANNOTATION,
  MACHINE_SET_RESOURCE,
  MEMORY_MB_ANNOTATION,
  VCPU_ANNOTATION,
  type MachineSet,
} from '../../api/machine-v1beta1.ts';
import type { StoreEvent } from '../../runtime/cache.ts';
import { Controller, watch, type Reconciler } from '../../runtime/controller.ts';
import { errorMessage, TerminalError } from '../../runtime/errors.ts';
import { enqueueSelf, requestKey, type EventHandler } from '../../runtime/handlers.ts';
import { MACHINE_SETS, type MachineApiContext } from '../context.ts';
import type { InstanceTypeCapacity } from '../providers/actuator.ts';

export const CAPACITY_CONTROLLER_NAME = 'machineset-capacity-controller';
/** The Node label scale-from-zero adds for the architecture (MAO's default; the catalogues list amd64 types). */
export const ARCH_LABEL = 'kubernetes.io/arch';
export const DEFAULT_ARCH = 'amd64';
/** The Warning Event's reason when no capacity can be written. */
export const CAPACITY_UNKNOWN_REASON = 'FailedCapacityLookup';

const CAPACITY_KEYS = [VCPU_ANNOTATION, MEMORY_MB_ANNOTATION, GPU_ANNOTATION] as const;
const WATCHED_ANNOTATIONS = [...CAPACITY_KEYS, CAPACITY_LABELS_ANNOTATION];

export interface CapacityControllerOptions {
  /** MachineSets reconciled at once. Default 1. */
  readonly concurrency?: number;
  /** Floor of requeues, in ms; lower only in tests. */
  readonly minRequeueAfterMs?: number;
}

/** Annotation values to merge-patch (null removes a key); undefined when the MachineSet already carries them. */
export type AnnotationPatch = Record<string, string | null>;

/**
 * The annotation changes that make `current` describe `capacity`: the three capacity keys (removed when the
 * capacity is unknown), and the architecture label added to the labels annotation unless it names one already.
 */
export function computeCapacityAnnotations(current: Readonly<Record<string, string>> | undefined, capacity: InstanceTypeCapacity | undefined): AnnotationPatch | undefined {
  const have = current ?? {};
  const want: AnnotationPatch = capacity
    ? {
        [VCPU_ANNOTATION]: String(capacity.vCPU),
        [MEMORY_MB_ANNOTATION]: String(capacity.memoryMb),
        [GPU_ANNOTATION]: String(capacity.GPU),
        [CAPACITY_LABELS_ANNOTATION]: withArchLabel(have[CAPACITY_LABELS_ANNOTATION]),
      }
    : Object.fromEntries(CAPACITY_KEYS.map((key) => [key, null]));
  const changes = Object.entries(want).filter(([key, value]) => (value === null ? key in have : have[key] !== value));
  return changes.length > 0 ? Object.fromEntries(changes) : undefined;
}

/** `k=v,k=v` with kubernetes.io/arch added when absent; a user's own arch (arm64 types) is kept. */
function withArchLabel(labels: string | undefined): string {
  const pairs = (labels ?? '').split(',').map((p) => p.trim()).filter((p) => p !== '');
  if (pairs.some((p) => p.split('=')[0].trim() === ARCH_LABEL)) return pairs.join(',');
  return [...pairs, `${ARCH_LABEL}=${DEFAULT_ARCH}`].join(',');
}

/** What a capacity decision reads of a MachineSet: the template's providerSpec and the annotations it writes. */
function capacityInputs(ms: MachineSet): string {
  const annotations = ms.metadata.annotations ?? {};
  return JSON.stringify([ms.spec?.template?.spec?.providerSpec?.value ?? null, WATCHED_ANNOTATIONS.map((key) => annotations[key] ?? null)]);
}

/**
 * Whether a MachineSet event can change the annotations: adds, deletes, and updates of capacityInputs. The
 * MachineSet controller writes status on every scale step; those updates are none of this controller's business.
 */
export function capacityInputsChanged(event: StoreEvent<MachineSet>): boolean {
  return event.type !== 'update' || capacityInputs(event.object) !== capacityInputs(event.oldObject);
}

export function machineSetCapacityController(ctx: MachineApiContext, options: CapacityControllerOptions = {}): Controller {
  const self = enqueueSelf<MachineSet>();
  const onMachineSet: EventHandler<MachineSet> = (event) => (capacityInputsChanged(event) ? self(event) : []);
  return new Controller({
    name: CAPACITY_CONTROLLER_NAME,
    kind: MACHINE_SET_RESOURCE.kind,
    reconcile: machineSetCapacityReconciler(ctx),
    watches: [watch(ctx.caches.machineSets, onMachineSet)],
    concurrency: options.concurrency,
    minRequeueAfterMs: options.minRequeueAfterMs,
    logger: ctx.logger,
    registry: ctx.metricsRegistry,
  });
}

export function machineSetCapacityReconciler(ctx: MachineApiContext): Reconciler {
  // MachineSet key → the providerSpec a Warning was recorded for: one Event per template, not one per reconcile.
  const warned = new Map<string, string>();

  return async (req, { signal, log }) => {
    const key = requestKey(req);
    const ms = ctx.caches.machineSets.store.get(req);
    if (!ms || ms.metadata.deletionTimestamp) {
      warned.delete(key);
      return {};
    }
    const providerSpec = JSON.stringify(ms.spec?.template?.spec?.providerSpec?.value ?? null);
    const warnOnce = (note: string) => {
      if (warned.get(key) === providerSpec) return;
      warned.set(key, providerSpec);
      ctx.recorder.record(ms, { type: 'Warning', reason: CAPACITY_UNKNOWN_REASON, note, action: 'Annotate' });
    };

    let capacity: InstanceTypeCapacity | undefined;
    try {
      const actuator = ctx.providers.actuatorForMachineSet(ms);
      if (!actuator.instanceTypeCapacity) return {};
      capacity = await actuator.instanceTypeCapacity(ms, signal);
    } catch (err) {
      if (!(err instanceof TerminalError)) throw err;
      warnOnce(`Cannot read the instance type of the template for scale-from-zero annotations: ${errorMessage(err)}`);
      throw err;
    }
    if (capacity) warned.delete(key);
    else warnOnce('The provider does not know the template\'s instance type: no scale-from-zero capacity annotations (the autoscaler cannot scale this MachineSet up from zero)');

    const patch = computeCapacityAnnotations(ms.metadata.annotations, capacity);
    if (!patch) return {};
    log.info('Updating capacity annotations', { annotations: patch });
    await ctx.client.patch(MACHINE_SETS, ms.metadata.namespace, ms.metadata.name ?? '', 'application/merge-patch+json', { metadata: { annotations: patch } });
    return {};
  };
}
