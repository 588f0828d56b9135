// List-then-watch subscriptions for the in-server controllers, as client-go informers give
// kube-controller-manager: objects already stored are delivered as ADDED first (a restart restores the
// store before the controllers start), then live events follow. Listeners only record and enqueue work;
// the work itself runs in a WorkLoop.
import type { ServerState } from '../handlers/context.ts';
import type { ServedResource } from '../registry/registry.ts';
import type { StoreEvent, StoreListener } from '../storage/object-store.ts';

/** Delivers every stored object of `storageKey` as ADDED, then its live events. Returns the unsubscribe. */
export function inform(server: ServerState, storageKey: string, listener: StoreListener): () => void {
  for (const stored of server.store.list(storageKey)) listener({ type: 'ADDED', rv: stored.rv, current: stored, previous: undefined });
  return server.store.subscribe(storageKey, listener);
}

/**
 * Informs on every storage key the registry serves and `accepts` (once per key: events.k8s.io and core
 * Events share one), including resources of CRDs that become Established later.
 */
export function informEveryResource(
  server: ServerState,
  accepts: (resource: ServedResource) => boolean,
  listener: (storageKey: string, event: StoreEvent) => void,
): () => void {
  const subscriptions = new Map<string, () => void>();
  let stopped = false;
  const sync = (): void => {
    if (stopped) return;
    for (const resource of server.registry.all()) {
      const key = resource.storageKey;
      if (subscriptions.has(key) || !accepts(resource)) continue;
      subscriptions.set(key, inform(server, key, (event) => listener(key, event)));
    }
  };
  // The registry has no way to unsubscribe; `stopped` turns the callback into a no-op.
  server.registry.onChange(sync);
  sync();
  return () => {
    stopped = true;
    for (const unsubscribe of subscriptions.values()) unsubscribe();
    subscriptions.clear();
  };
}

/** The resource behind a storage key (any served version: they share storage, scope and strategy). */
export function resourceOf(server: ServerState, storageKey: string): ServedResource | undefined {
  return server.registry.versionsOf(storageKey)[0];
}

/** Resolves an ownerReference-style apiVersion and kind to the served resource, as a RESTMapper would. */
export function resourceOfKind(server: ServerState, apiVersion: string, kind: string): ServedResource | undefined {
  const slash = apiVersion.indexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
  return server.registry.byKind(group, version, kind);
}

/** The inverse of object-store's objectKey: "<namespace>/<name>" (names never contain "/"). */
export function splitObjectKey(key: string): { namespace: string; name: string } {
  const slash = key.indexOf('/');
  return { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}
