// Conformance, object lifecycles: finalizers, kubectl wait, namespace deletion, garbage collection, CRD
// deletion and node drain, driven by the real kubectl (apiserver.md §13 items 9, 10, 13; §5.3, §6, §9.1).
// One server for the file, one namespace per test.
import assert from 'node:assert/strict';
import { startTestServer, type RunningKubectl, type TestServer } from '../support/dev-server.ts';
import { requestsOf } from '../support/kubectl-requests.ts';
import { parseTable } from '../support/kubectl-table.ts';
import { waitFor } from '../../operators/runtime/wait.ts';
import { configMapYaml, createNamespace, installMachineApiCrds, machineSetYaml, widgetCrdYaml } from './fixtures.ts';

const MS = 'machineset.machine.openshift.io';

describe('object lifecycles driven by kubectl against the embedded server', function () {
  let server: TestServer;

  before(async function () {
    server = await startTestServer();
    await installMachineApiCrds(server);
  });

  after(async function () {
    await server?.stop();
  });

  async function get(ns: string, target: string, jsonpath: string): Promise<string> {
    return (await server.kubectl(['get', '-n', ns, target, '-o', `jsonpath=${jsonpath}`])).stdout;
  }

  async function notFound(ns: string, target: string): Promise<string> {
    const result = await server.kubectl(['get', '-n', ns, target], { allowFailure: true });
    assert.equal(result.code, 1, `${target} is gone`);
    return result.stderr;
  }

  /** Resolves once a running kubectl has opened its watch (seen in its -v=7 log), so a change made now reaches it. */
  async function watching(run: RunningKubectl): Promise<void> {
    await waitFor(() => requestsOf(run.stderr()).some((r) => r.url.searchParams.get('watch') === 'true'), { message: 'kubectl to start watching' });
  }

  async function uidOf(ns: string, target: string): Promise<string> {
    return get(ns, target, '{.metadata.uid}');
  }

  describe('finalizers', function () {
    it('kubectl delete leaves the object with a deletionTimestamp until a JSON patch removes the finalizer, then returns', async function () {
      await createNamespace(server, 'finalizers');
      await server.kubectl(['apply', '-f', '-'], { input: configMapYaml('finalizers', 'held', { a: '1' }, '  finalizers: [example.com/hold]') });

      const deletion = server.kubectlStart(['delete', '-n', 'finalizers', 'configmap/held', '-v=7']);
      await watching(deletion);
      assert.equal(deletion.stdout(), 'configmap "held" deleted\n');
      assert.deepEqual(requestsOf(deletion.stderr()).filter((r) => r.method === 'DELETE').map((r) => r.status), [200]);
      const held = JSON.parse((await server.kubectl(['get', '-n', 'finalizers', 'configmap/held', '-o', 'json'])).stdout) as { metadata: { deletionTimestamp?: string; finalizers?: string[] } };
      assert.match(held.metadata.deletionTimestamp ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      assert.deepEqual(held.metadata.finalizers, ['example.com/hold']);

      const added = await server.kubectl(['patch', '-n', 'finalizers', 'configmap/held', '--type=json', '-p', '[{"op":"add","path":"/metadata/finalizers/-","value":"example.com/late"}]'], { allowFailure: true });
      assert.equal(added.stderr, 'The ConfigMap "held" is invalid: metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"example.com/late"}\n');

      const released = await server.kubectl(['patch', '-n', 'finalizers', 'configmap/held', '--type=json', '-p', '[{"op":"remove","path":"/metadata/finalizers/0"}]']);
      assert.equal(released.stdout, 'configmap/held patched\n');
      const done = await deletion.result;
      assert.equal(done.code, 0);
      assert.equal(await notFound('finalizers', 'configmap/held'), 'Error from server (NotFound): configmaps "held" not found\n');
    });

    it('answers the DELETE of a custom resource held by a finalizer with the object, its deletionTimestamp set', async function () {
      await createNamespace(server, 'finalizers-cr');
      await server.kubectl(['apply', '-f', '-'], { input: machineSetYaml('finalizers-cr', 'ms1').replace('  namespace: finalizers-cr\n', '  namespace: finalizers-cr\n  finalizers: [example.com/hold]\n') });
      const { stdout } = await server.kubectl(['delete', '--raw', '/apis/machine.openshift.io/v1beta1/namespaces/finalizers-cr/machinesets/ms1']);
      const body = JSON.parse(stdout) as { kind: string; metadata: { name: string; deletionTimestamp?: string; finalizers?: string[]; deletionGracePeriodSeconds?: number } };
      assert.equal(body.kind, 'MachineSet');
      assert.equal(body.metadata.name, 'ms1');
      assert.match(body.metadata.deletionTimestamp ?? '', /Z$/);
      assert.deepEqual([body.metadata.finalizers, body.metadata.deletionGracePeriodSeconds], [['example.com/hold'], 0]);
      await server.kubectl(['patch', '-n', 'finalizers-cr', 'machineset/ms1', '--type=json', '-p', '[{"op":"remove","path":"/metadata/finalizers"}]']);
      await waitFor(async () => (await server.kubectl(['get', '-n', 'finalizers-cr', 'machinesets', '-o', 'name'])).stdout === '', { message: 'ms1 to be deleted' });
    });
  });

  describe('kubectl wait', function () {
    it('--for=condition=Ready returns once a concurrent status patch sets the condition', async function () {
      await createNamespace(server, 'wait-cond');
      await server.kubectl(['apply', '-f', '-'], { input: machineSetYaml('wait-cond', 'ms1') });
      const wait = server.kubectlStart(['wait', '-n', 'wait-cond', '--for=condition=Ready', 'machineset/ms1', '--timeout=10s', '-v=7']);
      await watching(wait);
      await server.kubectl(['patch', '-n', 'wait-cond', 'machineset/ms1', '--subresource=status', '--type=merge', '-p', '{"status":{"conditions":[{"type":"Ready","status":"False","lastTransitionTime":"2026-01-01T00:00:00Z"}]}}']);
      await server.kubectl(['patch', '-n', 'wait-cond', 'machineset/ms1', '--subresource=status', '--type=merge', '-p', '{"status":{"conditions":[{"type":"Ready","status":"True","lastTransitionTime":"2026-01-01T00:00:01Z"}]}}']);
      const result = await wait.result;
      assert.equal(result.stdout, `${MS}/ms1 condition met\n`);
    });

    it('--for=delete returns once the object is deleted', async function () {
      await createNamespace(server, 'wait-delete');
      await server.kubectl(['apply', '-f', '-'], { input: machineSetYaml('wait-delete', 'ms1') });
      const wait = server.kubectlStart(['wait', '-n', 'wait-delete', '--for=delete', 'machineset/ms1', '--timeout=10s', '-v=7']);
      await watching(wait);
      assert.equal((await server.kubectl(['delete', '-n', 'wait-delete', 'machineset/ms1'])).stdout, `${MS} "ms1" deleted\n`);
      assert.equal((await wait.result).stdout, `${MS}/ms1 condition met\n`);
    });
  });

  describe('namespace deletion', function () {
    it('refuses new content while content holds it Terminating, then removes everything in it', async function () {
      await createNamespace(server, 'doomed');
      await server.kubectl(['apply', '-f', '-'], {
        input: [configMapYaml('doomed', 'held', { a: '1' }, '  finalizers: [example.com/hold]'), machineSetYaml('doomed', 'ms1')].join('---\n'),
      });
      await server.kubectl(['create', 'secret', 'generic', 'login', '-n', 'doomed', '--from-literal=password=x']);

      const deletion = server.kubectlStart(['delete', 'namespace', 'doomed', '-v=7']);
      await watching(deletion);
      await waitFor(async () => (await get('', 'namespace/doomed', '{.status.phase}')) === 'Terminating', { message: 'the namespace to be Terminating' });
      // Everything without a finalizer goes first; the held ConfigMap keeps the namespace.
      await waitFor(async () => (await server.kubectl(['get', '-n', 'doomed', 'configmaps,secrets,machinesets', '-o', 'name'])).stdout === 'configmap/held\n', { message: 'the namespace content to go' });
      const refused = await server.kubectl(['create', 'configmap', 'late', '-n', 'doomed'], { allowFailure: true });
      assert.equal(refused.stderr, 'error: failed to create configmap: configmaps "late" is forbidden: unable to create new content in namespace doomed because it is being terminated\n');

      await server.kubectl(['patch', '-n', 'doomed', 'configmap/held', '--type=json', '-p', '[{"op":"remove","path":"/metadata/finalizers"}]']);
      const done = await deletion.result;
      assert.equal(done.stdout, 'namespace "doomed" deleted\n');
      assert.equal(await notFound('', 'namespace/doomed'), 'Error from server (NotFound): namespaces "doomed" not found\n');

      // A namespace of the same name starts empty.
      await createNamespace(server, 'doomed');
      const listed = await server.kubectl(['get', '-n', 'doomed', 'configmaps,secrets,machinesets']);
      assert.equal(listed.stderr, 'No resources found in doomed namespace.\n');
    });
  });

  describe('garbage collection', function () {
    function ownerReference(kind: string, apiVersion: string, name: string, uid: string): string {
      return `  ownerReferences: [{apiVersion: ${apiVersion}, kind: ${kind}, name: ${name}, uid: "${uid}", blockOwnerDeletion: true}]`;
    }

    it('deletes the dependents of a deleted owner in the background (a Machine owned by a MachineSet)', async function () {
      await createNamespace(server, 'gc-background');
      await server.kubectl(['apply', '-f', '-'], { input: machineSetYaml('gc-background', 'ms1') });
      const uid = await uidOf('gc-background', 'machineset/ms1');
      const machine = `apiVersion: machine.openshift.io/v1beta1\nkind: Machine\nmetadata:\n  name: ms1-abcde\n  namespace: gc-background\n${ownerReference('MachineSet', 'machine.openshift.io/v1beta1', 'ms1', uid)}\nspec: {}\n`;
      assert.equal((await server.kubectl(['apply', '-f', '-'], { input: machine })).stdout, 'machine.machine.openshift.io/ms1-abcde created\n');

      assert.equal((await server.kubectl(['delete', '-n', 'gc-background', 'machineset/ms1'])).stdout, `${MS} "ms1" deleted\n`);
      await waitFor(async () => (await server.kubectl(['get', '-n', 'gc-background', 'machines', '-o', 'name'])).stdout === '', { message: 'the Machine to be collected' });
    });

    it('keeps the dependent of a ConfigMap deleted with --cascade=orphan, and drops its ownerReference', async function () {
      await createNamespace(server, 'gc-orphan');
      await server.kubectl(['create', 'configmap', 'owner', '-n', 'gc-orphan']);
      const uid = await uidOf('gc-orphan', 'configmap/owner');
      await server.kubectl(['apply', '-f', '-'], { input: configMapYaml('gc-orphan', 'dependent', { a: '1' }, ownerReference('ConfigMap', 'v1', 'owner', uid)) });

      assert.equal((await server.kubectl(['delete', '-n', 'gc-orphan', 'configmap/owner', '--cascade=orphan'])).stdout, 'configmap "owner" deleted\n');
      assert.equal(await notFound('gc-orphan', 'configmap/owner'), 'Error from server (NotFound): configmaps "owner" not found\n');
      assert.equal(await get('gc-orphan', 'configmap/dependent', '{.metadata.name} {.metadata.ownerReferences}'), 'dependent ');
    });

    it('deletes in the foreground: the owner waits, marked foregroundDeletion, until its blocking dependent is gone', async function () {
      await createNamespace(server, 'gc-foreground');
      await server.kubectl(['create', 'configmap', 'owner', '-n', 'gc-foreground']);
      const uid = await uidOf('gc-foreground', 'configmap/owner');
      const dependentMeta = `${ownerReference('ConfigMap', 'v1', 'owner', uid)}\n  finalizers: [example.com/hold]`;
      await server.kubectl(['apply', '-f', '-'], { input: configMapYaml('gc-foreground', 'dependent', { a: '1' }, dependentMeta) });

      const deletion = server.kubectlStart(['delete', '-n', 'gc-foreground', 'configmap/owner', '--cascade=foreground', '-v=7']);
      await watching(deletion);
      await waitFor(async () => (await get('gc-foreground', 'configmap/dependent', '{.metadata.deletionTimestamp}')) !== '', { message: 'the dependent to be deleted' });
      assert.equal(await get('gc-foreground', 'configmap/owner', '{.metadata.finalizers}'), '["foregroundDeletion"]');

      await server.kubectl(['patch', '-n', 'gc-foreground', 'configmap/dependent', '--type=json', '-p', '[{"op":"remove","path":"/metadata/finalizers"}]']);
      assert.equal((await deletion.result).stdout, 'configmap "owner" deleted\n');
      assert.equal(await notFound('gc-foreground', 'configmap/owner'), 'Error from server (NotFound): configmaps "owner" not found\n');
      assert.equal(await notFound('gc-foreground', 'configmap/dependent'), 'Error from server (NotFound): configmaps "dependent" not found\n');
    });
  });

  describe('CRD deletion', function () {
    it('removes the custom resources and the endpoints; a new CRD of the same name starts empty', async function () {
      await createNamespace(server, 'crd-delete');
      const crd = widgetCrdYaml('conformance.example.com');
      await server.kubectl(['apply', '-f', '-'], { input: crd });
      await server.kubectl(['wait', '--for=condition=established', 'crd/widgets.conformance.example.com', '--timeout=5s']);
      const widget = 'apiVersion: conformance.example.com/v1\nkind: Widget\nmetadata: {name: w1, namespace: crd-delete}\nspec: {size: 3}\n';
      assert.equal((await server.kubectl(['apply', '-f', '-'], { input: widget })).stdout, 'widget.conformance.example.com/w1 created\n');

      const deleted = await server.kubectl(['delete', 'crd', 'widgets.conformance.example.com']);
      assert.equal(deleted.stdout, 'customresourcedefinition.apiextensions.k8s.io "widgets.conformance.example.com" deleted\n');
      const raw = await server.kubectl(['get', '--raw', '/apis/conformance.example.com/v1/namespaces/crd-delete/widgets'], { allowFailure: true });
      assert.deepEqual([raw.code, raw.stderr], [1, 'Error from server (NotFound): the server could not find the requested resource\n']);
      // kubectl still has widgets in its discovery cache, so it lists and gets the 404 of the endpoint...
      const cached = await server.kubectl(['get', 'widgets', '-n', 'crd-delete'], { allowFailure: true });
      assert.equal(cached.stderr, 'Error from server (NotFound): Unable to list "conformance.example.com/v1, Resource=widgets": the server could not find the requested resource (get widgets.conformance.example.com)\n');
      // ...until fresh discovery (api-resources does not use the cache) shows the group gone.
      const resources = await server.kubectl(['api-resources', '--api-group=conformance.example.com', '-o', 'name']);
      assert.equal(resources.stdout, '');
      const byName = await server.kubectl(['get', 'widgets', '-n', 'crd-delete'], { allowFailure: true });
      assert.equal(byName.stderr, 'error: the server doesn\'t have a resource type "widgets"\n');

      await server.kubectl(['apply', '-f', '-'], { input: crd });
      await server.kubectl(['wait', '--for=condition=established', 'crd/widgets.conformance.example.com', '--timeout=5s']);
      assert.equal((await server.kubectl(['get', 'widgets', '-n', 'crd-delete'])).stderr, 'No resources found in crd-delete namespace.\n');
    });
  });

  describe('cordon, drain and uncordon', function () {
    const NODE = 'conformance-node';

    function podYaml(name: string, labels: string, ownerRefs = ''): string {
      return `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\n  namespace: drain\n  labels: {${labels}}\n${ownerRefs}spec:\n  nodeName: ${NODE}\n  containers: [{name: main, image: nginx}]\n`;
    }

    async function markRunning(pod: string): Promise<void> {
      await server.kubectl(['patch', '-n', 'drain', `pod/${pod}`, '--subresource=status', '--type=merge', '-p', '{"status":{"phase":"Running","conditions":[{"type":"Ready","status":"True"}]}}']);
    }

    before(async function () {
      await createNamespace(server, 'drain');
      await server.kubectl(['apply', '-f', '-'], { input: `apiVersion: v1\nkind: Node\nmetadata:\n  name: ${NODE}\n` });
      const daemonSet = 'apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: agent, namespace: drain}\nspec:\n  selector: {matchLabels: {app: agent}}\n  template:\n    metadata: {labels: {app: agent}}\n    spec: {containers: [{name: main, image: agent}]}\n';
      await server.kubectl(['apply', '-f', '-'], { input: daemonSet });
      const dsUid = await uidOf('drain', 'daemonset/agent');
      const pdb = 'apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: web, namespace: drain}\nspec:\n  maxUnavailable: 0\n  selector: {matchLabels: {app: web}}\n';
      await server.kubectl(['apply', '-f', '-'], {
        input: [podYaml('web-0', 'app: web'), podYaml('agent-0', 'app: agent', `  ownerReferences: [{apiVersion: apps/v1, kind: DaemonSet, name: agent, uid: "${dsUid}", controller: true}]\n`), pdb].join('---\n'),
      });
      await markRunning('web-0');
      await markRunning('agent-0');
      await waitFor(async () => (await get('drain', 'pdb/web', '{.status.currentHealthy}/{.status.disruptionsAllowed}')) === '1/0', { message: 'the PDB status' });
    });

    it('cordon marks the node unschedulable', async function () {
      assert.equal((await server.kubectl(['cordon', NODE])).stdout, `node/${NODE} cordoned\n`);
      assert.equal(await get('', `node/${NODE}`, '{.spec.unschedulable}'), 'true');
      const row = parseTable((await server.kubectl(['get', 'node', NODE])).stdout).rows[0];
      assert.match(row.STATUS, /,SchedulingDisabled$/);
    });

    it('drain gives up on a pod whose PodDisruptionBudget allows no disruption, and names it', async function () {
      this.timeout(15_000); // kubectl waits 5 s before retrying an eviction refused with 429.
      const result = await server.kubectl(['drain', NODE, '--ignore-daemonsets', '--force', '--timeout=1s'], { allowFailure: true });
      assert.equal(result.code, 1);
      assert.match(result.stderr, /error when evicting pods\/"web-0" -n "drain" \(will retry after 5s\): Cannot evict pod as it would violate the pod's disruption budget\.\n/);
      assert.match(result.stderr, /There are pending pods in node "conformance-node" when an error occurred: error when evicting pods\/"web-0" -n "drain": global timeout reached: 1s\npod\/web-0\n/);
      assert.equal(await get('drain', 'pod/web-0', '{.metadata.name} {.metadata.deletionTimestamp}'), 'web-0 ');
    });

    it('drain evicts the pods once the budget is gone, skipping DaemonSet pods', async function () {
      await server.kubectl(['delete', '-n', 'drain', 'pdb/web']);
      const result = await server.kubectl(['drain', NODE, '--ignore-daemonsets', '--force', '--timeout=10s']);
      assert.equal(result.stdout, `node/${NODE} already cordoned\nevicting pod drain/web-0\npod/web-0 evicted\nnode/${NODE} drained\n`);
      // kubectl joins its warnings from a Go map, so their order varies from run to run.
      assert.match(result.stderr, /^Warning: .*\n$/);
      const warnings = result.stderr.slice('Warning: '.length, -1).split('; ').sort();
      assert.deepEqual(warnings, ['deleting Pods that declare no controller: drain/web-0', 'ignoring DaemonSet-managed Pods: drain/agent-0']);
      const left = await server.kubectl(['get', 'pods', '-A', '--field-selector', `spec.nodeName=${NODE}`, '-o', 'name']);
      assert.equal(left.stdout, 'pod/agent-0\n');
    });

    it('uncordon makes the node schedulable again', async function () {
      assert.equal((await server.kubectl(['uncordon', NODE])).stdout, `node/${NODE} uncordoned\n`);
      assert.equal(await get('', `node/${NODE}`, '{.spec.unschedulable}'), '');
    });
  });
});
