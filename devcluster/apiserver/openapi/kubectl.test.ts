// The documents as the real kubectl 1.32 reads them, through a throwaway server that serves only /version (minor 32,
// so the gcloud dispatcher runs kubectl 1.32, reference apiserver.md §0), legacy discovery (§2.1) and /openapi/v3.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SchemaNode } from '../types.ts';
import { buildGroupVersionDocument } from './document.ts';
import { openApiResponse, publishOpenApi, type OpenApiPublication } from './publish.ts';
import { configMaps, machineSets, pods } from './test-fixtures.ts';

const MACHINESET_SCHEMA: SchemaNode = {
  type: 'object',
  properties: {
    spec: {
      type: 'object', description: 'MachineSetSpec defines the desired state of MachineSet',
      properties: { replicas: { type: 'integer', format: 'int32', description: 'Replicas is the number of desired replicas.' } },
    },
  },
};

const discovery: Record<string, object> = {
  '/version': { major: '1', minor: '32', gitVersion: 'v1.32.0-embedded', platform: 'linux/amd64' },
  '/api': { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] },
  '/apis': { kind: 'APIGroupList', apiVersion: 'v1', groups: [{ name: 'machine.openshift.io',
    versions: [{ groupVersion: 'machine.openshift.io/v1beta1', version: 'v1beta1' }],
    preferredVersion: { groupVersion: 'machine.openshift.io/v1beta1', version: 'v1beta1' } }] },
  '/api/v1': { kind: 'APIResourceList', groupVersion: 'v1', resources: [
    { name: 'configmaps', singularName: 'configmap', namespaced: true, kind: 'ConfigMap', verbs: configMaps.verbs, shortNames: ['cm'] },
    { name: 'pods', singularName: 'pod', namespaced: true, kind: 'Pod', verbs: pods.verbs, shortNames: ['po'] },
  ] },
  '/apis/machine.openshift.io/v1beta1': { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: 'machine.openshift.io/v1beta1', resources: [
    { name: 'machinesets', singularName: 'machineset', namespaced: true, kind: 'MachineSet', verbs: machineSets.verbs },
  ] },
};

function startServer(pub: OpenApiPublication, requests: string[]): Promise<Server> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    requests.push(`${req.method} ${url.pathname}${url.search}`);
    const openapi = openApiResponse(pub, {
      path: url.pathname, hash: url.searchParams.get('hash') ?? undefined, accept: req.headers.accept, ifNoneMatch: req.headers['if-none-match'],
    });
    if (openapi) {
      res.writeHead(openapi.status, openapi.headers).end(openapi.body);
    } else if (discovery[url.pathname]) {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(discovery[url.pathname]));
    } else {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('404 page not found\n');
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('kubectl 1.32 against the OpenAPI documents', function () {
  this.timeout(30_000);
  let server: Server;
  let dir: string;
  const requests: string[] = [];

  before(async () => {
    const pub = publishOpenApi(new Map([
      ['api/v1', buildGroupVersionDocument({ group: '', version: 'v1' }, [configMaps, pods], new Map())],
      ['apis/machine.openshift.io/v1beta1', buildGroupVersionDocument({ group: 'machine.openshift.io', version: 'v1beta1' },
        [machineSets], new Map([['MachineSet', MACHINESET_SCHEMA]]))],
    ]));
    server = await startServer(pub, requests);
    dir = mkdtempSync(join(tmpdir(), 'openapi-kubectl-'));
    const { port } = server.address() as AddressInfo;
    writeFileSync(join(dir, 'kubeconfig'), [
      'apiVersion: v1', 'kind: Config', 'current-context: c',
      `clusters: [{name: c, cluster: {server: "http://127.0.0.1:${port}", insecure-skip-tls-verify: true}}]`,
      'contexts: [{name: c, context: {cluster: c, user: u, namespace: default}}]', 'users: [{name: u, user: {}}]', '',
    ].join('\n'));
  });

  after(() => {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function kubectl(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      execFile('kubectl', [...args, '--kubeconfig', join(dir, 'kubeconfig'), '--cache-dir', join(dir, 'cache')],
        { env: { ...process.env, HOME: dir } },
        (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }));
    });
  }

  it('explains a built-in kind and a nested field from the vendored schemas', async () => {
    const kind = await kubectl('explain', 'configmaps');
    assert.equal(kind.code, 0, kind.stderr);
    assert.match(kind.stdout, /^KIND:\s+ConfigMap\nVERSION:\s+v1\n/);
    assert.match(kind.stdout, /ConfigMap holds configuration data for pods to consume\./);
    assert.match(kind.stdout, /metadata\s+<ObjectMeta>/);
    const field = await kubectl('explain', 'pods.spec.containers.ports');
    assert.equal(field.code, 0, field.stderr);
    assert.match(field.stdout, /FIELD: ports <\[\]ContainerPort>/);
    assert.match(field.stdout, /containerPort\s+<integer> -required-/);
    assert.ok(requests.some((r) => /^GET \/openapi\/v3\/api\/v1\?hash=[0-9A-F]{128}&timeout=/.test(r)), requests.join('\n'));
  });

  it('explains a custom kind and its metadata through the CRD document', async () => {
    const spec = await kubectl('explain', 'machinesets.spec');
    assert.equal(spec.code, 0, spec.stderr);
    assert.match(spec.stdout, /GROUP:\s+machine\.openshift\.io/);
    assert.match(spec.stdout, /replicas\s+<integer>\n\s+Replicas is the number of desired replicas\./);
    const metadata = await kubectl('explain', 'machinesets.metadata.finalizers');
    assert.equal(metadata.code, 0, metadata.stderr);
    assert.match(metadata.stdout, /FIELD: finalizers <\[\]string>/);
  });

  it('passes --validate=strict for built-in and custom kinds, so the PATCH operations are found', async () => {
    writeFileSync(join(dir, 'objects.yaml'), [
      'apiVersion: v1', 'kind: ConfigMap', 'metadata: {name: cm1}', 'data: {a: b}', '---',
      'apiVersion: machine.openshift.io/v1beta1', 'kind: MachineSet', 'metadata: {name: ms1}', 'spec: {replicas: 1}', '',
    ].join('\n'));
    const created = await kubectl('create', '--dry-run=client', '--validate=strict', '-o', 'name', '-f', join(dir, 'objects.yaml'));
    assert.equal(created.code, 0, created.stderr);
    assert.equal(created.stdout, 'configmap/cm1\nmachineset.machine.openshift.io/ms1\n');
    assert.ok(requests.some((r) => r.startsWith('GET /openapi/v3/apis/machine.openshift.io/v1beta1?hash=')));
    assert.ok(!requests.some((r) => r.startsWith('GET /openapi/v2')), 'no fallback to the protobuf v2 document');
  });
});
