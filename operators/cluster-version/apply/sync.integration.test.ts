// The apply engine against the embedded API server: server-side apply, annotations, owner references, the
// ClusterOperator gate read from the cache, and how failures are classified.
import assert from 'node:assert/strict';
import type { ClusterOperator } from '../../api/config-v1.ts';
import type { Cache } from '../../runtime/cache.ts';
import { kubeJson } from '../../runtime/kube-http.ts';
import type { KubeObject } from '../../runtime/watcher.ts';
import {
  clusterOperatorManifest,
  configMapManifest,
  demoPayload,
  getObject,
  manifest,
  reportOperator,
  startClusterOperatorCache,
  startCvoTestCluster,
  type CvoTestCluster,
} from '../integration.test-util.ts';
import { FIELD_MANAGER, ManifestApplier } from './applier.ts';
import { countingRequester, kubeRequester } from './requester.ts';
import { applyPayload, type ApplyOptions } from './sync.ts';
import { UpdateError } from './update-error.ts';

const FAST = { initialMs: 10, factor: 1, steps: 2, capMs: 10 };

describe('applyPayload', function () {
  this.timeout(20_000);
  let cluster: CvoTestCluster;
  let operators: Cache<ClusterOperator>;
  const stop = new AbortController();
  let suffix = 0;
  // The garbage collector deletes objects whose owner does not exist, so the owner is a real cluster-scoped object.
  let OWNER: { apiVersion: string; kind: string; name: string; uid: string };

  before(async () => {
    cluster = await startCvoTestCluster();
    operators = await startClusterOperatorCache(cluster.kc, stop.signal);
    const owner = await kubeJson<KubeObject>(cluster.kc, '/api/v1/namespaces', { method: 'POST', body: { metadata: { name: 'cvo-owner' } } });
    OWNER = { apiVersion: 'v1', kind: 'Namespace', name: 'cvo-owner', uid: owner.metadata?.uid ?? '' };
  });
  after(async () => {
    stop.abort();
    await cluster?.stop();
  });

  function options(overrides: Partial<ApplyOptions> = {}, waitMs = 50): ApplyOptions {
    const applier = new ManifestApplier({
      request: kubeRequester(cluster.kc),
      clusterOperators: operators,
      owner: () => OWNER,
      timing: { clusterOperatorWaitMs: waitMs, pollIntervalMs: 10 },
    });
    return { applier, taskBackoff: FAST, initializingTaskBackoff: FAST, ...overrides };
  }
  const unique = (name: string) => `${name}-${++suffix}`;

  it('applies every manifest server-side, owned by ClusterVersion/version, once each operator reports the version', async () => {
    const [a, b] = [unique('alpha'), unique('beta')];
    const payload = demoPayload('4.1.0', [a, b]);
    await reportOperator(cluster.kc, a, { version: '4.1.0' });
    await reportOperator(cluster.kc, b, { version: '4.1.0' });
    const progress: number[] = [];
    const outcome = await applyPayload({ payload, state: 'Updating', attempt: 0 }, options({ onProgress: (done) => progress.push(done) }), stop.signal);
    assert.deepEqual(outcome, { completed: true, done: 6, total: 6, failure: undefined });
    assert.deepEqual(progress.sort((x, y) => x - y), [1, 2, 3, 4, 5, 6]);
    const cm = await kubeJson<KubeObject & { data: Record<string, string>; metadata: { managedFields: Array<{ manager: string; operation: string }> } }>(
      cluster.kc, `/api/v1/namespaces/openshift-${a}/configmaps/${a}-config`);
    assert.deepEqual(cm.data, { version: '4.1.0' });
    assert.deepEqual(cm.metadata.ownerReferences, [{ ...OWNER, controller: true }]);
    assert.ok(cm.metadata.managedFields.some((f) => f.manager === FIELD_MANAGER && f.operation === 'Apply'));
  });

  it('waits for the operator of a run level before starting the next one, and fails as not available naming it', async () => {
    const [a, b] = [unique('gamma'), unique('delta')];
    const payload = demoPayload('4.2.0', [a, b]);
    const outcome = await applyPayload({ payload, state: 'Updating', attempt: 0 }, options(), stop.signal);
    assert.equal(outcome.completed, false);
    assert.equal(outcome.done, 2, 'the first component\'s namespace and config, not its gate, nor anything after');
    assert.ok(outcome.failure instanceof UpdateError);
    assert.equal(outcome.failure.reason, 'ClusterOperatorNotAvailable');
    assert.equal(outcome.failure.message, `Cluster operator ${a} is not available`);
    assert.equal(outcome.failure.effect, 'Fail');
    // The gate precreated the ClusterOperator with the manifest's relatedObjects.
    const co = await kubeJson<ClusterOperator>(cluster.kc, `/apis/config.openshift.io/v1/clusteroperators/${a}`);
    assert.deepEqual(co.status?.relatedObjects, [{ group: '', resource: 'namespaces', namespace: '', name: `openshift-${a}` }]);
    assert.equal(await getObject(cluster.kc, `/api/v1/namespaces/openshift-${b}`), undefined);
  });

  it('goes on as soon as a rolling-out operator reports the new version, without polling', async () => {
    const [a] = [unique('epsilon')];
    await reportOperator(cluster.kc, a, { version: '4.1.0' });
    const payload = demoPayload('4.2.0', [a]);
    const running = applyPayload({ payload, state: 'Updating', attempt: 0 }, options({}, 10_000), stop.signal);
    await new Promise((r) => setTimeout(r, 100));
    await reportOperator(cluster.kc, a, { version: '4.2.0' });
    const outcome = await running;
    assert.equal(outcome.completed, true);
  });

  it('reports an operator still at the old version as progress (effect None) once the wait is over', async () => {
    const [a, b] = [unique('zeta'), unique('eta')];
    await reportOperator(cluster.kc, a, { version: '4.1.0' });
    await reportOperator(cluster.kc, b, { version: '4.1.0' });
    const payload = demoPayload('4.2.0', [a], { extra: [clusterOperatorManifest(`0000_10_${a}_99_clusteroperator2.yaml`, b, '4.2.0')] });
    const outcome = await applyPayload({ payload, state: 'Updating', attempt: 0 }, options(), stop.signal);
    assert.ok(outcome.failure instanceof UpdateError);
    assert.equal(outcome.failure.effect, 'None');
    assert.equal(outcome.failure.reason, 'ClusterOperatorUpdating');
  });

  it('condenses operators failing alike into one plural error', async () => {
    const [a, b] = [unique('theta'), unique('iota')];
    const payload = demoPayload('4.2.0', [], {
      extra: [clusterOperatorManifest(`0000_10_${a}_99_co.yaml`, a, '4.2.0'), clusterOperatorManifest(`0000_10_${b}_99_co.yaml`, b, '4.2.0')],
    });
    const outcome = await applyPayload({ payload, state: 'Updating', attempt: 0 }, options(), stop.signal);
    assert.ok(outcome.failure instanceof UpdateError);
    assert.equal(outcome.failure.reason, 'ClusterOperatorsNotAvailable');
    assert.equal(outcome.failure.message, `Cluster operators ${[a, b].sort().join(', ')} are not available`);
  });

  it('creates create-only objects once and never updates them, deletes objects marked for deletion, and resets drift', async () => {
    const ns = unique('annotations');
    await kubeJson(cluster.kc, '/api/v1/namespaces', { method: 'POST', body: { metadata: { name: ns } } });
    await kubeJson(cluster.kc, `/api/v1/namespaces/${ns}/configmaps`, { method: 'POST', body: { metadata: { name: 'obsolete' }, data: {} } });
    const payload = demoPayload('4.1.0', [], {
      extra: [
        configMapManifest('0000_10_x_01_once.yaml', ns, 'once', { a: '1' }, { 'release.openshift.io/create-only': 'true' }),
        configMapManifest('0000_10_x_02_obsolete.yaml', ns, 'obsolete', {}, { 'release.openshift.io/delete': 'true' }),
        configMapManifest('0000_10_x_03_managed.yaml', ns, 'managed', { a: '1' }),
      ],
    });
    assert.equal((await applyPayload({ payload, state: 'Updating', attempt: 0 }, options(), stop.signal)).completed, true);
    const once = await kubeJson<KubeObject>(cluster.kc, `/api/v1/namespaces/${ns}/configmaps/once`);
    assert.deepEqual(once.metadata?.ownerReferences, [OWNER], 'create-only objects are owned without controller: true');
    assert.equal(await getObject(cluster.kc, `/api/v1/namespaces/${ns}/configmaps/obsolete`), undefined);

    for (const name of ['once', 'managed']) {
      await kubeJson(cluster.kc, `/api/v1/namespaces/${ns}/configmaps/${name}`, { method: 'PATCH', contentType: 'application/merge-patch+json', body: { data: { a: 'drifted' } } });
    }
    assert.equal((await applyPayload({ payload, state: 'Reconciling', attempt: 1 }, options(), stop.signal)).completed, true);
    const data = async (name: string) => (await kubeJson<{ data: Record<string, string> }>(cluster.kc, `/api/v1/namespaces/${ns}/configmaps/${name}`)).data;
    assert.deepEqual(await data('managed'), { a: '1' });
    assert.deepEqual(await data('once'), { a: 'drifted' });
  });

  it('applies a CRD and waits until it is established before a custom resource of it', async () => {
    const group = `${unique('widgets')}.example.com`;
    const crd = manifest('0000_10_w_00_crd.yaml', {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: `widgets.${group}` },
      spec: {
        group,
        scope: 'Cluster',
        names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
        versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
      },
    } as KubeObject);
    const widget = manifest('0000_10_w_01_widget.yaml', { apiVersion: `${group}/v1`, kind: 'Widget', metadata: { name: 'w1' }, spec: { size: 3 } } as KubeObject);
    const outcome = await applyPayload({ payload: { ...demoPayload('4.1.0', []), manifests: [crd, widget] }, state: 'Updating', attempt: 0 }, options(), stop.signal);
    assert.equal(outcome.completed, true, String(outcome.failure));
    assert.ok(await getObject(cluster.kc, `/apis/${group}/v1/widgets/w1`));
  });

  it('costs one request per manifest in reconciling mode when nothing drifts, and none per ClusterOperator gate', async () => {
    const [a, b] = [unique('kappa'), unique('lambda')];
    await reportOperator(cluster.kc, a, { version: '4.1.0' });
    await reportOperator(cluster.kc, b, { version: '4.1.0' });
    const payload = demoPayload('4.1.0', [a, b]);
    assert.equal((await applyPayload({ payload, state: 'Updating', attempt: 0 }, options(), stop.signal)).completed, true);
    const counting = countingRequester(kubeRequester(cluster.kc));
    const applier = new ManifestApplier({ request: counting.request, clusterOperators: operators, owner: () => OWNER });
    for (let attempt = 1; attempt <= 3; attempt++) {
      assert.equal((await applyPayload({ payload, state: 'Reconciling', attempt }, { applier }, stop.signal)).completed, true);
    }
    // 4 applied manifests (2 namespaces, 2 ConfigMaps) per pass, plus discovery of 1 group-version once.
    assert.deepEqual(counting.counts(), { GET: 1, PATCH: 12 });
  });

  it('retries an API failure with backoff, then names the manifest and the kind of failure', async () => {
    const counting = countingRequester(kubeRequester(cluster.kc));
    let failures = 0;
    const applier = new ManifestApplier({
      request: async (path, request) => {
        if (request?.method === 'PATCH') {
          failures++;
          throw Object.assign(new Error('conflict'), { code: 409 });
        }
        return counting.request(path, request);
      },
      clusterOperators: operators,
      owner: () => undefined,
    });
    const ns = unique('faulty');
    const payload = demoPayload('4.1.0', [], { extra: [configMapManifest('0000_10_f_01_cm.yaml', ns, 'cm', {})] });
    const outcome = await applyPayload({ payload, state: 'Updating', attempt: 0 }, { applier, taskBackoff: FAST }, stop.signal);
    assert.equal(failures, 2);
    assert.ok(outcome.failure instanceof UpdateError);
    assert.equal(outcome.failure.reason, 'UpdatePayloadResourceConflict');
    assert.equal(outcome.failure.message, `Could not update configmap "${ns}/cm" (1 of 1): someone else is updating this resource`);
  });
});
