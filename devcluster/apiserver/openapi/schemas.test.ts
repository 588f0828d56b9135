import assert from 'node:assert/strict';
import type { SchemaNode } from '../types.ts';
import { builtinDefinitionName, builtinSchema } from './schemas.ts';

function at(node: SchemaNode | undefined, ...path: string[]): SchemaNode {
  let current = node;
  for (const step of path) {
    assert.ok(current, `no schema before ${step}`);
    current = step === '[]' ? current.items : current.properties?.[step];
  }
  assert.ok(current, `no schema at ${path.join('.')}`);
  return current;
}

describe('builtin schemas', () => {
  it('names built-in kinds as upstream does', () => {
    const cases: Array<[string, string, string, string]> = [
      ['', 'v1', 'ConfigMap', 'io.k8s.api.core.v1.ConfigMap'],
      ['', 'v1', 'Event', 'io.k8s.api.core.v1.Event'],
      ['events.k8s.io', 'v1', 'Event', 'io.k8s.api.events.v1.Event'],
      ['apps', 'v1', 'DeploymentList', 'io.k8s.api.apps.v1.DeploymentList'],
      ['policy', 'v1', 'Eviction', 'io.k8s.api.policy.v1.Eviction'],
      ['autoscaling', 'v1', 'Scale', 'io.k8s.api.autoscaling.v1.Scale'],
      ['apiextensions.k8s.io', 'v1', 'CustomResourceDefinition', 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition'],
      ['', 'v1', 'Status', 'io.k8s.apimachinery.pkg.apis.meta.v1.Status'],
      ['apps', 'v1', 'DeleteOptions', 'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions'],
    ];
    for (const [group, version, kind, name] of cases) assert.equal(builtinDefinitionName(group, version, kind), name, kind);
  });

  it('resolves Pod containers with the strategic merge key and the list map key "name"', () => {
    const containers = at(builtinSchema('', 'v1', 'Pod'), 'spec', 'containers');
    assert.equal(containers['x-kubernetes-patch-strategy'], 'merge');
    assert.equal(containers['x-kubernetes-patch-merge-key'], 'name');
    assert.equal(containers['x-kubernetes-list-type'], 'map');
    assert.deepEqual(containers['x-kubernetes-list-map-keys'], ['name']);
    assert.equal(at(containers, '[]', 'name').type, 'string');
    assert.deepEqual(at(containers, '[]').required, ['name']);
    const ports = at(containers, '[]', 'ports');
    assert.equal(ports['x-kubernetes-patch-merge-key'], 'containerPort');
    assert.deepEqual(ports['x-kubernetes-list-map-keys'], ['containerPort', 'protocol']);
    assert.equal(at(builtinSchema('', 'v1', 'Pod'), 'spec', 'volumes')['x-kubernetes-patch-strategy'], 'merge,retainKeys');
  });

  it('carries the list semantics SMP and SSA need on the tabled fields', () => {
    const cases: Array<[string, string, string[], Partial<SchemaNode>]> = [
      ['', 'Node', ['spec', 'taints'], { 'x-kubernetes-list-type': 'atomic', 'x-kubernetes-patch-strategy': undefined }],
      ['', 'Node', ['status', 'addresses'], { 'x-kubernetes-patch-merge-key': 'type', 'x-kubernetes-list-type': 'map' }],
      ['', 'Pod', ['spec', 'tolerations'], { 'x-kubernetes-list-type': 'atomic', 'x-kubernetes-patch-strategy': undefined }],
      ['', 'Pod', ['status', 'conditions'], { 'x-kubernetes-patch-merge-key': 'type', 'x-kubernetes-patch-strategy': 'merge' }],
      ['', 'ConfigMap', ['metadata', 'finalizers'], { 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-list-type': 'set' }],
      ['', 'ConfigMap', ['metadata', 'ownerReferences'], { 'x-kubernetes-patch-merge-key': 'uid', 'x-kubernetes-list-map-keys': ['uid'] }],
      ['', 'Service', ['spec', 'ports'], { 'x-kubernetes-patch-merge-key': 'port', 'x-kubernetes-list-map-keys': ['port', 'protocol'] }],
      ['apps', 'Deployment', ['status', 'conditions'], { 'x-kubernetes-patch-merge-key': 'type' }],
      ['apps', 'Deployment', ['spec', 'template', 'spec', 'containers', '[]', 'env'], { 'x-kubernetes-patch-merge-key': 'name' }],
      ['apps', 'Deployment', ['spec', 'template', 'spec', 'containers', '[]', 'volumeMounts'], { 'x-kubernetes-patch-merge-key': 'mountPath' }],
      ['policy', 'PodDisruptionBudget', ['status', 'conditions'], { 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'] }],
    ];
    for (const [group, kind, path, expected] of cases) {
      const node = at(builtinSchema(group, 'v1', kind), ...path);
      for (const [key, value] of Object.entries(expected)) assert.deepEqual(node[key as keyof SchemaNode], value, `${kind}.${path.join('.')} ${key}`);
    }
  });

  it('represents apimachinery scalar types as kube-apiserver validates them', () => {
    const deployment = builtinSchema('apps', 'v1', 'Deployment');
    const maxSurge = at(deployment, 'spec', 'strategy', 'rollingUpdate', 'maxSurge');
    assert.equal(maxSurge['x-kubernetes-int-or-string'], true);
    const created = at(deployment, 'metadata', 'creationTimestamp');
    assert.equal(created.type, 'string');
    assert.equal(created.format, 'date-time');
    assert.match(created.description ?? '', /^CreationTimestamp is a timestamp/, 'the property keeps its own description');
    const cpu = at(deployment, 'spec', 'template', 'spec', 'containers', '[]', 'resources', 'limits').additionalProperties as SchemaNode;
    assert.deepEqual(cpu.oneOf, [{ type: 'string' }, { type: 'number' }]);
    assert.equal(at(builtinSchema('', 'v1', 'ConfigMap'), 'metadata', 'managedFields', '[]', 'fieldsV1')['x-kubernetes-preserve-unknown-fields'], true);
  });

  it('cuts the recursion of JSONSchemaProps with a node that preserves unknown fields', () => {
    const crd = builtinSchema('apiextensions.k8s.io', 'v1', 'CustomResourceDefinition');
    const openAPIV3Schema = at(crd, 'spec', 'versions', '[]', 'schema', 'openAPIV3Schema');
    assert.equal(at(openAPIV3Schema, 'type').type, 'string');
    const nested = openAPIV3Schema.properties?.properties?.additionalProperties as SchemaNode;
    assert.equal(nested['x-kubernetes-preserve-unknown-fields'], true);
    assert.equal(nested.type, 'object');
    assert.equal(at(openAPIV3Schema, 'default')['x-kubernetes-preserve-unknown-fields'], true, 'a default may be any JSON value');
    assert.doesNotThrow(() => JSON.stringify(crd));
  });

  it('returns one frozen tree per kind, and undefined for a kind it does not know', () => {
    const pod = builtinSchema('', 'v1', 'Pod');
    assert.equal(builtinSchema('', 'v1', 'Pod'), pod);
    assert.ok(Object.isFrozen(pod) && Object.isFrozen(at(pod, 'spec', 'containers', '[]')));
    assert.ok(pod?.['x-kubernetes-group-version-kind']);
    assert.equal(builtinSchema('', 'v1', 'MachineSet'), undefined);
  });
});
