// CustomResourceDefinition create validation, apiextensions.k8s.io/v1 (§9.1 step 1):
// apiextensions-apiserver/pkg/apis/apiextensions/validation/validation.go (ValidateCustomResourceDefinition),
// applied, like upstream, to the internal form of the v1 object (v1/conversion.go): when every version carries the
// same schema, subresources or printer columns, they are validated as spec.validation, spec.subresources and
// spec.additionalPrinterColumns, so a single-version CRD reports "spec.validation.openAPIV3Schema.properties[spec].type".
import type { Json, JsonObject, KubeObject } from '../types.ts';
import { fieldErrors, type FieldError } from '../status-errors.ts';
import { isObject, jsonEqual } from './json.ts';
import { isDns1035Label, isDns1123Subdomain } from './names.ts';
import { nameValidator, validateObjectMetaWith } from './object-meta.ts';
import { child, index, key } from './paths.ts';
import { validateOpenAPIV3Schema } from './structural.ts';

function str(x: Json | undefined): string {
  return typeof x === 'string' ? x : '';
}

function obj(x: Json | undefined): JsonObject | undefined {
  return isObject(x) ? x : undefined;
}

function list(x: Json | undefined): JsonObject[] {
  return Array.isArray(x) ? x.map((v) => (isObject(v) ? v : {})) : [];
}

export function validateCustomResourceDefinition(crd: KubeObject): FieldError[] {
  const spec = obj(crd.spec as Json) ?? {};
  const names = namesWithDefaults(obj(spec.names) ?? {});
  const group = str(spec.group);
  const requiredName = `${str(names.plural)}.${group}`;
  const errs = validateObjectMetaWith(crd.metadata ?? {}, false, (name, prefix) => {
    const msgs = nameValidator('dns-subdomain')(name, prefix);
    if (name !== requiredName) msgs.push('must be spec.names.plural+"."+spec.group');
    return msgs;
  });
  errs.push(...validateSpec(spec, names));
  errs.push(...validateApiApproval(crd, group));
  if (spec.preserveUnknownFields === true) {
    errs.push(fieldErrors.invalid('spec.preserveUnknownFields', true, 'cannot set to true, set x-kubernetes-preserve-unknown-fields to true in openAPIV3Schema instead'));
  }
  return errs;
}

/** v1 defaulting (SetDefaults_CustomResourceDefinitionSpec): singular from kind, listKind = kind + "List". */
function namesWithDefaults(names: JsonObject): JsonObject {
  const kind = str(names.kind);
  return {
    ...names,
    singular: str(names.singular) || kind.toLowerCase(),
    listKind: str(names.listKind) || (kind ? `${kind}List` : ''),
  };
}

function joinIfAny(errs: string[]): string | undefined {
  return errs.length > 0 ? errs.join(',') : undefined;
}

function hasStatus(subresources: Json | undefined): boolean {
  return isObject(subresources) && subresources.status !== undefined && subresources.status !== null;
}

function hasDefaults(s: Json | undefined): boolean {
  if (Array.isArray(s)) return s.some(hasDefaults);
  if (!isObject(s)) return false;
  if (s.default !== undefined && s.default !== null) return true;
  return Object.entries(s).some(([k, v]) => k !== 'default' && k !== 'enum' && k !== 'example' && hasDefaults(v));
}

function validateSpec(spec: JsonObject, names: JsonObject): FieldError[] {
  const errs: FieldError[] = [];
  const group = str(spec.group);
  if (!group) errs.push(fieldErrors.required('spec.group'));
  else if (isDns1123Subdomain(group).length > 0) errs.push(fieldErrors.invalid('spec.group', group, isDns1123Subdomain(group).join(',')));
  else if (group.split('.').length < 2) errs.push(fieldErrors.invalid('spec.group', group, 'should be a domain with at least one dot'));

  const scope = str(spec.scope);
  if (!scope) errs.push(fieldErrors.required('spec.scope'));
  else if (scope !== 'Cluster' && scope !== 'Namespaced') errs.push(fieldErrors.notSupported('spec.scope', scope, ['Cluster', 'Namespaced']));

  const versions = list(spec.versions);
  const identical = (field: string): boolean => versions.length > 0 && versions.every((v) => jsonEqual(v[field], versions[0][field]));
  const schemaPromoted = identical('schema');
  const subresourcesPromoted = identical('subresources');
  const columnsPromoted = identical('additionalPrinterColumns');
  const topSchema = schemaPromoted ? obj(versions[0].schema) : undefined;
  const topSubresources = subresourcesPromoted ? versions[0].subresources : undefined;

  if (!isObject(topSchema?.openAPIV3Schema)) {
    versions.forEach((v, i) => {
      if (schemaPromoted || !isObject(obj(v.schema)?.openAPIV3Schema)) {
        errs.push(fieldErrors.required(child(index('spec.versions', i), 'schema', 'openAPIV3Schema'), 'schemas are required'));
      }
    });
  }
  if (spec.preserveUnknownFields === true && versions.some((v) => hasDefaults(v.schema))) {
    errs.push(fieldErrors.invalid('spec.preserveUnknownFields', true, 'must be false in order to use defaults in the schema'));
  }

  const seen = new Set<string>();
  let unique = true;
  let storageCount = 0;
  versions.forEach((v, i) => {
    const path = index('spec.versions', i);
    const name = str(v.name);
    if (v.storage === true) storageCount++;
    if (seen.has(name)) unique = false;
    seen.add(name);
    const nameErrs = joinIfAny(isDns1035Label(name));
    if (nameErrs) errs.push(fieldErrors.invalid(child(path, 'name'), name, nameErrs));
    errs.push(...validateDeprecationWarning(v, path));
    const subresources = subresourcesPromoted ? topSubresources : v.subresources;
    if (!schemaPromoted) errs.push(...validateSchema(obj(v.schema), hasStatus(subresources), child(path, 'schema')));
    if (!subresourcesPromoted) errs.push(...validateSubresources(obj(v.subresources), child(path, 'subresources')));
    if (!columnsPromoted) list(v.additionalPrinterColumns).forEach((c, j) => errs.push(...validateColumn(c, index(child(path, 'additionalPrinterColumns'), j))));
  });
  if (!unique) errs.push(fieldErrors.invalid('spec.versions', spec.versions, 'must contain unique version names'));
  if (storageCount !== 1) errs.push(fieldErrors.invalid('spec.versions', spec.versions ?? [], 'must have exactly one version marked as storage version'));
  // The internal spec.version is versions[0].name, and is validated again under that name.
  const first = versions.length > 0 ? str(versions[0].name) : '';
  const firstErrs = versions.length > 0 ? joinIfAny(isDns1035Label(first)) : undefined;
  if (firstErrs) errs.push(fieldErrors.invalid('spec.version', first, firstErrs));

  for (const n of ['plural', 'singular', 'kind', 'listKind']) if (!str(names[n])) errs.push(fieldErrors.required(child('spec.names', n)));
  errs.push(...validateNames(names, 'spec.names'));

  const anyStatus = hasStatus(topSubresources) || versions.some((v) => hasStatus(v.subresources));
  if (schemaPromoted) errs.push(...validateSchema(topSchema, anyStatus, 'spec.validation'));
  if (subresourcesPromoted) errs.push(...validateSubresources(obj(topSubresources), 'spec.subresources'));
  if (columnsPromoted) list(versions[0].additionalPrinterColumns).forEach((c, j) => errs.push(...validateColumn(c, index('spec.additionalPrinterColumns', j))));
  errs.push(...validateConversion(spec.conversion));
  return errs;
}

function validateSchema(validation: JsonObject | undefined, statusEnabled: boolean, path: string): FieldError[] {
  const schema = obj(validation?.openAPIV3Schema);
  return schema ? validateOpenAPIV3Schema(schema, child(path, 'openAPIV3Schema'), statusEnabled) : [];
}

function validateNames(names: JsonObject, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const plural = str(names.plural);
  const singular = str(names.singular);
  const kind = str(names.kind);
  const listKind = str(names.listKind);
  const pluralErrs = plural ? joinIfAny(isDns1035Label(plural)) : undefined;
  if (pluralErrs) errs.push(fieldErrors.invalid(child(path, 'plural'), plural, pluralErrs));
  const singularErrs = singular ? joinIfAny(isDns1035Label(singular)) : undefined;
  if (singularErrs) errs.push(fieldErrors.invalid(child(path, 'singular'), singular, singularErrs));
  // Kinds may mix case, but must otherwise be DNS-1035 labels.
  const kindErrs = kind ? joinIfAny(isDns1035Label(kind.toLowerCase())) : undefined;
  if (kindErrs) errs.push(fieldErrors.invalid(child(path, 'kind'), kind, `may have mixed case, but should otherwise match: ${kindErrs}`));
  const listKindErrs = listKind ? joinIfAny(isDns1035Label(listKind.toLowerCase())) : undefined;
  if (listKindErrs) errs.push(fieldErrors.invalid(child(path, 'listKind'), listKind, `may have mixed case, but should otherwise match: ${listKindErrs}`));
  (Array.isArray(names.shortNames) ? names.shortNames : []).forEach((s, i) => {
    const e = joinIfAny(isDns1035Label(str(s)));
    if (e) errs.push(fieldErrors.invalid(index(child(path, 'shortNames'), i), s, e));
  });
  if (kind && kind === listKind) errs.push(fieldErrors.invalid(child(path, 'listKind'), listKind, 'kind and listKind may not be the same'));
  (Array.isArray(names.categories) ? names.categories : []).forEach((c, i) => {
    const e = joinIfAny(isDns1035Label(str(c)));
    if (e) errs.push(fieldErrors.invalid(index(child(path, 'categories'), i), c, e));
  });
  return errs;
}

function validateDeprecationWarning(version: JsonObject, path: string): FieldError[] {
  const warning = version.deprecationWarning;
  if (typeof warning !== 'string') return [];
  const field = child(path, 'deprecationWarning');
  if (version.deprecated !== true) return [fieldErrors.invalid(field, warning, 'can only be set for deprecated versions')];
  const errs: FieldError[] = [];
  if (Buffer.byteLength(warning, 'utf8') > 256) errs.push(fieldErrors.invalid(field, warning, 'must be <= 256 characters long'));
  if (warning.length === 0) errs.push(fieldErrors.invalid(field, warning, 'must not be an empty string'));
  const bad = /[^\p{L}\p{M}\p{N}\p{P}\p{S} ]/u.exec(warning);
  if (bad) {
    const at = Buffer.byteLength(warning.slice(0, bad.index), 'utf8');
    errs.push(fieldErrors.invalid(field, warning, `must only contain printable UTF-8 characters; non-printable character found at index ${at}`));
  }
  return errs;
}

/** validateSimpleJSONPath: ".spec.replicas" style paths. */
function validateSimpleJsonPath(path: string, field: string): FieldError[] {
  if (path.length === 0) return [fieldErrors.invalid(field, path, 'must not be empty')];
  if (path[0] !== '.') return [fieldErrors.invalid(field, path, 'must be a simple json path starting with .')];
  return [];
}

function validateSubresources(subresources: JsonObject | undefined, path: string): FieldError[] {
  const scale = obj(subresources?.scale);
  if (!scale) return [];
  const errs: FieldError[] = [];
  const underOne = (name: string, value: string, prefixes: string[], detail: string): void => {
    const field = child(path, `scale.${name}`);
    const pathErrs = validateSimpleJsonPath(value, field);
    if (pathErrs.length > 0) errs.push(...pathErrs);
    else if (!prefixes.some((p) => value.startsWith(p))) errs.push(fieldErrors.invalid(field, value, detail));
  };
  const specPath = str(scale.specReplicasPath);
  if (!specPath) errs.push(fieldErrors.required(child(path, 'scale.specReplicasPath')));
  else underOne('specReplicasPath', specPath, ['.spec.'], 'should be a json path under .spec');
  const statusPath = str(scale.statusReplicasPath);
  if (!statusPath) errs.push(fieldErrors.required(child(path, 'scale.statusReplicasPath')));
  else underOne('statusReplicasPath', statusPath, ['.status.'], 'should be a json path under .status');
  const selectorPath = str(scale.labelSelectorPath);
  if (selectorPath) underOne('labelSelectorPath', selectorPath, ['.spec.', '.status.'], 'should be a json path under either .spec or .status');
  return errs;
}

const COLUMN_TYPES = ['boolean', 'date', 'integer', 'number', 'string'];
const COLUMN_FORMATS = ['byte', 'date', 'date-time', 'double', 'float', 'int32', 'int64', 'password'];

function validateColumn(column: JsonObject, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!str(column.name)) errs.push(fieldErrors.required(child(path, 'name')));
  const type = str(column.type);
  if (!type) errs.push(fieldErrors.required(child(path, 'type'), `must be one of ${COLUMN_TYPES.join(',')}`));
  else if (!COLUMN_TYPES.includes(type)) errs.push(fieldErrors.invalid(child(path, 'type'), type, `must be one of ${COLUMN_TYPES.join(',')}`));
  const format = str(column.format);
  if (format && !COLUMN_FORMATS.includes(format)) errs.push(fieldErrors.invalid(child(path, 'format'), format, `must be one of ${COLUMN_FORMATS.join(',')}`));
  // The internal field is JSONPath, and upstream names it so in errors.
  const jsonPath = str(column.jsonPath);
  if (!jsonPath) errs.push(fieldErrors.required(child(path, 'JSONPath')));
  else errs.push(...validateSimpleJsonPath(jsonPath, child(path, 'JSONPath')));
  return errs;
}

/**
 * spec.conversion, named by its internal fields (webhookClientConfig, conversionReviewVersions). A Webhook strategy
 * passes when configured; serving such a CRD is refused by the caller (§9.3: out of scope).
 */
function validateConversion(conversion: Json | undefined): FieldError[] {
  if (conversion === undefined || conversion === null) return []; // defaulted to strategy None
  const c = obj(conversion) ?? {};
  const errs: FieldError[] = [];
  const strategy = str(c.strategy);
  if (!strategy) errs.push(fieldErrors.required('spec.conversion.strategy'));
  else if (strategy !== 'None' && strategy !== 'Webhook') errs.push(fieldErrors.notSupported('spec.conversion.strategy', strategy, ['None', 'Webhook']));
  const webhook = obj(c.webhook);
  const clientConfig = obj(webhook?.clientConfig);
  const reviewVersions = Array.isArray(webhook?.conversionReviewVersions) ? webhook.conversionReviewVersions : undefined;
  if (strategy === 'Webhook') {
    if (!clientConfig) errs.push(fieldErrors.required('spec.conversion.webhookClientConfig', 'required when strategy is set to Webhook'));
    else errs.push(...validateClientConfig(clientConfig, 'spec.conversion.webhookClientConfig'));
    errs.push(...validateReviewVersions(reviewVersions ?? [], 'spec.conversion.conversionReviewVersions'));
  } else {
    if (clientConfig) errs.push(fieldErrors.forbidden('spec.conversion.webhookClientConfig', 'should not be set when strategy is not set to Webhook'));
    if (reviewVersions && reviewVersions.length > 0) errs.push(fieldErrors.forbidden('spec.conversion.conversionReviewVersions', 'should not be set when strategy is not set to Webhook'));
  }
  return errs;
}

function validateClientConfig(cc: JsonObject, path: string): FieldError[] {
  const url = typeof cc.url === 'string' ? cc.url : undefined;
  const service = obj(cc.service);
  if ((url === undefined) === (service === undefined)) return [fieldErrors.required(path, 'exactly one of url or service is required')];
  if (service) {
    const errs: FieldError[] = [];
    const servicePath = child(path, 'service');
    if (!str(service.name)) errs.push(fieldErrors.required(child(servicePath, 'name'), 'service name is required'));
    if (!str(service.namespace)) errs.push(fieldErrors.required(child(servicePath, 'namespace'), 'service namespace is required'));
    const port = typeof service.port === 'number' ? service.port : 443;
    if (!(Number.isInteger(port) && port >= 1 && port <= 65535)) errs.push(fieldErrors.invalid(child(servicePath, 'port'), port, 'port is not valid: must be between 1 and 65535, inclusive'));
    return errs;
  }
  // webhook.ValidateWebhookURL with https forced.
  const form = '; desired format: https://host[/path]';
  const urlPath = child(path, 'url');
  let parsed: URL;
  try {
    parsed = new URL(url as string);
  } catch (e) {
    return [fieldErrors.required(urlPath, `url must be a valid URL: ${e instanceof Error ? e.message : String(e)}${form}`)];
  }
  const errs: FieldError[] = [];
  const scheme = parsed.protocol.replace(/:$/, '');
  if (scheme !== 'https') errs.push(fieldErrors.invalid(urlPath, scheme, `'https' is the only allowed URL scheme${form}`));
  if (!parsed.host) errs.push(fieldErrors.invalid(urlPath, parsed.host, `host must be specified${form}`));
  if (parsed.username || parsed.password) errs.push(fieldErrors.invalid(urlPath, parsed.username, 'user information is not permitted in the URL'));
  if (parsed.hash) errs.push(fieldErrors.invalid(urlPath, parsed.hash.slice(1), 'fragments are not permitted in the URL'));
  if (parsed.search) errs.push(fieldErrors.invalid(urlPath, parsed.search.slice(1), 'query parameters are not permitted in the URL'));
  return errs;
}

function validateReviewVersions(versions: Json[], path: string): FieldError[] {
  if (versions.length === 0) return [fieldErrors.required(path)];
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  versions.forEach((v, i) => {
    const name = str(v);
    if (seen.has(name)) {
      errs.push(fieldErrors.invalid(index(path, i), v, 'duplicate version'));
      return;
    }
    seen.add(name);
    for (const msg of isDns1035Label(name)) errs.push(fieldErrors.invalid(index(path, i), v, msg));
  });
  if (!versions.some((v) => v === 'v1' || v === 'v1beta1')) errs.push(fieldErrors.invalid(path, versions, 'must include at least one of v1, v1beta1'));
  return errs;
}

const APPROVAL_ANNOTATION = 'api-approved.kubernetes.io';
const APPROVAL_SEE = 'see https://github.com/kubernetes/enhancements/pull/1111';

/** Groups under k8s.io and kubernetes.io need the api-approved.kubernetes.io annotation (apihelpers.GetAPIApprovalState). */
function validateApiApproval(crd: KubeObject, group: string): FieldError[] {
  const parts = group.split('.');
  const protectedGroup = parts.length >= 2 && parts[parts.length - 1] === 'io' && ['k8s', 'kubernetes'].includes(parts[parts.length - 2]);
  if (!protectedGroup) return [];
  const field = key('metadata.annotations', APPROVAL_ANNOTATION);
  const annotations = crd.metadata?.annotations ?? {};
  if (!Object.hasOwn(annotations, APPROVAL_ANNOTATION)) {
    return [fieldErrors.required(field, `protected groups must have approval annotation "${APPROVAL_ANNOTATION}", ${APPROVAL_SEE}`)];
  }
  const value = annotations[APPROVAL_ANNOTATION];
  if (value.startsWith('unapproved') || /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/\S+$/.test(value)) return [];
  return [fieldErrors.invalid(field, value, `protected groups must have approval annotation "${APPROVAL_ANNOTATION}" with either a URL or a reason starting with "unapproved", ${APPROVAL_SEE}`)];
}
