// The benchmark's release: N manifests (default 500) over 5 run levels of 4 components each, a component being a
// Namespace then ConfigMaps, Secrets and Deployments (about 12:7:4: a payload is mostly config). The CVO applies a
// component's files one after another and the components of a run level in parallel (task-graph/graph.ts,
// Updating), so 4 components per level give it parallelism to use. No ClusterOperators: the figure is the apply
// engine against the floor, not how fast fake operators answer.
import { stringify } from 'yaml';

const RUN_LEVELS = 5;
const COMPONENTS_PER_LEVEL = 4;
const COMPONENTS = RUN_LEVELS * COMPONENTS_PER_LEVEL;
const PROFILE_ANNOTATION = 'include.release.openshift.io/self-managed-high-availability';

export interface BenchManifest {
  readonly file: string;
  readonly runLevel: number;
  readonly component: string;
  readonly object: { readonly apiVersion: string; readonly kind: string; readonly metadata: { readonly name: string; readonly namespace?: string } } & Record<string, unknown>;
}

function object(kind: string, namespace: string, name: string, version: string, i: number): BenchManifest['object'] {
  const metadata = { name, namespace, annotations: { [PROFILE_ANNOTATION]: 'true' }, labels: { 'bench.machine-fleet/index': String(i) } };
  switch (kind) {
    case 'ConfigMap':
      return { apiVersion: 'v1', kind, metadata, data: { version, 'config.yaml': `setting: ${i}\nrelease: ${version}\n` } };
    case 'Secret':
      return { apiVersion: 'v1', kind, metadata, type: 'Opaque', stringData: { token: `token-${i}-${version}` } };
    default: {
      const labels = { app: name };
      return {
        apiVersion: 'apps/v1', kind: 'Deployment', metadata,
        spec: {
          replicas: 1, selector: { matchLabels: labels },
          template: { metadata: { labels }, spec: { containers: [{ name: 'main', image: `registry.local:5000/bench/${name}:${version}`, args: ['--v=2'] }] } },
        },
      };
    }
  }
}

/** The manifests of the benchmark release, in payload file order. */
export function benchManifests(total: number, version: string): BenchManifest[] {
  const manifests: BenchManifest[] = [];
  const perComponent = Math.ceil(total / COMPONENTS);
  for (let c = 0; c < COMPONENTS && manifests.length < total; c++) {
    const runLevel = 10 + Math.floor(c / COMPONENTS_PER_LEVEL) * 20;
    const component = `bench${c}`;
    const namespace = `openshift-${component}`;
    const prefix = `0000_${runLevel}_${component}`;
    manifests.push({ file: `${prefix}_000_namespace.yaml`, runLevel, component, object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace, annotations: { [PROFILE_ANNOTATION]: 'true' } } as never } });
    for (let i = 1; i < perComponent && manifests.length < total; i++) {
      const kind = i % 24 < 13 ? 'ConfigMap' : i % 24 < 20 ? 'Secret' : 'Deployment';
      const name = `${component}-${kind.toLowerCase()}-${i}`;
      manifests.push({ file: `${prefix}_${String(i).padStart(3, '0')}_${kind.toLowerCase()}.yaml`, runLevel, component, object: object(kind, namespace, name, version, i) });
    }
  }
  return manifests;
}

/** release-manifests/ files for writeDemoPayload. */
export function benchManifestFiles(manifests: readonly BenchManifest[]): Record<string, string> {
  return Object.fromEntries(manifests.map((m) => [m.file, stringify(m.object)]));
}
