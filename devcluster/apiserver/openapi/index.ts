// OpenAPI v3 surface of the embedded API server (reference apiserver.md §3, §9.4): vendored built-in schemas,
// per-group-version documents, and the hashed /openapi/v3 index with handler3's caching behaviour.
export { builtinSchema, builtinDefinitionName } from './schemas.ts';
export { buildGroupVersionDocument, customDefinitionName, patchMediaTypes, type GroupVersion } from './document.ts';
export {
  buildOpenApiIndex,
  openApiResponse,
  publishOpenApi,
  serializeDocument,
  OPENAPI_V3_PATH,
  type OpenApiPublication,
  type OpenApiRequest,
  type OpenApiResponse,
  type SerializedDocument,
} from './publish.ts';
