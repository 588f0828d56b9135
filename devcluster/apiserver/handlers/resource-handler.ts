// Dispatches a resource request (method, name, subresource) to its handler after checking that the
// resource serves that verb and subresource, as kube-apiserver's installer does.
import { decodeObjectBody, readBody } from '../http/body.ts';
import { requestVerb } from '../http/request-info.ts';
import { methodNotAllowed, notFound, StatusError } from '../status-errors.ts';
import type { KubeObject } from '../types.ts';
import type { RequestContext } from './context.ts';
import { handleDelete, handleDeleteCollection } from './delete.ts';
import { handleEviction } from './eviction.ts';
import { handleGet, handleList, respondObject } from './read.ts';
import { handleGetScale, handlePatchScale, handleUpdateScale } from './scale.ts';
import { checkTableAcceptable } from './table-output.ts';
import { handleWatch } from './watch.ts';
import { commitUpdate, handleCreate, handlePatch, handleUpdate } from './write.ts';
import { checkIncoming, isDryRun, requireObjectExists } from './write-pipeline.ts';
import { cloneJson } from '../patch/json-values.ts';

function checkSubresource(ctx: RequestContext): void {
  const { resource, info } = ctx;
  const sub = info.subresource;
  if (sub === '') return;
  const served =
    (sub === 'status' && resource.subresources.status) ||
    (sub === 'scale' && resource.subresources.scale) ||
    (resource.subresources.extra ?? []).some((e) => e.name === sub);
  if (!served) throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
}

export async function handleResource(ctx: RequestContext): Promise<void> {
  const { resource, info } = ctx;
  if (!resource.namespaced && info.namespace !== '') throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
  checkSubresource(ctx);
  checkTableAcceptable(ctx.req.headers.accept);
  const method = ctx.req.method ?? 'GET';
  const verb = requestVerb(method, ctx.info.name !== '', ctx.query);
  const sub = info.subresource;

  if (sub === '' && !resource.verbs.includes(verb)) {
    throw methodNotAllowed(`the server does not allow this method on the requested resource`);
  }
  if (resource.namespaced && info.namespace === '' && info.name !== '') {
    throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
  }
  if (resource.namespaced && info.namespace === '' && (verb === 'create' || verb === 'deletecollection')) {
    throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
  }

  if (sub === 'scale') {
    if (verb === 'get') return handleGetScale(ctx);
    if (verb === 'update') return handleUpdateScale(ctx);
    if (verb === 'patch') return handlePatchScale(ctx);
    throw methodNotAllowed('the server does not allow this method on the requested resource');
  }
  if (sub === 'eviction') {
    if (verb === 'create') return handleEviction(ctx);
    throw methodNotAllowed('the server does not allow this method on the requested resource');
  }
  if (sub === 'finalize') {
    if (verb === 'update') return handleFinalize(ctx);
    throw methodNotAllowed('the server does not allow this method on the requested resource');
  }
  if (sub === 'status' && !['get', 'update', 'patch'].includes(verb)) {
    throw methodNotAllowed('the server does not allow this method on the requested resource');
  }

  switch (verb) {
    case 'get':
      return handleGet(ctx);
    case 'list':
      return handleList(ctx);
    case 'watch':
      return handleWatch(ctx);
    case 'create':
      if (info.name !== '') throw methodNotAllowed('the server does not allow this method on the requested resource');
      return handleCreate(ctx);
    case 'update':
      if (info.name === '') throw methodNotAllowed('the server does not allow this method on the requested resource');
      return handleUpdate(ctx);
    case 'patch':
      if (info.name === '') throw methodNotAllowed('the server does not allow this method on the requested resource');
      return handlePatch(ctx);
    case 'delete':
      return handleDelete(ctx);
    case 'deletecollection':
      return handleDeleteCollection(ctx);
    default:
      throw methodNotAllowed(`the server does not allow this method on the requested resource`);
  }
}

/** PUT namespaces/<name>/finalize: only spec.finalizers changes; the last one gone ends a terminating namespace. */
async function handleFinalize(ctx: RequestContext): Promise<void> {
  const body = decodeObjectBody(await readBody(ctx.req), ctx.req.headers['content-type']);
  const incoming = checkIncoming(ctx, body);
  const old = requireObjectExists(ctx, '', ctx.info.name);
  if (incoming.metadata.resourceVersion && incoming.metadata.resourceVersion !== old.metadata.resourceVersion) {
    throw new StatusError(409, 'Conflict', `Operation cannot be fulfilled on namespaces "${ctx.info.name}": the object has been modified; please apply your changes to the latest version and try again`, { name: ctx.info.name, kind: 'namespaces' });
  }
  const next = cloneJson(old) as KubeObject;
  const finalizers = ((incoming.spec ?? {}) as { finalizers?: string[] }).finalizers ?? [];
  next.spec = { ...((next.spec as object) ?? {}), finalizers };
  if (finalizers.length === 0) delete (next.spec as { finalizers?: string[] }).finalizers;
  const dryRun = isDryRun(ctx.query);
  if (next.metadata.deletionTimestamp && finalizers.length === 0 && (next.metadata.finalizers ?? []).length === 0) {
    if (dryRun) return commitUpdate(ctx, next, old, true);
    const gone = ctx.server.store.remove('/namespaces', '', ctx.info.name);
    if (!gone) throw notFound('', 'namespaces', ctx.info.name);
    return respondObject(ctx, 200, gone);
  }
  commitUpdate(ctx, next, old, dryRun);
}
