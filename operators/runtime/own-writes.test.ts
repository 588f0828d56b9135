import assert from 'node:assert/strict';
import { OwnWrites } from './own-writes.ts';

const object = (resourceVersion: string, uid = 'u1') => ({ metadata: { namespace: 'ns', name: 'a', uid, resourceVersion } });

describe('OwnWrites', () => {
  it('holds a cached copy older than our write as behind, until the cache shows the write', () => {
    const writes = new OwnWrites();
    writes.record(object('12'));
    assert.equal(writes.isBehind(object('9')), true);
    assert.equal(writes.isBehind(object('12')), false);
    assert.equal(writes.isBehind(object('9')), false, 'forgotten once caught up');
  });

  it('compares resource versions as integers', () => {
    const writes = new OwnWrites();
    writes.record(object('100'));
    assert.equal(writes.isBehind(object('99')), true);
  });

  it('never holds back another object of the same name, or non-numeric versions', () => {
    const writes = new OwnWrites();
    writes.record(object('12'));
    assert.equal(writes.isBehind(object('5', 'u2')), false, 'recreated under the same name');
    writes.record(object('12'));
    assert.equal(writes.isBehind(object('abc')), false);
  });

  it('records what a recording writer patches, and forgets deleted objects', async () => {
    const writes = new OwnWrites();
    const writer = writes.recording({ patch: async () => object('20'), create: async () => object('1') });
    await writer.patch({ group: '', version: 'v1', plural: 'nodes' }, 'ns', 'a', 'application/merge-patch+json', {});
    assert.equal(writes.isBehind(object('19')), true);
    writes.forget({ namespace: 'ns', name: 'a' });
    assert.equal(writes.isBehind(object('19')), false);
  });
});
