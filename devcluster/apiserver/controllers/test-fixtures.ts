// Test helpers of the in-server controllers: a real ObjectStore and Registry with the few resources the
// tests touch (described here rather than imported from builtin-resources.ts, to keep the tests independent
// of the OpenAPI and table modules), object creation as the create handler stores it, and polling.
import { randomUUID } from 'node:crypto';
import type { ServerState } from '../handlers/context.ts';
import { Registry, type ServedResource } from '../registry/registry.ts';
import { ObjectStore, type StoredObject } from '../storage/object-store.ts';
import type { KubeObject } from '../types.ts';

interface ResourceSpec {
  group: string;
  version: string;
  kind: string;
  plural: string;
  namespaced: boolean;
  storageKey?: string;
  scale?: boolean;
  hasGeneration?: boolean;
  returnDeletedObject?: boolean;
}

export function servedResource(spec: ResourceSpec): ServedResource {
  return {
    group: spec.group,
    version: spec.version,
    kind: spec.kind,
    listKind: `${spec.kind}List`,
    plural: spec.plural,
    singular: spec.kind.toLowerCase(),
    namespaced: spec.namespaced,
    shortNames: [],
    categories: [],
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    storageKey: spec.storageKey ?? `${spec.group}/${spec.plural}`,
    storageVersion: spec.version,
    subresources: { status: true, scale: spec.scale ? { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' } : undefined },
    isCustom: false,
    hasGeneration: spec.hasGeneration ?? false,
    allowUnconditionalUpdate: true,
    returnDeletedObject: spec.returnDeletedObject ?? false,
    printer: { columns: [], cells: () => [] },
    fieldSelectors: {},
    strategy: {},
  };
}

export const TEST_RESOURCES: ResourceSpec[] = [
  { group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false },
  { group: '', version: 'v1', kind: 'Node', plural: 'nodes', namespaced: false },
  { group: '', version: 'v1', kind: 'Pod', plural: 'pods', namespaced: true, returnDeletedObject: true },
  { group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespaced: true },
  { group: '', version: 'v1', kind: 'Secret', plural: 'secrets', namespaced: true },
  { group: '', version: 'v1', kind: 'Event', plural: 'events', namespaced: true },
  { group: 'events.k8s.io', version: 'v1', kind: 'Event', plural: 'events', namespaced: true, storageKey: '/events' },
  { group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments', namespaced: true, scale: true, hasGeneration: true },
  { group: 'apps', version: 'v1', kind: 'ReplicaSet', plural: 'replicasets', namespaced: true, scale: true, hasGeneration: true },
  { group: 'policy', version: 'v1', kind: 'PodDisruptionBudget', plural: 'poddisruptionbudgets', namespaced: true, hasGeneration: true },
  { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRole', plural: 'clusterroles', namespaced: false },
];

export function testServer(now: () => Date = () => new Date()): ServerState {
  const registry = new Registry();
  registry.addBuiltins(TEST_RESOURCES.map(servedResource));
  return { store: new ObjectStore(), registry, now, closing: new AbortController().signal };
}

/** Stores an object as a create would: a fresh UID, a creation timestamp, generation 1 where kept. */
export function create(server: ServerState, storageKey: string, obj: KubeObject): StoredObject {
  const resource = server.registry.versionsOf(storageKey)[0];
  const next = structuredClone(obj);
  next.metadata.uid ??= randomUUID();
  next.metadata.creationTimestamp ??= new Date().toISOString().slice(0, 19) + 'Z';
  if (resource?.hasGeneration) next.metadata.generation ??= 1;
  return server.store.put(storageKey, next);
}

export function namespaceObject(name: string): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } };
}

export function configMap(namespace: string, name: string, metadata: Partial<KubeObject['metadata']> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace, ...metadata }, data: { key: 'value' } };
}

/** Resolves once `condition` holds; fails after `timeoutMs` with `what` in the message. */
export async function waitFor(what: string, condition: () => boolean, timeoutMs = 1000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/** Lets the work loops run their pending turns (for asserting that something did NOT happen). */
export async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setTimeout(resolve, 10));
}
