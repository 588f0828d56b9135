// The sync worker (pkg/cvo/sync_worker.go, §3.2, §3.6): it holds the accepted payload and applies it again and
// again, while the controller tells it what is wanted (`update`) and writes the status it reports.
//
//   update(work) ── same {image, force} as the accepted work ──▶ keep applying (generation, overrides refreshed)
//                ── another target, while Initializing ────────▶ ignored until the install completes
//                ── another target ──▶ acceptance runs beside the apply ──ok──▶ cancel the attempt, switch
//                                                                  └─fails─▶ keep applying the old target
//   loop: attempt → completed: Completed++, state Reconciling, next attempt after one interval
//                 → failed:    Attempt++, next after interval/16·2ⁿ (n < 4) then every interval, ±20 % jitter,
//                              cut short by `notify` (a ClusterOperator changed)
//
// A restart needs nothing from memory: the controller derives the state from history (§3.1, §3.8), so the crash
// path and the normal path are the same.
import type { ClusterVersion, ComponentOverride } from '../../api/config-v1.ts';
import { errorMessage } from '../../runtime/errors.ts';
import type { EventInput } from '../../runtime/events.ts';
import { discardLogger, type Logger } from '../../runtime/log.ts';
import type { Runnable } from '../../runtime/manager.ts';
import type { ReleasePayload } from '../contracts.ts';
import { applyPayload, type ApplyOptions } from '../apply/sync.ts';
import type { RequestedUpdate } from '../preconditions/acceptance.ts';
import type { SyncState } from '../task-graph/graph.ts';
import { acceptRelease, type AcceptanceDeps } from './acceptance.ts';
import { AcceptanceEventGate, type RecordEvent } from './events.ts';
import type { LoadPayloadStatus, SyncWorkerStatus } from './status.ts';

/** The CVO's minimum reconcile interval before jitter, in ms; the interval used is 1-2× this, fixed per process. */
export const MINIMUM_RECONCILE_INTERVAL_MS = 2 * 60_000;

/** What the controller asks for (SyncWork). */
export interface SyncWork {
  readonly generation: number;
  readonly desired: RequestedUpdate;
  /** From history (§3.1); used when the worker takes its first work. */
  readonly state: SyncState;
  /** The release is the operator's own (installed, or already accepted): no verification, no preconditions. */
  readonly local: boolean;
  readonly overrides?: readonly ComponentOverride[];
  /** The ClusterVersion this came from, for the preconditions. */
  readonly cv: ClusterVersion;
}

export interface SyncWorkerOptions {
  readonly acceptance: AcceptanceDeps;
  readonly apply: Omit<ApplyOptions, 'onProgress' | 'onClusterOperator'>;
  /** The reconcile interval in ms. Default MINIMUM_RECONCILE_INTERVAL_MS × [1, 2). */
  readonly reconcileIntervalMs?: number;
  /** Called when the status changed; `edge` for a change of target, state, generation or failure. */
  readonly onStatus: (edge: boolean) => void;
  /** Where acceptance records its Events (events.ts). Default: nowhere. */
  readonly recordEvent?: RecordEvent;
  readonly logger?: Logger;
  readonly random?: () => number;
  readonly now?: () => Date;
}

interface AcceptedWork {
  readonly payload: ReleasePayload;
  readonly update: RequestedUpdate;
  generation: number;
  overrides: readonly ComponentOverride[] | undefined;
  state: SyncState;
  attempt: number;
  completed: number;
  readonly verified: boolean;
}

interface Acceptance {
  readonly key: string;
  readonly generation: number;
  readonly abort: AbortController;
  /** Settled: when it failed (ms), so a failed target is retried only on a new generation or after an interval. */
  failedAt?: number;
}

export class SyncWorker implements Runnable {
  readonly name = 'cluster-version-sync-worker';
  readonly needsLeader = true;
  readonly reconcileIntervalMs: number;
  readonly #options: SyncWorkerOptions;
  readonly #log: Logger;
  readonly #random: () => number;
  readonly #now: () => Date;
  readonly #acceptanceEvents: AcceptanceEventGate;
  #work: AcceptedWork | undefined;
  #acceptance: Acceptance | undefined;
  #status: SyncWorkerStatus = { generation: 0, done: 0, total: 0, completed: 0, reconciling: false, initial: false, versionHash: '', actual: { version: '', image: '' }, verified: false, operatorStartTimes: new Map() };
  #operatorStartTimes = new Map<string, number>();
  #attemptAbort: AbortController | undefined;
  #wake: (() => void) | undefined;
  #pending = false;
  #waitingToReconcile = false;

  constructor(options: SyncWorkerOptions) {
    this.#options = options;
    this.#log = (options.logger ?? discardLogger).child('sync-worker');
    this.#random = options.random ?? Math.random;
    this.#now = options.now ?? (() => new Date());
    this.#acceptanceEvents = new AcceptanceEventGate(options.recordEvent ?? (() => undefined));
    this.reconcileIntervalMs = options.reconcileIntervalMs ?? MINIMUM_RECONCILE_INTERVAL_MS * (1 + this.#random());
  }

  status(): SyncWorkerStatus {
    return this.#status;
  }

  /** True once the worker has a payload to apply. */
  get initialized(): boolean {
    return this.#work !== undefined;
  }

  /** Something the payload manages changed (a ClusterOperator): retry a failed attempt now rather than after backoff. */
  notify(): void {
    if (this.#waitingToReconcile) return;
    this.#kick();
  }

  /** Takes the wanted work; returns the current status. Acceptance of a new target runs in the background. */
  update(work: SyncWork): SyncWorkerStatus {
    const current = this.#work;
    if (!current && this.#status.actual.image === '') {
      // First sight: report the target, so status has a release to talk about while it loads.
      this.#setStatus({ ...this.#status, generation: work.generation, actual: { version: work.desired.version ?? '', image: work.desired.image }, reconciling: work.state === 'Reconciling', initial: work.state === 'Initializing' }, true);
    }
    if (current && sameUpdate(current.update, work.desired)) {
      this.#acceptance?.abort.abort(new Error('the requested release is the one being applied'));
      this.#acceptance = undefined;
      const changed = current.generation !== work.generation || !sameOverrides(current.overrides, work.overrides);
      current.generation = work.generation;
      current.overrides = work.overrides;
      if (this.#status.load && this.#status.load.image !== current.update.image) {
        // An abandoned target's failure no longer applies: report the loaded payload again (syncPayload).
        this.#setStatus({ ...this.#status, load: { ...this.#status.load, step: 'PayloadLoaded', failed: false, image: current.update.image, acceptedRisks: '', message: `Payload loaded version="${current.payload.version}" image="${current.update.image}"` } }, true);
      }
      if (changed) {
        this.#setStatus({ ...this.#status, generation: work.generation }, true);
        this.#kick();
      }
      return this.#status;
    }
    if (current?.state === 'Initializing') {
      this.#log.info('Ignoring detected version change during payload initialization', { from: current.update.image, to: work.desired.image });
      return this.#status;
    }
    const key = `${work.desired.image}|${work.desired.force}`;
    const running = this.#acceptance;
    const retry = running?.key === key;
    if (retry) {
      const due = running.failedAt !== undefined && (running.generation !== work.generation || this.#now().getTime() - running.failedAt >= this.reconcileIntervalMs);
      if (!due) return this.#status;
    }
    running?.abort.abort(new Error('superseded by a newer desired update'));
    this.#accept(work, key, retry);
    return this.#status;
  }

  /**
   * A `retry` of a refused target keeps reporting the refusal until it ends, so ReleaseAccepted does not flap, and
   * records its Events only if it ends differently (events.ts AcceptanceEventGate).
   */
  #accept(work: SyncWork, key: string, retry: boolean): void {
    const acceptance: Acceptance = { key, generation: work.generation, abort: new AbortController() };
    this.#acceptance = acceptance;
    const report = (load: LoadPayloadStatus) => {
      if (this.#acceptance === acceptance) this.#setStatus({ ...this.#status, load }, true);
    };
    const progress = retry ? () => undefined : report;
    const events = this.#acceptanceEvents.begin(key, retry);
    const event = (e: EventInput) => {
      if (this.#acceptance === acceptance) events.record(e); // a superseded run has nothing more to say
    };
    void acceptRelease({ update: work.desired, cv: work.cv, local: work.local }, this.#options.acceptance, acceptance.abort.signal, { progress, event }).then(
      (result) => {
        if (this.#acceptance !== acceptance) return;
        report(result.load);
        events.settle(result.ok ? { ok: true } : { ok: false, step: result.load.step, message: result.load.message });
        if (!result.ok) {
          acceptance.failedAt = this.#now().getTime();
          this.#log.info('Release not accepted', { image: work.desired.image, step: result.load.step, message: result.load.message });
          return;
        }
        this.#acceptance = undefined;
        this.#switchTo(work, result.payload, result.load);
      },
      (err: unknown) => {
        if (this.#acceptance !== acceptance) return;
        acceptance.failedAt = this.#now().getTime();
        this.#log.error('Release acceptance failed', { image: work.desired.image, error: errorMessage(err) });
      },
    );
  }

  /** The accepted payload replaces the current one at once: no "finish the current run level first" (§3.6). */
  #switchTo(work: SyncWork, payload: ReleasePayload, load: LoadPayloadStatus): void {
    const previous = this.#work;
    const state: SyncState = previous ? 'Updating' : work.state;
    this.#log.info('Switching to release', { version: payload.version, image: work.desired.image, state });
    this.#work = {
      payload,
      update: { ...work.desired, version: work.desired.version || payload.version },
      generation: work.generation,
      overrides: work.overrides,
      state,
      attempt: 0,
      completed: 0,
      verified: load.verified,
    };
    this.#operatorStartTimes = new Map();
    this.#setStatus({
      ...this.#status,
      generation: work.generation,
      actual: { version: payload.version, image: work.desired.image },
      verified: load.verified,
      reconciling: state === 'Reconciling',
      initial: state === 'Initializing',
      completed: 0,
      done: 0,
      total: payload.manifests.length,
      failure: undefined,
      versionHash: payload.digest,
      operatorStartTimes: this.#operatorStartTimes,
    }, true);
    this.#attemptAbort?.abort(new Error('retargeted'));
    this.#kick();
  }

  async start(signal: AbortSignal): Promise<void> {
    signal.addEventListener('abort', () => {
      this.#acceptance?.abort.abort(signal.reason);
      this.#kick();
    }, { once: true });
    let consecutiveErrors = 0;
    let delayMs: number | undefined; // undefined: wait for work or a kick
    while (!signal.aborted) {
      await this.#sleep(delayMs, signal);
      if (signal.aborted) break;
      const work = this.#work;
      if (!work) {
        delayMs = undefined;
        continue;
      }
      const outcome = await this.#attempt(work, signal);
      if (signal.aborted) break;
      if (work !== this.#work) {
        delayMs = 0; // retargeted mid-attempt: start on the new payload at once
        consecutiveErrors = 0;
        continue;
      }
      if (outcome === 'completed') {
        consecutiveErrors = 0;
        delayMs = this.reconcileIntervalMs;
        this.#waitingToReconcile = true;
      } else {
        consecutiveErrors++;
        const base = consecutiveErrors < 4 ? (this.reconcileIntervalMs / 16) * 2 ** consecutiveErrors : this.reconcileIntervalMs;
        delayMs = base * (0.8 + 0.4 * this.#random());
        this.#waitingToReconcile = false;
        this.#log.info('Unable to synchronize release, retrying', { waitMs: Math.round(delayMs), error: this.#status.failure ? errorMessage(this.#status.failure) : undefined });
      }
    }
    this.#attemptAbort?.abort(signal.reason);
  }

  async #attempt(work: AcceptedWork, signal: AbortSignal): Promise<'completed' | 'failed'> {
    const abort = new AbortController();
    this.#attemptAbort = abort;
    // AbortSignal.timeout takes whole milliseconds only; the jittered interval is fractional.
    const timeoutMs = Math.round((work.state === 'Initializing' ? 1 : 2) * this.reconcileIntervalMs);
    const attemptSignal = AbortSignal.any([signal, abort.signal, AbortSignal.timeout(timeoutMs)]);
    if (work.attempt === 0) this.#operatorStartTimes = new Map();
    const base = {
      generation: work.generation,
      actual: { version: work.payload.version, image: work.update.image },
      verified: work.verified,
      reconciling: work.state === 'Reconciling',
      initial: work.state === 'Initializing',
      versionHash: work.payload.digest,
      operatorStartTimes: this.#operatorStartTimes,
    };
    this.#log.debug('Applying release', { version: work.payload.version, state: work.state, attempt: work.attempt });
    const outcome = await applyPayload({ payload: work.payload, state: work.state, attempt: work.attempt, overrides: work.overrides }, {
      ...this.#options.apply,
      logger: this.#options.logger,
      onProgress: (done, total) => {
        if (work === this.#work) this.#reportProgress({ ...this.#status, ...base, done, total });
      },
      onClusterOperator: (name) => {
        if (!this.#operatorStartTimes.has(name)) this.#operatorStartTimes.set(name, this.#now().getTime());
      },
    }, attemptSignal).catch((err: unknown) => ({ completed: false, done: 0, total: work.payload.manifests.length, failure: err instanceof Error ? err : new Error(String(err)) }));
    if (this.#attemptAbort === abort) this.#attemptAbort = undefined;
    if (work !== this.#work || signal.aborted) return 'failed';
    if (outcome.completed) {
      work.completed++;
      work.attempt = 0;
      work.state = 'Reconciling';
      this.#setStatus({ ...this.#status, ...base, done: outcome.done, total: outcome.total, completed: work.completed, reconciling: true, initial: false, failure: outcome.failure }, true);
      return 'completed';
    }
    work.attempt++;
    work.completed = 0;
    // An attempt cut short by its timeout blames nothing (context errors are filtered, as upstream): the progress
    // made stays, and the next attempt reports what really blocks.
    if (outcome.failure) this.#setStatus({ ...this.#status, ...base, done: Math.max(outcome.done, this.#status.done), total: outcome.total, completed: 0, failure: outcome.failure }, true);
    return 'failed';
  }

  /**
   * statusWrapper.Report: after a failure, progress from the start of the next attempt is not shown until it
   * passes the point of the failure, so status does not flap between "failed at 57" and "3 of 120".
   */
  #reportProgress(next: SyncWorkerStatus): void {
    const previous = this.#status;
    const fraction = (s: SyncWorkerStatus) => (s.total > 0 ? s.done / s.total : 0);
    if (previous.failure && previous.actual.image === next.actual.image && fraction(next) < fraction(previous)) return;
    this.#setStatus({ ...next, failure: undefined }, previous.failure !== undefined);
  }

  #setStatus(next: SyncWorkerStatus, edge: boolean): void {
    this.#status = next;
    this.#options.onStatus(edge);
  }

  #kick(): void {
    this.#pending = true;
    this.#wake?.();
  }

  /** Waits `ms` (undefined: forever) or until kicked; a kick while not waiting is kept for the next wait. */
  #sleep(ms: number | undefined, signal: AbortSignal): Promise<void> {
    if (this.#pending || ms === 0 || signal.aborted) {
      this.#pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        this.#wake = undefined;
        resolve();
      };
      const timer = ms === undefined ? undefined : setTimeout(finish, ms);
      this.#wake = () => {
        this.#pending = false;
        this.#waitingToReconcile = false;
        finish();
      };
    });
  }
}

/** equalUpdate: the pull spec and force decide whether this is a new target (§1.3). */
function sameUpdate(a: RequestedUpdate, b: RequestedUpdate): boolean {
  return a.image === b.image && a.force === b.force;
}

function sameOverrides(a: readonly ComponentOverride[] | undefined, b: readonly ComponentOverride[] | undefined): boolean {
  return JSON.stringify(a ?? []) === JSON.stringify(b ?? []);
}
