// The /scale subresource: an autoscaling/v1 Scale view of specReplicasPath, statusReplicasPath and
// labelSelectorPath (apiserver.md §5.2). Built-in apps kinds derive the selector from spec.selector.
import { decodeObjectBody, readBody } from '../http/body.ts';
import { labelSelectorToString } from '../selectors/index.ts';
import { badRequest, conflict, internalError, invalid, fieldErrors } from '../status-errors.ts';
import type { ServedResource } from '../registry/registry.ts';
import type { JsonObject, KubeObject } from '../types.ts';
import { toServed } from './codec.ts';
import type { RequestContext } from './context.ts';
import { sendJson } from '../http/respond.ts';
import { patchObject, patchTypeOf } from './write.ts';
import { isDryRun, prepareUpdate, recordManagedFields, requireObjectExists, validateObject } from './write-pipeline.ts';
import { cloneJson } from '../patch/json-values.ts';

function pathParts(path: string): string[] {
  return path.replace(/^\./, '').split('.');
}

function readPath(obj: unknown, path: string): unknown {
  let value = obj;
  for (const part of pathParts(path)) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

function writePath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const parts = pathParts(path);
  let node = obj;
  for (const part of parts.slice(0, -1)) {
    if (node[part] === null || typeof node[part] !== 'object') node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts[parts.length - 1]] = value;
}

export function scaleOf(resource: ServedResource, obj: KubeObject): JsonObject {
  const scale = resource.subresources.scale!;
  const specReplicas = readPath(obj, scale.specReplicasPath);
  if (resource.isCustom && typeof specReplicas !== 'number') {
    throw internalError(`the spec replicas field "${scale.specReplicasPath}" does not exist`);
  }
  const statusReplicas = readPath(obj, scale.statusReplicasPath);
  let selector: unknown;
  if (resource.isCustom) selector = scale.labelSelectorPath ? readPath(obj, scale.labelSelectorPath) : undefined;
  else selector = labelSelectorToString((obj.spec as { selector?: never } | undefined)?.selector);
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: obj.metadata.name ?? '',
      ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}),
      uid: obj.metadata.uid ?? '',
      resourceVersion: obj.metadata.resourceVersion ?? '',
      creationTimestamp: obj.metadata.creationTimestamp ?? null,
    },
    spec: { replicas: typeof specReplicas === 'number' ? specReplicas : 0 },
    status: { replicas: typeof statusReplicas === 'number' ? statusReplicas : 0, selector: typeof selector === 'string' ? selector : '' },
  };
}

export function handleGetScale(ctx: RequestContext): void {
  const obj = toServed(ctx.resource, requireObjectExists(ctx, ctx.info.namespace, ctx.info.name));
  sendJson(ctx.res, 200, scaleOf(ctx.resource, obj));
}

/** Writes a Scale's spec.replicas back into the object; a non-empty Scale resourceVersion is a precondition. */
function writeScale(ctx: RequestContext, scale: unknown, old: KubeObject, dryRun: boolean): void {
  const { resource } = ctx;
  if (scale === null || typeof scale !== 'object') throw badRequest('the body of the request must be a Scale object');
  const s = scale as { metadata?: { resourceVersion?: string }; spec?: { replicas?: unknown } };
  const replicas = s.spec?.replicas;
  if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
    throw invalid('autoscaling', 'Scale', old.metadata.name ?? '', [fieldErrors.invalid('spec.replicas', replicas ?? null, 'must be greater than or equal to 0')]);
  }
  const rv = s.metadata?.resourceVersion;
  if (rv && rv !== old.metadata.resourceVersion) throw conflict(resource.group, resource.plural, old.metadata.name ?? '');
  const incoming = cloneJson(old) as KubeObject;
  writePath(incoming as unknown as Record<string, unknown>, resource.subresources.scale!.specReplicasPath, replicas);
  const next = prepareUpdate({ ...ctx, info: { ...ctx.info, subresource: '' } }, incoming, old);
  validateObject(ctx, next, old);
  recordManagedFields(ctx, old, next);
  let result: KubeObject = next;
  if (!dryRun && JSON.stringify(next) !== JSON.stringify(old)) {
    result = ctx.server.store.put(resource.storageKey, next).object as KubeObject;
  }
  sendJson(ctx.res, 200, scaleOf(resource, toServed(resource, result)));
}

export async function handleUpdateScale(ctx: RequestContext): Promise<void> {
  const body = decodeObjectBody(await readBody(ctx.req), ctx.req.headers['content-type']);
  const dryRun = isDryRun(ctx.query);
  writeScale(ctx, body, requireObjectExists(ctx, ctx.info.namespace, ctx.info.name), dryRun);
}

export async function handlePatchScale(ctx: RequestContext): Promise<void> {
  const type = patchTypeOf(ctx);
  const body = await readBody(ctx.req);
  const dryRun = isDryRun(ctx.query);
  const old = requireObjectExists(ctx, ctx.info.namespace, ctx.info.name);
  const current = scaleOf(ctx.resource, toServed(ctx.resource, old));
  // The patch applies to the Scale object, never to the resource itself (kubectl scale sends {"spec":{"replicas":N}}).
  const patched = patchObject({ ...ctx, resource: { ...ctx.resource, schema: undefined, isCustom: true } }, type === 'application/strategic-merge-patch+json' ? 'application/merge-patch+json' : type, body, current);
  writeScale(ctx, patched, old, dryRun);
}
