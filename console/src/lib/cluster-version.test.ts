import assert from 'node:assert/strict';
import { compareVersions, currentVersion, desiredUpdatePatch, parseProgress, sortReleases, updateStatus, type ClusterVersion } from './cluster-version.ts';

const T = '2026-01-01T00:00:00Z';
const release = (version: string) => ({ version, image: `quay.io/ocp-release@sha256:${version}` });

function cv(conditions: { type: string; status: 'True' | 'False' | 'Unknown'; message?: string }[], availableUpdates = [release('4.2.0')]): ClusterVersion {
  return {
    metadata: { name: 'version' },
    spec: { clusterID: 'id' },
    status: {
      desired: release('4.1.0'), observedGeneration: 1, versionHash: 'h', availableUpdates,
      history: [
        { state: 'Partial', startedTime: T, completionTime: null, verified: true, ...release('4.2.0') },
        { state: 'Completed', startedTime: T, completionTime: T, verified: true, ...release('4.1.0') },
      ],
      conditions: conditions.map((c) => ({ ...c, lastTransitionTime: T })),
    },
  };
}

describe('Cluster Settings derivations', () => {
  it('reads the current version from the newest Completed history entry, not the Partial one', () => {
    assert.equal(currentVersion(cv([])), '4.1.0');
    assert.equal(currentVersion(undefined), undefined);
  });

  it('parses the CVO progress message, with or without a waiting-on suffix', () => {
    assert.deepEqual(parseProgress('Working towards 4.2.0: 57 of 120 done (47% complete)'), { target: '4.2.0', done: 57, total: 120, percent: 47 });
    assert.deepEqual(parseProgress('Working towards 4.2.0-rc.1: 119 of 120 done (99% complete), waiting on machine-config'), { target: '4.2.0-rc.1', done: 119, total: 120, percent: 99 });
    assert.equal(parseProgress('Cluster version is 4.1.0'), undefined);
  });

  const statuses: { name: string; conditions: Parameters<typeof cv>[0]; updates?: ReturnType<typeof release>[]; kind: string; label: string }[] = [
    { name: 'updating', conditions: [{ type: 'Progressing', status: 'True', message: 'Working towards 4.2.0: 57 of 120 done (47% complete)' }], kind: 'Updating', label: 'Updating to 4.2.0' },
    { name: 'failing wins over progressing', conditions: [{ type: 'Progressing', status: 'True', message: 'Unable to apply 4.2.0: x' }, { type: 'Failing', status: 'True', message: 'x' }], kind: 'Failing', label: 'Failing' },
    { name: 'idle with updates', conditions: [{ type: 'Progressing', status: 'False', message: 'Cluster version is 4.1.0' }], kind: 'UpdateAvailable', label: 'Update available' },
    { name: 'idle without updates', conditions: [{ type: 'Progressing', status: 'False' }], updates: [], kind: 'UpToDate', label: 'Up to date' },
  ];
  for (const s of statuses) {
    it(`reports "${s.label}" when ${s.name}`, () => {
      const status = updateStatus(cv(s.conditions, s.updates));
      assert.equal(status.kind, s.kind);
      assert.equal(status.label, s.label);
    });
  }

  it('sorts releases newest first by semantic version, a release after its candidates', () => {
    assert.deepEqual(sortReleases([release('4.1.10'), release('4.2.0-rc.1'), release('4.1.9'), release('4.2.0')]).map((r) => r.version), ['4.2.0', '4.2.0-rc.1', '4.1.10', '4.1.9']);
    assert.equal(compareVersions('4.10.0', '4.9.0') > 0, true);
  });

  it('asks for an update with both version and image', () => {
    assert.deepEqual(desiredUpdatePatch(release('4.2.0')), { spec: { desiredUpdate: { version: '4.2.0', image: 'quay.io/ocp-release@sha256:4.2.0' } } });
  });
});
