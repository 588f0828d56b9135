import assert from 'node:assert/strict';
import type { ClusterOperator, ClusterVersion, UpdateHistory } from '../../api/config-v1.ts';
import { UpdateError } from '../apply/update-error.ts';
import { resolveDesired, syncState } from './desired.ts';
import { mergeHistory, pruneHistory } from './history.ts';
import { computeStatus, DEFAULT_STATUS_THRESHOLDS, type SyncWorkerStatus } from './status.ts';
import { computeUpgradeable } from './upgradeable.ts';

const T0 = '2026-01-01T00:00:00Z';
const T1 = '2026-01-01T01:00:00Z';
const entry = (version: string, state: 'Completed' | 'Partial', completionTime: string | null = T0): UpdateHistory => ({
  state, version, image: `img:${version}`, startedTime: T0, completionTime, verified: true,
});
const base = { verified: false, completed: false, acceptedRisks: '', local: false, now: T1 };

describe('history', () => {
  it('starts with a Partial entry and completes it on the first full apply', () => {
    const started = mergeHistory([], { ...base, desired: { version: '4.1.0', image: 'img:4.1.0' } });
    assert.deepEqual(started, [{ state: 'Partial', startedTime: T1, completionTime: null, version: '4.1.0', image: 'img:4.1.0', verified: false }]);
    const done = mergeHistory(started, { ...base, desired: { version: '4.1.0', image: 'img:4.1.0' }, completed: true, now: '2026-01-01T02:00:00Z' });
    assert.deepEqual(done, [{ ...started[0], state: 'Completed', completionTime: '2026-01-01T02:00:00Z' }]);
  });

  it('puts a new target in front, closes the previous head and records its verification and risks', () => {
    const history = mergeHistory([entry('4.2.0', 'Partial', null), entry('4.1.0', 'Completed')], {
      ...base, desired: { version: '4.2.1', image: 'img:4.2.1' }, verified: true, acceptedRisks: 'Forced through blocking failures: x',
    });
    assert.deepEqual(history.map((h) => [h.state, h.version, h.completionTime, h.verified, h.acceptedRisks]), [
      ['Partial', '4.2.1', null, true, 'Forced through blocking failures: x'],
      ['Partial', '4.2.0', T1, true, undefined],
      ['Completed', '4.1.0', T0, true, undefined],
    ]);
  });

  it('keeps at most the maximum, dropping the oldest entries that are not the initial install or a minor\'s first or last', () => {
    const entries = ['4.1.6', '4.1.5', '4.1.4', '4.1.3', '4.1.2', '4.1.1', '4.1.0'].map((v) => entry(v, 'Completed'));
    const pruned = pruneHistory(entries, 6);
    assert.deepEqual(pruned.map((h) => h.version), ['4.1.6', '4.1.5', '4.1.4', '4.1.3', '4.1.2', '4.1.0']);
  });
});

describe('computeStatus', () => {
  const cv: ClusterVersion = {
    metadata: { name: 'version', generation: 3 },
    spec: { clusterID: 'id', channel: 'stable-4' },
    status: { desired: { version: '4.1.0', image: 'img:4.1.0' }, history: [entry('4.1.0', 'Completed')], observedGeneration: 2, versionHash: '', availableUpdates: [] },
  };
  const worker = (over: Partial<SyncWorkerStatus>): SyncWorkerStatus => ({
    generation: 3, done: 57, total: 120, completed: 0, reconciling: false, initial: false, versionHash: 'sha256:x',
    actual: { version: '4.2.0', image: 'img:4.2.0' }, verified: true, operatorStartTimes: new Map(), ...over,
  });
  const now = new Date(T1);
  const conditionsOf = (w: SyncWorkerStatus, at = now) => {
    const status = computeStatus({ cv, worker: w, now: at, upgradeable: undefined });
    return Object.fromEntries((status.conditions ?? []).map((c) => [c.type, [c.status, c.reason, c.message]]));
  };
  const waiting = new UpdateError({ effect: 'None', reason: 'ClusterOperatorUpdating', message: 'Cluster operator machine-api is updating versions', name: 'machine-api' });
  const degraded = new UpdateError({ effect: 'FailAfterInterval', reason: 'ClusterOperatorDegraded', message: 'Cluster operator network is degraded', name: 'network' });
  const unavailable = new UpdateError({ effect: 'Fail', reason: 'ClusterOperatorNotAvailable', message: 'Cluster operator network is not available', name: 'network' });
  const started = (name: string, minutesAgo: number) => new Map([[name, now.getTime() - minutesAgo * 60_000]]);

  const cases: Array<{ name: string; worker: SyncWorkerStatus; progressing: unknown[]; failing: unknown[] }> = [
    { name: 'reports progress in manifests while updating', worker: worker({}), progressing: ['True', undefined, 'Working towards 4.2.0: 57 of 120 done (47% complete)'], failing: ['False', undefined, undefined] },
    {
      name: 'treats an operator still at the old version as progress, naming it',
      worker: worker({ failure: waiting, operatorStartTimes: started('machine-api', 5) }),
      progressing: ['True', 'ClusterOperatorUpdating', 'Working towards 4.2.0: 57 of 120 done (47% complete), waiting on machine-api'],
      failing: ['False', undefined, undefined],
    },
    {
      name: 'turns an operator slower than 30 minutes into Failing=Unknown SlowClusterOperator',
      worker: worker({ failure: waiting, operatorStartTimes: started('machine-api', 31) }),
      progressing: ['True', 'ClusterOperatorUpdating', 'Working towards 4.2.0: 57 of 120 done (47% complete), waiting on machine-api'],
      failing: ['Unknown', 'SlowClusterOperator', 'waiting on machine-api over 30 minutes which is longer than expected'],
    },
    {
      name: 'gives a degraded operator 40 minutes before Failing',
      worker: worker({ failure: degraded, operatorStartTimes: started('network', 10) }),
      progressing: ['True', 'ClusterOperatorDegraded', 'Working towards 4.2.0: 57 of 120 done (47% complete), waiting up to 40 minutes on network'],
      failing: ['False', undefined, undefined],
    },
    {
      name: 'fails a degraded operator after 40 minutes',
      worker: worker({ failure: degraded, operatorStartTimes: started('network', 41) }),
      progressing: ['True', 'ClusterOperatorDegraded', 'Unable to apply 4.2.0: wait has exceeded 40 minutes for these operators: network'],
      failing: ['True', 'ClusterOperatorDegraded', 'Cluster operator network is degraded'],
    },
    {
      name: 'fails at once when an operator is not available',
      worker: worker({ failure: unavailable }),
      progressing: ['True', 'ClusterOperatorNotAvailable', 'Unable to apply 4.2.0: the cluster operator network is not available'],
      failing: ['True', 'ClusterOperatorNotAvailable', 'Cluster operator network is not available'],
    },
    {
      name: 'reports errors while reconciling without Progressing',
      worker: worker({ reconciling: true, completed: 1, failure: degraded, operatorStartTimes: started('network', 1) }),
      progressing: ['False', 'ClusterOperatorDegraded', 'Error while reconciling 4.2.0: the cluster operator network is degraded'],
      failing: ['True', 'ClusterOperatorDegraded', 'Cluster operator network is degraded'],
    },
    { name: 'says the version when reconciling cleanly', worker: worker({ reconciling: true, completed: 1 }), progressing: ['False', undefined, 'Cluster version is 4.2.0'], failing: ['False', undefined, undefined] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const conditions = conditionsOf(c.worker);
      assert.deepEqual(conditions.Progressing, c.progressing);
      assert.deepEqual(conditions.Failing, c.failing);
    });
  }

  it('fills desired, history, generation and Available from the worker', () => {
    const status = computeStatus({ cv, worker: worker({ completed: 1, reconciling: true }), now, upgradeable: undefined, thresholds: DEFAULT_STATUS_THRESHOLDS });
    assert.deepEqual(status.desired, { version: '4.2.0', image: 'img:4.2.0' });
    assert.deepEqual(status.history?.map((h) => `${h.state} ${h.version}`), ['Completed 4.2.0', 'Completed 4.1.0']);
    assert.equal(status.observedGeneration, 3);
    assert.deepEqual(status.conditions?.find((c) => c.type === 'Available'), { type: 'Available', status: 'True', message: 'Done applying 4.2.0', lastTransitionTime: T1 });
  });

  it('moves lastTransitionTime only when a condition flips', () => {
    const first = computeStatus({ cv, worker: worker({}), now, upgradeable: undefined });
    const later = computeStatus({ cv: { ...cv, status: first }, worker: worker({ done: 80 }), now: new Date('2026-01-01T03:00:00Z'), upgradeable: undefined });
    const progressing = later.conditions?.find((c) => c.type === 'Progressing');
    assert.equal(progressing?.lastTransitionTime, T1);
    assert.equal(progressing?.message, 'Working towards 4.2.0: 80 of 120 done (66% complete)');
  });
});

describe('Upgradeable', () => {
  const co = (name: string, upgradeable?: 'False'): ClusterOperator => ({
    metadata: { name },
    status: { conditions: upgradeable ? [{ type: 'Upgradeable', status: upgradeable, reason: 'AdminAckRequired', message: 'ack needed', lastTransitionTime: T0 }] : [] },
  });
  it('is absent when nothing stands in the way', () => {
    assert.equal(computeUpgradeable({ clusterOperators: [co('a')], updating: false }), undefined);
  });
  it('names the one risk, or lists several', () => {
    assert.deepEqual(computeUpgradeable({ clusterOperators: [co('a', 'False')], updating: false }), {
      type: 'Upgradeable', status: 'False', reason: 'AdminAckRequired', message: 'Cluster operator a should not be upgraded between minor versions: ack needed',
    });
    const both = computeUpgradeable({ clusterOperators: [co('a', 'False')], updating: true });
    assert.equal(both?.reason, 'MultipleReasons');
    assert.match(both?.message ?? '', /^Cluster should not be upgraded between minor versions for multiple reasons: UpdateInProgress,AdminAckRequired\n\* /);
  });
});

describe('desired release', () => {
  const cv = (desiredUpdate?: object, history: UpdateHistory[] = [entry('4.1.0', 'Completed')]): ClusterVersion => ({
    metadata: { name: 'version' },
    spec: { clusterID: 'id', ...(desiredUpdate ? { desiredUpdate } : {}) },
    status: { desired: { version: '4.1.0', image: 'img:4.1.0' }, history, observedGeneration: 1, versionHash: '', availableUpdates: [{ version: '4.2.0', image: 'img:4.2.0' }] },
  });
  const cases: Array<{ name: string; cv: ClusterVersion; expected: unknown }> = [
    { name: 'reconciles the accepted release when nothing is requested', cv: cv(), expected: { update: { image: 'img:4.1.0', version: '4.1.0', force: false }, local: true } },
    { name: 'resolves a version to the image of the available update', cv: cv({ version: '4.2.0' }), expected: { update: { image: 'img:4.2.0', version: '4.2.0', force: false }, local: false } },
    { name: 'takes an image as given, with force', cv: cv({ image: 'img:x', force: true }), expected: { update: { image: 'img:x', force: true }, local: false } },
    {
      name: 'marks a version that is neither available nor in history invalid and keeps reconciling the current release',
      cv: cv({ version: '4.9.0' }),
      expected: { update: { image: 'img:4.1.0', version: '4.1.0', force: false }, local: true, invalid: 'spec.desiredUpdate.version: Invalid value: "4.9.0": when image is empty the update must be a previous version or an available update' },
    },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(resolveDesired(c.cv, undefined), c.expected));
  }

  it('derives the state from history: Initializing, Reconciling, Updating', () => {
    assert.equal(syncState([], 'img:4.1.0'), 'Initializing');
    assert.equal(syncState([entry('4.1.0', 'Partial', null)], 'img:4.1.0'), 'Initializing');
    assert.equal(syncState([entry('4.1.0', 'Completed')], 'img:4.1.0'), 'Reconciling');
    assert.equal(syncState([entry('4.2.0', 'Partial', null), entry('4.1.0', 'Completed')], 'img:4.2.0'), 'Updating');
    assert.equal(syncState([entry('4.1.0', 'Completed')], 'img:4.2.0'), 'Updating');
  });
});
