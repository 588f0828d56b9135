import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import { StatusError } from '../status-errors.ts';
import { labelSelectorFromSet, parseLabelSelector } from './labels.ts';

const LABEL_VALUE_RULE = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
const NAME_PART_RULE = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

function parseError(text: string): StatusError {
  try {
    parseLabelSelector(text);
  } catch (err) {
    assert.ok(err instanceof StatusError);
    return err;
  }
  assert.fail(`expected ${JSON.stringify(text)} to be rejected`);
}

describe('parseLabelSelector', () => {
  // apimachinery labels/selector_test.go TestSelectorMatches and TestSelectorParse.
  const matching: Array<[string, Record<string, string> | undefined]> = [
    ['', { x: 'y' }],
    ['', undefined],
    ['x=y', { x: 'y' }],
    ['x==y', { x: 'y' }],
    ['x=y,z=w', { x: 'y', z: 'w' }],
    ['x!=y,z!=w', { x: 'z', z: 'a' }],
    ['notin=in', { notin: 'in' }],
    ['x', { x: 'z' }],
    ['!x', { y: 'z' }],
    ['x>1', { x: '2' }],
    ['x<1', { x: '0' }],
    ['x in (a,b)', { x: 'b' }],
    ['x notin (a)', { x: 'b' }],
    ['x notin (a)', {}],
    ['x!=a', {}],
    ['x in (in)', { x: 'in' }],
    ['x=', { x: '' }],
    ['x in (,a)', { x: '' }],
    ['x in ()', { x: '' }],
    ['  x = y ,  z  ', { x: 'y', z: '' }],
    ['example.com/role=web', { 'example.com/role': 'web' }],
  ];
  for (const [text, labels] of matching) {
    it(`matches ${JSON.stringify(labels)} with ${JSON.stringify(text)}`, () => {
      assert.equal(parseLabelSelector(text).matches(labels), true);
    });
  }

  const notMatching: Array<[string, Record<string, string> | undefined]> = [
    ['x=z', {}],
    ['x=y', { x: 'z' }],
    ['x=y,z=w', { x: 'w', z: 'w' }],
    ['x!=y,z!=w', { x: 'z', z: 'w' }],
    ['x', { y: 'z' }],
    ['x', undefined],
    ['!x', { x: 'z' }],
    ['x>1', { x: '0' }],
    ['x<1', { x: '2' }],
    ['x>1', { x: 'abc' }],
    ['x>1', {}],
    ['x in (a,b)', { x: 'c' }],
    ['x in (a,b)', {}],
    ['x notin (a)', { x: 'a' }],
  ];
  for (const [text, labels] of notMatching) {
    it(`does not match ${JSON.stringify(labels)} with ${JSON.stringify(text)}`, () => {
      assert.equal(parseLabelSelector(text).matches(labels), false);
    });
  }

  it('treats the empty string as a selector that places no restriction', () => {
    assert.equal(parseLabelSelector('').empty(), true);
    assert.equal(parseLabelSelector('a').empty(), false);
  });

  it('prints the canonical form: requirements sorted by key, set values sorted and deduplicated', () => {
    assert.equal(parseLabelSelector('z=1,a in (c,b,c),!d,k notin (y,x),g>5,h==2').toString(), 'a in (b,c),!d,g>5,h==2,k notin (x,y),z=1');
  });

  const errors: Array<[string, string]> = [
    ['app=-bad', `unable to parse requirement: values[0][app]: Invalid value: "-bad": ${LABEL_VALUE_RULE}`],
    ['app:monolith', `unable to parse requirement: <nil>: Invalid value: "app:monolith": ${NAME_PART_RULE}`],
    ['a/b/c ?=? def', "unable to parse requirement: <nil>: Invalid value: \"a/b/c\": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"],
    ['Example.com/x', "unable to parse requirement: <nil>: Invalid value: \"Example.com/x\": prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"],
    ['/x', 'unable to parse requirement: <nil>: Invalid value: "/x": prefix part must be non-empty'],
    [`${'a'.repeat(64)}=b`, `unable to parse requirement: <nil>: Invalid value: "${'a'.repeat(64)}": name part must be no more than 63 characters`],
    [`a=${'b'.repeat(64)}`, `unable to parse requirement: values[0][a]: Invalid value: "${'b'.repeat(64)}": must be no more than 63 characters`],
    ['x in (-a,-b)', `unable to parse requirement: [values[0][x]: Invalid value: "-a": ${LABEL_VALUE_RULE}, values[1][x]: Invalid value: "-b": ${LABEL_VALUE_RULE}]`],
    ['x>a', `unable to parse requirement: values[0]: Invalid value: "a": for 'Gt', 'Lt' operators, the value must be an integer`],
    ['x>-1', `unable to parse requirement: values[0][x]: Invalid value: "-1": ${LABEL_VALUE_RULE}`],
    ['x==a==b', "found '==', expected: ',' or 'end of string'"],
    ['x=a b', "found 'b', expected: ',' or 'end of string'"],
    [',', "found ',', expected: !, identifier, or 'end of string'"],
    ['x,', "found '', expected: identifier after ','"],
    ['x in a', "unable to parse requirement: found 'a' expected: '('"],
    ['x in (a b)', "unable to parse requirement: found 'b', expected: ',' or ')'"],
    ['x in (a', "unable to parse requirement: found '', expected: ',' or ')'"],
    ['x=(', "unable to parse requirement: found '(', expected: identifier"],
    ['x =! y', "unable to parse requirement: found '!', expected: identifier"],
    ['!x=a', "found '=', expected: ',' or 'end of string'"],
    ['x (a)', "unable to parse requirement: found '(', expected: in, notin, =, ==, !=, gt, lt"],
  ];
  for (const [text, message] of errors) {
    it(`rejects ${JSON.stringify(text.length > 20 ? `${text.slice(0, 20)}…` : text)} with 400 and upstream's message`, () => {
      const err = parseError(text);
      assert.equal(err.code, 400);
      assert.equal(err.reason, 'BadRequest');
      assert.equal(err.message, message);
    });
  }
});

describe('labelSelectorFromSet', () => {
  it('selects everything for a missing or empty map, like labels.SelectorFromSet', () => {
    assert.equal(labelSelectorFromSet(undefined).matches({ a: 'b' }), true);
    assert.equal(labelSelectorFromSet({}).empty(), true);
  });

  it('requires every pair of the map', () => {
    const selector = labelSelectorFromSet({ app: 'web', tier: 'fe' });
    assert.equal(selector.matches({ app: 'web', tier: 'fe', extra: 'x' }), true);
    assert.equal(selector.matches({ app: 'web' }), false);
    assert.equal(selector.toString(), 'app=web,tier=fe');
  });
});
