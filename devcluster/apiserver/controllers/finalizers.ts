// Writes of the in-server controllers that end a deletion: releasing a finalizer must behave as the
// update path does (apiserver.md §6.1 "the write that removes the last finalizer deletes the object").
import type { ServerState } from '../handlers/context.ts';
import type { ServedResource } from '../registry/registry.ts';
import type { StoredObject } from '../storage/object-store.ts';
import type { KubeObject } from '../types.ts';
import { cloneJson } from '../patch/json-values.ts';

/** The namespace controller's own finalizer, kept in a Namespace's spec.finalizers (§6.4). */
export const NAMESPACE_FINALIZER = 'kubernetes';

/** A Namespace's spec.finalizers (the namespace controller's, distinct from metadata.finalizers). */
export function namespaceSpecFinalizers(namespace: Readonly<KubeObject>): string[] {
  return ((namespace.spec ?? {}) as { finalizers?: string[] }).finalizers ?? [];
}

/** A Namespace also waits for its spec.finalizers (mirrors handlers/write.ts, which keeps its check private). */
function namespaceFinalizersPending(storageKey: string, obj: KubeObject): boolean {
  return storageKey === '/namespaces' && namespaceSpecFinalizers(obj).length > 0;
}

/**
 * Stores a controller's change to an object as handlers/write.ts commitUpdate does (ShouldDeleteDuringUpdate):
 * a deleting object left without finalizers is removed instead. Returns the stored object, or undefined
 * when the write deleted it.
 */
export function commitControllerWrite(server: ServerState, storageKey: string, next: KubeObject): StoredObject | undefined {
  if ((next.metadata.finalizers ?? []).length === 0) delete next.metadata.finalizers;
  if (next.metadata.deletionTimestamp && next.metadata.finalizers === undefined && !namespaceFinalizersPending(storageKey, next)) {
    server.store.remove(storageKey, next.metadata.namespace ?? '', next.metadata.name ?? '');
    return undefined;
  }
  return server.store.put(storageKey, next);
}

/** Removes one metadata finalizer; undefined when that was the last thing keeping a deleting object. */
export function removeFinalizer(server: ServerState, resource: ServedResource, stored: StoredObject, finalizer: string): StoredObject | undefined {
  const finalizers = stored.object.metadata.finalizers ?? [];
  if (!finalizers.includes(finalizer)) return stored;
  const next = cloneJson(stored.object) as KubeObject;
  next.metadata.finalizers = finalizers.filter((f) => f !== finalizer);
  return commitControllerWrite(server, resource.storageKey, next);
}
