// Value validation of custom resources against an OpenAPI v3 structural schema, reproducing the kube-openapi
// validator (k8s.io/kube-openapi/pkg/validation/validate: schema.go, type.go, object_validator.go,
// slice_validator.go, schema_props.go, values.go) and the conversion of its results to field errors in
// apiextensions-apiserver/pkg/apiserver/validation/validation.go (kubeOpenAPIResultToFieldErrors), §4.7.
//
// kube-openapi names a value by its dotted path ("spec.replicas", "spec.list[0].name", "" for the root) and writes
// that name into its messages ("spec.replicas in body must be of type integer: \"string\""); the field of the
// error is that name under the caller's base path.
import type { Json, KubeObject, SchemaNode } from '../types.ts';
import { fieldErrors, renderValue, type FieldError } from '../status-errors.ts';
import { effectiveFormat, matchesFormat } from './formats.ts';
import { isObject, jsonEqual } from './json.ts';
import { additionalPropertiesSchema, propertySchema } from './prune.ts';

/** Validates a whole custom resource: kube-openapi value validation, then list-type uniqueness (listtype/validation.go). */
export function validateAgainstSchema(obj: KubeObject, schema: SchemaNode): FieldError[] {
  const value = obj as unknown as Json;
  return [...validateValue(value, schema), ...validateListTypes(value, schema, '')];
}

/**
 * kube-openapi validation of one value. basePath is the field path the errors hang under: '' for a custom
 * resource (the nil path upstream), or e.g. "spec.versions[0].schema.openAPIV3Schema.properties[x].default" when
 * a CRD default is checked.
 */
export function validateValue(value: Json, schema: SchemaNode, basePath = ''): FieldError[] {
  return new Validator(basePath).node(value, schema, '').errors;
}

interface Result {
  errors: FieldError[];
  /** Checks that passed; anyOf/oneOf report the errors of the alternative that matched most (MatchCount). */
  matches: number;
}

type DataType = 'null' | 'boolean' | 'string' | 'integer' | 'number' | 'array' | 'object';

/** The JSON decoder of the apiserver yields int64 for integral numbers and float64 for the rest. */
function dataType(v: Json): DataType {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  switch (typeof v) {
    case 'boolean': return 'boolean';
    case 'string': return 'string';
    case 'number': return Number.isInteger(v) && Math.abs(v) < 2 ** 63 ? 'integer' : 'number';
    default: return 'object';
  }
}

/** Go's %v of a float64: shortest digits, exponent form below 1e-4 and from 1e6 on ("1e+06"). */
export function goFloat(v: number): string {
  if (v === 0 || !Number.isFinite(v)) return String(v);
  const [mantissa, exp] = v.toExponential().split('e');
  const e = Number(exp);
  if (e < -4 || e >= 6) return `${mantissa}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  return String(v);
}

/** swag.IsFloat64AJSONInteger, with its relative tolerance. */
function isJsonInteger(f: number): boolean {
  if (!Number.isFinite(f)) return false;
  const diff = Math.abs(f - Math.round(f));
  return diff === 0 || diff / Math.max(Math.abs(f), Number.MIN_VALUE) < 1e-9;
}

/** Go's %q for the simple strings that appear in these messages. */
function quote(s: string): string {
  return JSON.stringify(s);
}

const patternCache = new Map<string, RegExp | Error>();

/** Go RE2 patterns as ECMAScript: a leading (?i) becomes the i flag; the rest is shared syntax. */
export function compilePattern(pattern: string): RegExp | Error {
  let cached = patternCache.get(pattern);
  if (!cached) {
    const insensitive = pattern.startsWith('(?i)');
    const source = insensitive ? pattern.slice(4) : pattern;
    try {
      cached = new RegExp(source, insensitive ? 'ui' : 'u');
    } catch {
      try {
        cached = new RegExp(source, insensitive ? 'i' : '');
      } catch (e) {
        cached = e instanceof Error ? e : new Error(String(e));
      }
    }
    patternCache.set(pattern, cached);
  }
  return cached;
}

class Validator {
  private readonly base: string;
  constructor(base: string) {
    this.base = base;
  }

  /** errPath of kubeOpenAPIResultToFieldErrors: the base path, then the name without its leading dot. */
  private field(name: string): string {
    if (name && name !== '.') {
      const n = name.startsWith('.') ? name.slice(1) : name;
      return this.base ? `${this.base}.${n}` : n;
    }
    return this.base || '<nil>';
  }

  private typeError(name: string, expected: string, actual: string): FieldError {
    return fieldErrors.typeInvalid(this.field(name), actual, `${name} in body must be of type ${expected}: ${quote(actual)}`);
  }

  private invalid(name: string, value: unknown, message: string): FieldError {
    return fieldErrors.invalid(this.field(name), value, message);
  }

  /** Non-validation errors (allOf/anyOf/oneOf/not) land on the base path with an empty value, "<nil>" for a CR. */
  private composite(message: string): FieldError {
    return fieldErrors.invalid(this.base || '<nil>', '', message);
  }

  node(data: Json, s: SchemaNode, name: string): Result {
    const result: Result = { errors: [], matches: 0 };
    const add = (r: FieldError[]): void => {
      if (r.length === 0) result.matches++;
      result.errors.push(...r);
    };
    if (data === null) {
      // Only the type and enum checks look at a null (schema.go).
      add(this.type(data, s, name));
      add(this.enum(data, s, name));
      return result;
    }
    const kind = dataType(data);
    add(this.type(data, s, name));
    const props = this.schemaProps(data, s, name);
    result.errors.push(...props.errors);
    result.matches += props.matches;
    if (typeof data === 'string') {
      add(this.string(data, s, name));
      add(this.format(data, s, name));
    }
    if (kind === 'integer' || kind === 'number') add(this.number(data as number, kind === 'integer', s, name));
    if (Array.isArray(data)) {
      const r = this.slice(data, s, name);
      result.errors.push(...r.errors);
      result.matches += r.matches;
    }
    add(this.enum(data, s, name));
    if (isObject(data)) {
      const r = this.object(data, s, name);
      result.errors.push(...r.errors);
      result.matches += r.matches;
    }
    return result;
  }

  private types(s: SchemaNode): string[] {
    if (s['x-kubernetes-int-or-string']) return ['integer', 'string'];
    return s.type ? [s.type] : [];
  }

  /** typeValidator (type.go), including its format/type cross-checks for non-string values. */
  private type(data: Json, s: SchemaNode, name: string): FieldError[] {
    const types = this.types(s);
    const format = effectiveFormat(types.length === 1 ? types[0] : undefined, s.format);
    if (types.length === 0 && !format) return [];
    if (data === null) {
      return types.length > 0 && !s.nullable ? [this.typeError(name, types.join(','), 'null')] : [];
    }
    const actual = dataType(data);
    const actualFormat = actual === 'integer' ? 'int64' : actual === 'number' ? 'float64' : '';
    const isFloatInt = actual === 'number' && isJsonInteger(data as number) && types.includes('integer');
    const isIntFloat = actual === 'integer' && types.includes('number');
    const stringOrArray = actual === 'string' || actual === 'array';
    if (!stringOrArray && format && !(types.includes(actual) || format === actualFormat || isFloatInt || isIntFloat)) {
      return [this.typeError(name, format, actualFormat)];
    }
    if (!(types.includes('number') || types.includes('integer')) && format && stringOrArray) return [];
    if (!(types.includes(actual) || isFloatInt || isIntFloat)) return [this.typeError(name, types.join(','), actual)];
    return [];
  }

  /** stringValidator: the first failing of maxLength, minLength, pattern; lengths count characters. */
  private string(data: string, s: SchemaNode, name: string): FieldError[] {
    const length = [...data].length;
    if (s.maxLength !== undefined && length > s.maxLength) {
      const error = fieldErrors.tooLong(this.field(name), s.maxLength);
      // apimachinery says "byte" for a limit of one.
      return [s.maxLength === 1 ? { ...error, detail: 'Too long: may not be more than 1 byte' } : error];
    }
    if (s.minLength !== undefined && length < s.minLength) {
      return [this.invalid(name, data, `${name} in body should be at least ${s.minLength} chars long`)];
    }
    if (s.pattern !== undefined) {
      const re = compilePattern(s.pattern);
      if (re instanceof Error) return [this.invalid(name, data, `${name} in body should match '${s.pattern}, but pattern is invalid: ${re.message}'`)];
      if (!re.test(data)) return [this.invalid(name, data, `${name} in body should match '${s.pattern}'`)];
    }
    return [];
  }

  private format(data: string, s: SchemaNode, name: string): FieldError[] {
    const types = this.types(s);
    // Numeric formats have no string check, so only string formats can fail here.
    const format = effectiveFormat(types.length === 1 ? types[0] : undefined, s.format);
    if (!format || matchesFormat(format, data)) return [];
    return [fieldErrors.typeInvalid(this.field(name), data, `${name} in body must be of type ${format}: ${quote(data)}`)];
  }

  /** numberValidator: integers are compared with truncated limits and printed as integers, floats with Go's %v. */
  private number(data: number, integer: boolean, s: SchemaNode, name: string): FieldError[] {
    const errs: FieldError[] = [];
    const fmt = (n: number): string => (integer ? String(Math.trunc(n)) : goFloat(n));
    if (s.multipleOf !== undefined) {
      const factor = s.multipleOf;
      if (factor < 0) {
        errs.push(this.invalid(name, factor, `factor MultipleOf declared for ${name} must be positive: ${goFloat(factor)}`));
      } else if (integer && Math.trunc(factor) !== 0) {
        if (data % Math.trunc(factor) !== 0) errs.push(this.invalid(name, data, `${name} in body should be a multiple of ${Math.trunc(factor)}`));
      } else if (factor !== 0 && !isJsonInteger(factor < 1 ? (1 / factor) * data : data / factor)) {
        errs.push(this.invalid(name, data, `${name} in body should be a multiple of ${goFloat(factor)}`));
      }
    }
    if (s.minimum !== undefined) {
      const min = integer ? Math.trunc(s.minimum) : s.minimum;
      if (s.exclusiveMinimum ? data <= min : data < min) {
        errs.push(this.invalid(name, data, `${name} in body should be greater than ${s.exclusiveMinimum ? '' : 'or equal to '}${fmt(min)}`));
      }
    }
    if (s.maximum !== undefined) {
      const max = integer ? Math.trunc(s.maximum) : s.maximum;
      if (s.exclusiveMaximum ? data >= max : data > max) {
        errs.push(this.invalid(name, data, `${name} in body should be less than ${s.exclusiveMaximum ? '' : 'or equal to '}${fmt(max)}`));
      }
    }
    return errs;
  }

  /** schemaSliceValidator: items under "name[i]", then minItems and maxItems. */
  private slice(data: Json[], s: SchemaNode, name: string): Result {
    const result: Result = { errors: [], matches: 1 };
    if (s.items) {
      data.forEach((v, i) => {
        const r = this.node(v, s.items as SchemaNode, `${name}[${i}]`);
        result.errors.push(...r.errors);
        result.matches += r.matches;
      });
    }
    if (s.minItems !== undefined && data.length < s.minItems) {
      result.errors.push(this.invalid(name, data.length, `${name} in body should have at least ${s.minItems} items`));
    }
    if (s.maxItems !== undefined && data.length > s.maxItems) {
      result.errors.push(fieldErrors.tooMany(this.field(name), data.length, s.maxItems));
    }
    return result;
  }

  /** basicCommonValidator: enum membership; the supported values are listed as strings (JSON for non-strings). */
  private enum(data: Json, s: SchemaNode, name: string): FieldError[] {
    if (!s.enum || s.enum.length === 0) return [];
    if (data !== null && s.enum.some((e) => jsonEqual(e, data))) return [];
    return [fieldErrors.notSupported(this.field(name), data, s.enum.map((e) => (typeof e === 'string' ? e : JSON.stringify(e))))];
  }

  /** objectValidator: min/maxProperties stop the checks of this object; then additionalProperties, properties, required. */
  private object(data: Record<string, Json>, s: SchemaNode, name: string): Result {
    const result: Result = { errors: [], matches: 1 };
    const keys = Object.keys(data);
    if (s.minProperties !== undefined && keys.length < s.minProperties) {
      return { errors: [this.invalid(name, keys.length, `${name} in body should have at least ${s.minProperties} properties`)], matches: 0 };
    }
    if (s.maxProperties !== undefined && keys.length > s.maxProperties) {
      return { errors: [fieldErrors.tooMany(this.field(name), keys.length, s.maxProperties)], matches: 0 };
    }
    const merge = (r: Result): void => {
      result.errors.push(...r.errors);
      result.matches += r.matches;
    };
    if (s.additionalProperties === false) {
      for (const k of keys) {
        if (!propertySchema(s, k)) result.errors.push(this.invalid(name, k, `${name}.${k} in body is a forbidden property`));
      }
    } else {
      const additional = additionalPropertiesSchema(s);
      if (additional) {
        for (const k of keys) if (!propertySchema(s, k)) merge(this.node(data[k], additional, `${name}.${k}`));
      }
    }
    for (const [k, prop] of Object.entries(s.properties ?? {})) {
      if (Object.hasOwn(data, k)) merge(this.node(data[k], prop, name ? `${name}.${k}` : k));
    }
    for (const k of s.required ?? []) {
      if (!Object.hasOwn(data, k)) result.errors.push(fieldErrors.required(this.field(`${name}.${k}`)));
    }
    return result;
  }

  /** schemaPropsValidator (schema_props.go): anyOf, oneOf, allOf, not. */
  private schemaProps(data: Json, s: SchemaNode, name: string): Result {
    const result: Result = { errors: [], matches: 0 };
    const best = (results: Result[]): Result | undefined =>
      results.reduce<Result | undefined>((b, r) => (b === undefined || r.matches > b.matches ? r : b), undefined);
    if (s.anyOf && s.anyOf.length > 0) {
      const failures: Result[] = [];
      let success: Result | undefined;
      for (const sub of s.anyOf) {
        const r = this.node(data, sub, name);
        if (r.errors.length === 0) {
          success = r;
          break;
        }
        failures.push(r);
      }
      if (success) {
        result.matches += success.matches;
      } else {
        result.errors.push(this.composite(`${quote(name)} must validate at least one schema (anyOf)`));
        result.errors.push(...(best(failures)?.errors ?? []));
      }
    }
    if (s.oneOf && s.oneOf.length > 0) {
      const results = s.oneOf.map((sub) => this.node(data, sub, name));
      const valid = results.filter((r) => r.errors.length === 0);
      if (valid.length === 1) {
        result.matches += valid[0].matches;
      } else {
        const detail = valid.length === 0 ? 'Found none valid' : `Found ${valid.length} valid alternatives`;
        result.errors.push(this.composite(`${quote(name)} must validate one and only one schema (oneOf). ${detail}`));
        if (valid.length === 0) result.errors.push(...(best(results)?.errors ?? []));
      }
    }
    if (s.allOf && s.allOf.length > 0) {
      let validated = 0;
      for (const sub of s.allOf) {
        const r = this.node(data, sub, name);
        if (r.errors.length === 0) validated++;
        result.errors.push(...r.errors);
        result.matches += r.matches;
      }
      if (validated !== s.allOf.length) {
        result.errors.push(this.composite(`${quote(name)} must validate all the schemas (allOf)${validated === 0 ? '. None validated' : ''}`));
      }
    }
    if (s.not && this.node(data, s.not, name).errors.length === 0) {
      result.errors.push(this.composite(`${quote(name)} must not validate the schema (not)`));
    }
    return result;
  }
}

/** Go's %#v of the key map reported for a duplicate list-map entry, e.g. map[string]interface {}{"name":"a"}. */
function goKeyMap(keys: Record<string, Json>): string {
  const entries = Object.keys(keys).sort().map((k) => {
    const v = keys[k];
    const rendered = typeof v === 'string' ? quote(v) : typeof v === 'number' ? (Number.isInteger(v) ? String(v) : goFloat(v)) : v === null ? 'interface {}(nil)' : JSON.stringify(v);
    return `${quote(k)}:${rendered}`;
  });
  return `map[string]interface {}{${entries.join(', ')}}`;
}

function duplicate(field: string, rendered: string): FieldError {
  return { field, reason: 'FieldValueDuplicate', detail: `Duplicate value: ${rendered}` };
}

/**
 * x-kubernetes-list-type set and map uniqueness (apiextensions-apiserver/pkg/apiserver/schema/listtype/validation.go):
 * the second occurrence of a value or key is reported once, at its index.
 */
export function validateListTypes(x: Json, s: SchemaNode | undefined, path: string): FieldError[] {
  if (!s) return [];
  const errs: FieldError[] = [];
  if (Array.isArray(x)) {
    const listType = s['x-kubernetes-list-type'];
    if (listType === 'set') {
      const seen = new Map<string, number>();
      x.forEach((item, i) => {
        const id = `${dataType(item)}:${JSON.stringify(item)}`;
        const times = seen.get(id) ?? 0;
        seen.set(id, times + 1);
        if (times === 1) errs.push(isObject(item) || Array.isArray(item) ? duplicate(`${path}[${i}]`, renderValue(item)) : fieldErrors.duplicate(`${path}[${i}]`, item));
      });
    } else if (listType === 'map') {
      const bad = x.findIndex((item) => item !== null && !isObject(item));
      if (bad >= 0) return [fieldErrors.invalid(`${path}[${bad}]`, x[bad], 'must be an object for an array of list-type map')];
      const keys = s['x-kubernetes-list-map-keys'] ?? [];
      const seen = new Set<string>();
      x.forEach((item, i) => {
        if (!isObject(item)) return;
        const keyMap: Record<string, Json> = {};
        for (const k of keys) if (Object.hasOwn(item, k)) keyMap[k] = item[k];
        const id = JSON.stringify(keys.map((k) => (Object.hasOwn(item, k) ? item[k] : { unspecified: true })));
        if (seen.has(id)) errs.push(duplicate(`${path}[${i}]`, goKeyMap(keyMap)));
        seen.add(id);
      });
    }
    x.forEach((item, i) => errs.push(...validateListTypes(item, s.items, `${path}[${i}]`)));
    return errs;
  }
  if (isObject(x)) {
    const additional = additionalPropertiesSchema(s);
    for (const [k, v] of Object.entries(x)) {
      const prop = propertySchema(s, k);
      if (prop) errs.push(...validateListTypes(v, prop, path ? `${path}.${k}` : k));
      else if (additional) errs.push(...validateListTypes(v, additional, `${path}[${k}]`));
    }
  }
  return errs;
}
