// Pruning of unknown fields (§9.2; apiextensions-apiserver/pkg/apiserver/schema/pruning/algorithm.go), plus the
// removal of non-nullable nulls that have no default (schema/defaulting/prunenulls.go) in the same walk.
// The returned paths feed fieldValidation (§4.5): `unknown field "spec.bogus"`.
import type { Json, KubeObject, SchemaNode } from '../types.ts';
import { isObject } from './json.ts';
import { OBJECT_META_FIELDS } from './object-meta.ts';

/** Kept at a resource root and in embedded resources whatever the schema says. */
const META_FIELDS: ReadonlySet<string> = new Set(['apiVersion', 'kind', 'metadata']);

/**
 * Removes, in place, the fields of obj that the schema does not specify and returns their paths, sorted as
 * upstream does (e.g. "spec.bogus", "spec.list[0].x", "metadata.foo").
 */
export function pruneUnknownFields(obj: KubeObject, schema: SchemaNode): string[] {
  // The resource root is treated as an embedded resource: apiVersion, kind and metadata are not the schema's business.
  return pruneValue(obj as unknown as Json, schema, { resourceRoot: true, dropNulls: true });
}

export interface PruneOptions {
  /** Keep apiVersion, kind and metadata at the top, as for an embedded resource. */
  resourceRoot: boolean;
  /** Also drop non-nullable nulls without a default (the request pipeline does; CRD default checks do not). */
  dropNulls: boolean;
}

/** The pruning walk on any value; returns the removed paths, sorted. */
export function pruneValue(x: Json, schema: SchemaNode | undefined, opts: PruneOptions): string[] {
  const removed: string[] = [];
  new Pruner(opts.dropNulls, removed).prune(x, schema, opts.resourceRoot || schema?.['x-kubernetes-embedded-resource'] === true, '');
  return removed.sort();
}

/** properties[k] without tripping over inherited names such as "constructor". */
export function propertySchema(s: SchemaNode | undefined, k: string): SchemaNode | undefined {
  return s?.properties && Object.hasOwn(s.properties, k) ? s.properties[k] : undefined;
}

/** The schema of additionalProperties, or undefined for `true`/absent. */
export function additionalPropertiesSchema(s: SchemaNode | undefined): SchemaNode | undefined {
  return typeof s?.additionalProperties === 'object' ? s.additionalProperties : undefined;
}

function keyPath(parent: string, k: string): string {
  return parent ? `${parent}.${k}` : k;
}

/** A null the defaulter cannot replace and validation would reject: dropped silently (CRD docs "Defaulting and Nullable"). */
function isPrunableNull(v: Json, s: SchemaNode | undefined): boolean {
  return v === null && s !== undefined && !s.nullable && s.default === undefined;
}

/**
 * The schema of field k of an object: its property, else its additionalProperties schema (undefined for
 * additionalProperties: true, under which everything is unknown), or null when k is not specified at all.
 */
function fieldSchema(s: SchemaNode | undefined, k: string): SchemaNode | undefined | null {
  return propertySchema(s, k) ?? (s?.additionalProperties !== undefined ? additionalPropertiesSchema(s) : null);
}

class Pruner {
  private readonly dropNulls: boolean;
  private readonly removed: string[];
  constructor(dropNulls: boolean, removed: string[]) {
    this.dropNulls = dropNulls;
    this.removed = removed;
  }

  prune(x: Json, s: SchemaNode | undefined, embedded: boolean, path: string): void {
    if (s?.['x-kubernetes-preserve-unknown-fields']) {
      this.pruneKnown(x, s, embedded, path);
      return;
    }
    if (Array.isArray(x)) {
      x.forEach((v, i) => this.prune(v, s?.items, s?.items?.['x-kubernetes-embedded-resource'] === true, `${path}[${i}]`));
      return;
    }
    if (!isObject(x)) return;
    for (const k of Object.keys(x)) {
      if (embedded && META_FIELDS.has(k)) {
        if (k === 'metadata') this.pruneObjectMeta(x[k], keyPath(path, k));
        continue;
      }
      const sub = fieldSchema(s, k);
      if (sub === null) {
        this.removed.push(keyPath(path, k));
        delete x[k];
      } else {
        this.descend(x, k, sub, path);
      }
    }
  }

  /** x-kubernetes-preserve-unknown-fields: unknown fields stay, but specified ones are still pruned below. */
  private pruneKnown(x: Json, s: SchemaNode, embedded: boolean, path: string): void {
    if (Array.isArray(x)) {
      const items = s.items;
      if (items) x.forEach((v, i) => this.pruneKnown(v, items, items['x-kubernetes-embedded-resource'] === true, `${path}[${i}]`));
      return;
    }
    if (!isObject(x)) return;
    for (const k of Object.keys(x)) {
      if (embedded && META_FIELDS.has(k)) {
        if (k === 'metadata') this.pruneObjectMeta(x[k], keyPath(path, k));
        continue;
      }
      const sub = fieldSchema(s, k);
      if (sub !== null) this.descend(x, k, sub, path);
    }
  }

  private descend(x: Record<string, Json>, k: string, sub: SchemaNode | undefined, path: string): void {
    if (this.dropNulls && isPrunableNull(x[k], sub)) delete x[k];
    else this.prune(x[k], sub, sub?.['x-kubernetes-embedded-resource'] === true, keyPath(path, k));
  }

  /** Metadata is decoded into ObjectMeta upstream, which drops (and reports) fields ObjectMeta does not have. */
  private pruneObjectMeta(meta: Json, path: string): void {
    if (!isObject(meta)) return;
    for (const k of Object.keys(meta)) {
      if (!OBJECT_META_FIELDS.has(k)) {
        this.removed.push(keyPath(path, k));
        delete meta[k];
      }
    }
  }
}
