// The assembled cluster-version operator against the embedded API server: install, updates with history and
// conditions at each step, a stuck operator, refused payloads, preconditions and force, restart mid-update and
// retarget. Operators are simulated (integration.test-util.ts simulateOperators); payloads and signatures are
// in-memory fakes of the contracts.
import assert from 'node:assert/strict';
import type { ClusterVersion, ClusterOperatorStatusCondition, UpdateHistory } from '../../api/config-v1.ts';
import { kubeJson } from '../../runtime/kube-http.ts';
import { waitFor } from '../../runtime/wait.ts';
import type { ReleasePayload } from '../contracts.ts';
import {
  demoPayload,
  MemoryPayloadSource,
  MemoryVerifier,
  signedDemoReleases,
  reportOperator,
  simulateOperators,
  startCvoTestCluster,
  type CvoTestCluster,
  type SimulatedOperators,
} from '../integration.test-util.ts';
import { buildClusterVersionOperator, type ClusterVersionOperatorOptions } from '../operator.ts';
import { invalidPayload } from '../payload/errors.ts';
import { goArch } from '../updates/client.ts';

const COMPONENTS = ['network', 'machine-api'];
const CV_PATH = '/apis/config.openshift.io/v1/clusterversions/version';
const FAST: Partial<ClusterVersionOperatorOptions> = {
  reconcileIntervalMs: 400,
  statusIntervalMs: 20,
  applyTiming: { clusterOperatorWaitMs: 150, pollIntervalMs: 10 },
  taskBackoff: { initialMs: 10, factor: 1, steps: 2, capMs: 10 },
  initializingTaskBackoff: { initialMs: 10, factor: 1, steps: 2, capMs: 10 },
  minRequeueAfterMs: 50,
};

describe('cluster-version operator', function () {
  this.timeout(30_000);
  let cluster: CvoTestCluster;
  let operators: SimulatedOperators;
  const releases: Record<string, ReleasePayload> = {};
  let source: MemoryPayloadSource;
  let verifier: MemoryVerifier;
  const running: Array<() => Promise<void>> = [];

  beforeEach(async () => {
    cluster = await startCvoTestCluster();
    const signed = signedDemoReleases(['4.1.0', '4.2.0', '4.2.1', '4.3.0'], COMPONENTS);
    Object.assign(releases, signed.releases);
    ({ source, verifier } = signed);
    operators = simulateOperators(cluster.kc, COMPONENTS);
  });
  afterEach(async () => {
    for (const stop of running.splice(0)) await stop();
    await operators.stop();
    await cluster.stop();
  });

  function start(options: Partial<ClusterVersionOperatorOptions> = {}): void {
    const operator = buildClusterVersionOperator(cluster.kc, {
      payloadSource: source,
      verifier,
      initialRelease: { version: '4.1.0', image: releases['4.1.0'].pullSpec },
      channel: 'stable-4',
      ...FAST,
      ...options,
    });
    const stop = new AbortController();
    const done = operator.manager.start(stop.signal);
    running.push(async () => {
      stop.abort();
      await done;
    });
  }
  const stopOperator = async () => {
    for (const stop of running.splice(0)) await stop();
  };
  const get = () => kubeJson<ClusterVersion>(cluster.kc, CV_PATH);
  const condition = (cv: ClusterVersion, type: string): Partial<ClusterOperatorStatusCondition> => {
    const { lastTransitionTime: _t, ...rest } = cv.status?.conditions?.find((c) => c.type === type) ?? { lastTransitionTime: '' };
    return rest;
  };
  const history = (cv: ClusterVersion) => (cv.status?.history ?? []).map((h: UpdateHistory) => `${h.state} ${h.version} verified=${h.verified}${h.completionTime ? '' : ' (open)'}`);
  const until = (what: string, predicate: (cv: ClusterVersion) => boolean, timeoutMs = 10_000) =>
    waitFor(async () => {
      const cv = await get().catch(() => undefined);
      return cv && predicate(cv) ? cv : undefined;
    }, { timeoutMs, intervalMs: 20, message: what });
  const completed = (version: string) => (cv: ClusterVersion) => cv.status?.history?.[0]?.state === 'Completed' && cv.status.history[0].version === version;
  const requestUpdate = (update: Record<string, unknown>) =>
    kubeJson(cluster.kc, CV_PATH, { method: 'PATCH', contentType: 'application/merge-patch+json', body: { spec: { desiredUpdate: update } } });

  it('installs the initial release, then updates 4.1.0 → 4.2.0 → 4.3.0 with history and conditions right at each step', async () => {
    start();
    let cv = await until('4.1.0 installed', completed('4.1.0'));
    assert.deepEqual(history(cv), ['Completed 4.1.0 verified=false']);
    assert.equal(cv.spec?.channel, 'stable-4');
    assert.match(cv.spec?.clusterID ?? '', /^[0-9a-f-]{36}$/);
    cv = await until('4.1.0 reconciling', (c) => condition(c, 'Progressing').message === 'Cluster version is 4.1.0');
    assert.deepEqual(condition(cv, 'Available'), { type: 'Available', status: 'True', message: 'Done applying 4.1.0' });
    assert.deepEqual(condition(cv, 'Failing'), { type: 'Failing', status: 'False' });
    assert.deepEqual(condition(cv, 'Progressing'), { type: 'Progressing', status: 'False', message: 'Cluster version is 4.1.0' });
    assert.deepEqual(cv.status?.desired, { version: '4.1.0', image: releases['4.1.0'].pullSpec });
    assert.equal(cv.status?.observedGeneration, cv.metadata?.generation);

    operators.pin('machine-api', { version: '4.1.0' }); // hold the update at the last component a moment
    await requestUpdate({ version: '4.2.0', image: releases['4.2.0'].pullSpec });
    cv = await until('progress towards 4.2.0', (c) => /waiting on machine-api/.test(condition(c, 'Progressing').message ?? ''));
    assert.deepEqual(condition(cv, 'Progressing'), {
      type: 'Progressing',
      status: 'True',
      reason: 'ClusterOperatorUpdating',
      message: 'Working towards 4.2.0: 5 of 6 done (83% complete), waiting on machine-api',
    });
    assert.deepEqual(condition(cv, 'Failing'), { type: 'Failing', status: 'False' });
    assert.deepEqual(condition(cv, 'ReleaseAccepted'), {
      type: 'ReleaseAccepted', status: 'True', reason: 'PayloadLoaded',
      message: `Payload loaded version="4.2.0" image="${releases['4.2.0'].pullSpec}" architecture="${goArch()}"`,
    });
    assert.deepEqual(condition(cv, 'Upgradeable'), {
      type: 'Upgradeable', status: 'False', reason: 'UpdateInProgress', message: 'An update is already in progress and the details are in the Progressing condition',
    });
    assert.deepEqual(history(cv), ['Partial 4.2.0 verified=true (open)', 'Completed 4.1.0 verified=false']);
    operators.pin('machine-api', undefined);
    cv = await until('4.2.0 completed', completed('4.2.0'));
    assert.deepEqual(history(cv), ['Completed 4.2.0 verified=true', 'Completed 4.1.0 verified=false']);

    await requestUpdate({ version: '4.3.0', image: releases['4.3.0'].pullSpec });
    cv = await until('4.3.0 completed', completed('4.3.0'));
    cv = await until('4.3.0 reconciling', (c) => condition(c, 'Progressing').message === 'Cluster version is 4.3.0');
    assert.deepEqual(history(cv), ['Completed 4.3.0 verified=true', 'Completed 4.2.0 verified=true', 'Completed 4.1.0 verified=false']);
    assert.equal(condition(cv, 'Upgradeable').status, undefined, 'no risk once reconciling');
  });

  it('offers the updates the update service lists, and updates to a version named alone', async () => {
    const queries: string[] = [];
    start({
      updateGraph: {
        async fetch(query) {
          queries.push(`${query.channel} ${query.version} ${query.arch}`);
          return { updates: query.version === '4.1.0' ? [{ version: '4.2.0', image: releases['4.2.0'].pullSpec }] : [], conditionalUpdates: [] };
        },
      },
      updatePollIntervalMs: 1_000,
    });
    let cv = await until('updates offered', (c) => (c.status?.availableUpdates?.length ?? 0) > 0);
    assert.deepEqual(cv.status?.availableUpdates, [{ version: '4.2.0', image: releases['4.2.0'].pullSpec }]);
    assert.equal(condition(cv, 'RetrievedUpdates').status, 'True');
    await requestUpdate({ version: '4.2.0' });
    cv = await until('4.2.0 completed', completed('4.2.0'));
    assert.deepEqual(cv.status?.history?.[0].acceptedRisks, undefined, 'a recommended update carries no risk');
    assert.ok(queries.includes(`stable-4 4.2.0 ${goArch()}`), `queried again for the new version: ${queries.join('; ')}`);
  });

  it('makes the update Failing with the name of an operator that is not available, and finishes once it recovers', async () => {
    start();
    await until('4.1.0 installed', completed('4.1.0'));
    operators.pin('network', { available: false, version: '4.1.0' });
    await requestUpdate({ image: releases['4.2.0'].pullSpec });
    let cv = await until('Failing', (c) => condition(c, 'Failing').status === 'True');
    assert.deepEqual(condition(cv, 'Failing'), { type: 'Failing', status: 'True', reason: 'ClusterOperatorNotAvailable', message: 'Cluster operator network is not available' });
    assert.deepEqual(condition(cv, 'Progressing'), {
      type: 'Progressing', status: 'True', reason: 'ClusterOperatorNotAvailable', message: 'Unable to apply 4.2.0: the cluster operator network is not available',
    });
    operators.pin('network', undefined);
    cv = await until('4.2.0 completed', completed('4.2.0'));
    assert.equal(condition(cv, 'Failing').status, 'False');
  });

  it('turns an operator that never reaches the new version into SlowClusterOperator, and finishes once it does', async () => {
    start({ thresholds: { degradedGraceMs: 60_000, slowOperatorMs: 300, slowMachineConfigMs: 60_000 } });
    await until('4.1.0 installed', completed('4.1.0'));
    operators.pin('machine-api', { version: '4.1.0' });
    await requestUpdate({ image: releases['4.2.0'].pullSpec });
    let cv = await until('slow operator', (c) => condition(c, 'Failing').status === 'Unknown');
    assert.deepEqual(condition(cv, 'Failing'), {
      type: 'Failing', status: 'Unknown', reason: 'SlowClusterOperator', message: 'waiting on machine-api over 0 minutes which is longer than expected',
    });
    assert.match(condition(cv, 'Progressing').message ?? '', /^Working towards 4\.2\.0: 5 of 6 done \(83% complete\), waiting on machine-api$/);
    operators.pin('machine-api', undefined);
    cv = await until('4.2.0 completed', completed('4.2.0'));
    assert.deepEqual(history(cv), ['Completed 4.2.0 verified=true', 'Completed 4.1.0 verified=false']);
  });

  const refusals: Array<{ name: string; prepare: () => Record<string, unknown>; reason: string; message: RegExp }> = [
    {
      name: 'an unsigned payload',
      prepare: () => {
        verifier.signed.delete(releases['4.2.0'].digest);
        return { image: releases['4.2.0'].pullSpec };
      },
      reason: 'RetrievePayload',
      message: /^Retrieving payload failed version="" image=".*" failure=The update cannot be verified: unable to verify sha256:[0-9a-f]+ against keyrings: verifier-public-key-dev$/,
    },
    {
      name: 'a tampered or unreachable payload',
      prepare: () => {
        source.failures.set(releases['4.2.0'].pullSpec, new Error('blob sha256:abc was served with content of digest sha256:def: refusing a tampered or corrupt layer'));
        return { image: releases['4.2.0'].pullSpec };
      },
      reason: 'RetrievePayload',
      message: /failure=blob sha256:abc was served with content of digest sha256:def: refusing a tampered or corrupt layer$/,
    },
    {
      name: 'a malformed payload',
      prepare: () => {
        source.failures.set(releases['4.2.0'].pullSpec, invalidPayload('release-manifests/release-metadata', 'not JSON'));
        return { image: releases['4.2.0'].pullSpec };
      },
      reason: 'LoadPayload',
      message: /^Loading payload failed version="" image=".*" failure=release-manifests\/release-metadata: not JSON$/,
    },
    {
      name: 'a payload whose version is not the requested one',
      prepare: () => ({ version: '4.2.1', image: releases['4.2.0'].pullSpec }),
      reason: 'VerifyPayloadVersion',
      message: /failure=release image version 4\.2\.0 does not match the expected upstream version 4\.2\.1$/,
    },
    {
      name: 'an update that skips a minor version',
      prepare: () => ({ version: '4.3.0', image: releases['4.3.0'].pullSpec }),
      reason: 'PreconditionChecks',
      message: /Precondition "ClusterVersionGiantHop" failed because of "MultipleMinorVersionsUpdate"/,
    },
  ];
  for (const refusal of refusals) {
    it(`refuses ${refusal.name} and leaves the cluster untouched`, async () => {
      start();
      const before = await until('4.1.0 installed', completed('4.1.0'));
      await requestUpdate(refusal.prepare());
      const cv = await until('ReleaseAccepted=False', (c) => condition(c, 'ReleaseAccepted').status === 'False');
      assert.equal(condition(cv, 'ReleaseAccepted').reason, refusal.reason);
      assert.match(condition(cv, 'ReleaseAccepted').message ?? '', refusal.message);
      assert.deepEqual(cv.status?.history, before.status?.history);
      assert.deepEqual(cv.status?.desired, before.status?.desired);
      const config = await kubeJson<{ data: Record<string, string> }>(cluster.kc, '/api/v1/namespaces/openshift-network/configmaps/network-config');
      assert.deepEqual(config.data, { version: '4.1.0' });
    });
  }

  it('blocks a minor update while an operator says Upgradeable=False, allows a patch update, and force overrides with the risk recorded', async () => {
    releases['4.1.1'] = demoPayload('4.1.1', COMPONENTS);
    source.add(releases['4.1.1']);
    verifier.signed.add(releases['4.1.1'].digest);
    start();
    await until('4.1.0 installed', completed('4.1.0'));
    operators.pin('network', { version: '4.1.0', upgradeable: false });
    await until('Upgradeable=False', (c) => condition(c, 'Upgradeable').status === 'False');
    await requestUpdate({ image: releases['4.2.0'].pullSpec });
    let cv = await until('blocked', (c) => condition(c, 'ReleaseAccepted').status === 'False');
    assert.equal(condition(cv, 'ReleaseAccepted').reason, 'PreconditionChecks');
    assert.match(condition(cv, 'ReleaseAccepted').message ?? '', /Precondition "ClusterVersionUpgradeable" failed because of "AdminAckRequired": Cluster operator network should not be upgraded between minor versions: An admin must acknowledge the API removals/);

    operators.pin('network', undefined);
    await reportOperator(cluster.kc, 'network', { version: '4.1.0', upgradeable: false });
    await requestUpdate({ image: releases['4.1.1'].pullSpec });
    operators.pin('network', { version: '4.1.1', upgradeable: false });
    cv = await until('patch update completed', completed('4.1.1'));

    await requestUpdate({ image: releases['4.2.0'].pullSpec, force: true });
    operators.pin('network', undefined);
    cv = await until('forced update completed', completed('4.2.0'));
    assert.match(cv.status?.history?.[0].acceptedRisks ?? '', /^Forced through blocking failures: .*Precondition "ClusterVersionUpgradeable" failed because of "AdminAckRequired"/s);
  });

  it('records a forced unsigned update as verified=false with the failure as an accepted risk', async () => {
    verifier.signed.delete(releases['4.2.0'].digest);
    start();
    await until('4.1.0 installed', completed('4.1.0'));
    await requestUpdate({ image: releases['4.2.0'].pullSpec, force: true });
    const cv = await until('4.2.0 completed', completed('4.2.0'));
    const [head] = cv.status?.history ?? [];
    assert.equal(head.verified, false);
    assert.match(head.acceptedRisks ?? '', /^The update cannot be verified: unable to verify sha256:/);
  });

  it('resumes an update after the operator is stopped mid-way, from the API state alone', async () => {
    start();
    await until('4.1.0 installed', completed('4.1.0'));
    operators.pin('machine-api', { version: '4.1.0' });
    await requestUpdate({ image: releases['4.2.0'].pullSpec });
    await until('mid-update', (c) => /waiting on machine-api/.test(condition(c, 'Progressing').message ?? ''));
    await stopOperator();
    operators.pin('machine-api', undefined);
    start();
    const cv = await until('4.2.0 completed', completed('4.2.0'));
    assert.deepEqual(history(cv), ['Completed 4.2.0 verified=true', 'Completed 4.1.0 verified=false']);
  });

  it('retargets to a patch release mid-update, leaving the abandoned target Partial in history', async () => {
    start();
    await until('4.1.0 installed', completed('4.1.0'));
    operators.pin('machine-api', { version: '4.1.0' });
    await requestUpdate({ image: releases['4.2.0'].pullSpec });
    await until('mid-update', (c) => /waiting on machine-api/.test(condition(c, 'Progressing').message ?? ''));
    await requestUpdate({ image: releases['4.2.1'].pullSpec });
    operators.pin('machine-api', undefined);
    const cv = await until('4.2.1 completed', completed('4.2.1'));
    assert.deepEqual(history(cv), ['Completed 4.2.1 verified=true', 'Partial 4.2.0 verified=true', 'Completed 4.1.0 verified=false']);
    // The abandoned target was closed when the new one started.
    assert.equal(cv.status?.history?.[1].completionTime, cv.status?.history?.[0].startedTime);
  });

  it('blocks a minor retarget mid-update', async () => {
    start();
    await until('4.1.0 installed', completed('4.1.0'));
    operators.pin('machine-api', { version: '4.1.0' });
    await requestUpdate({ image: releases['4.2.0'].pullSpec });
    await until('mid-update', (c) => /waiting on machine-api/.test(condition(c, 'Progressing').message ?? ''));
    await requestUpdate({ image: releases['4.3.0'].pullSpec });
    const cv = await until('blocked', (c) => condition(c, 'ReleaseAccepted').status === 'False');
    assert.match(condition(cv, 'ReleaseAccepted').message ?? '', /"ClusterVersionUpgradeable" failed because of "UpdateInProgress"/);
    assert.equal(cv.status?.desired?.version, '4.2.0');
  });
});
