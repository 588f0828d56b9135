// The cluster-version operator's Events (events.ts) with the assembled operator against the embedded API server:
// the order of an install and an update, a blocked update retried without new Events, force's Warnings, a failing
// update that warns once whatever its retries, a retarget, and nothing at all from a cluster at rest. Operators are
// simulated; payloads and signatures are the in-memory fakes of integration.test-util.ts.
import assert from 'node:assert/strict';
import type { ClusterVersion } from '../../api/config-v1.ts';
import { kubeJson } from '../../runtime/kube-http.ts';
import { createLogger } from '../../runtime/log.ts';
import { waitFor } from '../../runtime/wait.ts';
import type { ReleasePayload } from '../contracts.ts';
import {
  clusterVersionEvents,
  MemoryPayloadSource,
  MemoryVerifier,
  signedDemoReleases,
  simulateOperators,
  startCvoTestCluster,
  type CoreEvent,
  type CvoTestCluster,
  type SimulatedOperators,
} from '../integration.test-util.ts';
import { buildClusterVersionOperator, type ClusterVersionOperator } from '../operator.ts';

const COMPONENTS = ['network', 'machine-api'];
const CV_PATH = '/apis/config.openshift.io/v1/clusterversions/version';

describe('cluster-version operator Events', function () {
  this.timeout(30_000);
  let cluster: CvoTestCluster;
  let operators: SimulatedOperators;
  const releases: Record<string, ReleasePayload> = {};
  let source: MemoryPayloadSource;
  let verifier: MemoryVerifier;
  let logs: Array<{ msg: string }>;
  let stopOperator: () => Promise<void>;

  beforeEach(async () => {
    cluster = await startCvoTestCluster();
    const signed = signedDemoReleases(['4.1.0', '4.2.0', '4.2.1', '4.3.0'], COMPONENTS);
    Object.assign(releases, signed.releases);
    ({ source, verifier } = signed);
    operators = simulateOperators(cluster.kc, COMPONENTS);
    logs = [];
    stopOperator = async () => undefined;
  });
  afterEach(async () => {
    await stopOperator();
    await operators.stop();
    await cluster.stop();
  });

  function start(): ClusterVersionOperator {
    const operator = buildClusterVersionOperator(cluster.kc, {
      payloadSource: source,
      verifier,
      initialRelease: { version: '4.1.0', image: releases['4.1.0'].pullSpec },
      channel: 'stable-4',
      reconcileIntervalMs: 300,
      statusIntervalMs: 20,
      applyTiming: { clusterOperatorWaitMs: 150, pollIntervalMs: 10 },
      taskBackoff: { initialMs: 10, factor: 1, steps: 2, capMs: 10 },
      initializingTaskBackoff: { initialMs: 10, factor: 1, steps: 2, capMs: 10 },
      minRequeueAfterMs: 50,
      logger: createLogger({ level: 'info', sink: (line) => logs.push(JSON.parse(line) as { msg: string }) }),
    });
    const stop = new AbortController();
    const done = operator.manager.start(stop.signal);
    stopOperator = async () => {
      stop.abort();
      await done;
    };
    return operator;
  }

  const until = (what: string, predicate: (cv: ClusterVersion) => boolean) =>
    waitFor(async () => {
      const cv = await kubeJson<ClusterVersion>(cluster.kc, CV_PATH).catch(() => undefined);
      return cv && predicate(cv) ? cv : undefined;
    }, { timeoutMs: 10_000, intervalMs: 20, message: what });
  const completed = (version: string) => (cv: ClusterVersion) => cv.status?.history?.[0]?.state === 'Completed' && cv.status.history[0].version === version;
  const requestUpdate = (update: Record<string, unknown>) =>
    kubeJson(cluster.kc, CV_PATH, { method: 'PATCH', contentType: 'application/merge-patch+json', body: { spec: { desiredUpdate: update } } });
  const events = () => clusterVersionEvents(cluster.kc);
  /** "Type Reason" of each Event, oldest first. */
  const reasons = (list: readonly CoreEvent[]) => list.map((e) => `${e.type} ${e.reason}`);
  /** Waits until an Event with `reason` (and a message matching `message`) exists; returns all Events. */
  const eventRecorded = (reason: string, message: RegExp = /./) =>
    waitFor(async () => {
      const list = await events();
      return list.some((e) => e.reason === reason && message.test(e.message)) ? list : undefined;
    }, { timeoutMs: 10_000, intervalMs: 20, message: `a ${reason} Event matching ${message}` });
  /** The Events after the first `count`. */
  const after = (list: readonly CoreEvent[], count: number) => list.slice(count);
  const attempts = (msg: string) => logs.filter((l) => l.msg === msg).length;

  it('records the install and an update in order, on ClusterVersion version in openshift-cluster-version', async () => {
    start();
    await until('4.1.0 installed', completed('4.1.0'));
    const install = await eventRecorded('InstallCompleted');
    assert.deepEqual(reasons(install), ['Normal RetrievePayload', 'Normal LoadPayload', 'Normal PayloadLoaded', 'Normal InstallCompleted']);
    const [first] = install;
    assert.deepEqual(first.involvedObject, { apiVersion: 'config.openshift.io/v1', kind: 'ClusterVersion', name: 'version', namespace: 'openshift-cluster-version' });
    assert.equal(first.metadata.namespace, 'openshift-cluster-version');
    assert.equal(first.source?.component, 'openshift-cluster-version');
    assert.equal(first.message, `Retrieving and verifying payload version="4.1.0" image="${releases['4.1.0'].pullSpec}"`);

    await requestUpdate({ image: releases['4.2.0'].pullSpec });
    await until('4.2.0 completed', completed('4.2.0'));
    const update = after(await eventRecorded('UpdateCompleted'), install.length);
    // No update service here, so 4.2.0 is not a recommended update: a PreconditionWarn, and it goes on.
    assert.deepEqual(reasons(update), [
      'Normal RetrievePayload', 'Normal LoadPayload', 'Warning PreconditionWarn', 'Normal PreconditionsPassed', 'Normal PayloadLoaded',
      'Normal UpdateStarted', 'Normal UpdateCompleted',
    ]);
    assert.equal(update[4].message, `Payload loaded version="4.2.0" image="${releases['4.2.0'].pullSpec}" architecture="${update[4].message.match(/architecture="(.*)"/)![1]}"`);
    assert.equal(update[5].message, 'Started the update from 4.1.0 to 4.2.0');
    assert.match(update[6].message, /^Completed the update from 4\.1\.0 to 4\.2\.0 in \d+s$/);
    assert.ok(update.every((e) => e.count === 1), 'one Event per step');
  });

  it('records nothing while the cluster sits at a completed release', async () => {
    const operator = start();
    await until('4.1.0 installed', completed('4.1.0'));
    const before = await eventRecorded('InstallCompleted');
    const passes = operator.worker.status().completed;
    // Several reconcile passes of the whole payload, each followed by the controller.
    await waitFor(() => operator.worker.status().completed >= passes + 4, { timeoutMs: 10_000, message: '4 more reconcile passes' });
    await until('status written after them', (cv) => cv.status?.conditions?.find((c) => c.type === 'Progressing')?.message === 'Cluster version is 4.1.0');
    assert.deepEqual(await events(), before);
  });

  it('records a blocked update once however often it is retried, and a Warning when force overrides it', async () => {
    start();
    await until('4.1.0 installed', completed('4.1.0'));
    const install = await eventRecorded('InstallCompleted');
    await requestUpdate({ image: releases['4.3.0'].pullSpec });
    const blocked = after(await eventRecorded('PreconditionBlock'), install.length);
    assert.deepEqual(reasons(blocked), ['Normal RetrievePayload', 'Normal LoadPayload', 'Warning PreconditionBlock']);
    assert.match(blocked[2].message, /^Preconditions failed for payload loaded version="" image=".*": .*"ClusterVersionGiantHop" failed because of "MultipleMinorVersionsUpdate"/s);

    const loads = source.loads;
    await waitFor(() => source.loads >= loads + 3, { timeoutMs: 10_000, message: '3 more acceptance attempts' });
    assert.deepEqual(after(await events(), install.length), blocked, 'retries record nothing new');

    await requestUpdate({ image: releases['4.3.0'].pullSpec, force: true });
    await until('4.3.0 completed', completed('4.3.0'));
    const forced = after(await eventRecorded('UpdateCompleted'), install.length + blocked.length);
    assert.deepEqual(reasons(forced), [
      'Normal RetrievePayload', 'Normal LoadPayload', 'Warning PreconditionWarn', 'Normal PreconditionsPassed', 'Normal PayloadLoaded',
      'Normal UpdateStarted', 'Normal UpdateCompleted',
    ]);
    assert.match(forced[2].message, /^precondition warning for payload loaded version="4\.3\.0" image=".*": Forced through blocking failures: .*"ClusterVersionGiantHop"/s);
  });

  it('warns when force takes a release whose signature does not verify', async () => {
    verifier.signed.delete(releases['4.2.0'].digest);
    start();
    await until('4.1.0 installed', completed('4.1.0'));
    await requestUpdate({ image: releases['4.2.0'].pullSpec });
    const refused = await eventRecorded('RetrievePayloadFailed');
    assert.match(refused.at(-1)!.message, /^Retrieving payload failed version="" image=".*" failure=The update cannot be verified: unable to verify sha256:/);
    await requestUpdate({ image: releases['4.2.0'].pullSpec, force: true });
    const list = await eventRecorded('UpdateCompleted');
    const warning = list.find((e) => e.type === 'Warning' && e.reason === 'RetrievePayload');
    assert.match(warning?.message ?? '', /^Target release version="" image=".*" cannot be verified, but continuing anyway because the update was forced: unable to verify sha256:[0-9a-f]+ against keyrings: verifier-public-key-dev$/);
  });

  it('warns once for an update failing on an unavailable operator, whatever its retries, and says when it is resolved', async () => {
    start();
    await until('4.1.0 installed', completed('4.1.0'));
    const install = await eventRecorded('InstallCompleted');
    operators.pin('network', { available: false, version: '4.1.0' });
    await requestUpdate({ image: releases['4.2.0'].pullSpec });
    await until('Failing', (cv) => cv.status?.conditions?.find((c) => c.type === 'Failing')?.status === 'True');
    await eventRecorded('Failing');
    const retries = attempts('Unable to synchronize release, retrying');
    await waitFor(() => attempts('Unable to synchronize release, retrying') >= retries + 3, { timeoutMs: 10_000, message: '3 more failed attempts' });
    const failing = after(await events(), install.length).filter((e) => e.reason === 'Failing');
    assert.deepEqual(failing.map((e) => [e.type, e.message, e.count]), [['Warning', 'Failing=True: ClusterOperatorNotAvailable: Cluster operator network is not available', 1]]);

    operators.pin('network', undefined);
    await until('4.2.0 completed', completed('4.2.0'));
    const list = after(await eventRecorded('FailingResolved'), install.length);
    assert.deepEqual(reasons(list).filter((r) => !/Payload|Precondition/.test(r)), ['Normal UpdateStarted', 'Warning Failing', 'Normal UpdateCompleted', 'Normal FailingResolved']);
  });

  it('records a retarget mid-update', async () => {
    start();
    await until('4.1.0 installed', completed('4.1.0'));
    operators.pin('machine-api', { version: '4.1.0' });
    await requestUpdate({ image: releases['4.2.0'].pullSpec });
    await eventRecorded('UpdateStarted');
    await requestUpdate({ image: releases['4.2.1'].pullSpec });
    const list = await eventRecorded('UpdateRetargeted');
    assert.equal(list.find((e) => e.reason === 'UpdateRetargeted')?.message, 'Retargeted the update from 4.2.0 to 4.2.1 before 4.2.0 completed');
    operators.pin('machine-api', undefined);
    await eventRecorded('UpdateCompleted', /^Completed the update from 4\.1\.0 to 4\.2\.1 in /);
  });
});
