import assert from 'node:assert/strict';
import type { SchemaNode } from '../types.ts';
import { buildGroupVersionDocument, patchMediaTypes } from './document.ts';
import { referencedName } from './schemas.ts';
import { configMaps, machineSets, pods, resourceType } from './test-fixtures.ts';

type Obj = Record<string, any>;

const MACHINESET_SCHEMA: SchemaNode = {
  type: 'object',
  properties: {
    spec: { type: 'object', properties: { replicas: { type: 'integer', format: 'int32' } } },
    status: { type: 'object', properties: { replicas: { type: 'integer' } } },
  },
};

const coreV1 = () => buildGroupVersionDocument({ group: '', version: 'v1' }, [configMaps, pods], new Map()) as Obj;
const machineV1beta1 = () =>
  buildGroupVersionDocument({ group: 'machine.openshift.io', version: 'v1beta1' }, [machineSets], new Map([['MachineSet', MACHINESET_SCHEMA]])) as Obj;

const names = (parameters: Obj[] | undefined) => (parameters ?? []).map((p) => p.name);

/** Every $ref in the document must point at one of its own components. */
function danglingRefs(doc: Obj): string[] {
  const missing: string[] = [];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (value === null || typeof value !== 'object') return;
    const name = referencedName(value as Obj);
    if (name !== undefined && !doc.components.schemas[name]) missing.push(name);
    Object.values(value).forEach(visit);
  };
  visit(doc);
  return missing;
}

describe('group-version OpenAPI documents', () => {
  it('gives a built-in kind the PATCH operation kubectl --validate=strict looks for, with fieldValidation and SMP', () => {
    const patch = coreV1().paths['/api/v1/namespaces/{namespace}/configmaps/{name}'].patch;
    assert.deepEqual(patch['x-kubernetes-group-version-kind'], { group: '', version: 'v1', kind: 'ConfigMap' });
    assert.equal(patch['x-kubernetes-action'], 'patch');
    assert.equal(patch.operationId, 'patchCoreV1NamespacedConfigMap');
    assert.deepEqual(names(patch.parameters), ['dryRun', 'fieldManager', 'fieldValidation', 'force']);
    assert.ok(patch.parameters.every((p: Obj) => p.in === 'query'));
    assert.deepEqual(Object.keys(patch.requestBody.content), [
      'application/apply-patch+yaml', 'application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json',
    ]);
  });

  it('lists no strategic merge patch for a custom resource, on the item nor on its subresources', () => {
    const doc = machineV1beta1();
    const item = '/apis/machine.openshift.io/v1beta1/namespaces/{namespace}/machinesets/{name}';
    for (const path of [item, `${item}/status`, `${item}/scale`]) {
      assert.deepEqual(Object.keys(doc.paths[path].patch.requestBody.content), patchMediaTypes(true), path);
    }
    assert.ok(!patchMediaTypes(true).includes('application/strategic-merge-patch+json'));
  });

  it('names the operations and actions of every path as kube-apiserver does', () => {
    const doc = coreV1();
    const ops = (path: string) => Object.fromEntries(Object.entries(doc.paths[path] as Obj)
      .filter(([method]) => method !== 'parameters')
      .map(([method, op]) => [method, `${op.operationId} ${op['x-kubernetes-action']}`]));
    assert.deepEqual(ops('/api/v1/namespaces/{namespace}/configmaps'), {
      get: 'listCoreV1NamespacedConfigMap list', post: 'createCoreV1NamespacedConfigMap post',
      delete: 'deleteCoreV1CollectionNamespacedConfigMap deletecollection',
    });
    assert.deepEqual(ops('/api/v1/namespaces/{namespace}/configmaps/{name}'), {
      get: 'readCoreV1NamespacedConfigMap get', put: 'replaceCoreV1NamespacedConfigMap put',
      patch: 'patchCoreV1NamespacedConfigMap patch', delete: 'deleteCoreV1NamespacedConfigMap delete',
    });
    assert.deepEqual(ops('/api/v1/configmaps'), { get: 'listCoreV1ConfigMapForAllNamespaces list' });
    assert.deepEqual(ops('/api/v1/watch/namespaces/{namespace}/configmaps'), { get: 'watchCoreV1NamespacedConfigMapList watchlist' });
    assert.deepEqual(ops('/api/v1/watch/namespaces/{namespace}/configmaps/{name}'), { get: 'watchCoreV1NamespacedConfigMap watch' });
    assert.deepEqual(ops('/api/v1/watch/configmaps'), { get: 'watchCoreV1ConfigMapListForAllNamespaces watchlist' });
    assert.deepEqual(ops('/api/v1/namespaces/{namespace}/pods/{name}/status'), {
      get: 'readCoreV1NamespacedPodStatus get', put: 'replaceCoreV1NamespacedPodStatus put', patch: 'patchCoreV1NamespacedPodStatus patch',
    });
    assert.deepEqual(ops('/api/v1/namespaces/{namespace}/pods/{name}/eviction'), { post: 'createCoreV1NamespacedPodEviction post' });
    assert.deepEqual(names(doc.paths['/api/v1/namespaces/{namespace}/configmaps/{name}'].parameters), ['name', 'namespace', 'pretty']);
    assert.deepEqual(names(doc.paths['/api/v1/namespaces/{namespace}/configmaps'].post.parameters), ['dryRun', 'fieldManager', 'fieldValidation']);
  });

  it('tags subresources with the GVK of what they carry: eviction and scale their own, status the kind', () => {
    const core = coreV1();
    assert.deepEqual(core.paths['/api/v1/namespaces/{namespace}/pods/{name}/eviction'].post['x-kubernetes-group-version-kind'],
      { group: 'policy', version: 'v1', kind: 'Eviction' });
    assert.equal(core.paths['/api/v1/namespaces/{namespace}/pods/{name}/eviction'].post.requestBody.content['*/*'].schema.$ref,
      '#/components/schemas/io.k8s.api.policy.v1.Eviction');
    const scale = machineV1beta1().paths['/apis/machine.openshift.io/v1beta1/namespaces/{namespace}/machinesets/{name}/scale'].put;
    assert.deepEqual(scale['x-kubernetes-group-version-kind'], { group: 'autoscaling', version: 'v1', kind: 'Scale' });
    assert.equal(scale.operationId, 'replaceMachineOpenshiftIoV1beta1NamespacedMachineSetScale');
  });

  it('serves only the operations of the verbs a resource has, without namespace for cluster-scoped kinds', () => {
    const reviews = resourceType({ group: 'authorization.k8s.io', version: 'v1', kind: 'SelfSubjectAccessReview',
      plural: 'selfsubjectaccessreviews', namespaced: false, verbs: ['create'] });
    const doc = buildGroupVersionDocument({ group: 'authorization.k8s.io', version: 'v1' }, [reviews], new Map()) as Obj;
    assert.deepEqual(Object.keys(doc.paths), ['/apis/authorization.k8s.io/v1/selfsubjectaccessreviews']);
    const path = doc.paths['/apis/authorization.k8s.io/v1/selfsubjectaccessreviews'];
    assert.deepEqual(Object.keys(path), ['post', 'parameters']);
    assert.equal(path.post.operationId, 'createAuthorizationV1SelfSubjectAccessReview');
    assert.deepEqual(names(path.parameters), ['pretty']);
  });

  it('carries the built-in kinds with their GVK, and every schema a $ref reaches', () => {
    const doc = coreV1();
    const schemas = doc.components.schemas;
    assert.deepEqual(schemas['io.k8s.api.core.v1.ConfigMap']['x-kubernetes-group-version-kind'], [{ group: '', version: 'v1', kind: 'ConfigMap' }]);
    for (const name of ['io.k8s.api.core.v1.ConfigMapList', 'io.k8s.api.core.v1.PodSpec', 'io.k8s.api.policy.v1.Eviction',
      'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', 'io.k8s.apimachinery.pkg.apis.meta.v1.Patch']) {
      assert.ok(schemas[name], name);
    }
    assert.equal(schemas['io.k8s.api.apps.v1.Deployment'], undefined, 'no schema of another group-version without a reference');
    assert.deepEqual(danglingRefs(doc), []);
    assert.deepEqual(danglingRefs(machineV1beta1()), []);
  });

  it('wraps a CRD schema like apiextensions-apiserver: apiVersion, kind, metadata as ObjectMeta, and a list schema', () => {
    const schemas = machineV1beta1().components.schemas;
    const kind = schemas['io.openshift.machine.v1beta1.MachineSet'];
    assert.deepEqual(Object.keys(kind.properties).sort(), ['apiVersion', 'kind', 'metadata', 'spec', 'status']);
    assert.equal(referencedName(kind.properties.metadata), 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta');
    assert.deepEqual(kind.properties.spec, MACHINESET_SCHEMA.properties?.spec);
    assert.deepEqual(kind['x-kubernetes-group-version-kind'], [{ group: 'machine.openshift.io', kind: 'MachineSet', version: 'v1beta1' }]);
    const list = schemas['io.openshift.machine.v1beta1.MachineSetList'];
    assert.equal(referencedName(list.properties.items.items), 'io.openshift.machine.v1beta1.MachineSet');
    assert.deepEqual(list['x-kubernetes-group-version-kind'], [{ group: 'machine.openshift.io', kind: 'MachineSetList', version: 'v1beta1' }]);
    assert.ok(schemas['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'], 'kubectl explain machinesets.metadata needs ObjectMeta');
    assert.ok(schemas['io.k8s.api.autoscaling.v1.Scale']);
  });

  it('leaves the caller\'s CRD schema untouched and preserves unknown fields when a version has no schema', () => {
    const before = structuredClone(MACHINESET_SCHEMA);
    machineV1beta1();
    assert.deepEqual(MACHINESET_SCHEMA, before);
    const doc = buildGroupVersionDocument({ group: 'machine.openshift.io', version: 'v1beta1' }, [machineSets], new Map()) as Obj;
    assert.equal(doc.components.schemas['io.openshift.machine.v1beta1.MachineSet']['x-kubernetes-preserve-unknown-fields'], true);
  });
});
