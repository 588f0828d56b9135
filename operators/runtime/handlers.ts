// Handlers map a cache event to the requests to reconcile (controller-runtime pkg/handler). A request
// is only a key: the event itself never reaches the reconciler, which reads the current state.
import type { ObjectRef, StoreEvent } from './cache.ts';
import type { KubeObject } from './watcher.ts';

/** What to reconcile: a namespace/name key, nothing else (shared/STYLE.md "In this project"). */
export interface Request {
  readonly namespace?: string;
  readonly name: string;
}

export type EventHandler<T> = (event: StoreEvent<T>) => readonly Request[];

/** The request for an object itself. */
export function requestFor(obj: KubeObject): Request {
  const namespace = obj.metadata?.namespace;
  return namespace ? { namespace, name: obj.metadata?.name ?? '' } : { name: obj.metadata?.name ?? '' };
}

/** Reconcile the object the event is about. */
export function enqueueSelf<T extends KubeObject>(): EventHandler<T> {
  return (event) => [requestFor(event.object)];
}

export interface OwnerKind {
  readonly kind: string;
  /** API group of the owner ("machine.openshift.io"); "" for the core group. Unset: any group. */
  readonly group?: string;
}

/**
 * Reconcile the controlling owner (`controller: true` ownerReference) of the given kind. On an update
 * the old owner is reconciled too, so an owner that lost the object hears about it
 * (controller-runtime handler/enqueue_owner.go). Owners are assumed to live in the object's namespace,
 * as ownerReferences require.
 */
export function enqueueOwner<T extends KubeObject>(owner: OwnerKind): EventHandler<T> {
  const ownerOf = (obj: KubeObject): Request | undefined => {
    const ref = obj.metadata?.ownerReferences?.find(
      (r) => r.controller === true && r.kind === owner.kind && (owner.group === undefined || groupOf(r.apiVersion) === owner.group),
    );
    if (!ref) return undefined;
    const namespace = obj.metadata?.namespace;
    return namespace ? { namespace, name: ref.name } : { name: ref.name };
  };
  return (event) => {
    const objects = event.type === 'update' ? [event.oldObject, event.object] : [event.object];
    return dedupe(objects.map(ownerOf).filter((r): r is Request => r !== undefined));
  };
}

/** Reconcile whatever `map` returns for the object (and, on update, for the old object as well). */
export function enqueueMapped<T extends KubeObject>(map: (obj: T) => readonly Request[]): EventHandler<T> {
  return (event) => {
    const objects = event.type === 'update' ? [event.oldObject, event.object] : [event.object];
    return dedupe(objects.flatMap(map));
  };
}

/** The store key of a request: "ns/name" or "name". */
export function requestKey(req: Request): string {
  return req.namespace ? `${req.namespace}/${req.name}` : req.name;
}

/** The request of a store key (the inverse of requestKey). */
export function parseRequestKey(key: string): Request {
  const slash = key.indexOf('/');
  return slash < 0 ? { name: key } : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

function dedupe(requests: readonly Request[]): Request[] {
  const byKey = new Map(requests.map((r) => [requestKey(r), r]));
  return [...byKey.values()];
}
