// What the operator should reconcile towards (§1.3 desiredUpdate resolution, lib/validation, §3.1 state). Pure.
//
// Deviation: without spec.desiredUpdate the CVO reconciles "its own image", which in OpenShift is the release it
// was rolled out with. This operator does not replace itself with each release, so its own release is the one it
// last accepted (status.desired), or the initial release it was started with when the cluster is new.
import type { ClusterVersion, UpdateHistory } from '../../api/config-v1.ts';
import type { ReleaseRef } from '../contracts.ts';
import type { RequestedUpdate } from '../preconditions/acceptance.ts';
import type { SyncState } from '../task-graph/graph.ts';

export interface DesiredTarget {
  /** What to apply; undefined when there is nothing to apply yet (no release known at all). */
  readonly update?: RequestedUpdate;
  /** The operator's own release: applied without verification and preconditions. */
  readonly local: boolean;
  /** spec validation failure, for the Invalid condition; desiredUpdate is then ignored. */
  readonly invalid?: string;
}

export function resolveDesired(cv: ClusterVersion, initialRelease: ReleaseRef | undefined): DesiredTarget {
  const own = ownRelease(cv, initialRelease);
  const requested = cv.spec?.desiredUpdate;
  if (!requested) return own;
  const force = requested.force ?? false;
  const { image, version, architecture } = requested;
  const invalid = (message: string): DesiredTarget => ({ ...own, invalid: message });
  if (architecture) {
    if (image) return invalid('spec.desiredUpdate: Invalid value: cannot set both Architecture and Image');
    return invalid(`spec.desiredUpdate.architecture: Unsupported value: "${architecture}": migrating to a multi-architecture release is not supported`);
  }
  if (image) return withLocal(cv, initialRelease, { image, ...(version ? { version } : {}), force });
  if (!version) return invalid('spec.desiredUpdate: Required value: must specify architecture, version, or image');
  // A version alone names an available update (or a release in history) that carries an image (lib/validation).
  const available = (cv.status?.availableUpdates ?? []).filter((u) => u.version === version && u.image);
  const candidates = available.length > 0 ? available : (cv.status?.history ?? []).filter((h) => h.version === version && h.image);
  const images = [...new Set(candidates.map((c) => c.image))];
  if (images.length !== 1) {
    return invalid(`spec.desiredUpdate.version: Invalid value: "${version}": when image is empty the update must be a previous version or an available update`);
  }
  return withLocal(cv, initialRelease, { image: images[0], version, force });
}

function ownRelease(cv: ClusterVersion, initialRelease: ReleaseRef | undefined): DesiredTarget {
  const desired = cv.status?.desired;
  if (desired?.image) return { update: { image: desired.image, ...(desired.version ? { version: desired.version } : {}), force: false }, local: true };
  if (initialRelease?.image) {
    return { update: { image: initialRelease.image, ...(initialRelease.version ? { version: initialRelease.version } : {}), force: false }, local: true };
  }
  return { local: true };
}

function withLocal(cv: ClusterVersion, initialRelease: ReleaseRef | undefined, update: RequestedUpdate): DesiredTarget {
  const desired = cv.status?.desired;
  const installing = !cv.status?.history?.length && !desired?.image;
  const local = desired?.image ? desired.image === update.image : installing && initialRelease?.image === update.image;
  return { update, local };
}

/** §3.1: Initializing until something completed; Reconciling when the newest entry is the target, completed. */
export function syncState(history: readonly UpdateHistory[] | undefined, targetImage: string): SyncState {
  if (!history?.some((h) => h.state === 'Completed')) return 'Initializing';
  const head = history[0];
  return head.state === 'Completed' && head.image === targetImage ? 'Reconciling' : 'Updating';
}
