import assert from 'node:assert/strict';
import { INSTANCE_TYPES } from '../../../../devcluster/local-cloud/index.ts';
import { LOCAL_INSTANCE_TYPES } from './instance-types.ts';

describe('local instance types', () => {
  it('match what the local cloud offers and its nodes report', () => {
    const offered = Object.fromEntries(Object.entries(INSTANCE_TYPES).map(([type, t]) => [type, { vCPU: t.cpu, memoryMb: t.memoryMiB, GPU: 0 }]));
    assert.deepEqual(LOCAL_INSTANCE_TYPES, offered);
  });
});
