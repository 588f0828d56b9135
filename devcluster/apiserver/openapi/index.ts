// OpenAPI surface of the embedded API server (reference apiserver.md §3, §9.4): vendored built-in schemas,
// per-group-version v3 documents and the hashed /openapi/v3 index with handler3's caching behaviour, and the
// /openapi/v2 Swagger document derived from them, served as JSON or gnostic protobuf.
export { builtinSchema, builtinDefinitionName } from './schemas.ts';
export { buildGroupVersionDocument, customDefinitionName, patchMediaTypes, type GroupVersion } from './document.ts';
export { buildSwaggerDocument, type SwaggerDocument } from './swagger.ts';
export { encodeOpenApiV2 } from './gnostic.ts';
export {
  buildOpenApiIndex,
  openApiResponse,
  openApiV2Response,
  publishOpenApi,
  publishOpenApiV2,
  serializeDocument,
  OPENAPI_V2_PATH,
  OPENAPI_V3_PATH,
  type OpenApiPublication,
  type OpenApiRequest,
  type OpenApiResponse,
  type OpenApiV2Publication,
  type SerializedDocument,
} from './publish.ts';
