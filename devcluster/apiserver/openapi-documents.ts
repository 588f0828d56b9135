// /openapi/v3 for the registry's current revision: one document per served group-version, CRDs included,
// re-rendered when a CRD or the set of served resources changes.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { buildGroupVersionDocument, openApiResponse, publishOpenApi, type OpenApiPublication } from './openapi/index.ts';
import { sendText } from './http/respond.ts';
import type { Registry } from './registry/registry.ts';
import type { SchemaNode } from './types.ts';

export class OpenApiDocuments {
  private readonly registry: Registry;
  private revision = -1;
  private publication: OpenApiPublication | undefined;

  constructor(registry: Registry) {
    this.registry = registry;
  }

  private current(): OpenApiPublication {
    if (!this.publication || this.revision !== this.registry.revision) {
      const docs = new Map<string, object>();
      const groupVersions = new Map<string, { group: string; version: string }>();
      for (const r of this.registry.all()) groupVersions.set(`${r.group}/${r.version}`, { group: r.group, version: r.version });
      for (const gv of groupVersions.values()) {
        const resources = this.registry.resourcesOf(gv.group, gv.version);
        const crdSchemas = new Map<string, SchemaNode>();
        for (const r of resources) if (r.isCustom && r.schema) crdSchemas.set(r.kind, r.schema);
        docs.set(gv.group ? `apis/${gv.group}/${gv.version}` : `api/${gv.version}`, buildGroupVersionDocument(gv, resources, crdSchemas));
      }
      this.publication = publishOpenApi(docs);
      this.revision = this.registry.revision;
    }
    return this.publication;
  }

  serve(req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams): void {
    if (path === '/openapi/v2') {
      // v2 must be gnostic protobuf; kubectl uses v3 whenever it is served (apiserver.md §3.1).
      sendText(res, 404, '404 page not found\n');
      return;
    }
    const answer = openApiResponse(this.current(), {
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
