import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import { StatusError } from '../status-errors.ts';
import { formatLabelSelector, labelSelectorFromObject, labelSelectorToString } from './label-selector-object.ts';
import type { LabelSelectorObject } from './label-selector-object.ts';

function rejection(sel: LabelSelectorObject): string {
  try {
    labelSelectorFromObject(sel);
  } catch (err) {
    assert.ok(err instanceof StatusError);
    assert.equal(err.code, 400);
    return err.message;
  }
  assert.fail('expected the selector to be rejected');
}

describe('labelSelectorFromObject', () => {
  it('matches nothing for a missing selector, as LabelSelectorAsSelector(nil) does for PDBs', () => {
    assert.equal(labelSelectorFromObject(undefined).matches({ app: 'web' }), false);
    assert.equal(labelSelectorFromObject(null).matches({}), false);
  });

  it('matches everything for an empty selector object', () => {
    assert.equal(labelSelectorFromObject({}).matches({ app: 'web' }), true);
    assert.equal(labelSelectorFromObject({ matchLabels: {}, matchExpressions: [] }).matches(undefined), true);
  });

  it('combines matchLabels and every matchExpressions operator', () => {
    const selector = labelSelectorFromObject({
      matchLabels: { app: 'web' },
      matchExpressions: [
        { key: 'tier', operator: 'In', values: ['b', 'a'] },
        { key: 'track', operator: 'NotIn', values: ['canary'] },
        { key: 'env', operator: 'DoesNotExist' },
        { key: 'owner', operator: 'Exists' },
      ],
    });
    assert.equal(selector.matches({ app: 'web', tier: 'a', owner: 'me' }), true);
    assert.equal(selector.matches({ app: 'web', tier: 'a', owner: 'me', track: 'stable' }), true);
    assert.equal(selector.matches({ app: 'web', tier: 'a', owner: 'me', track: 'canary' }), false);
    assert.equal(selector.matches({ app: 'web', tier: 'a', owner: 'me', env: 'x' }), false);
    assert.equal(selector.matches({ app: 'web', tier: 'c', owner: 'me' }), false);
    assert.equal(selector.matches({ app: 'web', tier: 'a' }), false);
  });

  const invalid: Array<[string, LabelSelectorObject, string]> = [
    ['an unknown operator', { matchExpressions: [{ key: 'a', operator: 'Foo' }] }, '"Foo" is not a valid label selector operator'],
    ['In without values', { matchExpressions: [{ key: 'a', operator: 'In' }] }, "values: Invalid value: null: for 'in', 'notin' operators, values set can't be empty"],
    ['Exists with values', { matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] }, 'values: Invalid value: ["x"]: values set must be empty for exists and does not exist'],
    ['a bad key', { matchLabels: { '-a': 'x' } }, "key: Invalid value: \"-a\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"],
    ['a bad value', { matchLabels: { app: 'a b' } }, "values[0][app]: Invalid value: \"a b\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"],
  ];
  for (const [what, sel, message] of invalid) {
    it(`rejects ${what} with 400 and upstream's message`, () => {
      assert.equal(rejection(sel), message);
    });
  }
});

describe('labelSelectorToString', () => {
  const cases: Array<[LabelSelectorObject | undefined, string]> = [
    [undefined, ''],
    [{}, ''],
    [{ matchLabels: { b: '2', a: '1' } }, 'a=1,b=2'],
    [{ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['z', 'y'] }, { key: 'canary', operator: 'DoesNotExist' }] }, 'app=web,!canary,tier notin (y,z)'],
    [{ matchExpressions: [{ key: 'x', operator: 'Exists' }] }, 'x'],
  ];
  for (const [sel, text] of cases) {
    it(`renders ${JSON.stringify(sel)} as ${JSON.stringify(text)} like metav1.FormatLabelSelector without "<none>"`, () => {
      assert.equal(labelSelectorToString(sel), text);
    });
  }
});

describe('formatLabelSelector', () => {
  it('prints "<none>" for an empty selector and "<error>" for an invalid one', () => {
    assert.equal(formatLabelSelector(undefined), '<none>');
    assert.equal(formatLabelSelector({}), '<none>');
    assert.equal(formatLabelSelector({ matchExpressions: [{ key: 'a', operator: 'Nope' }] }), '<error>');
    assert.equal(formatLabelSelector({ matchLabels: { app: 'web' } }), 'app=web');
  });
});
