// ObjectMeta validation with kube-apiserver's paths and messages
// (k8s.io/apimachinery/pkg/api/validation/objectmeta.go, apis/meta/v1/validation/validation.go).
// Shared by custom resources (§9.2: "Metadata of custom resources is validated like ObjectMeta"), CRDs and built-in kinds.
import type { ObjectMeta, OwnerReference } from '../types.ts';
import { fieldErrors, type FieldError } from '../status-errors.ts';
import { isDns1123Label, isDns1123Subdomain, isQualifiedName, isValidLabelValue, isValidPathSegmentName, maskTrailingDash } from './names.ts';
import { child } from './paths.ts';

export type NameValidation = 'dns-subdomain' | 'dns-label' | 'path-segment';

/** Validates a name, or a generateName when prefix is true; returns upstream messages. */
export type NameValidator = (name: string, prefix: boolean) => string[];

export interface ObjectMetaOptions {
  namespaced: boolean;
  /** Default dns-subdomain (NameIsDNSSubdomain); Namespaces use dns-label, a few kinds path-segment. */
  nameValidation?: NameValidation;
}

/** The JSON fields of metav1.ObjectMeta; anything else under metadata is an unknown field (pruned and reported). */
export const OBJECT_META_FIELDS: ReadonlySet<string> = new Set([
  'name', 'generateName', 'namespace', 'selfLink', 'uid', 'resourceVersion', 'generation', 'creationTimestamp',
  'deletionTimestamp', 'deletionGracePeriodSeconds', 'labels', 'annotations', 'ownerReferences', 'finalizers', 'managedFields',
]);

/** apimachinery's TotalAnnotationSizeLimitB. */
export const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

const nameValidators: Record<NameValidation, NameValidator> = {
  'dns-subdomain': (name, prefix) => isDns1123Subdomain(prefix ? maskTrailingDash(name) : name),
  'dns-label': (name, prefix) => isDns1123Label(prefix ? maskTrailingDash(name) : name),
  'path-segment': (name, prefix) => isValidPathSegmentName(name, prefix),
};

export function nameValidator(kind: NameValidation): NameValidator {
  return nameValidators[kind];
}

export function validateObjectMeta(meta: ObjectMeta, opts: ObjectMetaOptions): FieldError[] {
  return validateObjectMetaWith(meta, opts.namespaced, nameValidator(opts.nameValidation ?? 'dns-subdomain'));
}

/** ValidateObjectMetaAccessor with a caller-supplied name rule (CRDs add "must be spec.names.plural+"."+spec.group"). */
export function validateObjectMetaWith(meta: ObjectMeta, namespaced: boolean, nameFn: NameValidator, path = 'metadata'): FieldError[] {
  const errs: FieldError[] = [];
  const generateName = typeof meta.generateName === 'string' ? meta.generateName : '';
  const name = typeof meta.name === 'string' ? meta.name : '';
  if (generateName) {
    for (const msg of nameFn(generateName, true)) errs.push(fieldErrors.invalid(child(path, 'generateName'), generateName, msg));
  }
  if (!name) {
    // Upstream generates the name before validating; here an unset name is fine while generateName will provide one.
    if (!generateName) errs.push(fieldErrors.required(child(path, 'name'), 'name or generateName is required'));
  } else {
    for (const msg of nameFn(name, false)) errs.push(fieldErrors.invalid(child(path, 'name'), name, msg));
  }
  const namespace = typeof meta.namespace === 'string' ? meta.namespace : '';
  if (namespaced) {
    if (!namespace) errs.push(fieldErrors.required(child(path, 'namespace')));
    else for (const msg of isDns1123Label(namespace)) errs.push(fieldErrors.invalid(child(path, 'namespace'), namespace, msg));
  } else if (namespace) {
    errs.push(fieldErrors.forbidden(child(path, 'namespace'), 'not allowed on this type'));
  }
  if (typeof meta.generation === 'number' && meta.generation < 0) {
    errs.push(fieldErrors.invalid(child(path, 'generation'), meta.generation, 'must be greater than or equal to 0'));
  }
  errs.push(...validateLabels(meta.labels ?? {}, child(path, 'labels')));
  errs.push(...validateAnnotations(meta.annotations ?? {}, child(path, 'annotations')));
  errs.push(...validateOwnerReferences(meta.ownerReferences ?? [], child(path, 'ownerReferences')));
  errs.push(...validateFinalizers(meta.finalizers ?? [], child(path, 'finalizers')));
  return errs;
}

/** Label keys and values; errors name the map (metadata.labels), not the key, as upstream does. */
export function validateLabels(labels: Record<string, string>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(labels)) {
    for (const msg of isQualifiedName(k)) errs.push(fieldErrors.invalid(path, k, msg));
    for (const msg of isValidLabelValue(String(v))) errs.push(fieldErrors.invalid(path, v, msg));
  }
  return errs;
}

export function validateAnnotations(annotations: Record<string, string>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  let total = 0;
  for (const [k, v] of Object.entries(annotations)) {
    // Annotation keys are qualified names, compared case-insensitively.
    for (const msg of isQualifiedName(k.toLowerCase())) errs.push(fieldErrors.invalid(path, k, msg));
    total += Buffer.byteLength(k, 'utf8') + Buffer.byteLength(String(v), 'utf8');
  }
  if (total > TOTAL_ANNOTATION_SIZE_LIMIT) errs.push(fieldErrors.tooLong(path, TOTAL_ANNOTATION_SIZE_LIMIT));
  return errs;
}

export function validateFinalizers(finalizers: string[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const f of finalizers) for (const msg of isQualifiedName(String(f))) errs.push(fieldErrors.invalid(path, f, msg));
  if (finalizers.includes('orphan') && finalizers.includes('foregroundDeletion')) {
    errs.push(fieldErrors.invalid(path, finalizers, 'finalizer orphan and foregroundDeletion cannot be both set'));
  }
  return errs;
}

/** schema.ParseGroupVersion: "" for an unparsable apiVersion, like FromAPIVersionAndKind. */
function versionOf(apiVersion: string): string {
  if (!apiVersion || apiVersion === '/') return '';
  const parts = apiVersion.split('/');
  if (parts.length === 1) return parts[0];
  if (parts.length === 2) return parts[1];
  return '';
}

export function validateOwnerReferences(refs: OwnerReference[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  let firstController = '';
  for (const ref of refs) {
    const apiVersion = typeof ref.apiVersion === 'string' ? ref.apiVersion : '';
    if (!versionOf(apiVersion)) errs.push(fieldErrors.invalid(child(path, 'apiVersion'), apiVersion, 'version must not be empty'));
    if (!ref.kind) errs.push(fieldErrors.invalid(child(path, 'kind'), ref.kind ?? '', 'must not be empty'));
    if (!ref.name) errs.push(fieldErrors.invalid(child(path, 'name'), ref.name ?? '', 'must not be empty'));
    if (!ref.uid) errs.push(fieldErrors.invalid(child(path, 'uid'), ref.uid ?? '', 'must not be empty'));
    // BannedOwners: core/v1 Event.
    if (apiVersion === 'v1' && ref.kind === 'Event') errs.push(fieldErrors.invalid(path, ref, '/v1, Kind=Event is disallowed from being an owner'));
    if (ref.controller === true) {
      const current = `${ref.kind}/${ref.name}`;
      if (firstController) {
        errs.push(fieldErrors.invalid(path, refs, `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${current}`));
      } else {
        firstController = current;
      }
    }
  }
  return errs;
}
