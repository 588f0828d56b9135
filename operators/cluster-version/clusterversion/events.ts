// The cluster-version operator's Kubernetes Events: which transition records what. Acceptance of a release
// uses upstream's reasons and messages (pkg/cvo/sync_worker.go syncPayload, §3.5): RetrievePayload, LoadPayload,
// PreconditionWarn, PreconditionsPassed, PayloadLoaded, and the Warnings RetrievePayloadFailed, LoadPayloadFailed,
// VerifyPayloadVersionFailed, PreconditionBlock, RetrievePayload (forced past a failed signature). Upstream has
// no Events for the rest; these are this operator's: UpdateStarted, UpdateRetargeted, UpdateCompleted,
// InstallCompleted (history), Failing and FailingResolved (the Failing condition), AutoUpdateWaiting,
// AutoUpdateStarted and AutoUpdatePolicyInvalid (the AutoUpdateWaiting condition).
//
// One Event per transition, never one per pass: status Events come from the difference between the status read
// and the status written (a write based on a stale read fails its resourceVersion check, so that difference is a
// real transition), and a refused release that is retried every interval records its Events again only when the
// retry ends differently. Pure, except for the two small memories below.
import {
  CLUSTER_VERSION_NAME,
  CLUSTER_VERSION_RESOURCE,
  type ClusterOperatorStatusCondition,
  type ClusterVersionStatus,
  type UpdateHistory,
} from '../../api/config-v1.ts';
import type { EventInput } from '../../runtime/events.ts';
import type { KubeObject } from '../../runtime/watcher.ts';
import {
  forcedUnverifiedMessage,
  loadingMessage,
  preconditionsPassedMessage,
  preconditionWarningMessage,
  retrievingMessage,
  type AcceptanceStep,
  type Rejection,
  type RejectionStep,
  type RequestedUpdate,
} from '../preconditions/acceptance.ts';
import { AUTO_UPDATE_CONDITION } from '../updates/auto-update.ts';

/** Where an Event goes: the operator's recorder (best effort, never throws). */
export type RecordEvent = (event: EventInput) => void;

/**
 * The object the Events are about, as upstream refers to it: ClusterVersion "version" in the operator's namespace,
 * without uid. ClusterVersion is cluster-scoped, but kube-apiserver accepts a core/v1 Event only in its
 * involvedObject's namespace, so the Events live in openshift-cluster-version: `kubectl get events -n
 * openshift-cluster-version` lists them, and, as on OpenShift, `kubectl describe clusterversion` does not (it looks
 * for involvedObject.namespace "" and the object's uid).
 */
export function clusterVersionEventObject(namespace: string): KubeObject {
  return { apiVersion: CLUSTER_VERSION_RESOURCE.apiVersion, kind: CLUSTER_VERSION_RESOURCE.kind, metadata: { name: CLUSTER_VERSION_NAME, namespace } };
}

// ---- acceptance (the sync worker) --------------------------------------------------------------------------------

/** Each acceptance of a target is its own series, and a forced request is another target. */
const targetSeries = (update: RequestedUpdate) => `${update.image}${update.force ? '|force' : ''}`;

const REJECTION_REASONS: Readonly<Record<RejectionStep, string>> = {
  RetrievePayload: 'RetrievePayloadFailed',
  LoadPayload: 'LoadPayloadFailed',
  VerifyPayloadVersion: 'VerifyPayloadVersionFailed',
  PreconditionChecks: 'PreconditionBlock',
};

const REJECTION_ACTIONS: Readonly<Record<RejectionStep, string>> = {
  RetrievePayload: 'Retrieve',
  LoadPayload: 'Load',
  VerifyPayloadVersion: 'Verify',
  PreconditionChecks: 'CheckPreconditions',
};

/** The Events of acceptRelease's steps, in the order it takes them. */
export const acceptanceEvents = {
  retrieving: (update: RequestedUpdate): EventInput => ({
    type: 'Normal', reason: 'RetrievePayload', note: retrievingMessage(update), action: 'Retrieve', series: targetSeries(update),
  }),
  /** `force` let an unverified release through: the Warning upstream records under the same reason. */
  forcedUnverified: (update: RequestedUpdate, failure: string): EventInput => ({
    type: 'Warning', reason: 'RetrievePayload', note: forcedUnverifiedMessage(update, failure), action: 'Verify', series: targetSeries(update),
  }),
  loading: (update: RequestedUpdate): EventInput => ({
    type: 'Normal', reason: 'LoadPayload', note: loadingMessage(update), action: 'Load', series: targetSeries(update),
  }),
  rejected: (update: RequestedUpdate, rejection: Rejection): EventInput => ({
    type: 'Warning', reason: REJECTION_REASONS[rejection.step], note: rejection.message, action: REJECTION_ACTIONS[rejection.step], series: targetSeries(update),
  }),
  /** Non-blocking failures (RecommendedUpdate), or blocking ones forced through ("Forced through blocking failures: …"). */
  preconditionWarning: (update: RequestedUpdate, summary: string): EventInput => ({
    type: 'Warning', reason: 'PreconditionWarn', note: preconditionWarningMessage(update, summary), action: 'CheckPreconditions', series: targetSeries(update),
  }),
  preconditionsPassed: (update: RequestedUpdate): EventInput => ({
    type: 'Normal', reason: 'PreconditionsPassed', note: preconditionsPassedMessage(update), action: 'CheckPreconditions', series: targetSeries(update),
  }),
  loaded: (update: RequestedUpdate, message: string): EventInput => ({
    type: 'Normal', reason: 'PayloadLoaded', note: message, action: 'Accept', series: targetSeries(update),
  }),
};

/** How one acceptance run ended, as ReleaseAccepted says it. */
export type AcceptanceOutcome = { readonly ok: true } | { readonly ok: false; readonly step: AcceptanceStep; readonly message: string };

export interface AcceptanceEventRun {
  record(event: EventInput): void;
  settle(outcome: AcceptanceOutcome): void;
}

/**
 * The sync worker retries a refused target every reconcile interval and on each new generation (upstream runs
 * syncPayload on every sync, an Event burst each time). A retry holds its Events back and records them only if
 * it ends differently (accepted, or refused for another reason); any other run records them as they happen, so a
 * slow download shows RetrievePayload at once, and a target requested again after another one starts afresh.
 */
export class AcceptanceEventGate {
  readonly #record: RecordEvent;
  #refused: { readonly key: string; readonly outcome: string } | undefined;

  constructor(record: RecordEvent) {
    this.#record = record;
  }

  /** The Events of one acceptance run of the target `key` (its image and force); `retry`: the worker retries it. */
  begin(key: string, retry: boolean): AcceptanceEventRun {
    const quiet = retry && this.#refused?.key === key;
    const held: EventInput[] = [];
    return {
      record: (event) => (quiet ? held.push(event) : this.#record(event)),
      settle: (outcome) => {
        const signature = outcome.ok ? undefined : `${outcome.step}\n${outcome.message}`;
        const repeat = quiet && signature !== undefined && this.#refused?.outcome === signature;
        if (!repeat) held.forEach(this.#record);
        this.#refused = signature === undefined ? undefined : { key, outcome: signature };
      },
    };
  }
}

// ---- status transitions (the ClusterVersion controller) ---------------------------------------------------------

type Condition = Pick<ClusterOperatorStatusCondition, 'type' | 'status' | 'reason' | 'message'>;

/** UpdateStarted / UpdateRetargeted when history gets a new head, UpdateCompleted / InstallCompleted when it completes. */
export function historyEvents(before: readonly UpdateHistory[] | undefined, after: readonly UpdateHistory[] | undefined): EventInput[] {
  const head = after?.[0];
  if (!head) return [];
  const old = before?.[0];
  const events: EventInput[] = [];
  const isNew = !old || old.image !== head.image || old.startedTime !== head.startedTime;
  const previous = after[1];
  const series = head.image;
  if (isNew && previous) {
    events.push(previous.state === 'Completed'
      ? { type: 'Normal', reason: 'UpdateStarted', note: `Started the update from ${nameOf(previous)} to ${nameOf(head)}`, action: 'Update', series }
      : { type: 'Normal', reason: 'UpdateRetargeted', note: `Retargeted the update from ${nameOf(previous)} to ${nameOf(head)} before ${nameOf(previous)} completed`, action: 'Update', series });
  }
  if (head.state === 'Completed' && (isNew || old.state !== 'Completed')) {
    const took = duration(head.startedTime, head.completionTime);
    const from = after.slice(1).find((h) => h.state === 'Completed');
    events.push(from
      ? { type: 'Normal', reason: 'UpdateCompleted', note: `Completed the update from ${nameOf(from)} to ${nameOf(head)}${took}`, action: 'Update', series }
      : { type: 'Normal', reason: 'InstallCompleted', note: `Installed ${nameOf(head)}${took}`, action: 'Update', series });
  }
  return events;
}

const nameOf = (h: Pick<UpdateHistory, 'version' | 'image'>) => h.version || h.image;

/** " in 2m13s" between two metav1.Times, or '' when one is missing. */
function duration(from: string, to: string | null | undefined): string {
  const ms = to ? Date.parse(to) - Date.parse(from) : NaN;
  if (!Number.isFinite(ms) || ms < 0) return '';
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return ` in ${h > 0 ? `${h}h` : ''}${h > 0 || m > 0 ? `${m}m` : ''}${s % 60}s`;
}

const isBad = (c: Condition | undefined): c is Condition => c?.status === 'True' || c?.status === 'Unknown';
const signatureOf = (c: Condition) => `${c.status}\n${c.reason ?? ''}\n${c.message ?? ''}`;

export interface FailingTransition {
  readonly events: EventInput[];
  /** The failure the last Failing Event reported, carried to the next call; null for none. */
  readonly reported: string | null;
}

/**
 * A Warning when Failing turns True (or Unknown: SlowClusterOperator) or changes its reason or message, and
 * FailingResolved once an apply completes after one. Between retries the worker clears a failure as soon as the
 * next attempt passes the point where the last one failed, so Failing flips False and back with every retry:
 * the failure reported is remembered (`reported`) and a flip back to it is not a new Event, nor is the flip to
 * False, until an apply completes (`applied`). `reported` is null when nothing was reported, and undefined when
 * this process does not know yet: after a restart the status read tells what was reported before.
 */
export function failingEvents(before: Condition | undefined, after: Condition | undefined, reported: string | null | undefined, applied: boolean): FailingTransition {
  const known = reported !== undefined ? reported : isBad(before) ? signatureOf(before) : null;
  if (isBad(after)) {
    const signature = signatureOf(after);
    if (signature === known) return { events: [], reported: known };
    const what = after.reason ? `${after.reason}: ${after.message ?? ''}` : after.message ?? '';
    return {
      events: [{ type: 'Warning', reason: 'Failing', note: `Failing=${after.status}: ${what}`, action: 'Apply', series: after.reason ?? '' }],
      reported: signature,
    };
  }
  if (known !== null && applied) {
    return { events: [{ type: 'Normal', reason: 'FailingResolved', note: 'No longer failing: the last apply of the release completed', action: 'Apply' }], reported: null };
  }
  return { events: [], reported: known };
}

/** AutoUpdateWaiting (Normal; AutoUpdatePolicyInvalid, a Warning, for a bad annotation) or AutoUpdateStarted on a change of the condition. */
export function autoUpdateEvents(before: Condition | undefined, after: Condition | undefined): EventInput[] {
  if (!after || (before && signatureOf(before) === signatureOf(after))) return [];
  const series = after.message ?? ''; // names the release and the wait: each is its own Event
  if (after.status === 'True') {
    return after.reason === 'InvalidPolicy'
      ? [{ type: 'Warning', reason: 'AutoUpdatePolicyInvalid', note: after.message ?? '', action: 'AutoUpdate', series }]
      : [{ type: 'Normal', reason: 'AutoUpdateWaiting', note: `${after.reason ?? ''}: ${after.message ?? ''}`, action: 'AutoUpdate', series }];
  }
  if (after.reason === 'UpdateStarted') return [{ type: 'Normal', reason: 'AutoUpdateStarted', note: after.message ?? '', action: 'AutoUpdate', series }];
  return []; // Updating: the update's own Events tell its story
}

/** What the sync worker says about the status being written. */
export interface WorkerView {
  /** Its last apply completed without failure. */
  readonly applied: boolean;
  /** It is installing: operators are expected to be unavailable until they come up (InstallCompleted ends it). */
  readonly initializing: boolean;
}

/**
 * The Events of a status write: history, Failing and AutoUpdateWaiting transitions, in that order. Holds the
 * Failing memory (see failingEvents) of one controller.
 */
export class StatusEvents {
  #failingReported: string | null | undefined;

  /** `before` as read, `after` as just written. */
  written(before: ClusterVersionStatus | undefined, after: ClusterVersionStatus, worker: WorkerView): EventInput[] {
    const condition = (s: ClusterVersionStatus | undefined, type: string) => s?.conditions?.find((c) => c.type === type);
    const failing = worker.initializing
      ? { events: [], reported: null }
      : failingEvents(condition(before, 'Failing'), condition(after, 'Failing'), this.#failingReported, worker.applied);
    this.#failingReported = failing.reported;
    return [
      ...historyEvents(before?.history, after.history),
      ...failing.events,
      ...autoUpdateEvents(condition(before, AUTO_UPDATE_CONDITION), condition(after, AUTO_UPDATE_CONDITION)),
    ];
  }
}
