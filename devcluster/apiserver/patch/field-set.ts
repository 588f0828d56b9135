// A set of field paths, stored as the trie that FieldsV1 serialises (sigs.k8s.io/structured-merge-diff
// fieldpath.Set and its serialize.go). Path elements are kept in their FieldsV1 spelling:
//   f:<field name>        a field of an object
//   k:<json object>       a list item selected by its key fields, e.g. k:{"name":"a"} (keys sorted)
//   v:<json value>        an item of a set list, e.g. v:"finalizer.example.com"
//   i:<index>             an item of a list selected by position
// A node is a member when the path ending there is itself in the set; "." marks that in FieldsV1 when the
// node also has children (e.g. a list item owned as a whole and field by field).
import type { Json, JsonObject } from '../types.ts';
import { isJsonObject } from './json-values.ts';

export interface FieldSet {
  member: boolean;
  children: Map<string, FieldSet>;
}

export type FieldPath = readonly string[];

export function emptyFieldSet(): FieldSet {
  return { member: false, children: new Map() };
}

export function insertPath(set: FieldSet, path: FieldPath): void {
  let node = set;
  for (const element of path) {
    let child = node.children.get(element);
    if (!child) {
      child = emptyFieldSet();
      node.children.set(element, child);
    }
    node = child;
  }
  node.member = true;
}

export function isEmptyFieldSet(set: FieldSet): boolean {
  return !set.member && [...set.children.values()].every(isEmptyFieldSet);
}

/** Member paths in structured-merge-diff's iteration order: a node's own membership, then its children in order. */
export function memberPaths(set: FieldSet, prefix: FieldPath = []): FieldPath[] {
  const result: FieldPath[] = set.member && prefix.length > 0 ? [prefix] : [];
  for (const key of sortedKeys(set)) result.push(...memberPaths(set.children.get(key) as FieldSet, [...prefix, key]));
  return result;
}

function combine(a: FieldSet, b: FieldSet, keep: (inA: boolean, inB: boolean) => boolean): FieldSet {
  const result = emptyFieldSet();
  result.member = keep(a.member, b.member);
  for (const key of new Set([...a.children.keys(), ...b.children.keys()])) {
    const child = combine(a.children.get(key) ?? emptyFieldSet(), b.children.get(key) ?? emptyFieldSet(), keep);
    if (!isEmptyFieldSet(child)) result.children.set(key, child);
  }
  return result;
}

export function union(a: FieldSet, b: FieldSet): FieldSet {
  return combine(a, b, (x, y) => x || y);
}

/** Members of a that are not members of b (member-wise, like fieldpath.Set.Difference). */
export function difference(a: FieldSet, b: FieldSet): FieldSet {
  return combine(a, b, (x, y) => x && !y);
}

export function intersection(a: FieldSet, b: FieldSet): FieldSet {
  return combine(a, b, (x, y) => x && y);
}

/** The set without the given paths and everything under them (fieldpath prefix filters, used for reset fields). */
export function withoutSubtrees(set: FieldSet, prefixes: readonly FieldPath[]): FieldSet {
  const result = union(set, emptyFieldSet());
  for (const prefix of prefixes) {
    let node: FieldSet | undefined = result;
    for (const element of prefix.slice(0, -1)) node = node?.children.get(element);
    node?.children.delete(prefix[prefix.length - 1]);
  }
  return result;
}

/**
 * The set plus, as members, every field (f:) node above a member: fieldpath's EnsureNamedFieldsAreMembers,
 * which the apply prune uses so that an emptied parent field goes with its last owned child.
 */
export function withNamedParents(set: FieldSet): FieldSet {
  const result = emptyFieldSet();
  result.member = set.member;
  for (const [key, child] of set.children) {
    const expanded = withNamedParents(child);
    if (key.startsWith('f:') && !isEmptyFieldSet(child)) expanded.member = true;
    result.children.set(key, expanded);
  }
  return result;
}

/** Sort order of path elements: fields, then keys, then values, then indexes (fieldpath PathElement.Compare). */
function sortedKeys(set: FieldSet): string[] {
  const rank = (key: string) => ['f:', 'k:', 'v:', 'i:'].indexOf(key.slice(0, 2));
  return [...set.children.keys()].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
}

export function toFieldsV1(set: FieldSet): JsonObject {
  const result: JsonObject = {};
  if (set.member && set.children.size > 0) result['.'] = {};
  for (const key of sortedKeys(set)) result[key] = toFieldsV1(set.children.get(key) as FieldSet);
  return result;
}

/** Parses FieldsV1; anything malformed yields undefined (the caller then ignores the entry, as decode errors do upstream). */
export function fromFieldsV1(value: Json | undefined): FieldSet | undefined {
  if (!isJsonObject(value)) return undefined;
  const set = emptyFieldSet();
  for (const [key, child] of Object.entries(value)) {
    if (key === '.') {
      set.member = true;
      continue;
    }
    if (!/^[fkvi]:/.test(key)) return undefined;
    const parsed = fromFieldsV1(child);
    if (!parsed) return undefined;
    // A leaf ({}) is a member path; an inner node is a member only when it says so with ".".
    if (parsed.children.size === 0) parsed.member = true;
    set.children.set(key, parsed);
  }
  return set;
}

/** Human form of a path, as in conflict messages: .spec.containers[name="a"].image, .metadata.finalizers[="x"]. */
export function renderPath(path: FieldPath): string {
  return path.map((element) => {
    const body = element.slice(2);
    switch (element.slice(0, 2)) {
      case 'f:':
        return `.${body}`;
      case 'k:': {
        const key = JSON.parse(body) as JsonObject;
        return `[${Object.keys(key).sort().map((name) => `${name}=${JSON.stringify(key[name])}`).join(',')}]`;
      }
      case 'v:':
        return `[=${body}]`;
      default:
        return `[${body}]`;
    }
  }).join('');
}
