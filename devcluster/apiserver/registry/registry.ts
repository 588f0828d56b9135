// The set of served resources. Built-in kinds are registered at start; each Established CRD adds one
// entry per served version and removes them when it goes. Discovery and OpenAPI derive from this registry
// and re-render only when `revision` moves.
import type { FieldError } from '../status-errors.ts';
import type { KubeObject, ResourceType } from '../types.ts';

/** Context handed to kind-specific hooks. */
export interface WriteContext {
  readonly now: Date;
  /** The request's subresource ("status", "scale", …) or "" for the main resource. */
  readonly subresource: string;
  /**
   * Every stored object of the resource written, in all namespaces (the object being updated included): what
   * cluster-wide allocations (Service IPs and node ports) derive their in-use sets from.
   */
  readonly stored: () => readonly Readonly<KubeObject>[];
}

/**
 * Kind-specific behaviour around the generic handlers, the equivalent of a kube-apiserver "strategy".
 * Everything is optional: a plain stored kind needs none of it.
 */
export interface KindStrategy {
  /** Fill server-set fields on create (e.g. a Namespace's finalizers, a Pod's Pending phase). */
  prepareCreate?(obj: KubeObject, ctx: WriteContext): void;
  /** Adjust an update (main resource or status) given the stored object. */
  prepareUpdate?(obj: KubeObject, old: KubeObject, ctx: WriteContext): void;
  /** Kind-specific validation beyond ObjectMeta and the schema. */
  validate?(obj: KubeObject, old: KubeObject | undefined): FieldError[];
  /** Warnings to return with a successful write of this object (Warning headers). */
  warnings?(obj: KubeObject): string[];
  /** Status writes keep the stored spec; this kind keeps `status` on create (Nodes, Pods). */
  keepStatusOnCreate?: boolean;
  /** Convert a stored object into this version's shape (Event views), and back. */
  fromStorage?(obj: KubeObject): KubeObject;
  toStorage?(obj: KubeObject): KubeObject;
  /** Virtual kinds (reviews) answer a create without storing anything. */
  virtualCreate?(obj: KubeObject, user: { name: string; groups: string[] }): KubeObject;
}

export interface ServedResource extends ResourceType {
  readonly strategy: KindStrategy;
  /** Set for CRD-backed resources: the CRD's name, for lifecycle checks (Terminating). */
  readonly crdName?: string;
}

export interface GroupInfo {
  name: string;
  /** Served versions, preferred first. */
  versions: string[];
}

export class Registry {
  private readonly builtins: ServedResource[] = [];
  private readonly crds = new Map<string, ServedResource[]>();
  private readonly terminatingCrds = new Set<string>();
  private index = new Map<string, ServedResource>();
  private kinds = new Map<string, ServedResource>();
  /** Bumped on every change; caches of discovery and OpenAPI key on it. */
  revision = 0;
  private readonly listeners = new Set<() => void>();

  addBuiltins(resources: ServedResource[]): void {
    this.builtins.push(...resources);
    this.rebuild();
  }

  /** Replace the resources of one CRD (empty to remove it). */
  setCrd(crdName: string, resources: ServedResource[], terminating: boolean): void {
    if (resources.length === 0) this.crds.delete(crdName);
    else this.crds.set(crdName, resources);
    if (terminating) this.terminatingCrds.add(crdName);
    else this.terminatingCrds.delete(crdName);
    this.rebuild();
  }

  isTerminating(resource: ServedResource): boolean {
    return resource.crdName !== undefined && this.terminatingCrds.has(resource.crdName);
  }

  onChange(listener: () => void): void {
    this.listeners.add(listener);
  }

  private rebuild(): void {
    const index = new Map<string, ServedResource>();
    const kinds = new Map<string, ServedResource>();
    for (const r of this.all()) {
      index.set(`${r.group}/${r.version}/${r.plural}`, r);
      kinds.set(`${r.group}/${r.version}/${r.kind}`, r);
    }
    this.index = index;
    this.kinds = kinds;
    this.revision++;
    for (const listener of this.listeners) listener();
  }

  all(): ServedResource[] {
    return [...this.builtins, ...[...this.crds.values()].flat()];
  }

  lookup(group: string, version: string, plural: string): ServedResource | undefined {
    return this.index.get(`${group}/${version}/${plural}`);
  }

  byKind(group: string, version: string, kind: string): ServedResource | undefined {
    return this.kinds.get(`${group}/${version}/${kind}`);
  }

  /** Every served version of the resource that shares `storageKey`. */
  versionsOf(storageKey: string): ServedResource[] {
    return this.all().filter((r) => r.storageKey === storageKey);
  }

  /** Groups in discovery order: the core group is served under /api and is not listed here. */
  groups(): GroupInfo[] {
    const groups = new Map<string, string[]>();
    for (const r of this.all()) {
      if (r.group === '') continue;
      const versions = groups.get(r.group) ?? [];
      if (!versions.includes(r.version)) versions.push(r.version);
      groups.set(r.group, versions);
    }
    return [...groups].map(([name, versions]) => ({ name, versions: sortVersions(versions) }));
  }

  resourcesOf(group: string, version: string): ServedResource[] {
    return this.all().filter((r) => r.group === group && r.version === version);
  }
}

/**
 * Kubernetes version priority: GA > beta > alpha, higher numbers first, then anything else alphabetically
 * (apiextensions' version sorting; the first is the preferred version).
 */
export function sortVersions(versions: string[]): string[] {
  const parse = (v: string): [number, number, number, string] => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return [3, 0, 0, v];
    const stage = m[2] === 'alpha' ? 2 : m[2] === 'beta' ? 1 : 0;
    return [stage, -Number(m[1]), -Number(m[3] ?? 0), v];
  };
  return [...versions].sort((a, b) => {
    const pa = parse(a);
    const pb = parse(b);
    for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return (pa[i] as number) - (pb[i] as number);
    return pa[3] < pb[3] ? -1 : pa[3] > pb[3] ? 1 : 0;
  });
}
