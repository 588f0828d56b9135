// GET of one object and LIST of a collection (apiserver.md §4.3, §7.2, §7.4, §7.5, §7.6).
import { sendRawJson } from '../http/respond.ts';
import { parseFieldSelector, parseLabelSelector, type FieldSelector, type LabelSelector } from '../selectors/index.ts';
import { badRequest, fieldErrors, gone, invalid, notFound, StatusError, type FieldError } from '../status-errors.ts';
import type { ServedResource } from '../registry/registry.ts';
import { compareKeys, type StoredObject } from '../storage/object-store.ts';
import type { KubeObject } from '../types.ts';
import { apiVersionOf, servedJson, servedView, toServed } from './codec.ts';
import type { RequestContext } from './context.ts';
import { includeObjectOf, renderTable, wantsTable } from './table-output.ts';

/** Answers an object in the version and shape (object or Table) the client asked for. */
export function respondObject(ctx: RequestContext, code: number, stored: StoredObject | KubeObject): void {
  const isStored = 'json' in stored && 'rv' in stored;
  ctx.warnings.apply(ctx.res);
  if (wantsTable(ctx.req.headers.accept)) {
    const obj = isStored ? toServed(ctx.resource, (stored as StoredObject).object as KubeObject) : (stored as KubeObject);
    const table = renderTable(ctx.resource, [obj], { now: ctx.server.now(), include: includeObjectOf(ctx.query), resourceVersion: obj.metadata.resourceVersion });
    sendRawJson(ctx.res, code, JSON.stringify(table));
    return;
  }
  const text = isStored ? servedJson(ctx.resource, stored as StoredObject) : JSON.stringify(stored);
  sendRawJson(ctx.res, code, text);
}

export function handleGet(ctx: RequestContext): void {
  const stored = ctx.server.store.get(ctx.resource.storageKey, ctx.info.namespace, ctx.info.name);
  if (!stored) throw notFound(ctx.resource.group, ctx.resource.plural, ctx.info.name);
  respondObject(ctx, 200, stored);
}

/** The field selectors a resource supports: metadata.name, metadata.namespace (namespaced kinds) and its own. */
export function supportedFieldSelectors(resource: ServedResource): string[] {
  return ['metadata.name', ...(resource.namespaced ? ['metadata.namespace'] : []), ...Object.keys(resource.fieldSelectors)];
}

export interface ListFilter {
  namespace: string;
  labels: LabelSelector;
  fields: FieldSelector;
}

export function listFilterOf(ctx: RequestContext): ListFilter {
  return {
    namespace: ctx.info.namespace,
    labels: parseLabelSelector(ctx.query.get('labelSelector') ?? ''),
    fields: parseFieldSelector(ctx.query.get('fieldSelector') ?? '', supportedFieldSelectors(ctx.resource)),
  };
}

/** Whether an object (storage form) matches a list or watch filter. */
export function matchesFilter(resource: ServedResource, filter: ListFilter, obj: KubeObject): boolean {
  if (filter.namespace !== '' && (obj.metadata.namespace ?? '') !== filter.namespace) return false;
  if (!filter.labels.matches(obj.metadata.labels)) return false;
  return filter.fields.matches((field) => {
    if (field === 'metadata.name') return obj.metadata.name ?? '';
    if (field === 'metadata.namespace') return obj.metadata.namespace ?? '';
    return resource.fieldSelectors[field]?.(obj);
  });
}

interface ContinueToken {
  rv: number;
  namespace: string;
  name: string;
}

function encodeContinue(token: ContinueToken): string {
  return Buffer.from(JSON.stringify({ v: 'embedded.1', ...token })).toString('base64url');
}

function decodeContinue(text: string): ContinueToken {
  try {
    const parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as ContinueToken & { v?: string };
    if (parsed.v !== 'embedded.1' || typeof parsed.rv !== 'number' || typeof parsed.name !== 'string') throw new Error('bad token');
    return parsed;
  } catch {
    throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
}

/**
 * An integer query parameter (limit, timeoutSeconds) as ListOptions decoding reads it: a decimal int64, else
 * 400 (apimachinery runtime/conversion.go via the parameter codec).
 */
export function integerParam(query: URLSearchParams, name: string): number | undefined {
  const text = query.get(name);
  if (text === null || text === '') return undefined;
  const value = Number(text);
  if (!/^[+-]?\d+$/.test(text) || !Number.isSafeInteger(value)) throw badRequest(`invalid ${name}: ${text}`);
  return value;
}

/** ValidateListOptions for lists (apimachinery apis/meta/internalversion/validation): 422 on a bad resourceVersionMatch. */
function validateResourceVersionMatch(query: URLSearchParams): void {
  const match = query.get('resourceVersionMatch') ?? '';
  if (match === '') return;
  const rv = query.get('resourceVersion') ?? '';
  const errors: FieldError[] = [];
  if (rv === '') errors.push(fieldErrors.forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden unless resourceVersion is provided'));
  if (query.get('continue')) errors.push(fieldErrors.forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden when continue is provided'));
  if (match !== 'Exact' && match !== 'NotOlderThan') errors.push(fieldErrors.notSupported('resourceVersionMatch', match, ['Exact', 'NotOlderThan', '']));
  if (match === 'Exact' && rv === '0') errors.push(fieldErrors.forbidden('resourceVersionMatch', 'resourceVersionMatch "exact" is forbidden for resourceVersion "0"'));
  if (errors.length > 0) throw invalid('meta.k8s.io', 'ListOptions', '', errors);
}

/** Checks list resourceVersion semantics and returns the list's resourceVersion. */
function checkListResourceVersion(ctx: RequestContext): void {
  validateResourceVersionMatch(ctx.query);
  const requested = ctx.query.get('resourceVersion');
  const match = ctx.query.get('resourceVersionMatch');
  const current = ctx.server.store.resourceVersion;
  if (requested === null || requested === '' || requested === '0') return;
  const rv = Number(requested);
  if (!Number.isInteger(rv) || rv < 0) throw badRequest(`invalid resource version: ${requested}`);
  if (match === 'Exact' && rv !== current) throw gone(`too old resource version: ${rv} (${current})`);
  if (rv > current) {
    throw new StatusError(504, 'Timeout', `Timeout: Too large resource version: ${rv}, current: ${current}`, {
      causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
      retryAfterSeconds: 1,
    });
  }
}

export function handleList(ctx: RequestContext): void {
  const { resource, server, query } = ctx;
  checkListResourceVersion(ctx);
  const filter = listFilterOf(ctx);
  const limit = integerParam(query, 'limit') ?? 0;
  if (limit < 0) throw badRequest(`invalid limit: ${query.get('limit')}`);
  integerParam(query, 'timeoutSeconds');
  const continueText = query.get('continue');
  // resourceVersion=0 is served from the watch cache upstream, which ignores limit (apiserver.md §7.2).
  const paginate = limit > 0 && query.get('resourceVersion') !== '0';
  const token = continueText ? decodeContinue(continueText) : undefined;
  const listRv = token?.rv ?? server.store.resourceVersion;
  if (token && token.rv < server.store.oldestWatchableRv(resource.storageKey)) {
    throw gone('The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.');
  }

  const items: StoredObject[] = [];
  let more = false;
  let remaining = 0;
  const ns = filter.namespace === '' ? undefined : filter.namespace;
  const all = server.store.list(resource.storageKey, ns);
  // Continue after the token's key: a binary search, not a walk over the pages already served.
  let start = 0;
  if (token) {
    let hi = all.length;
    while (start < hi) {
      const mid = (start + hi) >> 1;
      if (compareKeys(all[mid].namespace, all[mid].name, token.namespace, token.name) <= 0) start = mid + 1;
      else hi = mid;
    }
  }
  const selective = !filter.labels.empty() || !filter.fields.empty();
  for (let i = start; i < all.length; i++) {
    const stored = all[i];
    if (!matchesFilter(resource, filter, stored.object as KubeObject)) continue;
    if (paginate && items.length >= limit) {
      more = true;
      // Without selectors every object left matches: count them without looking.
      if (!selective) {
        remaining = all.length - i;
        break;
      }
      remaining++;
      continue;
    }
    items.push(stored);
  }
  const last = items[items.length - 1];
  const continueToken = more && last ? encodeContinue({ rv: listRv, namespace: last.namespace, name: last.name }) : undefined;

  ctx.warnings.apply(ctx.res);
  if (wantsTable(ctx.req.headers.accept)) {
    const objects = items.map((s) => servedView(resource, s) as KubeObject);
    const table = renderTable(resource, objects, { now: server.now(), include: includeObjectOf(query), resourceVersion: String(listRv), continueToken, remainingItemCount: more ? remaining : undefined });
    sendRawJson(ctx.res, 200, JSON.stringify(table));
    return;
  }
  const metadata: Record<string, unknown> = { resourceVersion: String(listRv) };
  if (continueToken) {
    metadata.continue = continueToken;
    metadata.remainingItemCount = remaining;
  }
  const head = `{"kind":${JSON.stringify(resource.listKind)},"apiVersion":${JSON.stringify(apiVersionOf(resource))},"metadata":${JSON.stringify(metadata)},"items":[`;
  sendRawJson(ctx.res, 200, `${head}${items.map((s) => servedJson(resource, s)).join(',')}]}`);
}
