// Integration harness for the cluster-version operator: one embedded API server per suite with the CRDs of crds/,
// an in-memory PayloadSource and SignatureVerifier (the real ones live in payload/ and signatures/), payload
// builders, and a stand-in for the operators the CVO waits on (it writes their ClusterOperator status).
import { createHash } from 'node:crypto';
import { KubeConfig } from '@kubernetes/client-node';
import { startTestServer, type TestServer } from '../../test/support/dev-server.ts';
import { installMachineCrds } from '../../test/support/machine-crds.ts';
import { CLUSTER_OPERATOR_RESOURCE, CLUSTER_VERSION_NAMESPACE, type ClusterOperator } from '../api/config-v1.ts';
import { createCache, type Cache } from '../runtime/cache.ts';
import { isAlreadyExists, isNotFound } from '../runtime/errors.ts';
import { kubeJson } from '../runtime/kube-http.ts';
import { resourcePath } from '../runtime/resource-client.ts';
import type { KubeObject } from '../runtime/watcher.ts';
import type { PayloadSource, ReleaseManifest, ReleasePayload, ReleaseRef, SignatureVerifier, VerificationResult } from './contracts.ts';

export interface CvoTestCluster {
  readonly server: TestServer;
  readonly kc: KubeConfig;
  stop(): Promise<void>;
}

export async function startCvoTestCluster(): Promise<CvoTestCluster> {
  const server = await startTestServer({ ephemeral: true });
  const kc = new KubeConfig();
  kc.loadFromFile(server.api.kubeconfigPath);
  // Every CRD of crds/: the Machine API's and config.openshift.io's.
  await installMachineCrds(kc);
  return { server, kc, stop: () => server.stop() };
}

/** A started ClusterOperator cache, as the operator builds it. */
export async function startClusterOperatorCache(kc: KubeConfig, signal: AbortSignal): Promise<Cache<ClusterOperator>> {
  const cache = createCache<ClusterOperator>(kc, resourcePath(CLUSTER_OPERATOR_RESOURCE, undefined), { name: 'clusteroperators' });
  void cache.start(signal);
  await cache.store.waitForSync(AbortSignal.any([signal, AbortSignal.timeout(5_000)]));
  return cache;
}

export interface OperatorState {
  readonly available?: boolean;
  readonly degraded?: boolean;
  readonly version?: string;
  readonly upgradeable?: boolean;
}

/** Plays the operator `name`: creates its ClusterOperator if needed and writes the status it would report. */
export async function reportOperator(kc: KubeConfig, name: string, state: OperatorState): Promise<void> {
  const ref = CLUSTER_OPERATOR_RESOURCE;
  try {
    await kubeJson(kc, resourcePath(ref, undefined), { method: 'POST', body: { apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name }, spec: {} } });
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
  }
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const condition = (type: string, value: boolean) => ({ type, status: value ? 'True' : 'False', lastTransitionTime: now, reason: 'AsExpected', message: `${type} is ${value}` });
  const conditions = [
    condition('Available', state.available ?? true),
    condition('Degraded', state.degraded ?? false),
    condition('Progressing', false),
    ...(state.upgradeable === false ? [{ ...condition('Upgradeable', false), reason: 'AdminAckRequired', message: 'An admin must acknowledge the API removals' }] : []),
  ];
  await kubeJson(kc, resourcePath(ref, undefined, name, 'status'), {
    method: 'PATCH',
    contentType: 'application/merge-patch+json',
    body: { status: { conditions, versions: state.version ? [{ name: 'operator', version: state.version }] : [] } },
  });
}

export async function getObject<T = KubeObject>(kc: KubeConfig, path: string): Promise<T | undefined> {
  try {
    return await kubeJson<T>(kc, path);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** A core/v1 Event, the fields the tests read. */
export interface CoreEvent {
  readonly metadata: { readonly name: string; readonly namespace: string };
  readonly involvedObject: { readonly apiVersion?: string; readonly kind?: string; readonly name?: string; readonly namespace?: string; readonly uid?: string };
  readonly type: 'Normal' | 'Warning';
  readonly reason: string;
  readonly message: string;
  readonly count: number;
  readonly source?: { readonly component?: string };
}

/**
 * The Events about ClusterVersion "version" in openshift-cluster-version, oldest first: an Event's name is
 * "version.<creation time in ns, hex>", as client-go names them, so it orders them within a second too.
 */
export async function clusterVersionEvents(kc: KubeConfig): Promise<CoreEvent[]> {
  const list = await kubeJson<{ items: CoreEvent[] }>(kc, `/api/v1/namespaces/${CLUSTER_VERSION_NAMESPACE}/events`, {
    query: { fieldSelector: 'involvedObject.kind=ClusterVersion,involvedObject.name=version' },
  }).catch((err: unknown) => {
    if (isNotFound(err)) return { items: [] }; // no namespace yet: no Event yet
    throw err;
  });
  const created = (e: CoreEvent) => BigInt(`0x${e.metadata.name.slice(e.metadata.name.lastIndexOf('.') + 1)}`);
  return list.items.sort((a, b) => (created(a) < created(b) ? -1 : created(a) > created(b) ? 1 : 0));
}

/** A manifest as the payload loader produces it. */
export function manifest(file: string, object: KubeObject): ReleaseManifest {
  const match = /^0000_(\d+)_([a-zA-Z0-9]+(?:-[a-zA-Z0-9]+)*?)_/.exec(file);
  return { file, index: 0, runLevel: match?.[1], component: match?.[2], object };
}

export function configMapManifest(file: string, namespace: string, name: string, data: Record<string, string>, annotations?: Record<string, string>): ReleaseManifest {
  return manifest(file, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace, ...(annotations ? { annotations } : {}) }, data } as KubeObject);
}

export function clusterOperatorManifest(file: string, name: string, version: string): ReleaseManifest {
  return manifest(file, {
    apiVersion: 'config.openshift.io/v1',
    kind: 'ClusterOperator',
    metadata: { name },
    status: { versions: [{ name: 'operator', version }], relatedObjects: [{ group: '', resource: 'namespaces', name: `openshift-${name}` }] },
  } as KubeObject);
}

/**
 * A release of `components`, each with a namespace, a ConfigMap carrying the version, and a ClusterOperator
 * gated on that version, at run levels 10, 20, 30…
 */
export function demoPayload(version: string, components: readonly string[], options: { extra?: readonly ReleaseManifest[] } = {}): ReleasePayload {
  const manifests: ReleaseManifest[] = [];
  components.forEach((component, i) => {
    const level = String(10 * (i + 1)).padStart(2, '0');
    const ns = `openshift-${component}`;
    manifests.push(manifest(`0000_${level}_${component}_00_namespace.yaml`, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }));
    manifests.push(configMapManifest(`0000_${level}_${component}_01_config.yaml`, ns, `${component}-config`, { version }));
    manifests.push(clusterOperatorManifest(`0000_${level}_${component}_99_clusteroperator.yaml`, component, version));
  });
  manifests.push(...(options.extra ?? []));
  manifests.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  const digest = `sha256:${createHash('sha256').update(`${version}:${manifests.map((m) => m.file).join(',')}`).digest('hex')}`;
  return {
    version,
    digest,
    pullSpec: `registry.local:5000/ocp/release@${digest}`,
    metadata: { kind: 'cincinnati-metadata-v0', version },
    images: [],
    manifests,
  };
}

/** PayloadSource over a fixed set of payloads, by pull spec; `fail` makes a load throw. */
export class MemoryPayloadSource implements PayloadSource {
  readonly #payloads = new Map<string, ReleasePayload>();
  readonly failures = new Map<string, Error>();
  loads = 0;

  constructor(payloads: readonly ReleasePayload[]) {
    for (const p of payloads) this.add(p);
  }

  add(payload: ReleasePayload): void {
    this.#payloads.set(payload.pullSpec, payload);
  }

  async load(ref: ReleaseRef): Promise<ReleasePayload> {
    this.loads++;
    const failure = this.failures.get(ref.image ?? '');
    if (failure) throw failure;
    const payload = this.#payloads.get(ref.image ?? '');
    if (!payload) throw new Error(`manifest unknown: ${ref.image}`);
    return payload;
  }
}

/** Verifies the digests it was told are signed. */
export class MemoryVerifier implements SignatureVerifier {
  readonly signed = new Set<string>();

  async verify(digest: string): Promise<VerificationResult> {
    if (this.signed.has(digest)) return { verified: true, keys: ['verifier-public-key-dev'] };
    return { verified: false, reason: 'NoSignature', message: `unable to verify ${digest} against keyrings: verifier-public-key-dev` };
  }
}

/** Demo payloads of `versions`, a payload source serving them and a verifier trusting every one of them. */
export function signedDemoReleases(versions: readonly string[], components: readonly string[]): {
  readonly releases: Record<string, ReleasePayload>;
  readonly source: MemoryPayloadSource;
  readonly verifier: MemoryVerifier;
} {
  const releases = Object.fromEntries(versions.map((v) => [v, demoPayload(v, components)]));
  const verifier = new MemoryVerifier();
  for (const p of Object.values(releases)) verifier.signed.add(p.digest);
  return { releases, source: new MemoryPayloadSource(Object.values(releases)), verifier };
}

export interface SimulatedOperators {
  /** Pin an operator: it keeps reporting this version (or is unavailable) whatever its config says. */
  pin(name: string, state: OperatorState | undefined): void;
  stop(): Promise<void>;
}

/**
 * Plays the operators of demoPayload's components: each reports, as its ClusterOperator version, the version in
 * its `<name>-config` ConfigMap, the way a real operator reports a version once its new operand runs.
 */
export function simulateOperators(kc: KubeConfig, components: readonly string[], intervalMs = 20): SimulatedOperators {
  const pins = new Map<string, OperatorState>();
  const reported = new Map<string, string>();
  const stop = new AbortController();
  const loop = (async () => {
    while (!stop.signal.aborted) {
      for (const name of components) {
        const pinned = pins.get(name);
        const config = await getObject<{ data?: Record<string, string> }>(kc, `/api/v1/namespaces/openshift-${name}/configmaps/${name}-config`).catch(() => undefined);
        const state: OperatorState | undefined = pinned ?? (config?.data?.version ? { version: config.data.version } : undefined);
        if (!state) continue;
        const key = JSON.stringify(state);
        if (reported.get(name) === key) continue;
        await reportOperator(kc, name, state).then(() => reported.set(name, key), () => undefined);
      }
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  })();
  return {
    pin(name, state) {
      if (state) pins.set(name, state);
      else pins.delete(name);
    },
    async stop() {
      stop.abort();
      await loop;
    },
  };
}
