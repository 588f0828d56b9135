// The path every write takes (create, update, patch, apply, status): decode checks → storage form → prune →
// default → validate → server-set fields → status/spec separation → generation → managedFields
// (shared/reference/apiserver.md §4, §5.1, §9.2). Handlers call these in order and then commit.
import { isManagedFieldsReset, updateManagedFieldsForUpdate } from '../patch/index.ts';
import { applyDefaults, celBlockedBy, compileCelRules, pruneUnknownFields, validateAgainstSchema, validateCelRules, validateObjectMeta } from '../schema/index.ts';
import { badRequest, fieldErrors, internalError, invalid, notFound, StatusError, type FieldError } from '../status-errors.ts';
import type { Json, KubeObject } from '../types.ts';
import { apiVersionOf, toStorage } from './codec.ts';
import type { RequestContext } from './context.ts';
import type { WriteContext } from '../registry/registry.ts';
import { checkBuiltinTypes } from './builtin-decoding.ts';
import { checkObjectMetaShape } from './object-meta-shape.ts';
import { cloneJson } from '../patch/json-values.ts';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export function fieldValidationOf(query: URLSearchParams): FieldValidation {
  const value = query.get('fieldValidation');
  if (value === null || value === '') return 'Warn';
  if (value === 'Strict' || value === 'Warn' || value === 'Ignore') return value;
  throw badRequest(`fieldValidation parameter unsupported: ${value}`, undefined);
}

export function isDryRun(query: URLSearchParams): boolean {
  const values = query.getAll('dryRun');
  for (const value of values) {
    if (value !== 'All') {
      throw invalid('', 'DryRun', '', [fieldErrors.notSupported('dryRun', value, ['All'])]);
    }
  }
  return values.length > 0;
}

/** The field manager of a non-apply write: the parameter, or the client's user-agent name as upstream derives it. */
export function fieldManagerOf(ctx: RequestContext): string {
  const explicit = ctx.query.get('fieldManager');
  if (explicit) {
    if (explicit.length > 128) throw invalid('', 'PatchOptions', '', [fieldErrors.tooLong('fieldManager', 128)]);
    return explicit;
  }
  const agent = String(ctx.req.headers['user-agent'] ?? 'unknown');
  return agent.split('/')[0].slice(0, 128) || 'unknown';
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Checks that a decoded body is an object of this resource's kind and version, and fills namespace and
 * type meta from the URL as the real decoder does. Returns it in storage form.
 */
export function checkIncoming(ctx: RequestContext, body: unknown): KubeObject {
  const { resource, info } = ctx;
  if (!isPlainObject(body)) throw badRequest(`the body of the request must be a ${resource.kind} object`);
  const expected = apiVersionOf(resource);
  if (body.apiVersion !== undefined && body.apiVersion !== expected) {
    throw badRequest(`the API version in the data (${String(body.apiVersion)}) does not match the expected API version (${expected})`);
  }
  if (body.kind !== undefined && body.kind !== resource.kind) {
    throw badRequest(`the kind in the data (${String(body.kind)}) does not match the expected kind (${resource.kind})`);
  }
  if (body.metadata !== undefined && body.metadata !== null && !isPlainObject(body.metadata)) throw badRequest('metadata must be an object');
  const obj = body as KubeObject;
  obj.apiVersion = expected;
  obj.kind = resource.kind;
  obj.metadata = (obj.metadata ?? {}) as KubeObject['metadata'];
  checkObjectMetaShape(obj.metadata);
  dropEmptyMetadataCollections(obj.metadata);
  if (resource.namespaced) {
    if (obj.metadata.namespace !== undefined && obj.metadata.namespace !== '' && info.namespace !== '' && obj.metadata.namespace !== info.namespace) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    if (info.namespace !== '') obj.metadata.namespace = info.namespace;
  } else {
    delete obj.metadata.namespace;
  }
  if (info.name !== '' && obj.metadata.name !== undefined && obj.metadata.name !== info.name) {
    throw badRequest(`the name of the object (${obj.metadata.name}) does not match the name on the URL (${info.name})`);
  }
  if (info.name !== '' && obj.metadata.name === undefined) obj.metadata.name = info.name;
  return toStorage(resource, obj);
}

/**
 * ObjectMeta's maps and lists are `omitempty`, and every object (custom resources too) goes through the typed
 * ObjectMeta upstream, so an empty one is never stored: removing the last label leaves no `labels: {}`.
 */
function dropEmptyMetadataCollections(meta: KubeObject['metadata']): void {
  for (const field of ['labels', 'annotations', 'finalizers', 'ownerReferences'] as const) {
    const value: unknown = meta[field];
    if (value !== null && typeof value === 'object' && Object.keys(value).length === 0) delete meta[field];
  }
}

/**
 * Prunes unknown fields (reporting them per fieldValidation) and applies defaults, with the schema of the
 * version written through. Strict create/update answers 400, Strict patch 422 (apiserver.md §4.5).
 */
export function pruneAndDefault(ctx: RequestContext, obj: KubeObject, mode: 'write' | 'patch'): void {
  const schema = ctx.resource.schema;
  if (!schema) return;
  checkBuiltinTypes(ctx.resource, obj);
  const validation = fieldValidationOf(ctx.query);
  // The refusal of a Strict patch quotes the patched object as it was before pruning.
  const patched = mode === 'patch' && validation === 'Strict' ? JSON.stringify(obj) : '';
  const unknown = pruneUnknownFields(obj, schema);
  if (unknown.length > 0 && validation !== 'Ignore') {
    const messages = unknown.map((path) => `unknown field "${path}"`);
    if (validation === 'Strict') {
      const text = `strict decoding error: ${messages.join(', ')}`;
      if (mode === 'patch') {
        // handlers/patch.go (jsonPatcher.applyJSPatch's caller): errors.NewInvalid(schema.GroupKind{}, "", …) with
        // field "patch" and the patched object's JSON as the value, so kubectl prints "The request is invalid: …".
        throw invalid('', '', '', [{ field: 'patch', reason: 'FieldValueInvalid', detail: `Invalid value: ${JSON.stringify(patched)}: ${text}` }]);
      }
      throw badRequest(text);
    }
    for (const message of messages) ctx.warnings.add(message);
  }
  if (ctx.resource.isCustom) applyDefaults(obj as never, schema);
}

/** ObjectMeta, schema and CEL rules (custom resources) and kind-specific validation; 422 with every cause. */
export function validateObject(ctx: RequestContext, obj: KubeObject, old: KubeObject | undefined): void {
  const { resource } = ctx;
  const errors: FieldError[] = validateObjectMeta(obj.metadata, { namespaced: resource.namespaced });
  if (resource.isCustom && resource.schema) {
    errors.push(...validateAgainstSchema(obj, resource.schema));
    errors.push(...validateRules(ctx, obj, old, errors));
  }
  if (resource.strategy.validate) errors.push(...resource.strategy.validate(obj, old));
  if (old?.metadata.deletionTimestamp) {
    const added = (obj.metadata.finalizers ?? []).filter((f) => !(old.metadata.finalizers ?? []).includes(f));
    if (added.length > 0) {
      errors.push(fieldErrors.forbidden('metadata.finalizers', `no new finalizers can be added if the object is being deleted, found new finalizers []string{${added.map((f) => JSON.stringify(f)).join(', ')}}`));
    }
  }
  if (errors.length > 0) throw invalid(resource.group, resource.kind, obj.metadata.name ?? obj.metadata.generateName ?? '', errors);
  for (const warning of resource.strategy.warnings?.(obj) ?? []) ctx.warnings.add(warning);
}

/**
 * x-kubernetes-validations of a custom resource, on create, update, patch, apply and subresource writes alike
 * (customresource/strategy.go): skipped for kinds without rules, and replaced by one cause when the errors so far
 * mean the object lacks the shape its rules were written for. Failures ratcheted on unchanged values are warnings.
 */
function validateRules(ctx: RequestContext, obj: KubeObject, old: KubeObject | undefined, errorsSoFar: FieldError[]): FieldError[] {
  const rules = compileCelRules(ctx.resource.schema!);
  if (!rules.validator) return [];
  const blocked = celBlockedBy(errorsSoFar);
  if (blocked) return [blocked];
  const outcome = validateCelRules(rules, obj as unknown as Json, old as unknown as Json | undefined);
  for (const warning of outcome.warnings) ctx.warnings.add(warning);
  return outcome.errors;
}

/** Alphabet and length of generated name suffixes (apimachinery util/rand, apiserver storage/names). */
const NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
export function generateName(prefix: string): string {
  let suffix = '';
  for (let i = 0; i < 5; i++) suffix += NAME_ALPHABET[Math.floor(Math.random() * NAME_ALPHABET.length)];
  return `${prefix.slice(0, 58)}${suffix}`;
}

/** RFC 3339 with second precision, the form metav1.Time serializes to. */
export function timestamp(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

function writeContext(ctx: RequestContext, subresource: string): WriteContext {
  return { now: ctx.server.now(), subresource, stored: () => ctx.server.store.list(ctx.resource.storageKey).map((s) => s.object) };
}

/** Server-set fields of a create (rest.FillObjectMetaSystemFields, BeforeCreate). */
export function prepareCreate(ctx: RequestContext, obj: KubeObject): void {
  const { resource } = ctx;
  const meta = obj.metadata;
  if (meta.resourceVersion !== undefined && meta.resourceVersion !== '') {
    throw internalError('resourceVersion should not be set on objects to be created');
  }
  delete meta.resourceVersion;
  delete meta.deletionTimestamp;
  delete meta.deletionGracePeriodSeconds;
  meta.uid = crypto.randomUUID();
  meta.creationTimestamp = timestamp(ctx.server.now());
  if (resource.hasGeneration) meta.generation = 1;
  else delete meta.generation;
  if (resource.subresources.status && !resource.strategy.keepStatusOnCreate) delete obj.status;
  // The name first: kind hooks may derive fields from it (a Namespace's metadata.name label).
  if (!meta.name && meta.generateName) meta.name = generateName(meta.generateName);
  resource.strategy.prepareCreate?.(obj, writeContext(ctx, ''));
}

/** Creates are refused in a missing namespace (404) or a terminating one (403), as the NamespaceLifecycle admission does. */
export function checkNamespaceWritable(ctx: RequestContext, obj: KubeObject): void {
  const namespace = obj.metadata.namespace;
  if (!ctx.resource.namespaced || !namespace) return;
  const ns = ctx.server.store.get('/namespaces', '', namespace);
  if (!ns) throw notFound('', 'namespaces', namespace);
  if (ns.object.metadata.deletionTimestamp) {
    // The admission attributes name the object being created (handlers/create.go takes it from the body).
    const name = obj.metadata.name ?? '';
    throw new StatusError(403, 'Forbidden', `${ctx.resource.plural}${ctx.resource.group ? '.' + ctx.resource.group : ''} "${name}" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`, {
      name, group: ctx.resource.group, kind: ctx.resource.plural,
      causes: [{ reason: 'NamespaceTerminating', message: `namespace ${namespace} is being terminated`, field: 'metadata.namespace' }],
    });
  }
}

/**
 * Carries over what an update may not change (uid, creation time, deletion state), applies the status/spec
 * split of the endpoint, and bumps generation when the spec (anything outside metadata and status) changed.
 */
export function prepareUpdate(ctx: RequestContext, obj: KubeObject, old: KubeObject): KubeObject {
  const { resource, info } = ctx;
  let next = obj;
  if (info.subresource === 'status') {
    // A status write takes only `status` from the request (customresource/status_strategy.go).
    next = cloneJson(old) as KubeObject;
    next.status = obj.status;
    next.metadata.managedFields = obj.metadata.managedFields ?? old.metadata.managedFields;
    next.metadata.resourceVersion = obj.metadata.resourceVersion;
  } else if (resource.subresources.status) {
    if (old.status === undefined) delete next.status;
    else next.status = cloneJson(old.status);
  }
  const meta = next.metadata;
  meta.uid = old.metadata.uid;
  meta.creationTimestamp = old.metadata.creationTimestamp;
  if (old.metadata.deletionTimestamp) {
    meta.deletionTimestamp = old.metadata.deletionTimestamp;
    meta.deletionGracePeriodSeconds = old.metadata.deletionGracePeriodSeconds;
  } else {
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
  }
  if (resource.hasGeneration) {
    meta.generation = old.metadata.generation ?? 1;
    if (info.subresource !== 'status' && specChanged(next, old)) meta.generation++;
  } else {
    delete meta.generation;
  }
  resource.strategy.prepareUpdate?.(next, old, writeContext(ctx, info.subresource));
  return next;
}

function specChanged(next: KubeObject, old: KubeObject): boolean {
  const strip = (o: KubeObject): string => {
    const { metadata: _m, status: _s, ...rest } = o;
    return JSON.stringify(rest);
  };
  return strip(next) !== strip(old);
}

/** managedFields after a non-apply write: reset when asked, else ownership of the changed fields moves to the manager. */
export function recordManagedFields(ctx: RequestContext, before: KubeObject | undefined, after: KubeObject): void {
  if (isManagedFieldsReset(after)) {
    delete after.metadata.managedFields;
    return;
  }
  // A client that sends no managedFields keeps the stored ones; one that edits them is honoured, as upstream.
  if (after.metadata.managedFields === undefined && before?.metadata.managedFields) after.metadata.managedFields = before.metadata.managedFields;
  after.metadata.managedFields = updateManagedFieldsForUpdate({
    before,
    after,
    schema: ctx.resource.schema,
    manager: fieldManagerOf(ctx),
    apiVersion: apiVersionOf(ctx.resource),
    now: timestamp(ctx.server.now()),
    subresource: ctx.info.subresource || undefined,
  });
  if (after.metadata.managedFields.length === 0) delete after.metadata.managedFields;
}

/** Same object apart from the bookkeeping a no-op write would change (resourceVersion, managedFields times). */
export function unchanged(next: KubeObject, old: KubeObject): boolean {
  const normalize = (o: KubeObject): string => {
    const copy = { ...o, metadata: { ...o.metadata } };
    delete copy.metadata.resourceVersion;
    copy.metadata.managedFields = (o.metadata.managedFields ?? []).map((m) => ({ ...m, time: undefined }));
    return JSON.stringify(copy);
  };
  return normalize(next) === normalize(old);
}

export function requireObjectExists(ctx: RequestContext, namespace: string, name: string): KubeObject {
  const stored = ctx.server.store.get(ctx.resource.storageKey, namespace, name);
  if (!stored) throw notFound(ctx.resource.group, ctx.resource.plural, name);
  return stored.object as KubeObject;
}

