// ClusterVersion status, computed whole from the sync worker's report (pkg/cvo/status.go syncStatus and
// convertErrorToProgressing; §1.4, §1.6, §3.4). Pure: the ClusterVersion as read, the worker status, the update
// poller's answer and the time in; the status to write out.
import type {
  ClusterOperatorStatusCondition,
  ClusterVersion,
  ClusterVersionStatus,
  ConditionalUpdate,
  Release,
} from '../../api/config-v1.ts';
import { removeCondition, setCondition, type ConditionInput } from '../../runtime/conditions.ts';
import { formatTime } from '../../runtime/time.ts';
import type { GraphRelease } from '../contracts.ts';
import { summaryForReason, UpdateError } from '../apply/update-error.ts';
import type { AcceptanceStep } from '../preconditions/acceptance.ts';
import { formatProgress } from '../task-graph/progress.ts';
import type { EvaluatedConditionalUpdate } from '../updates/risks.ts';
import type { RetrievedUpdatesCondition } from '../updates/poller.ts';
import { mergeHistory } from './history.ts';
import type { UpgradeableCondition } from './upgradeable.ts';

/** What acceptance of the latest requested release came to (ReleaseAccepted). */
export interface LoadPayloadStatus {
  /** The step reached: in progress (Unknown), failed (False) or PayloadLoaded (True). */
  readonly step: AcceptanceStep;
  readonly message: string;
  readonly failed: boolean;
  /** Newline-separated risks force let through; '' for none. */
  readonly acceptedRisks: string;
  readonly verified: boolean;
  /** The operator's own release: not verified, no preconditions. */
  readonly local: boolean;
  /** The requested image this is about. */
  readonly image: string;
}

/** What the sync worker reports (SyncWorkerStatus). */
export interface SyncWorkerStatus {
  /** metadata.generation the work came from. */
  readonly generation: number;
  /** The summarized failure of the last attempt, or what a complete attempt only reported. */
  readonly failure?: Error;
  readonly done: number;
  readonly total: number;
  /** Full, successful applies of `actual` so far. */
  readonly completed: number;
  readonly reconciling: boolean;
  readonly initial: boolean;
  readonly versionHash: string;
  /** The release being applied. */
  readonly actual: Pick<Release, 'version' | 'image'>;
  readonly verified: boolean;
  readonly load?: LoadPayloadStatus;
  /** When each ClusterOperator gate was first reached in this series of attempts, in ms since the epoch. */
  readonly operatorStartTimes: ReadonlyMap<string, number>;
}

/** How long operators may take before status says so, in ms (pkg/cvo/status.go). */
export interface StatusThresholds {
  /** A Degraded operator turns the update Failing after this long. */
  readonly degradedGraceMs: number;
  /** An operator still at the old version turns Failing=Unknown (SlowClusterOperator) after this long. */
  readonly slowOperatorMs: number;
  /** The same for machine-config, which rolls nodes. */
  readonly slowMachineConfigMs: number;
}

export const DEFAULT_STATUS_THRESHOLDS: StatusThresholds = {
  degradedGraceMs: 40 * 60_000,
  slowOperatorMs: 30 * 60_000,
  slowMachineConfigMs: 90 * 60_000,
};

/** The update poller's answer, when one runs. */
export interface UpdatesView {
  readonly updates: readonly GraphRelease[];
  readonly conditionalUpdates: readonly EvaluatedConditionalUpdate[];
  readonly retrievedUpdates: RetrievedUpdatesCondition;
  /** The current release's own node: fills url and channels of status.desired. */
  readonly current?: GraphRelease;
}

export interface StatusInput {
  readonly cv: ClusterVersion;
  readonly worker: SyncWorkerStatus;
  readonly now: Date;
  /** spec validation failure: the Invalid condition. */
  readonly invalid?: string;
  /** undefined removes the condition. */
  readonly upgradeable: UpgradeableCondition | undefined;
  readonly updates?: UpdatesView;
  readonly thresholds?: StatusThresholds;
}

type Conditions = ClusterOperatorStatusCondition[];
type Input = ConditionInput<ClusterOperatorStatusCondition>;

export function computeStatus(input: StatusInput): ClusterVersionStatus {
  const { cv, worker, now } = input;
  const previous = cv.status;
  const thresholds = input.thresholds ?? DEFAULT_STATUS_THRESHOLDS;
  const version = worker.actual.version || worker.actual.image;
  const desired = desiredRelease(worker.actual, previous?.desired, input.updates?.current);
  const risks = worker.load && worker.load.image === worker.actual.image ? worker.load.acceptedRisks : '';
  const history = mergeHistory(previous?.history, {
    desired,
    verified: worker.verified,
    completed: worker.completed > 0,
    acceptedRisks: risks,
    local: worker.load?.local ?? true,
    now: formatTime(now),
  });

  let conditions: Conditions = [...(previous?.conditions ?? [])];
  const set = (c: Input) => (conditions = setCondition(conditions, c, now));
  if (input.invalid) set({ type: 'Invalid', status: 'True', reason: 'InvalidClusterVersion', message: `The cluster version is invalid: ${input.invalid}` });
  else conditions = removeCondition(conditions, 'Invalid');
  set({ type: 'ImplicitlyEnabledCapabilities', status: 'False', reason: 'AsExpected', message: 'Capabilities match configured spec' });
  const load = worker.load;
  if (load) {
    const status = load.step === 'PayloadLoaded' ? 'True' : load.failed ? 'False' : 'Unknown';
    set({ type: 'ReleaseAccepted', status, reason: load.step, message: load.message });
  }
  if (worker.completed > 0) set({ type: 'Available', status: 'True', message: `Done applying ${version}` });
  else if (!conditions.some((c) => c.type === 'Available')) set({ type: 'Available', status: 'False' });
  for (const c of progressingAndFailing(worker, version, now, thresholds, input.invalid !== undefined)) set(c);
  if (input.updates) set({ ...input.updates.retrievedUpdates });
  else if (!conditions.some((c) => c.type === 'RetrievedUpdates')) set({ type: 'RetrievedUpdates', status: 'False' });
  if (input.upgradeable) set(input.upgradeable);
  else conditions = removeCondition(conditions, 'Upgradeable');

  return {
    desired,
    history,
    observedGeneration: worker.generation,
    versionHash: worker.versionHash || previous?.versionHash || '',
    ...(previous?.capabilities ? { capabilities: previous.capabilities } : {}),
    conditions,
    // Required but nullable; a merge patch cannot write null (it deletes), so "none known" is [].
    availableUpdates: input.updates ? input.updates.updates.map(toRelease) : previous?.availableUpdates ?? [],
    ...(input.updates
      ? { conditionalUpdates: input.updates.conditionalUpdates.map((u) => toConditionalUpdate(u, previous?.conditionalUpdates, now)) }
      : previous?.conditionalUpdates ? { conditionalUpdates: previous.conditionalUpdates } : {}),
  };
}

/** The release applied, with url and channels from the update graph where the payload did not say (mergeReleaseMetadata). */
function desiredRelease(actual: Pick<Release, 'version' | 'image'>, previous: Release | undefined, node: GraphRelease | undefined): Release {
  const known = previous?.image === actual.image ? previous : undefined;
  const fromGraph = node && node.version === actual.version ? node : undefined;
  const url = fromGraph?.url ?? known?.url;
  const channels = fromGraph?.channels ?? known?.channels;
  return {
    version: actual.version,
    image: actual.image,
    ...(url ? { url } : {}),
    ...(channels ? { channels: [...channels] } : {}),
  };
}

/**
 * Progressing and Failing (syncStatus + convertErrorToProgressing). Errors that only mean "still rolling out"
 * (effect None, and Degraded within its grace) are progress, not failure, while updating; past the slow threshold
 * they make Failing Unknown (SlowClusterOperator). While reconciling every error is a failure.
 */
function progressingAndFailing(worker: SyncWorkerStatus, version: string, now: Date, thresholds: StatusThresholds, invalid: boolean): Input[] {
  const failure = worker.failure;
  const progress = convertErrorToProgressing(worker, now, thresholds);
  if (failure && !progress.skipFailure) {
    const reason = failure instanceof UpdateError ? failure.reason : undefined;
    const message = progress.message || (failure instanceof UpdateError ? summaryForReason(failure.reason, failure.subject) : 'an error occurred');
    return [
      { type: 'Failing', status: 'True', ...(reason ? { reason } : {}), message: failure.message },
      worker.reconciling
        ? { type: 'Progressing', status: 'False', ...(reason ? { reason } : {}), message: `Error while reconciling ${version}: ${message}` }
        : { type: 'Progressing', status: 'True', ...(reason ? { reason } : {}), message: `Unable to apply ${version}: ${message}` },
    ];
  }
  const failing: Input = progress.slow
    ? { type: 'Failing', status: 'Unknown', reason: 'SlowClusterOperator', message: progress.slow }
    : { type: 'Failing', status: 'False' };
  if (worker.reconciling) {
    return [failing, { type: 'Progressing', status: 'False', message: invalid ? `Stopped at ${version}: the cluster version is invalid` : `Cluster version is ${version}` }];
  }
  const reason = progress.skipFailure ? { reason: progress.reason } : {};
  const fraction = worker.total > 0 ? worker.done / worker.total : 0;
  let message: string;
  if (invalid) message = `Reconciling ${version}: the cluster version is invalid`;
  else if (fraction > 0) message = `Working towards ${version}: ${formatProgress(worker)}${progress.skipFailure ? `, ${progress.message}` : ''}`;
  else message = progress.skipFailure ? `Working towards ${version}: ${progress.message}` : `Working towards ${version}`;
  return [failing, { type: 'Progressing', status: 'True', ...reason, message }];
}

interface ProgressView {
  readonly skipFailure: boolean;
  readonly reason?: string;
  readonly message: string;
  /** The SlowClusterOperator message, when an operator has been rolling out for too long. */
  readonly slow?: string;
}

function convertErrorToProgressing(worker: SyncWorkerStatus, now: Date, thresholds: StatusThresholds): ProgressView {
  const failure = worker.failure;
  if (!(failure instanceof UpdateError) || worker.reconciling) return { skipFailure: false, message: '' };
  const names = failure.names;
  const startedBefore = (name: string, ms: number) => {
    const started = worker.operatorStartTimes.get(name);
    return started !== undefined && started < now.getTime() - ms;
  };
  switch (failure.effect) {
    case 'Report':
      return { skipFailure: false, reason: failure.reason, message: failure.message };
    case 'Fail':
      return { skipFailure: false, message: '' };
    case 'None': {
      const slow = names.filter((n) => startedBefore(n, n === 'machine-config' ? thresholds.slowMachineConfigMs : thresholds.slowOperatorMs));
      const limit = slow.every((n) => n === 'machine-config') ? thresholds.slowMachineConfigMs : thresholds.slowOperatorMs;
      return {
        skipFailure: true,
        reason: failure.reason,
        message: `waiting on ${failure.subject}`,
        ...(slow.length > 0 ? { slow: `waiting on ${slow.join(', ')} over ${minutes(limit)} which is longer than expected` } : {}),
      };
    }
    case 'FailAfterInterval': {
      const exceeded = names.filter((n) => startedBefore(n, thresholds.degradedGraceMs));
      if (exceeded.length > 0) {
        return { skipFailure: false, reason: failure.reason, message: `wait has exceeded ${minutes(thresholds.degradedGraceMs)} for these operators: ${exceeded.join(', ')}` };
      }
      return { skipFailure: true, reason: failure.reason, message: `waiting up to ${minutes(thresholds.degradedGraceMs)} on ${failure.subject}` };
    }
  }
}

function minutes(ms: number): string {
  const m = Math.round(ms / 60_000);
  return m === 1 ? '1 minute' : `${m} minutes`;
}

function toRelease(r: GraphRelease): Release {
  return { version: r.version, image: r.image, ...(r.url ? { url: r.url } : {}), ...(r.channels ? { channels: [...r.channels] } : {}) };
}

/** A conditional update with its Recommended condition stamped; the time moves only when the status flips. */
function toConditionalUpdate(update: EvaluatedConditionalUpdate, previous: readonly ConditionalUpdate[] | undefined, now: Date): ConditionalUpdate {
  const before = previous?.find((p) => p.release.version === update.release.version)?.conditions;
  let conditions = [...(before ?? [])];
  for (const c of update.conditions) conditions = setCondition(conditions, c, now);
  return {
    release: toRelease(update.release),
    risks: update.risks.map((r) => ({ name: r.name, message: r.message, url: r.url, matchingRules: r.matchingRules.map((m) => ({ ...m })) as ConditionalUpdate['risks'][number]['matchingRules'] })),
    conditions: conditions.filter((c) => update.conditions.some((u) => u.type === c.type)),
  };
}
