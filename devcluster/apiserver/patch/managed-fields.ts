// metadata.managedFields bookkeeping (shared/reference/apiserver.md §4.9, §8.1), after
// k8s.io/apimachinery/pkg/util/managedfields/internal: managers are identified by (manager, operation,
// subresource, and apiVersion for Update); identity fields of the object are never owned (stripmeta.go);
// entries are sorted Apply first, then by time, manager, apiVersion, subresource (managedfields.go).
import type { JsonObject, KubeObject, ManagedFieldsEntry, SchemaNode } from '../types.ts';
import { cloneJson, isJsonObject } from './json-values.ts';
import {
  difference, emptyFieldSet, fromFieldsV1, insertPath, isEmptyFieldSet, toFieldsV1, union, type FieldPath, type FieldSet,
} from './field-set.ts';
import { compareObjects } from './typed-value.ts';

/** One manager's entry, decoded. */
export interface ManagerFields {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string | undefined;
  subresource: string | undefined;
  set: FieldSet;
}

/** Paths that are never owned (stripmeta.go): identity and bookkeeping of the object itself. */
export const UNOWNED_PATHS: readonly FieldPath[] = [
  ['f:apiVersion'], ['f:kind'], ['f:metadata'],
  ...['name', 'namespace', 'creationTimestamp', 'selfLink', 'uid', 'clusterName', 'generation', 'managedFields', 'resourceVersion']
    .map((field) => ['f:metadata', `f:${field}`]),
];

const UNOWNED_SET: FieldSet = (() => {
  const set = emptyFieldSet();
  for (const path of UNOWNED_PATHS) insertPath(set, path);
  return set;
})();

export function withoutUnownedPaths(set: FieldSet): FieldSet {
  return difference(set, UNOWNED_SET);
}

/**
 * The manager identifier of BuildManagerIdentifier: the entry without time and fields, and without
 * apiVersion for appliers (an applier keeps one entry across versions). Also the sort key of conflicts.
 */
export function managerIdentifier(m: Pick<ManagerFields, 'manager' | 'operation' | 'apiVersion' | 'subresource'>): string {
  const id: Record<string, string> = { manager: m.manager, operation: m.operation };
  if (m.operation === 'Update') id.apiVersion = m.apiVersion;
  if (m.subresource) id.subresource = m.subresource;
  return JSON.stringify(id);
}

/** How conflicts name a manager (conflict.go printManager). */
export function describeManager(m: ManagerFields): string {
  let text = JSON.stringify(m.manager);
  if (m.subresource) text += ` with subresource ${JSON.stringify(m.subresource)}`;
  return m.operation === 'Update' ? `${text} using ${m.apiVersion}` : text;
}

/** Decodes entries; an entry that is not a valid FieldsV1 entry is ignored. */
export function decodeManagedFields(entries: unknown): ManagerFields[] {
  if (!Array.isArray(entries)) return [];
  const result: ManagerFields[] = [];
  for (const entry of entries as unknown[]) {
    if (!isJsonObject(entry)) continue;
    const { manager, operation, apiVersion, time, fieldsType, fieldsV1, subresource } = entry;
    if (typeof manager !== 'string' || (operation !== 'Apply' && operation !== 'Update') || fieldsType !== 'FieldsV1') continue;
    const set = fromFieldsV1(fieldsV1);
    if (!set) continue;
    result.push({
      manager, operation,
      apiVersion: typeof apiVersion === 'string' ? apiVersion : '',
      time: typeof time === 'string' ? time : undefined,
      subresource: typeof subresource === 'string' && subresource !== '' ? subresource : undefined,
      set,
    });
  }
  return result;
}

/** Encodes the non-empty entries in the apiserver's order. */
export function encodeManagedFields(managers: readonly ManagerFields[]): ManagedFieldsEntry[] {
  const seconds = (time: string | undefined) => (time ? Math.floor(Date.parse(time) / 1000) : 0);
  const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return managers
    .filter((m) => !isEmptyFieldSet(m.set))
    .sort((p, q) => compare(p.operation, q.operation) || seconds(p.time) - seconds(q.time) || compare(p.manager, q.manager)
      || compare(p.apiVersion, q.apiVersion) || compare(p.subresource ?? '', q.subresource ?? ''))
    .map((m) => {
      const entry: ManagedFieldsEntry = { manager: m.manager, operation: m.operation, apiVersion: m.apiVersion };
      if (m.time !== undefined) entry.time = m.time;
      entry.fieldsType = 'FieldsV1';
      entry.fieldsV1 = toFieldsV1(m.set);
      if (m.subresource) entry.subresource = m.subresource;
      return entry;
    });
}

/** The object as JSON, without metadata.managedFields: the field walks never look at them. */
export function withoutManagedFields(obj: KubeObject | undefined): JsonObject {
  if (!obj) return {};
  const copy = cloneJson(obj as unknown as JsonObject);
  if (isJsonObject(copy.metadata)) delete copy.metadata.managedFields;
  return copy;
}

/**
 * The object without metadata.managedFields, for reading only: a shallow copy of the two levels it changes, so
 * comparing the two sides of every write does not deep-copy both objects.
 */
function managedFieldsOmitted(obj: KubeObject | undefined): JsonObject {
  if (!obj) return {};
  const view = { ...(obj as unknown as JsonObject) };
  if (isJsonObject(view.metadata)) {
    const { managedFields: _omitted, ...metadata } = view.metadata;
    view.metadata = metadata;
  }
  return view;
}

/** `metadata.managedFields: [{}]` on a non-apply write asks for the managed fields to be reset (fieldmanager.go isResetManagedFields). */
export function isManagedFieldsReset(obj: KubeObject): boolean {
  const entries: unknown = obj.metadata?.managedFields;
  return Array.isArray(entries) && entries.length === 1 && isJsonObject(entries[0]) && Object.keys(entries[0]).length === 0;
}

/**
 * Records a write by `manager` and strips the fields it touched from every other owner
 * (structured-merge-diff Updater.update/Update): every entry, including this manager's own earlier one,
 * loses the changed and removed paths, then the manager's entry (created if needed) gains the changed
 * paths and the time. A write that changed nothing ownable leaves the manager's entry and time alone
 * (managedfieldsupdater.go).
 */
export function recordUpdate(managers: ManagerFields[], changedSet: FieldSet, removedSet: FieldSet, who: Omit<ManagerFields, 'set' | 'time'>, now: string): void {
  for (const m of managers) m.set = difference(difference(m.set, changedSet), removedSet);
  const owned = withoutUnownedPaths(changedSet);
  if (isEmptyFieldSet(owned)) return;
  const id = managerIdentifier(who);
  const existing = managers.find((m) => managerIdentifier(m) === id);
  if (existing) {
    existing.set = union(existing.set, owned);
    existing.time = now;
  } else {
    managers.push({ ...who, time: now, set: owned });
  }
}

export interface UpdateInput {
  before: KubeObject | undefined;
  after: KubeObject;
  manager: string;
  apiVersion: string;
  now: string;
  subresource?: string;
  /** The kind's schema, for per-item ownership of keyed lists; without it lists are owned whole. */
  schema?: SchemaNode;
}

/**
 * managedFields after a non-apply write (POST/PUT/PATCH). The starting entries are, as in fieldmanager.go
 * decodeLiveOrNew: none after a reset, the live ones for a subresource write, the incoming ones when the
 * client sent some (clients may edit managedFields directly), otherwise the live ones.
 */
export function updateManagedFieldsForUpdate(input: UpdateInput): ManagedFieldsEntry[] {
  const incoming = decodeManagedFields(input.after.metadata?.managedFields);
  let managers: ManagerFields[];
  if (isManagedFieldsReset(input.after)) managers = [];
  else if (!input.subresource && incoming.length > 0) managers = incoming;
  else managers = decodeManagedFields(input.before?.metadata?.managedFields);

  const changes = compareObjects(managedFieldsOmitted(input.before), managedFieldsOmitted(input.after), input.schema);
  recordUpdate(managers, union(changes.added, changes.modified), changes.removed, {
    manager: input.manager, operation: 'Update', apiVersion: input.apiVersion, subresource: input.subresource,
  }, input.now);
  return encodeManagedFields(managers);
}
