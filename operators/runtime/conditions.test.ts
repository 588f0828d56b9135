import assert from 'node:assert/strict';
import { getCondition, isConditionTrue, removeCondition, setCondition, type Condition } from './conditions.ts';

const t0 = new Date('2026-11-20T10:00:00.123Z');
const t1 = new Date('2026-11-20T10:05:00.000Z');

describe('setCondition', () => {
  const ready: Condition = { type: 'Ready', status: 'True', reason: 'AsExpected', lastTransitionTime: '2026-11-20T10:00:00Z' };

  const table: Array<{
    name: string;
    list: Condition[] | undefined;
    next: Omit<Condition, 'lastTransitionTime' | 'observedGeneration'>;
    generation?: number;
    expected: Condition[];
  }> = [
    {
      name: 'appends a new condition stamped with now in whole seconds',
      list: undefined,
      next: { type: 'Ready', status: 'True', reason: 'AsExpected' },
      expected: [{ type: 'Ready', status: 'True', reason: 'AsExpected', lastTransitionTime: '2026-11-20T10:00:00Z' }],
    },
    {
      name: 'keeps lastTransitionTime when the status stays the same but the reason changes',
      list: [ready],
      next: { type: 'Ready', status: 'True', reason: 'Other', message: 'still fine' },
      generation: 3,
      expected: [
        {
          type: 'Ready',
          status: 'True',
          reason: 'Other',
          message: 'still fine',
          lastTransitionTime: '2026-11-20T10:00:00Z',
          observedGeneration: 3,
        },
      ],
    },
    {
      name: 'moves lastTransitionTime when the status flips',
      list: [ready],
      next: { type: 'Ready', status: 'False', reason: 'NodeNotReady' },
      expected: [{ type: 'Ready', status: 'False', reason: 'NodeNotReady', lastTransitionTime: '2026-11-20T10:05:00Z' }],
    },
    {
      name: 'replaces in place and leaves the other conditions alone',
      list: [{ type: 'A', status: 'True', lastTransitionTime: 'x' }, ready, { type: 'B', status: 'False', lastTransitionTime: 'y' }],
      next: { type: 'Ready', status: 'Unknown' },
      expected: [
        { type: 'A', status: 'True', lastTransitionTime: 'x' },
        { type: 'Ready', status: 'Unknown', lastTransitionTime: '2026-11-20T10:05:00Z' },
        { type: 'B', status: 'False', lastTransitionTime: 'y' },
      ],
    },
  ];
  for (const { name, list, next, generation, expected } of table) {
    it(name, () => {
      const before = structuredClone(list);
      const now = list ? t1 : t0;
      assert.deepEqual(setCondition(list, next, now, generation), expected);
      assert.deepEqual(list, before, 'the input list is not modified');
    });
  }
});

describe('condition getters', () => {
  const list: Condition[] = [
    { type: 'Ready', status: 'True' },
    { type: 'Drained', status: 'False' },
  ];
  it('finds, tests and removes conditions by type', () => {
    assert.equal(getCondition(list, 'Drained')?.status, 'False');
    assert.equal(getCondition(list, 'Missing'), undefined);
    assert.equal(isConditionTrue(list, 'Ready'), true);
    assert.equal(isConditionTrue(list, 'Drained'), false);
    assert.deepEqual(removeCondition(list, 'Ready'), [{ type: 'Drained', status: 'False' }]);
  });
});
