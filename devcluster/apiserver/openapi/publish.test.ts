import assert from 'node:assert/strict';
import type { SchemaNode } from '../types.ts';
import { buildGroupVersionDocument } from './document.ts';
import { encodeOpenApiV2 } from './gnostic.ts';
import { buildOpenApiIndex, openApiResponse, openApiV2Response, publishOpenApi, publishOpenApiV2, serializeDocument } from './publish.ts';
import { buildSwaggerDocument } from './swagger.ts';
import { configMaps, machineSets } from './test-fixtures.ts';

const withReplicas = (type: 'integer' | 'string'): SchemaNode =>
  ({ type: 'object', properties: { spec: { type: 'object', properties: { replicas: { type } } } } });

function documents(replicasType: 'integer' | 'string'): Map<string, object> {
  return new Map([
    ['api/v1', buildGroupVersionDocument({ group: '', version: 'v1' }, [configMaps], new Map())],
    ['apis/machine.openshift.io/v1beta1', buildGroupVersionDocument({ group: 'machine.openshift.io', version: 'v1beta1' },
      [machineSets], new Map([['MachineSet', withReplicas(replicasType)]]))],
  ]);
}

const NOW = new Date('2025-03-01T10:00:00Z');

describe('the /openapi/v3 index and documents', () => {
  it('points each group-version at a URL with the SHA-512 of its document, in uppercase hex', () => {
    const { index, hashes } = buildOpenApiIndex(documents('integer'));
    const hash = hashes.get('api/v1') ?? '';
    assert.match(hash, /^[0-9A-F]{128}$/);
    assert.deepEqual(index, { paths: {
      'api/v1': { serverRelativeURL: `/openapi/v3/api/v1?hash=${hash}` },
      'apis/machine.openshift.io/v1beta1': { serverRelativeURL: `/openapi/v3/apis/machine.openshift.io/v1beta1?hash=${hashes.get('apis/machine.openshift.io/v1beta1')}` },
    } });
  });

  it('changes the hash of a CRD group-version when its schema changes, and only that one', () => {
    const before = buildOpenApiIndex(documents('integer')).hashes;
    const after = buildOpenApiIndex(documents('string')).hashes;
    assert.notEqual(after.get('apis/machine.openshift.io/v1beta1'), before.get('apis/machine.openshift.io/v1beta1'));
    assert.equal(after.get('api/v1'), before.get('api/v1'));
    assert.equal(buildOpenApiIndex(documents('integer')).hashes.get('apis/machine.openshift.io/v1beta1'),
      before.get('apis/machine.openshift.io/v1beta1'), 'equal documents hash equal');
  });

  it('hashes independently of the order object keys were assembled in', () => {
    assert.equal(serializeDocument({ a: 1, b: { c: [2, 1], d: true } }).hash, serializeDocument({ b: { d: true, c: [2, 1] }, a: 1 }).hash);
    assert.notEqual(serializeDocument({ c: [2, 1] }).hash, serializeDocument({ c: [1, 2] }).hash);
  });

  it('serves the index and documents as kube-openapi handler3 does', () => {
    const pub = publishOpenApi(documents('integer'));
    const current = pub.documents.get('api/v1')!;
    const cases: Array<[string, Parameters<typeof openApiResponse>[1], number, Record<string, string | undefined>]> = [
      ['the index', { path: '/openapi/v3' }, 200, { 'Content-Type': 'application/json', Etag: `"${pub.index.hash}"` }],
      ['a document without hash', { path: '/openapi/v3/api/v1', accept: 'application/json' }, 200,
        { 'Content-Type': 'application/json', Etag: `"${current.hash}"`, Vary: 'Accept', 'Cache-Control': undefined }],
      ['a document at its current hash', { path: '/openapi/v3/api/v1', hash: current.hash }, 200,
        { 'Cache-Control': 'public, immutable', Expires: 'Sun, 01 Mar 2026 10:00:00 GMT' }],
      ['a document at an outdated hash', { path: '/openapi/v3/api/v1', hash: 'ABC' }, 301,
        { Location: `/openapi/v3/api/v1?hash=${current.hash}`, 'Cache-Control': undefined }],
      ['a revalidation', { path: '/openapi/v3/api/v1', ifNoneMatch: `"${current.hash}"` }, 304, { Etag: `"${current.hash}"` }],
      ['an unknown group-version', { path: '/openapi/v3/apis/nope/v1' }, 404, {}],
      ['a protobuf-only Accept', { path: '/openapi/v3/api/v1', accept: 'application/com.github.proto-openapi.spec.v3.v1.0+protobuf' }, 406, {}],
    ];
    for (const [what, req, status, headers] of cases) {
      const res = openApiResponse(pub, req, NOW);
      assert.ok(res, what);
      assert.equal(res.status, status, what);
      for (const [name, value] of Object.entries(headers)) assert.equal(res.headers[name], value, `${what}: ${name}`);
    }
    assert.deepEqual(JSON.parse(openApiResponse(pub, { path: '/openapi/v3/api/v1' }, NOW)!.body.toString()).components.schemas['io.k8s.api.core.v1.ConfigMap']['x-kubernetes-group-version-kind'],
      [{ group: '', version: 'v1', kind: 'ConfigMap' }]);
    assert.equal(openApiResponse(pub, { path: '/api/v1' }, NOW), undefined);
  });
});

describe('the /openapi/v2 document', () => {
  const PROTOBUF = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';
  const CLIENT_GO_ACCEPT = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';

  it('answers JSON or gnostic protobuf by Accept, as kube-openapi\'s handler does, under the ETag of the JSON', () => {
    const swagger = buildSwaggerDocument(documents('integer').values());
    const pub = publishOpenApiV2(swagger, NOW);
    const etag = `"${serializeDocument(swagger).hash}"`;
    const cases: Array<[string | undefined, number, string | undefined]> = [
      [undefined, 200, 'application/json'],
      ['', 200, 'application/json'],
      ['*/*', 200, 'application/json'],
      ['application/json', 200, 'application/json'],
      [CLIENT_GO_ACCEPT, 200, PROTOBUF],
      [PROTOBUF, 200, PROTOBUF],
      [`application/json;q=0.5, ${CLIENT_GO_ACCEPT}`, 200, PROTOBUF],
      [`*/*, ${CLIENT_GO_ACCEPT}`, 200, PROTOBUF],
      [`${CLIENT_GO_ACCEPT};q=0, application/*`, 200, 'application/json'],
      ['text/html', 406, undefined],
    ];
    for (const [accept, status, contentType] of cases) {
      const res = openApiV2Response(pub, { accept });
      assert.equal(res.status, status, String(accept));
      assert.equal(res.headers['Content-Type'], contentType, String(accept));
      assert.equal(res.headers.Vary, 'Accept', String(accept));
      if (status === 200) assert.equal(res.headers.Etag, etag, String(accept));
    }
    assert.deepEqual(openApiV2Response(pub, {}).body, serializeDocument(swagger).body);
    assert.deepEqual(openApiV2Response(pub, { accept: CLIENT_GO_ACCEPT }).body, Buffer.from(encodeOpenApiV2(swagger)));
    assert.equal(openApiV2Response(pub, {}).headers['Last-Modified'], 'Sat, 01 Mar 2025 10:00:00 GMT');
  });

  it('answers 304 to a revalidation with the current ETag, and the new document once a CRD changed it', () => {
    const before = publishOpenApiV2(buildSwaggerDocument(documents('integer').values()), NOW);
    const etag = openApiV2Response(before, { accept: CLIENT_GO_ACCEPT }).headers.Etag;
    const revalidated = openApiV2Response(before, { accept: CLIENT_GO_ACCEPT, ifNoneMatch: etag });
    assert.equal(revalidated.status, 304);
    assert.equal(revalidated.body.length, 0);
    const after = publishOpenApiV2(buildSwaggerDocument(documents('string').values()), NOW);
    const changed = openApiV2Response(after, { accept: CLIENT_GO_ACCEPT, ifNoneMatch: etag });
    assert.equal(changed.status, 200);
    assert.notEqual(changed.headers.Etag, etag);
  });
});
