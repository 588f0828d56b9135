// The CRD schema engine of the embedded API server: CRD validation (§9.1) and the custom resource pipeline of
// §9.2, decode → prune → default → validate (schema, then the CEL rules of x-kubernetes-validations), plus the
// ObjectMeta and name rules shared with built-in kinds.
export { validateCustomResourceDefinition } from './crd-validation.ts';
export { applyDefaults } from './defaults.ts';
export { pruneUnknownFields, pruneValue, type PruneOptions } from './prune.ts';
export { validateAgainstSchema, validateListTypes, validateValue } from './validate.ts';
export { celBlockedBy, compileCelRules, hasCelRules, validateCelRules } from './cel.ts';
export {
  OBJECT_META_FIELDS, TOTAL_ANNOTATION_SIZE_LIMIT, nameValidator, validateAnnotations, validateFinalizers, validateLabels,
  validateObjectMeta, validateObjectMetaWith, validateOwnerReferences,
  type NameValidation, type NameValidator, type ObjectMetaOptions,
} from './object-meta.ts';
export { isDns1035Label, isDns1123Label, isDns1123Subdomain, isQualifiedName, isValidLabelValue, isValidPathSegmentName, maxLenError, regexError } from './names.ts';
