// Serving /openapi/v3 as kube-openapi's handler3 does (k8s.io/kube-openapi pkg/handler3/handler.go): documents are
// serialized once and hashed (SHA-512, uppercase hex, the whole digest); the root index points at each document with
// `?hash=`, so kubectl's disk cache, keyed by URL, refetches exactly when a document changed (apiserver.md §3.1).
import { createHash } from 'node:crypto';

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
  const etag = `"${doc.hash}"`;
  const all = { ...headers, 'Content-Type': 'application/json', Etag: etag };
  if (req.ifNoneMatch !== undefined && req.ifNoneMatch.split(',').some((t) => t.trim() === etag || t.trim() === '*')) {
    return { status: 304, headers: all, body: EMPTY };
  }
  return { status: 200, headers: { ...all, 'Content-Length': String(doc.body.length) }, body: doc.body };
}
