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

  describe('typed kubectl create service (protobuf v1/Service) and Service IP and node port allocation', function () {
    const SERVICE_HEADER = ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE'];
    const ip = (text: string) => /^10\.(9[6-9]|10\d|11[01])\.\d{1,3}\.\d{1,3}$/.test(text);

    before(async function () {
      await createNamespace(server, 'typed-svc');
    });

    it('creates a ClusterIP Service from the protobuf body of kubectl create service, with an IP from 10.96.0.0/12', async function () {
      const created = await server.kubectl(['create', 'service', 'clusterip', 'web', '-n', 'typed-svc', '--tcp=80:8080', '-v=7']);
      assert.equal(created.stdout, 'service/web created\n');
      const posts = requestsOf(created.stderr).filter((r) => r.method === 'POST');
      assert.deepEqual(posts.map((r) => `${r.headers['content-type']} ${r.status}`), ['application/vnd.kubernetes.protobuf 201']);
      const fields = (await server.kubectl(['get', '-n', 'typed-svc', 'service/web', '-o',
        'jsonpath={.spec.type} {.spec.ports[0].port}/{.spec.ports[0].targetPort} {.spec.clusterIP} {.spec.clusterIPs} {.spec.ipFamilies} {.spec.ipFamilyPolicy}'])).stdout.split(' ');
      const [type, ports, clusterIP, clusterIPs, families, policy] = fields;
      assert.deepEqual([type, ports, clusterIPs, families, policy], ['ClusterIP', '80/8080', JSON.stringify([clusterIP]), '["IPv4"]', 'SingleStack']);
      assert.ok(ip(clusterIP), clusterIP);
    });

    it('creates a NodePort Service with a node port from 30000-32767 and one it names', async function () {
      assert.equal((await server.kubectl(['create', 'service', 'nodeport', 'np', '-n', 'typed-svc', '--tcp=443:8443'])).stdout, 'service/np created\n');
      assert.equal((await server.kubectl(['create', 'service', 'nodeport', 'fixed', '-n', 'typed-svc', '--tcp=80:8080', '--node-port=30080'])).stdout, 'service/fixed created\n');
      const nodePort = Number((await server.kubectl(['get', '-n', 'typed-svc', 'service/np', '-o', 'jsonpath={.spec.ports[0].nodePort}'])).stdout);
      assert.ok(nodePort >= 30000 && nodePort <= 32767 && nodePort !== 30080, String(nodePort));
    });

    it('creates a headless Service, which keeps clusterIP None', async function () {
      assert.equal((await server.kubectl(['create', 'service', 'clusterip', 'db', '-n', 'typed-svc', '--clusterip=None', '--tcp=5432'])).stdout, 'service/db created\n');
    });

    it('kubectl get svc prints CLUSTER-IP and PORT(S) as a real cluster does', async function () {
      const table = parseTable((await server.kubectl(['get', 'svc', '-n', 'typed-svc'])).stdout);
      assert.deepEqual(table.header, SERVICE_HEADER);
      const rows = Object.fromEntries(table.rows.map((r) => [r.NAME, r]));
      assert.deepEqual(Object.keys(rows), ['db', 'fixed', 'np', 'web']);
      for (const name of ['fixed', 'np', 'web']) assert.ok(ip(rows[name]['CLUSTER-IP']), `${name}: ${rows[name]['CLUSTER-IP']}`);
      assert.equal(new Set(table.rows.map((r) => r['CLUSTER-IP'])).size, 4);
      const nodePort = (await server.kubectl(['get', '-n', 'typed-svc', 'service/np', '-o', 'jsonpath={.spec.ports[0].nodePort}'])).stdout;
      assert.deepEqual(table.rows.map((r) => [r.NAME, r.TYPE, r['EXTERNAL-IP'], r['PORT(S)']]), [
        ['db', 'ClusterIP', '<none>', '5432/TCP'],
        ['fixed', 'NodePort', '<none>', '80:30080/TCP'],
        ['np', 'NodePort', '<none>', `443:${nodePort}/TCP`],
        ['web', 'ClusterIP', '<none>', '80/TCP'],
      ]);
      assert.equal(rows.db['CLUSTER-IP'], 'None');
      for (const row of table.rows) assert.match(row.AGE, AGE);
    });

    it('refuses a taken clusterIP or node port with 422 and kube-apiserver\'s messages, and frees them on delete', async function () {
      const webIP = (await server.kubectl(['get', '-n', 'typed-svc', 'service/web', '-o', 'jsonpath={.spec.clusterIP}'])).stdout;
      const taken = await server.kubectl(['create', 'service', 'clusterip', 'copy', '-n', 'typed-svc', `--clusterip=${webIP}`, '--tcp=80', '-v=7'], { allowFailure: true });
      assert.equal(taken.code, 1);
      assert.equal(requestsOf(taken.stderr).filter((r) => r.method === 'POST').map((r) => r.status).join(), '422');
      assert.match(taken.stderr, new RegExp(`error: failed to create ClusterIP service: Service "copy" is invalid: spec\\.clusterIPs: Invalid value: \\[\\]string\\{"${webIP.replace(/\./g, '\\.')}"\\}: failed to allocate IP ${webIP.replace(/\./g, '\\.')}: provided IP is already allocated\n$`));
      const port = await server.kubectl(['create', 'service', 'nodeport', 'copy', '-n', 'typed-svc', '--tcp=81', '--node-port=30080'], { allowFailure: true });
      assert.equal(port.stderr, 'error: failed to create NodePort service: Service "copy" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated\n');
      const changed = await server.kubectl(['patch', 'service/web', '-n', 'typed-svc', '-p', '{"spec":{"clusterIP":"10.96.0.99"}}'], { allowFailure: true });
      assert.equal(changed.stderr, 'The Service "web" is invalid: spec.clusterIPs[0]: Invalid value: []string{"10.96.0.99"}: may not change once set\n');

      await server.kubectl(['delete', 'service', 'web', 'fixed', '-n', 'typed-svc']);
      assert.equal((await server.kubectl(['create', 'service', 'clusterip', 'copy', '-n', 'typed-svc', `--clusterip=${webIP}`, '--tcp=80'])).stdout, 'service/copy created\n');
      assert.equal((await server.kubectl(['create', 'service', 'nodeport', 'copy2', '-n', 'typed-svc', '--tcp=81', '--node-port=30080'])).stdout, 'service/copy2 created\n');
    });

    it('still knows which IPs and node ports are taken after a restart', async function () {
      const copyIP = (await server.kubectl(['get', '-n', 'typed-svc', 'service/copy', '-o', 'jsonpath={.spec.clusterIP}'])).stdout;
      await server.restart();
      const again = await server.kubectl(['create', 'service', 'clusterip', 'again', '-n', 'typed-svc', `--clusterip=${copyIP}`, '--tcp=80'], { allowFailure: true });
      assert.match(again.stderr, /provided IP is already allocated\n$/);
      const port = await server.kubectl(['create', 'service', 'nodeport', 'again', '-n', 'typed-svc', '--tcp=81', '--node-port=30080'], { allowFailure: true });
      assert.match(port.stderr, /provided port is already allocated\n$/);
    });
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
