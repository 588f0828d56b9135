// The ClusterVersion/version reconciler (pkg/cvo/cvo.go sync + status.go syncStatus): read the object from the
// cache, create it if the cluster has none, resolve what to reconcile towards, hand that to the sync worker, and
// write the status computed from what the worker, the ClusterOperators and the update poller report, in one
// patch. It never applies manifests itself (the worker does), so it stays fast and level-based: everything it
// needs is read again on every call. The Events of a status transition (events.ts) are recorded once that
// status is written.
import { randomUUID } from 'node:crypto';
import {
  CLUSTER_VERSION_NAME,
  CLUSTER_VERSION_RESOURCE,
  DEFAULT_UPSTREAM,
  type ClusterOperator,
  type ClusterVersion,
  type ClusterVersionStatus,
} from '../../api/config-v1.ts';
import type { Store } from '../../runtime/cache.ts';
import type { Reconciler } from '../../runtime/controller.ts';
import type { Logger } from '../../runtime/log.ts';
import { removeCondition, setCondition } from '../../runtime/conditions.ts';
import type { ResourceClient } from '../../runtime/resource-client.ts';
import { writeStatus } from '../../runtime/status.ts';
import type { ReleaseRef } from '../contracts.ts';
import {
  AUTO_UPDATE_CONDITION,
  autoUpdateCondition,
  autoUpdateNotFollowedCondition,
  nextAutomaticUpdate,
  parseAutoUpdatePolicy,
  type AutoUpdateConditionInput,
} from '../updates/auto-update.ts';
import { goArch } from '../updates/client.ts';
import type { UpdatePoller } from '../updates/poller.ts';
import { resolveDesired, syncState } from './desired.ts';
import { StatusEvents, type RecordEvent } from './events.ts';
import { computeStatus, type StatusThresholds, type SyncWorkerStatus } from './status.ts';
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
  /** Where the Events of status transitions go. Default: nowhere. */
  readonly recordEvent?: RecordEvent;
  readonly now?: () => Date;
}

const VERSION_REQUEST = { name: CLUSTER_VERSION_NAME };

export function clusterVersionReconciler(deps: ClusterVersionControllerDeps): Reconciler {
  const now = deps.now ?? (() => new Date());
  const events = new StatusEvents();
  const record = deps.recordEvent ?? (() => undefined);
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
    let status = computeStatus({
      cv,
      worker,
      now: now(),
      ...(target.invalid ? { invalid: target.invalid } : {}),
      upgradeable: computeUpgradeable({ clusterOperators: deps.clusterOperators.list(), overrides: cv.spec?.overrides, updating: !worker.reconciling }),
      ...(deps.poller ? { updates: deps.poller.current() } : {}),
      thresholds: deps.thresholds,
    });
    const auto: AutoUpdateStep = deps.autoUpdate ? decideAutoUpdate(cv, status, worker, now(), ctx.log) : { condition: autoUpdateNotFollowedCondition(cv.metadata?.annotations) };
    status = {
      ...status,
      conditions: auto.condition ? setCondition(status.conditions, auto.condition, now()) : removeCondition(status.conditions, AUTO_UPDATE_CONDITION),
    };
    const written = await writeStatus(deps.client, CLUSTER_VERSION_RESOURCE, cv, status);
    if (written === 'patched') {
      ctx.log.debug('Status written', { progressing: status.conditions?.find((c) => c.type === 'Progressing')?.message });
      // The write carried cv's resourceVersion, so cv.status is the status it replaced: a real transition.
      const view = { applied: worker.completed > 0 && !worker.failure, initializing: worker.initial };
      for (const event of events.written(cv.status, status, view)) record(event);
    }

    if (auto.start) {
      // After the status write, which fails when cv is stale: a start is decided on an up-to-date read only (a
      // read that has the status but not yet the spec patch patches the same target again, a no-op).
      ctx.log.info('Starting automatic update', { version: auto.start.version, image: auto.start.image });
      await deps.client.patch(CLUSTER_VERSION_RESOURCE, undefined, CLUSTER_VERSION_NAME, 'application/merge-patch+json', {
        spec: { desiredUpdate: { version: auto.start.version, image: auto.start.image } },
      });
    }
    // Look again after an interval: a failed acceptance is retried, Upgradeable and the poller's answer refreshed;
    // sooner when a maintenance window opens first.
    return { requeueAfterMs: Math.min(auto.recheckAfterMs ?? Infinity, deps.worker.reconcileIntervalMs) };
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

interface AutoUpdateStep {
  /** AutoUpdateWaiting; undefined removes it (no policy, or automatic updates disabled). */
  readonly condition?: AutoUpdateConditionInput;
  /** The release to put in spec.desiredUpdate. */
  readonly start?: { readonly version: string; readonly image: string };
  /** When a maintenance window opens, in ms from now. */
  readonly recheckAfterMs?: number;
}

/**
 * The auto-update policy (§3.9 and updates/auto-update.ts) against the status about to be written: when it picks
 * a release, spec.desiredUpdate is set to it, exactly as an administrator would, and the usual acceptance runs.
 * Why it does not is the AutoUpdateWaiting condition, and an Event when that changes.
 */
function decideAutoUpdate(cv: ClusterVersion, status: ClusterVersionStatus, worker: SyncWorkerStatus, now: Date, log: Logger): AutoUpdateStep {
  const parsed = parseAutoUpdatePolicy(cv.metadata?.annotations);
  if (!parsed.ok) {
    log.debug('Ignoring invalid auto-update policy', { errors: parsed.errors });
    return { condition: autoUpdateCondition(parsed, undefined) };
  }
  const head = status.history?.[0];
  const requested = cv.spec?.desiredUpdate;
  const pending = requested?.image !== undefined && requested.image !== status.desired?.image;
  const load = worker.load;
  const refused = pending && load?.failed && load.image === requested?.image
    ? { target: requested?.version || requested?.image || '', reason: load.step, message: load.message }
    : undefined;
  const decision = nextAutomaticUpdate({
    policy: parsed.policy,
    current: status.history?.find((h) => h.state === 'Completed')?.version ?? '',
    updates: status.availableUpdates ?? [],
    conditionalUpdates: status.conditionalUpdates ?? [],
    now,
    updating: !worker.reconciling || head?.state !== 'Completed' || pending,
    upgradeable: status.conditions?.find((c) => c.type === 'Upgradeable'),
    ...(refused ? { refused } : {}),
  });
  const condition = autoUpdateCondition(parsed, decision);
  if ('wait' in decision) {
    if (parsed.policy?.enabled) log.debug('Automatic update waiting', { reason: decision.reason, message: decision.wait });
    return {
      ...(condition ? { condition } : {}),
      ...(decision.nextWindowStart ? { recheckAfterMs: Math.max(0, decision.nextWindowStart.getTime() - now.getTime()) } : {}),
    };
  }
  return { ...(condition ? { condition } : {}), start: decision };
}
