// Conformance, `kind: List` manifests: kubectl validates a List client-side against the protobuf /openapi/v2 (its v3
// field-validation check never covers v1/List: apiserver.md §3.1), so `kubectl apply -f` and `create -f` of a List,
// and of what `kubectl get -o yaml` prints for several objects, need that document. Run with kubectl 1.32 (what the
// dispatcher picks for the 1.32 server) and kubectl 1.33. One server for the file, one namespace per test.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { parse, stringify } from 'yaml';
import { startTestServer, type KubectlOptions, type KubectlResult, type TestServer } from '../support/dev-server.ts';
import { requestsOf } from '../support/kubectl-requests.ts';
import { configMapYaml, createNamespace, installMachineApiCrds, widgetCrdYaml } from './fixtures.ts';

const MS = 'machineset.machine.openshift.io';
const EXAMPLE_MACHINESET = new URL('../../examples/local/machineset.yaml', import.meta.url);
const PROTOBUF_V2_ACCEPT = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';
const TURN_OFF = 'if you choose to ignore these errors, turn validation off with --validate=false';

type Obj = Record<string, any>;

/** The MachineSet of examples/local/machineset.yaml, moved to `namespace` under `name`. */
function exampleMachineSet(namespace: string, name: string): Obj {
  const ms = parse(readFileSync(EXAMPLE_MACHINESET, 'utf8')) as Obj;
  ms.metadata = { ...ms.metadata, namespace, name };
  return ms;
}

function listYaml(items: Obj[]): string {
  return stringify({ apiVersion: 'v1', kind: 'List', items });
}

/** The versioned kubectl binary installed beside the gcloud dispatcher that is `kubectl` on PATH, if there is one. */
function versionedKubectl(minor: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const dispatcher = join(dir, 'kubectl');
    if (!existsSync(dispatcher)) continue;
    const binary = join(dirname(realpathSync(dispatcher)), `kubectl.1.${minor}`);
    return existsSync(binary) ? binary : undefined;
  }
  return undefined;
}

describe('kubectl apply and create of a kind: List, validated against /openapi/v2', function () {
  let server: TestServer;
  let linkDirs: string[] = [];

  before(async function () {
    server = await startTestServer();
    await installMachineApiCrds(server);
  });

  after(async function () {
    await server?.stop();
    for (const dir of linkDirs) rmSync(dir, { recursive: true, force: true });
    linkDirs = [];
  });

  const versions = [
    { minor: '32', how: 'the 1.32 the dispatcher picks' },
    { minor: '33', how: 'kubectl 1.33 put first on PATH' },
  ];
  for (const { minor, how } of versions) {
    describe(`kubectl 1.${minor} (${how})`, function () {
      let env: Record<string, string> = {};
      const kubectl = (args: string[], options: KubectlOptions = {}): Promise<KubectlResult> =>
        server.kubectl(args, { ...options, env: { ...env, ...options.env } });
      const ns = (what: string) => `list-${minor}-${what}`;

      before(function () {
        if (minor === '32') return;
        const binary = versionedKubectl(minor);
        if (!binary) this.skip();
        // spawn looks the command up on the PATH of the environment it is given.
        const dir = mkdtempSync(join(tmpdir(), `kubectl-1.${minor}-`));
        linkDirs.push(dir);
        symlinkSync(binary!, join(dir, 'kubectl'));
        env = { PATH: `${dir}${delimiter}${process.env.PATH ?? ''}` };
      });

      it(`runs kubectl 1.${minor}`, async function () {
        const { stdout } = await kubectl(['version', '-o', 'json']);
        assert.match((JSON.parse(stdout) as { clientVersion: { gitVersion: string } }).clientVersion.gitVersion, new RegExp(`^v1\\.${minor}\\.`));
      });

      it('applies a List of ConfigMaps and a MachineSet after validating it against the protobuf /openapi/v2', async function () {
        const namespace = ns('apply');
        await createNamespace(server, namespace);
        const list = listYaml([
          parse(configMapYaml(namespace, 'cm1', { a: '1' })),
          parse(configMapYaml(namespace, 'cm2', { b: '2' })),
          exampleMachineSet(namespace, 'workers'),
        ]);
        const applied = await kubectl(['apply', '-v=7', '-f', '-'], { input: list });
        assert.equal(applied.stdout, `configmap/cm1 created\nconfigmap/cm2 created\n${MS}/workers created\n`);
        const v2 = requestsOf(applied.stderr).filter((r) => r.url.pathname === '/openapi/v2');
        assert.deepEqual(v2.map((r) => [r.headers.accept, r.status]), [[PROTOBUF_V2_ACCEPT, 200]]);

        const again = await kubectl(['apply', '-f', '-'], { input: list });
        assert.equal(again.stdout, `configmap/cm1 unchanged\nconfigmap/cm2 unchanged\n${MS}/workers unchanged\n`);
        const { stdout } = await kubectl(['get', '-n', namespace, 'configmap/cm2', `${MS}/workers`, '-o', 'jsonpath={.items[*].metadata.name} {.items[1].spec.template.spec.providerSpec.value.instanceType}']);
        assert.equal(stdout, 'cm2 workers local.medium');
      });

      it('creates the same List with kubectl create -f', async function () {
        const namespace = ns('create');
        await createNamespace(server, namespace);
        const list = listYaml([parse(configMapYaml(namespace, 'cm1', { a: '1' })), exampleMachineSet(namespace, 'workers')]);
        const created = await kubectl(['create', '-f', '-'], { input: list });
        assert.equal(created.stdout, `configmap/cm1 created\n${MS}/workers created\n`);
      });

      it('round-trips `kubectl get machinesets -o yaml` through kubectl apply -f', async function () {
        const namespace = ns('roundtrip');
        await createNamespace(server, namespace);
        await kubectl(['apply', '-f', '-'], { input: listYaml([exampleMachineSet(namespace, 'a'), exampleMachineSet(namespace, 'b')]) });
        const exported = (await kubectl(['get', 'machinesets', '-n', namespace, '-o', 'yaml'])).stdout;
        assert.equal((parse(exported) as Obj).kind, 'List');
        // The export carries resourceVersion and a last-applied-configuration it differs from: the apply patches
        // the annotation (as against kube-apiserver), nothing else.
        const applied = await kubectl(['apply', '-f', '-'], { input: exported });
        assert.equal(applied.stdout, `${MS}/a configured\n${MS}/b configured\n`);
        const { stdout } = await kubectl(['get', 'machinesets', '-n', namespace, '-o', 'jsonpath={.items[*].spec.replicas} {.items[*].metadata.generation}']);
        assert.equal(stdout, '3 3 1 1');
      });

      it('rejects List items with unknown fields, naming each field as kubectl does against kube-apiserver; --validate=false lets them through', async function () {
        const namespace = ns('unknown');
        await createNamespace(server, namespace);
        const configMap = { ...parse(configMapYaml(namespace, 'cm1', { a: '1' })), bogus: 1 };
        const machineSet = exampleMachineSet(namespace, 'workers');
        machineSet.spec.bogusField = 1;
        const list = listYaml([configMap, machineSet]);
        for (const verb of ['apply', 'create']) {
          const rejected = await kubectl([verb, '-f', '-'], { input: list, allowFailure: true });
          assert.equal(rejected.code, 1);
          assert.equal(rejected.stderr, 'error: error validating "STDIN": error validating data: [ValidationError(ConfigMap): unknown field "bogus" in io.k8s.api.core.v1.ConfigMap, '
            + `ValidationError(MachineSet.spec): unknown field "bogusField" in io.openshift.machine.v1beta1.MachineSet.spec]; ${TURN_OFF}\n`);
        }
        const none = await kubectl(['get', 'configmaps,machinesets', '-n', namespace, '-o', 'name']);
        assert.equal(none.stdout, '');

        const unvalidated = await kubectl(['apply', '--validate=false', '-f', '-'], { input: list });
        assert.equal(unvalidated.stdout, `configmap/cm1 created\n${MS}/workers created\n`);
        // fieldValidation=Ignore: the server drops what the schema does not know.
        const { stdout } = await kubectl(['get', '-n', namespace, `${MS}/workers`, '-o', 'jsonpath={.spec.bogusField}|{.spec.replicas}']);
        assert.equal(stdout, '|3');
      });

      it('validates items of a CRD created after the document was first fetched: the document follows CRD changes', async function () {
        const namespace = ns('widgets');
        await createNamespace(server, namespace);
        const group = `v1${minor}.lists.example.com`;
        await kubectl(['apply', '-f', '-'], { input: widgetCrdYaml(group) });
        await kubectl(['wait', '--for', 'condition=established', '--timeout=5s', `crd/widgets.${group}`]);
        const widget = (spec: Obj) => ({ apiVersion: `${group}/v1`, kind: 'Widget', metadata: { name: 'w1', namespace }, spec });
        const rejected = await kubectl(['apply', '-f', '-'], { input: listYaml([widget({ size: 1, colour: 'red' })]), allowFailure: true });
        assert.equal(rejected.stderr, 'error: error validating "STDIN": error validating data: ValidationError(Widget.spec): unknown field "colour" in '
          + `com.example.lists.v1${minor}.v1.Widget.spec; ${TURN_OFF}\n`);
        const applied = await kubectl(['apply', '-f', '-'], { input: listYaml([widget({ size: 1 })]) });
        assert.equal(applied.stdout, `widget.${group}/w1 created\n`);
      });
    });
  }

  it('does not fetch /openapi/v2 to apply a single object: the v3 PATCH operation answers for it', async function () {
    await createNamespace(server, 'list-single');
    const applied = await server.kubectl(['apply', '-v=7', '-f', '-'], { input: configMapYaml('list-single', 'cm1', { a: '1' }) });
    assert.equal(applied.stdout, 'configmap/cm1 created\n');
    const paths = requestsOf(applied.stderr).map((r) => r.url.pathname);
    assert.ok(paths.some((p) => p.startsWith('/openapi/v3/')), paths.join('\n'));
    assert.ok(!paths.includes('/openapi/v2'), paths.join('\n'));
  });

  it('explains a custom kind from the v2 document with --output=plaintext-openapiv2', async function () {
    const { stdout } = await server.kubectl(['explain', '--output=plaintext-openapiv2', 'machinesets.spec.replicas']);
    assert.match(stdout, /^KIND:\s+MachineSet\nVERSION:\s+machine\.openshift\.io\/v1beta1\n\nFIELD:\s+replicas <integer>\n/);
  });
});
