// /openapi/v3 and /openapi/v2 for the registry's current revision: one v3 document per served group-version, CRDs
// included, and the v2 document merged from them; re-rendered when a CRD or the set of served resources changes.
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  buildGroupVersionDocument,
  buildSwaggerDocument,
  openApiResponse,
  openApiV2Response,
  publishOpenApi,
  publishOpenApiV2,
  OPENAPI_V2_PATH,
  type OpenApiPublication,
  type OpenApiResponse,
  type OpenApiV2Publication,
} from './openapi/index.ts';
import { sendText } from './http/respond.ts';
import type { Registry } from './registry/registry.ts';
import type { SchemaNode } from './types.ts';

/** The v3 document of every group-version the registry serves, keyed "api/v1" or "apis/<group>/<version>". */
export function buildOpenApiDocuments(registry: Registry): Map<string, object> {
  const documents = new Map<string, object>();
  const groupVersions = new Map<string, { group: string; version: string }>();
  for (const r of registry.all()) groupVersions.set(`${r.group}/${r.version}`, { group: r.group, version: r.version });
  for (const gv of groupVersions.values()) {
    const resources = registry.resourcesOf(gv.group, gv.version);
    const crdSchemas = new Map<string, SchemaNode>();
    for (const r of resources) if (r.isCustom && r.schema) crdSchemas.set(r.kind, r.schema);
    documents.set(gv.group ? `apis/${gv.group}/${gv.version}` : `api/${gv.version}`, buildGroupVersionDocument(gv, resources, crdSchemas));
  }
  return documents;
}

/** What one registry revision publishes. */
interface Published {
  readonly revision: number;
  /** The v3 documents, keyed "api/v1" or "apis/<group>/<version>". */
  readonly documents: ReadonlyMap<string, object>;
  readonly v3: OpenApiPublication;
  /** Built on the first /openapi/v2 request of the revision: only kubectl's fallbacks ask for it. */
  v2?: OpenApiV2Publication;
}

export class OpenApiDocuments {
  private readonly registry: Registry;
  private published: Published | undefined;

  constructor(registry: Registry) {
    this.registry = registry;
  }

  private current(): Published {
    if (!this.published || this.published.revision !== this.registry.revision) {
      const documents = buildOpenApiDocuments(this.registry);
      this.published = { revision: this.registry.revision, documents, v3: publishOpenApi(documents) };
    }
    return this.published;
  }

  private v2(): OpenApiV2Publication {
    const published = this.current();
    published.v2 ??= publishOpenApiV2(buildSwaggerDocument(published.documents.values()));
    return published.v2;
  }

  serve(req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams): void {
    const answer: OpenApiResponse | undefined = path === OPENAPI_V2_PATH
      ? openApiV2Response(this.v2(), { accept: req.headers.accept, ifNoneMatch: req.headers['if-none-match'] })
      : openApiResponse(this.current().v3, {
        path,
        hash: query.get('hash') ?? undefined,
        accept: req.headers.accept,
        ifNoneMatch: req.headers['if-none-match'],
      });
    if (!answer) {
      sendText(res, 404, '404 page not found\n');
      return;
    }
    res.writeHead(answer.status, { ...answer.headers, 'Content-Length': answer.body.length });
    res.end(answer.body);
  }
}
