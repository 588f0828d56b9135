import assert from 'node:assert/strict';
import type { ClusterOperator } from '../../api/config-v1.ts';
import { checkClusterOperator } from './cluster-operator-gate.ts';
import { summarizeErrors, summaryForReason, UpdateError } from './update-error.ts';

const T = '2026-01-01T00:00:00Z';
const expected: ClusterOperator = { metadata: { name: 'network' }, status: { versions: [{ name: 'operator', version: '4.2.0' }] } };
function live(conditions: Record<string, 'True' | 'False'>, version?: string): ClusterOperator {
  return {
    metadata: { name: 'network' },
    status: {
      conditions: Object.entries(conditions).map(([type, status]) => ({ type, status, lastTransitionTime: T })),
      versions: version ? [{ name: 'operator', version }] : [],
    },
  };
}

describe('ClusterOperator gate', () => {
  const cases: Array<{ name: string; live: ClusterOperator | undefined; mode?: 'Initializing' | 'Updating'; expected: [string, string] | undefined }> = [
    { name: 'passes an available, not degraded operator at the new version', live: live({ Available: 'True', Degraded: 'False' }, '4.2.0'), expected: undefined },
    { name: 'fails at once when the ClusterOperator does not exist yet', live: undefined, expected: ['ClusterOperatorNotAvailable', 'Fail'] },
    { name: 'fails at once when not Available', live: live({ Available: 'False', Degraded: 'False' }, '4.2.0'), expected: ['ClusterOperatorNotAvailable', 'Fail'] },
    { name: 'counts a missing Degraded condition as degraded', live: live({ Available: 'True' }, '4.2.0'), expected: ['ClusterOperatorDegraded', 'FailAfterInterval'] },
    { name: 'only reports Degraded while initializing', live: live({ Available: 'True', Degraded: 'True' }, '4.2.0'), mode: 'Initializing', expected: ['ClusterOperatorDegraded', 'Report'] },
    { name: 'treats the old version as progress', live: live({ Available: 'True', Degraded: 'False' }, '4.1.0'), expected: ['ClusterOperatorUpdating', 'None'] },
    { name: 'does not wait for versions while initializing', live: live({ Available: 'True', Degraded: 'False' }, '4.1.0'), mode: 'Initializing', expected: undefined },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const error = checkClusterOperator(expected, c.live, c.mode ?? 'Updating');
      assert.deepEqual(error && [error.reason, error.effect], c.expected);
    });
  }

  it('refuses a manifest that declares no versions', () => {
    const error = checkClusterOperator({ metadata: { name: 'x' }, status: {} }, undefined, 'Updating');
    assert.equal(error?.message, 'Cluster operator x does not declare expected versions');
  });
});

describe('summarizeErrors', () => {
  it('passes one error through and lists several, sorted and de-duplicated', () => {
    const a = new UpdateError({ reason: 'UpdatePayloadResourceConflict', message: 'b failed' });
    const b = new UpdateError({ reason: 'UpdatePayloadResourceInvalid', message: 'a failed' });
    assert.equal(summarizeErrors([a]), a);
    const many = summarizeErrors([a, b, a]) as UpdateError;
    assert.equal(many.reason, 'MultipleErrors');
    assert.equal(many.message, 'Multiple errors are preventing progress:\n* a failed\n* b failed');
    assert.equal(summarizeErrors([]), undefined);
  });

  it('words summaries as the CVO does', () => {
    assert.equal(summaryForReason('ClusterOperatorNotAvailable', 'network'), 'the cluster operator network is not available');
    assert.equal(summaryForReason('UpdatePayloadSomethingNew', ''), 'the update could not be applied');
    assert.equal(summaryForReason('Odd', 'x'), 'x has an unknown error: Odd');
  });
});
