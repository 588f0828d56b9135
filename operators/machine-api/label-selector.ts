// metav1.LabelSelector for the Machine API's value-typed selectors (MachineSet spec.selector and
// MachineHealthCheck spec.selector are structs, not pointers, in openshift/api): an absent selector behaves as `{}`
// and matches every Machine. Validation follows apimachinery's metav1/validation ValidateLabelSelector (with
// validation.IsQualifiedName and IsValidLabelValue wording); the string form is labels.Selector.String() of
// metav1.LabelSelectorAsSelector: requirements sorted by key, set values sorted.
// Kept here rather than imported from devcluster/: the operators run against any API server.
import type { LabelSelector, LabelSelectorRequirement } from '../api/machine-v1beta1.ts';

const QUALIFIED_NAME_FMT = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const QUALIFIED_NAME_ERR =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const LABEL_VALUE_FMT = `(${QUALIFIED_NAME_FMT})?`;
const LABEL_VALUE_ERR =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const DNS1123_SUBDOMAIN_FMT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*';
const DNS1123_SUBDOMAIN_ERR =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
const qualifiedNameRe = new RegExp(`^${QUALIFIED_NAME_FMT}$`);
const labelValueRe = new RegExp(`^${LABEL_VALUE_FMT}$`);
const dns1123SubdomainRe = new RegExp(`^${DNS1123_SUBDOMAIN_FMT}$`);

/** validation.RegexError: every example is followed by "', " and they are joined with " or ". */
function regexError(msg: string, fmt: string, ...examples: string[]): string {
  return `${msg} (e.g. ${examples.map((e) => `'${e}', `).join(' or ')}regex used for validation is '${fmt}')`;
}

/** Go measures string lengths in bytes. */
function byteLength(value: string): number {
  return new TextEncoder().encode(value).length;
}

/** validation.IsQualifiedName (a label key, `[prefix/]name`); empty when valid. */
export function qualifiedNameErrors(value: string): string[] {
  const parts = value.split('/');
  if (parts.length > 2) {
    return [
      `a qualified name ${regexError(QUALIFIED_NAME_ERR, QUALIFIED_NAME_FMT, 'MyName', 'my.name', '123-abc')} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ];
  }
  const errs: string[] = [];
  const name = parts.length === 2 ? parts[1] : parts[0];
  if (parts.length === 2) {
    const prefix = parts[0];
    if (prefix.length === 0) errs.push('prefix part must be non-empty');
    else {
      if (byteLength(prefix) > 253) errs.push('prefix part must be no more than 253 characters');
      if (!dns1123SubdomainRe.test(prefix)) errs.push(`prefix part ${regexError(DNS1123_SUBDOMAIN_ERR, DNS1123_SUBDOMAIN_FMT, 'example.com')}`);
    }
  }
  if (name.length === 0) errs.push('name part must be non-empty');
  else if (byteLength(name) > 63) errs.push('name part must be no more than 63 characters');
  if (!qualifiedNameRe.test(name)) {
    errs.push(`name part ${regexError(QUALIFIED_NAME_ERR, QUALIFIED_NAME_FMT, 'MyName', 'my.name', '123-abc')}`);
  }
  return errs;
}

/** validation.IsValidLabelValue; empty when valid (the empty string is a valid value). */
export function labelValueErrors(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > 63) errs.push('must be no more than 63 characters');
  if (!labelValueRe.test(value)) errs.push(regexError(LABEL_VALUE_ERR, LABEL_VALUE_FMT, 'MyValue', 'my_value', '12345'));
  return errs;
}

/**
 * field.Error strings for ValidateLabelSelector(selector, path), in upstream order: matchLabels first, then each
 * matchExpressions entry (operator, key, values). Values are rendered as JSON, which is Go's %q for plain strings.
 */
export function labelSelectorErrors(selector: LabelSelector | undefined, path: string): string[] {
  const errs: string[] = [];
  const invalid = (field: string, value: string, detail: string) =>
    errs.push(`${field}: Invalid value: ${JSON.stringify(value)}: ${detail}`);
  for (const [key, value] of Object.entries(selector?.matchLabels ?? {})) {
    for (const msg of qualifiedNameErrors(key)) invalid(`${path}.matchLabels`, key, msg);
    for (const msg of labelValueErrors(value)) invalid(`${path}.matchLabels`, value, msg);
  }
  (selector?.matchExpressions ?? []).forEach((expr, i) => {
    const at = `${path}.matchExpressions[${i}]`;
    const values = expr.values ?? [];
    switch (expr.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) errs.push(`${at}.values: Required value: must be specified when \`operator\` is 'In' or 'NotIn'`);
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) errs.push(`${at}.values: Forbidden: may not be specified when \`operator\` is 'Exists' or 'DoesNotExist'`);
        break;
      default:
        invalid(`${at}.operator`, String(expr.operator), 'not a valid selector operator');
    }
    for (const msg of qualifiedNameErrors(expr.key)) invalid(`${at}.key`, expr.key, msg);
    values.forEach((v, j) => {
      for (const msg of labelValueErrors(v)) invalid(`${at}.values[${j}]`, v, msg);
    });
  });
  return errs;
}

/** No matchLabels and no matchExpressions: selects everything. */
export function isEmptySelector(selector: LabelSelector | undefined): boolean {
  return Object.keys(selector?.matchLabels ?? {}).length + (selector?.matchExpressions?.length ?? 0) === 0;
}

/** A requirement of LabelSelectorAsSelector: matchLabels become Equals, expressions keep their operator. */
interface Requirement {
  readonly key: string;
  readonly operator: 'Equals' | LabelSelectorRequirement['operator'];
  readonly values: readonly string[];
}

/** The selector's requirements sorted by key (stably), like internalSelector.Add. */
function requirements(selector: LabelSelector | undefined): Requirement[] {
  const reqs: Requirement[] = [
    ...Object.entries(selector?.matchLabels ?? {}).map(([key, value]) => ({ key, operator: 'Equals' as const, values: [value] })),
    ...(selector?.matchExpressions ?? []).map((e) => ({ key: e.key, operator: e.operator, values: e.values ?? [] })),
  ];
  return reqs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** Whether `labels` satisfy the selector; an unknown operator matches nothing (validation reports it). */
export function labelSelectorMatches(selector: LabelSelector | undefined, labels: Readonly<Record<string, string>> | undefined): boolean {
  return labelSelectorMatcher(selector)(labels);
}

/** labelSelectorMatches with the requirements worked out once, for matching one selector against many Machines. */
export function labelSelectorMatcher(selector: LabelSelector | undefined): (labels: Readonly<Record<string, string>> | undefined) => boolean {
  const reqs = requirements(selector);
  return (labels) => matchesAll(reqs, labels ?? {});
}

function matchesAll(reqs: readonly Requirement[], set: Readonly<Record<string, string>>): boolean {
  return reqs.every((r) => {
    const has = Object.hasOwn(set, r.key);
    switch (r.operator) {
      case 'Equals':
      case 'In':
        return has && r.values.includes(set[r.key]);
      case 'NotIn':
        return !has || !r.values.includes(set[r.key]);
      case 'Exists':
        return has;
      case 'DoesNotExist':
        return !has;
      default:
        return false;
    }
  });
}

/**
 * The canonical string, e.g. `app=web,tier in (a,b),!legacy`: what status.labelSelector (and so the scale
 * subresource's status.selector) carries. "" for an empty selector.
 */
export function formatLabelSelector(selector: LabelSelector | undefined): string {
  return requirements(selector)
    .map((r) => {
      const values = [...r.values].sort().join(',');
      switch (r.operator) {
        case 'Equals':
          return `${r.key}=${values}`;
        case 'In':
          return `${r.key} in (${values})`;
        case 'NotIn':
          return `${r.key} notin (${values})`;
        case 'Exists':
          return r.key;
        case 'DoesNotExist':
          return `!${r.key}`;
        default:
          return `${r.key} ${String(r.operator)} (${values})`;
      }
    })
    .join(',');
}
