// The floor of "apply a payload": the same manifests sent straight to the API server with server-side apply (as
// the CVO's applier does: PATCH application/apply-patch+yaml, force), run level after run level, each component's
// files in order and the components of a level in parallel, at most as many at once as the CVO's updating workers
// (the same order constraints as its task graph). No payload loading, signature check, status or ClusterVersion:
// what remains is the API work itself.
import type { KubeConfig } from '@kubernetes/client-node';
import { kubeJson } from '../../operators/runtime/kube-http.ts';
import type { BenchManifest } from './payload.ts';

const PLURALS: Readonly<Record<string, string>> = { Namespace: 'namespaces', ConfigMap: 'configmaps', Secret: 'secrets', Deployment: 'deployments' };

function applyPath(m: BenchManifest): string {
  const { apiVersion, kind, metadata } = m.object;
  const base = apiVersion === 'v1' ? '/api/v1' : `/apis/${apiVersion}`;
  const ns = metadata.namespace ? `/namespaces/${metadata.namespace}` : '';
  return `${base}${ns}/${PLURALS[kind]}/${metadata.name}`;
}

/** Applies every manifest, run levels in order, `parallelism` components at a time; resolves with the seconds it took. */
export async function applyFloor(kc: KubeConfig, manifests: readonly BenchManifest[], parallelism: number): Promise<number> {
  const levels = [...new Set(manifests.map((m) => m.runLevel))].sort((a, b) => a - b);
  const started = performance.now();
  for (const level of levels) {
    const atLevel = manifests.filter((m) => m.runLevel === level);
    const queue = [...new Set(atLevel.map((m) => m.component))].map((c) => atLevel.filter((m) => m.component === c));
    const worker = async () => {
      for (let chain = queue.shift(); chain; chain = queue.shift()) {
        for (const m of chain) {
          await kubeJson(kc, applyPath(m), { method: 'PATCH', contentType: 'application/apply-patch+yaml', query: { fieldManager: 'bench-floor', force: true }, body: m.object });
        }
      }
    };
    await Promise.all(Array.from({ length: parallelism }, worker));
  }
  return (performance.now() - started) / 1000;
}
