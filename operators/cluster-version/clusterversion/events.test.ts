import assert from 'node:assert/strict';
import type { ClusterOperatorStatusCondition, ClusterVersion, ClusterVersionStatus, UpdateHistory } from '../../api/config-v1.ts';
import type { EventInput } from '../../runtime/events.ts';
import type { PayloadSource, ReleasePayload, SignatureVerifier } from '../contracts.ts';
import { acceptRelease } from './acceptance.ts';
import { AcceptanceEventGate, acceptanceEvents, autoUpdateEvents, failingEvents, historyEvents, StatusEvents } from './events.ts';

const T0 = '2026-03-01T10:00:00Z';
const T1 = '2026-03-01T10:02:13Z';
const image = (version: string) => `registry.local/ocp/release@sha256:${version.replaceAll('.', '').padStart(64, '0')}`;
const entry = (state: 'Completed' | 'Partial', version: string, startedTime = T0, completionTime: string | null = state === 'Completed' ? T1 : null): UpdateHistory => ({
  state, version, image: image(version), startedTime, completionTime, verified: true,
});
/** Reason and note, the parts an administrator reads. */
const summary = (events: readonly EventInput[]) => events.map((e) => `${e.type} ${e.reason}: ${e.note}`);

describe('cluster-version Events', () => {
  describe('history transitions', () => {
    const cases: Array<{ name: string; before: UpdateHistory[] | undefined; after: UpdateHistory[]; want: string[] }> = [
      { name: 'says nothing when an install starts', before: undefined, after: [entry('Partial', '4.1.0')], want: [] },
      { name: 'says nothing while the head stays as it was', before: [entry('Partial', '4.2.0', T1), entry('Completed', '4.1.0')], after: [entry('Partial', '4.2.0', T1), entry('Completed', '4.1.0')], want: [] },
      { name: 'reports a completed install with its duration', before: [entry('Partial', '4.1.0')], after: [entry('Completed', '4.1.0')], want: ['Normal InstallCompleted: Installed 4.1.0 in 2m13s'] },
      {
        name: 'reports the start of an update from the completed release',
        before: [entry('Completed', '4.1.0')],
        after: [entry('Partial', '4.2.0', T1), entry('Completed', '4.1.0')],
        want: ['Normal UpdateStarted: Started the update from 4.1.0 to 4.2.0'],
      },
      {
        name: 'reports a retarget when the previous head had not completed',
        before: [entry('Partial', '4.2.0'), entry('Completed', '4.1.0')],
        after: [entry('Partial', '4.2.1', T1), entry('Partial', '4.2.0', T0, T1), entry('Completed', '4.1.0')],
        want: ['Normal UpdateRetargeted: Retargeted the update from 4.2.0 to 4.2.1 before 4.2.0 completed'],
      },
      {
        name: 'reports a completed update from the last completed release, past an abandoned target',
        before: [entry('Partial', '4.2.1'), entry('Partial', '4.2.0', T0, T0), entry('Completed', '4.1.0')],
        after: [entry('Completed', '4.2.1'), entry('Partial', '4.2.0', T0, T0), entry('Completed', '4.1.0')],
        want: ['Normal UpdateCompleted: Completed the update from 4.1.0 to 4.2.1 in 2m13s'],
      },
      {
        name: 'reports both start and completion when one write shows both',
        before: [entry('Completed', '4.1.0')],
        after: [entry('Completed', '4.2.0'), entry('Completed', '4.1.0')],
        want: ['Normal UpdateStarted: Started the update from 4.1.0 to 4.2.0', 'Normal UpdateCompleted: Completed the update from 4.1.0 to 4.2.0 in 2m13s'],
      },
    ];
    for (const c of cases) it(c.name, () => assert.deepEqual(summary(historyEvents(c.before, c.after)), c.want));
  });

  describe('Failing transitions', () => {
    const failing = (status: 'True' | 'False' | 'Unknown', reason?: string, message?: string): ClusterOperatorStatusCondition => ({
      type: 'Failing', status, lastTransitionTime: T0, ...(reason ? { reason } : {}), ...(message ? { message } : {}),
    });
    const notAvailable = failing('True', 'ClusterOperatorNotAvailable', 'Cluster operator network is not available');

    it('warns when Failing turns True, and not again while it stays so', () => {
      const first = failingEvents(failing('False'), notAvailable, undefined, false);
      assert.deepEqual(summary(first.events), ['Warning Failing: Failing=True: ClusterOperatorNotAvailable: Cluster operator network is not available']);
      assert.deepEqual(failingEvents(notAvailable, notAvailable, first.reported, false).events, []);
    });

    it('ignores the flip to False and back that every retry makes, until an apply completes', () => {
      let reported = failingEvents(failing('False'), notAvailable, undefined, false).reported;
      for (let retry = 0; retry < 3; retry++) {
        const cleared = failingEvents(notAvailable, failing('False'), reported, false);
        assert.deepEqual(cleared.events, []);
        const again = failingEvents(failing('False'), notAvailable, cleared.reported, false);
        assert.deepEqual(again.events, []);
        reported = again.reported;
      }
      const resolved = failingEvents(notAvailable, failing('False'), reported, true);
      assert.deepEqual(summary(resolved.events), ['Normal FailingResolved: No longer failing: the last apply of the release completed']);
      assert.equal(resolved.reported, null);
    });

    it('warns again for another failure, and for a slow operator (Failing=Unknown)', () => {
      const { reported } = failingEvents(failing('False'), notAvailable, undefined, false);
      const degraded = failing('True', 'ClusterOperatorDegraded', 'Cluster operator network is degraded');
      assert.deepEqual(summary(failingEvents(notAvailable, degraded, reported, false).events), ['Warning Failing: Failing=True: ClusterOperatorDegraded: Cluster operator network is degraded']);
      const slow = failing('Unknown', 'SlowClusterOperator', 'waiting on demo over 30 minutes which is longer than expected');
      assert.deepEqual(summary(failingEvents(failing('False'), slow, undefined, false).events), ['Warning Failing: Failing=Unknown: SlowClusterOperator: waiting on demo over 30 minutes which is longer than expected']);
    });

    it('after a restart takes the failure already reported from the status read', () => {
      assert.deepEqual(failingEvents(notAvailable, notAvailable, undefined, false).events, []);
      assert.deepEqual(failingEvents(failing('False'), notAvailable, undefined, false).events.length, 1, 'unknown before: reported');
      assert.deepEqual(summary(failingEvents(notAvailable, failing('False'), undefined, true).events), ['Normal FailingResolved: No longer failing: the last apply of the release completed']);
      assert.deepEqual(failingEvents(notAvailable, failing('False'), null, true).events, [], 'this process reported nothing: nothing to resolve');
    });

    it('says nothing for a healthy cluster', () => {
      assert.deepEqual(failingEvents(failing('False'), failing('False'), undefined, true), { events: [], reported: null });
      assert.deepEqual(failingEvents(undefined, failing('False'), null, true), { events: [], reported: null });
    });
  });

  describe('auto-update transitions', () => {
    const auto = (status: 'True' | 'False', reason: string, message: string) => ({ type: 'AutoUpdateWaiting', status, reason, message });
    const window = auto('True', 'OutsideMaintenanceWindow', 'Update to 4.2.0 waits for the next maintenance window opening at 2025-01-11T02:00:00.000Z');
    const cases: Array<{ name: string; before?: ReturnType<typeof auto>; after?: ReturnType<typeof auto>; want: string[] }> = [
      { name: 'says why an offered update waits', before: undefined, after: window, want: [`Normal AutoUpdateWaiting: OutsideMaintenanceWindow: ${window.message}`] },
      { name: 'says nothing while the reason stays', before: window, after: { ...window }, want: [] },
      {
        name: 'says so when the reason changes',
        before: window,
        after: auto('True', 'NotUpgradeable', 'Update to 4.2.0 changes the minor version and the cluster is not upgradeable'),
        want: ['Normal AutoUpdateWaiting: NotUpgradeable: Update to 4.2.0 changes the minor version and the cluster is not upgradeable'],
      },
      { name: 'reports the start', before: window, after: auto('False', 'UpdateStarted', 'Started an automatic update to 4.2.0'), want: ['Normal AutoUpdateStarted: Started an automatic update to 4.2.0'] },
      { name: 'leaves a running update to its own Events', before: auto('False', 'UpdateStarted', 'x'), after: auto('False', 'Updating', 'An update is in progress'), want: [] },
      { name: 'warns about an invalid policy', before: undefined, after: auto('True', 'InvalidPolicy', 'The annotation is ignored: bad'), want: ['Warning AutoUpdatePolicyInvalid: The annotation is ignored: bad'] },
      { name: 'says nothing when the policy goes away', before: window, after: undefined, want: [] },
    ];
    for (const c of cases) it(c.name, () => assert.deepEqual(summary(autoUpdateEvents(c.before, c.after)), c.want));
  });

  it('records nothing for a status written again as it was (the steady state)', () => {
    const status: ClusterVersionStatus = {
      desired: { version: '4.2.0', image: image('4.2.0') },
      history: [entry('Completed', '4.2.0'), entry('Completed', '4.1.0')],
      observedGeneration: 2,
      versionHash: 'h',
      availableUpdates: [],
      conditions: [
        { type: 'Failing', status: 'False', lastTransitionTime: T0 },
        { type: 'AutoUpdateWaiting', status: 'True', reason: 'NoEligibleUpdate', message: 'No recommended update from 4.2.0', lastTransitionTime: T0 },
      ],
    };
    const events = new StatusEvents();
    for (let pass = 0; pass < 5; pass++) assert.deepEqual(events.written(status, structuredClone(status), { applied: true, initializing: false }), []);
  });

  it('does not warn about operators that are not up yet while installing', () => {
    const installing = (failing: 'True' | 'False'): ClusterVersionStatus => ({
      desired: { version: '4.1.0', image: image('4.1.0') },
      history: [entry('Partial', '4.1.0')],
      observedGeneration: 1,
      versionHash: 'h',
      availableUpdates: [],
      conditions: [{ type: 'Failing', status: failing, lastTransitionTime: T0, ...(failing === 'True' ? { reason: 'ClusterOperatorNotAvailable', message: 'Cluster operator network is not available' } : {}) }],
    });
    const events = new StatusEvents();
    assert.deepEqual(events.written(installing('False'), installing('True'), { applied: false, initializing: true }), []);
    const installed = { ...installing('False'), history: [entry('Completed', '4.1.0')] };
    assert.deepEqual(summary(events.written(installing('True'), installed, { applied: true, initializing: false })), ['Normal InstallCompleted: Installed 4.1.0 in 2m13s'], 'nothing to resolve');
    const updating = events.written(installing('False'), installing('True'), { applied: false, initializing: false });
    assert.deepEqual(summary(updating), ['Warning Failing: Failing=True: ClusterOperatorNotAvailable: Cluster operator network is not available']);
  });

  describe('acceptance retries', () => {
    const retrieving = acceptanceEvents.retrieving({ image: image('4.3.0'), version: '4.3.0', force: false });
    const blocked = { ok: false as const, step: 'PreconditionChecks' as const, message: 'Preconditions failed: GiantHop' };

    function gate() {
      const recorded: string[] = [];
      return { recorded, gate: new AcceptanceEventGate((e) => recorded.push(e.reason)) };
    }
    const run = (g: AcceptanceEventGate, key: string, outcome: Parameters<ReturnType<AcceptanceEventGate['begin']>['settle']>[0], reasons: string[], retry = true) => {
      const r = g.begin(key, retry);
      for (const reason of reasons) r.record({ ...retrieving, reason });
      r.settle(outcome);
    };

    it('records a first run as it happens, and a retry refused the same way not at all', () => {
      const { recorded, gate: g } = gate();
      const first = g.begin('4.3.0', false);
      first.record(retrieving);
      assert.deepEqual(recorded, ['RetrievePayload'], 'before the run ends');
      first.record({ ...retrieving, reason: 'PreconditionBlock' });
      first.settle(blocked);
      for (let i = 0; i < 3; i++) run(g, '4.3.0', blocked, ['RetrievePayload', 'LoadPayload', 'PreconditionBlock']);
      assert.deepEqual(recorded, ['RetrievePayload', 'PreconditionBlock']);
    });

    it('records a retry that ends differently, and a run of another target', () => {
      const { recorded, gate: g } = gate();
      run(g, '4.3.0', blocked, ['PreconditionBlock']);
      run(g, '4.3.0', { ok: false, step: 'RetrievePayload', message: 'connection refused' }, ['RetrievePayloadFailed']);
      run(g, '4.3.0', { ok: true }, ['PayloadLoaded']);
      run(g, '4.3.0', blocked, ['PreconditionBlock']);
      run(g, '4.3.0|force', { ok: true }, ['PreconditionWarn', 'PayloadLoaded'], false);
      assert.deepEqual(recorded, ['PreconditionBlock', 'RetrievePayloadFailed', 'PayloadLoaded', 'PreconditionBlock', 'PreconditionWarn', 'PayloadLoaded']);
    });

    it('records a target requested again after another one as a new request, even if refused the same way', () => {
      const { recorded, gate: g } = gate();
      run(g, '4.3.0', blocked, ['PreconditionBlock'], false);
      run(g, '4.3.0', blocked, ['PreconditionBlock'], false);
      assert.deepEqual(recorded, ['PreconditionBlock', 'PreconditionBlock']);
    });
  });

  describe('acceptance steps', () => {
    const payload = (version: string): ReleasePayload => ({
      version, digest: `sha256:${version.replaceAll('.', '').padStart(64, '0')}`, pullSpec: image(version),
      metadata: { kind: 'cincinnati-metadata-v0', version }, images: [], manifests: [],
    });
    const source: PayloadSource = { load: async (ref) => payload(/sha256:0*(\d+)$/.exec(ref.image ?? '')![1].split('').join('.')) };
    const verifier = (signed: boolean): SignatureVerifier => ({
      verify: async (digest) => (signed ? { verified: true, keys: ['k'] } : { verified: false, reason: 'NoSignature', message: `unable to verify ${digest} against keyrings: k` }),
    });
    const cv = (upgradeable: 'True' | 'False'): ClusterVersion => ({
      metadata: { name: 'version' },
      spec: { clusterID: 'id', channel: 'stable-4' },
      status: {
        desired: { version: '4.1.0', image: image('4.1.0') },
        history: [entry('Completed', '4.1.0')],
        observedGeneration: 1,
        versionHash: '',
        availableUpdates: [{ version: '4.2.0', image: image('4.2.0') }],
        conditions: upgradeable === 'False' ? [{ type: 'Upgradeable', status: 'False', reason: 'AdminAckRequired', message: 'ack', lastTransitionTime: T0 }] : [],
      },
    });
    async function accept(version: string, options: { force?: boolean; signed?: boolean; upgradeable?: 'True' | 'False'; local?: boolean } = {}): Promise<string[]> {
      const events: EventInput[] = [];
      await acceptRelease(
        { update: { version, image: image(version), force: options.force ?? false }, cv: cv(options.upgradeable ?? 'True'), local: options.local ?? false },
        { payloads: source, verifier: verifier(options.signed ?? true), architecture: 'amd64' },
        AbortSignal.timeout(5_000),
        { progress: () => undefined, event: (e) => events.push(e) },
      );
      return events.map((e) => `${e.type} ${e.reason}`);
    }

    const cases: Array<{ name: string; version: string; options?: Parameters<typeof accept>[1]; want: string[] }> = [
      { name: 'loads the operator\'s own release without checks', version: '4.1.0', options: { local: true }, want: ['Normal RetrievePayload', 'Normal LoadPayload', 'Normal PayloadLoaded'] },
      { name: 'accepts a recommended, signed update', version: '4.2.0', want: ['Normal RetrievePayload', 'Normal LoadPayload', 'Normal PreconditionsPassed', 'Normal PayloadLoaded'] },
      { name: 'refuses an unsigned update', version: '4.2.0', options: { signed: false }, want: ['Normal RetrievePayload', 'Warning RetrievePayloadFailed'] },
      {
        name: 'warns when force lets an unsigned update through',
        version: '4.2.0',
        options: { signed: false, force: true },
        want: ['Normal RetrievePayload', 'Warning RetrievePayload', 'Normal LoadPayload', 'Normal PreconditionsPassed', 'Normal PayloadLoaded'],
      },
      { name: 'blocks a minor update while not upgradeable', version: '4.2.0', options: { upgradeable: 'False' }, want: ['Normal RetrievePayload', 'Normal LoadPayload', 'Warning PreconditionBlock'] },
      {
        name: 'warns when force lets a blocked update through',
        version: '4.2.0',
        options: { upgradeable: 'False', force: true },
        want: ['Normal RetrievePayload', 'Normal LoadPayload', 'Warning PreconditionWarn', 'Normal PreconditionsPassed', 'Normal PayloadLoaded'],
      },
      {
        name: 'warns about an update that is not recommended, then accepts it',
        version: '4.2.1',
        want: ['Normal RetrievePayload', 'Normal LoadPayload', 'Warning PreconditionWarn', 'Normal PreconditionsPassed', 'Normal PayloadLoaded'],
      },
    ];
    for (const c of cases) it(c.name, async () => assert.deepEqual(await accept(c.version, c.options), c.want));

    it('uses upstream\'s messages', async () => {
      const events: EventInput[] = [];
      await acceptRelease(
        { update: { image: image('4.2.0'), force: true }, cv: cv('False'), local: false },
        { payloads: source, verifier: verifier(false), architecture: 'amd64' },
        AbortSignal.timeout(5_000),
        { progress: () => undefined, event: (e) => events.push(e) },
      );
      const img = image('4.2.0');
      assert.deepEqual(events.map((e) => e.note), [
        `Retrieving and verifying payload version="" image="${img}"`,
        `Target release version="" image="${img}" cannot be verified, but continuing anyway because the update was forced: unable to verify sha256:${'420'.padStart(64, '0')} against keyrings: k`,
        `Loading payload version="" image="${img}"`,
        `precondition warning for payload loaded version="4.2.0" image="${img}": Forced through blocking failures: Precondition "ClusterVersionUpgradeable" failed because of "AdminAckRequired": ack`,
        `preconditions passed for payload loaded version="4.2.0" image="${img}"`,
        `Payload loaded version="4.2.0" image="${img}" architecture="amd64"`,
      ]);
    });
  });
});
