// Raw HTTP to the API server with a KubeConfig's TLS and credentials, for the calls the generated
// clients do not fit: generic list and watch by path (cache.ts). It uses the same mechanism as
// client-node's own Watch (dist/watch.js): a RequestContext decorated by
// `applySecurityAuthentication` (headers + an undici dispatcher with the CA, client cert and
// skipTLSVerify), then undici (fetch for streamed bodies, request for whole ones), so anything that
// works for client-node works here.
import { HttpMethod, RequestContext, type KubeConfig } from '@kubernetes/client-node';
import { Agent, fetch, type Dispatcher, type Response } from 'undici';
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

interface PreparedRequest {
  readonly url: URL;
  readonly method: NonNullable<KubeRequest['method']>;
  readonly headers: Record<string, string>;
  readonly dispatcher: Dispatcher;
  readonly body: string | undefined;
}

/** The URL, credentials (applied per request, so rotated tokens are picked up) and connection pool of a request. */
async function prepare(kc: KubeConfig, path: string, request: KubeRequest): Promise<PreparedRequest> {
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
  const body = request.body === undefined ? undefined : JSON.stringify(request.body);
  return { url, method, headers, dispatcher: dispatcherFor(kc, ctx), body };
}

/** Sends a request to `path` (e.g. "/api/v1/namespaces/ns/configmaps") and returns the raw response, body unread (watches stream it). */
export async function kubeFetch(kc: KubeConfig, path: string, request: KubeRequest = {}): Promise<Response> {
  const { url, method, headers, dispatcher, body } = await prepare(kc, path, request);
  return fetch(url, { method, headers, dispatcher, signal: request.signal, body });
}

function dispatcherFor(kc: KubeConfig, ctx: RequestContext): Dispatcher {
  let dispatcher = dispatchers.get(kc);
  if (!dispatcher) {
    // client-node gives none for a plain-HTTP server without client certificates.
    dispatcher = (ctx.getDispatcher() as Dispatcher | undefined) ?? new Agent();
    dispatchers.set(kc, dispatcher);
  }
  return dispatcher;
}

/**
 * Sends a request and parses the JSON body; a non-2xx response becomes a KubeApiError. Through undici's request,
 * not fetch: a whole body read as text needs none of the WHATWG Request/Response/stream objects fetch builds
 * around each call (docs/benchmarks.md, Machine API suite: the operator's CPU per scale-up).
 */
export async function kubeJson<T>(kc: KubeConfig, path: string, request: KubeRequest = {}): Promise<T> {
  const { url, method, headers, dispatcher, body } = await prepare(kc, path, request);
  const response = await dispatcher.request({ origin: url.origin, path: url.pathname + url.search, method, headers, body, signal: request.signal });
  const text = await response.body.text();
  if (response.statusCode < 200 || response.statusCode > 299) throw errorFromStatus(response.statusCode, text);
  return JSON.parse(text) as T;
}

/**
 * The KubeApiError for a failed response. The status code is taken before the body is read: a body
 * that is not a metav1.Status (a proxy's HTML page, a cut connection) must not hide it.
 */
export async function errorFromResponse(response: Response): Promise<KubeApiError> {
  let text = '';
  try {
    text = await response.text();
  } catch {
    // A cut connection: the code alone tells the caller what happened.
  }
  return errorFromStatus(response.status, text);
}

/** The KubeApiError for a failed answer whose body was `text` (a metav1.Status, or anything else). */
export function errorFromStatus(code: number, text: string): KubeApiError {
  let status: StatusDetails | undefined;
  try {
    const body = JSON.parse(text) as StatusDetails;
    if (typeof body === 'object' && body !== null) status = body;
  } catch {
    // Not JSON: the code alone tells the caller what happened.
  }
  return new KubeApiError(code, status);
}
