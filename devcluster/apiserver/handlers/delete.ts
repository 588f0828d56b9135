// DELETE and DELETE-collection: preconditions, propagation finalizers, graceful pod deletion, namespaces,
// and the answer shapes (apiserver.md §6.1, §6.2, §6.4). `deleteObject` is also what the in-server
// controllers (garbage collector, namespace cleanup, pod termination) call.
import { decodeObjectBody, readBody } from '../http/body.ts';
import { sendJson } from '../http/respond.ts';
import { badRequest, conflict, fieldErrors, invalid, notFound } from '../status-errors.ts';
import type { ServedResource } from '../registry/registry.ts';
import type { StoredObject } from '../storage/object-store.ts';
import type { KubeObject } from '../types.ts';
import type { RequestContext, ServerState } from './context.ts';
import { integerParam, listFilterOf, matchesFilter, respondObject } from './read.ts';
import { isDryRun, timestamp } from './write-pipeline.ts';
import { toServed } from './codec.ts';
import { cloneJson } from '../patch/json-values.ts';

export type PropagationPolicy = 'Background' | 'Foreground' | 'Orphan';

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  propagationPolicy?: PropagationPolicy;
  orphanDependents?: boolean;
  dryRun?: boolean;
}

export const FOREGROUND_FINALIZER = 'foregroundDeletion';
export const ORPHAN_FINALIZER = 'orphan';

/** Reads DeleteOptions from the body (JSON or protobuf) and the query, the query winning as upstream. */
export async function readDeleteOptions(ctx: RequestContext): Promise<DeleteOptions> {
  const body = await readBody(ctx.req);
  let options: DeleteOptions = {};
  if (body.length > 0) {
    const decoded = decodeObjectBody(body, ctx.req.headers['content-type']);
    if (decoded === null || typeof decoded !== 'object' || Array.isArray(decoded)) throw badRequest('DeleteOptions must be an object');
    const raw = decoded as Record<string, unknown>;
    options = {
      gracePeriodSeconds: typeof raw.gracePeriodSeconds === 'number' ? raw.gracePeriodSeconds : undefined,
      preconditions: raw.preconditions as DeleteOptions['preconditions'],
      propagationPolicy: raw.propagationPolicy as PropagationPolicy | undefined,
      orphanDependents: typeof raw.orphanDependents === 'boolean' ? raw.orphanDependents : undefined,
      dryRun: Array.isArray(raw.dryRun) && raw.dryRun.includes('All'),
    };
  }
  const q = ctx.query;
  if (q.has('gracePeriodSeconds')) options.gracePeriodSeconds = integerParam(q, 'gracePeriodSeconds');
  if (q.has('propagationPolicy')) options.propagationPolicy = q.get('propagationPolicy') as PropagationPolicy;
  if (q.has('orphanDependents')) options.orphanDependents = q.get('orphanDependents') === 'true';
  if (isDryRun(q)) options.dryRun = true;
  const policy = options.propagationPolicy;
  if (policy !== undefined && policy !== 'Background' && policy !== 'Foreground' && policy !== 'Orphan') {
    throw invalid('meta.k8s.io', 'DeleteOptions', '', [fieldErrors.notSupported('propagationPolicy', policy, ['Foreground', 'Background', 'Orphan', 'nil'])]);
  }
  if (policy !== undefined && options.orphanDependents !== undefined) {
    throw invalid('meta.k8s.io', 'DeleteOptions', '', [fieldErrors.invalid('propagationPolicy', policy, 'orphanDependents and deletionPropagation cannot be both set')]);
  }
  if (options.gracePeriodSeconds !== undefined && (!Number.isInteger(options.gracePeriodSeconds) || options.gracePeriodSeconds < 0)) {
    throw invalid('meta.k8s.io', 'DeleteOptions', '', [fieldErrors.invalid('gracePeriodSeconds', options.gracePeriodSeconds, 'must be greater than or equal to 0')]);
  }
  return options;
}

/** Finalizers after applying the propagation policy (store.go deletionFinalizersForGarbageCollection). */
function finalizersFor(obj: KubeObject, options: DeleteOptions): string[] {
  const current = obj.metadata.finalizers ?? [];
  let policy = options.propagationPolicy;
  if (policy === undefined && options.orphanDependents !== undefined) policy = options.orphanDependents ? 'Orphan' : 'Background';
  if (policy === undefined) return current;
  const rest = current.filter((f) => f !== FOREGROUND_FINALIZER && f !== ORPHAN_FINALIZER);
  if (policy === 'Foreground') return [...rest, FOREGROUND_FINALIZER];
  if (policy === 'Orphan') return [...rest, ORPHAN_FINALIZER];
  return rest;
}

/** Grace period of a pod delete: 0 when it never ran on a node or already finished (pod strategy CheckGracefulDelete). */
function podGracePeriod(obj: KubeObject, options: DeleteOptions): number {
  const spec = (obj.spec ?? {}) as { nodeName?: string; terminationGracePeriodSeconds?: number };
  const phase = ((obj.status ?? {}) as { phase?: string }).phase;
  if (!spec.nodeName || phase === 'Succeeded' || phase === 'Failed') return 0;
  return options.gracePeriodSeconds ?? spec.terminationGracePeriodSeconds ?? 30;
}

export type DeleteOutcome = { kind: 'deleted'; object: StoredObject } | { kind: 'marked'; object: StoredObject | KubeObject };

/**
 * Deletes (or marks for deletion) one stored object. Objects with finalizers, namespaces and gracefully
 * deleted pods get a deletionTimestamp and stay; everything else is removed at once.
 */
export function deleteObject(server: ServerState, resource: ServedResource, stored: StoredObject, options: DeleteOptions): DeleteOutcome {
  const old = stored.object as KubeObject;
  const pre = options.preconditions;
  if (pre?.uid && pre.uid !== old.metadata.uid) {
    throw conflict(resource.group, resource.plural, stored.name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${old.metadata.uid}`);
  }
  if (pre?.resourceVersion && pre.resourceVersion !== old.metadata.resourceVersion) {
    throw conflict(resource.group, resource.plural, stored.name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${old.metadata.resourceVersion}`);
  }
  const now = server.now();
  const finalizers = finalizersFor(old, options);
  const isNamespace = resource.storageKey === '/namespaces';
  const isPod = resource.storageKey === '/pods';
  const grace = isPod ? podGracePeriod(old, options) : 0;
  const alreadyDeleting = old.metadata.deletionTimestamp !== undefined;

  if (finalizers.length === 0 && !isNamespace && grace === 0) {
    if (options.dryRun) return { kind: 'deleted', object: stored };
    return { kind: 'deleted', object: server.store.remove(resource.storageKey, stored.namespace, stored.name)! };
  }
  const next = cloneJson(old) as KubeObject;
  next.metadata.finalizers = finalizers.length > 0 ? finalizers : undefined;
  if (next.metadata.finalizers === undefined) delete next.metadata.finalizers;
  const deleteAt = new Date(now.getTime() + grace * 1000);
  // A later delete may shorten the grace period, never lengthen it (store.go BeforeDelete).
  if (!alreadyDeleting || Date.parse(old.metadata.deletionTimestamp!) > deleteAt.getTime()) {
    next.metadata.deletionTimestamp = timestamp(deleteAt);
    next.metadata.deletionGracePeriodSeconds = grace;
  }
  if (isNamespace) next.status = { ...((next.status as object) ?? {}), phase: 'Terminating' };
  if (resource.hasGeneration && !alreadyDeleting) next.metadata.generation = (next.metadata.generation ?? 0) + 1;
  if (JSON.stringify(next) === JSON.stringify(old)) return { kind: 'marked', object: stored };
  if (options.dryRun) return { kind: 'marked', object: next };
  return { kind: 'marked', object: server.store.put(resource.storageKey, next) };
}

function successStatus(resource: ServedResource, name: string, uid: string | undefined): object {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name, group: resource.group, kind: resource.plural, uid } };
}

export async function handleDelete(ctx: RequestContext): Promise<void> {
  const { resource, info, server } = ctx;
  const options = await readDeleteOptions(ctx);
  const stored = server.store.get(resource.storageKey, info.namespace, info.name);
  if (!stored) throw notFound(resource.group, resource.plural, info.name);
  const outcome = deleteObject(server, resource, stored, options);
  if (outcome.kind === 'marked') {
    respondObject(ctx, 200, outcome.object);
    return;
  }
  if (resource.returnDeletedObject) {
    respondObject(ctx, 200, outcome.object);
    return;
  }
  ctx.warnings.apply(ctx.res);
  sendJson(ctx.res, 200, successStatus(resource, info.name, outcome.object.object.metadata.uid));
}

export async function handleDeleteCollection(ctx: RequestContext): Promise<void> {
  const { resource, server } = ctx;
  const options = await readDeleteOptions(ctx);
  const filter = listFilterOf(ctx);
  const ns = filter.namespace === '' ? undefined : filter.namespace;
  const deleted: KubeObject[] = [];
  for (const stored of [...server.store.list(resource.storageKey, ns)]) {
    if (!matchesFilter(resource, filter, stored.object as KubeObject)) continue;
    const outcome = deleteObject(server, resource, stored, options);
    const obj = 'json' in outcome.object ? (outcome.object.object as KubeObject) : outcome.object;
    deleted.push(toServed(resource, obj));
  }
  ctx.warnings.apply(ctx.res);
  sendJson(ctx.res, 200, { kind: resource.listKind, apiVersion: resource.group ? `${resource.group}/${resource.version}` : resource.version, metadata: { resourceVersion: String(server.store.resourceVersion) }, items: deleted });
}
