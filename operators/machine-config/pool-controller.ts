// The pool controller: MCO's render controller and node controller in one reconcile per MachineConfigPool
// (pkg/controller/render, pkg/controller/node; §5.1 steps 3–6, §5.3). Per pass:
//   1. render: the osimageurl ConfigMap → MachineConfig rendered-<pool>-<hash> (created once) → spec.configuration
//      (not while paused: OpenShift's pause also stops rendering);
//   2. adopt nodes without annotations that already run the target (pool-node.ts isAdoptable);
//   3. plan (rollout.ts) and write it: rollbacks, then desiredConfig on the nodes to start (InPlace), or the
//      MachineSets' boot images and replicas (Replace: replace/reconcile.ts);
//   4. write the pool status (pool-status.ts).
// The node agent (PROTOCOL.md) does the rest on each node. Every decision comes from the API state, so a restarted
// operator continues where the last one stopped without exceeding maxUnavailable. What the cache may not show yet
// is covered by expectations: a desiredConfig this process wrote counts until the cache reflects it, and each start
// is a patch conditioned on the resourceVersion read, so a node that changed meanwhile is looked at again first.
import {
  CURRENT_CONFIG_ANNOTATION,
  DESIRED_CONFIG_ANNOTATION,
  MACHINE_CONFIG_POOL_RESOURCE,
  type MachineConfigPool,
  OSIMAGEURL_CONFIG_MAP,
  ROLLBACK_REASON_ANNOTATION,
  ROLLED_BACK_FROM_ANNOTATION,
  STATE_ANNOTATION,
} from '../api/machineconfiguration-v1.ts';
import { Controller, watch, type Reconciler } from '../runtime/controller.ts';
import { isAlreadyExists } from '../runtime/errors.ts';
import type { EventInput } from '../runtime/events.ts';
import { enqueueMapped, enqueueOwner, enqueueSelf, type Request } from '../runtime/handlers.ts';
import { writeStatus } from '../runtime/status.ts';
import type { KubeObject } from '../runtime/watcher.ts';
import { MACHINE_CONFIGS, NODES, POOLS, type MachineConfigContext } from './context.ts';
import { computePoolMembership } from './pool-membership.ts';
import { isAdoptable, toPoolNode, type NodeObject, type PoolNode } from './pool-node.ts';
import { computePoolStatus } from './pool-status.ts';
import { reconcileReplace, type ReplaceOutcome } from './replace/reconcile.ts';
import { planRollout, rolloutPolicyOf, type RolloutPlan } from './rollout.ts';
import { expectedNodeInfo, parseOsTarget, renderMachineConfig } from './target.ts';

export const POOL_CONTROLLER_NAME = 'machineconfigpool-controller';
/** How long a desiredConfig this process wrote is assumed even if the cache never shows it, in ms. */
export const DESIRED_EXPECTATION_TIMEOUT_MS = 60_000;

export interface PoolControllerOptions {
  /** Floor of requeues, in ms; lower only in tests (runtime MIN_REQUEUE_AFTER_MS). */
  readonly minRequeueAfterMs?: number;
}

/**
 * desiredConfig values written but not yet seen in the cache (kube-controller-manager's ControllerExpectations,
 * reduced to one value per node). Without them a second pass on a lagging cache would see the started nodes as
 * still available and start more.
 */
class DesiredExpectations {
  readonly #pending = new Map<string, { readonly desired: string; readonly atMs: number }>();

  expect(node: string, desired: string, nowMs: number): void {
    this.#pending.set(node, { desired, atMs: nowMs });
  }

  /** The node as the API will show it once the writes land. */
  apply(node: PoolNode, nowMs: number): PoolNode {
    const pending = this.#pending.get(node.name);
    if (!pending) return node;
    if (node.desiredConfig === pending.desired || nowMs - pending.atMs > DESIRED_EXPECTATION_TIMEOUT_MS) {
      this.#pending.delete(node.name);
      return node;
    }
    return { ...node, desiredConfig: pending.desired };
  }
}

function withKind<T extends KubeObject>(obj: T, apiVersion: string, kind: string): T {
  return { ...obj, apiVersion, kind };
}

export function poolController(ctx: MachineConfigContext, options: PoolControllerOptions = {}): Controller {
  const { caches } = ctx;
  const expectations = new DesiredExpectations();
  const poolsOfNode = (node: NodeObject): Request[] =>
    [...computePoolMembership(caches.pools.store.list(), [node]).nodesByPool].filter(([, nodes]) => nodes.length > 0).map(([name]) => ({ name }));
  const allPools = (): Request[] => caches.pools.store.list().map((p) => ({ name: p.metadata?.name ?? '' }));
  const replacePools = (): Request[] => caches.pools.store.list((p) => isReplace(p)).map((p) => ({ name: p.metadata?.name ?? '' }));

  return new Controller({
    name: POOL_CONTROLLER_NAME,
    kind: 'MachineConfigPool',
    reconcile: reconcilePool(ctx, expectations),
    // One pool at a time: pools have disjoint nodes, but a node changing pools must not be started by two.
    concurrency: 1,
    minRequeueAfterMs: options.minRequeueAfterMs,
    logger: ctx.logger,
    watches: [
      watch(caches.pools, enqueueSelf()),
      watch(caches.nodes, enqueueMapped(poolsOfNode)),
      watch(caches.machineConfigs, enqueueOwner({ kind: MACHINE_CONFIG_POOL_RESOURCE.kind, group: MACHINE_CONFIG_POOL_RESOURCE.group })),
      watch(caches.configMaps, () => allPools()),
      watch(caches.machineSets, () => replacePools()),
      watch(caches.machines, () => replacePools()),
    ],
  });
}

function reconcilePool(ctx: MachineConfigContext, expectations: DesiredExpectations): Reconciler {
  const { caches, client } = ctx;
  return async (req, { log }) => {
    const cached = caches.pools.store.get(req.name);
    if (!cached) return {};
    let pool = withKind(cached, MACHINE_CONFIG_POOL_RESOURCE.apiVersion, MACHINE_CONFIG_POOL_RESOURCE.kind);
    const now = ctx.now();
    const event = (input: EventInput, obj: KubeObject = pool) => ctx.recorder.record(obj, input);

    // 1. Render.
    const parsed = parseOsTarget(caches.configMaps.store.get(`${ctx.namespace}/${OSIMAGEURL_CONFIG_MAP}`), ctx.namespace);
    let renderError = parsed.ok ? undefined : parsed.message;
    let target = pool.spec?.configuration?.name || undefined;
    let targetConfig = target ? caches.machineConfigs.store.get(target) : undefined;
    if (parsed.ok) {
      const rendered = renderMachineConfig(pool, parsed.target, ctx.version);
      const name = rendered.metadata!.name!;
      if (!caches.machineConfigs.store.get(name)) {
        log.info('Creating rendered MachineConfig', { MachineConfig: name, releaseVersion: parsed.target.releaseVersion });
        try {
          await client.create(MACHINE_CONFIGS, undefined, rendered);
        } catch (err) {
          if (!isAlreadyExists(err)) throw err;
        }
      }
      if (!pool.spec?.paused && target !== name) {
        log.info('Setting the pool configuration', { from: target, to: name });
        // The answer is the pool the status is written against (new resourceVersion and generation).
        pool = (await client.patch(POOLS, undefined, req.name, 'application/merge-patch+json', { spec: { configuration: { name, source: [] } } })) as typeof pool;
        event({ type: 'Normal', reason: 'SetDesiredConfig', note: `Pool ${req.name} targets MachineConfig ${name} (release ${parsed.target.releaseVersion})`, action: 'Render' });
        target = name;
        targetConfig = rendered;
      }
    }
    // 2. Adopt.
    const membership = computePoolMembership(caches.pools.store.list(), caches.nodes.store.list());
    for (const conflict of membership.conflicts) {
      if (conflict.pools.includes(req.name)) log.warn('Node matches several custom pools and is in none', { Node: conflict.node, pools: conflict.pools });
    }
    const nodeObjects = membership.nodesByPool.get(req.name) ?? [];
    const expected = expectedNodeInfo(targetConfig);
    const adopted = new Set<string>();
    for (const node of nodeObjects) {
      if (target === undefined || !isAdoptable(node, expected)) continue;
      const name = node.metadata?.name ?? '';
      log.info('Adopting node that already runs the target', { Node: name, MachineConfig: target });
      await annotateNode(ctx, node, { [DESIRED_CONFIG_ANNOTATION]: target, [CURRENT_CONFIG_ANNOTATION]: target, [STATE_ANNOTATION]: 'Done' });
      adopted.add(name);
    }

    // 3. Plan and act.
    const nowMs = now.getTime();
    let nodes = nodeObjects.map((n) => {
      const view = expectations.apply(toPoolNode(n), nowMs);
      return adopted.has(view.name) ? { ...view, desiredConfig: target, currentConfig: target, state: 'Done' } : view;
    });
    const policy = rolloutPolicyOf(pool);
    const plan = planRollout({ policy, target, nodes, now });
    const byName = new Map(nodeObjects.map((n) => [n.metadata?.name ?? '', n]));
    for (const rollback of plan.rollback) {
      const node = byName.get(rollback.node)!;
      log.info('Rolling node back', { Node: rollback.node, from: rollback.from, to: rollback.to, reason: rollback.reason });
      await annotateNode(ctx, node, {
        [DESIRED_CONFIG_ANNOTATION]: rollback.to,
        [ROLLED_BACK_FROM_ANNOTATION]: rollback.from,
        [ROLLBACK_REASON_ANNOTATION]: rollback.reason,
      });
      expectations.expect(rollback.node, rollback.to, nowMs);
      const note = `Node ${rollback.node} failed to update to ${rollback.from} and is rolled back to ${rollback.to}: ${rollback.reason}`;
      event({ type: 'Warning', reason: 'RolledBack', note, action: 'Rollback' });
      event({ type: 'Warning', reason: 'RolledBack', note, action: 'Rollback' }, withKind(node, 'v1', 'Node'));
    }
    // Replace: Nodes get the target by being replaced, never through desiredConfig.
    const starts = isReplace(pool) ? [] : plan.start;
    let startFailure: unknown;
    for (const name of starts) {
      const node = byName.get(name)!;
      log.info('Starting node update', { Node: name, MachineConfig: target });
      try {
        await annotateNode(ctx, node, { [DESIRED_CONFIG_ANNOTATION]: target! }, { lock: true });
      } catch (err) {
        // A conflict means the node changed since the cache showed it: look again before spending a slot on it.
        startFailure = err;
        break;
      }
      expectations.expect(name, target!, nowMs);
      event({ type: 'Normal', reason: 'SetDesiredConfig', note: `Targeted node ${name} to MachineConfig ${target}`, action: 'Update' });
    }
    nodes = nodes.map((n) => expectations.apply(n, nowMs));
    let replace: ReplaceOutcome | undefined;
    if (isReplace(pool) && target !== undefined && targetConfig !== undefined) {
      const poolOf = new Map([...membership.nodesByPool].flatMap(([p, members]) => members.map((n) => [n.metadata?.name ?? '', p] as const)));
      replace = await reconcileReplace(ctx, {
        pool, target, targetConfig, osTarget: parsed.ok ? parsed.target : undefined, nodes: nodeObjects, poolNodes: nodes,
        poolOfNode: (name) => poolOf.get(name), policy, now, log,
      });
    }

    // 4. Status.
    // The status tells why nodes wait once this pass's writes are counted.
    let statusPlan = starts.length > 0 || plan.rollback.length > 0 ? planRollout({ policy, target, nodes, now }) : plan;
    if (replace) statusPlan = replacePlan(statusPlan, replace);
    const errors = [renderError, replace?.renderError].filter((e) => e !== undefined);
    await writeStatus(client, POOLS, pool, computePoolStatus({
      pool, target, nodes, plan: statusPlan, renderError: errors.length > 0 ? errors.join('; ') : undefined, now,
      ...(replace ? { replacing: replace.replacing, replaceProblems: replace.problems } : {}),
    }));
    if (startFailure !== undefined) throw startFailure;
    if (replace?.error !== undefined) throw replace.error;
    const recheck = [plan.recheckAfterMs, replace?.recheckAfterMs].filter((t) => t !== undefined);
    return recheck.length > 0 ? { requeueAfterMs: Math.min(...recheck) } : {};
  };
}

function isReplace(pool: MachineConfigPool): boolean {
  return pool.spec?.osUpdate?.strategy === 'Replace';
}

/**
 * A Replace pool's plan for its status: rollbacks and stuck nodes as planned, no in-place starts, and the wait the
 * replacement reports (the in-place budget's MaxUnavailable does not apply to it).
 */
function replacePlan(plan: RolloutPlan, replace: ReplaceOutcome): RolloutPlan {
  const { maxUnavailable, unavailable, rollback, stuck } = plan;
  return { maxUnavailable, unavailable, start: [], rollback, stuck, ...(replace.wait ? { wait: replace.wait } : {}) };
}

async function annotateNode(
  ctx: MachineConfigContext,
  node: NodeObject,
  annotations: Record<string, string>,
  options: { readonly lock?: boolean } = {},
): Promise<void> {
  const metadata: Record<string, unknown> = { annotations };
  if (options.lock && node.metadata?.resourceVersion) metadata.resourceVersion = node.metadata.resourceVersion;
  await ctx.client.patch(NODES, undefined, node.metadata?.name ?? '', 'application/merge-patch+json', { metadata });
}

