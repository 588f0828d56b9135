// The API client and live collections, for components: the client comes from context (set once the user has a
// token), and useWatchedList keeps a list+watch running while a component shows it.
import { createContext, useContext, useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import type { KubeObject } from '../../../operators/runtime/watcher.ts';
import type { ApiClient } from '../api/client.ts';
import { ObjectCache, type CacheState } from '../api/object-cache.ts';
import { collectionPath, type ApiResource } from '../api/resources.ts';
import { runListWatch } from '../api/watch.ts';

const ApiContext = createContext<ApiClient | undefined>(undefined);
export const ApiProvider = ApiContext.Provider;

export function useApi(): ApiClient {
  const api = useContext(ApiContext);
  if (!api) throw new Error('useApi outside ApiProvider');
  return api;
}

export interface WatchTarget {
  readonly resource: ApiResource;
  /** All namespaces when undefined. */
  readonly namespace?: string;
  /** A label or field selector query, e.g. `fieldSelector=metadata.name%3Dversion`. */
  readonly query?: string;
}

/** The live contents of a collection: listed, then kept current by a watch until the component unmounts. */
export function useWatchedList<T extends KubeObject>(target: WatchTarget): CacheState<T> {
  const api = useApi();
  const path = collectionPath(target.resource, target.namespace);
  const query = target.query ?? '';
  const cache = useMemo(() => new ObjectCache<T>(), [api, path, query]);
  useEffect(() => {
    const abort = new AbortController();
    void runListWatch(api, path, query, cache, abort.signal);
    return () => abort.abort();
  }, [api, path, query, cache]);
  return useSyncExternalStore(cache.subscribe, cache.getState);
}

/** Date.now(), refreshed every `intervalMs`, for age columns. */
export function useNow(intervalMs = 10_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}
