import assert from 'node:assert/strict';
import { summarizeProfile, type CpuProfile } from './profile-summary.ts';

// root → handle (devcluster/a.ts) → encode (devcluster/b.ts) → encode (recursive) ; root → (idle) ; root → (garbage collector)
const profile: CpuProfile = {
  nodes: [
    { id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: -1 }, children: [2, 5, 6] },
    { id: 2, callFrame: { functionName: 'handle', url: 'file:///p/devcluster/a.ts', lineNumber: 9 }, children: [3] },
    { id: 3, callFrame: { functionName: 'encode', url: 'file:///p/devcluster/b.ts', lineNumber: 0 }, children: [4] },
    { id: 4, callFrame: { functionName: 'encode', url: 'file:///p/devcluster/b.ts', lineNumber: 0 } },
    { id: 5, callFrame: { functionName: '(idle)', url: '', lineNumber: -1 } },
    { id: 6, callFrame: { functionName: '(garbage collector)', url: '', lineNumber: -1 } },
  ],
  samples: [2, 3, 4, 4, 5, 6],
  timeDeltas: [1000, 1000, 1000, 1000, 4000, 1000],
};

describe('CPU profile summary', () => {
  const summary = summarizeProfile(profile, '/p/', 10);

  it('separates idle time from busy time', () => {
    assert.equal(summary.busyMs, 5);
    assert.equal(summary.idleMs, 4);
  });

  it('ranks self time by function with project-relative locations and 1-based lines', () => {
    assert.deepEqual(summary.selfByFunction.map((s) => [s.name, s.ms, s.percent]), [
      ['encode devcluster/b.ts:1', 3, 60],
      ['handle devcluster/a.ts:10', 1, 20],
      ['(garbage collector)', 1, 20],
    ]);
  });

  it('counts a recursive function once per sample in its total time', () => {
    assert.deepEqual(summary.totalByProjectFunction.map((s) => [s.name, s.ms]), [
      ['handle devcluster/a.ts:10', 4],
      ['encode devcluster/b.ts:1', 3],
    ]);
  });

  it('sums self time by file', () => {
    assert.deepEqual(summary.selfByFile.map((s) => [s.file, s.ms]), [['devcluster/b.ts', 3], ['devcluster/a.ts', 1], ['(garbage collector)', 1]]);
  });
});
