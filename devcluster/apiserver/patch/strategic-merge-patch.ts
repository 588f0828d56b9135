// application/strategic-merge-patch+json for built-in kinds (shared/reference/apiserver.md §8), after
// k8s.io/apimachinery/pkg/util/strategicpatch/patch.go (the apply half: StrategicMergeMapPatch with
// MergeParallelList and IgnoreUnmatchedNulls). Patch metadata comes from the kind's schema instead of Go
// struct tags: x-kubernetes-patch-strategy ("merge", "replace", "retainKeys", "merge,retainKeys") and
// x-kubernetes-patch-merge-key on the field's own node. Without them lists are replaced and maps merged.
//
// Ordering of merged lists (patch.go mergeSlice / normalizeElementOrder): $setElementOrder wins, then the
// order in the patch list, then the order in the live list; server-only items are interleaved by their
// live position (mergeSortedSlice).
import type { Json, JsonObject, SchemaNode } from '../types.ts';
import { badRequest } from '../status-errors.ts';
import { cloneJson, isJsonObject } from './json-values.ts';
import { childSchema, patchMeta } from './schema-lookup.ts';

const DIRECTIVE = '$patch';
const RETAIN_KEYS = '$retainKeys';
const SET_ELEMENT_ORDER = '$setElementOrder/';
const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList/';

export function applyStrategicMergePatch(original: JsonObject, patch: JsonObject, schema: SchemaNode | undefined): JsonObject {
  const ctx: Context = { metaDefaults: schema !== undefined };
  return mergeMap(cloneJson(original), cloneJson(patch), schema, ctx, true);
}

interface Context {
  /** Fill in ObjectMeta's patch metadata; only when the kind has a schema at all. */
  metaDefaults: boolean;
}

function isDirectiveKey(key: string): boolean {
  return key === DIRECTIVE || key === RETAIN_KEYS || key.startsWith(SET_ELEMENT_ORDER) || key.startsWith(DELETE_FROM_PRIMITIVE_LIST);
}

/** Merges patch into original. Both are private copies and may be modified. */
function mergeMap(original: JsonObject, patch: JsonObject, schema: SchemaNode | undefined, ctx: Context, atRoot = false): JsonObject {
  if (Object.hasOwn(patch, DIRECTIVE)) {
    const directive = patch[DIRECTIVE];
    if (directive === 'delete') return {};
    delete patch[DIRECTIVE];
    if (directive === 'replace') return stripDirectives(patch) as JsonObject;
    // "$patch: merge" is the default behaviour spelled out.
    if (directive !== 'merge') throw badRequest(`unknown patch type: ${JSON.stringify(directive)} in map: ${JSON.stringify(patch)}`);
  }
  applyRetainKeys(original, patch);
  applySetElementOrder(original, patch, schema, ctx, atRoot);

  for (const [rawKey, patchValue] of Object.entries(patch)) {
    if (rawKey.startsWith(DELETE_FROM_PRIMITIVE_LIST)) {
      const key = rawKey.slice(DELETE_FROM_PRIMITIVE_LIST.length);
      if (!Array.isArray(patchValue)) throw badRequest('invalid patch format of primitive list');
      const list = original[key];
      if (Array.isArray(list)) original[key] = list.filter((item) => !patchValue.some((gone) => gone === item));
      continue;
    }
    if (isDirectiveKey(rawKey)) continue;
    if (patchValue === null) {
      delete original[rawKey];
      continue;
    }
    const field = childSchema(schema, rawKey, atRoot, ctx.metaDefaults).schema;
    const merged = mergeValue(Object.hasOwn(original, rawKey) ? original[rawKey] : undefined, patchValue, field, ctx);
    if (merged === undefined) delete original[rawKey];
    else original[rawKey] = merged;
  }
  return original;
}

/**
 * The merged value of one field; undefined means the field is dropped (a new value that is itself a
 * "$patch: delete" directive, strategicpatch removeDirectives).
 */
function mergeValue(originalValue: Json | undefined, patchValue: Json, field: SchemaNode | undefined, ctx: Context): Json | undefined {
  const meta = patchMeta(field);
  if (isJsonObject(patchValue)) {
    if (meta.strategy === 'replace') return stripDirectives(patchValue);
    if (isJsonObject(originalValue)) return mergeMap(originalValue, patchValue, field, ctx);
    if (patchValue[DIRECTIVE] === 'delete') return undefined;
    return mergeMap({}, patchValue, field, ctx);
  }
  if (Array.isArray(patchValue)) {
    if (meta.strategy !== 'merge') return stripDirectives(patchValue);
    return mergeList(Array.isArray(originalValue) ? originalValue : [], patchValue, field, ctx);
  }
  return patchValue;
}

/** $retainKeys: keys of original that are not listed are cleared (patch.go applyRetainKeysDirective). */
function applyRetainKeys(original: JsonObject, patch: JsonObject): void {
  if (!Object.hasOwn(patch, RETAIN_KEYS)) return;
  const retain = patch[RETAIN_KEYS];
  delete patch[RETAIN_KEYS];
  if (!Array.isArray(retain)) throw badRequest('invalid patch format of retainKeys');
  for (const [key, value] of Object.entries(patch)) {
    if (value === null || isDirectiveKey(key)) continue;
    if (!retain.includes(key)) throw badRequest('invalid patch format of retainKeys');
  }
  for (const key of Object.keys(original)) if (!retain.includes(key)) delete original[key];
}

/**
 * $setElementOrder/<list>: merge the list now (if patched) and order the result by the directive, keeping
 * server-only items at their live positions (patch.go mergePatchIntoOriginal). The patched list is removed
 * from the patch so the main loop does not merge it twice.
 */
function applySetElementOrder(original: JsonObject, patch: JsonObject, schema: SchemaNode | undefined, ctx: Context, atRoot: boolean): void {
  for (const [directiveKey, order] of Object.entries(patch)) {
    if (!directiveKey.startsWith(SET_ELEMENT_ORDER)) continue;
    delete patch[directiveKey];
    if (!Array.isArray(order)) throw badRequest('invalid patch format of setElementOrder list');
    const key = directiveKey.slice(SET_ELEMENT_ORDER.length);
    const field = childSchema(schema, key, atRoot, ctx.metaDefaults).schema;
    const { mergeKey } = patchMeta(field);
    const originalList = original[key];
    const patchList = patch[key];
    if (originalList !== undefined && !Array.isArray(originalList)) throw badRequest('invalid patch format of setElementOrder list');
    if (patchList !== undefined && !Array.isArray(patchList)) throw badRequest('invalid patch format of setElementOrder list');
    if (originalList === undefined && patchList === undefined) continue;
    if (patchList) validateOrderList(patchList, order, mergeKey);

    let merged: Json[];
    if (patchList === undefined) merged = originalList as Json[];
    else merged = mergeValue(originalList, patchList, field, ctx) as Json[];
    delete patch[key];

    const identity = itemIdentity(mergeKey);
    const inOrder = new Set(order.map(identity));
    const patchItems = merged.filter((item) => inOrder.has(identity(item)));
    const serverOnly = merged.filter((item) => !inOrder.has(identity(item)));
    original[key] = normalizeElementOrder(patchItems, serverOnly, order, (originalList as Json[] | undefined) ?? [], identity);
  }
}

/**
 * The patch list's items (deletions aside) must appear in $setElementOrder in the same relative order
 * (patch.go validatePatchWithSetOrderList).
 */
function validateOrderList(patchList: Json[], order: Json[], mergeKey: string | undefined): void {
  const identity = itemIdentity(mergeKey);
  const items = patchList.filter((item) => !(isJsonObject(item) && Object.hasOwn(item, DIRECTIVE)));
  let next = 0;
  for (const wanted of order) if (next < items.length && identity(items[next]) === identity(wanted)) next++;
  if (next < items.length) {
    throw badRequest(`The order in patch list:\n${JSON.stringify(patchList)}\n doesn't match $setElementOrder list:\n${JSON.stringify(order)}\n`);
  }
}

/** What identifies a list item for ordering: its merge key value for maps, itself for scalars. */
function itemIdentity(mergeKey: string | undefined): (item: Json) => Json | undefined {
  return (item) => (mergeKey !== undefined && isJsonObject(item) ? item[mergeKey] : item);
}

/** patch.go mergeSlice for a list with patch strategy "merge". */
function mergeList(original: Json[], patch: Json[], field: SchemaNode | undefined, ctx: Context): Json[] {
  if (original.length === 0 && patch.length === 0) return original;
  const { mergeKey } = patchMeta(field);
  const mapItems = [...original, ...patch].some(isJsonObject);
  if (!mapItems) {
    // Scalars: set union, then ordered like any merged list.
    const merged = [...original];
    for (const item of patch) if (!merged.includes(item)) merged.push(item);
    return orderMerged(merged, patch, original, itemIdentity(undefined));
  }
  if (!mergeKey) throw badRequest('cannot merge lists without merge key for type map');
  const identity = itemIdentity(mergeKey);

  // Directive elements first (mergeSliceWithSpecialElements): "$patch: delete" removes by merge key,
  // "$patch: replace" makes the rest of the patch list the whole list.
  let base = original;
  let items: JsonObject[] = [];
  let replace = false;
  for (const item of patch) {
    if (!isJsonObject(item)) throw badRequest(`invalid list item for merge key ${JSON.stringify(mergeKey)}: ${JSON.stringify(item)}`);
    const directive = item[DIRECTIVE];
    if (directive === undefined || directive === 'merge') {
      if (!Object.hasOwn(item, mergeKey)) throw badRequest(`map: ${JSON.stringify(item)} does not contain declared merge key: ${mergeKey}`);
      if (directive === 'merge') delete item[DIRECTIVE];
      items.push(item);
    } else if (directive === 'delete') {
      if (!Object.hasOwn(item, mergeKey)) throw badRequest(`map: ${JSON.stringify(item)} does not contain declared merge key: ${mergeKey}`);
      base = base.filter((existing) => identity(existing) !== item[mergeKey]);
    } else if (directive === 'replace') {
      replace = true;
    } else {
      throw badRequest(`unknown patch type: ${JSON.stringify(directive)} in map: ${JSON.stringify(item)}`);
    }
  }
  if (replace) {
    base = items.map((item) => mergeMap({}, item, field?.items, ctx));
    items = [];
  }

  const merged = [...base];
  for (const item of items) {
    const at = merged.findIndex((existing) => identity(existing) === identity(item));
    const existing = at >= 0 ? merged[at] : undefined;
    const value = mergeMap(isJsonObject(existing) ? existing : {}, item, field?.items, ctx);
    if (at >= 0) merged[at] = value;
    else merged.push(value);
  }
  return orderMerged(merged, items, base, identity);
}

/** Items present in the patch take the patch order; the rest keep the live order (patch.go mergeSlice). */
function orderMerged(merged: Json[], patch: Json[], original: Json[], identity: (item: Json) => Json | undefined): Json[] {
  const inPatch = new Set(patch.map(identity));
  const patchItems = merged.filter((item) => inPatch.has(identity(item)));
  const serverOnly = merged.filter((item) => !inPatch.has(identity(item)));
  return normalizeElementOrder(patchItems, serverOnly, patch, original, identity);
}

/**
 * Sort patch items by patchOrder and server-only items by serverOrder, then interleave them: a server-only
 * item goes before the next patch item only when both are in the live list and it came first there
 * (patch.go normalizeElementOrder / mergeSortedSlice).
 */
function normalizeElementOrder(patchItems: Json[], serverOnly: Json[], patchOrder: Json[], serverOrder: Json[], identity: (item: Json) => Json | undefined): Json[] {
  const indexIn = (list: Json[]) => {
    const ids = list.map(identity);
    return (item: Json) => ids.indexOf(identity(item));
  };
  const patchIndex = indexIn(patchOrder);
  const serverIndex = indexIn(serverOrder);
  const right = [...patchItems].sort((a, b) => patchIndex(a) - patchIndex(b));
  const left = [...serverOnly].sort((a, b) => serverIndex(a) - serverIndex(b));
  const result: Json[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) result.push(right[j++]);
    else if (j >= right.length) result.push(left[i++]);
    else {
      const li = serverIndex(left[i]);
      const ri = serverIndex(right[j]);
      if (li >= 0 && ri >= 0 && li < ri) result.push(left[i++]);
      else result.push(right[j++]);
    }
  }
  return result;
}

/**
 * A patch value used as-is (replace strategy, new field, non-merge list): directive-only maps are dropped
 * and directive keys removed, as the typed decode on the real server would; nulls in it are discarded
 * (patch.go discardNullValuesFromPatch).
 */
function stripDirectives(value: Json): Json {
  if (Array.isArray(value)) {
    return value.filter((item) => !(isJsonObject(item) && Object.hasOwn(item, DIRECTIVE))).map(stripDirectives);
  }
  if (isJsonObject(value)) {
    const result: JsonObject = {};
    for (const [key, item] of Object.entries(value)) {
      if (isDirectiveKey(key) || item === null) continue;
      if (isJsonObject(item) && Object.hasOwn(item, DIRECTIVE)) continue;
      result[key] = stripDirectives(item);
    }
    return result;
  }
  return value;
}
