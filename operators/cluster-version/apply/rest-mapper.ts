// apiVersion + kind → where the resource is served, from API discovery (/api/v1, /apis/<group>/<version>). A
// payload brings its own CRDs, so a kind that is not found is looked up again once (its CRD may just have been
// established) before NoKindMatchError is raised; found group-versions are cached for the life of the mapper.
import type { ResourceRef } from '../../runtime/resource-client.ts';
import type { KubeRequester } from './requester.ts';
import { NoKindMatchError } from './update-error.ts';

export interface ResourceMapping extends ResourceRef {
  readonly namespaced: boolean;
}

interface ApiResourceList {
  readonly resources?: ReadonlyArray<{ readonly name: string; readonly kind: string; readonly namespaced: boolean }>;
}

export class RestMapper {
  readonly #request: KubeRequester;
  /** groupVersion → kind → mapping; a pending lookup is shared by concurrent callers. */
  readonly #cache = new Map<string, Promise<Map<string, ResourceMapping>>>();

  constructor(request: KubeRequester) {
    this.#request = request;
  }

  async mappingFor(apiVersion: string, kind: string, signal?: AbortSignal): Promise<ResourceMapping> {
    const cached = (await this.#lookup(apiVersion, false, signal)).get(kind);
    if (cached) return cached;
    const fresh = (await this.#lookup(apiVersion, true, signal)).get(kind);
    if (!fresh) throw new NoKindMatchError(apiVersion, kind);
    return fresh;
  }

  #lookup(apiVersion: string, refresh: boolean, signal?: AbortSignal): Promise<Map<string, ResourceMapping>> {
    const existing = this.#cache.get(apiVersion);
    if (existing && !refresh) return existing;
    const slash = apiVersion.indexOf('/');
    const [group, version] = slash < 0 ? ['', apiVersion] : [apiVersion.slice(0, slash), apiVersion.slice(slash + 1)];
    const path = group === '' ? `/api/${version}` : `/apis/${group}/${version}`;
    const lookup = this.#request<ApiResourceList>(path, { signal }).then(
      (list) => {
        const byKind = new Map<string, ResourceMapping>();
        for (const r of list.resources ?? []) {
          if (!r.name.includes('/')) byKind.set(r.kind, { group, version, plural: r.name, namespaced: r.namespaced });
        }
        return byKind;
      },
      (err: unknown) => {
        // A group-version that is not served yet is an empty mapping, not a cached failure.
        this.#cache.delete(apiVersion);
        if ((err as { code?: unknown }).code === 404) return new Map<string, ResourceMapping>();
        throw err;
      },
    );
    this.#cache.set(apiVersion, lookup);
    return lookup;
  }
}
