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
  readonly heapUsed: number;
}

export type CounterCommand = { readonly op: 'requests' };

const apiOrigin = process.env.BENCH_API_ORIGIN;
if (!apiOrigin) throw new Error('request-counter: BENCH_API_ORIGIN is not set');
const api: Record<string, number> = {};
const other: Record<string, number> = {};

function count(origin: string, method: string, pathAndQuery: string): void {
  if (origin === apiOrigin) {
    const key = requestKey(method, pathAndQuery);
    api[key] = (api[key] ?? 0) + 1;
  } else {
    const key = `${method} ${origin}`;
    other[key] = (other[key] ?? 0) + 1;
  }
}

// undici publishes every request it creates, fetch included; `origin` is a string or a URL depending on the caller.
subscribe('undici:request:create', (message) => {
  const { request } = message as { request: { origin: string | URL; method: string; path: string } };
  count(new URL(String(request.origin)).origin, request.method, request.path);
});
subscribe('http.client.request.start', (message) => {
  const { request } = message as { request: ClientRequest };
  count(`${request.protocol}//${String(request.getHeader('host'))}`, request.method, request.path);
});

process.on('message', (message: CounterCommand) => {
  if (message.op !== 'requests') return;
  const report: RequestReport = { op: 'requests', api: { ...api }, other: { ...other }, heapUsed: process.memoryUsage().heapUsed };
  process.send?.(report);
});
