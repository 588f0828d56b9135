// A controller's memory of its own last write to each object, so that it does not act on a cached copy that does
// not show that write yet. The queue runs a key again as soon as any event for it arrives, and that event can be
// older than our write (a Machine's first of two writes, or a Node whose patch is still on its way while the
// Machine's status write already re-queued it): acting on that copy repeats the work, at best an idempotent but
// wasted request, at worst a second actuator call. The watch delivers our write soon and re-queues the key.
// Resource versions are compared as integers (etcd revisions), as cluster-api's WaitForCacheToBeUpToDate does; a
// non-numeric one never counts as behind.
import type { ResourceWriter } from './resource-client.ts';

interface ObjectMetadata {
  readonly namespace?: string;
  readonly name?: string;
  readonly uid?: string;
  readonly resourceVersion?: string;
}

export class OwnWrites {
  /** By "namespace/name": the uid written and its resourceVersion. */
  readonly #byKey = new Map<string, { readonly uid: string; readonly version: bigint }>();

  /** Remembers an object as the API server answered our write. */
  record(written: unknown): void {
    const metadata = (written as { readonly metadata?: ObjectMetadata } | undefined)?.metadata;
    const version = parseVersion(metadata?.resourceVersion);
    if (metadata?.uid && version !== undefined) this.#byKey.set(keyOf(metadata), { uid: metadata.uid, version });
  }

  /** True while the cached object does not include our last write to it. */
  isBehind(cached: { readonly metadata?: ObjectMetadata }): boolean {
    const metadata = cached.metadata ?? {};
    const key = keyOf(metadata);
    const written = this.#byKey.get(key);
    if (!written) return false;
    const version = parseVersion(metadata.resourceVersion);
    if (written.uid === metadata.uid && version !== undefined && version < written.version) return true;
    this.#byKey.delete(key);
    return false;
  }

  /** The object is gone from the cache: nothing to wait for any more. */
  forget(key: { readonly namespace?: string; readonly name: string }): void {
    this.#byKey.delete(keyOf(key));
  }

  /** A writer that records the resourceVersion of every object it patches. */
  recording(client: ResourceWriter): ResourceWriter {
    return {
      patch: async (...args) => {
        const written = await client.patch(...args);
        this.record(written);
        return written;
      },
      create: (...args) => client.create(...args),
    };
  }
}

function keyOf(ref: { readonly namespace?: string; readonly name?: string }): string {
  return `${ref.namespace ?? ''}/${ref.name ?? ''}`;
}

function parseVersion(resourceVersion: string | undefined): bigint | undefined {
  return resourceVersion && /^\d+$/.test(resourceVersion) ? BigInt(resourceVersion) : undefined;
}
