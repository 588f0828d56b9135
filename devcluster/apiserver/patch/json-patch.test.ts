import assert from 'node:assert/strict';
import type { Json } from '../types.ts';
import { StatusError } from '../status-errors.ts';
import { applyJsonPatch, MAX_JSON_PATCH_OPERATIONS } from './json-patch.ts';

const GENERIC_422 = 'the server rejected our request due to an error in our request';

function statusOf(fn: () => unknown): StatusError {
  try {
    fn();
  } catch (err) {
    if (err instanceof StatusError) return err;
    throw err;
  }
  assert.fail('expected a StatusError');
}

describe('applyJsonPatch', () => {
  const doc = { metadata: { labels: { app: 'x' }, annotations: { 'a/b': '1', 'm~n': '2' } }, spec: { list: [1, 2, 3] } };

  const cases: Array<{ name: string; ops: unknown[]; want: Json }> = [
    {
      name: 'adds a new member',
      ops: [{ op: 'add', path: '/metadata/labels/tier', value: 'web' }],
      want: { ...doc, metadata: { ...doc.metadata, labels: { app: 'x', tier: 'web' } } },
    },
    {
      name: 'adds replaces an existing member',
      ops: [{ op: 'add', path: '/metadata/labels/app', value: 'y' }],
      want: { ...doc, metadata: { ...doc.metadata, labels: { app: 'y' } } },
    },
    { name: 'inserts into a list at an index', ops: [{ op: 'add', path: '/spec/list/1', value: 9 }], want: { ...doc, spec: { list: [1, 9, 2, 3] } } },
    { name: 'appends to a list with "-"', ops: [{ op: 'add', path: '/spec/list/-', value: 4 }], want: { ...doc, spec: { list: [1, 2, 3, 4] } } },
    { name: 'adds at the list end index', ops: [{ op: 'add', path: '/spec/list/3', value: 4 }], want: { ...doc, spec: { list: [1, 2, 3, 4] } } },
    { name: 'removes a list item', ops: [{ op: 'remove', path: '/spec/list/0' }], want: { ...doc, spec: { list: [2, 3] } } },
    {
      name: 'unescapes ~1 as "/" in a key',
      ops: [{ op: 'remove', path: '/metadata/annotations/a~1b' }],
      want: { ...doc, metadata: { ...doc.metadata, annotations: { 'm~n': '2' } } },
    },
    {
      name: 'unescapes ~0 as "~" in a key',
      ops: [{ op: 'replace', path: '/metadata/annotations/m~0n', value: '3' }],
      want: { ...doc, metadata: { ...doc.metadata, annotations: { 'a/b': '1', 'm~n': '3' } } },
    },
    { name: 'replaces a list item', ops: [{ op: 'replace', path: '/spec/list/2', value: 7 }], want: { ...doc, spec: { list: [1, 2, 7] } } },
    {
      name: 'moves a member',
      ops: [{ op: 'move', from: '/metadata/labels', path: '/spec/labels' }],
      want: { metadata: { annotations: doc.metadata.annotations }, spec: { list: [1, 2, 3], labels: { app: 'x' } } },
    },
    { name: 'moves a list item within the list', ops: [{ op: 'move', from: '/spec/list/0', path: '/spec/list/-' }], want: { ...doc, spec: { list: [2, 3, 1] } } },
    {
      name: 'copies a value',
      ops: [{ op: 'copy', from: '/metadata/labels/app', path: '/metadata/labels/copy' }],
      want: { ...doc, metadata: { ...doc.metadata, labels: { app: 'x', copy: 'x' } } },
    },
    {
      name: 'applies operations after a passing test',
      ops: [{ op: 'test', path: '/spec/list', value: [1, 2, 3] }, { op: 'replace', path: '/spec/list', value: [] }],
      want: { ...doc, spec: { list: [] } },
    },
    { name: 'replaces the whole document with path ""', ops: [{ op: 'replace', path: '', value: { a: 1 } }], want: { a: 1 } },
    { name: 'applies an empty operation list as a no-op', ops: [], want: doc },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(applyJsonPatch(doc, c.ops), c.want);
    });
  }

  it('does not mutate the document or the operations', () => {
    const before = structuredClone(doc);
    const ops = [{ op: 'add', path: '/spec/obj', value: { deep: [1] } }];
    const opsBefore = structuredClone(ops);
    const result = applyJsonPatch(doc, ops) as { spec: { obj: { deep: number[] } } };
    result.spec.obj.deep.push(2);
    assert.deepEqual(doc, before);
    assert.deepEqual(ops, opsBefore);
  });

  const malformed: Array<{ name: string; body: unknown }> = [
    { name: 'a body that is not a list', body: { op: 'add', path: '/a', value: 1 } },
    { name: 'an operation that is not an object', body: ['add'] },
    { name: 'an operation without "op"', body: [{ path: '/a', value: 1 }] },
    { name: 'an unknown op', body: [{ op: 'merge', path: '/a', value: 1 }] },
    { name: 'a path without a leading slash', body: [{ op: 'add', path: 'a', value: 1 }] },
    { name: 'a path with a bad escape', body: [{ op: 'add', path: '/a~2', value: 1 }] },
    { name: 'a missing path', body: [{ op: 'remove' }] },
    { name: 'a move without from', body: [{ op: 'move', path: '/a' }] },
    { name: 'an add without value', body: [{ op: 'add', path: '/a' }] },
  ];
  for (const c of malformed) {
    it(`rejects ${c.name} with 400 BadRequest`, () => {
      const err = statusOf(() => applyJsonPatch(doc, c.body));
      assert.equal(err.code, 400);
      assert.equal(err.reason, 'BadRequest');
    });
  }

  it('rejects more than 10000 operations with 413', () => {
    const ops = Array.from({ length: MAX_JSON_PATCH_OPERATIONS + 1 }, () => ({ op: 'test', path: '/spec', value: {} }));
    const err = statusOf(() => applyJsonPatch(doc, ops));
    assert.equal(err.code, 413);
    assert.equal(err.reason, 'RequestEntityTooLarge');
    assert.equal(err.message, 'Request entity too large: The allowed maximum operations in a JSON patch is 10000, got 10001');
  });

  it('accepts exactly 10000 operations', () => {
    const ops = Array.from({ length: MAX_JSON_PATCH_OPERATIONS }, () => ({ op: 'test', path: '/spec/list/0', value: 1 }));
    assert.deepEqual(applyJsonPatch(doc, ops), doc);
  });

  const unappliable: Array<{ name: string; ops: unknown[] }> = [
    { name: 'a failed test', ops: [{ op: 'test', path: '/metadata/labels/app', value: 'other' }] },
    { name: 'a test of a missing path with a non-null value', ops: [{ op: 'test', path: '/nope', value: 1 }] },
    { name: 'removing a missing key', ops: [{ op: 'remove', path: '/metadata/labels/nope' }] },
    { name: 'replacing a missing key', ops: [{ op: 'replace', path: '/spec/nope', value: 1 }] },
    { name: 'adding under a missing parent', ops: [{ op: 'add', path: '/status/phase', value: 'x' }] },
    { name: 'adding past the end of a list', ops: [{ op: 'add', path: '/spec/list/5', value: 1 }] },
    { name: 'a non-numeric list index', ops: [{ op: 'replace', path: '/spec/list/x', value: 1 }] },
    { name: 'a leading-zero list index', ops: [{ op: 'remove', path: '/spec/list/01' }] },
    { name: 'moving from a missing path', ops: [{ op: 'move', from: '/nope', path: '/a' }] },
    { name: 'moving a value into its own child', ops: [{ op: 'move', from: '/metadata', path: '/metadata/labels/x' }] },
    { name: 'a later operation failing after earlier ones succeeded', ops: [{ op: 'add', path: '/a', value: 1 }, { op: 'remove', path: '/b' }] },
  ];
  for (const c of unappliable) {
    it(`answers ${c.name} with the generic 422 Invalid`, () => {
      const err = statusOf(() => applyJsonPatch(doc, c.ops));
      assert.equal(err.code, 422);
      assert.equal(err.reason, 'Invalid');
      assert.equal(err.message, GENERIC_422);
      assert.deepEqual(err.toStatus().details, {});
    });
  }

  it('passes a test for null on a missing path, as evanphx/json-patch does', () => {
    assert.deepEqual(applyJsonPatch({ a: 1 }, [{ op: 'test', path: '/b', value: null }]), { a: 1 });
  });
});
