// Raw HTTP to the API server with a KubeConfig's TLS and credentials, for the calls the generated
// clients do not fit: generic list and watch by path (cache.ts). It uses the same mechanism as
// client-node's own Watch (dist/watch.js): a RequestContext decorated by
// `applySecurityAuthentication` (headers + an undici dispatcher with the CA, client cert and
// skipTLSVerify), then undici's fetch, so anything that works for client-node works here.
import { HttpMethod, RequestContext, type KubeConfig } from '@kubernetes/client-node';
import { fetch, type Dispatcher, type Response } from 'undici';
import { KubeApiError, type StatusDetails } from './errors.ts';

export interface KubeRequest {
  readonly method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Query parameters; undefined values are left out. */
  readonly query?: Readonly<Record<string, string | number | boolean | undefined>>;
  readonly body?: unknown;
  /** Content-Type of `body`. Default application/json. */
  readonly contentType?: string;
  readonly signal?: AbortSignal;
}

/**
 * One connection pool per KubeConfig: client-node builds a new dispatcher for every request, which would
 * cost a TLS handshake per call (measured ~8 ms against <1 ms on a kept-alive connection). Credentials
 * (headers) are still applied per request, so rotated tokens are picked up.
 */
const dispatchers = new WeakMap<KubeConfig, Dispatcher>();

/** Sends a request to `path` (e.g. "/api/v1/namespaces/ns/configmaps") and returns the raw response. */
export async function kubeFetch(kc: KubeConfig, path: string, request: KubeRequest = {}): Promise<Response> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('The KubeConfig has no current cluster');
  const url = new URL(cluster.server.replace(/\/$/, '') + path);
  for (const [key, value] of Object.entries(request.query ?? {})) {
    if (value !== undefined) url.searchParams.set(key, String(value));
  }
  const method = request.method ?? 'GET';
  const ctx = new RequestContext(url.toString(), HttpMethod[method]);
  await kc.applySecurityAuthentication(ctx);
  const headers: Record<string, string> = { ...ctx.getHeaders(), Accept: 'application/json' };
  if (request.body !== undefined) headers['Content-Type'] = request.contentType ?? 'application/json';
  return fetch(url, {
    method,
    headers,
    dispatcher: dispatcherFor(kc, ctx),
    signal: request.signal,
    body: request.body === undefined ? undefined : JSON.stringify(request.body),
  });
}

function dispatcherFor(kc: KubeConfig, ctx: RequestContext): Dispatcher | undefined {
  let dispatcher = dispatchers.get(kc);
  if (!dispatcher) {
    dispatcher = ctx.getDispatcher() as Dispatcher | undefined;
    if (dispatcher) dispatchers.set(kc, dispatcher);
  }
  return dispatcher;
}

/** Like kubeFetch, and parses the JSON body; a non-2xx response becomes a KubeApiError. */
export async function kubeJson<T>(kc: KubeConfig, path: string, request: KubeRequest = {}): Promise<T> {
  const response = await kubeFetch(kc, path, request);
  if (!response.ok) throw await errorFromResponse(response);
  return (await response.json()) as T;
}

/**
 * The KubeApiError for a failed response. The status code is taken before the body is read: a body
 * that is not a metav1.Status (a proxy's HTML page, a cut connection) must not hide it.
 */
export async function errorFromResponse(response: Response): Promise<KubeApiError> {
  const code = response.status;
  let status: StatusDetails | undefined;
  try {
    const body = (await response.json()) as StatusDetails;
    if (typeof body === 'object' && body !== null) status = body;
  } catch {
    // Not JSON: the code alone tells the caller what happened.
  }
  return new KubeApiError(code, status);
}
