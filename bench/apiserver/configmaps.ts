// ConfigMap writes shaped like the reference measurement: small objects (2 keys, about 200 bytes of JSON),
// created by N clients that each keep one request in flight.
import { performance } from 'node:perf_hooks';
import type { BenchClient } from '../http-client.ts';

export function configMapPath(namespace: string, name?: string): string {
  return `/api/v1/namespaces/${namespace}/configmaps${name === undefined ? '' : `/${name}`}`;
}

export function configMapBody(name: string): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, labels: { app: 'apiserver-bench' } },
    data: { 'app.properties': `name=${name}\nreplicas=3\nlog.level=info\n`, 'feature-flags': 'alpha=false,beta=true,gamma=false' },
  });
}

export async function createNamespace(client: BenchClient, name: string): Promise<void> {
  await client.expect(201, 'POST', '/api/v1/namespaces', JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }));
}

export interface CreateRun {
  readonly count: number;
  readonly seconds: number;
  readonly perSecond: number;
}

/**
 * Creates ConfigMaps `${prefix}-${i}` for i in [0, count) in `namespace`, the clients taking the next index
 * as soon as their previous request is answered.
 */
export async function createConfigMaps(clients: readonly BenchClient[], namespace: string, prefix: string, count: number): Promise<CreateRun> {
  let next = 0;
  const path = configMapPath(namespace);
  const started = performance.now();
  await Promise.all(clients.map(async (client) => {
    while (next < count) {
      const i = next++;
      await client.expect(201, 'POST', path, configMapBody(`${prefix}-${i}`));
    }
  }));
  const seconds = (performance.now() - started) / 1000;
  return { count, seconds, perSecond: count / seconds };
}
