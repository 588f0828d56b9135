// How CRD validation rules see a schema and the data under it: the declared CEL type of each schema node
// (apiextensions-apiserver/pkg/apiserver/schema/cel/model/schemas.go, SchemaDeclType), property-name escaping
// (k8s.io/apiserver/pkg/cel/escaping.go) and the conversion of JSON to CEL values (schema/cel/values.go,
// UnstructuredToVal). Only declared properties are visible: unknown fields kept by
// x-kubernetes-preserve-unknown-fields are not, as upstream ("we don't support validation rules on data that we
// don't have schema information for").
import type { CelInput } from '@bufbuild/cel';
import type { Json, SchemaNode } from '../types.ts';
import { isObject } from './json.ts';
import { additionalPropertiesSchema } from './prune.ts';

/** The static type of an expression; `object` is a schema object with its declared (escaped) fields. */
export type RuleType =
  | { readonly kind: 'dyn' | 'bool' | 'int' | 'uint' | 'double' | 'string' | 'bytes' | 'null_type' | 'type' | 'timestamp' | 'duration' }
  | { readonly kind: 'list'; readonly elem: RuleType }
  | { readonly kind: 'map'; readonly key: RuleType; readonly value: RuleType }
  | { readonly kind: 'object'; readonly schema: SchemaNode };

export const DYN: RuleType = { kind: 'dyn' };

const RESERVED = new Set([
  'true', 'false', 'null', 'in', 'as', 'break', 'const', 'continue', 'else', 'for', 'function', 'if', 'import', 'let',
  'loop', 'package', 'namespace', 'return', 'var', 'void', 'while',
]);

/**
 * The CEL identifier of a property name: "namespace" → "__namespace__", "a-b" → "a__dash__b", "a.b" → "a__dot__b",
 * "a/b" → "a__slash__b", "a__b" → "a__underscores__b"; undefined for a name CEL cannot address.
 */
function escapeProperty(name: string): string | undefined {
  if (name === '' || /^[0-9]/.test(name)) return undefined;
  if (RESERVED.has(name)) return `__${name}__`;
  if (/[^a-zA-Z0-9_./-]/.test(name)) return undefined;
  return name.replace(/__|[-./]/g, (s) => ({ __: '__underscores__', '.': '__dot__', '-': '__dash__', '/': '__slash__' })[s] ?? s);
}

const STRING: SchemaNode = { type: 'string' };
const withMetaCache = new WeakMap<SchemaNode, SchemaNode>();

/**
 * apiVersion, kind, metadata.name and metadata.generateName are visible at the root of a resource (the custom
 * resource itself and x-kubernetes-embedded-resource objects) whatever the schema says, and nothing else of
 * metadata is (model.WithTypeAndObjectMeta).
 */
function withTypeAndObjectMeta(s: SchemaNode): SchemaNode {
  let out = withMetaCache.get(s);
  if (!out) {
    out = {
      ...s,
      properties: {
        ...s.properties,
        apiVersion: STRING,
        kind: STRING,
        metadata: { type: 'object', properties: { name: STRING, generateName: STRING } },
      },
    };
    withMetaCache.set(s, out);
  }
  return out;
}

/** A node is a resource root if it is the schema root or an embedded resource. */
export function isEmbedded(s: SchemaNode): boolean {
  return s['x-kubernetes-embedded-resource'] === true;
}

/** The schema as rules see it: resource roots gain their type and object meta. */
function ruleSchema(s: SchemaNode, resourceRoot: boolean): SchemaNode {
  return resourceRoot && s.type === 'object' ? withTypeAndObjectMeta(s) : s;
}

/** The declared type of a schema node, or undefined where rules cannot see it (an untyped node). */
export function declType(s: SchemaNode, resourceRoot: boolean): RuleType | undefined {
  if (s['x-kubernetes-int-or-string']) return DYN;
  switch (s.type) {
    case 'array':
      return { kind: 'list', elem: (s.items && declType(s.items, isEmbedded(s.items))) ?? DYN };
    case 'object': {
      const additional = additionalPropertiesSchema(s);
      if (additional) return { kind: 'map', key: { kind: 'string' }, value: declType(additional, isEmbedded(additional)) ?? DYN };
      return { kind: 'object', schema: ruleSchema(s, resourceRoot) };
    }
    case 'string':
      switch (s.format) {
        case 'byte': return { kind: 'bytes' };
        case 'duration': return { kind: 'duration' };
        case 'date': case 'date-time': return { kind: 'timestamp' };
        default: return { kind: 'string' };
      }
    case 'boolean': return { kind: 'bool' };
    case 'number': return { kind: 'double' };
    case 'integer': return { kind: 'int' };
    default: return undefined;
  }
}

/** The declared field of an object type, by its escaped CEL name. */
export function fieldType(objectSchema: SchemaNode, celName: string): RuleType | undefined {
  for (const [name, prop] of Object.entries(objectSchema.properties ?? {})) {
    if (escapeProperty(name) === celName) return declType(prop, isEmbedded(prop));
  }
  return undefined;
}

/** Parses timestamps and durations the way CEL's timestamp() and duration() do; supplied by the CEL library module. */
export interface TimeParsers {
  timestamp(text: string): CelInput | undefined;
  duration(text: string): CelInput | undefined;
}

/**
 * The CEL value of JSON data at a schema node. Objects become maps keyed by escaped property names, integers
 * bigints, and strings with format byte/duration/date/date-time bytes, durations and timestamps. A value that
 * does not have its schema's shape cannot reach here: schema errors of type, format or required fields stop
 * rule evaluation first (hasBlockingErr).
 */
export function toCelValue(value: Json, s: SchemaNode, resourceRoot: boolean, time: TimeParsers): CelInput | undefined {
  if (value === null) return null;
  if (s['x-kubernetes-int-or-string']) return typeof value === 'number' && Number.isInteger(value) ? BigInt(value) : (value as CelInput);
  switch (s.type) {
    case 'object': {
      if (!isObject(value)) return undefined;
      const additional = additionalPropertiesSchema(s);
      const out = new Map<string, CelInput>();
      if (additional) {
        for (const [k, v] of Object.entries(value)) {
          const converted = toCelValue(v, additional, isEmbedded(additional), time);
          if (converted !== undefined) out.set(k, converted);
        }
        return out;
      }
      for (const [name, prop] of Object.entries(ruleSchema(s, resourceRoot).properties ?? {})) {
        const escaped = escapeProperty(name);
        if (escaped === undefined || !Object.hasOwn(value, name)) continue;
        const converted = toCelValue(value[name], prop, isEmbedded(prop), time);
        if (converted !== undefined) out.set(escaped, converted);
      }
      return out;
    }
    case 'array':
      if (!Array.isArray(value)) return undefined;
      return value.map((v) => (s.items ? toCelValue(v, s.items, isEmbedded(s.items), time) : undefined) ?? null);
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value) ? BigInt(value) : (value as CelInput);
    case 'string':
      return typeof value === 'string' ? formatted(value, s.format, time) : (value as CelInput);
    case 'number':
    case 'boolean':
      return value as CelInput;
    default:
      return undefined;
  }
}

function formatted(value: string, format: string | undefined, time: TimeParsers): CelInput {
  switch (format) {
    case 'byte': return Buffer.from(value, 'base64');
    case 'duration': return time.duration(value) ?? value;
    case 'date': return time.timestamp(`${value}T00:00:00Z`) ?? value;
    case 'date-time': return time.timestamp(value) ?? value;
    default: return value;
  }
}

/** cel-go's rendering of a type in messages; schema objects are anonymous here. */
export function typeName(t: RuleType): string {
  switch (t.kind) {
    case 'list': return `list(${typeName(t.elem)})`;
    case 'map': return `map(${typeName(t.key)}, ${typeName(t.value)})`;
    case 'timestamp': return 'google.protobuf.Timestamp';
    case 'duration': return 'google.protobuf.Duration';
    default: return t.kind;
  }
}
