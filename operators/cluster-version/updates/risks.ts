// Evaluating conditional-update risks into each conditional update's `Recommended` condition
// (pkg/cvo/availableupdates.go `evaluateConditionalUpdate`, pkg/clusterconditions `Match`;
// shared/reference/cluster-version.md §4 "Risk evaluation").
//
// A risk's matchingRules are tried in order and the first rule that evaluates decides whether the risk applies.
// `Always` always applies. `PromQL` needs the in-cluster Prometheus/Thanos, which this project does not run:
// its evaluation fails, and a risk whose every rule fails is an "evaluation failure". The CVO then reports
// Recommended=Unknown (reason EvaluationFailed) and, like for a risk that applies, leaves the target out of
// availableUpdates: an update is recommended only when every risk is known not to apply. A future Prometheus
// client plugs in through `matchers`.
import type { AvailableUpdates, ConditionalUpdate, ConditionalUpdateRisk, GraphRelease } from '../contracts.ts';
import { compareVersions } from './semver.ts';

export type MatchingRule = ConditionalUpdateRisk['matchingRules'][number];

/** Decides whether one rule matches this cluster; throws when it cannot be evaluated. */
export type RuleMatcher = (rule: MatchingRule, signal: AbortSignal) => Promise<boolean>;

/** The reason every PromQL rule fails to evaluate here. */
export const PROMQL_UNAVAILABLE_MESSAGE = 'PromQL cannot be evaluated: this cluster has no Prometheus or Thanos query endpoint';

/** The matchers of this project: `Always`, and `PromQL` as an evaluation failure. */
export const DEFAULT_RULE_MATCHERS: Readonly<Record<string, RuleMatcher>> = {
  Always: async () => true,
  PromQL: async () => {
    throw new Error(PROMQL_UNAVAILABLE_MESSAGE);
  },
};

export type RecommendedStatus = 'True' | 'False' | 'Unknown';

/**
 * `conditionalUpdates[].conditions[type=Recommended]` without its time: the status writer stamps
 * `lastTransitionTime` with operators/runtime/conditions.ts `setCondition`, so it moves only on a flip.
 */
export interface RecommendedCondition {
  readonly type: 'Recommended';
  readonly status: RecommendedStatus;
  /** `AsExpected`, the name of the single risk that applies, `EvaluationFailed`, or `MultipleReasons`. */
  readonly reason: string;
  readonly message: string;
}

export interface EvaluatedConditionalUpdate extends ConditionalUpdate {
  readonly conditions: readonly RecommendedCondition[];
}

/** availableUpdates and conditionalUpdates as status shows them. */
export interface EvaluatedUpdates {
  /** The unconditional updates plus conditional ones whose Recommended is True, newest first. */
  readonly updates: readonly GraphRelease[];
  readonly conditionalUpdates: readonly EvaluatedConditionalUpdate[];
}

export const RECOMMENDED_MESSAGE = 'The update is recommended, because none of the conditional update risks apply to this cluster.';

export type RiskOutcome = { readonly applies: boolean } | { readonly error: string };

/** `clusterconditions.Match`: the first rule that evaluates decides; unknown types are skipped. */
export async function evaluateRisk(
  risk: ConditionalUpdateRisk,
  matchers: Readonly<Record<string, RuleMatcher>>,
  signal: AbortSignal,
): Promise<RiskOutcome> {
  const errors: string[] = [];
  for (const rule of risk.matchingRules) {
    const matcher = matchers[rule.type];
    if (!matcher) continue;
    try {
      return { applies: await matcher(rule, signal) };
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      errors.push(err instanceof Error ? err.message : String(err));
    }
  }
  // No rule evaluated; a risk without recognised rules cannot reach here (graph.ts drops its target).
  return { error: errors.length > 0 ? errors.join('; ') : 'no matching rule could be evaluated' };
}

/** The Recommended condition from each risk's outcome, worded as `evaluateConditionalUpdate` words it. */
export function recommendedCondition(
  outcomes: readonly { readonly risk: ConditionalUpdateRisk; readonly outcome: RiskOutcome }[],
): RecommendedCondition {
  let status: RecommendedStatus = 'True';
  let reason = '';
  const messages: string[] = [];
  for (const { risk, outcome } of outcomes) {
    if ('error' in outcome) {
      if (status !== 'False') status = 'Unknown';
      reason = reason === '' || reason === 'EvaluationFailed' ? 'EvaluationFailed' : 'MultipleReasons';
      messages.push(`Exposure to ${risk.name} is unknown due to an evaluation failure: ${outcome.error}\n${risk.message} ${risk.url}`);
    } else if (outcome.applies) {
      status = 'False';
      reason = reason === '' ? risk.name : 'MultipleReasons';
      messages.push(`${risk.message} ${risk.url}`);
    }
  }
  if (status === 'True') return { type: 'Recommended', status, reason: 'AsExpected', message: RECOMMENDED_MESSAGE };
  return { type: 'Recommended', status, reason, message: messages.join('\n\n') };
}

/** Evaluates every conditional update and moves the recommended ones into `updates`. */
export async function evaluateConditionalUpdates(
  available: AvailableUpdates,
  signal: AbortSignal,
  matchers: Readonly<Record<string, RuleMatcher>> = DEFAULT_RULE_MATCHERS,
): Promise<EvaluatedUpdates> {
  const conditionalUpdates: EvaluatedConditionalUpdate[] = [];
  for (const update of available.conditionalUpdates) {
    const outcomes = [];
    for (const risk of update.risks) outcomes.push({ risk, outcome: await evaluateRisk(risk, matchers, signal) });
    conditionalUpdates.push({ ...update, conditions: [recommendedCondition(outcomes)] });
  }
  const recommended = conditionalUpdates.filter((c) => c.conditions[0].status === 'True').map((c) => c.release);
  const updates = [...available.updates, ...recommended].sort((a, b) => compareVersions(b.version, a.version));
  return { updates, conditionalUpdates };
}
