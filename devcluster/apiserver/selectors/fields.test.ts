import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import { StatusError } from '../status-errors.ts';
import { DEFAULT_FIELD_SELECTORS, escapeFieldValue, parseFieldSelector } from './fields.ts';
import type { UnknownFieldWording } from './fields.ts';

const POD_FIELDS = ['metadata.name', 'metadata.namespace', 'spec.nodeName', 'status.phase'];

const getter = (fields: Record<string, string>) => (field: string): string | undefined => fields[field];

function rejection(text: string, supported: readonly string[], wording?: UnknownFieldWording): StatusError {
  try {
    parseFieldSelector(text, supported, wording);
  } catch (err) {
    assert.ok(err instanceof StatusError);
    return err;
  }
  assert.fail(`expected ${JSON.stringify(text)} to be rejected`);
}

describe('parseFieldSelector', () => {
  const cases: Array<[string, Record<string, string>, boolean]> = [
    ['', { 'metadata.name': 'a' }, true],
    ['metadata.name=foo', { 'metadata.name': 'foo' }, true],
    ['metadata.name==foo', { 'metadata.name': 'foo' }, true],
    ['metadata.name=foo', { 'metadata.name': 'bar' }, false],
    ['metadata.name!=foo', { 'metadata.name': 'bar' }, true],
    ['metadata.name!=foo', { 'metadata.name': 'foo' }, false],
    ['spec.nodeName=', {}, true],
    ['spec.nodeName!=', {}, false],
    ['spec.nodeName=node-1,status.phase!=Succeeded', { 'spec.nodeName': 'node-1', 'status.phase': 'Running' }, true],
    ['spec.nodeName=node-1,status.phase!=Succeeded', { 'spec.nodeName': 'node-1', 'status.phase': 'Succeeded' }, false],
    ['metadata.name=a\\,b', { 'metadata.name': 'a,b' }, true],
    ['metadata.name=a\\=b', { 'metadata.name': 'a=b' }, true],
    ['metadata.name=a\\\\b', { 'metadata.name': 'a\\b' }, true],
    [',metadata.name=foo,', { 'metadata.name': 'foo' }, true],
  ];
  for (const [text, fields, expected] of cases) {
    it(`${expected ? 'matches' : 'does not match'} ${JSON.stringify(fields)} with ${JSON.stringify(text)}`, () => {
      assert.equal(parseFieldSelector(text, POD_FIELDS).matches(getter(fields)), expected);
    });
  }

  it('reports the name a name-scoped watch requires, ignoring != terms', () => {
    assert.equal(parseFieldSelector('metadata.name=web-1', POD_FIELDS).requiredName(), 'web-1');
    assert.equal(parseFieldSelector('spec.nodeName=n,metadata.name==web-2', POD_FIELDS).requiredName(), 'web-2');
    assert.equal(parseFieldSelector('metadata.name!=web-1', POD_FIELDS).requiredName(), undefined);
    assert.equal(parseFieldSelector('', POD_FIELDS).requiredName(), undefined);
    assert.equal(parseFieldSelector('spec.nodeName=n1', POD_FIELDS).requiresExactMatch('spec.nodeName'), 'n1');
  });

  it('prints the terms in upstream order with unescaped values', () => {
    const selector = parseFieldSelector('status.phase!=Failed,metadata.name=a\\,b', POD_FIELDS);
    assert.equal(selector.toString(), 'metadata.name=a,b,status.phase!=Failed');
    assert.equal(selector.empty(), false);
  });

  const errors: Array<[string, readonly string[], UnknownFieldWording | undefined, string]> = [
    ['spec.foo=bar', DEFAULT_FIELD_SELECTORS, undefined, '"spec.foo" is not a known field selector: only "metadata.name", "metadata.namespace"'],
    ['metadata.namespace=x', ['metadata.name'], undefined, '"metadata.namespace" is not a known field selector: only "metadata.name", "metadata.namespace"'],
    ['spec.foo=bar', POD_FIELDS, undefined, 'field label not supported: spec.foo'],
    ['metadata.namespace=x', ['metadata.name', 'spec.unschedulable'], undefined, 'field label not supported: metadata.namespace'],
    ['spec.replicas=1', DEFAULT_FIELD_SELECTORS, 'field-label', 'field label not supported: spec.replicas'],
    ['z.unknown=1,a.unknown=2', DEFAULT_FIELD_SELECTORS, undefined, '"a.unknown" is not a known field selector: only "metadata.name", "metadata.namespace"'],
    ['foo', POD_FIELDS, undefined, "invalid selector: 'foo'; can't understand 'foo'"],
    ['metadata.name in (a)', POD_FIELDS, undefined, "invalid selector: 'metadata.name in (a)'; can't understand 'metadata.name in (a)'"],
    ['metadata.name=a=b', POD_FIELDS, undefined, 'invalid field selector: unescapedRune character in value: 61'],
    ['metadata.name=a\\x', POD_FIELDS, undefined, 'invalid field selector: invalid escape sequence: \\x'],
    ['metadata.name=a\\', POD_FIELDS, undefined, 'invalid field selector: invalid escape sequence: \\'],
  ];
  for (const [text, supported, wording, message] of errors) {
    it(`rejects ${JSON.stringify(text)} with 400 "${message}"`, () => {
      const err = rejection(text, supported, wording);
      assert.equal(err.code, 400);
      assert.equal(err.reason, 'BadRequest');
      assert.equal(err.message, message);
    });
  }
});

describe('escapeFieldValue', () => {
  it('escapes backslash, comma and equals so the value round-trips through the parser', () => {
    const value = 'a,b=c\\d';
    assert.equal(escapeFieldValue(value), 'a\\,b\\=c\\\\d');
    const selector = parseFieldSelector(`metadata.name=${escapeFieldValue(value)}`, POD_FIELDS);
    assert.equal(selector.requiredName(), value);
  });
});
