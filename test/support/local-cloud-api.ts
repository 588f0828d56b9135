// The dev cluster's local cloud seen from outside, through its HTTP API (devcluster/local-cloud/README.md), as a
// user with curl would: which instances exist, and the fault knobs that widen a test's window.
import type { Instance } from '../../devcluster/local-cloud/types.ts';

export type { Instance as CloudInstance } from '../../devcluster/local-cloud/types.ts';

/** The fault knobs of POST /v1/faults; unset fields keep their value. */
export interface CloudFaults {
  readonly failNextCreates?: number;
  readonly statusCode?: number;
  readonly throttle?: boolean;
  readonly latencyMs?: number;
}

async function call<T>(endpoint: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(new URL(path, endpoint), {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`local cloud ${method} ${path}: ${res.status} ${text}`);
  return (text === '' ? undefined : JSON.parse(text)) as T;
}

/** GET /v1/instances: every listed instance, terminated ones included, optionally filtered by tags. */
export async function listInstances(endpoint: string, tags: Readonly<Record<string, string>> = {}): Promise<Instance[]> {
  const query = new URLSearchParams(Object.entries(tags).map(([key, value]) => [`tag:${key}`, value]));
  const path = `/v1/instances${query.size > 0 ? `?${query}` : ''}`;
  return (await call<{ instances: Instance[] }>(endpoint, 'GET', path)).instances;
}

/** POST /v1/faults. */
export async function setCloudFaults(endpoint: string, faults: CloudFaults): Promise<void> {
  await call(endpoint, 'POST', '/v1/faults', faults);
}

/** DELETE /v1/faults: back to no faults. */
export async function clearCloudFaults(endpoint: string): Promise<void> {
  await call(endpoint, 'DELETE', '/v1/faults');
}
