// Serving /openapi/v3 as kube-openapi's handler3 does (k8s.io/kube-openapi pkg/handler3/handler.go): documents are
// serialized once and hashed (SHA-512, uppercase hex, the whole digest); the root index points at each document with
// `?hash=`, so kubectl's disk cache, keyed by URL, refetches exactly when a document changed (apiserver.md §3.1).
// And /openapi/v2 as its pkg/handler does: one document, JSON or gnostic protobuf, revalidated by ETag.
import { createHash } from 'node:crypto';
import { encodeOpenApiV2 } from './gnostic.ts';
import type { SwaggerDocument } from './swagger.ts';

/** One document's bytes and the hash its URL carries. */
export interface SerializedDocument {
  readonly body: Buffer;
  readonly hash: string;
}

/** What the server keeps between changes: the index bytes and each group-version's bytes. */
export interface OpenApiPublication {
  readonly index: SerializedDocument;
  /** Keyed "api/v1" or "apis/<group>/<version>". */
  readonly documents: ReadonlyMap<string, SerializedDocument>;
}

export const OPENAPI_V3_PATH = '/openapi/v3';

/**
 * JSON with object keys sorted at every level (as Go's encoding/json writes maps), so equal documents hash equal
 * whatever order their parts were assembled in. Arrays keep their order: it is meaningful (list map keys, enums).
 */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const o = v as Record<string, unknown>;
    return Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));
  });
}

export function serializeDocument(doc: object): SerializedDocument {
  const body = Buffer.from(canonicalJson(doc));
  return { body, hash: createHash('sha512').update(body).digest('hex').toUpperCase() };
}

/** handler3's constructServerRelativeURL. */
function serverRelativeUrl(path: string, hash: string): string {
  return `${OPENAPI_V3_PATH}/${path}?hash=${hash}`;
}

function indexOf(hashes: ReadonlyMap<string, string>): object {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const [path, hash] of hashes) paths[path] = { serverRelativeURL: serverRelativeUrl(path, hash) };
  return { paths };
}

/** The /openapi/v3 index for the given documents, and each document's hash. */
export function buildOpenApiIndex(docs: ReadonlyMap<string, object>): { index: object; hashes: Map<string, string> } {
  const hashes = new Map([...docs].map(([path, doc]) => [path, serializeDocument(doc).hash]));
  return { index: indexOf(hashes), hashes };
}

/** Serializes every document and the index once; rebuild it whenever a served group-version or CRD changes. */
export function publishOpenApi(docs: ReadonlyMap<string, object>): OpenApiPublication {
  const documents = new Map([...docs].map(([path, doc]) => [path, serializeDocument(doc)]));
  const hashes = new Map([...documents].map(([path, d]) => [path, d.hash]));
  return { index: serializeDocument(indexOf(hashes)), documents };
}

export interface OpenApiRequest {
  /** URL path without the query, e.g. "/openapi/v3/apis/apps/v1". */
  path: string;
  /** The `hash` query parameter, if any. */
  hash?: string;
  accept?: string;
  ifNoneMatch?: string;
}

export interface OpenApiResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

const EMPTY = Buffer.alloc(0);

/** JSON is the only representation served; handler3 answers 406 to an Accept that allows neither it nor protobuf. */
function acceptsJson(accept: string | undefined): boolean {
  if (!accept) return true;
  return accept.split(',').some((clause) => {
    const range = clause.split(';')[0].trim().toLowerCase();
    return range === 'application/json' || range === 'application/*' || range === '*/*';
  });
}

/**
 * The response for a GET under /openapi/v3, or undefined when the path is not one. Mirrors handler3:
 * - the index: application/json with an ETag;
 * - a document: application/json, ETag, `Vary: Accept`; with `?hash=` equal to the current hash it adds
 *   `Cache-Control: public, immutable` and an Expires a year ahead; with an outdated hash it redirects (301) to the
 *   current URL; If-None-Match equal to the ETag gives 304;
 * - an unknown group-version: 404.
 */
export function openApiResponse(pub: OpenApiPublication, req: OpenApiRequest, now: Date = new Date()): OpenApiResponse | undefined {
  if (req.path === OPENAPI_V3_PATH || req.path === `${OPENAPI_V3_PATH}/`) return content(pub.index, req, {});
  if (!req.path.startsWith(`${OPENAPI_V3_PATH}/`)) return undefined;
  const path = req.path.slice(OPENAPI_V3_PATH.length + 1);
  const doc = pub.documents.get(path);
  if (!doc) return { status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8' }, body: Buffer.from('404 page not found\n') };
  const headers: Record<string, string> = { Vary: 'Accept' };
  if (!acceptsJson(req.accept)) return { status: 406, headers, body: EMPTY };
  if (req.hash) {
    if (req.hash !== doc.hash) {
      const location = serverRelativeUrl(path, doc.hash);
      return {
        status: 301,
        headers: { ...headers, Location: location, 'Content-Type': 'text/html; charset=utf-8' },
        body: Buffer.from(`<a href="${location.replace(/&/g, '&amp;')}">Moved Permanently</a>.\n\n`),
      };
    }
    headers['Cache-Control'] = 'public, immutable';
    const expires = new Date(now.getTime());
    expires.setUTCFullYear(expires.getUTCFullYear() + 1);
    headers.Expires = expires.toUTCString();
  }
  return content(doc, req, headers);
}

function content(doc: SerializedDocument, req: OpenApiRequest, headers: Record<string, string>): OpenApiResponse {
  return conditional(doc.body, `"${doc.hash}"`, req.ifNoneMatch, { ...headers, 'Content-Type': 'application/json' });
}

/** 304 when If-None-Match names the ETag, else 200 with the body. */
function conditional(body: Buffer, etag: string, ifNoneMatch: string | undefined, headers: Record<string, string>): OpenApiResponse {
  const all = { ...headers, Etag: etag };
  if (ifNoneMatch !== undefined && ifNoneMatch.split(',').some((t) => t.trim() === etag || t.trim() === '*')) {
    return { status: 304, headers: all, body: EMPTY };
  }
  return { status: 200, headers: { ...all, 'Content-Length': String(body.length) }, body };
}

// --- /openapi/v2 ------------------------------------------------------------------------------------------------
// kube-openapi's pkg/handler: one document, as JSON or as gnostic protobuf by Accept, both under the ETag of the
// JSON (SHA-512, uppercase hex: the protobuf is derived from the JSON, and `Vary: Accept` tells caches apart).

export const OPENAPI_V2_PATH = '/openapi/v2';
const PROTOBUF_V2_CONTENT_TYPE = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';
/** What handler.go answers for each media type it accepts; client-go asks for the `@v1.0` spelling. */
const V2_MEDIA_TYPES: ReadonlyArray<{ range: string; contentType: string; protobuf: boolean }> = [
  { range: 'application/json', contentType: 'application/json', protobuf: false },
  { range: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf', contentType: PROTOBUF_V2_CONTENT_TYPE, protobuf: true },
  { range: 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf', contentType: PROTOBUF_V2_CONTENT_TYPE, protobuf: true },
];

export interface OpenApiV2Publication {
  readonly json: SerializedDocument;
  readonly protobuf: Buffer;
  /** When this revision of the document was built: its Last-Modified. */
  readonly modified: Date;
}

/** Serializes the v2 document both ways once; rebuild it whenever a served group-version or CRD changes. */
export function publishOpenApiV2(doc: SwaggerDocument, modified: Date = new Date()): OpenApiV2Publication {
  return { json: serializeDocument(doc), protobuf: Buffer.from(encodeOpenApiV2(doc)), modified };
}

/**
 * The response to GET /openapi/v2, as handler.go serves it: the first Accept clause (by q, then the more specific,
 * then order; no Accept means any) that allows JSON or gnostic protobuf picks the form, a wildcard picking JSON; ETag,
 * Last-Modified and `Vary: Accept`; If-None-Match equal to the ETag gives 304; an Accept allowing neither gives 406.
 */
export function openApiV2Response(pub: OpenApiV2Publication, req: Pick<OpenApiRequest, 'accept' | 'ifNoneMatch'>): OpenApiResponse {
  const headers: Record<string, string> = { Vary: 'Accept' };
  const media = negotiate(req.accept || '*/*');
  if (!media) return { status: 406, headers, body: EMPTY };
  headers['Content-Type'] = media.contentType;
  headers['Last-Modified'] = pub.modified.toUTCString();
  return conditional(media.protobuf ? pub.protobuf : pub.json.body, `"${pub.json.hash}"`, req.ifNoneMatch, headers);
}

function wildcards(range: string): number {
  return range.split('/').filter((part) => part === '*').length;
}

function negotiate(accept: string): (typeof V2_MEDIA_TYPES)[number] | undefined {
  const clauses = accept.split(',').map((clause, order) => {
    const [range, ...params] = clause.split(';').map((p) => p.trim());
    const q = params.map((p) => /^q=([\d.]+)$/i.exec(p)).find((m) => m !== null);
    return { range: range.toLowerCase(), q: q ? Number(q[1]) : 1, order };
  }).filter((c) => c.range !== '' && c.q > 0).sort((a, b) => b.q - a.q || wildcards(a.range) - wildcards(b.range) || a.order - b.order);
  for (const { range } of clauses) {
    const [type, subtype] = range.split('/');
    const media = V2_MEDIA_TYPES.find((m) => {
      const [mType, mSubtype] = m.range.split('/');
      return (type === '*' || type === mType) && (subtype === '*' || subtype === mSubtype);
    });
    if (media) return media;
  }
  return undefined;
}
