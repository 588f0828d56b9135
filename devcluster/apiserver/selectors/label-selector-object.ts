// metav1.LabelSelector ({matchLabels, matchExpressions}) as a LabelSelector, after
// k8s.io/apimachinery/pkg/apis/meta/v1/helpers.go LabelSelectorAsSelector and FormatLabelSelector.
//
// Which callers want which null semantics:
// - LabelSelectorAsSelector (this module): a missing/null selector matches NOTHING, an empty object `{}` matches
//   EVERYTHING. The PDB/disruption controller, eviction, Deployment/ReplicaSet/StatefulSet/DaemonSet, Job and the
//   Scale subresource's status.selector all go through it.
// - Map selectors (Service.spec.selector, ReplicationController.spec.selector) use labelSelectorFromSet in labels.ts:
//   missing or empty selects everything; callers that must skip selector-less Services check that themselves.
import { badRequest } from '../status-errors.ts';
import type { LabelOperator, LabelSelector, Requirement } from './labels.ts';
import { EVERYTHING, NOTHING, newRequirement, selectorFromRequirements } from './labels.ts';

export interface LabelSelectorRequirementObject {
  key: string;
  operator: string;
  values?: string[];
}

export interface LabelSelectorObject {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirementObject[];
}

const EXPRESSION_OPERATORS: Readonly<Record<string, LabelOperator>> = {
  In: 'in',
  NotIn: 'notin',
  Exists: 'exists',
  DoesNotExist: '!',
};

/**
 * LabelSelectorAsSelector. null/undefined → matches nothing; `{}` → matches everything.
 * An invalid selector (bad key/value, unknown operator) → StatusError 400 with upstream's message; objects stored
 * through validation never carry one, so controllers may treat the throw as "matches nothing".
 */
export function labelSelectorFromObject(sel: LabelSelectorObject | null | undefined): LabelSelector {
  if (sel === null || sel === undefined) return NOTHING;
  const labels = Object.entries(sel.matchLabels ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const expressions = sel.matchExpressions ?? [];
  if (labels.length + expressions.length === 0) return EVERYTHING;
  const requirements: Requirement[] = [];
  const add = (result: Requirement | string): void => {
    if (typeof result === 'string') throw badRequest(result);
    requirements.push(result);
  };
  for (const [key, value] of labels) add(newRequirement(key, '=', [value]));
  for (const expr of expressions) {
    const operator = EXPRESSION_OPERATORS[expr.operator];
    if (!operator) throw badRequest(`${JSON.stringify(expr.operator)} is not a valid label selector operator`);
    add(newRequirement(expr.key, operator, [...(expr.values ?? [])]));
  }
  return selectorFromRequirements(requirements);
}

/**
 * The selector's canonical string, as LabelSelectorAsSelector(sel).String(): what the Scale subresource reports in
 * status.selector for built-in workloads. "" for a null selector (matches nothing) and for `{}` (matches everything).
 * Throws StatusError 400 for an invalid selector.
 */
export function labelSelectorToString(sel: LabelSelectorObject | null | undefined): string {
  return labelSelectorFromObject(sel).toString();
}

/** metav1.FormatLabelSelector, for printers: "<none>" when the string is empty, "<error>" when invalid. */
export function formatLabelSelector(sel: LabelSelectorObject | null | undefined): string {
  try {
    return labelSelectorToString(sel) || '<none>';
  } catch {
    return '<error>';
  }
}
