import assert from 'node:assert/strict';
import { cloneJson, jsonEqual } from './json-values.ts';

describe('cloneJson', () => {
  it('copies every level, so changing the copy leaves the original alone', () => {
    const original = { metadata: { labels: { a: '1' } }, list: [{ x: 1 }, 'two', null, true, 3.5] };
    const copy = cloneJson(original);
    assert.deepEqual(copy, original);
    copy.metadata.labels.a = 'changed';
    (copy.list[0] as { x: number }).x = 2;
    assert.deepEqual(original, { metadata: { labels: { a: '1' } }, list: [{ x: 1 }, 'two', null, true, 3.5] });
  });

  it('keeps "__proto__" as an ordinary key, as JSON.parse reads it, without touching the prototype', () => {
    const original = JSON.parse('{"data": {"__proto__": {"polluted": true}}}') as { data: Record<string, unknown> };
    const copy = cloneJson(original);
    assert.equal(Object.getPrototypeOf(copy.data), Object.prototype);
    assert.deepEqual(Object.keys(copy.data), ['__proto__']);
    assert.equal(JSON.stringify(copy), JSON.stringify(original));
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('returns scalars as they are', () => {
    for (const value of ['s', 1, true, null]) assert.equal(cloneJson(value), value);
  });
});

describe('jsonEqual', () => {
  it('ignores key order and respects list order', () => {
    assert.equal(jsonEqual({ a: 1, b: [1, 2] }, { b: [1, 2], a: 1 }), true);
    assert.equal(jsonEqual({ a: [1, 2] }, { a: [2, 1] }), false);
  });
});
