// The vendored built-in component schemas (builtin-schemas.json, made by generate/builtin-schemas.ts) and their
// resolution into SchemaNode trees for validation, pruning, strategic merge patch and server-side apply.
import { readFileSync } from 'node:fs';
import type { SchemaNode } from '../types.ts';

/** One OpenAPI v3 schema object as it appears in a document: `$ref`s unresolved. */
export type RawSchema = { [key: string]: unknown };

export const SCHEMA_REF_PREFIX = '#/components/schemas/';

/** Definition names of apimachinery types that documents reference by name. */
export const META = {
  objectMeta: 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta',
  listMeta: 'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta',
  status: 'io.k8s.apimachinery.pkg.apis.meta.v1.Status',
  deleteOptions: 'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions',
  patch: 'io.k8s.apimachinery.pkg.apis.meta.v1.Patch',
  watchEvent: 'io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent',
} as const;

interface Catalog {
  readonly schemas: Readonly<Record<string, RawSchema>>;
  /** "group/version/kind" -> definition name, from each schema's x-kubernetes-group-version-kind. */
  readonly byGvk: ReadonlyMap<string, string>;
}

let catalog: Catalog | undefined;

function loadCatalog(): Catalog {
  if (catalog) return catalog;
  const file = JSON.parse(readFileSync(new URL('./builtin-schemas.json', import.meta.url), 'utf8')) as { schemas: Record<string, RawSchema> };
  const byGvk = new Map<string, string>();
  for (const [name, schema] of Object.entries(file.schemas)) {
    for (const gvk of (schema['x-kubernetes-group-version-kind'] ?? []) as Array<{ group: string; version: string; kind: string }>) {
      byGvk.set(`${gvk.group}/${gvk.version}/${gvk.kind}`, name);
    }
  }
  catalog = { schemas: deepFreeze(file.schemas), byGvk };
  return catalog;
}

/** Resolved nodes share arrays and values with the catalog, so the catalog is made read-only once. */
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/** All vendored definitions, keyed by upstream name (e.g. io.k8s.api.core.v1.ConfigMap). Do not mutate. */
export function builtinDefinitions(): Readonly<Record<string, RawSchema>> {
  return loadCatalog().schemas;
}

/** Upstream definition name of a built-in kind, e.g. ('', 'v1', 'ConfigMap') -> io.k8s.api.core.v1.ConfigMap. */
export function builtinDefinitionName(group: string, version: string, kind: string): string | undefined {
  return loadCatalog().byGvk.get(`${group}/${version}/${kind}`);
}

/** The definition a schema points at: a bare `$ref`, or kube-openapi's `allOf: [{$ref}]` used to carry a description. */
export function referencedName(schema: RawSchema): string | undefined {
  const direct = schema.$ref;
  if (typeof direct === 'string') return direct.slice(SCHEMA_REF_PREFIX.length);
  const allOf = schema.allOf;
  if (Array.isArray(allOf) && allOf.length === 1) {
    const inner = (allOf[0] as RawSchema).$ref;
    if (typeof inner === 'string') return inner.slice(SCHEMA_REF_PREFIX.length);
  }
  return undefined;
}

const resolvedKinds = new Map<string, SchemaNode | undefined>();

/**
 * The schema of a built-in kind with every `$ref` resolved, memoized and frozen. A property that refers to a
 * definition becomes that definition's schema with the property's own keys (description, patch and list extensions)
 * on top. A recursive reference (only apiextensions' JSONSchemaProps is recursive) becomes a node that preserves
 * unknown fields, so the tree stays finite and CRD schemas nested below the first level are accepted as they are.
 */
export function builtinSchema(group: string, version: string, kind: string): SchemaNode | undefined {
  const key = `${group}/${version}/${kind}`;
  if (!resolvedKinds.has(key)) {
    const name = builtinDefinitionName(group, version, kind);
    resolvedKinds.set(key, name === undefined ? undefined : new Resolver(loadCatalog().schemas).definition(name));
  }
  return resolvedKinds.get(key);
}

class Resolver {
  private readonly schemas: Readonly<Record<string, RawSchema>>;
  private readonly stack: string[] = [];
  /** Definitions whose subtree needed no recursion cut: the same node serves every use. */
  private readonly done = new Map<string, SchemaNode>();
  private cuts = 0;

  constructor(schemas: Readonly<Record<string, RawSchema>>) {
    this.schemas = schemas;
  }

  definition(name: string): SchemaNode {
    const memo = this.done.get(name);
    if (memo) return memo;
    const raw = this.schemas[name];
    if (!raw) throw new Error(`openapi: no definition ${name}`);
    if (this.stack.includes(name)) {
      this.cuts++;
      const cut: Record<string, unknown> = { 'x-kubernetes-preserve-unknown-fields': true };
      if (raw.description !== undefined) cut.description = raw.description;
      if (raw.type !== undefined) cut.type = raw.type;
      return Object.freeze(cut) as SchemaNode;
    }
    const cutsBefore = this.cuts;
    this.stack.push(name);
    const node = this.node(raw);
    this.stack.pop();
    if (this.cuts === cutsBefore) this.done.set(name, node);
    return node;
  }

  node(raw: RawSchema): SchemaNode {
    const target = referencedName(raw);
    const out: Record<string, unknown> = target === undefined ? {} : { ...this.definition(target) };
    for (const [key, value] of Object.entries(raw)) {
      if (key === '$ref' || (key === 'allOf' && target !== undefined)) continue;
      switch (key) {
        case 'properties':
          out.properties = Object.freeze(Object.fromEntries(
            Object.entries(value as Record<string, RawSchema>).map(([p, s]) => [p, this.node(s)])));
          break;
        case 'items':
        case 'not':
          out[key] = this.node(value as RawSchema);
          break;
        case 'additionalProperties':
          out[key] = typeof value === 'boolean' ? value : this.node(value as RawSchema);
          break;
        case 'allOf':
        case 'anyOf':
        case 'oneOf':
          out[key] = Object.freeze((value as RawSchema[]).map((s) => this.node(s)));
          break;
        default:
          out[key] = value;
      }
    }
    return Object.freeze(out) as SchemaNode;
  }
}
