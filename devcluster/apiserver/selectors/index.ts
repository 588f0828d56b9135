// Label and field selectors for list/watch filtering (shared/reference/apiserver.md §7.4, §7.5).
export type { LabelOperator, LabelSelector, Requirement } from './labels.ts';
export { EVERYTHING, NOTHING, labelSelectorFromSet, parseLabelSelector } from './labels.ts';
export type { LabelSelectorObject, LabelSelectorRequirementObject } from './label-selector-object.ts';
export { formatLabelSelector, labelSelectorFromObject, labelSelectorToString } from './label-selector-object.ts';
export type { FieldSelector, UnknownFieldWording } from './fields.ts';
export { DEFAULT_FIELD_SELECTORS, escapeFieldValue, parseFieldSelector } from './fields.ts';
