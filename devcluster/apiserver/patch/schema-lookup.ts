// How the patch engines read a ($ref-resolved) SchemaNode: the child node of a map key or list, the
// strategic-merge metadata (x-kubernetes-patch-strategy / -merge-key) and the server-side-apply list and
// map types (x-kubernetes-list-type / -list-map-keys / -map-type).
import type { Json, SchemaNode } from '../types.ts';
import { isJsonObject } from './json-values.ts';

/**
 * The ObjectMeta fields whose merge semantics matter, as k8s.io/apimachinery's ObjectMeta declares them:
 * finalizers `+listType=set` with patchStrategy merge, ownerReferences `+listType=map +listMapKey=uid`
 * with patchMergeKey uid. Custom resource schemas usually say nothing about metadata, and the real server
 * always knows ObjectMeta, so these fill in whatever the kind's schema leaves out.
 */
const OBJECT_META_DEFAULTS: Record<string, SchemaNode> = {
  labels: { type: 'object', additionalProperties: { type: 'string' } },
  annotations: { type: 'object', additionalProperties: { type: 'string' } },
  finalizers: {
    type: 'array', items: { type: 'string' },
    'x-kubernetes-list-type': 'set', 'x-kubernetes-patch-strategy': 'merge',
  },
  ownerReferences: {
    type: 'array', items: { type: 'object' },
    'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['uid'],
    'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-patch-merge-key': 'uid',
  },
  managedFields: { type: 'array', items: { type: 'object' }, 'x-kubernetes-list-type': 'atomic' },
};

/** The kind's metadata schema with the ObjectMeta defaults filled in (the kind's own extensions win). */
function objectMetaSchema(given: SchemaNode | undefined): SchemaNode {
  const properties: Record<string, SchemaNode> = { ...given?.properties };
  for (const [key, defaults] of Object.entries(OBJECT_META_DEFAULTS)) properties[key] = { ...defaults, ...properties[key] };
  return { ...given, type: 'object', properties };
}

export interface ChildSchema {
  schema: SchemaNode | undefined;
  /**
   * A declared property (a struct field in Go terms), as opposed to a key of an additionalProperties map.
   * Without a schema every key is treated as declared.
   */
  declared: boolean;
}

/** The schema of `key` inside an object described by `node`; the root's metadata gets the ObjectMeta defaults when `metaDefaults`. */
export function childSchema(node: SchemaNode | undefined, key: string, atRoot: boolean, metaDefaults: boolean): ChildSchema {
  const property = node?.properties?.[key];
  if (atRoot && key === 'metadata' && metaDefaults) return { schema: objectMetaSchema(property), declared: true };
  if (!node || property) return { schema: property, declared: true };
  if (isJsonObject(node.additionalProperties as Json)) return { schema: node.additionalProperties as SchemaNode, declared: false };
  return { schema: undefined, declared: node.additionalProperties !== true };
}

export interface PatchMeta {
  /** "merge", "replace" or "" (none); retainKeys is reported separately. */
  strategy: string;
  retainKeys: boolean;
  mergeKey: string | undefined;
}

/** x-kubernetes-patch-strategy may list two strategies, e.g. "merge,retainKeys" (strategicpatch extractRetainKeysPatchStrategy). */
export function patchMeta(node: SchemaNode | undefined): PatchMeta {
  const strategies = (node?.['x-kubernetes-patch-strategy'] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  return {
    strategy: strategies.find((s) => s !== 'retainKeys') ?? '',
    retainKeys: strategies.includes('retainKeys'),
    mergeKey: node?.['x-kubernetes-patch-merge-key'],
  };
}

export type ListSemantics = { type: 'atomic' } | { type: 'set' } | { type: 'map'; keys: string[] };

/**
 * Server-side apply list type. Explicit x-kubernetes-list-type wins; otherwise, like kube-openapi's
 * schemaconv for built-in kinds, patchStrategy merge makes a keyed list (with a merge key) or a set
 * (without one, for scalar items). Everything else, including a list without a schema, is atomic.
 */
export function listSemantics(node: SchemaNode | undefined): ListSemantics {
  const listType = node?.['x-kubernetes-list-type'];
  const mapKeys = node?.['x-kubernetes-list-map-keys'];
  if (listType === 'map' && mapKeys && mapKeys.length > 0) return { type: 'map', keys: [...mapKeys] };
  if (listType === 'set') return { type: 'set' };
  if (listType === 'atomic') return { type: 'atomic' };
  const meta = patchMeta(node);
  if (meta.strategy === 'merge') {
    if (meta.mergeKey) return { type: 'map', keys: [meta.mergeKey] };
    const itemType = node?.items?.type;
    if (itemType !== 'object' && itemType !== 'array') return { type: 'set' };
  }
  return { type: 'atomic' };
}

export function isAtomicMap(node: SchemaNode | undefined): boolean {
  return node?.['x-kubernetes-map-type'] === 'atomic';
}
