// Publishes the `machine-config` ClusterOperator (operator-status.ts computes it): created when the payload has not
// created it yet (MCO creates its own too), then one status write per change of a pool, the osimageurl ConfigMap,
// a node's kubelet or the ClusterOperator itself. One key, so every change collapses into one pass.
import { CLUSTER_OPERATOR_RESOURCE, type ClusterOperator } from '../api/config-v1.ts';
import { MACHINE_CONFIG_CLUSTER_OPERATOR, OSIMAGEURL_CONFIG_MAP } from '../api/machineconfiguration-v1.ts';
import { Controller, watch, type Reconciler } from '../runtime/controller.ts';
import { isAlreadyExists } from '../runtime/errors.ts';
import type { Request } from '../runtime/handlers.ts';
import { writeStatus } from '../runtime/status.ts';
import { CLUSTER_OPERATORS, type MachineConfigContext } from './context.ts';
import { computeOperatorStatus } from './operator-status.ts';
import { parseOsTarget, renderMachineConfig } from './target.ts';

export const CLUSTER_OPERATOR_CONTROLLER_NAME = 'machine-config-clusteroperator';

const KEY: Request = { name: MACHINE_CONFIG_CLUSTER_OPERATOR };

export function clusterOperatorController(ctx: MachineConfigContext, options: { readonly minRequeueAfterMs?: number } = {}): Controller {
  const { caches } = ctx;
  const always = () => [KEY];
  return new Controller({
    name: CLUSTER_OPERATOR_CONTROLLER_NAME,
    kind: 'ClusterOperator',
    reconcile: reconcileClusterOperator(ctx),
    minRequeueAfterMs: options.minRequeueAfterMs,
    logger: ctx.logger,
    watches: [
      watch(caches.clusterOperators, always),
      watch(caches.pools, always),
      watch(caches.configMaps, always),
      // Only a kubelet version change matters to the skew check; status heartbeats are filtered out here.
      watch(caches.nodes, (event) =>
        event.type === 'update' && event.object.status?.nodeInfo?.kubeletVersion === event.oldObject.status?.nodeInfo?.kubeletVersion ? [] : [KEY]),
    ],
  });
}

function reconcileClusterOperator(ctx: MachineConfigContext): Reconciler {
  const { caches, client } = ctx;
  return async (_req, { log }) => {
    let co = caches.clusterOperators.store.get(MACHINE_CONFIG_CLUSTER_OPERATOR);
    if (!co) {
      log.info('Creating ClusterOperator', { ClusterOperator: MACHINE_CONFIG_CLUSTER_OPERATOR });
      const body = { apiVersion: CLUSTER_OPERATOR_RESOURCE.apiVersion, kind: CLUSTER_OPERATOR_RESOURCE.kind, metadata: { name: MACHINE_CONFIG_CLUSTER_OPERATOR }, spec: {} };
      try {
        co = (await client.create(CLUSTER_OPERATORS, undefined, body)) as ClusterOperator;
      } catch (err) {
        if (!isAlreadyExists(err)) throw err;
        return { requeueAfterMs: 0 }; // the cache shows it shortly; the floor applies
      }
    }
    const target = parseOsTarget(caches.configMaps.store.get(`${ctx.namespace}/${OSIMAGEURL_CONFIG_MAP}`), ctx.namespace);
    const status = computeOperatorStatus({
      pools: caches.pools.store.list(),
      target,
      expectedConfig: (pool) => (target.ok ? renderMachineConfig(pool, target.target, ctx.version).metadata?.name ?? '' : ''),
      nodes: caches.nodes.store.list().map((n) => ({ name: n.metadata?.name ?? '', kubeletVersion: n.status?.nodeInfo?.kubeletVersion })),
      previous: co.status,
      namespace: ctx.namespace,
      now: ctx.now(),
    });
    await writeStatus(client, CLUSTER_OPERATORS, co, status);
    return {};
  };
}
