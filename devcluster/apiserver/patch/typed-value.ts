// Schema-driven walks over an object for server-side apply, after sigs.k8s.io/structured-merge-diff
// typed/{tofieldset,compare,merge,remove}.go: which paths an object sets, what changed between two objects,
// how an applied configuration merges into the live object, and how owned paths are removed.
// Granularity (shared/reference/apiserver.md §8.1): maps are per key unless x-kubernetes-map-type: atomic;
// lists are atomic unless keyed (k:) or a set (v:), see schema-lookup.ts listSemantics.
import type { Json, JsonObject, SchemaNode } from '../types.ts';
import { cloneJson, isJsonObject, jsonEqual } from './json-values.ts';
import { emptyFieldSet, insertPath, type FieldPath, type FieldSet } from './field-set.ts';
import { childSchema, isAtomicMap, listSemantics, type ListSemantics } from './schema-lookup.ts';

/** Thrown for an applied configuration that cannot be typed; the caller adds the object's identity. */
export class TypedValueError extends Error {}

function fieldElement(key: string): string {
  return `f:${key}`;
}

/** The path element of a list item; an item without its key fields falls back to its index. */
function itemElement(semantics: ListSemantics, item: Json, index: number): string {
  if (semantics.type === 'set') return `v:${JSON.stringify(item)}`;
  if (semantics.type === 'map' && isJsonObject(item)) {
    const key: JsonObject = {};
    for (const name of [...semantics.keys].sort()) if (item[name] !== undefined) key[name] = item[name];
    if (Object.keys(key).length > 0) return `k:${JSON.stringify(key)}`;
  }
  return `i:${index}`;
}

/** Items by path element, first occurrence winning (live objects may hold duplicates, typed.AllowDuplicates). */
function indexItems(list: Json[], semantics: ListSemantics): Map<string, Json> {
  const items = new Map<string, Json>();
  list.forEach((item, i) => {
    const element = itemElement(semantics, item, i);
    if (!items.has(element)) items.set(element, item);
  });
  return items;
}

/**
 * An applied configuration must key every item of a keyed list and hold no duplicates
 * (structured-merge-diff rejects both when typing the patch object).
 */
function checkAppliedList(list: Json[], semantics: ListSemantics, path: FieldPath): void {
  if (semantics.type === 'atomic') return;
  const seen = new Set<string>();
  list.forEach((item, i) => {
    if (semantics.type === 'map') {
      const missing = semantics.keys.find((key) => !isJsonObject(item) || item[key] === undefined);
      if (missing !== undefined) {
        throw new TypedValueError(`${renderFieldPath(path)}: element ${i}: associative list with keys has an element that omits key field ${JSON.stringify(missing)} (and doesn't have default value)`);
      }
    }
    const element = itemElement(semantics, item, i);
    if (seen.has(element)) throw new TypedValueError(`${renderFieldPath(path)}: duplicate entries for key ${element.slice(2)}`);
    seen.add(element);
  });
}

function renderFieldPath(path: FieldPath): string {
  return path.map((element) => (element.startsWith('f:') ? `.${element.slice(2)}` : `[${element.slice(2)}]`)).join('');
}

/**
 * The paths an object sets (typed ToFieldSet): scalars, atomic lists and maps, list items, nulls and empty
 * maps are members; a declared object field with content is only a prefix of its children, while a key of
 * an additionalProperties map is a member itself. `applied` turns on the checks for applied configurations.
 */
export function toFieldSet(value: JsonObject, schema: SchemaNode | undefined, applied: boolean): FieldSet {
  const set = emptyFieldSet();
  walkFieldSet(value, schema, [], true, set, applied);
  return set;
}

function walkFieldSet(value: Json, schema: SchemaNode | undefined, path: FieldPath, atRoot: boolean, set: FieldSet, applied: boolean): void {
  if (isJsonObject(value)) {
    if (isAtomicMap(schema)) return insertPath(set, path);
    for (const [key, child] of Object.entries(value)) {
      const { schema: childNode, declared } = childSchema(schema, key, atRoot, true);
      const childPath = [...path, fieldElement(key)];
      walkFieldSet(child, childNode, childPath, false, set, applied);
      if (child === null || (isJsonObject(child) && Object.keys(child).length === 0) || !declared) insertPath(set, childPath);
    }
    return;
  }
  if (Array.isArray(value)) {
    const semantics = listSemantics(schema);
    if (semantics.type === 'atomic') return insertPath(set, path);
    if (applied) checkAppliedList(value, semantics, path);
    value.forEach((item, i) => {
      const itemPath = [...path, itemElement(semantics, item, i)];
      walkFieldSet(item, schema?.items, itemPath, false, set, applied);
      insertPath(set, itemPath);
    });
    return;
  }
  insertPath(set, path);
}

export interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

/** What changed from lhs to rhs (typed Compare): leaves, plus every map or list item that appeared or vanished whole. */
export function compareObjects(lhs: JsonObject, rhs: JsonObject, schema: SchemaNode | undefined): Comparison {
  const result: Comparison = { added: emptyFieldSet(), modified: emptyFieldSet(), removed: emptyFieldSet() };
  walkCompare(lhs, rhs, schema, [], true, result);
  return result;
}

type Shape = 'map' | 'list' | 'leaf';

function shapeOf(value: Json | undefined, schema: SchemaNode | undefined): Shape {
  if (isJsonObject(value)) return isAtomicMap(schema) ? 'leaf' : 'map';
  if (Array.isArray(value)) return listSemantics(schema).type === 'atomic' ? 'leaf' : 'list';
  return 'leaf';
}

function walkCompare(lhs: Json | undefined, rhs: Json | undefined, schema: SchemaNode | undefined, path: FieldPath, atRoot: boolean, out: Comparison): void {
  if (jsonEqual(lhs, rhs)) return;
  const shape = lhs === undefined ? shapeOf(rhs, schema) : rhs === undefined ? shapeOf(lhs, schema) : shapeOf(lhs, schema) === shapeOf(rhs, schema) ? shapeOf(lhs, schema) : 'leaf';
  if (shape === 'map') {
    const left = (lhs ?? {}) as JsonObject;
    const right = (rhs ?? {}) as JsonObject;
    for (const key of new Set([...Object.keys(left), ...Object.keys(right)])) {
      const childNode = childSchema(schema, key, atRoot, true).schema;
      walkCompare(left[key], right[key], childNode, [...path, fieldElement(key)], false, out);
    }
  } else if (shape === 'list') {
    const semantics = listSemantics(schema);
    const left = indexItems((lhs ?? []) as Json[], semantics);
    const right = indexItems((rhs ?? []) as Json[], semantics);
    for (const element of new Set([...left.keys(), ...right.keys()])) {
      walkCompare(left.get(element), right.get(element), schema?.items, [...path, element], false, out);
    }
  } else if (lhs !== undefined && rhs !== undefined) {
    insertPath(out.modified, path);
    return;
  }
  if (path.length === 0) return;
  if (lhs === undefined) insertPath(out.added, path);
  else if (rhs === undefined) insertPath(out.removed, path);
}

/** The applied configuration merged into the live object (typed Merge): the configuration wins on every leaf. */
export function mergeApplied(live: JsonObject, config: JsonObject, schema: SchemaNode | undefined): JsonObject {
  return mergeValue(live, config, schema, true) as JsonObject;
}

function mergeValue(live: Json | undefined, config: Json | undefined, schema: SchemaNode | undefined, atRoot: boolean): Json {
  if (config === undefined) return cloneJson(live as Json);
  if (live === undefined) return cloneJson(config);
  if (isJsonObject(live) && isJsonObject(config) && !isAtomicMap(schema)) {
    const result = cloneJson(live);
    for (const [key, value] of Object.entries(config)) {
      result[key] = mergeValue(live[key], value, childSchema(schema, key, atRoot, true).schema, false);
    }
    return result;
  }
  if (Array.isArray(live) && Array.isArray(config)) {
    const semantics = listSemantics(schema);
    if (semantics.type !== 'atomic') return mergeList(live, config, schema, semantics);
  }
  return cloneJson(config);
}

/**
 * Keyed and set lists merge item by item. Order (merge.go visitListItems): live-only items keep their
 * place, items in the configuration follow the configuration's order, shared items are placed when the
 * configuration reaches them.
 */
function mergeList(live: Json[], config: Json[], schema: SchemaNode | undefined, semantics: ListSemantics): Json[] {
  const liveElements = live.map((item, i) => itemElement(semantics, item, i));
  const configElements = config.map((item, i) => itemElement(semantics, item, i));
  const liveItems = indexItems(live, semantics);
  const configItems = indexItems(config, semantics);
  const shared = configElements.filter((element) => liveItems.has(element));
  let nextShared = 0;
  const emitted = new Set<string>();
  const result: Json[] = [];
  const emit = (element: string) => {
    emitted.add(element);
    result.push(mergeValue(liveItems.get(element), configItems.get(element), schema?.items, false));
    if (shared[nextShared] === element) nextShared++;
  };
  let l = 0;
  let r = 0;
  while (l < live.length || r < config.length) {
    const liveElement = liveElements[l];
    if (l < live.length && r < config.length) {
      if (liveElement === configElements[r]) {
        emit(liveElement);
        l++;
        r++;
        continue;
      }
      // A shared item that the configuration places later: wait for it there.
      if (configItems.has(liveElement) && nextShared < shared.length && shared[nextShared] !== liveElement) {
        l++;
        continue;
      }
    }
    if (l < live.length) {
      if (!configItems.has(liveElement)) {
        result.push(cloneJson(live[l]));
        l++;
        continue;
      }
      if (emitted.has(liveElement)) {
        l++;
        continue;
      }
    }
    if (r < config.length) {
      if (!emitted.has(configElements[r])) emit(configElements[r]);
      r++;
    } else {
      l++;
    }
  }
  return result;
}

/** The object without the members of `set` and everything under them (typed RemoveItems). */
export function removeFieldSet(value: JsonObject, set: FieldSet, schema: SchemaNode | undefined): JsonObject {
  return removeFrom(value, set, schema, true) as JsonObject;
}

function removeFrom(value: Json, set: FieldSet, schema: SchemaNode | undefined, atRoot: boolean): Json {
  if (isJsonObject(value)) {
    const result = cloneJson(value);
    for (const [element, child] of set.children) {
      if (!element.startsWith('f:')) continue;
      const key = element.slice(2);
      if (!Object.hasOwn(result, key)) continue;
      if (child.member) delete result[key];
      else result[key] = removeFrom(result[key], child, childSchema(schema, key, atRoot, true).schema, false);
    }
    return result;
  }
  if (Array.isArray(value)) {
    const semantics = listSemantics(schema);
    const result: Json[] = [];
    value.forEach((item, i) => {
      const child = set.children.get(itemElement(semantics, item, i));
      if (!child) result.push(cloneJson(item));
      else if (!child.member) result.push(removeFrom(item, child, schema?.items, false));
    });
    return result;
  }
  return value;
}
