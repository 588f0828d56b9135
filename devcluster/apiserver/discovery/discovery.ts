// Legacy (per group-version) and aggregated (apidiscovery.k8s.io/v2) discovery documents, rendered from the
// registry and cached until it changes (apiserver.md §2). The main resource is listed before its
// subresources: client-node picks a resource by kind from this list.
import { createHash } from 'node:crypto';
import type { Registry, ServedResource } from '../registry/registry.ts';

export const AGGREGATED_CONTENT_TYPE = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

/** Short stable hash of a resource's identity, like storageVersionHash (clients only compare it). */
function storageVersionHash(resource: ServedResource): string {
  return createHash('sha256').update(`${resource.group}/${resource.storageVersion}/${resource.kind}`).digest('base64').slice(0, 11);
}

export function apiResourceList(groupVersion: string, resources: ServedResource[], terminating: (r: ServedResource) => boolean): object {
  const list: object[] = [];
  for (const r of resources) {
    const verbs = terminating(r) ? ['delete', 'deletecollection', 'get', 'list', 'watch'] : r.verbs;
    const main: Record<string, unknown> = { name: r.plural, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs };
    if (r.shortNames.length > 0) main.shortNames = r.shortNames;
    if (r.categories.length > 0) main.categories = r.categories;
    main.storageVersionHash = storageVersionHash(r);
    list.push(main);
    if (r.subresources.status) list.push({ name: `${r.plural}/status`, singularName: '', namespaced: r.namespaced, kind: r.kind, verbs: ['get', 'patch', 'update'] });
    if (r.subresources.scale) list.push({ name: `${r.plural}/scale`, singularName: '', namespaced: r.namespaced, group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] });
    for (const extra of r.subresources.extra ?? []) {
      const entry: Record<string, unknown> = { name: `${r.plural}/${extra.name}`, singularName: '', namespaced: r.namespaced };
      if (extra.group !== undefined) entry.group = extra.group;
      if (extra.version !== undefined) entry.version = extra.version;
      entry.kind = extra.kind;
      entry.verbs = extra.verbs;
      list.push(entry);
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion, resources: list };
}

function aggregatedResource(r: ServedResource, terminating: boolean): object {
  const subresources: object[] = [];
  if (r.subresources.status) subresources.push({ subresource: 'status', responseKind: { group: r.group, version: r.version, kind: r.kind }, verbs: ['get', 'patch', 'update'] });
  if (r.subresources.scale) subresources.push({ subresource: 'scale', responseKind: { group: 'autoscaling', version: 'v1', kind: 'Scale' }, verbs: ['get', 'patch', 'update'] });
  for (const extra of r.subresources.extra ?? []) {
    subresources.push({ subresource: extra.name, responseKind: { group: extra.group ?? r.group, version: extra.version ?? r.version, kind: extra.kind }, verbs: extra.verbs });
  }
  const entry: Record<string, unknown> = {
    resource: r.plural,
    responseKind: { group: r.group, version: r.version, kind: r.kind },
    scope: r.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: r.singular,
    verbs: terminating ? ['delete', 'deletecollection', 'get', 'list', 'watch'] : r.verbs,
  };
  if (r.shortNames.length > 0) entry.shortNames = r.shortNames;
  if (r.categories.length > 0) entry.categories = r.categories;
  if (subresources.length > 0) entry.subresources = subresources;
  return entry;
}

export interface RenderedDocument {
  body: string;
  etag: string;
}

function rendered(value: object): RenderedDocument {
  const body = JSON.stringify(value);
  return { body, etag: `"${createHash('sha256').update(body).digest('hex').slice(0, 32).toUpperCase()}"` };
}

/** Discovery documents for the registry's current revision. */
export class Discovery {
  private readonly registry: Registry;
  private readonly serverAddress: string;
  private revision = -1;
  private cache = new Map<string, RenderedDocument>();

  constructor(registry: Registry, serverAddress: string) {
    this.registry = registry;
    this.serverAddress = serverAddress;
  }

  private cached(key: string, build: () => object): RenderedDocument {
    if (this.revision !== this.registry.revision) {
      this.cache = new Map();
      this.revision = this.registry.revision;
    }
    let doc = this.cache.get(key);
    if (!doc) {
      doc = rendered(build());
      this.cache.set(key, doc);
    }
    return doc;
  }

  apiVersions(): RenderedDocument {
    return this.cached('/api', () => ({ kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: this.serverAddress }] }));
  }

  private groupEntry(name: string, versions: string[]): object {
    const list = versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v }));
    return { name, versions: list, preferredVersion: list[0] };
  }

  apiGroupList(): RenderedDocument {
    return this.cached('/apis', () => ({ kind: 'APIGroupList', apiVersion: 'v1', groups: this.registry.groups().map((g) => this.groupEntry(g.name, g.versions)) }));
  }

  apiGroup(group: string): RenderedDocument | undefined {
    const info = this.registry.groups().find((g) => g.name === group);
    if (!info) return undefined;
    return this.cached(`/apis/${group}`, () => ({ kind: 'APIGroup', apiVersion: 'v1', ...this.groupEntry(info.name, info.versions) }));
  }

  resourceList(group: string, version: string): RenderedDocument | undefined {
    const resources = this.registry.resourcesOf(group, version);
    if (resources.length === 0) return undefined;
    const gv = group ? `${group}/${version}` : version;
    return this.cached(`rl:${gv}`, () => apiResourceList(gv, resources, (r) => this.registry.isTerminating(r)));
  }

  /** Aggregated discovery for /api (core group only, named "") or /apis (every other group). */
  aggregated(core: boolean): RenderedDocument {
    return this.cached(core ? 'agg:/api' : 'agg:/apis', () => {
      const groups = core ? [{ name: '', versions: ['v1'] }] : this.registry.groups();
      return {
        kind: 'APIGroupDiscoveryList',
        apiVersion: 'apidiscovery.k8s.io/v2',
        metadata: {},
        items: groups.map((g) => ({
          metadata: { name: g.name },
          versions: g.versions.map((v) => ({
            version: v,
            freshness: 'Current',
            resources: this.registry.resourcesOf(g.name, v).map((r) => aggregatedResource(r, this.registry.isTerminating(r))),
          })),
        })),
      };
    });
  }
}

/** True when the Accept header asks for aggregated discovery v2 (client-go sends it first, with JSON as fallback). */
export function wantsAggregated(accept: string | undefined): boolean {
  if (!accept) return false;
  for (const part of accept.split(',')) {
    const params = part.split(';').map((p) => p.trim());
    if (params.includes('g=apidiscovery.k8s.io') && params.includes('v=v2') && params.includes('as=APIGroupDiscoveryList')) return true;
    if (params[0] === 'application/json' && params.length === 1) return false;
  }
  return false;
}
