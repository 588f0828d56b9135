// A cache source for a resource that may not be served. The machine-config operator reads Machines and MachineSets
// only for pools with `osUpdate.strategy: Replace`, and must start on clusters without the Machine API's CRDs
// (InPlace pools only): a plain cache would retry its 404 list forever and never sync, and controllers start only
// once their caches have. Here a 404 list is an empty, synced list; the watch then looks again every `pollMs` and,
// once the resource is served (the CRDs were installed), answers 410 Gone so that the watcher relists it.
import { isNotFound, KubeApiError } from '../runtime/errors.ts';
import { sleep } from '../runtime/wait.ts';
import type { KubeObject, ListerWatcher, RawWatchEvent } from '../runtime/watcher.ts';

/** How often a resource that is not served is looked for again, in ms. */
export const OPTIONAL_RESOURCE_POLL_MS = 10_000;

export interface OptionalResource<T> {
  readonly listerWatcher: ListerWatcher<T>;
  /** Whether the last list found the resource served; undefined before the first list. */
  served(): boolean | undefined;
}

async function* noEvents<T>(): AsyncGenerator<RawWatchEvent<T>> {
  // A watch that ended without events, as a server timeout ends one: the watcher watches again.
}

export function optionalResource<T extends KubeObject>(inner: ListerWatcher<T>, pollMs: number = OPTIONAL_RESOURCE_POLL_MS): OptionalResource<T> {
  let served: boolean | undefined;
  return {
    served: () => served,
    listerWatcher: {
      async list(options) {
        try {
          const page = await inner.list(options);
          served = true;
          return page;
        } catch (err) {
          if (!isNotFound(err)) throw err;
          served = false;
          return { items: [], resourceVersion: '' };
        }
      },
      async watch(options) {
        if (served) return inner.watch(options);
        await sleep(pollMs, options.signal);
        try {
          await inner.list({ limit: 1, signal: options.signal });
        } catch (err) {
          if (isNotFound(err)) return noEvents<T>();
          throw err;
        }
        throw new KubeApiError(410, { code: 410, reason: 'Expired', message: 'the resource is served now: list it' });
      },
    },
  };
}
