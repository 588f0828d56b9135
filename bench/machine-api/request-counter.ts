// Preloaded into the operator child (`node --import request-counter.ts operators/machine-api/main.ts …`) to count
// the operator's own HTTP requests, from inside its process: the hollow kubelets talk to the same API server, so
// counting at the server would need a way to tell the two apart (they send the same User-Agent). It subscribes to
// the diagnostics channels every HTTP client publishes on (undici, which kubeFetch and the local provider use, and
// node:http), so no operator code changes, and answers the bench over IPC:
//   { op: 'requests' } → RequestReport
// BENCH_API_ORIGIN is the API server's origin; requests elsewhere (the local cloud) are counted apart, by method.
import { subscribe } from 'node:diagnostics_channel';
import type { ClientRequest } from 'node:http';
import { requestKey, type RequestCounts } from './request-verbs.ts';

export interface RequestReport {
  readonly op: 'requests';
  /** Requests to the API server, by "<verb> <resource>". */
  readonly api: RequestCounts;
  /** Requests to anything else (the local cloud), by "<METHOD> <origin>". */
  readonly other: RequestCounts;
  /** API server answers of 400 and above, by "<verb> <resource> <status code>" (409: conflicts). */
  readonly apiErrors: RequestCounts;
  readonly heapUsed: number;
}

export type CounterCommand = { readonly op: 'requests' };

const apiOrigin = process.env.BENCH_API_ORIGIN;
if (!apiOrigin) throw new Error('request-counter: BENCH_API_ORIGIN is not set');
const api: Record<string, number> = {};
const other: Record<string, number> = {};
const apiErrors: Record<string, number> = {};

function increment(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

function count(origin: string, method: string, pathAndQuery: string): void {
  if (origin === apiOrigin) increment(api, requestKey(method, pathAndQuery));
  else increment(other, `${method} ${origin}`);
}

interface UndiciRequest {
  readonly origin: string | URL;
  readonly method: string;
  readonly path: string;
}

// undici publishes every request it creates, fetch included; `origin` is a string or a URL depending on the caller.
subscribe('undici:request:create', (message) => {
  const { request } = message as { request: UndiciRequest };
  count(new URL(String(request.origin)).origin, request.method, request.path);
});
subscribe('undici:request:headers', (message) => {
  const { request, response } = message as { request: UndiciRequest; response: { statusCode: number } };
  if (response.statusCode >= 400 && new URL(String(request.origin)).origin === apiOrigin) {
    increment(apiErrors, `${requestKey(request.method, request.path)} ${response.statusCode}`);
  }
});
subscribe('http.client.request.start', (message) => {
  const { request } = message as { request: ClientRequest };
  count(`${request.protocol}//${String(request.getHeader('host'))}`, request.method, request.path);
});

process.on('message', (message: CounterCommand) => {
  if (message.op !== 'requests') return;
  const report: RequestReport = { op: 'requests', api: { ...api }, other: { ...other }, apiErrors: { ...apiErrors }, heapUsed: process.memoryUsage().heapUsed };
  process.send?.(report);
});
