// The cluster-version operator's Events through the real kubectl, as an administrator reads them on OpenShift:
// `kubectl get events -n openshift-cluster-version`. An upgrade of the dev cluster records its acceptance steps
// and progress in order, a blocked update one PreconditionBlock however often it is retried, force a Warning, and
// a cluster at rest nothing at all. The CVO, payloads, signatures and update graph are the dev cluster's own.
import assert from 'node:assert/strict';
import type { Registry } from 'prom-client';
import { waitFor } from '../../../operators/runtime/wait.ts';
import { parseTable } from '../../support/kubectl-table.ts';
import { completed, patchDesiredUpdate, settledAt, startCvoCluster, until, type CvoE2eCluster } from './harness.ts';

interface Event {
  readonly metadata: { readonly name: string; readonly namespace: string };
  readonly involvedObject: Record<string, string>;
  readonly type: string;
  readonly reason: string;
  readonly message: string;
  readonly count: number;
}

describe('dev cluster Events of the cluster-version operator with kubectl', function () {
  this.timeout(60_000);
  let c: CvoE2eCluster;
  beforeEach(async () => {
    c = await startCvoCluster();
    await until(c, '4.1.0 installed', settledAt('4.1.0'));
  });
  afterEach(async () => {
    await c?.stop();
  });
  const operator = () => c.cluster.clusterVersion!.operator;
  const image = (version: string) => c.cluster.clusterVersion!.releases.releases.find((r) => r.version === version)!.image;

  /** `kubectl get events` about ClusterVersion version, oldest first (the name carries the creation time, as client-go's). */
  async function events(): Promise<Event[]> {
    const { stdout } = await c.kubectl(['get', 'events', '-n', 'openshift-cluster-version', '--field-selector', 'involvedObject.kind=ClusterVersion', '-o', 'json']);
    const created = (e: Event) => BigInt(`0x${e.metadata.name.slice(e.metadata.name.lastIndexOf('.') + 1)}`);
    return (JSON.parse(stdout) as { items: Event[] }).items.sort((a, b) => (created(a) < created(b) ? -1 : created(a) > created(b) ? 1 : 0));
  }
  const reasons = (list: readonly Event[]) => list.map((e) => `${e.type} ${e.reason}`);
  const recorded = (reason: string) =>
    waitFor(async () => {
      const list = await events();
      return list.some((e) => e.reason === reason) ? list : undefined;
    }, { timeoutMs: 20_000, intervalMs: 100, message: `a ${reason} Event` });
  /** Reconciles of ClusterVersion so far (controller_runtime_reconcile_total). */
  async function reconciles(): Promise<number> {
    const registry: Registry = operator().manager.registry;
    const metric = await registry.getSingleMetric('controller_runtime_reconcile_total')!.get();
    return metric.values.filter((v) => v.labels.controller === 'clusterversion-controller').reduce((sum, v) => sum + v.value, 0);
  }

  it('records an upgrade in order in openshift-cluster-version, and nothing while the cluster is at rest', async () => {
    const install = await recorded('InstallCompleted');
    assert.deepEqual(reasons(install), ['Normal RetrievePayload', 'Normal LoadPayload', 'Normal PayloadLoaded', 'Normal InstallCompleted']);
    assert.deepEqual(install[0].involvedObject, { apiVersion: 'config.openshift.io/v1', kind: 'ClusterVersion', name: 'version', namespace: 'openshift-cluster-version' });

    await until(c, 'updates retrieved', (v) => (v.status?.availableUpdates?.length ?? 0) > 0);
    await patchDesiredUpdate(c, { version: '4.2.0' });
    await until(c, '4.2.0 settled', settledAt('4.2.0'));
    const list = await recorded('UpdateCompleted');
    const update = list.slice(install.length);
    assert.deepEqual(reasons(update), [
      'Normal RetrievePayload', 'Normal LoadPayload', 'Normal PreconditionsPassed', 'Normal PayloadLoaded', 'Normal UpdateStarted', 'Normal UpdateCompleted',
    ]);
    assert.equal(update[0].message, `Retrieving and verifying payload version="4.2.0" image="${image('4.2.0')}"`);
    assert.equal(update[4].message, 'Started the update from 4.1.0 to 4.2.0');

    // What an administrator types: every step on clusterversion/version, the newest last.
    const table = parseTable((await c.kubectl(['get', 'events', '-n', 'openshift-cluster-version', '--sort-by', '.lastTimestamp'])).stdout);
    assert.deepEqual(table.header, ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE']);
    const rows = table.rows.filter((r) => r.OBJECT === 'clusterversion/version');
    assert.deepEqual(new Set(rows.map((r) => r.REASON)), new Set(reasons(list).map((r) => r.split(' ')[1])));
    assert.ok(rows.some((r) => r.REASON === 'UpdateCompleted' && /^Completed the update from 4\.1\.0 to 4\.2\.0 in \d+s$/.test(r.MESSAGE)));

    // At rest: several reconcile passes of the whole payload, each followed by a status pass, record nothing.
    const worker = operator().worker;
    const passes = worker.status().completed;
    await waitFor(() => worker.status().completed >= passes + 3, { timeoutMs: 20_000, message: '3 more reconcile passes' });
    await until(c, 'status written after them', settledAt('4.2.0'));
    assert.deepEqual(await events(), list);
  });

  it('records a blocked update once however often it is retried, and force as a Warning', async () => {
    const install = await recorded('InstallCompleted');
    await patchDesiredUpdate(c, { version: '4.3.0', image: image('4.3.0') });
    const blocked = (await recorded('PreconditionBlock')).slice(install.length);
    assert.deepEqual(reasons(blocked), ['Normal RetrievePayload', 'Normal LoadPayload', 'Warning PreconditionBlock']);
    assert.match(blocked[2].message, /Precondition "ClusterVersionGiantHop" failed because of "MultipleMinorVersionsUpdate"/);
    const table = parseTable((await c.kubectl(['get', 'events', '-n', 'openshift-cluster-version', '--field-selector', 'type=Warning'])).stdout);
    assert.deepEqual(table.rows.map((r) => [r.TYPE, r.REASON, r.OBJECT]), [['Warning', 'PreconditionBlock', 'clusterversion/version']]);

    // The CVO retries acceptance every reconcile interval (1 s here): several reconciles, and still one Event.
    const seen = await reconciles();
    await waitFor(async () => (await reconciles()) >= seen + 5, { timeoutMs: 20_000, message: '5 more reconciles' });
    assert.deepEqual((await events()).slice(install.length), blocked);

    await patchDesiredUpdate(c, { version: '4.3.0', image: image('4.3.0'), force: true });
    await until(c, '4.3.0 completed', completed('4.3.0'));
    const forced = (await recorded('UpdateCompleted')).slice(install.length + blocked.length);
    assert.deepEqual(reasons(forced), [
      'Normal RetrievePayload', 'Normal LoadPayload', 'Warning PreconditionWarn', 'Normal PreconditionsPassed', 'Normal PayloadLoaded', 'Normal UpdateStarted', 'Normal UpdateCompleted',
    ]);
    assert.match(forced[2].message, /^precondition warning for payload loaded version="4\.3\.0" image=".*": Forced through blocking failures: .*"ClusterVersionGiantHop"/s);

  });

  it('keeps the Events out of `kubectl describe clusterversion`, as OpenShift does', async () => {
    await recorded('InstallCompleted');
    // kubectl describe looks for involvedObject.namespace "" and the object's uid; the Events name the CVO's
    // namespace (kube-apiserver wants an Event in its object's namespace) and no uid, as upstream's do.
    const { stdout } = await c.kubectl(['describe', 'clusterversion', 'version']);
    assert.match(stdout, /\nEvents:\s+<none>\n/);
  });
});
