// POST (create), PUT (update) and PATCH of objects and their /status (apiserver.md §4.2, §4.4, §5.1, §8).
import { decodeJson, decodeObjectBody, mediaType, readBody } from '../http/body.ts';
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch, serverSideApply } from '../patch/index.ts';
import { alreadyExists, badRequest, conflict, fieldErrors, invalid, methodNotAllowed, notFound, unsupportedMediaType } from '../status-errors.ts';
import type { JsonObject, KubeObject } from '../types.ts';
import { apiVersionOf, servedView, toServed } from './codec.ts';
import type { RequestContext } from './context.ts';
import { respondObject } from './read.ts';
import {
  checkIncoming, checkNamespaceWritable, generateName, isDryRun, prepareCreate, prepareUpdate, pruneAndDefault, recordManagedFields,
  requireObjectExists, timestamp, unchanged, validateObject,
} from './write-pipeline.ts';

/** generateName collisions are retried this many times before answering 409 (apiserver storage store.go). */
const GENERATE_NAME_ATTEMPTS = 8;

export async function handleCreate(ctx: RequestContext): Promise<void> {
  const { resource, server } = ctx;
  const body = decodeObjectBody(await readBody(ctx.req), ctx.req.headers['content-type']);
  const obj = checkIncoming(ctx, body);
  if (ctx.server.registry.isTerminating(resource)) throw methodNotAllowed('create not allowed while custom resource definition is terminating');
  if (resource.strategy.virtualCreate) {
    respondObject(ctx, 201, resource.strategy.virtualCreate(obj, ctx.user));
    return;
  }
  const dryRun = isDryRun(ctx.query);
  pruneAndDefault(ctx, obj, 'write');
  const nameGenerated = !obj.metadata.name && Boolean(obj.metadata.generateName);
  prepareCreate(ctx, obj);
  if (!obj.metadata.name) {
    throw invalid(resource.group, resource.kind, '', [fieldErrors.required('metadata.name', 'name or generateName is required')]);
  }
  checkNamespaceWritable(ctx, obj);
  validateObject(ctx, obj, undefined);
  for (let attempt = 1; server.store.get(resource.storageKey, obj.metadata.namespace ?? '', obj.metadata.name); attempt++) {
    if (!nameGenerated || attempt >= GENERATE_NAME_ATTEMPTS) {
      const err = alreadyExists(resource.group, resource.plural, obj.metadata.name);
      if (nameGenerated && err.details) err.details.retryAfterSeconds = 1;
      throw err;
    }
    obj.metadata.name = generateName(obj.metadata.generateName ?? '');
  }
  recordManagedFields(ctx, undefined, obj);
  if (dryRun) {
    respondObject(ctx, 201, toServed(resource, obj));
    return;
  }
  const stored = server.store.put(resource.storageKey, obj);
  respondObject(ctx, 201, stored);
}

/**
 * Stores an update that passed the pipeline: no-op writes keep the resourceVersion and emit nothing, and
 * removing the last finalizer of a deleting object deletes it (apiserver.md §4.4, §6.1).
 */
export function commitUpdate(ctx: RequestContext, next: KubeObject, old: KubeObject, dryRun: boolean, createdCode = 200): void {
  const { resource, server } = ctx;
  if (dryRun) {
    respondObject(ctx, createdCode, toServed(resource, next));
    return;
  }
  if (unchanged(next, old)) {
    respondObject(ctx, 200, server.store.get(resource.storageKey, old.metadata.namespace ?? '', old.metadata.name ?? '')!);
    return;
  }
  if (next.metadata.deletionTimestamp && (next.metadata.finalizers ?? []).length === 0 && !namespaceFinalizersPending(resource.storageKey, next)) {
    const gone = server.store.remove(resource.storageKey, next.metadata.namespace ?? '', next.metadata.name ?? '');
    respondObject(ctx, 200, gone!);
    return;
  }
  respondObject(ctx, createdCode, server.store.put(resource.storageKey, next));
}

/** A namespace also waits for its spec.finalizers (the namespace controller's "kubernetes"). */
function namespaceFinalizersPending(storageKey: string, obj: KubeObject): boolean {
  return storageKey === '/namespaces' && (((obj.spec ?? {}) as { finalizers?: string[] }).finalizers ?? []).length > 0;
}

/** Runs an update of `incoming` (storage form) against the stored `old`: preconditions, pipeline, commit. */
export function applyUpdate(ctx: RequestContext, incoming: KubeObject, old: KubeObject, mode: 'write' | 'patch', dryRun: boolean): void {
  const { resource } = ctx;
  const rv = incoming.metadata.resourceVersion;
  if (rv !== undefined && rv !== '' && rv !== old.metadata.resourceVersion) {
    throw conflict(resource.group, resource.plural, old.metadata.name ?? '');
  }
  if ((rv === undefined || rv === '') && !resource.allowUnconditionalUpdate && ctx.info.subresource !== 'status') {
    throw invalid(resource.group, resource.kind, old.metadata.name ?? '', [
      { field: 'metadata.resourceVersion', reason: 'FieldValueInvalid', detail: 'Invalid value: 0x0: must be specified for an update' },
    ]);
  }
  pruneAndDefault(ctx, incoming, mode);
  const next = prepareUpdate(ctx, incoming, old);
  validateObject(ctx, next, old);
  recordManagedFields(ctx, old, next);
  commitUpdate(ctx, next, old, dryRun);
}

export async function handleUpdate(ctx: RequestContext): Promise<void> {
  const body = decodeObjectBody(await readBody(ctx.req), ctx.req.headers['content-type']);
  const dryRun = isDryRun(ctx.query);
  const incoming = checkIncoming(ctx, body);
  const old = requireObjectExists(ctx, ctx.info.namespace, ctx.info.name);
  applyUpdate(ctx, incoming, old, 'write', dryRun);
}

const PATCH_TYPES_ALL = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml'];
const PATCH_TYPES_CUSTOM = ['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml'];

/** Parses the patch body and applies it to `current` (the object in the served version). */
export function patchObject(ctx: RequestContext, type: string, body: Buffer, current: JsonObject): JsonObject {
  switch (type) {
    case 'application/merge-patch+json':
      return applyMergePatch(current, decodeJson(body) as never) as JsonObject;
    case 'application/json-patch+json':
      return applyJsonPatch(current, decodeJson(body)) as JsonObject;
    case 'application/strategic-merge-patch+json': {
      const patch = decodeJson(body);
      if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) throw badRequest('strategic merge patch must be a JSON object');
      return applyStrategicMergePatch(current, patch as JsonObject, ctx.resource.schema);
    }
    default:
      throw unsupportedMediaType(ctx.resource.isCustom ? PATCH_TYPES_CUSTOM : PATCH_TYPES_ALL);
  }
}

export function patchTypeOf(ctx: RequestContext): string {
  const type = mediaType(ctx.req.headers['content-type']);
  const allowed = ctx.resource.isCustom ? PATCH_TYPES_CUSTOM : PATCH_TYPES_ALL;
  if (!allowed.includes(type)) throw unsupportedMediaType(allowed);
  return type;
}

export async function handlePatch(ctx: RequestContext): Promise<void> {
  const { resource, info, query } = ctx;
  const type = patchTypeOf(ctx);
  const body = await readBody(ctx.req);
  const dryRun = isDryRun(query);
  if (query.has('force') && type !== 'application/apply-patch+yaml') {
    throw invalid('meta.k8s.io', 'PatchOptions', '', [fieldErrors.forbidden('force', 'may not be specified for non-apply patch')]);
  }
  const stored = ctx.server.store.get(resource.storageKey, info.namespace, info.name);
  if (type === 'application/apply-patch+yaml') {
    await applyPatch(ctx, body, stored?.object as KubeObject | undefined, dryRun);
    return;
  }
  if (!stored) throw notFound(resource.group, resource.plural, info.name);
  // The patch engines never modify their input, so the stored object itself serves when it is served as stored.
  const current = servedView(resource, stored);
  const patched = patchObject(ctx, type, body, current as unknown as JsonObject);
  const incoming = checkIncoming(ctx, patched);
  applyUpdate(ctx, incoming, stored.object as KubeObject, 'patch', dryRun);
}

/** Server-side apply: upsert with field ownership (apiserver.md §8.1). */
async function applyPatch(ctx: RequestContext, body: Buffer, live: KubeObject | undefined, dryRun: boolean): Promise<void> {
  const { resource, info, query } = ctx;
  const manager = query.get('fieldManager');
  if (!manager) {
    throw invalid('meta.k8s.io', 'PatchOptions', '', [fieldErrors.required('fieldManager', 'is required for apply patch')]);
  }
  const applied = decodeObjectBody(body, 'application/apply-patch+yaml');
  // An apply configuration must name the version it was written for, even where create and update default it
  // from the URL (fieldmanager structuredmerge.go Apply).
  const appliedVersion = (applied as { apiVersion?: unknown } | null)?.apiVersion ?? '';
  if (typeof applied === 'object' && !Array.isArray(applied) && appliedVersion !== apiVersionOf(resource)) {
    throw badRequest(`Incorrect version specified in apply patch. Specified patch version: ${String(appliedVersion)}, expected: ${apiVersionOf(resource)}`);
  }
  const appliedObj = checkIncoming(ctx, applied);
  const servedLive = live ? toServed(resource, live) : undefined;
  const merged = serverSideApply({
    live: servedLive,
    applied: { ...appliedObj, apiVersion: apiVersionOf(resource), kind: resource.kind },
    manager,
    force: query.get('force') === 'true',
    schema: resource.schema,
    apiVersion: apiVersionOf(resource),
    now: timestamp(ctx.server.now()),
    subresource: info.subresource || undefined,
    // The endpoint resets these, so the applier neither owns nor prunes them (status on the main resource).
    resetFields: resource.subresources.status ? (info.subresource === 'status' ? [] : ['status']) : [],
  });
  const incoming = checkIncoming(ctx, merged);
  if (!live) {
    if (info.subresource) throw notFound(resource.group, resource.plural, info.name);
    const managed = incoming.metadata.managedFields;
    pruneAndDefault(ctx, incoming, 'patch');
    prepareCreate(ctx, incoming);
    incoming.metadata.managedFields = managed;
    checkNamespaceWritable(ctx, incoming);
    validateObject(ctx, incoming, undefined);
    if (dryRun) {
      respondObject(ctx, 201, toServed(resource, incoming));
      return;
    }
    respondObject(ctx, 201, ctx.server.store.put(resource.storageKey, incoming));
    return;
  }
  pruneAndDefault(ctx, incoming, 'patch');
  const next = prepareUpdate(ctx, incoming, live);
  next.metadata.managedFields = incoming.metadata.managedFields;
  validateObject(ctx, next, live);
  commitUpdate(ctx, next, live, dryRun);
}
