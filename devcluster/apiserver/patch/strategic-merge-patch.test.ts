import assert from 'node:assert/strict';
import type { JsonObject, SchemaNode } from '../types.ts';
import { StatusError } from '../status-errors.ts';
import { applyStrategicMergePatch } from './strategic-merge-patch.ts';

/** The patch metadata of the built-in OpenAPI (core/v1 Pod, Node), trimmed to what the cases touch. */
const mergeBy = (key: string, items: SchemaNode = { type: 'object' }, strategy = 'merge'): SchemaNode => ({
  type: 'array', items, 'x-kubernetes-patch-strategy': strategy, 'x-kubernetes-patch-merge-key': key,
});
const container: SchemaNode = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    image: { type: 'string' },
    args: { type: 'array', items: { type: 'string' } },
    env: mergeBy('name'),
    ports: mergeBy('containerPort'),
    resources: { type: 'object', properties: { limits: { type: 'object', additionalProperties: { type: 'string' } } } },
  },
};
const podSchema: SchemaNode = {
  type: 'object',
  properties: {
    metadata: { type: 'object' },
    spec: {
      type: 'object',
      properties: {
        containers: mergeBy('name', container),
        volumes: mergeBy('name', { type: 'object' }, 'merge,retainKeys'),
        tolerations: { type: 'array', items: { type: 'object' } },
        nodeSelector: { type: 'object', additionalProperties: { type: 'string' }, 'x-kubernetes-patch-strategy': 'replace' },
        unschedulable: { type: 'boolean' },
        taints: { type: 'array', items: { type: 'object' } },
      },
    },
    status: { type: 'object', properties: { conditions: mergeBy('type') } },
  },
};

const pod = (spec: JsonObject, metadata: JsonObject = { name: 'p' }): JsonObject => ({ apiVersion: 'v1', kind: 'Pod', metadata, spec });
const c = (name: string, image = `${name}:1`): JsonObject => ({ name, image });

function statusOf(fn: () => unknown): StatusError {
  try {
    fn();
  } catch (err) {
    if (err instanceof StatusError) return err;
    throw err;
  }
  assert.fail('expected a StatusError');
}

describe('applyStrategicMergePatch', () => {
  const cases: Array<{ name: string; original: JsonObject; patch: JsonObject; want: JsonObject; schema?: SchemaNode | null }> = [
    {
      name: 'cordons a node with kubectl\'s {"spec":{"unschedulable":true}}',
      original: { kind: 'Node', metadata: { name: 'n1' }, spec: { podCIDR: '10.0.0.0/24' } },
      patch: { spec: { unschedulable: true } },
      want: { kind: 'Node', metadata: { name: 'n1' }, spec: { podCIDR: '10.0.0.0/24', unschedulable: true } },
    },
    {
      name: 'replaces the whole taints list, which has no patch strategy (kubectl taint sends it whole)',
      original: { spec: { taints: [{ key: 'a', effect: 'NoSchedule' }, { key: 'b', effect: 'NoSchedule' }] } },
      patch: { spec: { taints: [{ key: 'b', effect: 'NoSchedule' }] } },
      want: { spec: { taints: [{ key: 'b', effect: 'NoSchedule' }] } },
    },
    {
      name: 'applies kubectl apply\'s patch: annotations plus one container by merge key under $setElementOrder',
      original: pod({ containers: [c('a'), c('b')] }, { name: 'p', annotations: { keep: '1' } }),
      patch: {
        metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' } },
        spec: { '$setElementOrder/containers': [{ name: 'a' }, { name: 'b' }], containers: [{ name: 'a', image: 'x' }] },
      },
      want: pod({ containers: [c('a', 'x'), c('b')] }, { name: 'p', annotations: { keep: '1', 'kubectl.kubernetes.io/last-applied-configuration': '{}' } }),
    },
    {
      name: 'reorders a list by $setElementOrder alone',
      original: pod({ containers: [c('a'), c('b'), c('c')] }),
      patch: { spec: { '$setElementOrder/containers': [{ name: 'c' }, { name: 'a' }, { name: 'b' }] } },
      want: pod({ containers: [c('c'), c('a'), c('b')] }),
    },
    {
      name: 'appends a new container where $setElementOrder puts it',
      original: pod({ containers: [c('a'), c('b')] }),
      patch: { spec: { '$setElementOrder/containers': [{ name: 'a' }, { name: 'n' }, { name: 'b' }], containers: [c('n')] } },
      want: pod({ containers: [c('a'), c('n'), c('b')] }),
    },
    {
      name: 'keeps a server-only item before patched items that followed it in the live list',
      original: pod({ containers: [c('a'), c('s'), c('b')] }),
      patch: { spec: { '$setElementOrder/containers': [{ name: 'b' }, { name: 'a' }], containers: [c('b', 'b:2'), c('a', 'a:2')] } },
      want: pod({ containers: [c('s'), c('b', 'b:2'), c('a', 'a:2')] }),
    },
    {
      name: 'orders patched items by the patch and appends new ones without $setElementOrder',
      original: pod({ containers: [c('a'), c('b')] }),
      patch: { spec: { containers: [c('z'), c('a', 'a:2')] } },
      want: pod({ containers: [c('z'), c('a', 'a:2'), c('b')] }),
    },
    {
      name: 'deletes a container with $patch: delete in a merge list',
      original: pod({ containers: [c('a'), c('b'), c('c')] }),
      patch: { spec: { '$setElementOrder/containers': [{ name: 'a' }, { name: 'c' }], containers: [{ name: 'b', $patch: 'delete' }] } },
      want: pod({ containers: [c('a'), c('c')] }),
    },
    {
      name: 'replaces a merge list with $patch: replace',
      original: pod({ containers: [c('a'), c('b')] }),
      patch: { spec: { containers: [{ $patch: 'replace' }, c('z')] } },
      want: pod({ containers: [c('z')] }),
    },
    {
      name: 'merges a list element marked $patch: merge like an unmarked one',
      original: pod({ containers: [c('a')] }),
      patch: { spec: { containers: [{ name: 'a', image: 'a:9', $patch: 'merge' }] } },
      want: pod({ containers: [c('a', 'a:9')] }),
    },
    {
      name: 'merges env by name inside a merged container and deletes a nulled field of an element',
      original: pod({ containers: [{ name: 'a', env: [{ name: 'X', value: '1' }, { name: 'Y', value: '2', valueFrom: { x: 1 } }] }] }),
      patch: { spec: { containers: [{ name: 'a', env: [{ name: 'Y', value: '3', valueFrom: null }, { name: 'Z', value: '4' }] }] } },
      want: pod({ containers: [{ name: 'a', env: [{ name: 'X', value: '1' }, { name: 'Y', value: '3' }, { name: 'Z', value: '4' }] }] }),
    },
    {
      name: 'merges ports by a numeric merge key',
      original: pod({ containers: [{ name: 'a', ports: [{ containerPort: 80, name: 'http' }, { containerPort: 443 }] }] }),
      patch: { spec: { containers: [{ name: 'a', ports: [{ containerPort: 80, name: 'web' }] }] } },
      want: pod({ containers: [{ name: 'a', ports: [{ containerPort: 80, name: 'web' }, { containerPort: 443 }] }] }),
    },
    {
      name: 'replaces a list of primitives that has no patch strategy',
      original: pod({ containers: [{ name: 'a', args: ['x', 'y'] }] }),
      patch: { spec: { containers: [{ name: 'a', args: ['z'] }] } },
      want: pod({ containers: [{ name: 'a', args: ['z'] }] }),
    },
    {
      name: 'updates one status condition by type and keeps the others',
      original: { status: { conditions: [{ type: 'Ready', status: 'False', reason: 'A' }, { type: 'Scheduled', status: 'True' }] } },
      patch: { status: { conditions: [{ type: 'Ready', status: 'True', reason: null }] } },
      want: { status: { conditions: [{ type: 'Ready', status: 'True' }, { type: 'Scheduled', status: 'True' }] } },
    },
    {
      name: 'adds a finalizer as a set union keeping the live order (ObjectMeta finalizers merge)',
      original: pod({}, { name: 'p', finalizers: ['a', 'b'] }),
      patch: { metadata: { finalizers: ['c', 'a'] } },
      want: pod({}, { name: 'p', finalizers: ['c', 'a', 'b'] }),
    },
    {
      name: 'removes a finalizer with kubectl\'s $deleteFromPrimitiveList and $setElementOrder',
      original: pod({}, { name: 'p', finalizers: ['a', 'b'] }),
      patch: { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'], '$setElementOrder/finalizers': ['b'] } },
      want: pod({}, { name: 'p', finalizers: ['b'] }),
    },
    {
      name: 'merges ownerReferences by uid',
      original: pod({}, { name: 'p', ownerReferences: [{ uid: '1', name: 'x' }, { uid: '2', name: 'y' }] }),
      patch: { metadata: { ownerReferences: [{ uid: '2', controller: true }] } },
      want: pod({}, { name: 'p', ownerReferences: [{ uid: '1', name: 'x' }, { uid: '2', name: 'y', controller: true }] }),
    },
    {
      name: 'deletes an annotation set to null and leaves the others',
      original: pod({}, { name: 'p', annotations: { a: '1', b: '2' } }),
      patch: { metadata: { annotations: { a: null } } },
      want: pod({}, { name: 'p', annotations: { b: '2' } }),
    },
    {
      name: 'clears keys missing from $retainKeys in a volume (patch strategy merge,retainKeys)',
      original: pod({ volumes: [{ name: 'v', hostPath: { path: '/x' } }, { name: 'w', emptyDir: {} }] }),
      patch: { spec: { volumes: [{ name: 'v', $retainKeys: ['emptyDir', 'name'], emptyDir: {} }] } },
      want: pod({ volumes: [{ name: 'v', emptyDir: {} }, { name: 'w', emptyDir: {} }] }),
    },
    {
      name: 'replaces a map with $patch: replace',
      original: pod({ tolerations: [], containers: [{ name: 'a', resources: { limits: { cpu: '1', memory: '1Gi' } } }] }),
      patch: { spec: { containers: [{ name: 'a', resources: { limits: { $patch: 'replace', cpu: '2' } } }] } },
      want: pod({ tolerations: [], containers: [{ name: 'a', resources: { limits: { cpu: '2' } } }] }),
    },
    {
      name: 'empties a map with $patch: delete',
      original: pod({ containers: [{ name: 'a', resources: { limits: { cpu: '1' } } }] }),
      patch: { spec: { containers: [{ name: 'a', resources: { $patch: 'delete' } }] } },
      want: pod({ containers: [{ name: 'a', resources: {} }] }),
    },
    {
      name: 'replaces a map whose field declares patch strategy replace',
      original: pod({ nodeSelector: { a: '1', b: '2' } }),
      patch: { spec: { nodeSelector: { c: '3' } } },
      want: pod({ nodeSelector: { c: '3' } }),
    },
    {
      name: 'adds a new field from the patch without its directives or nulls',
      original: pod({}),
      patch: { spec: { containers: [{ name: 'a', image: 'x', args: null }, { name: 'gone', $patch: 'delete' }], '$setElementOrder/containers': [{ name: 'a' }] } },
      want: pod({ containers: [{ name: 'a', image: 'x' }] }),
    },
    {
      name: 'replaces lists atomically and merges maps when there is no schema',
      original: { metadata: { finalizers: ['a'], labels: { x: '1' } }, spec: { containers: [c('a'), c('b')] } },
      patch: { metadata: { finalizers: ['b'], labels: { y: '2' } }, spec: { containers: [c('a', 'a:2')] } },
      want: { metadata: { finalizers: ['b'], labels: { x: '1', y: '2' } }, spec: { containers: [c('a', 'a:2')] } },
      schema: null,
    },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const schema = tc.schema === null ? undefined : (tc.schema ?? podSchema);
      assert.deepEqual(applyStrategicMergePatch(tc.original, tc.patch, schema), tc.want);
    });
  }

  it('does not mutate the original or the patch', () => {
    const original = pod({ containers: [c('a'), c('b')] }, { name: 'p', finalizers: ['x'] });
    const patch: JsonObject = { metadata: { '$deleteFromPrimitiveList/finalizers': ['x'] }, spec: { '$setElementOrder/containers': [{ name: 'b' }, { name: 'a' }], containers: [{ name: 'b', $patch: 'delete' }] } };
    const before = structuredClone({ original, patch });
    applyStrategicMergePatch(original, patch, podSchema);
    assert.deepEqual({ original, patch }, before);
  });

  const malformed: Array<{ name: string; patch: JsonObject }> = [
    { name: 'an unknown $patch directive', patch: { spec: { $patch: 'explode' } } },
    { name: 'a merge list item without its merge key', patch: { spec: { containers: [{ image: 'x' }] } } },
    { name: 'a key outside $retainKeys', patch: { spec: { volumes: [{ name: 'v', $retainKeys: ['name'], emptyDir: {} }] } } },
    { name: 'a $setElementOrder that is not a list', patch: { spec: { '$setElementOrder/containers': { name: 'a' } } } },
    { name: 'a patch list out of $setElementOrder order', patch: { spec: { '$setElementOrder/containers': [{ name: 'a' }, { name: 'b' }], containers: [c('b'), c('a')] } } },
  ];
  for (const tc of malformed) {
    it(`rejects ${tc.name} with 400 BadRequest`, () => {
      const err = statusOf(() => applyStrategicMergePatch(pod({ containers: [c('a'), c('b')], volumes: [] }), tc.patch, podSchema));
      assert.equal(err.code, 400);
      assert.equal(err.reason, 'BadRequest');
    });
  }
});
