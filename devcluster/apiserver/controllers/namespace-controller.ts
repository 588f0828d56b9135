// Namespace deletion (apiserver.md §6.4), after kube-controller-manager's pkg/controller/namespace/deletion:
// a Namespace with a deletionTimestamp has all its namespaced content deleted (each object's own finalizers
// are honoured), its status conditions say what is left, and once nothing is left the `kubernetes` entry
// of spec.finalizers is released, which lets the Namespace go. deleteObject already set phase Terminating.
import { deleteObject } from '../handlers/delete.ts';
import type { ServerState } from '../handlers/context.ts';
import { timestamp } from '../handlers/write-pipeline.ts';
import type { ServedResource } from '../registry/registry.ts';
import type { StoreEvent } from '../storage/object-store.ts';
import type { KubeObject } from '../types.ts';
import { commitControllerWrite, NAMESPACE_FINALIZER, namespaceSpecFinalizers } from './finalizers.ts';
import { inform, informEveryResource } from './informers.ts';
import { WorkLoop } from './work-loop.ts';
import { cloneJson } from '../patch/json-values.ts';

const NAMESPACES = '/namespaces';

export interface NamespaceCondition {
  type: string;
  status: 'True' | 'False';
  lastTransitionTime: string;
  reason: string;
  message: string;
}

/** What is left in a terminating namespace, per resource and per finalizer. */
export interface RemainingContent {
  /** "<plural>.<group>" → count; the core group leaves a bare trailing dot, as upstream prints it. */
  resources: Map<string, number>;
  finalizers: Map<string, number>;
}

/**
 * The five deletion conditions in upstream order (status_condition_utils.go): the three failure conditions
 * stay False here (discovery and deletion cannot fail in-process); ContentRemaining and FinalizersRemaining
 * report what is left, with upstream's messages.
 */
export function deletionConditions(remaining: RemainingContent): Array<Omit<NamespaceCondition, 'lastTransitionTime'>> {
  const describe = (counts: Map<string, number>, verb: string): string =>
    [...counts].map(([name, n]) => `${name} ${verb} ${n} resource instances`).sort().join(', ');
  return [
    { type: 'NamespaceDeletionDiscoveryFailure', status: 'False', reason: 'ResourcesDiscovered', message: 'All resources successfully discovered' },
    { type: 'NamespaceDeletionGroupVersionParsingFailure', status: 'False', reason: 'ParsedGroupVersions', message: 'All legacy kube types successfully parsed' },
    { type: 'NamespaceDeletionContentFailure', status: 'False', reason: 'ContentDeleted', message: 'All content successfully deleted, may be waiting on finalization' },
    remaining.resources.size > 0
      ? { type: 'NamespaceContentRemaining', status: 'True', reason: 'SomeResourcesRemain', message: `Some resources are remaining: ${describe(remaining.resources, 'has')}` }
      : { type: 'NamespaceContentRemaining', status: 'False', reason: 'ContentRemoved', message: 'All content successfully removed' },
    remaining.finalizers.size > 0
      ? { type: 'NamespaceFinalizersRemaining', status: 'True', reason: 'SomeFinalizersRemain', message: `Some content in the namespace has finalizers remaining: ${describe(remaining.finalizers, 'in')}` }
      : { type: 'NamespaceFinalizersRemaining', status: 'False', reason: 'ContentHasNoFinalizers', message: 'All content-preserving finalizers finished' },
  ];
}

/** Upstream updateCondition: the transition time moves only when the status flips; reason and message follow. */
function mergeConditions(existing: NamespaceCondition[], next: Array<Omit<NamespaceCondition, 'lastTransitionTime'>>, now: string): NamespaceCondition[] {
  const merged = existing.map((c) => ({ ...c }));
  for (const condition of next) {
    const current = merged.find((c) => c.type === condition.type);
    if (!current) {
      merged.push({ type: condition.type, status: condition.status, lastTransitionTime: now, reason: condition.reason, message: condition.message });
      continue;
    }
    if (current.status !== condition.status) {
      current.status = condition.status;
      current.lastTransitionTime = now;
    }
    current.reason = condition.reason;
    current.message = condition.message;
  }
  return merged;
}

function isTerminating(server: ServerState, namespace: string): boolean {
  return server.store.get(NAMESPACES, '', namespace)?.object.metadata.deletionTimestamp !== undefined;
}

export function startNamespaceController(server: ServerState): () => void {
  const loop = new WorkLoop('namespace-controller', (name) => reconcile(name));

  /** Every namespaced resource, once per storage key. */
  function namespacedResources(): ServedResource[] {
    const byKey = new Map<string, ServedResource>();
    for (const resource of server.registry.all()) {
      if (resource.namespaced && !byKey.has(resource.storageKey)) byKey.set(resource.storageKey, resource);
    }
    return [...byKey.values()];
  }

  /** Deletes what is not yet being deleted (background propagation, as the namespace deleter) and counts what stays. */
  function deleteContent(namespace: string): RemainingContent {
    const remaining: RemainingContent = { resources: new Map(), finalizers: new Map() };
    for (const resource of namespacedResources()) {
      let left = 0;
      for (const stored of [...server.store.list(resource.storageKey, namespace)]) {
        if (!stored.object.metadata.deletionTimestamp) deleteObject(server, resource, stored, { propagationPolicy: 'Background' });
        const obj = server.store.get(resource.storageKey, namespace, stored.name)?.object;
        if (!obj) continue;
        left++;
        for (const finalizer of obj.metadata.finalizers ?? []) remaining.finalizers.set(finalizer, (remaining.finalizers.get(finalizer) ?? 0) + 1);
      }
      if (left > 0) remaining.resources.set(`${resource.plural}.${resource.group}`, left);
    }
    return remaining;
  }

  function reconcile(name: string): void {
    const stored = server.store.get(NAMESPACES, '', name);
    if (!stored || !stored.object.metadata.deletionTimestamp) return;
    const namespace = stored.object as KubeObject;
    const specFinalizers = namespaceSpecFinalizers(namespace);
    const next = cloneJson(namespace) as KubeObject;
    if (specFinalizers.includes(NAMESPACE_FINALIZER)) {
      const remaining = deleteContent(name);
      const status = (next.status ?? {}) as { conditions?: NamespaceCondition[] };
      status.conditions = mergeConditions(status.conditions ?? [], deletionConditions(remaining), timestamp(server.now()));
      next.status = status;
      // Objects still held by finalizers or grace periods come back through their events.
      if (remaining.resources.size === 0) next.spec = { ...(next.spec as object), finalizers: specFinalizers.filter((f) => f !== NAMESPACE_FINALIZER) };
    }
    // A finalized namespace goes once its metadata.finalizers are gone too (commitControllerWrite removes it).
    const finalized = namespaceSpecFinalizers(next).length === 0 && (next.metadata.finalizers ?? []).length === 0;
    if (finalized || JSON.stringify(next) !== JSON.stringify(namespace)) commitControllerWrite(server, NAMESPACES, next);
  }

  const stopNamespaces = inform(server, NAMESPACES, (event) => {
    if (event.type !== 'DELETED' && event.current.object.metadata.deletionTimestamp) loop.enqueue(event.current.name);
  });
  // Content that goes or changes (a finalizer released) in a terminating namespace: look again.
  const stopContent = informEveryResource(server, (r) => r.namespaced, (_storageKey: string, event: StoreEvent) => {
    if (event.type !== 'ADDED' && isTerminating(server, event.current.namespace)) loop.enqueue(event.current.namespace);
  });
  return () => {
    loop.stop();
    stopNamespaces();
    stopContent();
  };
}
