// Watch streams (apiserver.md §7.3): newline-delimited JSON events over a chunked response, replay from a
// resourceVersion out of the per-resource history, ERROR 410 then close when it is too old, selector
// transitions as ADDED/DELETED, bookmarks for clients that ask, and timeoutSeconds.
import { badRequest, gone, invalid, fieldErrors } from '../status-errors.ts';
import type { StoreEvent, StoredObject } from '../storage/object-store.ts';
import type { KubeObject } from '../types.ts';
import { apiVersionOf, servedJson, toServed } from './codec.ts';
import type { RequestContext } from './context.ts';
import { integerParam, listFilterOf, matchesFilter, type ListFilter } from './read.ts';
import { renderTable, wantsTable, includeObjectOf } from './table-output.ts';
import { parseFieldSelector } from '../selectors/index.ts';
import { cloneJson } from '../patch/json-values.ts';

/** Bookmarks go out about once a minute, as kube-apiserver sends them. */
export const BOOKMARK_INTERVAL_MS = 60_000;
/** Without timeoutSeconds a watch lasts a random 30–60 minutes (apiserver handlers/get.go). */
const DEFAULT_TIMEOUT_RANGE_S: [number, number] = [1800, 3600];
/** A watcher that stops reading is cut off rather than buffered without bound. */
const MAX_BUFFERED_BYTES = 64 * 1024 * 1024;

export function handleWatch(ctx: RequestContext): void {
  const { resource, server, query, res, req } = ctx;
  if (query.get('sendInitialEvents') === 'true') {
    // Watch-list streaming is optional in 1.32 (apiserver.md §7.3); refusing it makes clients fall back to LIST.
    throw invalid('meta.k8s.io', 'ListOptions', '', [fieldErrors.forbidden('sendInitialEvents', 'sendInitialEvents is not supported by this server')]);
  }
  if (query.get('resourceVersionMatch')) {
    throw invalid('meta.k8s.io', 'ListOptions', '', [fieldErrors.forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden for watch')]);
  }
  let filter: ListFilter = listFilterOf(ctx);
  if (ctx.info.name !== '') {
    const byName = query.get('fieldSelector');
    const named = parseFieldSelector(byName ?? '', ['metadata.name', ...Object.keys(resource.fieldSelectors), 'metadata.namespace']);
    const required = named.requiredName();
    if (required !== undefined && required !== ctx.info.name) throw badRequest('fieldSelector metadata.name doesn\'t match requested name');
    filter = { ...filter, fields: parseFieldSelector(`metadata.name=${ctx.info.name}${byName ? ',' + byName : ''}`, ['metadata.name', 'metadata.namespace', ...Object.keys(resource.fieldSelectors)]) };
  }
  const rvText = query.get('resourceVersion');
  const fromRv = rvText === null || rvText === '' || rvText === '0' ? undefined : Number(rvText);
  if (fromRv !== undefined && (!Number.isInteger(fromRv) || fromRv < 0)) throw badRequest(`invalid resource version: ${rvText}`);
  const timeoutS = integerParam(query, 'timeoutSeconds')
    ?? DEFAULT_TIMEOUT_RANGE_S[0] + Math.random() * (DEFAULT_TIMEOUT_RANGE_S[1] - DEFAULT_TIMEOUT_RANGE_S[0]);
  const asTable = wantsTable(req.headers.accept);
  const bookmarks = query.get('allowWatchBookmarks') === 'true';

  ctx.warnings.apply(res);
  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
  res.flushHeaders();

  let headerSent = false;
  const encode = (type: string, stored: StoredObject | KubeObject): string => {
    if (asTable) {
      const obj = 'json' in stored ? toServed(resource, (stored as StoredObject).object as KubeObject) : (stored as KubeObject);
      const table = renderTable(resource, [obj], { now: server.now(), include: includeObjectOf(query), resourceVersion: obj.metadata.resourceVersion }) as { columnDefinitions: unknown[] };
      // Later events leave out the column definitions, as the real server's NoHeaders option does.
      if (headerSent) table.columnDefinitions = [];
      headerSent = true;
      return `{"type":"${type}","object":${JSON.stringify(table)}}\n`;
    }
    const text = 'json' in stored ? servedJson(resource, stored as StoredObject) : JSON.stringify(toServed(resource, stored as KubeObject));
    return `{"type":"${type}","object":${text}}\n`;
  };

  let closed = false;
  let corked = false;
  const write = (line: string): void => {
    if (closed) return;
    if (!corked) {
      corked = true;
      res.cork();
      process.nextTick(() => {
        corked = false;
        res.uncork();
      });
    }
    res.write(line);
    if (res.writableLength > MAX_BUFFERED_BYTES) finish();
  };

  const onEvent = (event: StoreEvent): void => {
    const now = matchesFilter(resource, filter, event.current.object as KubeObject);
    const before = event.previous ? matchesFilter(resource, filter, event.previous.object as KubeObject) : false;
    if (event.type === 'DELETED') {
      if (before) write(encode('DELETED', event.current));
      return;
    }
    if (now && before) write(encode('MODIFIED', event.current));
    else if (now) write(encode('ADDED', event.current));
    else if (before && event.previous) {
      // Stopped matching: the previous state with the new resourceVersion (cacher cache_watcher.go).
      const last = cloneJson(event.previous.object) as KubeObject;
      last.metadata.resourceVersion = String(event.rv);
      write(encode('DELETED', last));
    }
  };

  let unsubscribe: (() => void) | undefined;
  if (fromRv === undefined) {
    const ns = filter.namespace === '' ? undefined : filter.namespace;
    for (const stored of server.store.list(resource.storageKey, ns)) {
      if (matchesFilter(resource, filter, stored.object as KubeObject)) write(encode('ADDED', stored));
    }
    unsubscribe = server.store.watch(resource.storageKey, server.store.resourceVersion, onEvent);
  } else {
    unsubscribe = server.store.watch(resource.storageKey, fromRv, onEvent);
    if (!unsubscribe) {
      const oldest = server.store.oldestWatchableRv(resource.storageKey);
      const status = gone(`too old resource version: ${fromRv} (${oldest})`).toStatus();
      res.end(`{"type":"ERROR","object":${JSON.stringify(status)}}\n`);
      return;
    }
  }

  const bookmarkTimer = bookmarks
    ? setInterval(() => {
        const rv = String(server.store.resourceVersion);
        write(`{"type":"BOOKMARK","object":{"kind":${JSON.stringify(resource.kind)},"apiVersion":${JSON.stringify(apiVersionOf(resource))},"metadata":{"resourceVersion":"${rv}","creationTimestamp":null}}}\n`);
      }, BOOKMARK_INTERVAL_MS)
    : undefined;
  const timeout = setTimeout(() => finish(), Math.max(0, timeoutS) * 1000);

  function finish(): void {
    if (closed) return;
    closed = true;
    unsubscribe?.();
    clearTimeout(timeout);
    if (bookmarkTimer) clearInterval(bookmarkTimer);
    server.closing.removeEventListener('abort', finish);
    if (!res.writableEnded) res.end();
  }
  req.on('close', finish);
  res.on('close', finish);
  res.on('error', finish);
  server.closing.addEventListener('abort', finish);
}
