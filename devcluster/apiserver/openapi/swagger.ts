// The OpenAPI v2 (Swagger 2.0) document /openapi/v2 serves, derived from the per-group-version OpenAPI v3 documents
// (document.ts), so both describe the same kinds under the same definition names. kubectl reads v2 only where v3
// cannot answer (apiserver.md §3.1): client-side validation of a `kind: List` (each item against the definition whose
// x-kubernetes-group-version-kind matches it: kube-openapi pkg/util/proto), the patch type of client-side apply when
// the v3 PATCH operation lists no strategic merge patch (the v2 PATCH operation's `consumes`), and cli-runtime's v2
// fieldValidation check (the v2 PATCH operation's query parameters). `kubectl explain` reads v3.
//
// kube-openapi's proto parser rejects the whole document for one definition it cannot read (an array without
// items, a `$ref` beside a type or properties, an unknown type), so custom kinds go through the same filter
// apiextensions-apiserver applies before publishing v2 (controller/openapi/v2/conversion.go ToStructuralOpenAPIV2).
import { API_INFO, SECURITY, SECURITY_SCHEMES } from './document.ts';
import { builtinDefinitions, META, referencedName, SCHEMA_REF_PREFIX, type RawSchema } from './schemas.ts';

export const DEFINITION_REF_PREFIX = '#/definitions/';

/** A Swagger 2.0 document as JSON: what /openapi/v2 serves as application/json, and gnostic.ts encodes. */
export interface SwaggerDocument {
  swagger: '2.0';
  info: RawSchema;
  paths: Record<string, RawSchema>;
  definitions: Record<string, RawSchema>;
  securityDefinitions: Record<string, RawSchema>;
  security: readonly RawSchema[];
}

/** The parts of a document.ts v3 document read here. */
interface V3Document {
  paths: Record<string, RawSchema>;
  components: { schemas: Record<string, RawSchema> };
}

/**
 * Merges the v3 documents of every served group-version into one Swagger 2.0 document: their paths with the
 * operations in v2 form, and their component schemas as `definitions` (vendored built-in kinds under upstream
 * names such as io.k8s.api.core.v1.ConfigMap, custom kinds as <reversed group>.<version>.<Kind>).
 */
export function buildSwaggerDocument(documents: Iterable<object>): SwaggerDocument {
  const builtins = builtinDefinitions();
  const paths: Record<string, RawSchema> = {};
  const definitions: Record<string, RawSchema> = {};
  for (const doc of documents as Iterable<V3Document>) {
    for (const [path, item] of Object.entries(doc.paths)) paths[path] = convertPathItem(item);
    for (const [name, schema] of Object.entries(doc.components.schemas)) {
      // Vendored definitions (ObjectMeta, Status, …) recur in every document that references them.
      if (definitions[name]) continue;
      definitions[name] = builtins[name] ? convertSchema(schema) : customDefinition(schema);
    }
  }
  return { swagger: '2.0', info: API_INFO, paths, definitions, securityDefinitions: SECURITY_SCHEMES, security: SECURITY };
}

// --- operations -----------------------------------------------------------------------------------------------

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'] as const;

interface V3Operation {
  parameters?: RawSchema[];
  requestBody?: { content: Record<string, { schema: RawSchema }>; required?: boolean };
  responses: Record<string, { description: string; content?: Record<string, { schema: RawSchema }> }>;
  [key: string]: unknown;
}

function convertPathItem(item: RawSchema): RawSchema {
  const out: RawSchema = {};
  for (const method of HTTP_METHODS) if (item[method]) out[method] = convertOperation(item[method] as V3Operation);
  if (Array.isArray(item.parameters)) out.parameters = item.parameters.map(convertParameter);
  return out;
}

/**
 * A v3 operation in v2 form, as kube-openapi's v2 builder writes it: the request body becomes the `body` parameter
 * (first, as upstream lists it) and its media types `consumes`; response media types become `produces`.
 */
function convertOperation(op: V3Operation): RawSchema {
  const { parameters = [], requestBody, responses, ...rest } = op;
  const v2Parameters: RawSchema[] = [];
  if (requestBody) {
    const [first] = Object.values(requestBody.content);
    v2Parameters.push({ in: 'body', name: 'body', ...(requestBody.required ? { required: true } : {}), schema: convertSchema(first.schema) });
  }
  v2Parameters.push(...parameters.map(convertParameter));
  const produces = new Set<string>();
  const v2Responses: Record<string, RawSchema> = {};
  for (const [code, response] of Object.entries(responses)) {
    const content = response.content ?? {};
    for (const mediaType of Object.keys(content)) produces.add(mediaType);
    const [first] = Object.values(content);
    v2Responses[code] = first ? { description: response.description, schema: convertSchema(first.schema) } : { description: response.description };
  }
  return {
    ...rest,
    consumes: requestBody ? Object.keys(requestBody.content) : ['*/*'],
    ...(v2Parameters.length > 0 ? { parameters: v2Parameters } : {}),
    produces: [...produces],
    responses: v2Responses,
    schemes: ['https'],
  };
}

/** v3 puts a non-body parameter's type in `schema`; v2 has it on the parameter itself. */
function convertParameter(parameter: RawSchema): RawSchema {
  const { schema, ...rest } = parameter;
  return { ...rest, ...(schema as RawSchema) };
}

// --- schemas ----------------------------------------------------------------------------------------------------

/** Swagger 2.0 schema keywords (gnostic rejects any other key that does not start with `x-`). */
const V2_KEYWORDS = new Set([
  '$ref', 'format', 'title', 'description', 'multipleOf', 'maximum', 'exclusiveMaximum', 'minimum', 'exclusiveMinimum',
  'maxLength', 'minLength', 'pattern', 'maxItems', 'minItems', 'uniqueItems', 'maxProperties', 'minProperties', 'required',
  'enum', 'type', 'discriminator', 'readOnly', 'xml', 'externalDocs', 'example',
]);
const PRIMITIVE_TYPES = new Set(['string', 'integer', 'number', 'boolean']);

/**
 * A v3 schema in v2 form: `$ref`s point into #/definitions (the `allOf: [{$ref}]` v3 uses to carry a description
 * becomes a plain `$ref` beside it, as upstream's v2 has it), `default`s are pruned as kube-apiserver prunes them
 * from v2 (handler.PruneDefaults), and keywords v2 lacks (nullable, oneOf, anyOf, not) are left out. A `oneOf` of
 * primitive types is how kube-openapi writes Quantity and IntOrString in v3; their v2 type is "string".
 */
function convertSchema(schema: RawSchema): RawSchema {
  const target = referencedName(schema);
  if (target !== undefined) {
    const out: RawSchema = { $ref: `${DEFINITION_REF_PREFIX}${target}` };
    for (const [key, value] of Object.entries(schema)) if (key === 'description' || key.startsWith('x-')) out[key] = value;
    return out;
  }
  const out: RawSchema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'properties') {
      out.properties = Object.fromEntries(Object.entries(value as Record<string, RawSchema>).map(([name, s]) => [name, convertSchema(s)]));
    } else if (key === 'items') {
      out.items = Array.isArray(value) ? value.map((s: RawSchema) => convertSchema(s)) : convertSchema(value as RawSchema);
    } else if (key === 'additionalProperties') {
      out.additionalProperties = typeof value === 'boolean' ? value : convertSchema(value as RawSchema);
    } else if (key === 'allOf') {
      out.allOf = (value as RawSchema[]).map((s) => convertSchema(s));
    } else if (V2_KEYWORDS.has(key) || key.startsWith('x-')) {
      out[key] = value;
    }
  }
  const oneOf = schema.oneOf;
  if (out.type === undefined && Array.isArray(oneOf) && oneOf.every((s: RawSchema) => PRIMITIVE_TYPES.has(s.type as string) && Object.keys(s).length === 1)) {
    out.type = 'string';
  }
  return out;
}

const PRESERVE_UNKNOWN_FIELDS = 'x-kubernetes-preserve-unknown-fields';

/** A custom kind's (or its list's) definition, as apiextensions-apiserver's builder publishes it in v2. */
function customDefinition(schema: RawSchema): RawSchema {
  // A root that keeps unknown fields is published as a bare object: with properties listed, kubectl would reject
  // every other field (builder.go buildKubeNative).
  if (schema[PRESERVE_UNKNOWN_FIELDS] === true) {
    return { type: 'object', 'x-kubernetes-group-version-kind': schema['x-kubernetes-group-version-kind'] };
  }
  return convertSchema(filterForKubectl(schema));
}

/**
 * ToStructuralOpenAPIV2 and addEmbeddedProperties of apiextensions-apiserver, on the v3 form: junctors dropped; a
 * nullable node loses its type, items and properties (and leaves `required`); a node that preserves unknown fields
 * loses its items and properties, and its type when that is object; an array left without items loses its type;
 * an embedded resource gets apiVersion, kind and metadata. `$ref`s (the metadata the document builder added) are
 * not part of the CRD's own schema and stay as they are.
 */
function filterForKubectl(schema: RawSchema): RawSchema {
  if (referencedName(schema) !== undefined) return schema;
  const out: RawSchema = { ...schema };
  delete out.allOf;
  delete out.oneOf;
  delete out.anyOf;
  delete out.not;
  if (out.nullable === true) {
    delete out.type;
    delete out.items;
    delete out.properties;
  }
  delete out.nullable;
  const preserves = out[PRESERVE_UNKNOWN_FIELDS] === true;
  if (preserves) {
    delete out.items;
    delete out.properties;
  }
  if (out.items === undefined && out.type === 'array') delete out.type;
  if (preserves && out.type === 'object') delete out.type;

  const properties = out.properties as Record<string, RawSchema> | undefined;
  const additional = out.additionalProperties;
  if (Array.isArray(out.required)) {
    const additionalNullable = typeof additional === 'object' && additional !== null && (additional as RawSchema).nullable === true;
    const required = additionalNullable ? [] : (out.required as string[]).filter((name) => properties?.[name]?.nullable !== true);
    if (required.length > 0) out.required = required;
    else delete out.required;
  }

  if (properties) out.properties = Object.fromEntries(Object.entries(properties).map(([name, s]) => [name, filterForKubectl(s)]));
  if (out.items !== undefined && !Array.isArray(out.items)) out.items = filterForKubectl(out.items as RawSchema);
  if (typeof additional === 'object' && additional !== null) out.additionalProperties = filterForKubectl(additional as RawSchema);
  if (out['x-kubernetes-embedded-resource'] === true && !preserves) addEmbeddedProperties(out);
  return out;
}

const API_CONVENTIONS = 'https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md';

/** What apiextensions-apiserver adds to an embedded resource (builder.go addEmbeddedProperties). */
function addEmbeddedProperties(schema: RawSchema): void {
  schema.properties = {
    ...(schema.properties as Record<string, RawSchema> | undefined),
    apiVersion: { description: `apiVersion defines the versioned schema of this representation of an object. More info: ${API_CONVENTIONS}#resources`, type: 'string' },
    kind: { description: `kind is a string value representing the type of this object. In CamelCase. More info: ${API_CONVENTIONS}#types-kinds`, type: 'string' },
    metadata: { $ref: `${SCHEMA_REF_PREFIX}${META.objectMeta}`, description: `Standard object's metadata. More info: ${API_CONVENTIONS}#metadata` },
  };
  const required = (schema.required as string[] | undefined) ?? [];
  schema.required = [...required, ...['kind', 'apiVersion'].filter((name) => !required.includes(name))];
}
