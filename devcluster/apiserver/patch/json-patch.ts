// application/json-patch+json: RFC 6902 over RFC 6901 pointers (shared/reference/apiserver.md §8).
// Error mapping follows apiserver/pkg/endpoints/handlers/patch.go: a body that does not decode is 400,
// more than 10000 operations is 413, and an operation that cannot be applied (failed test, missing path)
// is a generic 422 (errors.NewGenericServerResponse), whose message does not say which operation failed.
import type { Json, JsonObject } from '../types.ts';
import { StatusError, badRequest, requestEntityTooLarge } from '../status-errors.ts';
import { cloneJson, isJsonObject, jsonEqual, jsonTypeName } from './json-values.ts';

/** handlers/patch.go maxJSONPatchOperations. */
export const MAX_JSON_PATCH_OPERATIONS = 10000;

const OPS = ['add', 'remove', 'replace', 'move', 'copy', 'test'] as const;
type OpName = (typeof OPS)[number];

interface Operation {
  op: OpName;
  path: string[];
  from?: string[];
  value?: Json;
}

/** An operation that is well-formed but does not apply to this document. */
function notApplicable(): StatusError {
  return new StatusError(422, 'Invalid', 'the server rejected our request due to an error in our request', {});
}

export function applyJsonPatch(doc: Json, operations: unknown): Json {
  if (!Array.isArray(operations)) {
    throw badRequest(`json: cannot unmarshal ${jsonTypeName(operations)} into Go value of type jsonpatch.Patch`);
  }
  if (operations.length > MAX_JSON_PATCH_OPERATIONS) {
    throw requestEntityTooLarge(`The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${operations.length}`);
  }
  const parsed = operations.map(parseOperation);
  let result = cloneJson(doc);
  for (const op of parsed) result = applyOperation(result, op);
  return result;
}

function parseOperation(raw: unknown, index: number): Operation {
  if (!isJsonObject(raw)) throw badRequest(`json: cannot unmarshal ${jsonTypeName(raw)} into Go value of type jsonpatch.Operation`);
  const op = raw.op;
  if (typeof op !== 'string' || !(OPS as readonly string[]).includes(op)) {
    throw badRequest(op === undefined ? `operation ${index}: missing "op"` : `operation ${index}: Unexpected kind: ${JSON.stringify(op)}`);
  }
  const result: Operation = { op: op as OpName, path: parsePointer(raw.path, index, 'path') };
  if (op === 'move' || op === 'copy') result.from = parsePointer(raw.from, index, 'from');
  if (op === 'add' || op === 'replace' || op === 'test') {
    if (!Object.hasOwn(raw, 'value')) throw badRequest(`operation ${index}: ${op} operation missing "value"`);
    result.value = raw.value;
  }
  return result;
}

/** RFC 6901: "" is the whole document, otherwise "/"-separated tokens with ~1 for "/" and ~0 for "~". */
function parsePointer(pointer: unknown, index: number, field: string): string[] {
  if (typeof pointer !== 'string') throw badRequest(`operation ${index}: missing or invalid "${field}"`);
  if (pointer === '') return [];
  if (!pointer.startsWith('/') || /~[^01]|~$/.test(pointer)) {
    throw badRequest(`operation ${index}: invalid JSON pointer ${JSON.stringify(pointer)}`);
  }
  return pointer.slice(1).split('/').map((token) => token.replaceAll('~1', '/').replaceAll('~0', '~'));
}

type Container = JsonObject | Json[];

/** The container holding the last token of path, or a 422 when an intermediate step is missing. */
function parentOf(doc: Json, path: string[]): Container {
  let node: Json = doc;
  for (const token of path.slice(0, -1)) {
    const next = childOf(node, token);
    if (next === undefined) throw notApplicable();
    node = next;
  }
  if (!Array.isArray(node) && !isJsonObject(node)) throw notApplicable();
  return node;
}

function childOf(node: Json, token: string): Json | undefined {
  if (Array.isArray(node)) {
    const i = arrayIndex(token, node.length - 1);
    return i === undefined ? undefined : node[i];
  }
  if (isJsonObject(node)) return Object.hasOwn(node, token) ? node[token] : undefined;
  return undefined;
}

/** A canonical decimal index in [0, max], else undefined. */
function arrayIndex(token: string, max: number): number | undefined {
  if (!/^(0|[1-9][0-9]*)$/.test(token)) return undefined;
  const i = Number(token);
  return i <= max ? i : undefined;
}

function get(doc: Json, path: string[]): Json | undefined {
  let node: Json | undefined = doc;
  for (const token of path) {
    if (node === undefined) return undefined;
    node = childOf(node, token);
  }
  return node;
}

function add(doc: Json, path: string[], value: Json): Json {
  if (path.length === 0) return value;
  const parent = parentOf(doc, path);
  const key = path[path.length - 1];
  if (Array.isArray(parent)) {
    const i = key === '-' ? parent.length : arrayIndex(key, parent.length);
    if (i === undefined) throw notApplicable();
    parent.splice(i, 0, value);
  } else {
    parent[key] = value;
  }
  return doc;
}

function remove(doc: Json, path: string[]): Json {
  if (path.length === 0) throw notApplicable();
  const parent = parentOf(doc, path);
  const key = path[path.length - 1];
  if (Array.isArray(parent)) {
    const i = arrayIndex(key, parent.length - 1);
    if (i === undefined) throw notApplicable();
    parent.splice(i, 1);
  } else {
    if (!Object.hasOwn(parent, key)) throw notApplicable();
    delete parent[key];
  }
  return doc;
}

function applyOperation(doc: Json, op: Operation): Json {
  switch (op.op) {
    case 'add':
      return add(doc, op.path, cloneJson(op.value as Json));
    case 'remove':
      return remove(doc, op.path);
    case 'replace':
      if (get(doc, op.path) === undefined) throw notApplicable();
      if (op.path.length === 0) return cloneJson(op.value as Json);
      return add(remove(doc, op.path), op.path, cloneJson(op.value as Json));
    case 'move': {
      const from = op.from as string[];
      const value = get(doc, from);
      if (value === undefined) throw notApplicable();
      if (samePath(from, op.path)) return doc;
      // RFC 6902 §4.4: a location cannot be moved into one of its children.
      if (from.length < op.path.length && samePath(from, op.path.slice(0, from.length))) throw notApplicable();
      return add(remove(doc, from), op.path, value);
    }
    case 'copy': {
      const value = get(doc, op.from as string[]);
      if (value === undefined) throw notApplicable();
      return add(doc, op.path, cloneJson(value));
    }
    case 'test': {
      const actual = get(doc, op.path);
      // evanphx/json-patch treats a missing location as equal to an expected null.
      if (actual === undefined ? op.value !== null : !jsonEqual(actual, op.value)) throw notApplicable();
      return doc;
    }
  }
}

function samePath(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((token, i) => token === b[i]);
}
