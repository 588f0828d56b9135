// Names an API request the way kube-apiserver's audit log and apiserver_request_total do: the RequestInfo verb
// (get, list, watch, create, update, patch, delete, deletecollection) and the resource with its subresource, e.g.
// "patch machines/status". Used to break the operator's requests down per Machine.
import { parseResourcePath, requestVerb } from '../../devcluster/apiserver/http/request-info.ts';

/** Counts of requests by `"<verb> <resource>[/<subresource>]"`. */
export type RequestCounts = Readonly<Record<string, number>>;

/** `pathAndQuery` as sent on the request line, e.g. "/api/v1/nodes?watch=true&resourceVersion=5". */
export function requestKey(method: string, pathAndQuery: string): string {
  const url = new URL(pathAndQuery, 'http://localhost');
  const info = parseResourcePath(url.pathname);
  // Discovery, /version and the like are not resource requests: kube-apiserver names them by path too.
  if (!info) return `${method.toLowerCase()} ${url.pathname}`;
  const resource = info.subresource ? `${info.resource}/${info.subresource}` : info.resource;
  return `${requestVerb(method, info.name !== '', url.searchParams)} ${resource}`;
}

/** `after - before`, key by key, leaving out keys that did not change. */
export function subtractCounts(after: RequestCounts, before: RequestCounts): Record<string, number> {
  const diff: Record<string, number> = {};
  for (const [key, n] of Object.entries(after)) {
    const d = n - (before[key] ?? 0);
    if (d !== 0) diff[key] = d;
  }
  return diff;
}

export function totalOf(counts: RequestCounts): number {
  return Object.values(counts).reduce((sum, n) => sum + n, 0);
}
