// The console's only way to the cluster: the Kubernetes API on the page's own origin, with the user's bearer token on
// every request, so the API server's authentication and RBAC decide what the user may see and do (no backend of ours
// holds credentials). Errors carry the server's Status message, which is what the page shows.

/** The metav1.Status body the API server sends with every error (apimachinery pkg/apis/meta/v1 types.go). */
export interface KubeStatus {
  readonly kind?: string;
  readonly status?: string;
  readonly code?: number;
  readonly reason?: string;
  readonly message?: string;
  readonly details?: { readonly causes?: readonly { readonly field?: string; readonly message?: string; readonly reason?: string }[] };
}

/** A refused or failed request: `message` is the server's own words when it sent a Status. */
export class ApiError extends Error {
  readonly code: number;
  readonly reason: string | undefined;
  readonly status: KubeStatus | undefined;
  constructor(code: number, message: string, status?: KubeStatus) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.reason = status?.reason;
    this.status = status;
  }
}

export function isStatus(value: unknown): value is KubeStatus {
  return typeof value === 'object' && value !== null && (value as KubeStatus).kind === 'Status';
}

/** The error for a non-2xx response: the Status message if the body is one, else the body text, else the HTTP status. */
export function apiErrorFromBody(code: number, statusText: string, body: string): ApiError {
  try {
    const parsed: unknown = JSON.parse(body);
    if (isStatus(parsed) && parsed.message) return new ApiError(parsed.code ?? code, parsed.message, parsed);
  } catch {
    // Not JSON (a proxy's HTML error page, a plain-text 404): fall through to the text.
  }
  const text = body.trim();
  return new ApiError(code, text && text.length < 300 && !text.startsWith('<') ? text : `${code} ${statusText}`.trim());
}

export type PatchType = 'merge' | 'json' | 'apply';

const PATCH_CONTENT_TYPES: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
  apply: 'application/apply-patch+yaml',
};

export interface RequestOptions {
  readonly method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly body?: unknown;
  readonly patchType?: PatchType;
  readonly signal?: AbortSignal;
}

export interface ApiClient {
  /** JSON in, JSON out; throws ApiError for any non-2xx answer. */
  request<T>(path: string, options?: RequestOptions): Promise<T>;
  /** A streaming GET (watches): the response once its headers arrived, its body unread. Throws ApiError if not 2xx. */
  stream(path: string, signal: AbortSignal): Promise<Response>;
}

export interface ApiClientOptions {
  /** '' for the page's own origin (the console is served by, or in front of, the API server). */
  readonly baseUrl: string;
  readonly token: () => string | undefined;
  /** Called on 401, so the page can ask for a token again. */
  readonly onUnauthorized?: () => void;
  readonly fetch?: typeof fetch;
}

export function createApiClient(options: ApiClientOptions): ApiClient {
  const doFetch = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  async function send(path: string, init: RequestInit): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set('Accept', 'application/json');
    const token = options.token();
    if (token) headers.set('Authorization', `Bearer ${token}`);
    // credentials 'omit': the token header is the only credential; no cookie or client certificate rides along.
    const res = await doFetch(`${options.baseUrl}${path}`, { ...init, headers, credentials: 'omit', cache: 'no-store' });
    if (res.ok) return res;
    const error = apiErrorFromBody(res.status, res.statusText, await res.text().catch(() => ''));
    if (res.status === 401) options.onUnauthorized?.();
    throw error;
  }
  return {
    async request<T>(path: string, opts: RequestOptions = {}): Promise<T> {
      const method = opts.method ?? 'GET';
      const headers: Record<string, string> = {};
      let body: string | undefined;
      if (opts.body !== undefined) {
        headers['Content-Type'] = method === 'PATCH' ? PATCH_CONTENT_TYPES[opts.patchType ?? 'merge'] : 'application/json';
        body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
      }
      const res = await send(path, { method, headers, body, signal: opts.signal });
      const text = await res.text();
      return (text ? JSON.parse(text) : undefined) as T;
    },
    stream: (path, signal) => send(path, { method: 'GET', signal }),
  };
}
