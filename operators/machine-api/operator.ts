// The Machine API operator as one process: the caches every controller reads (each list+watch runs once), the
// writer, the event recorder, the providers, the five controllers, leader election on one Lease and the
// /metrics, /healthz and /readyz endpoints. MAO runs four containers with a Lease each
// (shared/reference/machine-api.md §1.1, §1.12); one process with one Lease gives the same "exactly one replica
// writes" guarantee with a quarter of the watches.
import type { KubeConfig } from '@kubernetes/client-node';
import { Registry } from 'prom-client';
import {
  MACHINE_API_NAMESPACE,
  type Machine,
  type MachineHealthCheck,
  type MachineSet,
} from '../api/machine-v1beta1.ts';
import { Cache, createCache, indexByField, type IndexFunc } from '../runtime/cache.ts';
import { isNotFound } from '../runtime/errors.ts';
import { createRecorder } from '../runtime/events.ts';
import { discardLogger, type Logger } from '../runtime/log.ts';
import type { Manager } from '../runtime/manager.ts';
import { operatorManager, type OperatorManagerOptions } from '../runtime/operator-manager.ts';
import { kubeResourceClient, resourcePath, type ResourceClient, type ResourceRef } from '../runtime/resource-client.ts';
import { logStatusReporter, operatorStatusRunnable, type OperatorStatusReporter } from './cluster-operator.ts';
import { clusterOperatorStatusReporter } from './cluster-operator-status.ts';
import {
  INDEX,
  NO_CONTROLLER,
  MACHINE_HEALTH_CHECKS,
  MACHINE_SETS,
  MACHINES,
  NODES,
  PODS,
  type MachineApiCaches,
  type MachineApiContext,
  type Node,
  type Pod,
} from './context.ts';
import { drainController } from './drain/controller.ts';
import { machineController } from './machine/controller.ts';
import { machineHealthCheckController } from './machinehealthcheck/controller.ts';
import { machineSetCapacityController } from './machineset/capacity-annotations.ts';
import { machineSetController } from './machineset/controller.ts';
import { nodeLinkController } from './nodelink/controller.ts';
import { machineApiMetrics } from './metrics.ts';
import type { ProviderDeps, ProviderFactory } from './providers/actuator.ts';
import { providerRegistry } from './providers/index.ts';

/** The Lease the replicas compete for, in the operator's namespace. */
export const LEADER_ELECTION_LEASE_NAME = 'machine-api-operator';
/** The component of the Events the operator writes (MAO's Deployment name). */
export const EVENT_COMPONENT = 'machine-api-controllers';

const SECRETS: ResourceRef = { group: '', version: 'v1', plural: 'secrets' };

export type { LeaderElectionSettings } from '../runtime/leader-election.ts';

/** Workers per controller, and the MachineSet controller's cap on Machine writes in flight. Defaults: each controller's. */
export interface ConcurrencyOptions {
  readonly machine?: number;
  readonly drain?: number;
  readonly machineSet?: number;
  readonly machineSetWritesInFlight?: number;
  readonly machineHealthCheck?: number;
  readonly nodeLink?: number;
}

export interface MachineApiOperatorOptions extends OperatorManagerOptions {
  /** The namespace whose Machines, MachineSets and MachineHealthChecks are managed. Default openshift-machine-api. */
  readonly namespace?: string;
  /** The enabled providers; a Machine whose providerSpec kind none of them serves fails with InvalidConfiguration. */
  readonly providers: readonly ProviderFactory[];
  readonly concurrency?: ConcurrencyOptions;
  readonly logger?: Logger;
  readonly now?: () => Date;
  /** Where the operator's own status goes. Default: ClusterOperator `machine-api` with a release version, else the log. */
  readonly statusReporter?: OperatorStatusReporter;
  /** The version reported as `operator` in the status when no release version is known. */
  readonly version?: string;
  /**
   * The release this operator was rolled out with (--release-version, default $RELEASE_VERSION). When known, the
   * operator reports ClusterOperator `machine-api` at this version, which the cluster-version operator gates on.
   */
  readonly releaseVersion?: string;
  /** Floor of every controller's requeues, in ms; lower only in tests. */
  readonly minRequeueAfterMs?: number;
}

export interface MachineApiOperator {
  readonly manager: Manager;
  readonly context: MachineApiContext;
}

function internalIPs(addresses: readonly { readonly type: string; readonly address: string }[] | undefined): string[] {
  return (addresses ?? []).filter((a) => a.type === 'InternalIP').map((a) => a.address);
}

/** The indexers of the machines cache (INDEX names). */
export const MACHINE_INDEXERS: Readonly<Record<string, IndexFunc<Machine>>> = {
  [INDEX.providerID]: indexByField((m) => m.spec?.providerID),
  [INDEX.internalIP]: (m) => internalIPs(m.status?.addresses),
  [INDEX.nodeName]: indexByField((m) => m.status?.nodeRef?.name),
  [INDEX.controllerUid]: (m) => [m.metadata.ownerReferences?.find((r) => r.controller === true)?.uid || NO_CONTROLLER],
};
/** The indexers of the nodes cache. */
export const NODE_INDEXERS: Readonly<Record<string, IndexFunc<Node>>> = {
  [INDEX.providerID]: indexByField((n) => n.spec?.providerID),
  [INDEX.internalIP]: (n) => internalIPs(n.status?.addresses),
};
/** The indexers of the pods cache (drain lists the pods of a node). */
export const POD_INDEXERS: Readonly<Record<string, IndexFunc<Pod>>> = {
  [INDEX.podNodeName]: indexByField((p) => p.spec?.nodeName),
};

/**
 * ProviderDeps.readSecret as an uncached GET: credentials are read rarely and must not sit in a cluster-wide
 * Secret cache (nor need list/watch on Secrets in RBAC).
 */
export function secretReader(client: ResourceClient): ProviderDeps {
  return {
    async readSecret(namespace, name) {
      let secret: { data?: Record<string, string> };
      try {
        secret = (await client.get(SECRETS, namespace, name)) as typeof secret;
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
      return Object.fromEntries(Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')]));
    },
  };
}

/**
 * The context the controllers share, and its caches (not yet started: add them to a Manager). Exported for tests
 * that run one controller against a real API server.
 */
export function buildMachineApiContext(
  kc: KubeConfig,
  options: Pick<MachineApiOperatorOptions, 'namespace' | 'providers' | 'logger' | 'now'> & { readonly registry?: Registry },
): MachineApiContext {
  const namespace = options.namespace ?? MACHINE_API_NAMESPACE;
  const logger = options.logger ?? discardLogger;
  const now = options.now ?? (() => new Date());
  const client = kubeResourceClient(kc);
  const caches: MachineApiCaches = {
    machines: createCache<Machine>(kc, resourcePath(MACHINES, namespace), { name: 'machines', indexers: MACHINE_INDEXERS, logger }),
    machineSets: createCache<MachineSet>(kc, resourcePath(MACHINE_SETS, namespace), { name: 'machinesets', logger }),
    machineHealthChecks: createCache<MachineHealthCheck>(kc, resourcePath(MACHINE_HEALTH_CHECKS, namespace), { name: 'machinehealthchecks', logger }),
    nodes: createCache<Node>(kc, resourcePath(NODES, undefined), { name: 'nodes', indexers: NODE_INDEXERS, logger }),
    pods: createCache<Pod>(kc, resourcePath(PODS, undefined), { name: 'pods', indexers: POD_INDEXERS, logger }),
  };
  return {
    kubeConfig: kc,
    namespace,
    caches,
    client,
    recorder: createRecorder(kc, { component: EVENT_COMPONENT, logger, now }),
    providers: providerRegistry(options.providers, secretReader(client)),
    logger,
    metricsRegistry: options.registry ?? new Registry(),
    now,
  };
}

/** Every cache of the context, as runnables. */
export function cachesOf(context: MachineApiContext): Cache<never>[] {
  return Object.values(context.caches) as Cache<never>[];
}

export function buildMachineApiOperator(kc: KubeConfig, options: MachineApiOperatorOptions): MachineApiOperator {
  const logger = options.logger ?? discardLogger;
  const context = buildMachineApiContext(kc, options);
  const { namespace, metricsRegistry: registry } = context;
  machineApiMetrics(registry).setInventory({ machines: context.caches.machines.store, machineSets: context.caches.machineSets.store });

  const manager = operatorManager(kc, { name: LEADER_ELECTION_LEASE_NAME, namespace }, options, { logger, registry });

  const caches = cachesOf(context);
  for (const cache of caches) manager.add(cache);
  const concurrency = options.concurrency ?? {};
  const floor = { minRequeueAfterMs: options.minRequeueAfterMs };
  manager.add(machineController(context, { ...floor, concurrency: concurrency.machine }));
  manager.add(drainController(context, { ...floor, concurrency: concurrency.drain }));
  manager.add(nodeLinkController(context, { ...floor, concurrency: concurrency.nodeLink }));
  manager.add(machineSetController(context, { ...floor, concurrency: concurrency.machineSet, maxInFlight: concurrency.machineSetWritesInFlight }));
  manager.add(machineHealthCheckController(context, { ...floor, concurrency: concurrency.machineHealthCheck }));
  manager.add(machineSetCapacityController(context, floor));
  const releaseVersion = options.releaseVersion ?? process.env.RELEASE_VERSION;
  manager.add(
    operatorStatusRunnable({
      reporter: options.statusReporter ?? (releaseVersion ? clusterOperatorStatusReporter(context.client, { namespace }) : logStatusReporter(logger)),
      stores: caches.map((c) => c.store),
      versions: { operator: releaseVersion ?? options.version ?? 'unknown' },
      logger,
    }),
  );
  return { manager, context };
}
