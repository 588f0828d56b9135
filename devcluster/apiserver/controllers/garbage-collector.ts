// The ownerReferences garbage collector (apiserver.md §6.3), after kube-controller-manager's
// pkg/controller/garbagecollector/garbagecollector.go: the apiserver only adds the `orphan` and
// `foregroundDeletion` finalizers on DELETE; this loop deletes dependents whose owners are gone, deletes
// dependents ahead of a foreground-deleting owner, and strips references to an orphaning owner.
//
// An index ownerUID → dependents, fed by the store events of every served resource, means deleting an owner
// never scans the whole store. One work key per object; what the work does depends on the object's state:
// * being deleted with `orphan` → orphan its dependents, release the finalizer (attemptToOrphan);
// * being deleted with `foregroundDeletion` → have its dependents deleted, release the finalizer once no
//   dependent with blockOwnerDeletion is left (processDeletingDependentsItem);
// * otherwise, with ownerReferences → classify them and delete the object if no owner is alive
//   (attemptToDeleteItem).
import { deleteObject, FOREGROUND_FINALIZER, ORPHAN_FINALIZER, type PropagationPolicy } from '../handlers/delete.ts';
import type { ServerState } from '../handlers/context.ts';
import type { ServedResource } from '../registry/registry.ts';
import type { StoredObject, StoreEvent } from '../storage/object-store.ts';
import type { KubeObject, OwnerReference } from '../types.ts';
import { removeFinalizer } from './finalizers.ts';
import { informEveryResource, resourceOf, resourceOfKind } from './informers.ts';
import { WorkLoop } from './work-loop.ts';
import { cloneJson } from '../patch/json-values.ts';

/** Work key of one object: "<storageKey>|<namespace>|<name>" ("|" occurs in none of them). */
function itemKey(storageKey: string, namespace: string, name: string): string {
  return `${storageKey}|${namespace}|${name}`;
}

function splitItemKey(key: string): [storageKey: string, namespace: string, name: string] {
  const [storageKey, namespace, name] = key.split('|');
  return [storageKey, namespace, name];
}

/** How a dependent's reference stands (garbagecollector.go classifyReferences). */
type OwnerState =
  | 'solid'
  /** Owner gone, or replaced by an object with another UID. */
  | 'dangling'
  /** Owner being deleted in the foreground: it waits for its dependents. */
  | 'waiting'
  /** The kind is not served (yet): retried when the registry changes, as upstream retries a RESTMapping error. */
  | 'unknown-kind'
  /** A cluster-scoped dependent naming a namespaced owner: upstream reports it and leaves the object alone. */
  | 'invalid';

function hasFinalizer(obj: Readonly<KubeObject>, finalizer: string): boolean {
  return (obj.metadata.finalizers ?? []).includes(finalizer);
}

function ownerRefsOf(obj: Readonly<KubeObject>): OwnerReference[] {
  return obj.metadata.ownerReferences ?? [];
}

export function startGarbageCollector(server: ServerState): () => void {
  /** Owner UID → work keys of the objects that reference it. */
  const dependents = new Map<string, Set<string>>();
  /** Work key → the owner UIDs it is indexed under. */
  const ownersOf = new Map<string, string[]>();
  /** UID → work key of every stored object (to find a referenced owner's key). */
  const keyOfUid = new Map<string, string>();
  /** Objects with an owner of a kind not served yet. */
  const awaitingKinds = new Set<string>();
  const loop = new WorkLoop('garbage-collector', (key) => reconcile(key));

  function index(key: string, ownerUids: string[]): void {
    for (const uid of ownersOf.get(key) ?? []) {
      const set = dependents.get(uid);
      set?.delete(key);
      if (set?.size === 0) dependents.delete(uid);
    }
    if (ownerUids.length === 0) {
      ownersOf.delete(key);
      return;
    }
    ownersOf.set(key, ownerUids);
    for (const uid of ownerUids) {
      let set = dependents.get(uid);
      if (!set) dependents.set(uid, (set = new Set()));
      set.add(key);
    }
  }

  function enqueueUid(uid: string): void {
    const key = keyOfUid.get(uid);
    if (key) loop.enqueue(key);
  }

  function observe(storageKey: string, event: StoreEvent): void {
    const obj = event.current.object;
    const key = itemKey(storageKey, event.current.namespace, event.current.name);
    const uid = obj.metadata.uid ?? '';
    const refs = ownerRefsOf(obj);
    if (event.type === 'DELETED') {
      if (keyOfUid.get(uid) === key) keyOfUid.delete(uid);
      index(key, []);
      awaitingKinds.delete(key);
      // Its dependents may have lost their last owner; a foreground-deleting owner may be unblocked.
      for (const dependent of dependents.get(uid) ?? []) loop.enqueue(dependent);
      for (const ref of refs) enqueueUid(ref.uid);
      return;
    }
    if (uid) keyOfUid.set(uid, key);
    const previousRefs = event.previous ? ownerRefsOf(event.previous.object) : [];
    if (event.type === 'ADDED' || JSON.stringify(refs) !== JSON.stringify(previousRefs)) {
      index(key, refs.map((r) => r.uid));
      if (refs.length > 0) loop.enqueue(key);
      // A dropped reference, or a cleared blockOwnerDeletion, may unblock a foreground-deleting owner.
      for (const ref of previousRefs) enqueueUid(ref.uid);
    }
    if (obj.metadata.deletionTimestamp && (hasFinalizer(obj, ORPHAN_FINALIZER) || hasFinalizer(obj, FOREGROUND_FINALIZER))) loop.enqueue(key);
  }

  function storedOf(key: string): StoredObject | undefined {
    const [storageKey, namespace, name] = splitItemKey(key);
    return server.store.get(storageKey, namespace, name);
  }

  function reconcile(key: string): void {
    let stored = storedOf(key);
    const resource = resourceOf(server, splitItemKey(key)[0]);
    if (!stored || !resource) return;
    if (stored.object.metadata.deletionTimestamp) {
      if (hasFinalizer(stored.object, ORPHAN_FINALIZER)) {
        orphanDependents(stored);
        stored = removeFinalizer(server, resource, stored, ORPHAN_FINALIZER);
      }
      if (stored && hasFinalizer(stored.object, FOREGROUND_FINALIZER)) processDeletingDependents(resource, stored);
      // An object already being deleted otherwise waits for its own finalizers (attemptToDeleteItem).
      return;
    }
    attemptToDelete(key, resource, stored);
  }

  /** Removes the owner's entry from each dependent's ownerReferences (garbagecollector.go orphanDependents). */
  function orphanDependents(owner: StoredObject): void {
    const uid = owner.object.metadata.uid ?? '';
    for (const key of [...(dependents.get(uid) ?? [])]) {
      const dependent = storedOf(key);
      if (dependent) dropReferences(splitItemKey(key)[0], dependent, new Set([uid]));
    }
  }

  /**
   * A foreground-deleting owner: every dependent is looked at again (attemptToDelete deletes it, or drops the
   * reference when another owner is alive); the finalizer goes once no dependent blocks the owner's deletion.
   */
  function processDeletingDependents(resource: ServedResource, owner: StoredObject): void {
    const uid = owner.object.metadata.uid ?? '';
    let blocked = false;
    for (const key of dependents.get(uid) ?? []) {
      const dependent = storedOf(key);
      if (!dependent) continue;
      if (ownerRefsOf(dependent.object).some((r) => r.uid === uid && r.blockOwnerDeletion === true)) blocked = true;
      if (!dependent.object.metadata.deletionTimestamp) loop.enqueue(key);
    }
    if (!blocked) removeFinalizer(server, resource, owner, FOREGROUND_FINALIZER);
  }

  function classify(ref: OwnerReference, dependent: StoredObject): OwnerState {
    const ownerResource = resourceOfKind(server, ref.apiVersion, ref.kind);
    if (!ownerResource) return 'unknown-kind';
    if (dependent.namespace === '' && ownerResource.namespaced) return 'invalid';
    const owner = server.store.get(ownerResource.storageKey, ownerResource.namespaced ? dependent.namespace : '', ref.name);
    if (!owner || owner.object.metadata.uid !== ref.uid) return 'dangling';
    if (owner.object.metadata.deletionTimestamp && hasFinalizer(owner.object, FOREGROUND_FINALIZER)) return 'waiting';
    return 'solid';
  }

  function attemptToDelete(key: string, resource: ServedResource, stored: StoredObject): void {
    const refs = ownerRefsOf(stored.object);
    if (refs.length === 0) return;
    const byState = new Map<OwnerState, OwnerReference[]>();
    for (const ref of refs) {
      const state = classify(ref, stored);
      if (state === 'invalid') return;
      if (state === 'unknown-kind') {
        awaitingKinds.add(key);
        return;
      }
      byState.set(state, [...(byState.get(state) ?? []), ref]);
    }
    awaitingKinds.delete(key);
    const dangling = byState.get('dangling') ?? [];
    const waiting = byState.get('waiting') ?? [];
    if (byState.has('solid')) {
      // A live owner keeps the object; references to gone or foreground-deleting owners are dropped.
      if (dangling.length + waiting.length > 0) dropReferences(resource.storageKey, stored, new Set([...dangling, ...waiting].map((r) => r.uid)));
      return;
    }
    let policy: PropagationPolicy;
    const uid = stored.object.metadata.uid ?? '';
    if (waiting.length > 0 && (dependents.get(uid)?.size ?? 0) > 0) {
      // Its owner waits in the foreground, so its own dependents go first, too.
      policy = 'Foreground';
    } else if (hasFinalizer(stored.object, ORPHAN_FINALIZER)) {
      policy = 'Orphan';
    } else if (hasFinalizer(stored.object, FOREGROUND_FINALIZER)) {
      policy = 'Foreground';
    } else {
      policy = 'Background';
    }
    deleteObject(server, resource, stored, { propagationPolicy: policy, preconditions: { uid } });
  }

  function dropReferences(storageKey: string, stored: StoredObject, uids: Set<string>): void {
    const next = cloneJson(stored.object) as KubeObject;
    const kept = ownerRefsOf(next).filter((r) => !uids.has(r.uid));
    if (kept.length === ownerRefsOf(next).length) return;
    if (kept.length > 0) next.metadata.ownerReferences = kept;
    else delete next.metadata.ownerReferences;
    server.store.put(storageKey, next);
  }

  const stopInforming = informEveryResource(server, () => true, observe);
  // A CRD becoming Established may serve the kind an owner reference names.
  server.registry.onChange(() => {
    for (const key of awaitingKinds) loop.enqueue(key);
  });
  return () => {
    loop.stop();
    stopInforming();
  };
}
