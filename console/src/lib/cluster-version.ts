// What the Cluster Settings page derives from ClusterVersion `version`, as OpenShift's console and `oc adm upgrade`
// read it (shared/reference/cluster-version.md §1.4 and §1.6): the current version is the newest Completed history
// entry, progress is the Progressing message, and an update is requested by writing spec.desiredUpdate with the
// image as well as the version (§1.3: a version alone resolves only against availableUpdates).
import type { ClusterOperatorStatusCondition, ClusterVersion, Release } from '../../../operators/api/config-v1.ts';

export type { ClusterVersion, Release };

export function findCondition(cv: ClusterVersion | undefined, type: string): ClusterOperatorStatusCondition | undefined {
  return cv?.status?.conditions?.find((c) => c.type === type);
}

/** The version the cluster runs: the first Completed entry of history (the CVO's GetCurrentVersion). */
export function currentVersion(cv: ClusterVersion | undefined): string | undefined {
  return cv?.status?.history?.find((h) => h.state === 'Completed')?.version;
}

export interface Progress {
  readonly target: string;
  readonly done: number;
  readonly total: number;
  readonly percent: number;
}

/** "Working towards 4.2.0: 57 of 120 done (47% complete)[, waiting on …]" (pkg/cvo/status.go). */
const PROGRESS_MESSAGE = /^Working towards (\S+): (\d+) of (\d+) done \((\d+)% complete\)/;

export function parseProgress(message: string | undefined): Progress | undefined {
  const m = message === undefined ? null : PROGRESS_MESSAGE.exec(message);
  if (!m) return undefined;
  return { target: m[1], done: Number(m[2]), total: Number(m[3]), percent: Number(m[4]) };
}

export type UpdateStatusKind = 'Updating' | 'Failing' | 'UpdateAvailable' | 'UpToDate' | 'Unknown';

export interface UpdateStatus {
  readonly kind: UpdateStatusKind;
  /** The headline shown on the page. */
  readonly label: string;
  /** The operator's own words (Progressing or Failing message). */
  readonly message: string | undefined;
  readonly progress: Progress | undefined;
}

export function updateStatus(cv: ClusterVersion | undefined): UpdateStatus {
  const progressing = findCondition(cv, 'Progressing');
  const failing = findCondition(cv, 'Failing');
  if (failing?.status === 'True') return { kind: 'Failing', label: 'Failing', message: failing.message, progress: parseProgress(progressing?.message) };
  if (progressing?.status === 'True') {
    const progress = parseProgress(progressing.message);
    return { kind: 'Updating', label: progress ? `Updating to ${progress.target}` : 'Updating', message: progressing.message, progress };
  }
  if (!cv?.status) return { kind: 'Unknown', label: 'Unknown', message: 'The cluster-version operator has not reported a status yet', progress: undefined };
  const available = cv.status.availableUpdates ?? [];
  if (available.length > 0) return { kind: 'UpdateAvailable', label: 'Update available', message: progressing?.message, progress: undefined };
  return { kind: 'UpToDate', label: 'Up to date', message: progressing?.message, progress: undefined };
}

/** Newest first, as the update service lists nothing in order. */
export function sortReleases(releases: readonly Release[] | null | undefined): Release[] {
  return [...(releases ?? [])].sort((a, b) => compareVersions(b.version, a.version));
}

/** Semantic-version order on the numeric major.minor.patch, then the pre-release text (enough for release names). */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string) => {
    const [core, pre = ''] = v.split('-', 2);
    return { nums: core.split('.').map((n) => Number(n) || 0), pre };
  };
  const pa = parse(a);
  const pb = parse(b);
  for (let i = 0; i < Math.max(pa.nums.length, pb.nums.length); i += 1) {
    const d = (pa.nums[i] ?? 0) - (pb.nums[i] ?? 0);
    if (d !== 0) return d;
  }
  if (pa.pre === pb.pre) return 0;
  if (pa.pre === '') return 1;
  if (pb.pre === '') return -1;
  return pa.pre < pb.pre ? -1 : 1;
}

/** The merge patch that asks for `release`; `force` stays unset (the console never overrides the CVO's gates). */
export function desiredUpdatePatch(release: Release): { spec: { desiredUpdate: { version: string; image: string } } } {
  return { spec: { desiredUpdate: { version: release.version, image: release.image } } };
}
