import assert from 'node:assert/strict';
import type { ClusterVersion } from '../../api/config-v1.ts';
import { desiredUpdateFor, UsageError } from './desired-update.ts';
import { renderProgress, renderSummary, watchVerdict } from './render.ts';

const T = '2026-01-01T00:00:00Z';
function cv(over: { progressing?: [string, string]; failing?: string; history?: Array<['Completed' | 'Partial', string]> } = {}): ClusterVersion {
  return {
    metadata: { name: 'version' },
    spec: { clusterID: 'id', channel: 'stable-4' },
    status: {
      desired: { version: '4.1.0', image: 'img:4.1.0' },
      history: (over.history ?? [['Completed', '4.1.0']]).map(([state, version]) => ({ state, version, image: `img:${version}`, startedTime: T, completionTime: T, verified: true })),
      observedGeneration: 1,
      versionHash: '',
      availableUpdates: [{ version: '4.2.0', image: 'img:4.2.0' }],
      conditions: [
        { type: 'Progressing', status: (over.progressing?.[0] ?? 'False') as 'True' | 'False', message: over.progressing?.[1] ?? 'Cluster version is 4.1.0', lastTransitionTime: T },
        { type: 'Failing', status: over.failing ? 'True' : 'False', ...(over.failing ? { reason: 'ClusterOperatorNotAvailable', message: over.failing } : {}), lastTransitionTime: T },
      ],
    },
  };
}

describe('upgrade CLI', () => {
  it('summarizes the version, channel and recommended updates like oc adm upgrade', () => {
    assert.equal(renderSummary(cv()), [
      'Cluster version is 4.1.0',
      '',
      'Upstream is unset, so the cluster will use an appropriate default.',
      'Channel: stable-4',
      '',
      'Recommended updates:',
      '',
      '  VERSION     IMAGE',
      '  4.2.0       img:4.2.0',
      '',
    ].join('\n'));
  });

  it('shows an update in progress and a failing condition first', () => {
    const text = renderSummary(cv({ progressing: ['True', 'Working towards 4.2.0: 3 of 6 done (50% complete)'], failing: 'Cluster operator network is not available' }));
    assert.match(text, /^info: An upgrade is in progress\. Working towards 4\.2\.0: 3 of 6 done \(50% complete\)\n\nCluster version is 4\.1\.0\n\nFailing=True\n\n  Reason: ClusterOperatorNotAvailable\n  Message: Cluster operator network is not available\n/);
  });

  it('says why an automatic update waits', () => {
    const waiting = cv();
    const conditions = [...(waiting.status?.conditions ?? []), { type: 'AutoUpdateWaiting', status: 'True' as const, reason: 'OutsideMaintenanceWindow', message: 'Update to 4.2.0 waits for the next maintenance window opening at 2026-01-03T02:00:00.000Z', lastTransitionTime: T }];
    const text = renderSummary({ ...waiting, status: { ...waiting.status!, conditions } });
    assert.match(text, /\n\nAutoUpdateWaiting=True\n\n  Reason: OutsideMaintenanceWindow\n  Message: Update to 4\.2\.0 waits for the next maintenance window opening at 2026-01-03T02:00:00\.000Z\n/);
  });

  it('draws a progress bar from the Progressing message', () => {
    assert.equal(renderProgress(cv({ progressing: ['True', 'Working towards 4.2.0: 3 of 6 done (50% complete)'] }), 10), '[#####-----]  50%  Working towards 4.2.0: 3 of 6 done (50% complete)');
  });

  it('ends the watch with 0 once the target is completed, and 1 when the update fails', () => {
    const target = { version: '4.2.0', image: 'img:4.2.0' };
    assert.deepEqual(watchVerdict(cv({ progressing: ['True', 'Working towards 4.2.0'], history: [['Partial', '4.2.0'], ['Completed', '4.1.0']] }), target), { done: false });
    assert.deepEqual(watchVerdict(cv({ progressing: ['False', 'Cluster version is 4.2.0'], history: [['Completed', '4.2.0'], ['Completed', '4.1.0']] }), target), { done: true, exitCode: 0, message: 'Cluster version is 4.2.0' });
    assert.equal((watchVerdict(cv({ failing: 'Cluster operator network is not available' }), target) as { exitCode: number }).exitCode, 1);
  });

  it('turns --to into the available update, and refuses a version that is not offered or a cluster already updating', () => {
    const flags = { allowNotRecommended: false, force: false, allowWithWarnings: false };
    assert.deepEqual(desiredUpdateFor(cv(), { ...flags, to: '4.2.0' }), { version: '4.2.0', image: 'img:4.2.0' });
    assert.deepEqual(desiredUpdateFor(cv(), { ...flags, toImage: 'img:x', force: true }), { image: 'img:x', force: true });
    assert.throws(() => desiredUpdateFor(cv(), { ...flags, to: '4.3.0' }), (err: Error) => err instanceof UsageError && /not one of the available updates: 4\.2\.0/.test(err.message));
    const updating = cv({ progressing: ['True', 'Working towards 4.2.0'] });
    assert.throws(() => desiredUpdateFor(updating, { ...flags, to: '4.2.0' }), /already upgrading/);
    assert.deepEqual(desiredUpdateFor(updating, { ...flags, to: '4.2.0', allowWithWarnings: true }), { version: '4.2.0', image: 'img:4.2.0' });
  });
});
