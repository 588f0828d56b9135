// List, then watch from the list's resourceVersion, over fetch streaming (the watch body is one JSON event per line,
// apimachinery pkg/watch/json). The loop follows client-go's reflector: a watch that ends (timeoutSeconds, a proxy
// closing it) resumes from the last resourceVersion seen, bookmarks included; 410 Gone, as a status or as an ERROR
// event, means that version was compacted away, so the collection is listed again; other failures are shown on the
// page and retried with capped exponential backoff.
import type { KubeObject } from '../../../operators/runtime/watcher.ts';
import { ApiError, isStatus, type ApiClient, type KubeStatus } from './client.ts';
import type { ObjectCache, WatchEventType } from './object-cache.ts';

/** Asked of the server so that a watch is renewed now and then even when nothing ends it. */
export const WATCH_TIMEOUT_SECONDS = 300;
/** Backoff after a failed list or watch, in ms: doubles per consecutive failure up to the cap. */
export const RETRY_INITIAL_MS = 500;
export const RETRY_MAX_MS = 30_000;

/** Splits a byte stream's text into complete lines; a line cut across chunks waits for its end. */
export class LineSplitter {
  private rest = '';
  push(chunk: string): string[] {
    const text = this.rest + chunk;
    const lines = text.split('\n');
    this.rest = lines.pop() ?? '';
    return lines.filter((l) => l.trim() !== '');
  }
}

interface RawEvent {
  readonly type: WatchEventType;
  readonly object: KubeObject;
}

interface ListResponse<T> {
  readonly metadata?: { readonly resourceVersion?: string };
  readonly items?: T[];
}

/** The resourceVersion to list or watch from; `undefined` asks for a fresh list. */
type Resume = string | undefined;

export function retryDelayMs(failures: number): number {
  return Math.min(RETRY_MAX_MS, RETRY_INITIAL_MS * 2 ** Math.max(0, failures - 1));
}

function withQuery(path: string, query: string): string {
  return query ? `${path}?${query}` : path;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, { once: true });
  });
}

/** One watch request, until the server ends it: the resourceVersion to resume from, or undefined after a 410. */
async function watchOnce<T extends KubeObject>(client: ApiClient, path: string, query: string, rv: string, cache: ObjectCache<T>, signal: AbortSignal): Promise<Resume> {
  const params = new URLSearchParams(query);
  params.set('watch', '1');
  params.set('resourceVersion', rv);
  params.set('allowWatchBookmarks', 'true');
  params.set('timeoutSeconds', String(WATCH_TIMEOUT_SECONDS));
  const res = await client.stream(withQuery(path, params.toString()), signal);
  if (!res.body) throw new Error('The browser gave no streaming body for the watch');
  cache.recovered();
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  const lines = new LineSplitter();
  let resume: string = rv;
  // fetch aborts the body with the signal, but a body from elsewhere (a service worker, a test) may not: cancel it.
  const onAbort = () => void reader.cancel().catch(() => {});
  signal.addEventListener('abort', onAbort, { once: true });
  if (signal.aborted) onAbort();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return resume;
      for (const line of lines.push(value)) {
        const event = JSON.parse(line) as RawEvent;
        if (event.type === 'ERROR') {
          const status: KubeStatus | undefined = isStatus(event.object) ? (event.object as KubeStatus) : undefined;
          if (status?.code === 410) return undefined;
          throw new ApiError(status?.code ?? 500, status?.message ?? 'The watch failed', status);
        }
        resume = event.object.metadata?.resourceVersion ?? resume;
        cache.apply(event.type, event.object as T);
      }
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    reader.cancel().catch(() => {});
  }
}

/**
 * Keeps `cache` equal to the collection at `path` (with an optional query such as a field selector) until `signal`
 * aborts. Never throws: failures land in `cache.fail` and are retried.
 */
export async function runListWatch<T extends KubeObject>(client: ApiClient, path: string, query: string, cache: ObjectCache<T>, signal: AbortSignal): Promise<void> {
  let rv: Resume;
  let failures = 0;
  while (!signal.aborted) {
    try {
      if (rv === undefined) {
        const list = await client.request<ListResponse<T>>(withQuery(path, query), { signal });
        cache.replace(list.items ?? []);
        rv = list.metadata?.resourceVersion ?? '0';
      }
      rv = await watchOnce(client, path, query, rv, cache, signal);
      failures = 0;
    } catch (err) {
      if (signal.aborted) return;
      if (err instanceof ApiError && err.code === 410) {
        rv = undefined;
        continue;
      }
      failures += 1;
      cache.fail(err instanceof Error ? err : new Error(String(err)));
      await sleep(retryDelayMs(failures), signal);
    }
  }
}
