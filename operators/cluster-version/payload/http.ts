// HTTP(S) GETs for payload and registry downloads, trusting an extra CA when given one (a private registry or a
// mirror with its own CA), through undici, the HTTP client the operators already use (runtime/kube-http.ts).
import { Agent, fetch, type Response } from 'undici';

export interface HttpOptions {
  /** PEM CA certificate(s) to trust for https:// in addition to the system roots. */
  readonly ca?: string | Uint8Array;
}

export interface HttpRequest {
  readonly method?: 'GET' | 'HEAD' | 'POST' | 'PUT';
  readonly headers?: Record<string, string>;
  readonly body?: Uint8Array;
  readonly signal?: AbortSignal;
}

/** One connection pool for a series of requests; close() when done. Redirects are followed (registries redirect blob GETs). */
export class HttpClient {
  readonly #agent: Agent;
  constructor(options: HttpOptions = {}) {
    const ca = options.ca === undefined ? undefined : Buffer.from(options.ca).toString('utf8');
    this.#agent = new Agent(ca === undefined ? {} : { connect: { ca } });
  }

  request(url: string, request: HttpRequest = {}): Promise<Response> {
    return fetch(url, {
      method: request.method ?? 'GET',
      headers: request.headers,
      body: request.body,
      signal: request.signal,
      dispatcher: this.#agent,
      redirect: 'follow',
    });
  }

  close(): Promise<void> {
    return this.#agent.close();
  }
}

/** Runs `fn` with a client that is closed afterwards, whatever happens. */
export async function withHttpClient<T>(options: HttpOptions, fn: (client: HttpClient) => Promise<T>): Promise<T> {
  const client = new HttpClient(options);
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

/** undici reports "fetch failed" and hides the reason (refused, TLS, DNS) in `cause`. */
export function describeFetchError(err: unknown): string {
  const error = err as Error & { cause?: Error & { code?: string } };
  if (error.name === 'AbortError') return 'aborted';
  const cause = error.cause;
  if (!cause) return error.message;
  return `${error.message}: ${cause.code ? `${cause.code} ` : ''}${cause.message}`;
}
