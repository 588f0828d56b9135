// The MachineSet controller (MAO pkg/controller/machineset/controller.go; shared/reference/machine-api.md §1.7):
// keeps spec.replicas Machines stamped from spec.template, adopts orphans its selector matches, and writes status
// once per reconcile. The decisions are pure and live beside it: validate.ts (what makes a set unusable),
// status.ts (counts and the scale plan), delete-policy.ts (scale-down victims). This file does the I/O.
//
// Deliberate differences from MAO:
// - Creates and deletes run concurrently, bounded by one limiter shared by every MachineSet (MAO creates one by
//   one and deletes with unbounded goroutines, "TODO: Add cap"); creates go in slow-start batches (1, 2, 4, …)
//   like kube-controller-manager's ReplicaSet, so a quota or validation failure costs one API call, not 100.
// - No polling of the cache after a write (MAO polls every 100 ms for 10 s): "expectations" remember which
//   Machines were created or deleted and not yet seen by the cache, and scaling waits until they are
//   (kube-controller-manager pkg/controller/controller_utils.go ControllerExpectations).
// - An invalid MachineSet gets status.errorReason/errorMessage instead of only an event and endless backoff.
// The cluster-autoscaler's min/max-size annotations live in MachineSet metadata, which this controller never
// writes (it patches only /status and Machines), so they are kept as the autoscaler set them; the
// delete-machine annotation it puts on a Machine steers scale-down through delete-policy.ts.
import PQueue from 'p-queue';
import {
  MACHINE_API_GROUP,
  MACHINE_SET_RESOURCE,
  type Machine,
  type MachineSet,
} from '../../api/machine-v1beta1.ts';
import type { StoreEvent } from '../../runtime/cache.ts';
import { Controller, watch, type Reconciler, type Result } from '../../runtime/controller.ts';
import { errorMessage, isNotFound, TerminalError } from '../../runtime/errors.ts';
import { enqueueOwner, enqueueSelf, requestKey, type EventHandler, type Request } from '../../runtime/handlers.ts';
import { kindRef, objectKey, type Logger } from '../../runtime/log.ts';
import type { JsonPatchOp } from '../../runtime/resource-client.ts';
import { writeStatus } from '../../runtime/status.ts';
import type { OwnerReference } from '../../runtime/watcher.ts';
import { INDEX, MACHINE_SETS, MACHINES, NO_CONTROLLER, type MachineApiContext, type Node } from '../context.ts';
import { isEmptySelector, labelSelectorErrors, labelSelectorMatches } from '../label-selector.ts';
import { minDefined } from '../timing.ts';
import { computeMachineSetStatus, scalePlan } from './status.ts';
import { machineFromTemplate, validateMachineSet } from './validate.ts';

/**
 * Machine creates and deletes in flight at once, across all MachineSets. MAO's FAQ advises operating on "not
 * more than about 20 Machines at once" because of cloud API quotas (shared/reference/machine-api.md §1.7).
 */
export const DEFAULT_MAX_MACHINE_WRITES_IN_FLIGHT = 20;
/**
 * How long an unmet expectation holds scaling back, in ms: kube-controller-manager's ExpectationsTimeout (5 min).
 * Only reached when the cache never reports a write (a Machine created and deleted again before it was seen).
 */
export const EXPECTATIONS_TIMEOUT_MS = 5 * 60_000;
/**
 * How long Machine and Node events wait before they re-queue their MachineSet, in ms, so that the events of a
 * scale-up are reconciled a few at a time: each reconcile recounts the set and writes its status, and doing that
 * for each of a thousand Machine events was most of this controller's CPU, and about half of its status writes
 * answered 409 (bench machine-api). A spec change of the MachineSet itself is reconciled at once.
 */
export const DEFAULT_MEMBER_EVENT_BATCH_MS = 250;

export interface MachineSetControllerOptions {
  /** MachineSets reconciled at once. Default 1 (MAO). */
  readonly concurrency?: number;
  /** Machine creates and deletes in flight at once, shared by all MachineSets. Default DEFAULT_MAX_MACHINE_WRITES_IN_FLIGHT. */
  readonly maxInFlight?: number;
  /** In ms. Default EXPECTATIONS_TIMEOUT_MS. */
  readonly expectationsTimeoutMs?: number;
  /** Floor of requeues, in ms; lower only in tests (runtime MIN_REQUEUE_AFTER_MS). */
  readonly minRequeueAfterMs?: number;
  /** In ms. Default DEFAULT_MEMBER_EVENT_BATCH_MS. */
  readonly memberEventBatchMs?: number;
}

// ---- expectations -----------------------------------------------------------------------------------------------

interface OwnerExpectations {
  /** "ns/name" of Machines created and not yet seen in the cache. */
  readonly creations: Set<string>;
  /** uid → "ns/name" of Machines deleted and not yet seen deleting (or gone) in the cache. */
  readonly deletions: Map<string, string>;
  /** When the oldest of them was recorded, in ms since the epoch. */
  readonly sinceMs: number;
}

/** A read of the Machines cache: what `pending` checks the expectations against. */
export interface MachineLookup {
  get(key: string): Machine | undefined;
}

/**
 * The writes a MachineSet made that its cache has not shown yet. Scaling from a cache that lags behind its own
 * writes would create the same Machines twice (or delete twice as many): a reconcile that runs before the watch
 * delivers them sees too few (too many) Machines. Names are recorded from the API server's answers, so
 * generateName is no problem.
 */
export class MachineSetExpectations {
  readonly #timeoutMs: number;
  readonly #byOwner = new Map<string, OwnerExpectations>();
  /** Machine key → owner key, for creations: lets an event about the Machine settle the right owner. */
  readonly #creationOwner = new Map<string, string>();

  constructor(timeoutMs: number = EXPECTATIONS_TIMEOUT_MS) {
    this.#timeoutMs = timeoutMs;
  }

  /** The owner created the Machine `machineKey`; unless the cache already has it, wait for it. */
  expectCreation(owner: string, machineKey: string, machines: MachineLookup, nowMs: number): void {
    // The watch event can beat the create's response; then there is nothing left to wait for.
    if (machines.get(machineKey)) return;
    this.#entry(owner, nowMs).creations.add(machineKey);
    this.#creationOwner.set(machineKey, owner);
  }

  /** The owner deleted the Machine; unless the cache already shows it deleting or gone, wait for that. */
  expectDeletion(owner: string, machine: Machine, machines: MachineLookup, nowMs: number): void {
    const key = objectKey(machine);
    const uid = machine.metadata.uid ?? '';
    if (deletionSeen(machines.get(key), uid)) return;
    this.#entry(owner, nowMs).deletions.set(uid, key);
  }

  /**
   * The cache reported the Machine (any event). Needed beside the lazy check in `pending` for a Machine created
   * and deleted again before the owner looked: the cache no longer has it, yet it was seen.
   */
  observe(machineKey: string): void {
    const owner = this.#creationOwner.get(machineKey);
    if (owner === undefined) return;
    this.#creationOwner.delete(machineKey);
    this.#byOwner.get(owner)?.creations.delete(machineKey);
  }

  /**
   * What the owner still waits for, or undefined when the cache has caught up (or the wait timed out: then
   * scaling goes ahead from what the cache shows, as kube-controller-manager does).
   */
  pending(owner: string, machines: MachineLookup, nowMs: number): { readonly creations: number; readonly deletions: number; readonly expiresInMs: number } | undefined {
    const entry = this.#byOwner.get(owner);
    if (!entry) return undefined;
    for (const key of entry.creations) if (machines.get(key)) this.observe(key);
    for (const [uid, key] of entry.deletions) if (deletionSeen(machines.get(key), uid)) entry.deletions.delete(uid);
    const expiresInMs = entry.sinceMs + this.#timeoutMs - nowMs;
    if ((entry.creations.size === 0 && entry.deletions.size === 0) || expiresInMs <= 0) {
      this.forget(owner);
      return undefined;
    }
    return { creations: entry.creations.size, deletions: entry.deletions.size, expiresInMs };
  }

  /** Drops everything recorded for the owner (it is gone). */
  forget(owner: string): void {
    const entry = this.#byOwner.get(owner);
    if (!entry) return;
    for (const key of entry.creations) this.#creationOwner.delete(key);
    this.#byOwner.delete(owner);
  }

  #entry(owner: string, nowMs: number): OwnerExpectations {
    let entry = this.#byOwner.get(owner);
    if (!entry) this.#byOwner.set(owner, (entry = { creations: new Set(), deletions: new Map(), sinceMs: nowMs }));
    return entry;
  }
}

/** The cache shows the deletion: the Machine is gone, replaced (another uid), or has a deletionTimestamp. */
function deletionSeen(cached: Machine | undefined, uid: string): boolean {
  return !cached || cached.metadata.uid !== uid || !!cached.metadata.deletionTimestamp;
}

// ---- ownership --------------------------------------------------------------------------------------------------

function controllerRef(obj: { readonly metadata?: { readonly ownerReferences?: readonly OwnerReference[] } }): OwnerReference | undefined {
  return obj.metadata?.ownerReferences?.find((r) => r.controller === true);
}

/** metav1.NewControllerRef of the MachineSet, as machineFromTemplate writes it. */
function ownerReferenceTo(ms: MachineSet): OwnerReference {
  return {
    apiVersion: MACHINE_SET_RESOURCE.apiVersion,
    kind: MACHINE_SET_RESOURCE.kind,
    name: ms.metadata.name ?? '',
    uid: ms.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

/**
 * The patch that makes the MachineSet the controller of an orphan, guarded by a `test` of the list as read: if
 * someone else claimed the Machine meanwhile, the API server rejects it (422) instead of giving it two
 * controllers (the same guard runtime/finalizers.ts uses).
 */
export function adoptionPatch(machine: Machine, ms: MachineSet): JsonPatchOp[] {
  const current = machine.metadata.ownerReferences;
  if (!current || current.length === 0) {
    return [
      { op: 'test', path: '/metadata/ownerReferences', value: current === undefined ? null : [] },
      { op: 'add', path: '/metadata/ownerReferences', value: [ownerReferenceTo(ms)] },
    ];
  }
  return [
    { op: 'test', path: '/metadata/ownerReferences', value: current },
    { op: 'add', path: '/metadata/ownerReferences/-', value: ownerReferenceTo(ms) },
  ];
}

/** A selector a MachineSet may match Machines with: valid and not empty (an empty one would take every Machine). */
function usableSelector(ms: MachineSet): boolean {
  return !isEmptySelector(ms.spec?.selector) && labelSelectorErrors(ms.spec?.selector, 'spec.selector').length === 0;
}

/** An orphan the MachineSet would adopt: no controller, not being deleted, labels matching its selector. */
function isAdoptable(machine: Machine, ms: MachineSet): boolean {
  return (
    !controllerRef(machine) &&
    !machine.metadata.deletionTimestamp &&
    usableSelector(ms) &&
    labelSelectorMatches(ms.spec?.selector, machine.metadata.labels)
  );
}

// ---- machine events ---------------------------------------------------------------------------------------------

/**
 * The parts of a Machine a MachineSet reconcile reads outside a scale-down: ownership and adoption (ownerReferences,
 * labels, deletionTimestamp) and the ready count (status.nodeRef). The delete policy reads more (phase, annotations),
 * but only when spec.replicas goes down, and that change is a MachineSet event.
 */
function machineSetInputs(machine: Machine): string {
  const { labels, ownerReferences, deletionTimestamp } = machine.metadata;
  return JSON.stringify([labels ?? {}, ownerReferences ?? [], deletionTimestamp ?? '', machine.status?.nodeRef?.name ?? '']);
}

/**
 * Whether a Machine event can change what its MachineSet does or reports: adds, deletes, and updates of
 * machineSetInputs. A scale-up writes each Machine about seven times (finalizer, providerID, phases, nodeRef);
 * reconciling the whole set, O(its Machines), on each of those made the scale-up O(n²) (bench/suites/machine-api.ts).
 */
export function machineSetInputsChanged(event: StoreEvent<Machine>): boolean {
  return event.type !== 'update' || machineSetInputs(event.object) !== machineSetInputs(event.oldObject);
}

// ---- node events ------------------------------------------------------------------------------------------------

/** The parts of a Node's conditions a health decision reads: heartbeats (lastHeartbeatTime) are left out. */
function conditionSignature(node: Node): string {
  return JSON.stringify(
    (node.status?.conditions ?? []).map((c) => [c.type, c.status, String(c.lastTransitionTime ?? '')]).sort(),
  );
}

/**
 * Whether a Node event can change a health or readiness decision: adds, deletes, and updates where a
 * condition's type, status or lastTransitionTime moved. Kubelets post their status every few seconds with only
 * lastHeartbeatTime changed; reacting to those would reconcile every MachineSet and MachineHealthCheck for
 * nothing. Shared by the MachineHealthCheck controller.
 */
export function nodeConditionsChanged(event: StoreEvent<Node>): boolean {
  return event.type !== 'update' || conditionSignature(event.object) !== conditionSignature(event.oldObject);
}

/** The Machines linked to a Node (status.nodeRef.name), through the machines cache's nodeName index. */
export function machinesOfNode(ctx: MachineApiContext, node: Node): Machine[] {
  const name = node.metadata?.name;
  return name ? ctx.caches.machines.store.byIndex(INDEX.nodeName, name) : [];
}

// ---- controller -------------------------------------------------------------------------------------------------

const MACHINE_SET_OWNER = { kind: MACHINE_SET_RESOURCE.kind, group: MACHINE_API_GROUP } as const;

export function machineSetController(ctx: MachineApiContext, options: MachineSetControllerOptions = {}): Controller {
  const expectations = new MachineSetExpectations(options.expectationsTimeoutMs);
  const limiter = new PQueue({ concurrency: options.maxInFlight ?? DEFAULT_MAX_MACHINE_WRITES_IN_FLIGHT });
  const { machines, machineSets, nodes } = ctx.caches;
  const memberBatchMs = options.memberEventBatchMs ?? DEFAULT_MEMBER_EVENT_BATCH_MS;

  const toOwner = enqueueOwner<Machine>(MACHINE_SET_OWNER);
  // Orphans go to every MachineSet that would adopt them (MAO maps unowned Machines by selector).
  const adopters = (machine: Machine): Request[] =>
    machineSets.store
      .list((ms) => ms.metadata.namespace === machine.metadata.namespace && isAdoptable(machine, ms))
      .map((ms) => ({ namespace: ms.metadata.namespace, name: ms.metadata.name ?? '' }));
  // Duplicate requests are harmless: the work queue runs a waiting key once.
  const onMachine: EventHandler<Machine> = (event) => {
    expectations.observe(objectKey(event.object));
    return machineSetInputsChanged(event) ? [...toOwner(event), ...adopters(event.object)] : [];
  };
  const onNode: EventHandler<Node> = (event) =>
    nodeConditionsChanged(event) ? machinesOfNode(ctx, event.object).flatMap((object) => toOwner({ type: 'add', object })) : [];

  return new Controller({
    name: 'machineset-controller',
    kind: MACHINE_SET_RESOURCE.kind,
    reconcile: machineSetReconciler(ctx, expectations, limiter),
    watches: [
      watch(machineSets, enqueueSelf<MachineSet>()),
      watch(machines, onMachine, { batchMs: memberBatchMs }),
      watch(nodes, onNode, { batchMs: memberBatchMs }),
    ],
    concurrency: options.concurrency,
    minRequeueAfterMs: options.minRequeueAfterMs,
    logger: ctx.logger,
    registry: ctx.metricsRegistry,
  });
}

/** The reconcile of one MachineSet; `limiter` bounds the Machine writes in flight across all of them. */
export function machineSetReconciler(ctx: MachineApiContext, expectations: MachineSetExpectations, limiter: PQueue): Reconciler {
  const { machines, machineSets, nodes } = ctx.caches;
  const nodeOf = (m: Machine): Node | undefined => {
    const name = m.status?.nodeRef?.name;
    return name ? nodes.store.get(name) : undefined;
  };

  return async (req, { signal, log }) => {
    const key = requestKey(req);
    const ms = machineSets.store.get(req);
    if (!ms) {
      expectations.forget(key);
      return {};
    }
    // Ownership GC deletes the Machines through their ownerReferences (blockOwnerDeletion).
    if (ms.metadata.deletionTimestamp) return {};

    const invalid = validateMachineSet(ms);
    const owned = invalid ? ownedMachines(ms) : await claimMachines(ms, log);
    let scaleError: unknown;
    let waitMs: number | undefined;
    if (!invalid) {
      const pending = expectations.pending(key, machines.store, ctx.now().getTime());
      if (pending) {
        // The events of our own writes will requeue us; the timeout is only the backstop for a lost one.
        log.debug('Waiting for the cache to show earlier writes', { creations: pending.creations, deletions: pending.deletions });
        waitMs = pending.expiresInMs;
      } else {
        try {
          await scale(ms, owned, signal, log);
        } catch (err) {
          scaleError = err;
        }
      }
    }

    const { status, requeueAfterMs } = computeMachineSetStatus(ms, owned, nodeOf, ctx.now());
    await writeStatus(ctx.client, MACHINE_SETS, ms, status);
    if (scaleError !== undefined) throw scaleError;
    if (invalid) {
      ctx.recorder.record(ms, { type: 'Warning', reason: 'ReconcileError', note: invalid.message, action: 'Validate' });
      // Retrying cannot help; the next spec change brings a new event.
      throw new TerminalError(invalid.reason, invalid.message);
    }
    const after = minDefined([requeueAfterMs, waitMs]);
    return after === undefined ? {} : ({ requeueAfterMs: after } satisfies Result);
  };

  function ownedMachines(ms: MachineSet): Machine[] {
    const uid = ms.metadata.uid;
    if (!uid) return [];
    return machines.store.byIndex(INDEX.controllerUid, uid);
  }

  /** The Machines the set controls, after adopting the orphans its selector matches (MAO step 4). */
  async function claimMachines(ms: MachineSet, log: Logger): Promise<Machine[]> {
    const owned = ownedMachines(ms);
    const orphans = machines.store.byIndex(INDEX.controllerUid, NO_CONTROLLER).filter((m) => m.metadata.namespace === ms.metadata.namespace && isAdoptable(m, ms));
    for (const orphan of orphans) {
      log.info('Adopting orphan Machine', kindRef('Machine', { namespace: orphan.metadata.namespace, name: orphan.metadata.name ?? '' }));
      try {
        await ctx.client.patch(MACHINES, orphan.metadata.namespace, orphan.metadata.name ?? '', 'application/json-patch+json', adoptionPatch(orphan, ms));
        owned.push(orphan);
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    return owned;
  }

  async function scale(ms: MachineSet, owned: readonly Machine[], signal: AbortSignal, log: Logger): Promise<void> {
    const plan = scalePlan(ms, owned, ctx.now());
    const key = objectKey(ms);
    const failures: string[] = [];

    if (plan.create > 0) {
      log.info('Scaling up', { replicas: ms.spec?.replicas, creating: plan.create });
      let remaining = plan.create;
      // Slow start: a failing batch (quota, an admission rejection) stops the rest of this reconcile.
      for (let batch = 1; remaining > 0 && failures.length === 0; batch *= 2) {
        const size = Math.min(batch, remaining);
        remaining -= size;
        await Promise.all(
          Array.from({ length: size }, () =>
            limiter.add(() => createMachine(ms, key, log), { signal }).catch((err: unknown) => {
              failures.push(errorMessage(err));
            }),
          ),
        );
      }
    }

    if (plan.delete.length > 0) {
      log.info('Scaling down', { replicas: ms.spec?.replicas, deleting: plan.delete.map((m) => m.metadata.name) });
      await Promise.all(
        plan.delete.map((m) =>
          limiter.add(() => deleteMachine(ms, key, m, log), { signal }).catch((err: unknown) => {
            failures.push(errorMessage(err));
          }),
        ),
      );
    }

    if (failures.length > 0) throw new Error(`${failures.length} Machine write(s) failed: ${failures.join('; ')}`);
  }

  async function createMachine(ms: MachineSet, key: string, log: Logger): Promise<void> {
    const namespace = ms.metadata.namespace;
    log.debug('Creating Machine', { generateName: `${ms.metadata.name}-` });
    try {
      const created = (await ctx.client.create(MACHINES, namespace, machineFromTemplate(ms))) as Machine;
      const name = created.metadata.name ?? '';
      expectations.expectCreation(key, objectKey(created), machines.store, ctx.now().getTime());
      ctx.recorder.record(ms, { type: 'Normal', reason: 'SuccessfulCreate', note: `Created machine "${name}"`, action: 'Create' });
    } catch (err) {
      ctx.recorder.record(ms, { type: 'Warning', reason: 'FailedCreate', note: `Failed to create machine: ${errorMessage(err)}`, action: 'Create' });
      throw err;
    }
  }

  async function deleteMachine(ms: MachineSet, key: string, machine: Machine, log: Logger): Promise<void> {
    const name = machine.metadata.name ?? '';
    log.info('Deleting Machine', kindRef('Machine', { namespace: machine.metadata.namespace, name }));
    try {
      // The uid precondition: never delete a namesake created after the decision was made.
      await ctx.client.delete(MACHINES, machine.metadata.namespace, name, { preconditions: { uid: machine.metadata.uid } });
    } catch (err) {
      if (!isNotFound(err)) {
        ctx.recorder.record(ms, { type: 'Warning', reason: 'FailedDelete', note: `Failed to delete machine "${name}": ${errorMessage(err)}`, action: 'Delete' });
        throw err;
      }
    }
    expectations.expectDeletion(key, machine, machines.store, ctx.now().getTime());
    ctx.recorder.record(ms, { type: 'Normal', reason: 'SuccessfulDelete', note: `Deleted machine "${name}"`, action: 'Delete' });
  }
}
