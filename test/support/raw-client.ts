// Raw HTTPS requests to the embedded API server, below any client library: for tests that send what no client
// would (broken bodies, wrong media types, bogus methods) and look at the exact bytes that come back.
import { Agent, request, type RequestOptions } from 'node:https';
import type { ClientRequest, IncomingHttpHeaders } from 'node:http';
import type { ApiServerHandle } from '../../devcluster/apiserver/index.ts';

/** Where to send requests and how to authenticate: the parts of the server handle a raw client needs. */
export type RawTarget = Pick<ApiServerHandle, 'url' | 'caPem' | 'token'>;

export interface RawRequest {
  method?: string;
  /** Path and query, e.g. `/api/v1/namespaces/default/configmaps?limit=1`. */
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Send no Authorization header. */
  anonymous?: boolean;
  /** The request fails (rejects) when no complete response arrived within this time. Default 10 s. */
  timeoutMs?: number;
}

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The body as UTF-8. */
  text: string;
}

/** Keep-alive connections per target, so thousands of requests do not pay a TLS handshake each. */
const agents = new WeakMap<RawTarget, Agent>();

function agentFor(target: RawTarget): Agent {
  let agent = agents.get(target);
  if (!agent) {
    agent = new Agent({ keepAlive: true, maxSockets: 8, ca: target.caPem });
    agents.set(target, agent);
  }
  return agent;
}

/** Closes the pooled connections of a target (call it before stopping the server). */
export function closeRawClient(target: RawTarget): void {
  agents.get(target)?.destroy();
  agents.delete(target);
}

/** Options for https.request: host, port, CA, token and the pooled agent. */
export function rawRequestOptions(target: RawTarget, req: Omit<RawRequest, 'body' | 'timeoutMs'>, pooled = true): RequestOptions {
  const url = new URL(target.url);
  const headers: Record<string, string> = { ...req.headers };
  if (!req.anonymous && target.token !== undefined) headers.Authorization = `Bearer ${target.token}`;
  return {
    host: url.hostname, port: Number(url.port), method: req.method ?? 'GET', path: req.path, headers,
    ca: target.caPem, agent: pooled ? agentFor(target) : false,
  };
}

/** Collects the whole response of a request that has been sent (or is being sent); rejects on timeout. */
export function collectResponse(clientRequest: ClientRequest, what: string, timeoutMs = 10_000): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      clientRequest.destroy();
      reject(new Error(`no complete response to ${what} within ${timeoutMs} ms`));
    }, timeoutMs);
    clientRequest.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    clientRequest.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      res.on('end', () => {
        clearTimeout(timer);
        const body = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text: body.toString('utf8') });
      });
    });
  });
}

/** Sends one request with its whole body and resolves with the complete response. */
export function rawRequest(target: RawTarget, req: RawRequest): Promise<RawResponse> {
  const headers = { ...req.headers };
  // Node sends a DELETE or GET body neither chunked nor with a length unless told: give every body its length.
  if (req.body !== undefined && headers['Transfer-Encoding'] === undefined) headers['Content-Length'] = String(Buffer.byteLength(req.body));
  const clientRequest = request(rawRequestOptions(target, { ...req, headers }));
  const done = collectResponse(clientRequest, `${req.method ?? 'GET'} ${req.path.slice(0, 200)}`, req.timeoutMs);
  clientRequest.end(req.body);
  return done;
}
