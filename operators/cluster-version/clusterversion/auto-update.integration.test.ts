// Opt-in automatic updates (updates/auto-update.ts, applied by controller.ts decideAutoUpdate) with the
// assembled operator against the embedded API server: the policy annotation, an update graph 4.1.0 → 4.2.0 →
// 4.3.0, and a clock placed inside or outside the maintenance window. Why an update does not start is the
// AutoUpdateWaiting condition and an Event when it changes; the log is captured to count reconciles.
import assert from 'node:assert/strict';
import type { ClusterOperatorStatusCondition, ClusterVersion, UpdateHistory } from '../../api/config-v1.ts';
import { kubeJson } from '../../runtime/kube-http.ts';
import { createLogger } from '../../runtime/log.ts';
import { waitFor } from '../../runtime/wait.ts';
import type { ReleasePayload, UpdateGraphClient } from '../contracts.ts';
import {
  clusterVersionEvents, demoPayload, MemoryPayloadSource, MemoryVerifier, simulateOperators, startCvoTestCluster, type CvoTestCluster, type SimulatedOperators,
} from '../integration.test-util.ts';
import { buildClusterVersionOperator } from '../operator.ts';
import { AUTO_UPDATE_ANNOTATION, AUTO_UPDATE_CONDITION } from '../updates/auto-update.ts';

const COMPONENTS = ['network', 'machine-api'];
const CV_PATH = '/apis/config.openshift.io/v1/clusterversions/version';
/** The policy of every test: Saturdays 02:00-06:00 UTC. */
const SATURDAY_WINDOW = { enabled: true, maintenanceWindows: [{ days: ['Sat'], start: '02:00', durationMinutes: 240, timeZone: 'UTC' }] };
/** 2025-01-04 is a Saturday: inside the window. */
const IN_WINDOW = Date.parse('2025-01-04T03:00:00Z');
/** 2025-01-06 is a Monday: the next window opens on Saturday 2025-01-11. */
const OUTSIDE_WINDOW = Date.parse('2025-01-06T03:00:00Z');

interface LogLine {
  readonly level: string;
  readonly msg: string;
  readonly [field: string]: unknown;
}

describe('cluster-version operator automatic updates', function () {
  this.timeout(30_000);
  let cluster: CvoTestCluster;
  let operators: SimulatedOperators;
  const releases: Record<string, ReleasePayload> = {};
  let logs: LogLine[];
  let stopOperator: () => Promise<void>;

  beforeEach(async () => {
    cluster = await startCvoTestCluster();
    for (const v of ['4.1.0', '4.2.0', '4.3.0']) releases[v] = demoPayload(v, COMPONENTS);
    operators = simulateOperators(cluster.kc, COMPONENTS);
    logs = [];
    stopOperator = async () => undefined;
  });
  afterEach(async () => {
    await stopOperator();
    await operators.stop();
    await cluster.stop();
  });

  /** The channel: 4.1.0 → 4.2.0 → 4.3.0; 4.3.0 is reachable only from 4.2.0. */
  const graph: UpdateGraphClient = {
    async fetch(query) {
      const next: Record<string, string> = { '4.1.0': '4.2.0', '4.2.0': '4.3.0' };
      const to = next[query.version];
      return { updates: to ? [{ version: to, image: releases[to].pullSpec }] : [], conditionalUpdates: [] };
    },
  };

  /** Starts the operator with automatic updates on (unless told otherwise) and a clock that runs from `startAt`. */
  function start(startAt: number, autoUpdate = true): void {
    const offset = startAt - Date.now();
    const verifier = new MemoryVerifier();
    for (const p of Object.values(releases)) verifier.signed.add(p.digest);
    const operator = buildClusterVersionOperator(cluster.kc, {
      payloadSource: new MemoryPayloadSource(Object.values(releases)),
      verifier,
      initialRelease: { version: '4.1.0', image: releases['4.1.0'].pullSpec },
      channel: 'stable-4',
      updateGraph: graph,
      autoUpdate,
      now: () => new Date(Date.now() + offset),
      logger: createLogger({ level: 'debug', sink: (line) => logs.push(JSON.parse(line) as LogLine) }),
      reconcileIntervalMs: 200,
      statusIntervalMs: 20,
      updatePollIntervalMs: 1_000,
      applyTiming: { clusterOperatorWaitMs: 150, pollIntervalMs: 10 },
      taskBackoff: { initialMs: 10, factor: 1, steps: 2, capMs: 10 },
      initializingTaskBackoff: { initialMs: 10, factor: 1, steps: 2, capMs: 10 },
      minRequeueAfterMs: 50,
    });
    const stop = new AbortController();
    const done = operator.manager.start(stop.signal);
    stopOperator = async () => {
      stop.abort();
      await done;
    };
  }

  const get = () => kubeJson<ClusterVersion>(cluster.kc, CV_PATH);
  const until = (what: string, predicate: (cv: ClusterVersion) => boolean, timeoutMs = 10_000) =>
    waitFor(async () => {
      const cv = await get().catch(() => undefined);
      return cv && predicate(cv) ? cv : undefined;
    }, { timeoutMs, intervalMs: 20, message: what });
  const completed = (version: string) => (cv: ClusterVersion) => cv.status?.history?.[0]?.state === 'Completed' && cv.status.history[0].version === version;
  const offered = (version: string) => (cv: ClusterVersion) => (cv.status?.availableUpdates ?? []).some((u) => u.version === version);
  const history = (cv: ClusterVersion) => (cv.status?.history ?? []).map((h: UpdateHistory) => `${h.state} ${h.version}${h.completionTime ? '' : ' (open)'}`);
  const setPolicy = (value: string) =>
    kubeJson(cluster.kc, CV_PATH, { method: 'PATCH', contentType: 'application/merge-patch+json', body: { metadata: { annotations: { [AUTO_UPDATE_ANNOTATION]: value } } } });
  const logged = (msg: string, match: Partial<LogLine> = {}) =>
    logs.filter((l) => l.msg === msg && Object.entries(match).every(([k, v]) => JSON.stringify(l[k]) === JSON.stringify(v)));
  const autoCondition = (cv: ClusterVersion): Partial<ClusterOperatorStatusCondition> => {
    const { lastTransitionTime: _t, ...rest } = cv.status?.conditions?.find((c) => c.type === AUTO_UPDATE_CONDITION) ?? { lastTransitionTime: '' };
    return rest;
  };
  /** The auto-update Events as "Type Reason: message", oldest first. */
  const autoEvents = async () => (await clusterVersionEvents(cluster.kc)).filter((e) => e.reason.startsWith('AutoUpdate')).map((e) => `${e.type} ${e.reason}: ${e.message}`);
  /** Waits until the controller has logged `msg` `count` more times: that many reconciles saw the same state. */
  const reconciledTimes = async (count: number, msg: string, match: Partial<LogLine> = {}) => {
    const seen = logged(msg, match).length;
    await waitFor(() => logged(msg, match).length >= seen + count, { timeoutMs: 5_000, message: `${count} more "${msg}" lines` });
  };

  it('updates itself inside an open window to 4.2.0, then, once that completes, to 4.3.0, one step at a time', async () => {
    start(IN_WINDOW);
    await until('4.1.0 installed and 4.2.0 offered', (cv) => completed('4.1.0')(cv) && offered('4.2.0')(cv));
    operators.pin('machine-api', { version: '4.1.0' }); // hold the first update before its last component
    await setPolicy(JSON.stringify(SATURDAY_WINDOW));

    let cv = await until('automatic update to 4.2.0 started', (c) => c.spec?.desiredUpdate?.version === '4.2.0');
    assert.deepEqual(cv.spec?.desiredUpdate, { version: '4.2.0', image: releases['4.2.0'].pullSpec });
    // Mid-update the graph already offers 4.3.0 (queried for the target): it must wait for 4.2.0 to complete.
    cv = await until('4.3.0 offered mid-update', (c) => offered('4.3.0')(c) && c.status?.history?.[0]?.state === 'Partial');
    await reconciledTimes(3, 'Automatic update waiting', { reason: 'Updating' });
    cv = await get();
    assert.equal(cv.spec?.desiredUpdate?.version, '4.2.0', 'no second update while one runs');
    assert.deepEqual(history(cv), ['Partial 4.2.0 (open)', 'Completed 4.1.0']);

    operators.pin('machine-api', undefined);
    cv = await until('4.3.0 completed', completed('4.3.0'));
    assert.deepEqual(cv.spec?.desiredUpdate, { version: '4.3.0', image: releases['4.3.0'].pullSpec });
    assert.deepEqual(history(cv), ['Completed 4.3.0', 'Completed 4.2.0', 'Completed 4.1.0']);
    const [to43, to42] = cv.status?.history ?? [];
    assert.ok(Date.parse(to43.startedTime) >= Date.parse(to42.completionTime ?? ''), '4.3.0 started only after 4.2.0 completed');
    // A reconcile that runs before the cache has seen its own patch may patch the same target again (a no-op
    // write), so repeats of one step are collapsed; what matters is that the steps come in order.
    const steps = logged('Starting automatic update').map((l) => l.version).filter((v, i, all) => v !== all[i - 1]);
    assert.deepEqual(steps, ['4.2.0', '4.3.0']);
    cv = await until('nothing more to take', (c) => autoCondition(c).reason === 'NoEligibleUpdate');
    assert.deepEqual(autoCondition(cv), { type: AUTO_UPDATE_CONDITION, status: 'True', reason: 'NoEligibleUpdate', message: 'No recommended update from 4.3.0' });
    await waitFor(async () => (await autoEvents()).length === 3, { timeoutMs: 5_000, message: 'the last auto-update Event' });
    assert.deepEqual(await autoEvents(), [
      'Normal AutoUpdateStarted: Started an automatic update to 4.2.0',
      'Normal AutoUpdateStarted: Started an automatic update to 4.3.0',
      'Normal AutoUpdateWaiting: NoEligibleUpdate: No recommended update from 4.3.0',
    ]);
  });

  it('leaves spec.desiredUpdate alone outside the window, and says when the next one opens in a condition and one Event', async () => {
    start(OUTSIDE_WINDOW);
    await until('4.1.0 installed and 4.2.0 offered', (cv) => completed('4.1.0')(cv) && offered('4.2.0')(cv));
    await setPolicy(JSON.stringify(SATURDAY_WINDOW));
    const message = 'Update to 4.2.0 waits for the next maintenance window opening at 2025-01-11T02:00:00.000Z';
    let cv = await until('AutoUpdateWaiting', (c) => autoCondition(c).status === 'True');
    assert.deepEqual(autoCondition(cv), { type: AUTO_UPDATE_CONDITION, status: 'True', reason: 'OutsideMaintenanceWindow', message });
    await reconciledTimes(3, 'Automatic update waiting', { reason: 'OutsideMaintenanceWindow' });
    assert.deepEqual(await autoEvents(), [`Normal AutoUpdateWaiting: OutsideMaintenanceWindow: ${message}`], 'one Event, not one per reconcile');
    cv = await get();
    assert.equal(cv.spec?.desiredUpdate, undefined);
    assert.deepEqual(history(cv), ['Completed 4.1.0']);
    assert.deepEqual(logged('Starting automatic update'), []);
  });

  it('takes no minor update while an operator says Upgradeable=False, and says why', async () => {
    start(IN_WINDOW);
    await until('4.1.0 installed and 4.2.0 offered', (cv) => completed('4.1.0')(cv) && offered('4.2.0')(cv));
    operators.pin('network', { version: '4.1.0', upgradeable: false });
    await until('Upgradeable=False', (cv) => cv.status?.conditions?.some((c) => c.type === 'Upgradeable' && c.status === 'False') ?? false);
    await setPolicy(JSON.stringify(SATURDAY_WINDOW));
    const cv = await until('AutoUpdateWaiting', (c) => autoCondition(c).status === 'True');
    const message = 'Update to 4.2.0 changes the minor version and the cluster is not upgradeable (Upgradeable=False, AdminAckRequired): ' +
      'Cluster operator network should not be upgraded between minor versions: An admin must acknowledge the API removals';
    assert.deepEqual(autoCondition(cv), { type: AUTO_UPDATE_CONDITION, status: 'True', reason: 'NotUpgradeable', message });
    await reconciledTimes(3, 'Automatic update waiting', { reason: 'NotUpgradeable' });
    assert.deepEqual(await autoEvents(), [`Normal AutoUpdateWaiting: NotUpgradeable: ${message}`]);
    assert.equal((await get()).spec?.desiredUpdate, undefined);

    operators.pin('network', undefined);
    await until('automatic update to 4.2.0 started', (c) => c.spec?.desiredUpdate?.version === '4.2.0');
  });

  it('says that the annotation has no effect on an operator started without --enable-auto-update', async () => {
    start(IN_WINDOW, false);
    await until('4.1.0 installed and 4.2.0 offered', (cv) => completed('4.1.0')(cv) && offered('4.2.0')(cv));
    await setPolicy(JSON.stringify(SATURDAY_WINDOW));
    const cv = await until('AutoUpdateWaiting', (c) => autoCondition(c).status === 'True');
    const message = `The cluster-version operator runs without --enable-auto-update, so the ${AUTO_UPDATE_ANNOTATION} annotation has no effect`;
    assert.deepEqual(autoCondition(cv), { type: AUTO_UPDATE_CONDITION, status: 'True', reason: 'OperatorNotEnabled', message });
    await waitFor(async () => (await autoEvents()).length > 0, { timeoutMs: 5_000, message: 'the Event' });
    assert.deepEqual(await autoEvents(), [`Normal AutoUpdateWaiting: OperatorNotEnabled: ${message}`]);
    assert.equal(cv.spec?.desiredUpdate, undefined);
  });

  const invalidPolicies: Array<{ name: string; value: string; errors: string[] }> = [
    {
      name: 'a start that is not a time of day',
      value: JSON.stringify({ enabled: true, maintenanceWindows: [{ days: ['Sat'], start: '25:00', durationMinutes: 240 }] }),
      errors: [`metadata.annotations[${AUTO_UPDATE_ANNOTATION}].maintenanceWindows[0].start: "25:00" is not a time of day (HH:MM, 00:00-23:59)`],
    },
    {
      name: 'text that is not JSON',
      value: 'enabled: true',
      errors: [`metadata.annotations[${AUTO_UPDATE_ANNOTATION}]: not valid JSON: Unexpected token 'e', "enabled: true" is not valid JSON`],
    },
    {
      name: 'a misspelt field and no window',
      value: JSON.stringify({ enabled: true, window: [] }),
      errors: [
        `metadata.annotations[${AUTO_UPDATE_ANNOTATION}].window: unknown field (known: enabled, maintenanceWindows)`,
        `metadata.annotations[${AUTO_UPDATE_ANNOTATION}].maintenanceWindows: required when enabled is true (automatic updates start only inside a window)`,
      ],
    },
  ];
  for (const policy of invalidPolicies) {
    it(`reports an annotation with ${policy.name} by field and starts no update, even inside a window`, async () => {
      start(IN_WINDOW);
      await until('4.1.0 installed and 4.2.0 offered', (cv) => completed('4.1.0')(cv) && offered('4.2.0')(cv));
      await setPolicy(policy.value);
      await reconciledTimes(3, 'Ignoring invalid auto-update policy');
      const [line] = logged('Ignoring invalid auto-update policy');
      assert.deepEqual(line.errors, policy.errors);
      const message = `The ${AUTO_UPDATE_ANNOTATION} annotation is ignored: ${policy.errors.join('; ')}`;
      assert.deepEqual(await autoEvents(), [`Warning AutoUpdatePolicyInvalid: ${message}`], 'one Warning, not one per reconcile');
      const cv = await get();
      assert.deepEqual(autoCondition(cv), { type: AUTO_UPDATE_CONDITION, status: 'True', reason: 'InvalidPolicy', message });
      assert.equal(cv.spec?.desiredUpdate, undefined);
      assert.deepEqual(history(cv), ['Completed 4.1.0']);
      assert.deepEqual(logged('Starting automatic update'), []);
    });
  }
});
