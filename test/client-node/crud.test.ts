// @kubernetes/client-node 2.x against the embedded server, as an operator uses it: typed CoreV1Api CRUD,
// CustomObjectsApi CRUD of MachineSets with explicit patch types, KubernetesObjectApi (which maps a kind to a
// resource through discovery), and the ApiException a failed call raises (shared/reference/apiserver.md §0
// findings 4-8, §13 items 14-15; ts-ecosystem.md §1.3).
import assert from 'node:assert/strict';
import {
  ApiException, CoreV1Api, CustomObjectsApi, KubeConfig, KubernetesObjectApi, PatchStrategy, setHeaderOptions,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { waitFor } from '../../operators/runtime/wait.ts';
import { startTestServer, type TestServer } from '../support/dev-server.ts';
import { installMachineCrds } from '../support/machine-crds.ts';

const MS = { group: 'machine.openshift.io', version: 'v1beta1', plural: 'machinesets' } as const;
const NS = 'client-node-crud';

interface MachineSet extends KubernetesObject {
  spec?: { replicas?: number; deletePolicy?: string; minReadySeconds?: number };
  status?: { replicas?: number };
}

/** The Status body of a failed call; client-node hands it over as the raw response text. */
function statusOf(err: unknown): { code: number; body: Record<string, unknown> } {
  assert.ok(err instanceof ApiException, `expected an ApiException, got ${String(err)}`);
  const body = (typeof err.body === 'string' ? JSON.parse(err.body) : err.body) as Record<string, unknown>;
  return { code: err.code, body };
}

async function expectApiError(call: Promise<unknown>, code: number, reason: string): Promise<Record<string, unknown>> {
  const err = await call.then(() => undefined, (e: unknown) => e);
  assert.ok(err !== undefined, `expected the call to fail with ${code}`);
  const { code: got, body } = statusOf(err);
  assert.equal(got, code, JSON.stringify(body));
  assert.equal(body.kind, 'Status');
  assert.equal(body.apiVersion, 'v1');
  assert.equal(body.code, code);
  assert.equal(body.reason, reason);
  return body;
}

function machineSet(name: string, replicas: number): MachineSet {
  return { apiVersion: 'machine.openshift.io/v1beta1', kind: 'MachineSet', metadata: { name, namespace: NS }, spec: { replicas } };
}

describe('@kubernetes/client-node 2.x CRUD against the embedded server', function () {
  let server: TestServer;
  let kc: KubeConfig;
  let core: CoreV1Api;
  let custom: CustomObjectsApi;

  before(async () => {
    server = await startTestServer({ ephemeral: true });
    kc = new KubeConfig();
    kc.loadFromFile(server.api.kubeconfigPath);
    core = kc.makeApiClient(CoreV1Api);
    custom = kc.makeApiClient(CustomObjectsApi);
    await installMachineCrds(kc);
    await core.createNamespace({ body: { metadata: { name: NS } } });
  });

  after(async () => {
    await server?.stop();
  });

  describe('CoreV1Api', () => {
    it('creates, reads, lists, replaces, patches and deletes a ConfigMap', async () => {
      const created = await core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: 'cm1', labels: { app: 'a' } }, data: { k: 'v1' } } });
      assert.equal(created.metadata?.namespace, NS);
      assert.match(created.metadata?.resourceVersion ?? '', /^\d+$/);
      assert.ok(created.metadata?.uid);

      const read = await core.readNamespacedConfigMap({ name: 'cm1', namespace: NS });
      assert.deepEqual(read.data, { k: 'v1' });

      const list = await core.listNamespacedConfigMap({ namespace: NS, labelSelector: 'app=a' });
      assert.deepEqual(list.items.map((cm) => cm.metadata?.name), ['cm1']);
      assert.match(list.metadata?.resourceVersion ?? '', /^\d+$/);

      const replaced = await core.replaceNamespacedConfigMap({ name: 'cm1', namespace: NS, body: { ...read, data: { k: 'v2' } } });
      assert.deepEqual(replaced.data, { k: 'v2' });
      assert.notEqual(replaced.metadata?.resourceVersion, read.metadata?.resourceVersion);

      // The generated patch method sends the first media type it lists, JSON Patch (ts-ecosystem.md §1.3).
      const jsonPatched = await core.patchNamespacedConfigMap({ name: 'cm1', namespace: NS, body: [{ op: 'add', path: '/data/j', value: 'x' }] });
      assert.deepEqual(jsonPatched.data, { k: 'v2', j: 'x' });
      const strategic = await core.patchNamespacedConfigMap({ name: 'cm1', namespace: NS, body: { data: { j: null, s: 'y' } } },
        setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch));
      assert.deepEqual(strategic.data, { k: 'v2', s: 'y' });

      await core.deleteNamespacedConfigMap({ name: 'cm1', namespace: NS });
      const gone = await expectApiError(core.readNamespacedConfigMap({ name: 'cm1', namespace: NS }), 404, 'NotFound');
      assert.equal(gone.message, 'configmaps "cm1" not found');
    });

    it('answers a replace from a stale resourceVersion with 409 Conflict and a duplicate create with 409 AlreadyExists', async () => {
      const first = await core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: 'cm2' }, data: { n: '1' } } });
      await core.replaceNamespacedConfigMap({ name: 'cm2', namespace: NS, body: { ...first, data: { n: '2' } } });
      const stale = await expectApiError(core.replaceNamespacedConfigMap({ name: 'cm2', namespace: NS, body: { ...first, data: { n: '3' } } }), 409, 'Conflict');
      assert.equal(stale.message, 'Operation cannot be fulfilled on configmaps "cm2": the object has been modified; please apply your changes to the latest version and try again');
      const dup = await expectApiError(core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: 'cm2' } } }), 409, 'AlreadyExists');
      assert.equal(dup.message, 'configmaps "cm2" already exists');
    });

    it('creates, reads, lists, labels and deletes a Namespace, which goes away once finalized', async () => {
      const created = await core.createNamespace({ body: { metadata: { name: 'crud-ns' } } });
      assert.equal(created.status?.phase, 'Active');
      assert.equal(created.metadata?.labels?.['kubernetes.io/metadata.name'], 'crud-ns');
      const names = (await core.listNamespace()).items.map((ns) => ns.metadata?.name);
      assert.ok(names.includes('crud-ns') && names.includes('default'), names.join(','));

      // The name label is forced back on every write (namespace strategy Canonicalize).
      const labelled = await core.patchNamespace({ name: 'crud-ns', body: { metadata: { labels: { team: 'fleet', 'kubernetes.io/metadata.name': null } } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
      assert.deepEqual(labelled.metadata?.labels, { team: 'fleet', 'kubernetes.io/metadata.name': 'crud-ns' });

      const deleting = await core.deleteNamespace({ name: 'crud-ns' });
      assert.equal(deleting.kind, 'Namespace', 'DELETE of a namespace answers with the terminating object');
      await waitFor(() => core.readNamespace({ name: 'crud-ns' }).then(() => false, (err: unknown) => statusOf(err).code === 404),
        { timeoutMs: 5_000, message: 'namespace crud-ns to be removed' });
    });
  });

  describe('CustomObjectsApi', () => {
    it('creates, reads, lists, replaces, merge-patches, JSON-patches and deletes a MachineSet', async () => {
      const created = await custom.createNamespacedCustomObject({ ...MS, namespace: NS, body: machineSet('ms1', 1) }) as MachineSet;
      assert.equal(created.metadata?.generation, 1);
      assert.equal(created.spec?.replicas, 1);

      const read = await custom.getNamespacedCustomObject({ ...MS, namespace: NS, name: 'ms1' }) as MachineSet;
      assert.equal(read.metadata?.uid, created.metadata?.uid);
      const list = await custom.listNamespacedCustomObject({ ...MS, namespace: NS }) as { kind: string; items: MachineSet[] };
      assert.equal(list.kind, 'MachineSetList');
      assert.deepEqual(list.items.map((ms) => ms.metadata?.name), ['ms1']);

      const replaced = await custom.replaceNamespacedCustomObject({ ...MS, namespace: NS, name: 'ms1', body: { ...read, spec: { replicas: 2 } } }) as MachineSet;
      assert.equal(replaced.spec?.replicas, 2);
      assert.equal(replaced.metadata?.generation, 2);

      const merged = await custom.patchNamespacedCustomObject({ ...MS, namespace: NS, name: 'ms1', body: { spec: { replicas: 3, deletePolicy: 'Oldest' } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch)) as MachineSet;
      assert.deepEqual(merged.spec, { replicas: 3, deletePolicy: 'Oldest' });

      // Without an explicit type the generated method sends JSON Patch.
      const jsonPatched = await custom.patchNamespacedCustomObject({ ...MS, namespace: NS, name: 'ms1', body: [{ op: 'replace', path: '/spec/replicas', value: 4 }] }) as MachineSet;
      assert.equal(jsonPatched.spec?.replicas, 4);

      const status = await custom.patchNamespacedCustomObjectStatus({ ...MS, namespace: NS, name: 'ms1', body: { status: { replicas: 4 } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch)) as MachineSet;
      assert.equal(status.status?.replicas, 4);
      assert.equal(status.metadata?.generation, jsonPatched.metadata?.generation, 'a status write leaves generation alone');

      await custom.deleteNamespacedCustomObject({ ...MS, namespace: NS, name: 'ms1' });
      await expectApiError(custom.getNamespacedCustomObject({ ...MS, namespace: NS, name: 'ms1' }), 404, 'NotFound');
    });

    it('rejects a MachineSet that violates the CRD schema with 422 Invalid', async () => {
      const bad = { ...machineSet('bad', 1), spec: { replicas: 1, deletePolicy: 'Sometimes' } };
      const body = await expectApiError(custom.createNamespacedCustomObject({ ...MS, namespace: NS, body: bad }), 422, 'Invalid');
      assert.equal(body.message, 'MachineSet.machine.openshift.io "bad" is invalid: spec.deletePolicy: Unsupported value: "Sometimes": supported values: "Random", "Newest", "Oldest"');
    });

    it('raises an ApiException with code 404 and a NotFound Status body for a missing MachineSet', async () => {
      const err = await custom.getNamespacedCustomObject({ ...MS, namespace: NS, name: 'nope' }).then(() => undefined, (e: unknown) => e);
      const { code, body } = statusOf(err);
      assert.equal(code, 404);
      assert.deepEqual(body, {
        kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure',
        message: 'machinesets.machine.openshift.io "nope" not found', reason: 'NotFound',
        details: { name: 'nope', group: 'machine.openshift.io', kind: 'machinesets' }, code: 404,
      });
    });
  });

  describe('KubernetesObjectApi', () => {
    it('lists the main machinesets resource before machinesets/status, so a lookup by kind finds the main one', async () => {
      const list = await custom.getAPIResources({ group: MS.group, version: MS.version });
      const names = list.resources.map((r) => r.name);
      const main = names.indexOf('machinesets');
      const status = names.indexOf('machinesets/status');
      assert.ok(main >= 0 && status >= 0, names.join(','));
      assert.ok(main < status, `machinesets at ${main}, machinesets/status at ${status}`);

      // What KubernetesObjectApi.resource() does with this list (client-node src/object.ts).
      assert.equal(list.resources.find((r) => r.kind === 'MachineSet')?.name, 'machinesets');
    });

    it('creates, reads, merge-patches, replaces and deletes a MachineSet picked by kind', async () => {
      const objects = KubernetesObjectApi.makeApiClient(kc);
      const created = await objects.create<MachineSet>(machineSet('ko1', 1));
      assert.equal(created.spec?.replicas, 1);
      const patched = await objects.patch<MachineSet>({ ...machineSet('ko1', 5) }, undefined, undefined, undefined, undefined, PatchStrategy.MergePatch);
      assert.equal(patched.spec?.replicas, 5);
      const header = { apiVersion: 'machine.openshift.io/v1beta1', kind: 'MachineSet', metadata: { name: 'ko1', namespace: NS } };
      const read = await objects.read<MachineSet>(header);
      assert.equal(read.spec?.replicas, 5);
      const replaced = await objects.replace<MachineSet>({ ...read, spec: { replicas: 6 } });
      assert.equal(replaced.spec?.replicas, 6);
      await objects.delete(header);
      await expectApiError(objects.read(header), 404, 'NotFound');
    });

    it('fails its default strategic-merge patch of a custom resource with 415, as a real server does', async () => {
      const objects = KubernetesObjectApi.makeApiClient(kc);
      await objects.create(machineSet('ko2', 1));
      const body = await expectApiError(objects.patch(machineSet('ko2', 2)), 415, 'UnsupportedMediaType');
      assert.equal(body.message, 'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml');
      const unchanged = await custom.getNamespacedCustomObject({ ...MS, namespace: NS, name: 'ko2' }) as MachineSet;
      assert.equal(unchanged.spec?.replicas, 1);
    });
  });
});
