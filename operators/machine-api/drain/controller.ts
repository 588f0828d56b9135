// The machine-drain-controller (MAO pkg/controller/machine/drain_controller.go; shared/reference/machine-api.md
// §1.5): a Machine being deleted, in phase Deleting, gets its Node cordoned and its pods evicted through the
// eviction API, and then Drained=True, which is what the machine controller waits for before deleting the instance.
// Differences from MAO, and why:
// - No blocking inside a reconcile: each pass asks the pods to leave and returns. Pods leaving the node re-queue the
//   Machine (pod events mapped through spec.nodeName to the Machine whose nodeRef names that node), so nothing polls.
// - An overall timeout (DEFAULT_DRAIN_TIMEOUT_MS, `drainTimeoutMs`, the machine.openshift.io/drain-timeout
//   annotation): MAO has none and a PodDisruptionBudget that is never satisfied blocks a deletion forever.
//   The clock starts when the Node is cordoned (Drained turns False), so waiting for a preDrain hook or for
//   another control-plane node does not count.
// - The control-plane guard is safe with several workers: its check and the cordon run under one lock, and nodes
//   this process cordoned count as cordoned until the cache shows it (MAO stays single-worker because its guard
//   is not, issue MAO #1476).
// - Waiting behind the control-plane guard is reported by a DrainRequeued event, without touching Drained; a change
//   of any control-plane Node re-queues the waiting Machines.
import { EXCLUDE_NODE_DRAINING_ANNOTATION, type Machine, type MachineApiCondition } from '../../api/machine-v1beta1.ts';
import { backoffDelayMs, type BackoffPolicy } from '../../runtime/backoff.ts';
import type { ConditionInput } from '../../runtime/conditions.ts';
import { Controller, watch, type Reconciler, type Result } from '../../runtime/controller.ts';
import { errorMessage, isNotFound } from '../../runtime/errors.ts';
import type { EventInput } from '../../runtime/events.ts';
import { enqueueMapped, enqueueSelf, requestKey, type Request } from '../../runtime/handlers.ts';
import type { Logger } from '../../runtime/log.ts';
import { writeStatus } from '../../runtime/status.ts';
import { INDEX, MACHINES, NODES, PODS, type MachineApiContext, type Node, type Pod } from '../context.ts';
import { eventTarget } from '../machine/scope.ts';
import { computeMachineStatus } from '../machine/status.ts';
import { floorRequeue, minDefined } from '../timing.ts';
import {
  DEFAULT_DRAIN_TIMEOUT_MS,
  DRAIN_BACKOFF,
  DRAIN_REQUEUE_MS,
  DRAIN_TIMEOUT_REASON,
  UNREACHABLE_GRACE_PERIOD_SECONDS,
  drainStartedAt,
  drainTimeoutMs,
  evictionFailure,
  isControlPlaneNode,
  isNodeUnreachable,
  judgeDrain,
  needsDrain,
  planDrain,
  skipWaitAfterMs,
  timeLeftMs,
  type EvictionFailure,
} from './drain.ts';

/** Machines drained at once. Evictions of different nodes are independent; the control-plane guard is locked. */
export const DEFAULT_DRAIN_CONCURRENCY = 10;

export interface DrainControllerOptions {
  /** Default DEFAULT_DRAIN_CONCURRENCY. */
  readonly concurrency?: number;
  /** Overall drain timeout in ms; 0 disables it (MAO). Default DEFAULT_DRAIN_TIMEOUT_MS. Per Machine: DRAIN_TIMEOUT_ANNOTATION. */
  readonly drainTimeoutMs?: number;
  /** Requeue floor passed to the Controller; lower it only in tests. */
  readonly minRequeueAfterMs?: number;
  /** Retry delays after refused evictions. Default DRAIN_BACKOFF. */
  readonly backoff?: BackoffPolicy;
}

export function drainController(ctx: MachineApiContext, options: DrainControllerOptions = {}): Controller {
  const { machines, nodes, pods } = ctx.caches;
  // Pods leaving a node (and pods becoming ready, which frees PodDisruptionBudget room) re-queue its Machine.
  const machinesOnNode = (nodeName: string | undefined): Request[] =>
    nodeName ? machines.store.byIndex(INDEX.nodeName, nodeName).map(requestOf) : [];
  // A control-plane Node that is cordoned, uncordoned or gone may unblock the drain of another one waiting behind
  // the guard, so those Machines hear about it instead of polling.
  const machinesOfNode = (node: Node): Request[] => {
    const name = node.metadata?.name;
    if (!isControlPlaneNode(node)) return machinesOnNode(name);
    const waiting = machines.store.list((m) => {
      const other = m.status?.nodeRef?.name;
      const otherNode = other && other !== name ? nodes.store.get(other) : undefined;
      return needsDrain(m) && otherNode !== undefined && isControlPlaneNode(otherNode);
    });
    return [...machinesOnNode(name), ...waiting.map(requestOf)];
  };
  return new Controller({
    name: 'machine-drain-controller',
    kind: 'Machine',
    reconcile: drainReconciler(ctx, options),
    watches: [
      watch(machines, enqueueSelf<Machine>()),
      watch(pods, enqueueMapped<Pod>((pod) => machinesOnNode(pod.spec?.nodeName))),
      watch(nodes, enqueueMapped<Node>(machinesOfNode)),
    ],
    concurrency: options.concurrency ?? DEFAULT_DRAIN_CONCURRENCY,
    minRequeueAfterMs: options.minRequeueAfterMs,
    logger: ctx.logger,
    registry: ctx.metricsRegistry,
  });
}

function requestOf(machine: Machine): Request {
  return { namespace: machine.metadata.namespace, name: machine.metadata.name ?? '' };
}

/** What a pass decided besides the Drained condition. */
interface Outcome {
  readonly condition?: ConditionInput<MachineApiCondition>;
  readonly events: readonly EventInput[];
  readonly result: Result;
}

export function drainReconciler(ctx: MachineApiContext, options: DrainControllerOptions = {}): Reconciler {
  const guard = controlPlaneGuard(ctx);
  /** Refused drain attempts per Machine since its last success: this controller's own backoff, bounded by the timeout. */
  const attempts = new Map<string, number>();
  const defaultTimeoutMs = options.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS;
  const backoff = options.backoff ?? DRAIN_BACKOFF;

  return async (req, rctx) => {
    const key = requestKey(req);
    const machine = ctx.caches.machines.store.get(req);
    if (!machine || !needsDrain(machine)) {
      attempts.delete(key);
      return {};
    }
    const outcome = await drainPass(machine);
    if (outcome.condition) {
      const { status } = computeMachineStatus(machine, { conditions: [outcome.condition] }, ctx.now());
      await writeStatus(ctx.client, MACHINES, machine, status);
    }
    for (const event of outcome.events) ctx.recorder.record(eventTarget(machine), event);
    if (outcome.condition?.status === 'True') attempts.delete(key);
    return outcome.result;

    async function drainPass(machine: Machine): Promise<Outcome> {
      const log = rctx.log;
      const nodeName = machine.status?.nodeRef?.name;
      if (machine.metadata.annotations?.[EXCLUDE_NODE_DRAINING_ANNOTATION] !== undefined || !nodeName) {
        log.info('Skipping drain', { reason: nodeName ? EXCLUDE_NODE_DRAINING_ANNOTATION : 'no nodeRef' });
        return done({ type: 'Drained', status: 'True', message: 'Node drain skipped' }, [normal('DrainSkipped', 'Node drain skipped')]);
      }
      if (machine.spec?.lifecycleHooks?.preDrain?.length) {
        // Removing the hook is a Machine update, which re-queues it.
        log.info('Not draining: lifecycle blocked by pre-drain hook');
        return { events: [normal('DrainBlocked', 'Drain blocked by pre-drain hook')], result: {} };
      }
      const node = ctx.caches.nodes.store.get(nodeName);
      if (!node) {
        // An admin deleted the Node directly: nothing left to drain (MAO).
        log.info('Node not found, it may have already been deleted', { Node: nodeName });
        return done({ type: 'Drained', status: 'True', message: `Node ${nodeName} not found, nothing to drain` }, [normal('DrainSucceeded', 'Node drain succeeded')]);
      }

      const events: EventInput[] = [];
      if (!node.spec?.unschedulable) {
        const cordon = await guard.cordon(node, log);
        if (cordon.kind === 'blocked') {
          const note = `Drain not permitted for node ${nodeName}: control plane node ${cordon.by} is already cordoned and may be being drained, waiting until it is removed`;
          log.info('Drain not permitted', { Node: nodeName, otherNode: cordon.by });
          return { events: [warning('DrainRequeued', `Node drain requeued: ${note}`)], result: { requeueAfterMs: DRAIN_REQUEUE_MS } };
        }
        if (cordon.kind === 'failed') {
          const message = `could not drain machine: cordon of node ${nodeName} failed: ${cordon.error}`;
          return {
            condition: { type: 'Drained', status: 'False', reason: 'DrainError', severity: 'Warning', message },
            events: [warning('DrainRequeued', `Node drain requeued: ${message}`)],
            result: { requeueAfterMs: DRAIN_REQUEUE_MS },
          };
        }
        events.push(normal('DrainProceeds', 'Node drain proceeds'));
      }

      const now = ctx.now();
      const unreachable = isNodeUnreachable(node);
      const plan = planDrain(ctx.caches.pods.store.byIndex(INDEX.podNodeName, nodeName), unreachable, now);
      if (unreachable && plan.evict.length > 0) log.info('Node is unreachable, evicting with a 1 s grace period; PodDisruptionBudgets are still honoured', { Node: nodeName });
      const failures = (await Promise.all(plan.evict.map((pod) => evict(pod, unreachable, rctx.signal, log)))).filter((f): f is EvictionFailure => f !== undefined);
      const failed = new Set(failures.map((f) => f.pod));
      const remaining = [...plan.terminating, ...plan.evict].map(podKey).filter((p) => !failed.has(p));

      const timeout = drainTimeoutMs(machine, defaultTimeoutMs);
      if (timeout.invalid) events.push(warning('InvalidDrainTimeout', `${timeout.invalid}; using the default`));
      const startedAtMs = drainStartedAt(machine, now);
      const verdict = judgeDrain({ nodeName, failures, remaining, startedAtMs, timeoutMs: timeout.timeoutMs, now });
      const left = timeLeftMs(startedAtMs, timeout.timeoutMs, now);
      switch (verdict.kind) {
        case 'drained':
          log.info('Drain successful', { Node: nodeName });
          return done(verdict.condition, [...events, normal('DrainSucceeded', 'Node drain succeeded'), normal('Deleted', `Node "${nodeName}" drained`)]);
        case 'timedOut':
          log.info('Drain timed out, proceeding with deletion', { Node: nodeName, message: verdict.condition.message });
          return done(verdict.condition, [...events, warning(DRAIN_TIMEOUT_REASON, verdict.condition.message ?? '')]);
        case 'failed': {
          const failuresSoFar = attempts.get(key) ?? 0;
          attempts.set(key, failuresSoFar + 1);
          const retryMs = Math.min(backoffDelayMs(failuresSoFar, backoff, Math.random()), left ?? Infinity);
          log.info('Drain failed, requeuing', { Node: nodeName, retryInMs: Math.round(retryMs), error: verdict.detail });
          return { condition: verdict.condition, events: [...events, warning('DrainRequeued', `Node drain requeued: ${verdict.detail}`)], result: { requeueAfterMs: floorRequeue(retryMs) } };
        }
        case 'waiting': {
          // The pods' deletions re-queue the Machine; look again only for what no event announces.
          const after = minDefined([left, skipWaitAfterMs(plan.terminating, unreachable, now)]);
          return { condition: verdict.condition, events, result: after === undefined ? {} : { requeueAfterMs: floorRequeue(after) } };
        }
      }
    }
  };

  function done(condition: ConditionInput<MachineApiCondition>, events: readonly EventInput[]): Outcome {
    return { condition, events, result: {} };
  }

  /** POSTs the pod's policy/v1 Eviction; undefined when it was accepted or the pod is already gone. */
  async function evict(pod: Pod, unreachable: boolean, signal: AbortSignal, log: Logger): Promise<EvictionFailure | undefined> {
    signal.throwIfAborted();
    const namespace = pod.metadata?.namespace;
    const name = pod.metadata?.name ?? '';
    const body = {
      apiVersion: 'policy/v1',
      kind: 'Eviction',
      metadata: { name, namespace },
      // Only our pod: a pod of the same name created meanwhile is not evicted. Grace -1 in MAO means the pod's own.
      deleteOptions: { preconditions: { uid: pod.metadata?.uid }, ...(unreachable ? { gracePeriodSeconds: UNREACHABLE_GRACE_PERIOD_SECONDS } : {}) },
    };
    try {
      log.debug('Evicting pod', { Pod: podKey(pod) });
      await ctx.client.createSubresource(PODS, namespace, name, 'eviction', body);
      log.info('Evicted pod from Node', { Pod: podKey(pod) });
      return undefined;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      return evictionFailure(podKey(pod), err);
    }
  }
}

function podKey(pod: Pod): string {
  return `${pod.metadata?.namespace}/${pod.metadata?.name}`;
}

function normal(reason: string, note: string): EventInput {
  return { type: 'Normal', reason, note, action: 'Drain' };
}

function warning(reason: string, note: string): EventInput {
  return { type: 'Warning', reason, note, action: 'Drain' };
}

type CordonResult =
  | { readonly kind: 'cordoned' }
  /** Another control-plane node is cordoned. */
  | { readonly kind: 'blocked'; readonly by: string }
  | { readonly kind: 'failed'; readonly error: string };

/**
 * Only one control-plane node cordoned at a time (MAO isDrainAllowed): draining two at once can lose etcd quorum.
 * The check and the cordon run under one lock, and a node cordoned here counts as cordoned until the cache shows
 * it, so concurrent workers cannot both pass the check.
 */
function controlPlaneGuard(ctx: MachineApiContext) {
  let tail: Promise<unknown> = Promise.resolve();
  const cordonedHere = new Set<string>();

  const isCordoned = (name: string): boolean => {
    const node = ctx.caches.nodes.store.get(name);
    if (!node || node.spec?.unschedulable) {
      cordonedHere.delete(name);
      return !!node;
    }
    return cordonedHere.has(name);
  };

  return {
    /** Cordons `node` (merge patch spec.unschedulable=true) unless the control-plane rule forbids it now. */
    cordon(node: Node, log: Logger): Promise<CordonResult> {
      const run = async (): Promise<CordonResult> => {
        const name = node.metadata?.name ?? '';
        if (isControlPlaneNode(node)) {
          const other = ctx.caches.nodes.store
            .list((n) => isControlPlaneNode(n) && n.metadata?.name !== name)
            .find((n) => isCordoned(n.metadata?.name ?? ''));
          if (other) return { kind: 'blocked', by: other.metadata?.name ?? '' };
        }
        try {
          log.info('Cordoning node', { Node: name });
          await ctx.client.patch(NODES, undefined, name, 'application/merge-patch+json', { spec: { unschedulable: true } });
          cordonedHere.add(name);
          return { kind: 'cordoned' };
        } catch (err) {
          log.warn('Cordon failed', { Node: name, error: errorMessage(err) });
          return { kind: 'failed', error: errorMessage(err) };
        }
      };
      const result = tail.then(run, run);
      tail = result.catch(() => undefined);
      return result;
    },
  };
}
