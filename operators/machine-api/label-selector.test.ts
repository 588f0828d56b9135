import assert from 'node:assert/strict';
import type { LabelSelector } from '../api/machine-v1beta1.ts';
import { formatLabelSelector, labelSelectorErrors, labelSelectorMatches, qualifiedNameErrors } from './label-selector.ts';

describe('labelSelectorMatches', () => {
  const labels = { app: 'web', tier: 'front' };
  const table: Array<{ name: string; selector: LabelSelector | undefined; expected: boolean }> = [
    { name: 'matches everything with an absent selector', selector: undefined, expected: true },
    { name: 'matches everything with an empty selector', selector: {}, expected: true },
    { name: 'matches equal matchLabels', selector: { matchLabels: { app: 'web' } }, expected: true },
    { name: 'does not match a different value', selector: { matchLabels: { app: 'db' } }, expected: false },
    { name: 'matches In over a set', selector: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['back', 'front'] }] }, expected: true },
    { name: 'matches NotIn when the key is missing', selector: { matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] }, expected: true },
    { name: 'does not match NotIn with a listed value', selector: { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['web'] }] }, expected: false },
    { name: 'matches Exists', selector: { matchExpressions: [{ key: 'app', operator: 'Exists' }] }, expected: true },
    { name: 'does not match DoesNotExist of a present key', selector: { matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] }, expected: false },
    { name: 'matches nothing with an unknown operator', selector: { matchExpressions: [{ key: 'app', operator: 'Has' as 'In', values: ['web'] }] }, expected: false },
  ];
  for (const { name, selector, expected } of table) it(name, () => assert.equal(labelSelectorMatches(selector, labels), expected));
});

describe('formatLabelSelector', () => {
  const table: Array<{ name: string; selector: LabelSelector | undefined; expected: string }> = [
    { name: 'prints nothing for an empty selector', selector: {}, expected: '' },
    {
      name: 'sorts requirements by key and set values alphabetically',
      selector: {
        matchLabels: { 'machine.openshift.io/cluster-api-machineset': 'w' },
        matchExpressions: [
          { key: 'zone', operator: 'In', values: ['b', 'a'] },
          { key: 'legacy', operator: 'DoesNotExist' },
          { key: 'arch', operator: 'NotIn', values: ['s390x'] },
          { key: 'gpu', operator: 'Exists' },
        ],
      },
      expected: 'arch notin (s390x),gpu,!legacy,machine.openshift.io/cluster-api-machineset=w,zone in (a,b)',
    },
  ];
  for (const { name, selector, expected } of table) it(name, () => assert.equal(formatLabelSelector(selector), expected));
});

describe('labelSelectorErrors', () => {
  it('reports values required for In and forbidden for Exists, with field paths', () => {
    assert.deepEqual(
      labelSelectorErrors({ matchExpressions: [{ key: 'a', operator: 'In' }, { key: 'b', operator: 'Exists', values: ['x'] }] }, 'spec.selector'),
      [
        "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
        "spec.selector.matchExpressions[1].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
      ],
    );
  });

  it('reports nothing for a valid selector', () => {
    assert.deepEqual(labelSelectorErrors({ matchLabels: { 'example.com/role': 'worker' } }, 'spec.selector'), []);
  });
});

describe('qualifiedNameErrors', () => {
  const table: Array<{ name: string; key: string; expected: string[] }> = [
    { name: 'accepts a prefixed key', key: 'node-role.kubernetes.io/worker', expected: [] },
    { name: 'rejects an empty prefix', key: '/worker', expected: ['prefix part must be non-empty'] },
    { name: 'rejects an empty name', key: 'example.com/', expected: ['name part must be non-empty', "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"] },
    { name: 'rejects a name over 63 characters', key: 'a'.repeat(64), expected: ['name part must be no more than 63 characters'] },
  ];
  for (const { name, key, expected } of table) it(name, () => assert.deepEqual(qualifiedNameErrors(key), expected));
});
