// List latency as clients see it: for each page, the time from sending the request to the last byte of the
// response, summed over the pages. Paginated lists follow metadata.continue as client-go's pager and kubectl
// do; the client's JSON parsing is left out, so a slow load generator does not count against the server.
import { performance } from 'node:perf_hooks';
import type { BenchClient } from '../http-client.ts';
import { summarize, type LatencySummary } from '../stats.ts';
import { configMapPath } from './configmaps.ts';

/** The Accept header kubectl 1.32 sends for `kubectl get` (server-side printing). */
export const KUBECTL_TABLE_ACCEPT = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';
/** kubectl get's default --chunk-size, and client-go's pager default. */
export const PAGE_SIZE = 500;

export interface ListKind {
  readonly name: string;
  readonly limit?: number;
  readonly accept?: string;
}

export const LIST_KINDS: readonly ListKind[] = [
  { name: 'full JSON list' },
  { name: `paginated list (limit=${PAGE_SIZE})`, limit: PAGE_SIZE },
  { name: `Table list as kubectl (limit=${PAGE_SIZE})`, limit: PAGE_SIZE, accept: KUBECTL_TABLE_ACCEPT },
];

/** Lists every page; returns how many items (or Table rows) came back and the time spent waiting, in ms. */
async function listAll(client: BenchClient, namespace: string, kind: ListKind): Promise<{ items: number; ms: number }> {
  let items = 0;
  let ms = 0;
  let token = '';
  do {
    const query = new URLSearchParams();
    if (kind.limit !== undefined) query.set('limit', String(kind.limit));
    if (token) query.set('continue', token);
    const qs = query.size > 0 ? `?${query}` : '';
    const started = performance.now();
    const body = await client.expect(200, 'GET', `${configMapPath(namespace)}${qs}`, undefined, kind.accept ? { Accept: kind.accept } : {});
    ms += performance.now() - started;
    const page = JSON.parse(body) as { items?: unknown[]; rows?: unknown[]; metadata?: { continue?: string } };
    items += (page.items ?? page.rows ?? []).length;
    token = page.metadata?.continue ?? '';
  } while (token);
  return { items, ms };
}

/**
 * Lists `runs` times and summarises the latencies in milliseconds, with the wall time of the whole measurement;
 * checks that every list saw `expected` items.
 */
export async function measureList(client: BenchClient, namespace: string, kind: ListKind, runs: number, expected: number): Promise<LatencySummary & { seconds: number }> {
  const started = performance.now();
  const samples: number[] = [];
  for (let run = 0; run < runs; run++) {
    const { items, ms } = await listAll(client, namespace, kind);
    samples.push(ms);
    if (items !== expected) throw new Error(`${kind.name}: expected ${expected} items, got ${items}`);
  }
  return { ...summarize(samples), seconds: (performance.now() - started) / 1000 };
}
