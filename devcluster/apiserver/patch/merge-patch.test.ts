import assert from 'node:assert/strict';
import type { Json } from '../types.ts';
import { applyMergePatch } from './merge-patch.ts';

describe('applyMergePatch', () => {
  // RFC 7386 Appendix A, plus the Kubernetes-shaped cases handlers rely on.
  const cases: Array<{ name: string; target: Json; patch: Json; want: Json }> = [
    { name: 'replaces a scalar', target: { a: 'b' }, patch: { a: 'c' }, want: { a: 'c' } },
    { name: 'adds a key', target: { a: 'b' }, patch: { b: 'c' }, want: { a: 'b', b: 'c' } },
    { name: 'deletes a key set to null', target: { a: 'b' }, patch: { a: null }, want: {} },
    { name: 'deletes only the nulled key', target: { a: 'b', b: 'c' }, patch: { a: null }, want: { b: 'c' } },
    { name: 'replaces a list with a scalar', target: { a: ['b'] }, patch: { a: 'c' }, want: { a: 'c' } },
    { name: 'replaces a scalar with a list', target: { a: 'c' }, patch: { a: ['b'] }, want: { a: ['b'] } },
    { name: 'merges nested objects and deletes nested nulls', target: { a: { b: 'c' } }, patch: { a: { b: 'd', c: null } }, want: { a: { b: 'd' } } },
    { name: 'replaces lists wholesale', target: { a: [{ b: 'c' }] }, patch: { a: [1] }, want: { a: [1] } },
    { name: 'replaces a list target', target: ['a', 'b'], patch: ['c', 'd'], want: ['c', 'd'] },
    { name: 'turns a list target into an object', target: ['a'], patch: { a: 'b' }, want: { a: 'b' } },
    { name: 'replaces an object target with a list patch', target: { a: 'foo' }, patch: ['bar'], want: ['bar'] },
    { name: 'replaces with a null patch', target: { a: 'foo' }, patch: null, want: null },
    { name: 'replaces with a scalar patch', target: { a: 'foo' }, patch: 'bar', want: 'bar' },
    { name: 'keeps a null value inside a list', target: { e: null }, patch: { a: 1 }, want: { e: null, a: 1 } },
    { name: 'drops nulls inside a newly added object', target: {}, patch: { a: { bb: { ccc: null } } }, want: { a: { bb: {} } } },
    {
      name: 'patches a status condition list as a whole (merge patch has no list merge)',
      target: { status: { conditions: [{ type: 'A', status: 'True' }, { type: 'B', status: 'True' }] } },
      patch: { status: { conditions: [{ type: 'A', status: 'False' }] } },
      want: { status: { conditions: [{ type: 'A', status: 'False' }] } },
    },
    {
      name: 'removes one annotation and keeps the labels',
      target: { metadata: { labels: { app: 'x' }, annotations: { a: '1', b: '2' } } },
      patch: { metadata: { annotations: { a: null } } },
      want: { metadata: { labels: { app: 'x' }, annotations: { b: '2' } } },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(applyMergePatch(c.target, c.patch), c.want);
    });
  }

  it('does not mutate the target or the patch', () => {
    const target = { a: { b: 1 }, c: [1] };
    const patch = { a: { b: 2, d: null }, c: [2] };
    const before = structuredClone({ target, patch });
    const result = applyMergePatch(target, patch) as { a: { b: number } };
    result.a.b = 99;
    assert.deepEqual({ target, patch }, before);
  });

  it('sets a "__proto__" key as data, as JSON.parse read it, and leaves prototypes alone', () => {
    const patch = JSON.parse('{"data": {"__proto__": {"polluted": "yes"}}}') as Json;
    const result = applyMergePatch({ data: {} }, patch) as { data: Record<string, unknown> };
    assert.equal(JSON.stringify(result), '{"data":{"__proto__":{"polluted":"yes"}}}');
    assert.equal(Object.getPrototypeOf(result.data), Object.prototype);
  });
});
