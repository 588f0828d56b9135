import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import type { ConditionalUpdateRisk } from '../contracts.ts';
import {
  DEFAULT_RULE_MATCHERS,
  evaluateConditionalUpdates,
  evaluateRisk,
  PROMQL_UNAVAILABLE_MESSAGE,
  RECOMMENDED_MESSAGE,
  recommendedCondition,
  type RecommendedCondition,
  type RuleMatcher,
} from './risks.ts';

const signal = new AbortController().signal;
const always = { type: 'Always' };
const promql = { type: 'PromQL', promql: { promql: 'group(cluster_version)' } };
const risk = (name: string, matchingRules: ConditionalUpdateRisk['matchingRules']): ConditionalUpdateRisk => ({
  name,
  message: `${name} may happen.`,
  url: `https://example.invalid/${name}`,
  matchingRules,
});
/** A matcher set where PromQL evaluates, to false: a cluster the risk does not apply to. */
const promqlFalse: Record<string, RuleMatcher> = { ...DEFAULT_RULE_MATCHERS, PromQL: async () => false };

async function condition(risks: ConditionalUpdateRisk[], matchers = DEFAULT_RULE_MATCHERS): Promise<RecommendedCondition> {
  const outcomes = [];
  for (const r of risks) outcomes.push({ risk: r, outcome: await evaluateRisk(r, matchers, signal) });
  return recommendedCondition(outcomes);
}

describe('conditional update risks', () => {
  const cases: { name: string; risks: ConditionalUpdateRisk[]; matchers?: Record<string, RuleMatcher>; want: Omit<RecommendedCondition, 'type'> }[] = [
    {
      name: 'recommends when no risk applies',
      risks: [risk('A', [promql])],
      matchers: promqlFalse,
      want: { status: 'True', reason: 'AsExpected', message: RECOMMENDED_MESSAGE },
    },
    {
      name: 'does not recommend when an Always risk applies, naming it',
      risks: [risk('A', [always])],
      want: { status: 'False', reason: 'A', message: 'A may happen. https://example.invalid/A' },
    },
    {
      name: 'says MultipleReasons when two risks apply',
      risks: [risk('A', [always]), risk('B', [always])],
      want: { status: 'False', reason: 'MultipleReasons', message: 'A may happen. https://example.invalid/A\n\nB may happen. https://example.invalid/B' },
    },
    {
      name: 'reports Unknown EvaluationFailed for a PromQL risk, as there is no Prometheus',
      risks: [risk('A', [promql])],
      want: {
        status: 'Unknown',
        reason: 'EvaluationFailed',
        message: `Exposure to A is unknown due to an evaluation failure: ${PROMQL_UNAVAILABLE_MESSAGE}\nA may happen. https://example.invalid/A`,
      },
    },
    {
      name: 'lets the first rule that evaluates decide: PromQL fails, then Always applies',
      risks: [risk('A', [promql, always])],
      want: { status: 'False', reason: 'A', message: 'A may happen. https://example.invalid/A' },
    },
    {
      name: 'keeps False over Unknown when one risk applies and another cannot be evaluated',
      risks: [risk('A', [promql]), risk('B', [always])],
      want: {
        status: 'False',
        reason: 'MultipleReasons',
        message: `Exposure to A is unknown due to an evaluation failure: ${PROMQL_UNAVAILABLE_MESSAGE}\nA may happen. https://example.invalid/A\n\nB may happen. https://example.invalid/B`,
      },
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      assert.deepEqual(await condition(c.risks, c.matchers), { type: 'Recommended', ...c.want });
    });
  }

  it('adds recommended conditional updates to the updates, newest first, and leaves the others out', async () => {
    const evaluated = await evaluateConditionalUpdates(
      {
        updates: [{ version: '4.16.2', image: 'i2' }],
        conditionalUpdates: [
          { release: { version: '4.16.3', image: 'i3' }, risks: [risk('A', [promql])] },
          { release: { version: '4.16.4', image: 'i4' }, risks: [risk('B', [always])] },
        ],
      },
      signal,
      promqlFalse,
    );
    assert.deepEqual(evaluated.updates.map((u) => u.version), ['4.16.3', '4.16.2']);
    assert.deepEqual(evaluated.conditionalUpdates.map((c) => [c.release.version, c.conditions[0].status]), [
      ['4.16.3', 'True'],
      ['4.16.4', 'False'],
    ]);
  });
});
