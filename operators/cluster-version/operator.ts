// The cluster-version operator as one process: the ClusterVersion and ClusterOperator caches, the sync worker that
// applies the payload, the ClusterVersion controller that feeds it and writes status, the update poller, leader
// election on the Lease openshift-cluster-version/version, /metrics, /healthz, /readyz, and the Events the worker
// and the controller record about ClusterVersion/version in openshift-cluster-version (clusterversion/events.ts).
//
//   ClusterVersion events ─────────────┐
//   ClusterOperator events ──(notify)──┼─▶ controller ──update()──▶ sync worker ──apply──▶ API server
//   worker status (throttled) ─────────┤        ▲                        │
//   update poller answers ─────────────┘        └────── status() ────────┘
import type { KubeConfig } from '@kubernetes/client-node';
import { Registry } from 'prom-client';
import {
  CLUSTER_OPERATOR_RESOURCE,
  CLUSTER_VERSION_NAME,
  CLUSTER_VERSION_NAMESPACE,
  CLUSTER_VERSION_RESOURCE,
  type ClusterOperator,
  type ClusterVersion,
} from '../api/config-v1.ts';
import { createCache, type Cache, type StoreEvent } from '../runtime/cache.ts';
import { Controller, watch } from '../runtime/controller.ts';
import { enqueueMapped } from '../runtime/handlers.ts';
import { isAlreadyExists, isNotFound } from '../runtime/errors.ts';
import { Recorder, type EventInput } from '../runtime/events.ts';
import { kubeJson } from '../runtime/kube-http.ts';
import { discardLogger, type Logger } from '../runtime/log.ts';
import type { Manager, Runnable } from '../runtime/manager.ts';
import { operatorManager, type OperatorManagerOptions } from '../runtime/operator-manager.ts';
import { kubeResourceClient, resourcePath, type ResourceClient, type ResourceWriter } from '../runtime/resource-client.ts';
import { ManifestApplier, type ApplyTiming } from './apply/applier.ts';
import { kubeRequester, type KubeRequester } from './apply/requester.ts';
import type { TaskBackoff } from './apply/sync.ts';
import { clusterVersionReconciler } from './clusterversion/controller.ts';
import { clusterVersionEventObject, type RecordEvent } from './clusterversion/events.ts';
import type { StatusThresholds } from './clusterversion/status.ts';
import { SyncWorker } from './clusterversion/sync-worker.ts';
import type { PayloadSource, ReleaseRef, SignatureVerifier, UpdateGraphClient } from './contracts.ts';
import type { ConfigMap } from './signatures/config-maps.ts';
import type { ReadConfigMaps } from './signatures/verifier.ts';
import { goArch } from './updates/client.ts';
import { UpdatePoller } from './updates/poller.ts';

/** The Lease the replicas compete for (the CVO's own: openshift-cluster-version/version). */
export const LEADER_ELECTION_LEASE_NAME = 'version';

/** Least time between two non-edge status writes, in ms. The CVO allows one per 15 s; progress bars want more. */
export const DEFAULT_STATUS_INTERVAL_MS = 2_000;

export type { LeaderElectionSettings } from '../runtime/leader-election.ts';

export interface ClusterVersionOperatorOptions extends OperatorManagerOptions {
  readonly payloadSource: PayloadSource;
  readonly verifier: SignatureVerifier;
  /** The Cincinnati client; without it availableUpdates stays as it is and RetrievedUpdates is False. */
  readonly updateGraph?: UpdateGraphClient;
  /** The release installed when the cluster has none. */
  readonly initialRelease?: ReleaseRef;
  /** spec.channel of the ClusterVersion created when there is none. */
  readonly channel?: string;
  /** Update service URL; overrides spec.upstream. */
  readonly upstream?: string;
  /** Set spec.desiredUpdate as the ClusterVersion's auto-update policy annotation decides. */
  readonly autoUpdate?: boolean;
  /** Namespace of the Lease and of the Events. Default openshift-cluster-version. */
  readonly namespace?: string;
  /** Reconcile interval in ms. Default 2 min × [1, 2). */
  readonly reconcileIntervalMs?: number;
  /** Default DEFAULT_STATUS_INTERVAL_MS. */
  readonly statusIntervalMs?: number;
  /** Update poller interval in ms. Default the poller's (2 min × [1, 2)). */
  readonly updatePollIntervalMs?: number;
  readonly applyTiming?: Partial<ApplyTiming>;
  readonly taskBackoff?: TaskBackoff;
  readonly initializingTaskBackoff?: TaskBackoff;
  readonly updatingWorkers?: number;
  readonly reconcilingWorkers?: number;
  readonly thresholds?: StatusThresholds;
  /** How the apply engine calls the API server. Default kubeJson; wrap it to count or fail requests. */
  readonly request?: KubeRequester;
  /** Floor of the controller's requeues, in ms; lower only in tests. */
  readonly minRequeueAfterMs?: number;
  readonly logger?: Logger;
  readonly now?: () => Date;
}

export interface ClusterVersionOperator {
  readonly manager: Manager;
  readonly worker: SyncWorker;
  readonly caches: { readonly clusterVersions: Cache<ClusterVersion>; readonly clusterOperators: Cache<ClusterOperator> };
  readonly poller?: UpdatePoller;
}

export function buildClusterVersionOperator(kc: KubeConfig, options: ClusterVersionOperatorOptions): ClusterVersionOperator {
  const logger = options.logger ?? discardLogger;
  const registry = new Registry();
  const namespace = options.namespace ?? CLUSTER_VERSION_NAMESPACE;
  const client = kubeResourceClient(kc);
  const recordEvent = eventRecorder(client, namespace, logger, options.now);
  const clusterVersions = createCache<ClusterVersion>(kc, resourcePath(CLUSTER_VERSION_RESOURCE, undefined), {
    name: 'clusterversions',
    fieldSelector: `metadata.name=${CLUSTER_VERSION_NAME}`,
    logger,
  });
  const clusterOperators = createCache<ClusterOperator>(kc, resourcePath(CLUSTER_OPERATOR_RESOURCE, undefined), { name: 'clusteroperators', logger });

  // The controller exists before the worker can report to it; `enqueue` binds late.
  let controller: Controller | undefined;
  const enqueue = () => controller?.enqueue({ name: CLUSTER_VERSION_NAME });
  const statusNotifier = throttle(enqueue, options.statusIntervalMs ?? DEFAULT_STATUS_INTERVAL_MS);

  const applier = new ManifestApplier({
    request: options.request ?? kubeRequester(kc),
    clusterOperators,
    owner: () => {
      const cv = clusterVersions.store.get(CLUSTER_VERSION_NAME);
      const uid = cv?.metadata?.uid;
      return uid ? { apiVersion: CLUSTER_VERSION_RESOURCE.apiVersion, kind: CLUSTER_VERSION_RESOURCE.kind, name: CLUSTER_VERSION_NAME, uid } : undefined;
    },
    timing: options.applyTiming,
    logger,
  });
  const worker = new SyncWorker({
    acceptance: { payloads: options.payloadSource, verifier: options.verifier, architecture: goArch() },
    apply: {
      applier,
      taskBackoff: options.taskBackoff,
      initializingTaskBackoff: options.initializingTaskBackoff,
      updatingWorkers: options.updatingWorkers,
      reconcilingWorkers: options.reconcilingWorkers,
    },
    reconcileIntervalMs: options.reconcileIntervalMs,
    onStatus: (edge) => statusNotifier(edge),
    recordEvent,
    logger,
    now: options.now,
  });
  const poller = options.updateGraph
    ? new UpdatePoller({ client: options.updateGraph, minIntervalMs: options.updatePollIntervalMs, onChange: () => enqueue(), log: logger, now: options.now })
    : undefined;

  controller = new Controller({
    name: 'clusterversion-controller',
    kind: 'ClusterVersion',
    reconcile: clusterVersionReconciler({
      client,
      clusterVersions: clusterVersions.store,
      clusterOperators: clusterOperators.store,
      worker,
      initialRelease: options.initialRelease,
      channel: options.channel,
      upstream: options.upstream,
      poller,
      autoUpdate: options.autoUpdate,
      thresholds: options.thresholds,
      recordEvent,
      now: options.now,
    }),
    watches: [
      watch(clusterVersions, enqueueMapped<ClusterVersion>(() => [{ name: CLUSTER_VERSION_NAME }])),
      watch(clusterOperators, (event: StoreEvent<ClusterOperator>) => {
        // A ClusterOperator that moved (version, Available, Degraded) may unblock a waiting update at once
        // (clusterOperatorEventHandler); any change may change Upgradeable.
        if (operatorMoved(event)) worker.notify();
        return [{ name: CLUSTER_VERSION_NAME }];
      }),
    ],
    minRequeueAfterMs: options.minRequeueAfterMs,
    logger,
    registry,
  });

  const manager = operatorManager(kc, { name: LEADER_ELECTION_LEASE_NAME, namespace }, options, { logger, registry });
  manager.add(clusterVersions);
  manager.add(clusterOperators);
  manager.add(worker);
  manager.add(controller);
  manager.add(bootstrapRunnable(clusterVersions, enqueue));
  if (poller) manager.add(pollerRunnable(poller));
  return { manager, worker, caches: { clusterVersions, clusterOperators }, ...(poller ? { poller } : {}) };
}

/**
 * Events about ClusterVersion "version", recorded in `namespace` with source.component `namespace` as upstream
 * does (its EventSource is the CVO's namespace), and logged, as upstream's broadcaster logs every Event.
 */
function eventRecorder(client: ResourceClient, namespace: string, logger: Logger, now: (() => Date) | undefined): RecordEvent {
  const recorder = new Recorder(creatingNamespace(client, namespace), { component: namespace, logger, ...(now ? { now } : {}) });
  const object = clusterVersionEventObject(namespace);
  const log = logger.child('events');
  return (event: EventInput) => {
    log.info('Recording event', { type: event.type, reason: event.reason, note: event.note });
    recorder.record(object, event);
  };
}

/**
 * A writer that creates `namespace` when a create in it finds the namespace missing (404), then tries once more.
 * OpenShift's payload creates openshift-cluster-version for the CVO; this operator is not in its own payloads, and
 * its first Events come before anything else would have created the namespace.
 */
function creatingNamespace(client: ResourceWriter, namespace: string): ResourceWriter {
  return {
    patch: (...args) => client.patch(...args),
    async create(ref, ns, body) {
      try {
        return await client.create(ref, ns, body);
      } catch (err) {
        if (!isNotFound(err) || ns !== namespace) throw err;
        await client.create({ group: '', version: 'v1', plural: 'namespaces' }, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } }).catch((e: unknown) => {
          if (!isAlreadyExists(e)) throw e;
        });
        return client.create(ref, ns, body);
      }
    },
  };
}

function operatorMoved(event: StoreEvent<ClusterOperator>): boolean {
  const signature = (co: ClusterOperator) => {
    const conditions = co.status?.conditions ?? [];
    const status = (type: string) => conditions.find((c) => c.type === type)?.status;
    return JSON.stringify([co.status?.versions ?? [], status('Available'), status('Degraded')]);
  };
  return event.type !== 'update' || signature(event.object) !== signature(event.oldObject);
}

/**
 * Reconciles once the ClusterVersion cache has synced even if it is empty: without a ClusterVersion there is no
 * event, and creating it is the controller's first job. Added after the controller, which then already listens.
 */
function bootstrapRunnable(clusterVersions: Cache<ClusterVersion>, enqueue: () => void): Runnable {
  return {
    name: 'clusterversion-bootstrap',
    needsLeader: true,
    async start(signal) {
      await clusterVersions.store.waitForSync(signal).then(enqueue, () => undefined);
    },
  };
}

/** The update poller polls only on the leader: one replica asks the update service. */
function pollerRunnable(poller: UpdatePoller): Runnable {
  return {
    name: 'update-poller',
    needsLeader: true,
    async start(signal) {
      // Started after a stop was asked for (the lease came late): an 'abort' event that already fired never comes again.
      if (signal.aborted) return;
      poller.start();
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
      poller.stop();
    },
  };
}

/**
 * signatures/verifier.ts ReadConfigMaps over the API: one ConfigMap by name (none when it does not exist), or a
 * list by label selector.
 */
export function kubeConfigMapReader(kc: KubeConfig): ReadConfigMaps {
  return async ({ namespace, name, labelSelector }, signal) => {
    const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/configmaps`;
    if (name === undefined) return (await kubeJson<{ items: ConfigMap[] }>(kc, path, { query: { labelSelector }, signal })).items;
    try {
      return [await kubeJson<ConfigMap>(kc, `${path}/${encodeURIComponent(name)}`, { signal })];
    } catch (err) {
      if (isNotFound(err)) return [];
      throw err;
    }
  };
}

/**
 * Calls `fn` at once for an edge, otherwise at most once per `intervalMs` (trailing call included), like the
 * CVO's runThrottledStatusNotifier: progress is shown often enough without a status write per manifest.
 */
export function throttle(fn: () => void, intervalMs: number): (edge: boolean) => void {
  let last = 0;
  let timer: NodeJS.Timeout | undefined;
  const fire = () => {
    clearTimeout(timer);
    timer = undefined;
    last = performance.now();
    fn();
  };
  return (edge) => {
    const wait = last + intervalMs - performance.now();
    if (edge || wait <= 0) fire();
    else timer ??= setTimeout(fire, wait).unref();
  };
}
