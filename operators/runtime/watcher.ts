// list+watch as an explicit state machine, after kube-rs's kube-runtime/src/watcher.rs
// (shared/STYLE.md §2). Why not client-node's ListWatch informer: on any error but 410 it emits
// `error` and stops for good, its `stop()` also fires `error`, and it has no watchdog beyond a 30 s
// inactivity abort (shared/reference/ts-ecosystem.md §1.2). Here every failure is retried with
// backoff, named by the step that failed, and reported as an event, never thrown.
//
//   Empty ──list pages──▶ Init, InitApply…, InitDone ──▶ Watching(rv)
//   Watching(rv) ──watch from rv──▶ Apply / Delete (rv advances; bookmarks advance it silently)
//   Watching: stream ends (server timeout) → watch again from rv
//   Watching: 410 Gone (HTTP or ERROR event) → Empty (relist; the store swaps atomically at InitDone)
//   any other failure → Error event, sleep with backoff, retry the same step
import { backoffDelayMs, type BackoffPolicy } from './backoff.ts';
import { errorMessage, isGone, KubeApiError, type StatusDetails } from './errors.ts';
import { errorFromResponse, kubeFetch } from './kube-http.ts';
import { sleep } from './wait.ts';
import type { KubeConfig } from '@kubernetes/client-node';

/** The metadata the runtime relies on; every Kubernetes object has it. */
export interface KubeObject {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata?: {
    readonly name?: string;
    readonly namespace?: string;
    readonly uid?: string;
    readonly resourceVersion?: string;
    readonly generation?: number;
    readonly labels?: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
    readonly ownerReferences?: ReadonlyArray<OwnerReference>;
    readonly finalizers?: ReadonlyArray<string>;
    readonly deletionTimestamp?: string | Date;
  };
}

export interface OwnerReference {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly uid: string;
  readonly controller?: boolean;
  readonly blockOwnerDeletion?: boolean;
}

export interface ListPage<T> {
  readonly items: readonly T[];
  readonly resourceVersion: string;
  /** Token for the next page; absent or empty on the last one. */
  readonly continue?: string;
}

export type RawWatchEvent<T> =
  | { readonly type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK'; readonly object: T }
  | { readonly type: 'ERROR'; readonly object: StatusDetails };

/** The two API calls a watcher makes; kubeListerWatcher is the real one, tests pass fakes. */
export interface ListerWatcher<T> {
  list(options: { readonly limit: number; readonly continue?: string; readonly signal: AbortSignal }): Promise<ListPage<T>>;
  /** Resolves once the server accepted the watch (HTTP 200); the events then stream from the iterable. */
  watch(options: {
    readonly resourceVersion: string;
    readonly timeoutSeconds: number;
    readonly signal: AbortSignal;
  }): Promise<AsyncIterable<RawWatchEvent<T>>>;
}

export interface Selectors {
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
}

/**
 * Lists and watches the collection at `path`, e.g. "/apis/machine.openshift.io/v1beta1/namespaces/x/machines"
 * or "/api/v1/nodes", with the KubeConfig's credentials.
 */
export function kubeListerWatcher<T extends KubeObject>(kc: KubeConfig, path: string, selectors: Selectors = {}): ListerWatcher<T> {
  return {
    async list({ limit, continue: token, signal }) {
      const response = await kubeFetch(kc, path, { query: { ...selectors, limit, continue: token }, signal });
      if (!response.ok) throw await errorFromResponse(response);
      const body = (await response.json()) as {
        items?: T[];
        metadata?: { resourceVersion?: string; continue?: string };
      };
      return {
        items: body.items ?? [],
        resourceVersion: body.metadata?.resourceVersion ?? '',
        continue: body.metadata?.continue,
      };
    },
    async watch({ resourceVersion, timeoutSeconds, signal }) {
      const response = await kubeFetch(kc, path, {
        query: { ...selectors, watch: true, resourceVersion, allowWatchBookmarks: true, timeoutSeconds },
        signal,
      });
      if (response.status !== 200) throw await errorFromResponse(response);
      const body = response.body;
      if (!body) throw new Error('Watch response has no body');
      return watchLines<T>(body);
    },
  };
}

// The watch body is newline-delimited JSON (one WatchEvent per line). A line that does not parse is a
// broken stream, not something to skip silently (client-node's Watch ignores it): the watcher restarts.
async function* watchLines<T>(body: AsyncIterable<Uint8Array>): AsyncGenerator<RawWatchEvent<T>> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true });
    let newline: number;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, newline).trim();
      buffer = buffer.slice(newline + 1);
      if (line) yield JSON.parse(line) as RawWatchEvent<T>;
    }
  }
}

/** Which step failed (kube-rs watcher::Error). All are retried. */
export type WatcherStep = 'InitialListFailed' | 'WatchStartFailed' | 'WatchFailed' | 'WatchStalled';

export class WatcherError extends Error {
  readonly step: WatcherStep;
  constructor(step: WatcherStep, cause: unknown) {
    super(`${step}: ${errorMessage(cause)}`, { cause });
    this.name = 'WatcherError';
    this.step = step;
  }
}

export type WatcherEvent<T> =
  /** A (re)list begins: `Expired` after a 410, `Start` the first time. */
  | { readonly type: 'Init'; readonly reason: 'Start' | 'Expired' }
  | { readonly type: 'InitApply'; readonly object: T }
  /** The list is complete: a store swaps in the InitApply objects now. */
  | { readonly type: 'InitDone'; readonly resourceVersion: string }
  | { readonly type: 'Apply'; readonly object: T }
  | { readonly type: 'Delete'; readonly object: T }
  /** A step failed; the watcher retries it after `retryInMs`. For logs and metrics only. */
  | { readonly type: 'Error'; readonly error: WatcherError; readonly retryInMs: number };

export interface WatcherOptions {
  /** Items per list page. Default 500 (client-go's pager). */
  readonly pageSize?: number;
  /** Server-side watch timeout, in seconds. Default DEFAULT_WATCH_TIMEOUT_SECONDS. */
  readonly watchTimeoutSeconds?: number;
  /** Watchdog: a watch with no event for this long is dropped and reopened, in ms. Default DEFAULT_WATCH_IDLE_TIMEOUT_MS. */
  readonly idleTimeoutMs?: number;
  /** Retry backoff. Default DEFAULT_WATCH_BACKOFF. */
  readonly backoff?: BackoffPolicy;
  readonly random?: () => number;
}

/**
 * Server-side watch timeout, in seconds. A healthy server ends every watch after this long (the
 * watcher then re-watches from its resourceVersion), so the idle watchdog only fires on a stream that
 * went silent: a half-open TCP connection, or a server that ignores `timeoutSeconds`.
 */
export const DEFAULT_WATCH_TIMEOUT_SECONDS = 90;
/** Watchdog limit, in ms: the watch timeout plus 30 s of slack for a slow server. */
export const DEFAULT_WATCH_IDLE_TIMEOUT_MS = (DEFAULT_WATCH_TIMEOUT_SECONDS + 30) * 1000;
/** kube-rs's default watcher backoff: 800 ms doubling to 30 s, jittered. */
export const DEFAULT_WATCH_BACKOFF: BackoffPolicy = { baseMs: 800, maxMs: 30_000, jitter: 0.5 };
/**
 * A watch that ends sooner than this, in ms, without delivering anything waits a backoff step before
 * the next one (client-node #1933: re-watch storm). The same holds for a 410 on a watch that delivered
 * nothing, so a server whose list hands out an already-expired resourceVersion cannot make us spin.
 */
const MIN_HEALTHY_WATCH_MS = 1_000;

type State = { readonly kind: 'Empty'; readonly reason: 'Start' | 'Expired' } | { readonly kind: 'Watching'; rv: string };

/** Lists then watches until `signal` aborts, forever recovering; see the state diagram at the top of the file. */
export async function* watcher<T extends KubeObject>(
  lw: ListerWatcher<T>,
  signal: AbortSignal,
  options: WatcherOptions = {},
): AsyncGenerator<WatcherEvent<T>> {
  const pageSize = options.pageSize ?? 500;
  const backoff = options.backoff ?? DEFAULT_WATCH_BACKOFF;
  const random = options.random ?? Math.random;
  let state: State = { kind: 'Empty', reason: 'Start' };
  // Consecutive failures: reset only by a watch that made progress (delivered an event or stayed open
  // for a while), not by a successful list, so list → 410 → list cycles back off too.
  let failures = 0;
  const retryIn = () => backoffDelayMs(failures++, backoff, random());

  while (!signal.aborted) {
    let failure: WatcherError | undefined;
    let quietWait = false;
    if (state.kind === 'Empty') {
      try {
        yield { type: 'Init', reason: state.reason };
        let token: string | undefined;
        let rv = '';
        do {
          const page = await lw.list({ limit: pageSize, continue: token, signal });
          for (const object of page.items) yield { type: 'InitApply', object };
          token = page.continue || undefined;
          rv = page.resourceVersion;
        } while (token);
        yield { type: 'InitDone', resourceVersion: rv };
        state = { kind: 'Watching', rv };
      } catch (err) {
        if (signal.aborted) return;
        failure = new WatcherError('InitialListFailed', err);
      }
    } else {
      const watching = state;
      const attempt = new AbortController();
      const stopAttempt = () => attempt.abort();
      signal.addEventListener('abort', stopAttempt, { once: true });
      let stalled = false;
      let timer: NodeJS.Timeout | undefined;
      const armWatchdog = () => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          stalled = true;
          attempt.abort();
        }, options.idleTimeoutMs ?? DEFAULT_WATCH_IDLE_TIMEOUT_MS);
      };
      const startedAt = performance.now();
      let delivered = false;
      let started = false;
      try {
        armWatchdog();
        const events = await lw.watch({
          resourceVersion: watching.rv,
          timeoutSeconds: options.watchTimeoutSeconds ?? DEFAULT_WATCH_TIMEOUT_SECONDS,
          signal: attempt.signal,
        });
        started = true;
        for await (const event of events) {
          armWatchdog();
          if (event.type === 'ERROR') {
            // The ERROR event carries a metav1.Status; 410 means our resourceVersion was compacted away.
            const error = new KubeApiError(event.object.code ?? 500, event.object);
            if (isGone(error)) {
              state = { kind: 'Empty', reason: 'Expired' };
              break;
            }
            throw error;
          }
          delivered = true;
          failures = 0;
          const rv = event.object.metadata?.resourceVersion;
          if (rv) watching.rv = rv;
          if (event.type === 'ADDED' || event.type === 'MODIFIED') yield { type: 'Apply', object: event.object };
          else if (event.type === 'DELETED') yield { type: 'Delete', object: event.object };
        }
        const healthy = delivered || performance.now() - startedAt >= MIN_HEALTHY_WATCH_MS;
        if (healthy) failures = 0;
        else quietWait = true;
      } catch (err) {
        if (signal.aborted) return;
        if (!started && isGone(err)) {
          state = { kind: 'Empty', reason: 'Expired' };
          quietWait = true;
        } else failure = new WatcherError(stalled ? 'WatchStalled' : started ? 'WatchFailed' : 'WatchStartFailed', err);
      } finally {
        clearTimeout(timer);
        signal.removeEventListener('abort', stopAttempt);
        attempt.abort();
      }
    }
    try {
      if (failure) {
        const retryInMs = failure.step === 'WatchStalled' ? 0 : retryIn();
        yield { type: 'Error', error: failure, retryInMs };
        await sleep(retryInMs, signal);
      } else if (quietWait) {
        await sleep(retryIn(), signal);
      }
    } catch {
      return; // aborted while waiting
    }
  }
}
