// Adding and removing our finalizer with JSON patches guarded by `test` ops (kube-rs
// kube-runtime/src/finalizer.rs): the patch applies only to the list we read, so it can never drop or
// duplicate another controller's entry. If someone changed the list meanwhile, the API server answers
// 422 (test failed); like any error but TerminalError, the controller retries it with fresh data.
import { isNotFound } from './errors.ts';
import type { JsonPatchOp, ResourceWriter, ResourceRef } from './resource-client.ts';
import type { KubeObject } from './watcher.ts';

export function hasFinalizer(obj: KubeObject, finalizer: string): boolean {
  return obj.metadata?.finalizers?.includes(finalizer) ?? false;
}

/** Deletion was requested; the object stays until every finalizer is removed. */
export function isDeleting(obj: KubeObject): boolean {
  return obj.metadata?.deletionTimestamp !== undefined && obj.metadata.deletionTimestamp !== null;
}

/** The guarded JSON patch that adds `finalizer`, or undefined when it is already there. */
export function addFinalizerPatch(obj: KubeObject, finalizer: string): JsonPatchOp[] | undefined {
  const current = obj.metadata?.finalizers ?? [];
  if (current.includes(finalizer)) return undefined;
  if (current.length === 0) {
    // A missing list and an empty one both read as []: `test` against null accepts a missing field
    // (RFC 6902 as implemented by kube-apiserver's json-patch), and the add creates the list.
    return [
      { op: 'test', path: '/metadata/finalizers', value: obj.metadata?.finalizers === undefined ? null : [] },
      { op: 'add', path: '/metadata/finalizers', value: [finalizer] },
    ];
  }
  return [
    { op: 'test', path: '/metadata/finalizers', value: [...current] },
    { op: 'add', path: '/metadata/finalizers/-', value: finalizer },
  ];
}

/** The guarded JSON patch that removes `finalizer`, or undefined when it is absent. */
export function removeFinalizerPatch(obj: KubeObject, finalizer: string): JsonPatchOp[] | undefined {
  const index = obj.metadata?.finalizers?.indexOf(finalizer) ?? -1;
  if (index < 0) return undefined;
  const path = `/metadata/finalizers/${index}`;
  return [
    { op: 'test', path, value: finalizer },
    { op: 'remove', path },
  ];
}

/**
 * Adds `finalizer` to `obj` as read; false when there was nothing to do. An object already being
 * deleted is left alone: the API server forbids new finalizers then, and cleanup must not depend on one.
 */
export async function addFinalizer(client: ResourceWriter, ref: ResourceRef, obj: KubeObject, finalizer: string): Promise<boolean> {
  if (isDeleting(obj)) return false;
  const patch = addFinalizerPatch(obj, finalizer);
  if (!patch) return false;
  await client.patch(ref, obj.metadata?.namespace, obj.metadata?.name ?? '', 'application/json-patch+json', patch);
  return true;
}

/** Removes `finalizer` from `obj` as read; false when there was nothing to do or the object is gone. */
export async function removeFinalizer(client: ResourceWriter, ref: ResourceRef, obj: KubeObject, finalizer: string): Promise<boolean> {
  const patch = removeFinalizerPatch(obj, finalizer);
  if (!patch) return false;
  try {
    await client.patch(ref, obj.metadata?.namespace, obj.metadata?.name ?? '', 'application/json-patch+json', patch);
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}
