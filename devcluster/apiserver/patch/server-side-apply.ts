// application/apply-patch+yaml: server-side apply with field ownership (shared/reference/apiserver.md §8.1,
// §4.9), after structured-merge-diff merge/update.go Updater.Apply and apimachinery's managedfields:
//   1. merge the applied configuration into the live object (never a replace);
//   2. prune what this applier owned last time, no longer sends, and nobody else owns;
//   3. fields of other managers whose value the apply changes are conflicts (409) unless force, in which
//      case the applier takes them over; fields the apply removed leave every other owner;
//   4. the applier's entry becomes exactly the set of fields in its configuration.
// The caller runs its normal create/update pipeline on the result (status/spec separation, validation, RV).
import type { Json, JsonObject, KubeObject, SchemaNode } from '../types.ts';
import { StatusError, badRequest, internalError } from '../status-errors.ts';
import { isJsonObject, jsonEqual } from './json-values.ts';
import {
  difference, emptyFieldSet, insertPath, intersection, isEmptyFieldSet, memberPaths, renderPath, union,
  withNamedParents, withoutSubtrees, type FieldPath, type FieldSet,
} from './field-set.ts';
import {
  UNOWNED_PATHS, decodeManagedFields, describeManager, encodeManagedFields, managerIdentifier, recordUpdate,
  withoutManagedFields, withoutUnownedPaths, type ManagerFields,
} from './managed-fields.ts';
import { TypedValueError, compareObjects, mergeApplied, removeFieldSet, toFieldSet } from './typed-value.ts';

/** The manager that owns an existing object's fields at its first apply when it has no managedFields (skipnonapplied.go). */
export const BEFORE_FIRST_APPLY_MANAGER = 'before-first-apply';

export interface ApplyInput {
  /** The stored object, or undefined when the apply creates it. */
  live: KubeObject | undefined;
  /** The decoded apply-patch body. */
  applied: KubeObject;
  /** ?fieldManager= */
  manager: string;
  /** ?force=true */
  force: boolean;
  schema: SchemaNode | undefined;
  /** group/version of the request, recorded in the entries. */
  apiVersion: string;
  now: string;
  subresource?: string;
  /**
   * Top-level fields the endpoint resets and nobody can own through it (the strategy's reset fields), e.g.
   * ["status"] on the main endpoint of a kind with a status subresource.
   */
  resetFields?: readonly string[];
}

export function serverSideApply(input: ApplyInput): KubeObject {
  const managedInBody: unknown = input.applied.metadata?.managedFields;
  if (managedInBody !== undefined && managedInBody !== null) throw badRequest('metadata.managedFields must be nil');

  const config = withoutManagedFields(input.applied);
  const live = withoutManagedFields(input.live);
  const reset: FieldPath[] = (input.resetFields ?? []).map((field) => [`f:${field}`]);
  const configSet = typedFieldSet(config, input);

  const managers = decodeManagedFields(input.live?.metadata?.managedFields);
  if (input.live && managers.length === 0) {
    const existing = compareObjects({}, live, input.schema);
    recordUpdate(managers, union(existing.added, existing.modified), emptyFieldSet(), {
      manager: BEFORE_FIRST_APPLY_MANAGER, operation: 'Update', apiVersion: input.apiVersion, subresource: input.subresource,
    }, input.now);
  }
  const selfId = managerIdentifier({ manager: input.manager, operation: 'Apply', apiVersion: input.apiVersion, subresource: input.subresource });
  const previous = managers.find((m) => managerIdentifier(m) === selfId);
  const others = managers.filter((m) => m !== previous);

  let merged = mergeApplied(live, config, input.schema);
  if (previous) merged = prune(merged, previous.set, others, configSet, reset, input.schema);

  const changes = compareObjects(live, merged, input.schema);
  const changed = withoutSubtrees(union(changes.added, changes.modified), reset);
  const removed = withoutSubtrees(changes.removed, reset);
  const conflicts = others
    .map((m) => ({ manager: m, paths: intersection(m.set, changed) }))
    .filter((c) => !isEmptyFieldSet(c.paths));
  if (conflicts.length > 0 && !input.force) throw conflictError(conflicts);
  for (const m of others) m.set = difference(difference(m.set, changed), removed);

  const self: ManagerFields = {
    manager: input.manager, operation: 'Apply', apiVersion: input.apiVersion, subresource: input.subresource,
    // Only an apply that changed the object moves the time (managedfieldsupdater.go Apply).
    time: jsonEqual(live, merged) ? previous?.time : input.now,
    set: withoutUnownedPaths(withoutSubtrees(configSet, reset)),
  };
  const result = dropNulls(merged) as JsonObject;
  const metadata = isJsonObject(result.metadata) ? result.metadata : {};
  metadata.managedFields = encodeManagedFields([...others, self]) as unknown as Json;
  result.metadata = metadata;
  return result as unknown as KubeObject;
}

/** The configuration's field set; a configuration that cannot be typed is the upstream 500. */
function typedFieldSet(config: JsonObject, input: ApplyInput): FieldSet {
  try {
    return toFieldSet(config, input.schema, true);
  } catch (err) {
    if (!(err instanceof TypedValueError)) throw err;
    throw internalError(`failed to create typed patch object (${objectIdentity(input.applied)}): ${err.message}`);
  }
}

/** fieldmanager objectGVKNN: "default/ms1; machine.openshift.io/v1beta1, Kind=MachineSet". */
function objectIdentity(obj: KubeObject): string {
  const apiVersion = obj.apiVersion ?? '';
  const groupVersion = apiVersion.includes('/') ? apiVersion : `/${apiVersion}`;
  return `${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}; ${groupVersion}, Kind=${obj.kind ?? ''}`;
}

/**
 * Removes what the applier owned last time and no longer owns, unless someone else owns it (merge/update.go
 * prune + addBackOwnedItems + addBackDanglingItems). Field parents count as owned with their children, so a
 * parent emptied by the prune goes too, and identity and reset fields are never pruned.
 */
function prune(merged: JsonObject, lastSet: FieldSet, others: readonly ManagerFields[], configSet: FieldSet, reset: readonly FieldPath[], schema: SchemaNode | undefined): JsonObject {
  let keep = union(configSet, emptyFieldSet());
  for (const m of others) keep = union(keep, m.set);
  for (const path of [...UNOWNED_PATHS, ...reset]) insertPath(keep, path);
  return removeFieldSet(merged, difference(withNamedParents(lastSet), withNamedParents(keep)), schema);
}

interface Conflict {
  manager: ManagerFields;
  paths: FieldSet;
}

/** 409 with apimachinery's wording (managedfields/internal/conflict.go NewConflictError). */
function conflictError(conflicts: Conflict[]): StatusError {
  const sorted = [...conflicts].sort((a, b) => (managerIdentifier(a.manager) < managerIdentifier(b.manager) ? -1 : 1));
  const flat = sorted.flatMap((c) => memberPaths(c.paths).map((path) => ({ who: describeManager(c.manager), path: renderPath(path) })));
  const causes = flat.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with ${c.who}`, field: c.path }));
  let message: string;
  if (flat.length === 1) {
    message = `Apply failed with 1 conflict: conflict with ${flat[0].who}: ${flat[0].path}`;
  } else {
    const lines = sorted.flatMap((c) => [`conflicts with ${describeManager(c.manager)}:`, ...memberPaths(c.paths).map((path) => `- ${renderPath(path)}`)]);
    message = `Apply failed with ${flat.length} conflicts: ${lines.join('\n')}`;
  }
  return new StatusError(409, 'Conflict', message, { causes });
}

/** Nulls in an applied configuration mean "unset": drop them from maps of the result. */
function dropNulls(value: Json): Json {
  if (Array.isArray(value)) return value.map(dropNulls);
  if (!isJsonObject(value)) return value;
  const result: JsonObject = {};
  for (const [key, item] of Object.entries(value)) if (item !== null) result[key] = dropNulls(item);
  return result;
}
