// Conformance, writes: the real kubectl 1.32 applying, patching, scaling, editing and diffing objects on the
// embedded server (apiserver.md §13 items 4-8, 11 and 15; §4, §5, §8). One server for the file, one
// namespace per test.
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '../support/dev-server.ts';
import { requestsOf, writesOf } from '../support/kubectl-requests.ts';
import { AGE, parseTable } from '../support/kubectl-table.ts';
import { configMapYaml, createNamespace, installMachineApiCrds, machineSetYaml } from './fixtures.ts';

const MS = 'machineset.machine.openshift.io';
const MS_PATH = '/apis/machine.openshift.io/v1beta1/namespaces';

describe('kubectl writes against the embedded server', function () {
  let server: TestServer;

  before(async function () {
    server = await startTestServer();
    await installMachineApiCrds(server);
  });

  after(async function () {
    await server?.stop();
  });

  async function jsonpath(ns: string, target: string, path: string): Promise<string> {
    return (await server.kubectl(['get', '-n', ns, target, '-o', `jsonpath=${path}`])).stdout;
  }

  describe('client-side apply', function () {
    it('creates a MachineSet with a Strict POST, then sends a JSON merge patch for a changed replica count', async function () {
      await createNamespace(server, 'csa-cr');
      const first = await server.kubectl(['apply', '-v=7', '-f', '-'], { input: machineSetYaml('csa-cr', 'ms1', { replicas: 2 }) });
      assert.equal(first.stdout, `${MS}/ms1 created\n`);
      const [post] = requestsOf(first.stderr).filter((r) => r.method !== 'GET');
      assert.equal(post.method, 'POST');
      assert.equal(post.url.pathname, `${MS_PATH}/csa-cr/machinesets`);
      assert.equal(post.url.searchParams.get('fieldValidation'), 'Strict');
      assert.equal(post.url.searchParams.get('fieldManager'), 'kubectl-client-side-apply');
      assert.equal(post.status, 201);

      const second = await server.kubectl(['apply', '-v=7', '-f', '-'], { input: machineSetYaml('csa-cr', 'ms1', { replicas: 3 }) });
      assert.equal(second.stdout, `${MS}/ms1 configured\n`);
      assert.deepEqual(writesOf(second.stderr), [`PATCH ${MS_PATH}/csa-cr/machinesets/ms1 application/merge-patch+json`]);
      assert.equal(await jsonpath('csa-cr', 'machineset/ms1', '{.spec.replicas} {.metadata.generation}'), '3 2');

      const third = await server.kubectl(['apply', '-v=7', '-f', '-'], { input: machineSetYaml('csa-cr', 'ms1', { replicas: 3 }) });
      assert.equal(third.stdout, `${MS}/ms1 unchanged\n`);
      assert.deepEqual(writesOf(third.stderr), []);
    });

    it('sends a strategic merge patch the second time it applies a ConfigMap', async function () {
      await createNamespace(server, 'csa-cm');
      const first = await server.kubectl(['apply', '-f', '-'], { input: configMapYaml('csa-cm', 'cm1', { a: '1', b: '2' }) });
      assert.equal(first.stdout, 'configmap/cm1 created\n');
      const second = await server.kubectl(['apply', '-v=7', '-f', '-'], { input: configMapYaml('csa-cm', 'cm1', { a: '1', c: '3' }) });
      assert.equal(second.stdout, 'configmap/cm1 configured\n');
      assert.deepEqual(writesOf(second.stderr), ['PATCH /api/v1/namespaces/csa-cm/configmaps/cm1 application/strategic-merge-patch+json']);
      // The key dropped from the manifest is deleted through last-applied-configuration.
      assert.equal(await jsonpath('csa-cm', 'configmap/cm1', '{.data}'), '{"a":"1","c":"3"}');
    });
  });

  describe('server-side apply', function () {
    it('creates an object (201), records kubectl as its Apply manager, and removes fields dropped from the manifest', async function () {
      await createNamespace(server, 'ssa-new');
      const manifest = configMapYaml('ssa-new', 'cm1', { x: '1', y: '2' }, '  labels: {a: "1", b: "2"}');
      const created = await server.kubectl(['apply', '--server-side', '-v=7', '-f', '-'], { input: manifest });
      assert.equal(created.stdout, 'configmap/cm1 serverside-applied\n');
      const [apply] = requestsOf(created.stderr).filter((r) => r.method !== 'GET');
      assert.equal(`${apply.method} ${apply.headers['content-type']} ${apply.status}`, 'PATCH application/apply-patch+yaml 201');
      assert.equal(apply.url.searchParams.get('fieldManager'), 'kubectl');
      assert.equal(
        await jsonpath('ssa-new', 'configmap/cm1', '{.metadata.managedFields[*].manager}/{.metadata.managedFields[*].operation}'),
        'kubectl/Apply',
      );

      const reduced = configMapYaml('ssa-new', 'cm1', { x: '1' }, '  labels: {a: "1"}');
      const reapplied = await server.kubectl(['apply', '--server-side', '-f', '-'], { input: reduced });
      assert.equal(reapplied.stdout, 'configmap/cm1 serverside-applied\n');
      assert.equal(await jsonpath('ssa-new', 'configmap/cm1', '{.data} {.metadata.labels}'), '{"x":"1"} {"a":"1"}');
    });

    it('applies to an existing MachineSet: conflicts with its creator, forces (200), then removes the fields it alone set', async function () {
      await createNamespace(server, 'ssa-old');
      const created = await server.kubectl(['create', '-f', '-'], { input: machineSetYaml('ssa-old', 'ms1', { replicas: 1 }) });
      assert.equal(created.stdout, `${MS}/ms1 created\n`);
      const withExtra = machineSetYaml('ssa-old', 'ms1', { replicas: 4 }).replace('spec:\n', 'spec:\n  minReadySeconds: 5\n  deletePolicy: Oldest\n');

      const conflict = await server.kubectl(['apply', '--server-side', '-f', '-'], { input: withExtra, allowFailure: true });
      assert.equal(conflict.code, 1);
      assert.match(conflict.stderr, /^error: Apply failed with 1 conflict: conflict with "kubectl-create" using machine\.openshift\.io\/v1beta1: \.spec\.replicas\n/);

      const forced = await server.kubectl(['apply', '--server-side', '--force-conflicts', '-v=7', '-f', '-'], { input: withExtra });
      assert.equal(forced.stdout, `${MS}/ms1 serverside-applied\n`);
      assert.deepEqual(requestsOf(forced.stderr).filter((r) => r.method === 'PATCH').map((r) => `${r.url.searchParams.get('force')} ${r.status}`), ['true 200']);
      assert.equal(await jsonpath('ssa-old', 'machineset/ms1', '{.spec.replicas} {.spec.minReadySeconds} {.spec.deletePolicy}'), '4 5 Oldest');

      const reduced = await server.kubectl(['apply', '--server-side', '-f', '-'], { input: machineSetYaml('ssa-old', 'ms1', { replicas: 4 }) });
      assert.equal(reduced.stdout, `${MS}/ms1 serverside-applied\n`);
      const spec = JSON.parse(await jsonpath('ssa-old', 'machineset/ms1', '{.spec}')) as Record<string, unknown>;
      assert.deepEqual(Object.keys(spec).sort(), ['replicas', 'selector', 'template']);
    });
  });

  describe('kubectl get', function () {
    before(async function () {
      await createNamespace(server, 'cols-a');
      await createNamespace(server, 'cols-b');
      const labels = { suite: 'columns' };
      await server.kubectl(['apply', '-f', '-'], {
        input: [machineSetYaml('cols-a', 'alpha', { replicas: 3, labels }), machineSetYaml('cols-a', 'beta', { replicas: 0, labels }), machineSetYaml('cols-b', 'gamma', { replicas: 1, labels: { ...labels, zone: 'b' } })].join('---\n'),
      });
      await server.kubectl(['patch', '-n', 'cols-a', 'machineset/alpha', '--subresource=status', '--type=merge', '-p', '{"status":{"replicas":3,"readyReplicas":2,"availableReplicas":1}}']);
    });

    it('prints the MachineSet printer columns DESIRED CURRENT READY AVAILABLE AGE', async function () {
      const { stdout } = await server.kubectl(['get', 'machinesets', '-n', 'cols-a']);
      const table = parseTable(stdout);
      assert.deepEqual(table.header, ['NAME', 'DESIRED', 'CURRENT', 'READY', 'AVAILABLE', 'AGE']);
      assert.deepEqual(table.rows.map(({ AGE: _age, ...cells }) => cells), [
        { NAME: 'alpha', DESIRED: '3', CURRENT: '3', READY: '2', AVAILABLE: '1' },
        { NAME: 'beta', DESIRED: '0', CURRENT: '', READY: '', AVAILABLE: '' },
      ]);
      for (const row of table.rows) assert.match(row.AGE, AGE);
    });

    it('prints the same columns with -o wide, as the CRD declares no priority columns', async function () {
      const { stdout } = await server.kubectl(['get', 'machineset', 'alpha', '-n', 'cols-a', '-o', 'wide']);
      const table = parseTable(stdout);
      assert.deepEqual(table.header, ['NAME', 'DESIRED', 'CURRENT', 'READY', 'AVAILABLE', 'AGE']);
      assert.deepEqual(table.rows.map((r) => [r.NAME, r.DESIRED, r.CURRENT, r.READY, r.AVAILABLE]), [['alpha', '3', '3', '2', '1']]);
    });

    it('lists every namespace with -A and appends LABELS with --show-labels', async function () {
      const { stdout } = await server.kubectl(['get', 'machinesets', '-A', '--show-labels', '-l', 'suite=columns']);
      const table = parseTable(stdout);
      assert.deepEqual(table.header, ['NAMESPACE', 'NAME', 'DESIRED', 'CURRENT', 'READY', 'AVAILABLE', 'AGE', 'LABELS']);
      assert.deepEqual(table.rows.map((r) => [r.NAMESPACE, r.NAME, r.DESIRED, r.LABELS]), [
        ['cols-a', 'alpha', '3', 'suite=columns'],
        ['cols-a', 'beta', '0', 'suite=columns'],
        ['cols-b', 'gamma', '1', 'suite=columns,zone=b'],
      ]);
    });

    it('evaluates a jsonpath template over a list', async function () {
      const { stdout } = await server.kubectl(['get', 'machinesets', '-A', '-l', 'suite=columns', '-o', 'jsonpath={range .items[*]}{.metadata.namespace}/{.metadata.name}={.spec.replicas}{"\\n"}{end}']);
      assert.equal(stdout, 'cols-a/alpha=3\ncols-a/beta=0\ncols-b/gamma=1\n');
    });
  });

  describe('kubectl scale', function () {
    it('patches /scale, then PUTs /scale with the precondition of --current-replicas, and refuses a wrong precondition', async function () {
      await createNamespace(server, 'scale');
      await server.kubectl(['apply', '-f', '-'], { input: machineSetYaml('scale', 'ms1', { replicas: 1 }) });

      const plain = await server.kubectl(['scale', '-n', 'scale', 'machineset/ms1', '--replicas=5', '-v=7']);
      assert.equal(plain.stdout, `${MS}/ms1 scaled\n`);
      assert.deepEqual(writesOf(plain.stderr), [`PATCH ${MS_PATH}/scale/machinesets/ms1/scale application/merge-patch+json`]);

      const guarded = await server.kubectl(['scale', '-n', 'scale', 'machineset/ms1', '--current-replicas=5', '--replicas=6', '-v=7']);
      assert.equal(guarded.stdout, `${MS}/ms1 scaled\n`);
      // client-go sends this PUT without a Content-Type (apiserver.md §1 H4).
      assert.deepEqual(writesOf(guarded.stderr), [`PUT ${MS_PATH}/scale/machinesets/ms1/scale (none)`]);

      const wrong = await server.kubectl(['scale', '-n', 'scale', 'machineset/ms1', '--current-replicas=5', '--replicas=7'], { allowFailure: true });
      assert.equal(wrong.code, 1);
      assert.equal(wrong.stderr, 'error: Expected replicas to be 5, was 6\n');

      const scale = JSON.parse((await server.kubectl(['get', '-n', 'scale', 'machineset/ms1', '--subresource=scale', '-o', 'json'])).stdout) as Record<string, unknown>;
      assert.deepEqual({ apiVersion: scale.apiVersion, kind: scale.kind, spec: scale.spec }, { apiVersion: 'autoscaling/v1', kind: 'Scale', spec: { replicas: 6 } });
    });
  });

  describe('kubectl patch', function () {
    it('applies merge and JSON patches to the spec', async function () {
      await createNamespace(server, 'patch-spec');
      await server.kubectl(['apply', '-f', '-'], { input: machineSetYaml('patch-spec', 'ms1', { replicas: 1 }) });
      const merge = await server.kubectl(['patch', '-n', 'patch-spec', 'machineset/ms1', '--type=merge', '-p', '{"spec":{"replicas":2,"minReadySeconds":10}}']);
      assert.equal(merge.stdout, `${MS}/ms1 patched\n`);
      const json = await server.kubectl(['patch', '-n', 'patch-spec', 'machineset/ms1', '--type=json', '-p', '[{"op":"replace","path":"/spec/replicas","value":4},{"op":"remove","path":"/spec/minReadySeconds"}]']);
      assert.equal(json.stdout, `${MS}/ms1 patched\n`);
      assert.equal(await jsonpath('patch-spec', 'machineset/ms1', '{.spec.replicas}|{.spec.minReadySeconds}|{.metadata.generation}'), '4||3');
    });

    it('writes status only through --subresource=status; a status patch of the main resource changes nothing', async function () {
      await createNamespace(server, 'patch-status');
      await server.kubectl(['apply', '-f', '-'], { input: machineSetYaml('patch-status', 'ms1', { replicas: 3 }) });
      const status = await server.kubectl(['patch', '-n', 'patch-status', 'machineset/ms1', '--subresource=status', '--type=merge', '-p', '{"status":{"replicas":3,"readyReplicas":3,"availableReplicas":2}}']);
      assert.equal(status.stdout, `${MS}/ms1 patched\n`);
      const ignored = await server.kubectl(['patch', '-n', 'patch-status', 'machineset/ms1', '--type=merge', '-p', '{"status":{"replicas":9}}']);
      assert.equal(ignored.stdout, `${MS}/ms1 patched (no change)\n`);
      assert.equal(await jsonpath('patch-status', 'machineset/ms1', '{.status.replicas} {.status.readyReplicas} {.metadata.generation}'), '3 3 1');
      const row = parseTable((await server.kubectl(['get', '-n', 'patch-status', 'machineset/ms1'])).stdout).rows[0];
      assert.deepEqual([row.DESIRED, row.CURRENT, row.READY, row.AVAILABLE], ['3', '3', '3', '2']);
    });

    it('warns about an unknown field of a patch sent without fieldValidation (the default is Warn) and drops it', async function () {
      await createNamespace(server, 'patch-warn');
      await server.kubectl(['apply', '-f', '-'], { input: machineSetYaml('patch-warn', 'ms1') });
      const result = await server.kubectl(['patch', '-n', 'patch-warn', 'machineset/ms1', '--type=merge', '-p', '{"spec":{"replicas":2,"bogus":1}}']);
      assert.equal(result.stdout, `${MS}/ms1 patched\n`);
      assert.equal(result.stderr, 'Warning: unknown field "spec.bogus"\n');
      assert.equal(await jsonpath('patch-warn', 'machineset/ms1', '{.spec.replicas} {.spec.bogus}'), '2 ');
    });

    it('answers a strategic merge patch of a custom resource with 415 UnsupportedMediaType', async function () {
      await createNamespace(server, 'patch-smp');
      await server.kubectl(['apply', '-f', '-'], { input: machineSetYaml('patch-smp', 'ms1') });
      const result = await server.kubectl(['patch', '-n', 'patch-smp', 'machineset/ms1', '--type=strategic', '-p', '{"spec":{"replicas":2}}', '-v=7'], { allowFailure: true });
      assert.equal(result.code, 1);
      assert.deepEqual(requestsOf(result.stderr).filter((r) => r.method === 'PATCH').map((r) => r.status), [415]);
      assert.match(
        result.stderr,
        /\nerror: application\/strategic-merge-patch\+json is not supported by machine\.openshift\.io\/v1beta1, Kind=MachineSet: the body of the request was in an unknown format - accepted media types include: application\/json-patch\+json, application\/merge-patch\+json, application\/apply-patch\+yaml\n$/,
      );
    });
  });

  describe('kubectl edit', function () {
    let editorDir: string;
    before(function () {
      editorDir = mkdtempSync(join(tmpdir(), 'kube-editor-'));
    });
    after(function () {
      rmSync(editorDir, { recursive: true, force: true });
    });

    it('saves what the KUBE_EDITOR program wrote into the file', async function () {
      await createNamespace(server, 'edit');
      await server.kubectl(['apply', '-f', '-'], { input: machineSetYaml('edit', 'ms1', { replicas: 2 }) });
      const editor = join(editorDir, 'set-replicas.sh');
      writeFileSync(editor, '#!/bin/sh\nsed -i -e "s/^  replicas: 2$/  replicas: 7/" "$1"\n');
      chmodSync(editor, 0o755);
      const edited = await server.kubectl(['edit', '-n', 'edit', 'machineset/ms1'], { env: { KUBE_EDITOR: editor } });
      assert.equal(edited.stdout, `${MS}/ms1 edited\n`);
      assert.equal(await jsonpath('edit', 'machineset/ms1', '{.spec.replicas}'), '7');

      const noop = join(editorDir, 'noop.sh');
      writeFileSync(noop, '#!/bin/sh\nexit 0\n');
      chmodSync(noop, 0o755);
      const cancelled = await server.kubectl(['edit', '-n', 'edit', 'machineset/ms1'], { env: { KUBE_EDITOR: noop } });
      assert.equal(cancelled.stderr, 'Edit cancelled, no changes made.\n');
    });
  });

  describe('kubectl diff and --dry-run=server', function () {
    it('diff shows the change through a dryRun=All patch and leaves the object as it was', async function () {
      await createNamespace(server, 'diff');
      await server.kubectl(['apply', '-f', '-'], { input: machineSetYaml('diff', 'ms1', { replicas: 3 }) });
      const before = await jsonpath('diff', 'machineset/ms1', '{.spec.replicas} {.metadata.resourceVersion}');
      const diff = await server.kubectl(['diff', '-v=7', '-f', '-'], { input: machineSetYaml('diff', 'ms1', { replicas: 5 }), allowFailure: true });
      assert.equal(diff.code, 1, 'kubectl diff exits 1 when there are differences');
      assert.match(diff.stdout, /^-  replicas: 3$/m);
      assert.match(diff.stdout, /^\+  replicas: 5$/m);
      const patches = requestsOf(diff.stderr).filter((r) => r.method === 'PATCH');
      assert.deepEqual(patches.map((r) => r.url.searchParams.get('dryRun')), ['All']);
      assert.equal(await jsonpath('diff', 'machineset/ms1', '{.spec.replicas} {.metadata.resourceVersion}'), before);
    });

    it('a server dry run of create, apply and delete reports success and changes nothing', async function () {
      await createNamespace(server, 'dry-run');
      await server.kubectl(['apply', '-f', '-'], { input: configMapYaml('dry-run', 'kept', { a: '1' }) });
      const rv = await jsonpath('dry-run', 'configmap/kept', '{.metadata.resourceVersion}');

      const create = await server.kubectl(['create', 'configmap', 'ghost', '-n', 'dry-run', '--from-literal=a=1', '--dry-run=server']);
      assert.equal(create.stdout, 'configmap/ghost created (server dry run)\n');
      const ghost = await server.kubectl(['get', '-n', 'dry-run', 'configmap/ghost'], { allowFailure: true });
      assert.equal(ghost.stderr, 'Error from server (NotFound): configmaps "ghost" not found\n');

      const apply = await server.kubectl(['apply', '--dry-run=server', '-f', '-'], { input: configMapYaml('dry-run', 'kept', { a: '2' }) });
      assert.equal(apply.stdout, 'configmap/kept configured (server dry run)\n');
      const del = await server.kubectl(['delete', '-n', 'dry-run', 'configmap/kept', '--dry-run=server']);
      assert.equal(del.stdout, 'configmap "kept" deleted (server dry run)\n');
      assert.equal(await jsonpath('dry-run', 'configmap/kept', '{.data.a} {.metadata.resourceVersion}'), `1 ${rv}`);
    });
  });

  describe('errors', function () {
    before(async function () {
      await createNamespace(server, 'errors');
      await server.kubectl(['apply', '-f', '-'], { input: machineSetYaml('errors', 'existing', { replicas: 2 }) });
      await server.kubectl(['create', 'configmap', 'taken', '-n', 'errors']);
    });

    const cases: { name: string; args: string[]; input?: () => string; stderr: string | RegExp }[] = [
      {
        name: 'an unknown field in a new MachineSet is a 400 naming the field (Strict POST)',
        args: ['create', '-f', '-'],
        input: () => machineSetYaml('errors', 'typo').replace('  replicas: 1', '  replicaz: 1'),
        stderr: 'Error from server (BadRequest): error when creating "STDIN": strict decoding error: unknown field "spec.replicaz"\n',
      },
      {
        name: 'an unknown field in a new ConfigMap is a 400 naming the field (Strict POST)',
        args: ['create', '-f', '-'],
        input: () => `${configMapYaml('errors', 'typo', { a: '1' })}bogus: 1\n`,
        stderr: 'Error from server (BadRequest): error when creating "STDIN": strict decoding error: unknown field "bogus"\n',
      },
      {
        // handlers/patch.go: NewInvalid with an empty GroupKind and name, the patched object as the value.
        name: 'an unknown field in an applied change is a 422 on the patch naming the field (Strict PATCH)',
        args: ['apply', '-f', '-'],
        input: () => machineSetYaml('errors', 'existing', { replicas: 2 }).replace('spec:\n', 'spec:\n  bogus: 1\n'),
        stderr: /^The request is invalid: patch: Invalid value: "\{.*\\"name\\":\\"existing\\".*\}": strict decoding error: unknown field "spec\.bogus"\n$/,
      },
      {
        name: 'a string where the schema wants an integer is a 422 naming spec.replicas',
        args: ['create', '-f', '-'],
        input: () => machineSetYaml('errors', 'bad').replace('  replicas: 1', '  replicas: three'),
        stderr: 'The MachineSet "bad" is invalid: spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"\n',
      },
      {
        name: 'creating an object that exists is a 409 AlreadyExists',
        args: ['create', '-f', '-'],
        input: () => machineSetYaml('errors', 'existing'),
        stderr: `Error from server (AlreadyExists): error when creating "STDIN": machinesets.machine.openshift.io "existing" already exists\n`,
      },
      {
        name: 'kubectl create configmap of an existing name reports AlreadyExists',
        args: ['create', 'configmap', 'taken', '-n', 'errors'],
        stderr: 'error: failed to create configmap: configmaps "taken" already exists\n',
      },
      {
        name: 'an unknown resource type is reported by name',
        args: ['get', 'frobnicators'],
        stderr: 'error: the server doesn\'t have a resource type "frobnicators"\n',
      },
      {
        name: 'a missing object is a 404 naming group, resource and name',
        args: ['get', '-n', 'errors', 'machineset/nope'],
        stderr: 'Error from server (NotFound): machinesets.machine.openshift.io "nope" not found\n',
      },
    ];
    for (const c of cases) {
      it(`refuses ${c.name}`, async function () {
        const result = await server.kubectl(c.args, { input: c.input?.(), allowFailure: true });
        assert.equal(result.code, 1);
        if (typeof c.stderr === 'string') assert.equal(result.stderr, c.stderr);
        else assert.match(result.stderr, c.stderr);
      });
    }

    it('answers kubectl replace of a stale copy with 409 Conflict', async function () {
      const stale = (await server.kubectl(['get', '-n', 'errors', 'machineset/existing', '-o', 'yaml'])).stdout;
      await server.kubectl(['label', '-n', 'errors', 'machineset/existing', 'bump=1']);
      const result = await server.kubectl(['replace', '-f', '-'], { input: stale, allowFailure: true });
      assert.equal(result.code, 1);
      assert.equal(
        result.stderr,
        'Error from server (Conflict): error when replacing "STDIN": Operation cannot be fulfilled on machinesets.machine.openshift.io "existing": the object has been modified; please apply your changes to the latest version and try again\n',
      );
    });

    it('answers a PUT of a custom resource without resourceVersion with 422', async function () {
      const live = JSON.parse((await server.kubectl(['get', '-n', 'errors', 'machineset/existing', '-o', 'json'])).stdout) as { metadata: Record<string, unknown> };
      delete live.metadata.resourceVersion;
      const result = await server.kubectl(['replace', '--raw', `${MS_PATH}/errors/machinesets/existing`, '-f', '-'], { input: JSON.stringify(live), allowFailure: true });
      assert.equal(result.code, 1);
      assert.equal(result.stderr, 'The MachineSet "existing" is invalid: metadata.resourceVersion: Invalid value: 0x0: must be specified for an update\n');
    });
  });
});
