import assert from 'node:assert/strict';
import type { ClusterVersion, ClusterVersionStatus, UpdateHistory } from '../../api/config-v1.ts';
import { payloadLoadedMessage, preconditionVerdict, retrieveFailure, versionVerdict } from './acceptance.ts';
import { runPreconditions, summarizePreconditions, type PreconditionFailure } from './preconditions.ts';

const T = '2026-01-01T00:00:00Z';
const entry = (version: string, state: 'Completed' | 'Partial' = 'Completed'): UpdateHistory => ({
  state, version, image: `registry/ocp@sha256:${version}`, startedTime: T, completionTime: T, verified: true,
});

function clusterVersion(current: string, options: { history?: string[]; upgradeable?: 'False'; available?: string[]; channel?: string } = {}): ClusterVersion {
  const status: ClusterVersionStatus = {
    desired: { version: current, image: `registry/ocp@sha256:${current}` },
    history: (options.history ?? [current]).map((v) => entry(v)),
    observedGeneration: 1,
    versionHash: '',
    availableUpdates: (options.available ?? []).map((v) => ({ version: v, image: `registry/ocp@sha256:${v}` })),
    conditions: [
      { type: 'RetrievedUpdates', status: 'True', lastTransitionTime: T },
      ...(options.upgradeable ? [{ type: 'Upgradeable', status: options.upgradeable, reason: 'AdminAckRequired', message: 'Kubernetes 1.33 removes APIs', lastTransitionTime: T }] : []),
    ],
  };
  return { metadata: { name: 'version' }, spec: { clusterID: 'x', channel: options.channel ?? 'stable-4' }, status };
}

/** The blocking failures, as "Name/Reason", ignoring the RecommendedUpdate warning. */
const blocking = (failures: PreconditionFailure[]) => failures.filter((f) => !f.nonBlocking).map((f) => `${f.name}/${f.reason}`);

describe('preconditions', () => {
  const cases: Array<{ name: string; cv: ClusterVersion; target: string; expected: string[] }> = [
    { name: 'lets a patch update through', cv: clusterVersion('4.2.0'), target: '4.2.1', expected: [] },
    { name: 'lets a minor update through', cv: clusterVersion('4.2.0'), target: '4.3.0', expected: [] },
    { name: 'blocks skipping a minor version', cv: clusterVersion('4.1.0'), target: '4.3.0', expected: ['ClusterVersionGiantHop/MultipleMinorVersionsUpdate'] },
    { name: 'blocks a major version change', cv: clusterVersion('4.1.0'), target: '5.1.0', expected: ['ClusterVersionGiantHop/MajorVersionUpdate'] },
    { name: 'blocks a minor update when Upgradeable=False', cv: clusterVersion('4.1.0', { upgradeable: 'False' }), target: '4.2.0', expected: ['ClusterVersionUpgradeable/AdminAckRequired'] },
    { name: 'lets a patch update through when Upgradeable=False', cv: clusterVersion('4.1.0', { upgradeable: 'False' }), target: '4.1.5', expected: [] },
    {
      name: 'allows a z-stream rollback to the previous version',
      cv: clusterVersion('4.2.1', { history: ['4.2.1', '4.2.0', '4.1.0'] }),
      target: '4.2.0',
      expected: [],
    },
    {
      name: 'blocks a rollback to anything but the previous version',
      cv: clusterVersion('4.2.2', { history: ['4.2.2', '4.2.1', '4.2.0'] }),
      target: '4.2.0',
      expected: ['ClusterVersionRollback/LowDesiredVersion'],
    },
    {
      name: 'blocks a rollback across minor versions even to the previous version',
      cv: clusterVersion('4.2.0', { history: ['4.2.0', '4.1.0'] }),
      target: '4.1.0',
      expected: ['ClusterVersionRollback/LowDesiredVersion'],
    },
    { name: 'blocks a rollback when there is no previous version', cv: clusterVersion('4.2.0'), target: '4.1.0', expected: ['ClusterVersionRollback/LowDesiredVersion'] },
    { name: 'rejects a target that is not a semantic version', cv: clusterVersion('4.2.0'), target: '4.x', expected: ['ClusterVersionRollback/InvalidDesiredVersion', 'ClusterVersionGiantHop/InvalidDesiredVersion'] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(blocking(runPreconditions(c.cv, c.target)), c.expected);
    });
  }

  it('explains a rollback to the wrong version as the CVO does', () => {
    const [failure] = runPreconditions(clusterVersion('4.2.2', { history: ['4.2.2', '4.2.1'], available: ['4.2.0'] }), '4.2.0');
    assert.equal(failure.message, "4.2.0 is less than the current target 4.2.2, and the only supported rollback is to the cluster's previous version 4.2.1 (registry/ocp@sha256:4.2.1)");
  });

  it('warns, without blocking, when the target is not a recommended update', () => {
    const failures = runPreconditions(clusterVersion('4.1.0'), '4.2.0');
    assert.deepEqual(failures, [{
      name: 'ClusterVersionRecommendedUpdate',
      reason: 'UnknownUpdate',
      message: 'RetrievedUpdates=True (), so the update from 4.1.0 to 4.2.0 is probably neither recommended nor supported.',
      nonBlocking: true,
    }]);
    assert.deepEqual(runPreconditions(clusterVersion('4.1.0', { available: ['4.2.0'] }), '4.2.0'), []);
  });

  it('summarizes one failure as it is and several as a bulleted list', () => {
    const failures = runPreconditions(clusterVersion('4.1.0', { upgradeable: 'False' }), '4.3.0');
    const summary = summarizePreconditions(failures, false);
    assert.equal(summary?.blocking, true);
    assert.equal(summary?.message, [
      'Multiple precondition checks failed:',
      '* Precondition "ClusterVersionGiantHop" failed because of "MultipleMinorVersionsUpdate": 4.3.0 is more than one minor version beyond the current target 4.1.0 (4.3 > 4.(1+1)), and only updates within the current minor version or to the next minor version are supported.',
      '* Precondition "ClusterVersionUpgradeable" failed because of "AdminAckRequired": Kubernetes 1.33 removes APIs',
      '* Precondition "ClusterVersionRecommendedUpdate" failed because of "UnknownUpdate": RetrievedUpdates=True (), so the update from 4.1.0 to 4.3.0 is probably neither recommended nor supported.',
    ].join('\n'));
    assert.equal(summarizePreconditions([], false), undefined);
  });

  it('turns blocking failures into a recorded warning when forced', () => {
    const failures = runPreconditions(clusterVersion('4.1.0', { available: ['4.3.0'] }), '4.3.0');
    assert.deepEqual(summarizePreconditions(failures, true), {
      blocking: false,
      message: 'Forced through blocking failures: Precondition "ClusterVersionGiantHop" failed because of "MultipleMinorVersionsUpdate": 4.3.0 is more than one minor version beyond the current target 4.1.0 (4.3 > 4.(1+1)), and only updates within the current minor version or to the next minor version are supported.',
    });
  });
});

describe('acceptance verdicts', () => {
  const update = { version: '4.2.0', image: 'registry/ocp@sha256:abc', force: false };
  it('says which payload could not be retrieved and why', () => {
    assert.deepEqual(retrieveFailure(update, 'The update cannot be verified: no signature'), {
      ok: false,
      step: 'RetrievePayload',
      message: 'Retrieving payload failed version="4.2.0" image="registry/ocp@sha256:abc" failure=The update cannot be verified: no signature',
    });
  });

  it('refuses a payload whose version is not the requested one, even when forced', () => {
    assert.deepEqual(versionVerdict({ ...update, force: true }, '4.3.0'), {
      ok: false,
      step: 'VerifyPayloadVersion',
      message: 'Verifying payload failed version="4.2.0" image="registry/ocp@sha256:abc" failure=release image version 4.3.0 does not match the expected upstream version 4.2.0',
    });
    assert.deepEqual(versionVerdict({ image: 'x', force: false }, '4.3.0'), { ok: true, acceptedRisks: [] });
  });

  it('blocks on blocking preconditions and records warnings', () => {
    assert.deepEqual(preconditionVerdict(update, { blocking: true, message: 'm' }), {
      ok: false, step: 'PreconditionChecks', message: 'Preconditions failed for payload loaded version="4.2.0" image="registry/ocp@sha256:abc": m',
    });
    assert.deepEqual(preconditionVerdict(update, { blocking: false, message: 'w' }), { ok: true, acceptedRisks: ['w'] });
    assert.equal(payloadLoadedMessage(update, 'amd64'), 'Payload loaded version="4.2.0" image="registry/ocp@sha256:abc" architecture="amd64"');
  });
});
