// CEL rules through the real HTTP server: the ClusterVersion CRD of crds/ enforces its x-kubernetes-validations on
// create, update and patch; ratcheting lets status writes through on objects older than a rule; a rule that does not
// compile refuses the CRD; and the real kubectl prints its usual error for a violating apply.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'mocha';
import { startTestServer, type TestServer } from '../../../test/support/dev-server.ts';
import { closeRawClient, rawRequest, type RawResponse } from '../../../test/support/raw-client.ts';
import type { StatusCause } from '../types.ts';

const CLUSTER_VERSION_CRD = fileURLToPath(new URL('../../../crds/config.openshift.io_clusterversions.yaml', import.meta.url));
const CLUSTER_VERSIONS = '/apis/config.openshift.io/v1/clusterversions';
const WIDGETS = '/apis/example.com/v1/widgets';
const CRDS = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';

function clusterVersion(desiredUpdate?: Record<string, string>): Record<string, unknown> {
  return { apiVersion: 'config.openshift.io/v1', kind: 'ClusterVersion', metadata: { name: 'version' }, spec: { clusterID: 'c0ffee', ...(desiredUpdate ? { desiredUpdate } : {}) } };
}

function widgetCrd(rules: Array<Record<string, string>>): Record<string, unknown> {
  return {
    apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'widgets.example.com' },
    spec: {
      group: 'example.com', scope: 'Cluster', names: { plural: 'widgets', kind: 'Widget' },
      versions: [{
        name: 'v1', served: true, storage: true, subresources: { status: {} },
        schema: { openAPIV3Schema: {
          type: 'object',
          properties: {
            spec: { type: 'object', properties: { size: { type: 'integer' } }, 'x-kubernetes-validations': rules },
            status: { type: 'object', properties: { ready: { type: 'boolean' } } },
          },
        } },
      }],
    },
  };
}

function causesOf(res: RawResponse): StatusCause[] {
  assert.equal(res.status, 422, res.text);
  return (JSON.parse(res.text) as { details: { causes: StatusCause[] } }).details.causes;
}

describe('CEL rules through the embedded API server', function () {
  let server: TestServer;
  const send = (method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<RawResponse> =>
    rawRequest(server.api, { method, path, body: body === undefined ? undefined : JSON.stringify(body), headers: { 'Content-Type': contentType } });

  before(async function () {
    server = await startTestServer();
    await server.kubectl(['apply', '-f', CLUSTER_VERSION_CRD]);
    await server.kubectl(['wait', '--for', 'condition=established', '--timeout=5s', 'crd/clusterversions.config.openshift.io']);
  });

  after(async function () {
    if (server) closeRawClient(server.api);
    await server?.stop();
  });

  it('refuses a ClusterVersion that sets both architecture and image, naming spec.desiredUpdate', async function () {
    const causes = causesOf(await send('POST', CLUSTER_VERSIONS, clusterVersion({ architecture: 'Multi', image: 'x' })));
    assert.deepEqual(causes[0], { reason: 'FieldValueInvalid', field: 'spec.desiredUpdate', message: 'Invalid value: "object": cannot set both Architecture and Image' });
  });

  it('accepts valid ClusterVersions and updates, and refuses an update or patch that breaks a rule', async function () {
    assert.equal((await send('POST', CLUSTER_VERSIONS, clusterVersion({ version: '4.1.0' }))).status, 201);
    const stored = JSON.parse((await send('GET', `${CLUSTER_VERSIONS}/version`)).text) as Record<string, Record<string, unknown>>;
    stored.spec.desiredUpdate = { architecture: 'Multi', version: '4.2.0' };
    const updated = await send('PUT', `${CLUSTER_VERSIONS}/version`, stored);
    assert.equal(updated.status, 200, updated.text);

    const patch = { spec: { desiredUpdate: { image: 'quay.io/openshift/release@sha256:0' } } };
    const causes = causesOf(await send('PATCH', `${CLUSTER_VERSIONS}/version`, patch, 'application/merge-patch+json'));
    assert.deepEqual(causes.map((c) => `${c.field}: ${c.message}`), ['spec.desiredUpdate: Invalid value: "object": cannot set both Architecture and Image']);

    const fixed = { spec: { desiredUpdate: { architecture: null, image: 'quay.io/openshift/release@sha256:0', version: null } } };
    assert.equal((await send('PATCH', `${CLUSTER_VERSIONS}/version`, fixed, 'application/merge-patch+json')).status, 200);
  });

  it('prints kubectl\'s usual error when kubectl apply sends a ClusterVersion that breaks a rule', async function () {
    const manifest = JSON.stringify(clusterVersion({ architecture: 'Multi', image: 'x', version: '4.2.0' }));
    const { code, stderr } = await server.kubectl(['apply', '-f', '-'], { input: manifest, allowFailure: true });
    assert.equal(code, 1);
    assert.match(stderr, /The ClusterVersion "version" is invalid: spec\.desiredUpdate: Invalid value: "object": cannot set both Architecture and Image\n$/);
  });

  it('lets a status write through on an object older than a rule, with a warning, but not a change to the failing value', async function () {
    assert.equal((await send('POST', CRDS, widgetCrd([]))).status, 201);
    await server.kubectl(['wait', '--for', 'condition=established', '--timeout=5s', 'crd/widgets.example.com']);
    const created = await send('POST', WIDGETS, { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'big' }, spec: { size: 20 } });
    assert.equal(created.status, 201, created.text);

    const crd = JSON.parse((await send('GET', `${CRDS}/widgets.example.com`)).text) as Record<string, unknown>;
    const withRule = widgetCrd([{ rule: 'self.size <= 10', message: 'too big' }]);
    assert.equal((await send('PUT', `${CRDS}/widgets.example.com`, { ...withRule, metadata: crd.metadata })).status, 200);

    const widget = JSON.parse((await send('GET', `${WIDGETS}/big`)).text) as Record<string, unknown>;
    const status = await send('PUT', `${WIDGETS}/big/status`, { ...widget, status: { ready: true } });
    assert.equal(status.status, 200, status.text);
    assert.equal(status.headers.warning, '299 - "spec: Invalid value: \\"object\\": too big"');

    const grown = JSON.parse(status.text) as Record<string, unknown>;
    const causes = causesOf(await send('PUT', `${WIDGETS}/big`, { ...grown, spec: { size: 30 } }));
    assert.deepEqual(causes.map((c) => `${c.field}: ${c.message}`), ['spec: Invalid value: "object": too big']);
  });

  /** The widget CRD under another name, so it can be created next to the widgets one. */
  function gadgetCrd(rules: Array<Record<string, string>>): Record<string, unknown> {
    const crd = widgetCrd(rules);
    (crd.metadata as Record<string, string>).name = 'gadgets.example.com';
    Object.assign((crd.spec as Record<string, unknown>).names as object, { plural: 'gadgets', kind: 'Gadget' });
    return crd;
  }

  it('refuses a CRD whose rule does not compile, at the rule\'s path', async function () {
    const causes = causesOf(await send('POST', CRDS, gadgetCrd([{ rule: 'self.sise <= 10' }])));
    assert.equal(causes.length, 1);
    assert.equal(causes[0].field, 'spec.validation.openAPIV3Schema.properties[spec].x-kubernetes-validations[0].rule');
    assert.match(causes[0].message ?? '', /: compilation failed: ERROR: <input>:1:5: undefined field 'sise'\n \| self\.sise <= 10\n \| \.\.\.\.\^$/);
  });

  it('accepts a CRD whose rule needs optional types, warning that the rule is not evaluated', async function () {
    const created = await send('POST', CRDS, gadgetCrd([{ rule: 'self.?size.orValue(0) <= 10' }]));
    assert.equal(created.status, 201, created.text);
    assert.equal(created.headers.warning, '299 - "version v1: x-kubernetes-validations rule \\"self.?size.orValue(0) <= 10\\" at spec uses optional types, which the embedded API server does not evaluate; a real cluster enforces it"');
  });
});
