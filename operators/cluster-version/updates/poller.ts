// Keeps availableUpdates and conditionalUpdates fresh (pkg/cvo/availableupdates.go `syncAvailableUpdates`;
// shared/reference/cluster-version.md §4 "Refresh policy"):
// - at most one fetch per jittered interval (2-4 min by default), and at once when the upstream, channel,
//   architecture or current version changes (a version change matters too: after an update the old answer
//   would offer the running version as an update);
// - through a transient failure (RemoteFailed, ResponseFailed, ResponseInvalid) the last good answer for the
//   same query stays, for up to 24 h after it was fetched, while RetrievedUpdates turns False;
// - conditional updates are evaluated after each fetch (risks.ts). The CVO re-evaluates Unknown ones every
//   second; here PromQL is always Unknown (no Prometheus), so that would be a one-second loop forever, and
//   evaluation runs with each fetch instead.
// Timers, clock and randomness are injected, so tests drive it without waiting.
import type { GraphRelease, UpdateGraphClient } from '../contracts.ts';
import type { Logger } from '../../runtime/log.ts';
import { discardLogger } from '../../runtime/log.ts';
import type { UpdateQuery } from './client.ts';
import { asRetrievalError, TRANSIENT_RETRIEVAL_REASONS } from './errors.ts';
import { DEFAULT_RULE_MATCHERS, evaluateConditionalUpdates, type EvaluatedConditionalUpdate, type RuleMatcher } from './risks.ts';

/** The CVO's `minimumUpdateCheckInterval` before jitter, in ms; the wait between fetches is 1-2x this. */
export const MINIMUM_UPDATE_CHECK_INTERVAL_MS = 2 * 60 * 1000;
/** How long a last good answer outlives failures of the same query, in ms. */
export const UPDATES_CACHE_TTL_MS = 24 * 60 * 60 * 1000;
/** Lower bound of `minIntervalMs`, in ms: a smaller value would poll the update service in a hot loop. */
export const MIN_ALLOWED_INTERVAL_MS = 1000;

export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The ClusterVersion `RetrievedUpdates` condition, without its time (the status writer stamps it). */
export interface RetrievedUpdatesCondition {
  readonly type: 'RetrievedUpdates';
  readonly status: 'True' | 'False' | 'Unknown';
  readonly reason?: string;
  readonly message?: string;
}

export interface UpdatesState {
  /** The query this state answers; undefined before the first `setQuery`. */
  readonly query?: UpdateQuery;
  /** status.availableUpdates: recommended updates, newest first. */
  readonly updates: readonly GraphRelease[];
  /** status.conditionalUpdates, each with its Recommended condition. */
  readonly conditionalUpdates: readonly EvaluatedConditionalUpdate[];
  /** The current version's node (errata url, channels), when the client reports it. */
  readonly current?: GraphRelease;
  readonly retrievedUpdates: RetrievedUpdatesCondition;
  readonly lastAttempt?: Date;
  /** When the answer shown was fetched. */
  readonly lastSuccess?: Date;
}

export interface UpdatePollerOptions {
  readonly client: UpdateGraphClient;
  /** Rule matchers for risk evaluation. Default DEFAULT_RULE_MATCHERS (PromQL cannot be evaluated). */
  readonly matchers?: Readonly<Record<string, RuleMatcher>>;
  /** Default MINIMUM_UPDATE_CHECK_INTERVAL_MS; at least MIN_ALLOWED_INTERVAL_MS. */
  readonly minIntervalMs?: number;
  /** Default UPDATES_CACHE_TTL_MS. */
  readonly cacheTtlMs?: number;
  /** In [0, 1). Default Math.random. */
  readonly random?: () => number;
  readonly now?: () => Date;
  /** Default: the global timers, unref'd so a poller never keeps a process alive. */
  readonly timers?: Timers;
  /** Called when updates, conditional updates, the current node or the condition change (not on every attempt). */
  readonly onChange?: (state: UpdatesState) => void;
  readonly log?: Logger;
}

const NOT_YET_RETRIEVED: RetrievedUpdatesCondition = {
  type: 'RetrievedUpdates',
  status: 'Unknown',
  reason: 'NotYetRetrieved',
  message: 'Available updates have not been retrieved yet.',
};

const DEFAULT_TIMERS: Timers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

interface InFlight {
  readonly key: string;
  readonly controller: AbortController;
  readonly promise: Promise<UpdatesState>;
}

export class UpdatePoller {
  readonly #client: UpdateGraphClient;
  readonly #matchers: Readonly<Record<string, RuleMatcher>>;
  readonly #minIntervalMs: number;
  readonly #cacheTtlMs: number;
  readonly #random: () => number;
  readonly #now: () => Date;
  readonly #timers: Timers;
  readonly #onChange: ((state: UpdatesState) => void) | undefined;
  readonly #log: Logger;
  #query: UpdateQuery | undefined;
  #state: UpdatesState = { updates: [], conditionalUpdates: [], retrievedUpdates: NOT_YET_RETRIEVED };
  #running = false;
  #timer: unknown;
  #inFlight: InFlight | undefined;
  #loggedWarnings = '';

  constructor(options: UpdatePollerOptions) {
    const minIntervalMs = options.minIntervalMs ?? MINIMUM_UPDATE_CHECK_INTERVAL_MS;
    if (!(minIntervalMs >= MIN_ALLOWED_INTERVAL_MS)) {
      throw new RangeError(`UpdatePoller: minIntervalMs ${minIntervalMs} is below ${MIN_ALLOWED_INTERVAL_MS} ms`);
    }
    this.#client = options.client;
    this.#matchers = options.matchers ?? DEFAULT_RULE_MATCHERS;
    this.#minIntervalMs = minIntervalMs;
    this.#cacheTtlMs = options.cacheTtlMs ?? UPDATES_CACHE_TTL_MS;
    this.#random = options.random ?? Math.random;
    this.#now = options.now ?? (() => new Date());
    this.#timers = options.timers ?? DEFAULT_TIMERS;
    this.#onChange = options.onChange;
    this.#log = options.log ?? discardLogger;
  }

  /** The latest state: a last good answer survives transient failures. */
  current(): UpdatesState {
    return this.#state;
  }

  /**
   * Sets what to ask for, from ClusterVersion spec (upstream, channel, clusterID) and the running release
   * (version, arch). A change of upstream, channel, arch or version refetches at once when started.
   */
  setQuery(query: UpdateQuery): void {
    const changed = this.#query === undefined || queryKey(query) !== queryKey(this.#query);
    this.#query = query;
    if (changed && this.#running) void this.refresh();
  }

  /** Starts periodic refreshes, fetching at once when a query is set. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    if (this.#query) void this.refresh();
  }

  /** Stops refreshing; an answer still in flight is dropped. */
  stop(): void {
    this.#running = false;
    this.#cancelTimer();
    this.#inFlight?.controller.abort(new Error('update poller stopped'));
    this.#inFlight = undefined;
  }

  /**
   * Fetches now (joining a fetch already in flight for the same query, superseding one for another query) and
   * resolves with the resulting state. While started, the next refresh is scheduled after it.
   */
  refresh(): Promise<UpdatesState> {
    const query = this.#query;
    if (!query) return Promise.resolve(this.#state);
    const key = queryKey(query);
    if (this.#inFlight?.key === key) return this.#inFlight.promise;
    this.#inFlight?.controller.abort(new Error('update query changed'));
    this.#cancelTimer();
    const controller = new AbortController();
    const promise: Promise<UpdatesState> = this.#attempt(query, controller.signal).finally(() => {
      if (this.#inFlight?.promise === promise) this.#inFlight = undefined;
    });
    this.#inFlight = { key, controller, promise };
    return promise;
  }

  async #attempt(query: UpdateQuery, signal: AbortSignal): Promise<UpdatesState> {
    let next: UpdatesState;
    try {
      const fetched = await this.#client.fetch(query, signal);
      const evaluated = await evaluateConditionalUpdates(fetched, signal, this.#matchers);
      const now = this.#now();
      this.#logWarnings(fetched);
      next = {
        query,
        updates: evaluated.updates,
        conditionalUpdates: evaluated.conditionalUpdates,
        ...('current' in fetched ? { current: fetched.current as GraphRelease } : {}),
        retrievedUpdates: { type: 'RetrievedUpdates', status: 'True' },
        lastAttempt: now,
        lastSuccess: now,
      };
    } catch (err) {
      if (signal.aborted) return this.#state; // superseded or stopped: this answer is for nobody
      next = this.#failedState(query, err);
    }
    if (signal.aborted) return this.#state;
    this.#publish(next);
    if (this.#running) this.#scheduleNext();
    return next;
  }

  #failedState(query: UpdateQuery, err: unknown): UpdatesState {
    const error = asRetrievalError(err);
    const now = this.#now();
    const previous = this.#state;
    const sameQuery = previous.query !== undefined && queryKey(previous.query) === queryKey(query);
    const keep =
      sameQuery &&
      previous.lastSuccess !== undefined &&
      TRANSIENT_RETRIEVAL_REASONS.has(error.reason) &&
      now.getTime() - previous.lastSuccess.getTime() < this.#cacheTtlMs;
    this.#log.info('Could not retrieve available updates', {
      reason: error.reason,
      error: error.message,
      upstream: query.upstream,
      channel: query.channel,
      keptLastAnswer: keep,
    });
    return {
      query,
      updates: keep ? previous.updates : [],
      conditionalUpdates: keep ? previous.conditionalUpdates : [],
      ...(keep && previous.current ? { current: previous.current } : {}),
      retrievedUpdates: { type: 'RetrievedUpdates', status: 'False', reason: error.reason, message: error.conditionMessage },
      lastAttempt: now,
      ...(keep ? { lastSuccess: previous.lastSuccess } : {}),
    };
  }

  #publish(next: UpdatesState): void {
    const changed = observable(next) !== observable(this.#state);
    this.#state = next;
    if (!changed || !this.#onChange) return;
    try {
      this.#onChange(next);
    } catch (err) {
      this.#log.error('Update poller onChange callback failed', { error: err instanceof Error ? err.message : String(err) });
    }
  }

  #scheduleNext(): void {
    this.#cancelTimer();
    // Jitter like wait.Jitter(interval, 1.0): clusters started together do not poll the service in step.
    const delay = this.#minIntervalMs * (1 + this.#random());
    this.#timer = this.#timers.setTimeout(() => {
      this.#timer = undefined;
      void this.refresh();
    }, delay);
  }

  #cancelTimer(): void {
    if (this.#timer === undefined) return;
    this.#timers.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** The CVO logs pruned targets as warnings; once per distinct set here, not every few minutes. */
  #logWarnings(fetched: object): void {
    const warnings = 'warnings' in fetched && Array.isArray(fetched.warnings) ? (fetched.warnings as string[]) : [];
    const joined = warnings.join('\n');
    if (joined === this.#loggedWarnings) return;
    this.#loggedWarnings = joined;
    for (const warning of warnings) this.#log.warn(warning);
  }
}

/** The fields whose change means the old answer no longer applies; the cluster ID is not one of them. */
function queryKey(q: UpdateQuery): string {
  return JSON.stringify([q.upstream, q.channel, q.arch, q.version]);
}

function observable(s: UpdatesState): string {
  return JSON.stringify([s.query && queryKey(s.query), s.updates, s.conditionalUpdates, s.current, s.retrievedUpdates]);
}
