// The protobuf form of /openapi/v2: gnostic's openapi_v2.Document (google/gnostic openapiv2/OpenAPIv2.proto), the
// bytes kube-openapi serves for `Accept: application/com.github.proto-openapi.spec.v2@v1.0+protobuf` (handler.go
// ToProtoBinary: openapi_v2.ParseDocument of the JSON, then proto.Marshal) and client-go's OpenAPISchema decodes.
//
// Each message is a table of its JSON keys in .proto order: gnostic numbers the fields of every message 1, 2, 3, …
// in that order, with `repeated NamedAny vendor_extension` after them. As gnostic's compiler does, a JSON object
// used as a map becomes repeated Named* {1: name, 2: value} entries, each `x-` key a NamedAny whose Any carries the
// value as YAML (kube-openapi's proto models read x-kubernetes-group-version-kind back from that YAML), and any other
// key is an error. Encoding is proto3's: zero scalars are left out, a present sub-message or oneof member is not.
import { stringify } from 'yaml';
import { ProtobufWriter } from '../protobuf/wire.ts';
import type { SwaggerDocument } from './swagger.ts';

/** Encodes one message from its JSON value; `at` is the JSON path, for errors. */
type Encoder = (value: unknown, at: string) => Uint8Array;

type Field = 'string' | 'bool' | 'int64' | 'double' | 'strings' | 'any' | 'anys' | Encoder | { repeated: Encoder };

/** The gnostic openapi_v2.Document bytes of a Swagger 2.0 document. Throws, naming the JSON path, on a key gnostic rejects. */
export function encodeOpenApiV2(doc: SwaggerDocument): Uint8Array {
  return documentMessage(doc, '');
}

type JsonObject = Record<string, unknown>;

function objectAt(value: unknown, at: string, name: string): JsonObject {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error(`openapi v2: ${at || '.'}: ${name} must be an object`);
  return value as JsonObject;
}

function arrayAt(value: unknown, at: string): unknown[] {
  if (!Array.isArray(value)) throw new Error(`openapi v2: ${at}: must be an array`);
  return value;
}

/** A message whose fields are `fields` numbered from 1, then vendor_extension if `extensions`. */
function message(name: string, fields: ReadonlyArray<readonly [string, Field]>, extensions = true): Encoder {
  const numbers = new Map(fields.map(([key, field], i) => [key, { no: i + 1, field }]));
  return (value, at) => {
    const obj = objectAt(value, at, name);
    const w = new ProtobufWriter();
    for (const key of Object.keys(obj)) {
      if (!numbers.has(key) && !(extensions && key.startsWith('x-'))) throw new Error(`openapi v2: ${at}.${key}: not a field of ${name}`);
    }
    for (const [key, { no, field }] of numbers) if (obj[key] !== undefined) writeField(w, no, field, obj[key], `${at}.${key}`);
    if (extensions) writeExtensions(w, fields.length + 1, obj);
    return w.finish();
  };
}

/**
 * A message holding a JSON object's entries as repeated Named* {1: name, 2: value} at `entryNo` (paths, definitions,
 * properties, responses, …), and its `x-` keys at `extensionNo` when it has vendor extensions.
 */
function entries(value: Field, entryNo: number, extensionNo?: number): Encoder {
  return (json, at) => {
    const obj = objectAt(json, at, 'map');
    const names = Object.keys(obj).filter((k) => extensionNo === undefined || !k.startsWith('x-')).sort();
    const w = new ProtobufWriter();
    const writeEntries = () => {
      for (const name of names) {
        const entry = new ProtobufWriter().string(1, name);
        writeField(entry, 2, value, obj[name], `${at}[${JSON.stringify(name)}]`);
        w.bytes(entryNo, entry.finish());
      }
    };
    if (extensionNo !== undefined && extensionNo < entryNo) writeExtensions(w, extensionNo, obj);
    writeEntries();
    if (extensionNo !== undefined && extensionNo > entryNo) writeExtensions(w, extensionNo, obj);
    return w.finish();
  };
}

function writeField(w: ProtobufWriter, no: number, field: Field, value: unknown, at: string): void {
  switch (field) {
    case 'string':
      if (typeof value !== 'string') throw new Error(`openapi v2: ${at}: must be a string`);
      if (value !== '') w.string(no, value);
      return;
    case 'bool':
      if (typeof value !== 'boolean') throw new Error(`openapi v2: ${at}: must be a boolean`);
      if (value) w.varint(no, true);
      return;
    case 'int64':
      if (!Number.isSafeInteger(value)) throw new Error(`openapi v2: ${at}: must be an integer`);
      if (value !== 0) w.varint(no, value as number);
      return;
    case 'double':
      if (typeof value !== 'number') throw new Error(`openapi v2: ${at}: must be a number`);
      if (value !== 0) w.double(no, value);
      return;
    case 'strings':
      for (const [i, s] of arrayAt(value, at).entries()) {
        if (typeof s !== 'string') throw new Error(`openapi v2: ${at}[${i}]: must be a string`);
        w.string(no, s);
      }
      return;
    case 'any':
      w.bytes(no, anyMessage(value));
      return;
    case 'anys':
      for (const v of arrayAt(value, at)) w.bytes(no, anyMessage(v));
      return;
    default:
      if (typeof field === 'function') w.bytes(no, field(value, at));
      else for (const [i, v] of arrayAt(value, at).entries()) w.bytes(no, field.repeated(v, `${at}[${i}]`));
  }
}

/** gnostic's Any {1: google.protobuf.Any (unused), 2: yaml}: the value as block YAML, map keys sorted as in the JSON. */
function anyMessage(value: unknown): Uint8Array {
  return new ProtobufWriter().string(2, stringify(value, { sortMapEntries: true, lineWidth: 0 })).finish();
}

function writeExtensions(w: ProtobufWriter, no: number, obj: JsonObject): void {
  for (const name of Object.keys(obj).filter((k) => k.startsWith('x-')).sort()) {
    w.bytes(no, new ProtobufWriter().string(1, name).bytes(2, anyMessage(obj[name])).finish());
  }
}

// --- oneof wrappers: the member is chosen from the JSON, as gnostic's compiler chooses it ---------------------------

function jsonReference(value: unknown, at: string): Uint8Array {
  return JSON_REFERENCE(value, at);
}

/** ParametersItem {1: Parameter, 2: JsonReference}; Parameter {1: BodyParameter, 2: NonBodyParameter}. */
function parametersItem(value: unknown, at: string): Uint8Array {
  const obj = objectAt(value, at, 'Parameter');
  if (obj.$ref !== undefined) return new ProtobufWriter().bytes(2, jsonReference(obj, at)).finish();
  const parameter = obj.in === 'body'
    ? new ProtobufWriter().bytes(1, BODY_PARAMETER(obj, at))
    : new ProtobufWriter().bytes(2, nonBodyParameter(obj, at));
  return new ProtobufWriter().bytes(1, parameter.finish()).finish();
}

/** NonBodyParameter {1: header, 2: formData, 3: query, 4: path}: only query and path parameters are served. */
function nonBodyParameter(obj: JsonObject, at: string): Uint8Array {
  if (obj.in === 'query') return new ProtobufWriter().bytes(3, QUERY_PARAMETER(obj, at)).finish();
  if (obj.in === 'path') return new ProtobufWriter().bytes(4, PATH_PARAMETER(obj, at)).finish();
  throw new Error(`openapi v2: ${at}.in: ${JSON.stringify(obj.in)} parameters are not supported`);
}

/** ResponseValue {1: Response, 2: JsonReference}. */
function responseValue(value: unknown, at: string): Uint8Array {
  const obj = objectAt(value, at, 'Response');
  return obj.$ref !== undefined
    ? new ProtobufWriter().bytes(2, jsonReference(obj, at)).finish()
    : new ProtobufWriter().bytes(1, RESPONSE(obj, at)).finish();
}

/** SchemaItem {1: Schema, 2: FileSchema}: no served response is a file. */
function schemaItem(value: unknown, at: string): Uint8Array {
  if (objectAt(value, at, 'Schema').type === 'file') throw new Error(`openapi v2: ${at}: file schemas are not supported`);
  return new ProtobufWriter().bytes(1, schema(value, at)).finish();
}

function schema(value: unknown, at: string): Uint8Array {
  return SCHEMA(value, at);
}

/** AdditionalPropertiesItem {1: Schema, 2: bool}: `false` is written too, being a oneof member. */
function additionalPropertiesItem(value: unknown, at: string): Uint8Array {
  return typeof value === 'boolean' ? new ProtobufWriter().varint(2, value).finish() : new ProtobufWriter().bytes(1, schema(value, at)).finish();
}

/** ItemsItem {1: repeated Schema}: one schema or a list of them. */
function itemsItem(value: unknown, at: string): Uint8Array {
  const w = new ProtobufWriter();
  if (Array.isArray(value)) value.forEach((s, i) => w.bytes(1, schema(s, `${at}[${i}]`)));
  else w.bytes(1, schema(value, at));
  return w.finish();
}

/** TypeItem and StringArray {1: repeated string}: a string or a list of them. */
function stringList(value: unknown, at: string): Uint8Array {
  const w = new ProtobufWriter();
  writeField(w, 1, 'strings', typeof value === 'string' ? [value] : value, at);
  return w.finish();
}

/** SecurityDefinitionsItem {1: basic, 2: apiKey, 3–6: oauth2 flows}: the server offers bearer tokens only. */
function securityDefinitionsItem(value: unknown, at: string): Uint8Array {
  const obj = objectAt(value, at, 'SecurityDefinitionsItem');
  if (obj.type !== 'apiKey') throw new Error(`openapi v2: ${at}.type: ${JSON.stringify(obj.type)} security definitions are not supported`);
  return new ProtobufWriter().bytes(2, API_KEY_SECURITY(obj, at)).finish();
}

// --- the messages, fields in .proto order -------------------------------------------------------------------------

/**
 * A field of a message no served document uses (shared parameters and responses, tags, headers, contact, …): it
 * keeps its place in the table, so the fields after it get their numbers, and a document carrying it fails.
 */
function unsupportedField(_value: unknown, at: string): Uint8Array {
  throw new Error(`openapi v2: ${at}: not supported`);
}

const EXTERNAL_DOCS = message('ExternalDocs', [['description', 'string'], ['url', 'string']]);
const XML = message('Xml', [['name', 'string'], ['namespace', 'string'], ['prefix', 'string'], ['attribute', 'bool'], ['wrapped', 'bool']]);
const JSON_REFERENCE = message('JsonReference', [['$ref', 'string'], ['description', 'string']], false);

const SCHEMA: Encoder = message('Schema', [
  ['$ref', 'string'], ['format', 'string'], ['title', 'string'], ['description', 'string'], ['default', 'any'],
  ['multipleOf', 'double'], ['maximum', 'double'], ['exclusiveMaximum', 'bool'], ['minimum', 'double'], ['exclusiveMinimum', 'bool'],
  ['maxLength', 'int64'], ['minLength', 'int64'], ['pattern', 'string'], ['maxItems', 'int64'], ['minItems', 'int64'],
  ['uniqueItems', 'bool'], ['maxProperties', 'int64'], ['minProperties', 'int64'], ['required', 'strings'], ['enum', 'anys'],
  ['additionalProperties', additionalPropertiesItem], ['type', stringList], ['items', itemsItem], ['allOf', { repeated: schema }],
  ['properties', entries(schema, 1)], ['discriminator', 'string'], ['readOnly', 'bool'], ['xml', XML],
  ['externalDocs', EXTERNAL_DOCS], ['example', 'any'],
]);

/** PrimitivesItems: the `items` of an array-typed query or path parameter. */
const PRIMITIVES_ITEMS: Encoder = message('PrimitivesItems', [
  ['type', 'string'], ['format', 'string'], ['items', primitivesItems], ['collectionFormat', 'string'], ['default', 'any'],
  ['maximum', 'double'], ['exclusiveMaximum', 'bool'], ['minimum', 'double'], ['exclusiveMinimum', 'bool'],
  ['maxLength', 'int64'], ['minLength', 'int64'], ['pattern', 'string'], ['maxItems', 'int64'], ['minItems', 'int64'],
  ['uniqueItems', 'bool'], ['enum', 'anys'], ['multipleOf', 'double'],
]);
function primitivesItems(value: unknown, at: string): Uint8Array {
  return PRIMITIVES_ITEMS(value, at);
}

/** The validation keywords every non-body parameter shares, after its own leading fields. */
const PARAMETER_TAIL: ReadonlyArray<readonly [string, Field]> = [
  ['type', 'string'], ['format', 'string'], ['items', primitivesItems], ['collectionFormat', 'string'], ['default', 'any'],
  ['maximum', 'double'], ['exclusiveMaximum', 'bool'], ['minimum', 'double'], ['exclusiveMinimum', 'bool'],
  ['maxLength', 'int64'], ['minLength', 'int64'], ['pattern', 'string'], ['maxItems', 'int64'], ['minItems', 'int64'],
  ['uniqueItems', 'bool'], ['enum', 'anys'], ['multipleOf', 'double'],
];
const QUERY_PARAMETER = message('QueryParameterSubSchema',
  [['required', 'bool'], ['in', 'string'], ['description', 'string'], ['name', 'string'], ['allowEmptyValue', 'bool'], ...PARAMETER_TAIL]);
const PATH_PARAMETER = message('PathParameterSubSchema',
  [['required', 'bool'], ['in', 'string'], ['description', 'string'], ['name', 'string'], ...PARAMETER_TAIL]);
const BODY_PARAMETER = message('BodyParameter',
  [['description', 'string'], ['name', 'string'], ['in', 'string'], ['required', 'bool'], ['schema', schema]]);

const RESPONSE = message('Response', [['description', 'string'], ['schema', schemaItem], ['headers', unsupportedField], ['examples', unsupportedField]]);
const SECURITY_REQUIREMENT = entries(stringList, 1);

const OPERATION = message('Operation', [
  ['tags', 'strings'], ['summary', 'string'], ['description', 'string'], ['externalDocs', EXTERNAL_DOCS],
  ['operationId', 'string'], ['produces', 'strings'], ['consumes', 'strings'], ['parameters', { repeated: parametersItem }],
  ['responses', entries(responseValue, 1, 2)], ['schemes', 'strings'], ['deprecated', 'bool'],
  ['security', { repeated: SECURITY_REQUIREMENT }],
]);

const PATH_ITEM = message('PathItem', [
  ['$ref', 'string'], ['get', OPERATION], ['put', OPERATION], ['post', OPERATION], ['delete', OPERATION],
  ['options', OPERATION], ['head', OPERATION], ['patch', OPERATION], ['parameters', { repeated: parametersItem }],
]);

const INFO = message('Info', [['title', 'string'], ['version', 'string'], ['description', 'string'], ['termsOfService', 'string'],
  ['contact', unsupportedField], ['license', unsupportedField]]);
const API_KEY_SECURITY = message('ApiKeySecurity', [['type', 'string'], ['name', 'string'], ['in', 'string'], ['description', 'string']]);

const documentMessage = message('Document', [
  ['swagger', 'string'], ['info', INFO], ['host', 'string'], ['basePath', 'string'], ['schemes', 'strings'],
  ['consumes', 'strings'], ['produces', 'strings'], ['paths', entries(PATH_ITEM, 2, 1)], ['definitions', entries(schema, 1)],
  ['parameters', unsupportedField], ['responses', unsupportedField], ['security', { repeated: SECURITY_REQUIREMENT }],
  ['securityDefinitions', entries(securityDefinitionsItem, 1)], ['tags', unsupportedField], ['externalDocs', EXTERNAL_DOCS],
]);
