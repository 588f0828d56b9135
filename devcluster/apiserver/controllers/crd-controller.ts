// CustomResourceDefinition lifecycle (apiserver.md §9.1): accept names, set Established at once, serve the
// versions; on delete mark Terminating, delete every custom resource (respecting their finalizers), then
// release the cleanup finalizer so the CRD goes and its endpoints with it.
import { deleteObject } from '../handlers/delete.ts';
import type { ServerState } from '../handlers/context.ts';
import { timestamp } from '../handlers/write-pipeline.ts';
import { crdResources, type CrdSpec } from '../registry/crd-resources.ts';
import type { KubeObject } from '../types.ts';
import { WorkLoop } from './work-loop.ts';
import { cloneJson } from '../patch/json-values.ts';

const CRD_KEY = 'apiextensions.k8s.io/customresourcedefinitions';
export const CLEANUP_FINALIZER = 'customresourcecleanup.apiextensions.k8s.io';

interface Condition {
  type: string;
  status: string;
  reason: string;
  message: string;
  lastTransitionTime: string;
}

function setCondition(conditions: Condition[], next: Omit<Condition, 'lastTransitionTime'>, now: string): Condition[] {
  const existing = conditions.find((c) => c.type === next.type);
  const lastTransitionTime = existing && existing.status === next.status ? existing.lastTransitionTime : now;
  return [...conditions.filter((c) => c.type !== next.type), { ...next, lastTransitionTime }];
}

/** A name already taken by another CRD of the same group (naming_controller.go). */
function nameConflict(server: ServerState, crd: KubeObject): string | undefined {
  const spec = crd.spec as CrdSpec;
  for (const other of server.store.list(CRD_KEY)) {
    if (other.name === crd.metadata.name) continue;
    const otherSpec = other.object.spec as CrdSpec;
    const accepted = ((other.object.status as { acceptedNames?: CrdSpec['names'] } | undefined)?.acceptedNames) ?? otherSpec.names;
    if (otherSpec.group !== spec.group) continue;
    if (accepted.plural === spec.names.plural) return `"${spec.names.plural}" is already in use`;
    if (accepted.kind === spec.names.kind) return `"${spec.names.kind}" is already in use`;
  }
  return undefined;
}

export function startCrdController(server: ServerState): () => void {
  const loop = new WorkLoop('crd-controller', (name) => reconcile(name));

  function reconcile(name: string): void {
    const stored = server.store.get(CRD_KEY, '', name);
    if (!stored) {
      server.registry.setCrd(name, [], false);
      return;
    }
    const crd = stored.object as KubeObject;
    const spec = crd.spec as CrdSpec;
    const now = timestamp(server.now());
    const status = cloneJson((crd.status ?? {}) as Record<string, unknown>);
    let conditions = (status.conditions as Condition[] | undefined) ?? [];
    const conflict = nameConflict(server, crd);
    const terminating = crd.metadata.deletionTimestamp !== undefined;
    if (conflict) {
      conditions = setCondition(conditions, { type: 'NamesAccepted', status: 'False', reason: 'NameConflict', message: conflict }, now);
    } else {
      conditions = setCondition(conditions, { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found' }, now);
      if (!conditions.some((c) => c.type === 'Established' && c.status === 'True')) {
        conditions = setCondition(conditions, { type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' }, now);
      }
      status.acceptedNames = {
        plural: spec.names.plural,
        singular: spec.names.singular ?? spec.names.kind.toLowerCase(),
        kind: spec.names.kind,
        listKind: spec.names.listKind ?? `${spec.names.kind}List`,
        ...(spec.names.shortNames ? { shortNames: spec.names.shortNames } : {}),
        ...(spec.names.categories ? { categories: spec.names.categories } : {}),
      };
      const storage = spec.versions.find((v) => v.storage)?.name;
      const stored = (status.storedVersions as string[] | undefined) ?? [];
      if (storage && !stored.includes(storage)) status.storedVersions = [...stored, storage];
    }
    if (terminating) {
      conditions = setCondition(conditions, { type: 'Terminating', status: 'True', reason: 'InstanceDeletionInProgress', message: 'CustomResource deletion is in progress' }, now);
    }
    status.conditions = conditions;

    const established = conditions.some((c) => c.type === 'Established' && c.status === 'True');
    if (established || conditions.some((c) => c.type === 'NamesAccepted' && c.status === 'True')) {
      server.registry.setCrd(name, crdResources(crd), terminating);
    }
    if (JSON.stringify(status) !== JSON.stringify(crd.status ?? {})) {
      const next = cloneJson(crd) as KubeObject;
      next.status = status;
      server.store.put(CRD_KEY, next);
      return; // the write re-enqueues this CRD
    }
    if (terminating) cleanUp(crd, spec);
  }

  /** Deletes the custom resources of a terminating CRD; releases the finalizer once none is left. */
  function cleanUp(crd: KubeObject, spec: CrdSpec): void {
    const storageKey = `${spec.group}/${spec.names.plural}`;
    const resource = server.registry.versionsOf(storageKey)[0];
    const remaining = server.store.list(storageKey);
    if (resource && remaining.length > 0) {
      for (const stored of remaining) {
        if (!stored.object.metadata.deletionTimestamp) deleteObject(server, resource, stored, {});
      }
      return; // the DELETED events of the custom resources bring us back
    }
    const finalizers = (crd.metadata.finalizers ?? []).filter((f) => f !== CLEANUP_FINALIZER);
    if (finalizers.length === (crd.metadata.finalizers ?? []).length) return;
    const next = cloneJson(crd) as KubeObject;
    next.metadata.finalizers = finalizers;
    if (finalizers.length === 0) server.store.remove(CRD_KEY, '', crd.metadata.name ?? '');
    else server.store.put(CRD_KEY, next);
  }

  const unsubscribe = server.store.subscribe(CRD_KEY, (event) => loop.enqueue(event.current.name));
  const customResourceWatches = new Map<string, () => void>();
  // When a custom resource of a terminating CRD goes, look at its CRD again.
  server.registry.onChange(() => {
    for (const resource of server.registry.all()) {
      if (!resource.crdName || customResourceWatches.has(resource.storageKey)) continue;
      const crdName = resource.crdName;
      customResourceWatches.set(resource.storageKey, server.store.subscribe(resource.storageKey, (event) => {
        if (event.type === 'DELETED') loop.enqueue(crdName);
      }));
    }
  });
  for (const stored of server.store.list(CRD_KEY)) reconcile(stored.name);
  return () => {
    loop.stop();
    unsubscribe();
    for (const stop of customResourceWatches.values()) stop();
  };
}
