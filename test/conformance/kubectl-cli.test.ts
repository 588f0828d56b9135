// Conformance, reading and small commands: version, discovery (api-resources, get all), explain, the typed
// `create` commands that send protobuf, label/annotate and `get -w` (apiserver.md §13 items 1-3, 12; §0
// findings 1-3; §2; §7.3). One server for the file, one namespace per test.
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../support/dev-server.ts';
import { requestsOf } from '../support/kubectl-requests.ts';
import { AGE, parseTable, parseTables } from '../support/kubectl-table.ts';
import { waitFor } from '../../operators/runtime/wait.ts';
import { createNamespace, installMachineApiCrds } from './fixtures.ts';

describe('kubectl reads and small commands against the embedded server', function () {
  let server: TestServer;

  before(async function () {
    server = await startTestServer();
    await installMachineApiCrds(server);
  });

  after(async function () {
    await server?.stop();
  });

  it('reports Kubernetes 1.32, so that the kubectl dispatcher runs kubectl 1.32', async function () {
    const version = JSON.parse((await server.kubectl(['version', '-o', 'json'])).stdout) as { serverVersion: { major: string; minor: string; gitVersion: string } };
    assert.deepEqual([version.serverVersion.major, version.serverVersion.minor], ['1', '32']);
    const { stderr } = await server.kubectl(['get', 'namespace', 'default', '-v=7']);
    const agents = new Set(requestsOf(stderr).map((r) => r.headers['user-agent'].split(' ')[0]));
    assert.equal(agents.size, 1);
    assert.match([...agents][0], /^kubectl\/v1\.32\.\d+$/);
  });

  describe('kubectl api-resources', function () {
    let rows: Record<string, string>[];
    before(async function () {
      const table = parseTable((await server.kubectl(['api-resources', '-o', 'wide'])).stdout);
      assert.deepEqual(table.header, ['NAME', 'SHORTNAMES', 'APIVERSION', 'NAMESPACED', 'KIND', 'VERBS', 'CATEGORIES']);
      rows = table.rows;
    });

    const expected: [name: string, apiVersion: string, shortNames: string, namespaced: string, kind: string, categories: string][] = [
      ['pods', 'v1', 'po', 'true', 'Pod', 'all'],
      ['services', 'v1', 'svc', 'true', 'Service', 'all'],
      ['configmaps', 'v1', 'cm', 'true', 'ConfigMap', ''],
      ['namespaces', 'v1', 'ns', 'false', 'Namespace', ''],
      ['nodes', 'v1', 'no', 'false', 'Node', ''],
      ['deployments', 'apps/v1', 'deploy', 'true', 'Deployment', 'all'],
      ['poddisruptionbudgets', 'policy/v1', 'pdb', 'true', 'PodDisruptionBudget', ''],
      ['customresourcedefinitions', 'apiextensions.k8s.io/v1', 'crd,crds', 'false', 'CustomResourceDefinition', 'api-extensions'],
      ['machinesets', 'machine.openshift.io/v1beta1', '', 'true', 'MachineSet', 'machine-api'],
      ['machines', 'machine.openshift.io/v1beta1', '', 'true', 'Machine', 'machine-api'],
      ['machinehealthchecks', 'machine.openshift.io/v1beta1', 'mhc,mhcs', 'true', 'MachineHealthCheck', 'machine-api'],
    ];
    for (const [name, apiVersion, shortNames, namespaced, kind, categories] of expected) {
      it(`lists ${name} (${apiVersion}) with short names "${shortNames}", namespaced ${namespaced} and categories "${categories}"`, function () {
        const row = rows.find((r) => r.NAME === name && r.APIVERSION === apiVersion);
        assert.ok(row, `${name} is listed`);
        assert.deepEqual([row.SHORTNAMES, row.NAMESPACED, row.KIND, row.CATEGORIES], [shortNames, namespaced, kind, categories]);
      });
    }

    it('resolves short names and categories in kubectl get', async function () {
      const byShortName = await server.kubectl(['get', 'mhc', '-n', 'default']);
      assert.equal(byShortName.stderr, 'No resources found in default namespace.\n');
      const { stdout } = await server.kubectl(['api-resources', '--categories=machine-api', '-o', 'name']);
      assert.equal(stdout, 'machinehealthchecks.machine.openshift.io\nmachines.machine.openshift.io\nmachinesets.machine.openshift.io\n');
    });
  });

  it('kubectl get all lists the pods, services and deployments of a namespace, and nothing outside category all', async function () {
    await createNamespace(server, 'all');
    const service = 'apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: all}\nspec:\n  selector: {app: web}\n  ports: [{port: 80, targetPort: 8080}]\n';
    assert.equal((await server.kubectl(['apply', '-f', '-'], { input: service })).stdout, 'service/web created\n');
    assert.equal((await server.kubectl(['run', 'web-0', '-n', 'all', '--image=nginx', '--labels=app=web'])).stdout, 'pod/web-0 created\n');
    assert.equal((await server.kubectl(['create', 'deployment', 'web', '-n', 'all', '--image=nginx'])).stdout, 'deployment.apps/web created\n');
    await server.kubectl(['create', 'configmap', 'not-in-all', '-n', 'all']);

    const tables = parseTables((await server.kubectl(['get', 'all', '-n', 'all'])).stdout);
    assert.deepEqual(tables.map((t) => t.header), [
      ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE'],
      ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE'],
      ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE'],
    ]);
    assert.deepEqual(tables.map((t) => t.rows.map((r) => r.NAME)), [['pod/web-0'], ['service/web'], ['deployment.apps/web']]);
    assert.deepEqual([tables[0].rows[0].STATUS, tables[1].rows[0].TYPE, tables[1].rows[0]['PORT(S)']], ['Pending', 'ClusterIP', '80/TCP']);
  });

  describe('kubectl explain', function () {
    it('explains machinesets.spec from the CRD schema', async function () {
      const { stdout } = await server.kubectl(['explain', 'machinesets.spec']);
      assert.match(stdout, /^GROUP: {6}machine\.openshift\.io\nKIND: {7}MachineSet\nVERSION: {4}v1beta1\n\nFIELD: spec <Object>\n/);
      assert.match(stdout, /\n {2}replicas\t<integer>\n {4}Number of Machines wanted\. Defaults to 1; 0 is kept as written\.\n/);
      assert.match(stdout, /\n {2}template\t<Object>\n/);
    });

    it('explains pods.spec.containers from the built-in schemas', async function () {
      const { stdout } = await server.kubectl(['explain', 'pods.spec.containers']);
      assert.match(stdout, /^KIND: {7}Pod\nVERSION: {4}v1\n\nFIELD: containers <\[\]Container>\n/);
      assert.match(stdout, /\n {2}image\t<string>\n/);
      assert.match(stdout, /\n {2}name\t<string> -required-\n/);
    });
  });

  describe('typed kubectl create (protobuf request bodies)', function () {
    it('creates a namespace, a ConfigMap and a Secret from protobuf bodies', async function () {
      const ns = await server.kubectl(['create', 'namespace', 'typed', '-v=7']);
      assert.match(ns.stdout, /^namespace\/typed created\n$/);
      const cm = await server.kubectl(['create', 'configmap', 'settings', '-n', 'typed', '--from-literal=mode=fast', '--from-literal=level=3', '-v=7']);
      assert.equal(cm.stdout, 'configmap/settings created\n');
      const secret = await server.kubectl(['create', 'secret', 'generic', 'login', '-n', 'typed', '--from-literal=password=hunter2', '-v=7']);
      assert.equal(secret.stdout, 'secret/login created\n');
      for (const run of [ns, cm, secret]) {
        const posts = requestsOf(run.stderr).filter((r) => r.method === 'POST');
        assert.deepEqual(posts.map((r) => `${r.headers['content-type']} ${r.status}`), ['application/vnd.kubernetes.protobuf 201']);
      }
      assert.equal((await server.kubectl(['get', 'namespace', 'typed', '-o', 'jsonpath={.status.phase} {.metadata.labels}'])).stdout, 'Active {"kubernetes.io/metadata.name":"typed"}');
      assert.equal((await server.kubectl(['get', '-n', 'typed', 'configmap/settings', '-o', 'jsonpath={.data}'])).stdout, '{"level":"3","mode":"fast"}');
      assert.equal((await server.kubectl(['get', '-n', 'typed', 'secret/login', '-o', 'jsonpath={.type} {.data.password}'])).stdout, `Opaque ${Buffer.from('hunter2').toString('base64')}`);
    });
  });

  // BUG: `kubectl create service` sends a protobuf v1/Service, which devcluster/apiserver/protobuf/schema.ts
  // cannot decode (no Service, ServiceSpec, ServicePort messages), so the server answers 415 and kubectl prints
  // "error: failed to create ClusterIP service: the body of the request was in an unknown format - accepted
  // media types include: application/json, application/yaml; protobuf is not supported for Service in version
  // "v1", send it as JSON". kube-apiserver decodes it. Needs the Service messages from k8s.io/api
  // core/v1/generated.proto; services also get no spec.clusterIP allocated (CLUSTER-IP prints <none>).
  it.skip('creates a ClusterIP Service from the protobuf body of kubectl create service', async function () {
    await createNamespace(server, 'typed-svc');
    const created = await server.kubectl(['create', 'service', 'clusterip', 'web', '-n', 'typed-svc', '--tcp=80:8080']);
    assert.equal(created.stdout, 'service/web created\n');
    assert.equal((await server.kubectl(['get', '-n', 'typed-svc', 'service/web', '-o', 'jsonpath={.spec.type} {.spec.ports[0].port}/{.spec.ports[0].targetPort}'])).stdout, 'ClusterIP 80/8080');
  });

  describe('kubectl label and annotate', function () {
    it('adds, refuses to overwrite without --overwrite, overwrites and removes labels and annotations', async function () {
      await createNamespace(server, 'labels');
      await server.kubectl(['create', 'configmap', 'cm1', '-n', 'labels']);
      const k = (...args: string[]) => server.kubectl([...args, '-n', 'labels'], { allowFailure: true });

      assert.equal((await k('label', 'configmap/cm1', 'env=prod')).stdout, 'configmap/cm1 labeled\n');
      const refused = await k('label', 'configmap/cm1', 'env=dev');
      assert.deepEqual([refused.code, refused.stderr], [1, "error: 'env' already has a value (prod), and --overwrite is false\n"]);
      assert.equal((await k('label', 'configmap/cm1', 'env=dev', '--overwrite')).stdout, 'configmap/cm1 labeled\n');
      assert.equal((await k('annotate', 'configmap/cm1', 'owner=team-a')).stdout, 'configmap/cm1 annotated\n');

      const selected = parseTable((await k('get', 'configmaps', '-l', 'env=dev', '--show-labels')).stdout);
      assert.deepEqual(selected.rows.map((r) => [r.NAME, r.LABELS]), [['cm1', 'env=dev']]);
      assert.equal((await k('get', 'configmap/cm1', '-o', 'jsonpath={.metadata.annotations.owner}')).stdout, 'team-a');

      assert.equal((await k('label', 'configmap/cm1', 'env-')).stdout, 'configmap/cm1 unlabeled\n');
      assert.equal((await k('annotate', 'configmap/cm1', 'owner-')).stdout, 'configmap/cm1 annotated\n');
      // ObjectMeta's maps are omitempty: removing the last key leaves no empty map behind.
      const meta = JSON.parse((await k('get', 'configmap/cm1', '-o', 'json')).stdout).metadata as Record<string, unknown>;
      assert.deepEqual([meta.labels, meta.annotations], [undefined, undefined]);
    });
  });

  describe('kubectl get -w', function () {
    it('prints the object, then each change as it happens', async function () {
      await createNamespace(server, 'watch');
      await server.kubectl(['create', 'configmap', 'watched', '-n', 'watch', '--from-literal=a=1']);
      const watch = server.kubectlStart(['get', 'configmap/watched', '-n', 'watch', '-w', '--output-watch-events']);
      try {
        await waitFor(() => watch.stdout().includes('ADDED'), { message: 'the initial ADDED line' });
        await server.kubectl(['patch', 'configmap/watched', '-n', 'watch', '--type=merge', '-p', '{"data":{"b":"2"}}']);
        await waitFor(() => watch.stdout().includes('MODIFIED'), { message: 'the MODIFIED line' });
        await server.kubectl(['delete', 'configmap/watched', '-n', 'watch']);
        await waitFor(() => watch.stdout().includes('DELETED'), { message: 'the DELETED line' });
      } finally {
        await watch.stop();
      }
      const table = parseTable(watch.stdout());
      assert.deepEqual(table.header, ['EVENT', 'NAME', 'DATA', 'AGE']);
      assert.deepEqual(table.rows.map((r) => [r.EVENT, r.NAME, r.DATA]), [['ADDED', 'watched', '1'], ['MODIFIED', 'watched', '2'], ['DELETED', 'watched', '2']]);
      for (const row of table.rows) assert.match(row.AGE, AGE);
    });
  });
});
