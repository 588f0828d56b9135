// The precondition checks a new payload must pass before the CVO switches to it (§3.5), after
// pkg/payload/precondition/clusterversion/{rollback,gianthop,upgradeable,recommendedupdate}.go and
// precondition.go Summarize. Pure: the ClusterVersion as it is now and the target version in, failures out.
// "current" is status.desired (what the CVO reconciles towards right now), so retargeting a z-stream during a
// minor update compares against the new minor, not the old one (§3.6).
import type { ClusterVersion } from '../../api/config-v1.ts';
import { compareSemVer, formatSemVer, parseSemVer, type SemVer } from '../updates/semver.ts';

export type PreconditionName =
  | 'ClusterVersionRollback'
  | 'ClusterVersionGiantHop'
  | 'ClusterVersionUpgradeable'
  | 'ClusterVersionRecommendedUpdate';

export interface PreconditionFailure {
  readonly name: PreconditionName;
  readonly reason: string;
  readonly message: string;
  /** A warning only: recorded in acceptedRisks, never blocking (RecommendedUpdate, or a current version we cannot parse). */
  readonly nonBlocking?: boolean;
}

/** Runs every check (none stops the others) and returns the failures in check order. */
export function runPreconditions(cv: ClusterVersion, targetVersion: string): PreconditionFailure[] {
  return [rollback, giantHop, upgradeable, recommendedUpdate]
    .map((check) => check(cv, targetVersion))
    .filter((f): f is PreconditionFailure => f !== undefined);
}

export interface PreconditionSummary {
  /** True when the update must not proceed. */
  readonly blocking: boolean;
  /** One failure as is, several as a bulleted list; prefixed "Forced through blocking failures: " when forced. */
  readonly message: string;
}

/**
 * precondition.Summarize: undefined when nothing failed. `force` turns blocking failures into a warning, which the
 * caller records in history[].acceptedRisks; it never skips the checks.
 */
export function summarizePreconditions(failures: readonly PreconditionFailure[], force: boolean): PreconditionSummary | undefined {
  if (failures.length === 0) return undefined;
  const messages = failures.map((f) => `Precondition "${f.name}" failed because of "${f.reason}": ${f.message}`);
  let message = messages.length === 1 ? messages[0] : `Multiple precondition checks failed:\n* ${messages.join('\n* ')}`;
  let blocking = failures.some((f) => !f.nonBlocking);
  if (force && blocking) {
    message = `Forced through blocking failures: ${message}`;
    blocking = false;
  }
  return { blocking, message };
}

type Check = (cv: ClusterVersion, targetVersion: string) => PreconditionFailure | undefined;

interface Versions {
  readonly current: SemVer;
  readonly target: SemVer;
}

/** Parses both versions, or returns the failure the upstream checks report when one does not parse. */
function versions(name: PreconditionName, cv: ClusterVersion, targetVersion: string): Versions | PreconditionFailure {
  const currentText = cv.status?.desired?.version ?? '';
  const current = parseSemVer(currentText);
  // Do not block on a problem only an update can fix (rollback.go, gianthop.go).
  if (!current) return { name, reason: 'InvalidCurrentVersion', message: notSemVer(currentText), nonBlocking: true };
  const target = parseSemVer(targetVersion);
  if (!target) return { name, reason: 'InvalidDesiredVersion', message: notSemVer(targetVersion) };
  return { current, target };
}

const notSemVer = (text: string) => `"${text}" is not a semantic version`;

/** Lower than the current target only as a z-stream rollback to the cluster's previous version. */
const rollback: Check = (cv, targetVersion) => {
  const parsed = versions('ClusterVersionRollback', cv, targetVersion);
  if ('name' in parsed) return parsed;
  const { current, target } = parsed;
  if (compareSemVer(target, current) >= 0) return undefined;
  const failure = (message: string): PreconditionFailure => ({ name: 'ClusterVersionRollback', reason: 'LowDesiredVersion', message });
  const [t, c] = [formatSemVer(target), formatSemVer(current)];
  // The previous version is the newest history entry that is not the current target.
  const desired = cv.status?.desired;
  const previous = (cv.status?.history ?? []).find((h) => h.version !== c || h.image !== desired?.image);
  const previousVersion = previous ? parseSemVer(previous.version ?? '') : undefined;
  if (!previous || !previousVersion) return failure(`${t} is less than the current target ${c}, and the cluster has no previous Semantic Version`);
  if (compareSemVer(target, previousVersion) !== 0) {
    return failure(`${t} is less than the current target ${c}, and the only supported rollback is to the cluster's previous version ${formatSemVer(previousVersion)} (${previous.image})`);
  }
  if (previousVersion.major === current.major && previousVersion.minor === current.minor) return undefined;
  return failure(`${t} is less than the current target ${c} and matches the cluster's previous version, but rollbacks that change major or minor versions are not recommended`);
};

/** No major-version change and no skipped minor. */
const giantHop: Check = (cv, targetVersion) => {
  const parsed = versions('ClusterVersionGiantHop', cv, targetVersion);
  if ('name' in parsed) return parsed;
  const { current, target } = parsed;
  const [t, c] = [formatSemVer(target), formatSemVer(current)];
  if (target.major > current.major) {
    return {
      name: 'ClusterVersionGiantHop',
      reason: 'MajorVersionUpdate',
      message: `${t} has a larger major version than the current target ${c} (${target.major} > ${current.major}), and only updates within the current major version are supported.`,
    };
  }
  if (target.major === current.major && target.minor > current.minor + 1) {
    return {
      name: 'ClusterVersionGiantHop',
      reason: 'MultipleMinorVersionsUpdate',
      message: `${t} is more than one minor version beyond the current target ${c} (${target.major}.${target.minor} > ${current.major}.(${current.minor}+1)), and only updates within the current minor version or to the next minor version are supported.`,
    };
  }
  return undefined;
};

/** Upgradeable=False blocks minor and major updates; a patch update, or a lower or equal target, always passes. */
const upgradeable: Check = (cv, targetVersion) => {
  const condition = cv.status?.conditions?.find((c) => c.type === 'Upgradeable');
  if (condition?.status !== 'False') return undefined;
  const parsed = versions('ClusterVersionUpgradeable', cv, targetVersion);
  if ('name' in parsed) return parsed;
  const { current, target } = parsed;
  const changesMinor = target.major > current.major || (target.major === current.major && target.minor > current.minor);
  if (!changesMinor) return undefined;
  return { name: 'ClusterVersionUpgradeable', reason: condition.reason ?? '', message: condition.message ?? '' };
};

/** A warning when the target is not a recommended update of the configured channel. */
const recommendedUpdate: Check = (cv, targetVersion) => {
  const name = 'ClusterVersionRecommendedUpdate';
  const status = cv.status;
  const current = status?.desired?.version ?? '';
  if ((status?.availableUpdates ?? []).some((u) => u.version === targetVersion)) return undefined;
  const conditional = status?.conditionalUpdates?.find((u) => u.release.version === targetVersion);
  if (conditional) {
    const recommended = conditional.conditions?.find((c) => c.type === 'Recommended');
    if (recommended?.status === 'True') return undefined;
    if (!recommended) {
      return { name, reason: 'UnknownConditionType', message: `Update from ${current} to ${targetVersion} has a status.conditionalUpdates entry, but no Recommended condition.`, nonBlocking: true };
    }
    const message = recommended.status === 'False'
      ? `Update from ${current} to ${targetVersion} is not recommended:\n\n${recommended.message}`
      : `Update from ${current} to ${targetVersion} is ${recommended.type}=${recommended.status}: ${recommended.reason}: ${recommended.message}`;
    return { name, reason: recommended.reason, message, nonBlocking: true };
  }
  if (!cv.spec?.channel) {
    return { name, reason: 'NoChannel', message: `Configured channel is unset, so the recommended status of updating from ${current} to ${targetVersion} is unknown.`, nonBlocking: true };
  }
  const retrieved = status?.conditions?.find((c) => c.type === 'RetrievedUpdates');
  const message = !retrieved
    ? `No RetrievedUpdates, so the recommended status of updating from ${current} to ${targetVersion} is unknown.`
    : retrieved.status === 'True'
      ? `RetrievedUpdates=True (${retrieved.reason ?? ''}), so the update from ${current} to ${targetVersion} is probably neither recommended nor supported.`
      : `RetrievedUpdates=${retrieved.status} (${retrieved.reason ?? ''}), so the recommended status of updating from ${current} to ${targetVersion} is unknown.`;
  return { name, reason: 'UnknownUpdate', message, nonBlocking: true };
};
