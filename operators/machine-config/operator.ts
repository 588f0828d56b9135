// The machine-config operator as one process: the caches, the writer, the event recorder, the pool controller and
// the ClusterOperator controller, leader election on one Lease and the /metrics, /healthz and /readyz endpoints.
// OpenShift splits this into the operator, the machine-config-controller and the daemons (§5.1); the daemon's
// part is the node agent of PROTOCOL.md (devcluster/hollow-nodes/os-agent.ts for hollow nodes).
import type { KubeConfig } from '@kubernetes/client-node';
import { Registry } from 'prom-client';
import type { ClusterOperator } from '../api/config-v1.ts';
import type { Machine, MachineSet } from '../api/machine-v1beta1.ts';
import {
  MACHINE_CONFIG_CLUSTER_OPERATOR,
  MACHINE_CONFIG_OPERATOR_NAMESPACE,
  type MachineConfig,
  type MachineConfigPool,
} from '../api/machineconfiguration-v1.ts';
import { Cache, createCache } from '../runtime/cache.ts';
import { createRecorder } from '../runtime/events.ts';
import { discardLogger, type Logger } from '../runtime/log.ts';
import type { Manager } from '../runtime/manager.ts';
import { operatorManager, type OperatorManagerOptions } from '../runtime/operator-manager.ts';
import { kubeResourceClient, resourcePath } from '../runtime/resource-client.ts';
import { kubeListerWatcher } from '../runtime/watcher.ts';
import { clusterOperatorController } from './cluster-operator-controller.ts';
import {
  CLUSTER_OPERATORS,
  CONFIG_MAPS,
  MACHINE_CONFIGS,
  MACHINE_SETS,
  MACHINES,
  NODES,
  OWNER_UID_INDEX,
  POOLS,
  type MachineConfigCaches,
  type MachineConfigContext,
} from './context.ts';
import { poolController } from './pool-controller.ts';
import { optionalResource } from './optional-resource.ts';
import type { NodeObject } from './pool-node.ts';
import type { ConfigMapLike } from './target.ts';

/** The Lease the replicas compete for, in the operator's namespace (MCO's lock name). */
export const LEADER_ELECTION_LEASE_NAME = 'machine-config';
/** The component of the Events the operator writes (MCO's controller Deployment). */
export const EVENT_COMPONENT = 'machine-config-controller';

export type { LeaderElectionSettings } from '../runtime/leader-election.ts';

export interface MachineConfigOperatorOptions extends OperatorManagerOptions {
  /** Where the osimageurl ConfigMap and the Lease live. Default openshift-machine-config-operator. */
  readonly namespace?: string;
  /** Stamped on rendered configs. Default "unknown". */
  readonly version?: string;
  readonly logger?: Logger;
  readonly now?: () => Date;
  /** Floor of every controller's requeues, in ms; lower only in tests. */
  readonly minRequeueAfterMs?: number;
}

export interface MachineConfigOperator {
  readonly manager: Manager;
  readonly context: MachineConfigContext;
}

/** The context the controllers share, and its caches (not yet started: add them to a Manager). */
export function buildMachineConfigContext(
  kc: KubeConfig,
  options: Pick<MachineConfigOperatorOptions, 'namespace' | 'version' | 'logger' | 'now'> = {},
): MachineConfigContext {
  const namespace = options.namespace ?? MACHINE_CONFIG_OPERATOR_NAMESPACE;
  const logger = options.logger ?? discardLogger;
  const now = options.now ?? (() => new Date());
  // Optional: InPlace-only clusters have no Machine API, and the operator must start there too.
  const machines = optionalResource(kubeListerWatcher<Machine>(kc, resourcePath(MACHINES, undefined)));
  const machineSets = optionalResource(kubeListerWatcher<MachineSet>(kc, resourcePath(MACHINE_SETS, undefined)));
  const caches: MachineConfigCaches = {
    pools: createCache<MachineConfigPool>(kc, resourcePath(POOLS, undefined), { name: 'machineconfigpools', logger }),
    machineConfigs: createCache<MachineConfig>(kc, resourcePath(MACHINE_CONFIGS, undefined), { name: 'machineconfigs', logger }),
    nodes: createCache<NodeObject>(kc, resourcePath(NODES, undefined), { name: 'nodes', logger }),
    configMaps: createCache<ConfigMapLike>(kc, resourcePath(CONFIG_MAPS, namespace), { name: 'configmaps', logger }),
    clusterOperators: createCache<ClusterOperator>(kc, resourcePath(CLUSTER_OPERATORS, undefined), {
      name: 'clusteroperators', logger, fieldSelector: `metadata.name=${MACHINE_CONFIG_CLUSTER_OPERATOR}`,
    }),
    machines: new Cache(machines.listerWatcher, {
      name: 'machines',
      logger,
      indexers: { [OWNER_UID_INDEX]: (m) => m.metadata.ownerReferences?.filter((r) => r.controller === true).map((r) => r.uid) ?? [] },
    }),
    machineSets: new Cache(machineSets.listerWatcher, { name: 'machinesets', logger }),
  };
  return {
    namespace,
    caches,
    client: kubeResourceClient(kc),
    recorder: createRecorder(kc, { component: EVENT_COMPONENT, logger, now }),
    logger,
    now,
    version: options.version ?? 'unknown',
    machineApiServed: () => machineSets.served(),
  };
}

export function cachesOf(context: MachineConfigContext): Cache<never>[] {
  return Object.values(context.caches) as Cache<never>[];
}

export function buildMachineConfigOperator(kc: KubeConfig, options: MachineConfigOperatorOptions = {}): MachineConfigOperator {
  const logger = options.logger ?? discardLogger;
  const context = buildMachineConfigContext(kc, options);
  const registry = new Registry();
  const manager = operatorManager(kc, { name: LEADER_ELECTION_LEASE_NAME, namespace: context.namespace }, options, { logger, registry });
  for (const cache of cachesOf(context)) manager.add(cache);
  const floor = { minRequeueAfterMs: options.minRequeueAfterMs };
  manager.add(poolController(context, floor));
  manager.add(clusterOperatorController(context, floor));
  return { manager, context };
}
