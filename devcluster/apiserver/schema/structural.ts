// Static checks of one CRD openAPIV3Schema (apiextensions.k8s.io/v1), as kube-apiserver runs them on CRD create:
// - structural invariants (apiextensions-apiserver/pkg/apiserver/schema/validation.go, ValidateStructural),
// - defaults that must validate and be pruned (schema/defaulting/validation.go, ValidateDefaults),
// - OpenAPI restrictions and list/map extensions (pkg/apis/apiextensions/validation/validation.go,
//   ValidateCustomResourceDefinitionOpenAPISchema and specStandardValidatorV3).
// The schema is read as raw JSON because a CRD may contain anything a client sends ($ref, id, type: null, ...).
import type { Json, JsonObject, SchemaNode } from '../types.ts';
import { fieldErrors, type FieldError } from '../status-errors.ts';
import { isObject, jsonEqual } from './json.ts';
import { child, index, key } from './paths.ts';
import { pruneValue } from './prune.ts';
import { compilePattern, validateValue } from './validate.ts';
import { cloneJson } from '../patch/json-values.ts';
import { compileCelRules, type CompiledRules, type RuleReport } from './cel.ts';

type Level = 'root' | 'item' | 'field';

const OPENAPI_TYPES = ['array', 'boolean', 'integer', 'number', 'object', 'string'];
const META_FIELDS = new Set(['metadata', 'kind', 'apiVersion']);
const JUNCTORS = ['allOf', 'anyOf', 'oneOf'] as const;

function str(x: Json | undefined): string {
  return typeof x === 'string' ? x : '';
}

function objects(x: Json | undefined): JsonObject[] {
  return Array.isArray(x) ? x.filter(isObject) : [];
}

function strings(x: Json | undefined): string[] {
  return Array.isArray(x) ? x.filter((v): v is string => typeof v === 'string') : [];
}

function props(s: JsonObject): Array<[string, JsonObject]> {
  return isObject(s.properties) ? Object.entries(s.properties).filter((e): e is [string, JsonObject] => isObject(e[1])) : [];
}

function itemsSchema(s: JsonObject): JsonObject | undefined {
  return isObject(s.items) ? s.items : undefined;
}

/** The errors of one openAPIV3Schema at path (".../openAPIV3Schema"), in upstream order. */
export function validateOpenAPIV3Schema(schema: JsonObject, path: string, statusEnabled: boolean): FieldError[] {
  const parent = path.slice(0, -'.openAPIV3Schema'.length);
  const errs: FieldError[] = [];
  if (statusEnabled) errs.push(...validateRootWithStatus(schema, parent));
  if (schema.nullable === true) errs.push(fieldErrors.forbidden(child(parent, 'openAPIV3Schema.nullable'), 'nullable cannot be true at the root'));
  // NewStructural refuses unsupported constructs; their own errors come from the OpenAPI checks below.
  let rules: CompiledRules | undefined;
  if (!hasUnsupportedFields(schema)) {
    const structural = validateStructural(schema, path);
    errs.push(...(structural.length > 0 ? structural : validateDefaults(schema, path)));
    // CEL rules are typed by the schema, so they are compiled only once it is structural.
    if (structural.length === 0) rules = compileCelRules(schema as unknown as SchemaNode);
  }
  errs.push(...new OpenAPIChecker(rules).check(schema, path, { allowDefaults: true, defaultsReason: '', insideMeta: false }, true));
  return errs;
}

// ---- status subresource: the root may only hold what survives extracting properties[status] --------------------

/** JSONSchemaProps fields in Go declaration order, with their JSON names. */
const GO_FIELDS: Array<[string, string]> = [
  ['ID', 'id'], ['Schema', '$schema'], ['Ref', '$ref'], ['Description', 'description'], ['Type', 'type'], ['Format', 'format'],
  ['Title', 'title'], ['Default', 'default'], ['Maximum', 'maximum'], ['ExclusiveMaximum', 'exclusiveMaximum'], ['Minimum', 'minimum'],
  ['ExclusiveMinimum', 'exclusiveMinimum'], ['MaxLength', 'maxLength'], ['MinLength', 'minLength'], ['Pattern', 'pattern'],
  ['MaxItems', 'maxItems'], ['MinItems', 'minItems'], ['UniqueItems', 'uniqueItems'], ['MultipleOf', 'multipleOf'], ['Enum', 'enum'],
  ['MaxProperties', 'maxProperties'], ['MinProperties', 'minProperties'], ['Required', 'required'], ['Items', 'items'],
  ['AllOf', 'allOf'], ['OneOf', 'oneOf'], ['AnyOf', 'anyOf'], ['Not', 'not'], ['Properties', 'properties'],
  ['AdditionalProperties', 'additionalProperties'], ['PatternProperties', 'patternProperties'], ['Dependencies', 'dependencies'],
  ['AdditionalItems', 'additionalItems'], ['Definitions', 'definitions'], ['ExternalDocs', 'externalDocs'], ['Example', 'example'],
  ['Nullable', 'nullable'], ['XPreserveUnknownFields', 'x-kubernetes-preserve-unknown-fields'],
  ['XEmbeddedResource', 'x-kubernetes-embedded-resource'], ['XIntOrString', 'x-kubernetes-int-or-string'],
  ['XListMapKeys', 'x-kubernetes-list-map-keys'], ['XListType', 'x-kubernetes-list-type'], ['XMapType', 'x-kubernetes-map-type'],
  ['XValidations', 'x-kubernetes-validations'],
];
const ALLOWED_AT_ROOT_WITH_STATUS = ['Description', 'Type', 'Format', 'Title', 'Maximum', 'ExclusiveMaximum', 'Minimum', 'ExclusiveMinimum',
  'MaxLength', 'MinLength', 'Pattern', 'MaxItems', 'MinItems', 'UniqueItems', 'MultipleOf', 'Required', 'Items', 'Properties',
  'ExternalDocs', 'Example', 'XPreserveUnknownFields', 'XValidations'];

function validateRootWithStatus(schema: JsonObject, parent: string): FieldError[] {
  for (const [goName, jsonName] of GO_FIELDS) {
    const v = schema[jsonName];
    if (v === undefined || v === null || v === false || v === '') continue; // Go zero values are skipped
    if (goName === 'Type') {
      if (v !== 'object') {
        return [fieldErrors.invalid(child(parent, 'openAPIV3Schema.type'), v, 'only "object" is allowed as the type at the root of the schema if the status subresource is enabled')];
      }
      continue;
    }
    if (!ALLOWED_AT_ROOT_WITH_STATUS.includes(goName)) {
      return [fieldErrors.invalid(child(parent, 'openAPIV3Schema'), schema, `only [${ALLOWED_AT_ROOT_WITH_STATUS.join(' ')}] fields are allowed at the root of the schema if the status subresource is enabled`)];
    }
  }
  return [];
}

// ---- structural invariants -----------------------------------------------------------------------------------

/** Constructs NewStructural cannot represent (validateUnsupportedFields, items arrays, preserve-unknown-fields: false). */
function hasUnsupportedFields(s: JsonObject): boolean {
  if (['id', '$schema', '$ref', 'patternProperties', 'dependencies', 'additionalItems', 'definitions'].some((k) => s[k] !== undefined && s[k] !== '' && s[k] !== null)) return true;
  if (Array.isArray(s.items) || s['x-kubernetes-preserve-unknown-fields'] === false) return true;
  const subs: JsonObject[] = [...props(s).map((e) => e[1]), ...JUNCTORS.flatMap((j) => objects(s[j]))];
  for (const k of ['items', 'additionalProperties', 'not']) if (isObject(s[k])) subs.push(s[k]);
  return subs.some(hasUnsupportedFields);
}

/** ValidateStructural: invariants at every node, sorted by their rendered text as upstream sorts them. */
function validateStructural(schema: JsonObject, path: string): FieldError[] {
  const errs = structuralInvariants(schema, 'root', path);
  return errs.sort((a, b) => {
    const x = `${a.field}: ${a.detail}`;
    const y = `${b.field}: ${b.detail}`;
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

function isTypeOnly(s: Json | undefined, type: string): boolean {
  return isObject(s) && s.type === type && Object.keys(s).length === 1;
}

/** anyOf: [{type: integer}, {type: string}], the int-or-string shape allowed to carry types in a junctor. */
function isIntOrStringAnyOf(anyOf: Json | undefined): boolean {
  return Array.isArray(anyOf) && anyOf.length === 2 && isTypeOnly(anyOf[0], 'integer') && isTypeOnly(anyOf[1], 'string');
}

function structuralInvariants(s: JsonObject, lvl: Level, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const type = str(s.type);
  const items = itemsSchema(s);
  if (type === 'array' && !items) errs.push(fieldErrors.required(child(path, 'items'), 'must be specified'));
  if (items) errs.push(...structuralInvariants(items, 'item', child(path, 'items')));
  for (const [k, p] of props(s)) errs.push(...structuralInvariants(p, 'field', key(child(path, 'properties'), k)));
  if (s.additionalProperties !== undefined) {
    if (lvl === 'root') errs.push(fieldErrors.forbidden(child(path, 'additionalProperties'), 'must not be used at the root'));
    if (isObject(s.additionalProperties)) errs.push(...structuralInvariants(s.additionalProperties, 'field', child(path, 'additionalProperties')));
  }
  const intOrString = s['x-kubernetes-int-or-string'] === true;
  const preserve = s['x-kubernetes-preserve-unknown-fields'] === true;
  const embedded = s['x-kubernetes-embedded-resource'] === true;
  if (intOrString && preserve) errs.push(fieldErrors.invalid(child(path, 'x-kubernetes-preserve-unknown-fields'), true, 'must be false if x-kubernetes-int-or-string is true'));
  if (intOrString && embedded) errs.push(fieldErrors.invalid(child(path, 'x-kubernetes-embedded-resource'), true, 'must be false if x-kubernetes-int-or-string is true'));

  const allOf = objects(s.allOf);
  errs.push(...valueValidation(s, isIntOrStringAnyOf(s.anyOf), allOf.length > 0 && isIntOrStringAnyOf(allOf[0].anyOf), path));

  if (embedded && type !== 'object') {
    errs.push(type === '' ? fieldErrors.required(child(path, 'type'), 'must be object if x-kubernetes-embedded-resource is true')
      : fieldErrors.invalid(child(path, 'type'), type, 'must be object if x-kubernetes-embedded-resource is true'));
  } else if (type === '' && !intOrString && !preserve) {
    const where = { root: 'at the root', item: 'for specified array items', field: 'for specified object fields' }[lvl];
    errs.push(fieldErrors.required(child(path, 'type'), `must not be empty ${where}`));
  }
  if (embedded && s.additionalProperties !== undefined) errs.push(fieldErrors.forbidden(child(path, 'additionalProperties'), 'must not be used if x-kubernetes-embedded-resource is set'));
  if (lvl === 'root' && type !== '' && type !== 'object') errs.push(fieldErrors.invalid(child(path, 'type'), type, 'must be object at the root'));

  const checkMetadata = lvl === 'root' || embedded;
  const properties = new Map(props(s));
  for (const f of ['kind', 'apiVersion']) {
    const p = properties.get(f);
    if (p && checkMetadata && p.type !== 'string') errs.push(fieldErrors.invalid(child(key(child(path, 'properties'), f), 'type'), str(p.type), 'must be string'));
  }
  const metadata = properties.get('metadata');
  if (metadata) errs.push(...metadataInvariants(metadata, checkMetadata, lvl, key(child(path, 'properties'), 'metadata')));
  if (embedded && !preserve && properties.size === 0) {
    errs.push(fieldErrors.required(child(path, 'properties'), 'must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields'));
  }
  return errs;
}

/** Keys of a schema node that the Structural type does not keep (so they never make metadata "specified"). */
const NOT_STRUCTURAL = new Set(['example', 'externalDocs', '$schema', 'id']);

/** metadata may only restrict name and generateName at the root, and its type must be object where it is resource metadata. */
function metadataInvariants(s: JsonObject, checkMetadata: boolean, lvl: Level, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (checkMetadata && s.type !== 'object') errs.push(fieldErrors.invalid(child(path, 'type'), str(s.type), 'must be object'));
  if (lvl === 'root') {
    const names = props(s).map((e) => e[0]);
    const onlyNames = names.length > 0 && names.length <= 2 && names.every((n) => n === 'name' || n === 'generateName');
    const specified = Object.entries(s).some(([k, v]) => {
      if (k === 'type' || k === 'default' || NOT_STRUCTURAL.has(k) || v === false || v === '' || v === null) return false;
      if (k === 'properties') return !onlyNames;
      return !(Array.isArray(v) && v.length === 0);
    });
    if (specified) errs.push(fieldErrors.forbidden(path, 'must not specify anything other than name and generateName, but metadata is implicitly specified'));
  }
  return errs;
}

/** validateValueValidation: the junctors of a node; inside them only value validations are allowed. */
function valueValidation(s: JsonObject, skipAnyOf: boolean, skipFirstAllOfAnyOf: boolean, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!skipAnyOf) objects(s.anyOf).forEach((v, i) => errs.push(...nestedValueValidation(v, false, index(child(path, 'anyOf'), i))));
  objects(s.allOf).forEach((v, i) => errs.push(...nestedValueValidation(v, skipFirstAllOfAnyOf && i === 0, index(child(path, 'allOf'), i))));
  objects(s.oneOf).forEach((v, i) => errs.push(...nestedValueValidation(v, false, index(child(path, 'oneOf'), i))));
  if (isObject(s.not)) errs.push(...nestedValueValidation(s.not, false, child(path, 'not')));
  if (typeof s.pattern === 'string' && s.pattern !== '') {
    const re = compilePattern(s.pattern);
    if (re instanceof Error) errs.push(fieldErrors.invalid(child(path, 'pattern'), s.pattern, `must be a valid regular expression, but isn't: ${re.message}`));
  }
  return errs;
}

/** Forbidden inside allOf/anyOf/oneOf/not: anything that is not a value validation (validateNestedValueValidation). */
const NESTED_FORBIDDEN: Array<[string, (v: Json) => boolean, string]> = [
  ['type', (v) => v !== '', 'must be empty to be structural'],
  ['additionalProperties', () => true, 'must be undefined to be structural'],
  ['default', (v) => v !== null, 'must be undefined to be structural'],
  ['title', (v) => v !== '', 'must be empty to be structural'],
  ['description', (v) => v !== '', 'must be empty to be structural'],
  ['nullable', (v) => v === true, 'must be false to be structural'],
  ['externalDocs', () => true, 'must be undefined to be structural'],
  ['x-kubernetes-preserve-unknown-fields', (v) => v === true, 'must be false to be structural'],
  ['x-kubernetes-embedded-resource', (v) => v === true, 'must be false to be structural'],
  ['x-kubernetes-int-or-string', (v) => v === true, 'must be false to be structural'],
  ['x-kubernetes-list-map-keys', (v) => Array.isArray(v) && v.length > 0, 'must be empty to be structural'],
  ['x-kubernetes-list-type', () => true, 'must be undefined to be structural'],
  ['x-kubernetes-map-type', () => true, 'must be undefined to be structural'],
  ['x-kubernetes-validations', (v) => Array.isArray(v) && v.length > 0, 'must be empty to be structural'],
];

function nestedValueValidation(v: JsonObject, skipAnyOf: boolean, path: string): FieldError[] {
  const errs = valueValidation(v, skipAnyOf, false, path);
  if (isObject(v.items)) errs.push(...nestedValueValidation(v.items, false, child(path, 'items')));
  for (const [k, p] of props(v)) errs.push(...nestedValueValidation(p, false, key(child(path, 'properties'), k)));
  // Structural errors are sorted afterwards, so the order of these checks does not show.
  for (const [name, isSet, detail] of NESTED_FORBIDDEN) {
    if (v[name] !== undefined && isSet(v[name])) errs.push(fieldErrors.forbidden(child(path, name), detail));
  }
  if (props(v).some(([k]) => k === 'metadata')) errs.push(fieldErrors.forbidden(key(child(path, 'properties'), 'metadata'), 'must not be specified in a nested context'));
  return errs;
}

// ---- defaults ------------------------------------------------------------------------------------------------

/**
 * Every default must survive pruning and validate against its own node. Defaults in resource metadata are
 * forbidden by the OpenAPI checks, so they are not looked at here; additionalProperties are not followed (upstream).
 */
function validateDefaults(s: JsonObject, path: string, insideMeta = false, embedded = true): FieldError[] {
  const errs: FieldError[] = [];
  const node = s as unknown as SchemaNode;
  const isEmbedded = embedded || s['x-kubernetes-embedded-resource'] === true;
  if (s.default !== undefined && s.default !== null && !insideMeta) {
    const pruned = cloneJson(s.default);
    pruneValue(pruned, node, { resourceRoot: s['x-kubernetes-embedded-resource'] === true, dropNulls: false });
    if (!jsonEqual(pruned, s.default)) errs.push(fieldErrors.invalid(child(path, 'default'), s.default, 'must not have unknown fields'));
    errs.push(...validateValue(s.default, node, child(path, 'default')));
  }
  const items = itemsSchema(s);
  if (items) errs.push(...validateDefaults(items, child(path, 'items'), insideMeta && items['x-kubernetes-embedded-resource'] !== true, false));
  for (const [k, p] of props(s)) {
    const meta = isEmbedded && META_FIELDS.has(k);
    errs.push(...validateDefaults(p, key(child(path, 'properties'), k), (insideMeta || meta) && p['x-kubernetes-embedded-resource'] !== true, false));
  }
  return errs;
}

// ---- OpenAPI restrictions (specStandardValidatorV3 and the recursive checks around it) -----------------------

interface Context {
  allowDefaults: boolean;
  defaultsReason: string;
  /** Inside TypeMeta/ObjectMeta of the resource root or of an embedded resource. */
  insideMeta: boolean;
  /** The outermost items of a list other than listType=map above this node: oldSelf has no old value there. */
  uncorrelatable?: string;
}

const RULE_REASONS = ['FieldValueDuplicate', 'FieldValueForbidden', 'FieldValueInvalid', 'FieldValueRequired'];

class OpenAPIChecker {
  private readonly compiled: CompiledRules | undefined;
  /** Compile errors of rules, which unlike schema errors do not stop the compilation of rules above them. */
  private readonly celErrors = new Set<FieldError>();

  constructor(compiled: CompiledRules | undefined) {
    this.compiled = compiled;
  }

  check(s: JsonObject, path: string, ctx: Context, isRoot: boolean): FieldError[] {
    const errs = this.standard(s, path, ctx);
    if (s.uniqueItems === true) errs.push(fieldErrors.forbidden(child(path, 'uniqueItems'), 'uniqueItems cannot be set to true since the runtime complexity becomes quadratic'));
    const properties = props(s);
    if (s.additionalProperties !== undefined && s.additionalProperties !== null) {
      if (properties.length > 0 && (s.additionalProperties === false || isObject(s.additionalProperties))) {
        errs.push(fieldErrors.forbidden(child(path, 'additionalProperties'), 'additionalProperties and properties are mutual exclusive'));
      }
      if (isObject(s.additionalProperties)) {
        // Pruning a default without the actual key is ambiguous inside metadata maps.
        const sub = ctx.insideMeta ? { ...ctx, allowDefaults: false, defaultsReason: 'inside additionalProperties applying to object metadata' } : ctx;
        errs.push(...this.check(s.additionalProperties, child(path, 'additionalProperties'), sub, false));
      }
    }
    for (const [k, p] of properties) {
      let sub = ctx;
      if ((isRoot || s['x-kubernetes-embedded-resource'] === true) && META_FIELDS.has(k)) {
        sub = { ...sub, insideMeta: true };
        if (isRoot) sub = { ...sub, allowDefaults: false, defaultsReason: `in top-level ${k}` };
      }
      errs.push(...this.check(p, key(child(path, 'properties'), k), sub, false));
    }
    if (isObject(s.not)) errs.push(...this.check(s.not, child(path, 'not'), ctx, false));
    for (const j of JUNCTORS) objects(s[j]).forEach((v, i) => errs.push(...this.check(v, index(child(path, j), i), ctx, false)));
    if (isObject(s.items)) {
      const itemsPath = child(path, 'items');
      const correlatable = s['x-kubernetes-list-type'] === 'map' || ctx.uncorrelatable !== undefined;
      errs.push(...this.check(s.items, itemsPath, correlatable ? ctx : { ...ctx, uncorrelatable: itemsPath }, false));
    }
    else objects(s.items).forEach((v, i) => errs.push(...this.check(v, index(child(path, 'items'), i), ctx, false)));
    if (s['x-kubernetes-preserve-unknown-fields'] === false) {
      errs.push(fieldErrors.invalid(child(path, 'x-kubernetes-preserve-unknown-fields'), false, 'must be true or undefined'));
    }
    errs.push(...this.listAndMapTypes(s, path));
    errs.push(...this.rules(s, path));
    // Rules are compiled only where this node and the ones below it have no schema error (upstream's SchemaErrors).
    if (errs.every((e) => this.celErrors.has(e))) errs.push(...this.compileErrors(s, path, ctx));
    return errs;
  }

  private standard(s: JsonObject, path: string, ctx: Context): FieldError[] {
    const errs: FieldError[] = [];
    const type = str(s.type);
    if (type && type !== 'null' && !OPENAPI_TYPES.includes(type)) errs.push(fieldErrors.notSupported(child(path, 'type'), type, OPENAPI_TYPES));
    if (s.default !== undefined && s.default !== null && !ctx.allowDefaults) {
      errs.push(fieldErrors.forbidden(child(path, 'default'), `must not be set${ctx.defaultsReason ? ` ${ctx.defaultsReason}` : ''}`));
    }
    const present = (v: Json | undefined): boolean => v !== undefined && v !== null;
    const nonEmptyMap = (v: Json | undefined): boolean => isObject(v) && Object.keys(v).length > 0;
    const unsupported: Array<[string, boolean, string]> = [
      ['id', str(s.id) !== '', 'id is not supported'],
      ['additionalItems', present(s.additionalItems), 'additionalItems is not supported'],
      ['patternProperties', nonEmptyMap(s.patternProperties), 'patternProperties is not supported'],
      ['definitions', nonEmptyMap(s.definitions), 'definitions is not supported'],
      ['dependencies', present(s.dependencies), 'dependencies is not supported'],
      ['$ref', present(s.$ref), '$ref is not supported'],
    ];
    for (const [k, found, detail] of unsupported) if (found) errs.push(fieldErrors.forbidden(child(path, k), detail));
    if (type === 'null') errs.push(fieldErrors.forbidden(child(path, 'type'), 'type cannot be set to null, use nullable as an alternative'));
    if (Array.isArray(s.items) && s.items.length > 0) errs.push(fieldErrors.forbidden(child(path, 'items'), 'items must be a schema object and not an array'));
    if (ctx.insideMeta && s['x-kubernetes-embedded-resource'] === true) {
      errs.push(fieldErrors.forbidden(child(path, 'x-kubernetes-embedded-resource'), 'must not be used inside of resource meta'));
    }
    return errs;
  }

  private listAndMapTypes(s: JsonObject, path: string): FieldError[] {
    const errs: FieldError[] = [];
    const type = str(s.type);
    const mapType = s['x-kubernetes-map-type'];
    const listType = s['x-kubernetes-list-type'];
    const mapKeys = strings(s['x-kubernetes-list-map-keys']);
    const items = itemsSchema(s);
    if (mapType !== undefined && mapType !== null) {
      if (type !== 'object') {
        errs.push(type === '' ? fieldErrors.required(child(path, 'type'), 'must be object if x-kubernetes-map-type is specified')
          : fieldErrors.invalid(child(path, 'type'), type, 'must be object if x-kubernetes-map-type is specified'));
      }
      if (mapType !== 'atomic' && mapType !== 'granular') errs.push(fieldErrors.notSupported(child(path, 'x-kubernetes-map-type'), mapType, ['atomic', 'granular']));
    }
    const hasListType = listType !== undefined && listType !== null;
    if (hasListType && type !== 'array') {
      errs.push(type === '' ? fieldErrors.required(child(path, 'type'), 'must be array if x-kubernetes-list-type is specified')
        : fieldErrors.invalid(child(path, 'type'), type, 'must be array if x-kubernetes-list-type is specified'));
    } else if (listType === 'set' && items) {
      if (items.type === 'array' && items['x-kubernetes-list-type'] !== undefined && items['x-kubernetes-list-type'] !== 'atomic') {
        errs.push(fieldErrors.invalid(child(path, 'items', 'x-kubernetes-list-type'), items['x-kubernetes-list-type'], 'must be atomic as item of a list with x-kubernetes-list-type=set'));
      }
      if (items.type === 'object' && items['x-kubernetes-map-type'] !== 'atomic') {
        // Upstream reports the items' list type here (nil), not the map type.
        errs.push(fieldErrors.invalid(child(path, 'items', 'x-kubernetes-map-type'), items['x-kubernetes-list-type'] ?? null, 'must be atomic as item of a list with x-kubernetes-list-type=set'));
      }
    }
    if (hasListType && listType !== 'atomic' && listType !== 'set' && listType !== 'map') {
      errs.push(fieldErrors.notSupported(child(path, 'x-kubernetes-list-type'), listType, ['atomic', 'set', 'map']));
    }
    if (mapKeys.length > 0) {
      if (!hasListType) errs.push(fieldErrors.required(child(path, 'x-kubernetes-list-type'), 'must be map if x-kubernetes-list-map-keys is non-empty'));
      else if (listType !== 'map') errs.push(fieldErrors.invalid(child(path, 'x-kubernetes-list-type'), listType, 'must be map if x-kubernetes-list-map-keys is non-empty'));
    }
    if (listType === 'map') {
      if (mapKeys.length === 0) errs.push(fieldErrors.required(child(path, 'x-kubernetes-list-map-keys'), 'must not be empty if x-kubernetes-list-type is map'));
      if (s.items === undefined || s.items === null) errs.push(fieldErrors.required(child(path, 'items'), 'must have a schema if x-kubernetes-list-type is map'));
      else if (!items) errs.push(fieldErrors.invalid(child(path, 'items'), s.items, 'must only have a single schema if x-kubernetes-list-type is map'));
      if (items && items.type !== 'object') errs.push(fieldErrors.invalid(child(path, 'items', 'type'), str(items.type), "must be object if parent array's x-kubernetes-list-type is map"));
      if (items && items.type === 'object') {
        const itemProps = new Map(props(items));
        const seen = new Set<string>();
        for (const k of mapKeys) {
          const p = itemProps.get(k);
          if (!p) errs.push(fieldErrors.invalid(child(path, 'x-kubernetes-list-map-keys'), mapKeys, 'entries must all be names of item properties'));
          else if (p.type === 'array' || p.type === 'object') {
            errs.push(fieldErrors.invalid(child(key(child(path, 'items', 'properties'), k), 'type'), 'object', "must be a scalar type if parent array's x-kubernetes-list-type is map"));
          }
          if (seen.has(k)) errs.push(fieldErrors.invalid(child(path, 'x-kubernetes-list-map-keys'), mapKeys, 'must not contain duplicate entries'));
          seen.add(k);
        }
      }
    }
    // validateMapListKeysMapSet: set/map items are not nullable; map keys are required or defaulted, never nullable.
    if (items && (listType === 'set' || listType === 'map')) {
      if (items.nullable === true) errs.push(fieldErrors.forbidden(child(path, 'items', 'nullable'), `cannot be nullable when x-kubernetes-list-type is ${listType}`));
      if (listType === 'map') {
        const required = strings(items.required);
        const itemProps = new Map(props(items));
        for (const k of mapKeys) {
          const p = itemProps.get(k);
          if (!p) continue;
          const keyPath = key(child(path, 'items', 'properties'), k);
          if (!required.includes(k) && (p.default === undefined || p.default === null)) {
            errs.push(fieldErrors.required(child(keyPath, 'default'), 'this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property'));
          }
          if (p.nullable === true) errs.push(fieldErrors.forbidden(child(keyPath, 'nullable'), 'this property is in x-kubernetes-list-map-keys, so it cannot be nullable'));
        }
      }
    }
    return errs;
  }

  /** x-kubernetes-validations: the static shape of each rule. The CEL itself is neither compiled nor run. */
  private rules(s: JsonObject, path: string): FieldError[] {
    const errs: FieldError[] = [];
    objects(s['x-kubernetes-validations']).forEach((rule, i) => {
      const p = index(child(path, 'x-kubernetes-validations'), i);
      const text = str(rule.rule).trim();
      const message = str(rule.message);
      const trimmedMessage = message.trim();
      if (text === '') errs.push(fieldErrors.required(child(p, 'rule'), 'rule is not specified'));
      else if (message.length > 0 && trimmedMessage === '') errs.push(fieldErrors.invalid(child(p, 'message'), message, 'message must be non-empty if specified'));
      else if (/[\n\r]/.test(trimmedMessage)) errs.push(fieldErrors.invalid(child(p, 'message'), message, 'message must not contain line breaks'));
      else if (/[\n\r]/.test(text) && trimmedMessage === '') errs.push(fieldErrors.required(child(p, 'message'), 'message must be specified if rule contains line breaks'));
      const messageExpression = str(rule.messageExpression);
      if (messageExpression.length > 0 && messageExpression.trim() === '') {
        errs.push(fieldErrors.required(child(p, 'messageExpression'), 'messageExpression must be non-empty if specified'));
      }
      if (typeof rule.reason === 'string' && !RULE_REASONS.includes(rule.reason)) errs.push(fieldErrors.notSupported(child(p, 'reason'), rule.reason, RULE_REASONS));
      const fieldPath = str(rule.fieldPath);
      if (fieldPath.length > 0 && fieldPath.trim() === '') errs.push(fieldErrors.invalid(child(p, 'fieldPath'), fieldPath, 'fieldPath must be non-empty if specified'));
      if (/[\n\r]/.test(fieldPath)) errs.push(fieldErrors.invalid(child(p, 'fieldPath'), fieldPath, 'fieldPath must not contain line breaks'));
    });
    return errs;
  }

  /** The compilation of this node's rules: cel-go's errors, and transition rules where there is no old value. */
  private compileErrors(s: JsonObject, path: string, ctx: Context): FieldError[] {
    const reports: readonly RuleReport[] = this.compiled?.reports.get(s) ?? [];
    const rules = objects(s['x-kubernetes-validations']);
    const errs: FieldError[] = [];
    reports.forEach((report, i) => {
      const p = index(child(path, 'x-kubernetes-validations'), i);
      for (const issue of report.issues) {
        errs.push(issue.field === 'fieldPath'
          ? fieldErrors.invalid(child(p, 'fieldPath'), rules[i].fieldPath, issue.detail)
          : { field: child(p, issue.field), reason: 'FieldValueInvalid', detail: `Invalid value: ${goValidationRule(rules[i])}: ${issue.detail}` });
      }
      if (report.usesOldSelf && ctx.uncorrelatable !== undefined) {
        errs.push(fieldErrors.invalid(child(p, 'rule'), rules[i].rule, `oldSelf cannot be used on the uncorrelatable portion of the schema within ${ctx.uncorrelatable}`));
      } else if (!report.usesOldSelf && typeof rules[i].optionalOldSelf === 'boolean' && report.issues.length === 0) {
        errs.push(fieldErrors.invalid(child(p, 'optionalOldSelf'), rules[i].optionalOldSelf, 'may not be set if oldSelf is not used in rule'));
      }
    });
    for (const e of errs) this.celErrors.add(e);
    return errs;
  }
}

/**
 * Go's %#v of apiextensions.ValidationRule, the value upstream quotes with a rule's compile error. Set pointers
 * print as addresses there; a fixed one stands in.
 */
function goValidationRule(rule: JsonObject): string {
  const q = (v: Json | undefined): string => JSON.stringify(str(v));
  const pointer = (type: string, v: Json | undefined): string => `(*${type})(${v === undefined || v === null ? 'nil' : '0xc000000000'})`;
  return `apiextensions.ValidationRule{Rule:${q(rule.rule)}, Message:${q(rule.message)}, MessageExpression:${q(rule.messageExpression)}, `
    + `Reason:${pointer('apiextensions.FieldValueErrorReason', rule.reason)}, FieldPath:${q(rule.fieldPath)}, OptionalOldSelf:${pointer('bool', rule.optionalOldSelf)}}`;
}
