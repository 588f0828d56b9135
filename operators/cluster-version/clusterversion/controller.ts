// The ClusterVersion/version reconciler (pkg/cvo/cvo.go sync + status.go syncStatus): read the object from the
// cache, create it if the cluster has none, resolve what to reconcile towards, hand that to the sync worker, and
// write the status computed from what the worker, the ClusterOperators and the update poller report, in one
// patch. It never applies manifests itself (the worker does), so it stays fast and level-based: everything it
// needs is read again on every call.
import { randomUUID } from 'node:crypto';
import {
  CLUSTER_VERSION_NAME,
  CLUSTER_VERSION_RESOURCE,
  DEFAULT_UPSTREAM,
  type ClusterOperator,
  type ClusterVersion,
} from '../../api/config-v1.ts';
import type { Store } from '../../runtime/cache.ts';
import type { Reconciler } from '../../runtime/controller.ts';
import type { Logger } from '../../runtime/log.ts';
import type { ResourceClient } from '../../runtime/resource-client.ts';
import { writeStatus } from '../../runtime/status.ts';
import type { ReleaseRef } from '../contracts.ts';
import { nextAutomaticUpdate, parseAutoUpdatePolicy } from '../updates/auto-update.ts';
import { goArch } from '../updates/client.ts';
import type { UpdatePoller } from '../updates/poller.ts';
import { resolveDesired, syncState } from './desired.ts';
import { computeStatus, type StatusThresholds } from './status.ts';
import type { SyncWorker } from './sync-worker.ts';
import { computeUpgradeable } from './upgradeable.ts';

export interface ClusterVersionControllerDeps {
  readonly client: ResourceClient;
  readonly clusterVersions: Store<ClusterVersion>;
  readonly clusterOperators: Store<ClusterOperator>;
  readonly worker: SyncWorker;
  /** The release to install when the cluster has none (--release-image / --release-dir). */
  readonly initialRelease?: ReleaseRef;
  /** spec.channel of a ClusterVersion this operator creates. */
  readonly channel?: string;
  /** --upstream: takes precedence over spec.upstream (the CVO's --update-service). */
  readonly upstream?: string;
  readonly poller?: UpdatePoller;
  /** Follow the auto-update policy annotation (updates/auto-update.ts) and set spec.desiredUpdate. */
  readonly autoUpdate?: boolean;
  readonly thresholds?: StatusThresholds;
  readonly now?: () => Date;
}

const VERSION_REQUEST = { name: CLUSTER_VERSION_NAME };

export function clusterVersionReconciler(deps: ClusterVersionControllerDeps): Reconciler {
  const now = deps.now ?? (() => new Date());
  return async (req, ctx) => {
    if (req.name !== CLUSTER_VERSION_NAME) return {};
    const cv = deps.clusterVersions.get(VERSION_REQUEST);
    if (!cv) {
      ctx.log.info('Creating ClusterVersion', { ClusterVersion: CLUSTER_VERSION_NAME });
      await createClusterVersion(deps);
      return {}; // the cache brings it back as an event
    }
    const target = resolveDesired(cv, deps.initialRelease);
    if (target.update) {
      deps.worker.update({
        generation: cv.metadata?.generation ?? 0,
        desired: target.update,
        state: syncState(cv.status?.history, target.update.image),
        local: target.local,
        overrides: cv.spec?.overrides,
        cv,
      });
    }
    const worker = deps.worker.status();
    if (!worker.actual.image) return {}; // nothing known to apply yet: no status to write either

    const version = worker.actual.version || cv.status?.desired?.version || '';
    deps.poller?.setQuery({
      upstream: deps.upstream || cv.spec?.upstream || DEFAULT_UPSTREAM,
      channel: cv.spec?.channel ?? '',
      arch: goArch(),
      version,
      ...(cv.spec?.clusterID ? { id: cv.spec.clusterID } : {}),
    });
    const status = computeStatus({
      cv,
      worker,
      now: now(),
      ...(target.invalid ? { invalid: target.invalid } : {}),
      upgradeable: computeUpgradeable({ clusterOperators: deps.clusterOperators.list(), overrides: cv.spec?.overrides, updating: !worker.reconciling }),
      ...(deps.poller ? { updates: deps.poller.current() } : {}),
      thresholds: deps.thresholds,
    });
    const written = await writeStatus(deps.client, CLUSTER_VERSION_RESOURCE, cv, status);
    if (written === 'patched') ctx.log.debug('Status written', { progressing: status.conditions?.find((c) => c.type === 'Progressing')?.message });

    if (deps.autoUpdate) {
      const next = await reconcileAutoUpdate(deps, cv, status.availableUpdates ?? [], !worker.reconciling, now(), ctx.log);
      if (next !== undefined) return { requeueAfterMs: Math.min(next, deps.worker.reconcileIntervalMs) };
    }
    // Look again after an interval: a failed acceptance is retried, Upgradeable and the poller's answer refreshed.
    return { requeueAfterMs: deps.worker.reconcileIntervalMs };
  };
}

async function createClusterVersion(deps: ClusterVersionControllerDeps): Promise<void> {
  const ref = CLUSTER_VERSION_RESOURCE;
  await deps.client.create(ref, undefined, {
    apiVersion: ref.apiVersion,
    kind: ref.kind,
    metadata: { name: CLUSTER_VERSION_NAME },
    spec: {
      clusterID: randomUUID(),
      ...(deps.channel ? { channel: deps.channel } : {}),
      ...(deps.upstream ? { upstream: deps.upstream } : {}),
    },
  }).catch((err: unknown) => {
    if ((err as { code?: unknown }).code !== 409) throw err; // another replica, or the installer, was first
  });
}

/**
 * The auto-update policy (§3.9 and updates/auto-update.ts): when it picks a release, spec.desiredUpdate is set to
 * it, exactly as an administrator would; the usual acceptance then runs. Returns when to look again (ms), if the
 * policy waits for a window.
 */
async function reconcileAutoUpdate(
  deps: ClusterVersionControllerDeps,
  cv: ClusterVersion,
  updates: readonly { readonly version: string; readonly image: string }[],
  updating: boolean,
  now: Date,
  log: Logger,
): Promise<number | undefined> {
  const parsed = parseAutoUpdatePolicy(cv.metadata?.annotations);
  if (!parsed.ok) {
    log.warn('Ignoring invalid auto-update policy', { errors: parsed.errors });
    return undefined;
  }
  const current = cv.status?.history?.find((h) => h.state === 'Completed')?.version ?? '';
  const head = cv.status?.history?.[0];
  const requested = cv.spec?.desiredUpdate;
  const pending = requested?.image !== undefined && requested.image !== cv.status?.desired?.image;
  const decision = nextAutomaticUpdate({
    policy: parsed.policy,
    current,
    updates,
    conditionalUpdates: cv.status?.conditionalUpdates ?? [],
    now,
    updating: updating || head?.state !== 'Completed' || pending,
  });
  if ('wait' in decision) {
    // An opted-in cluster that does not update must say why (a closed window, nothing eligible); "an update is
    // running" is routine, and a cluster without the annotation has nothing to explain.
    if (parsed.policy?.enabled) {
      log[decision.reason === 'Updating' ? 'debug' : 'info']('Automatic update waiting', {
        reason: decision.reason,
        message: decision.wait,
        ...(decision.nextWindowStart ? { nextWindowStart: decision.nextWindowStart.toISOString() } : {}),
      });
    }
    return decision.nextWindowStart ? Math.max(0, decision.nextWindowStart.getTime() - now.getTime()) : undefined;
  }
  log.info('Starting automatic update', { version: decision.version, image: decision.image });
  await deps.client.patch(CLUSTER_VERSION_RESOURCE, undefined, CLUSTER_VERSION_NAME, 'application/merge-patch+json', {
    spec: { desiredUpdate: { version: decision.version, image: decision.image } },
  });
  return undefined;
}
