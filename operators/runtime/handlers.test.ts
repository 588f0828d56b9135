import assert from 'node:assert/strict';
import { enqueueMapped, enqueueOwner, enqueueSelf, parseRequestKey, requestKey } from './handlers.ts';
import type { KubeObject, OwnerReference } from './watcher.ts';

function machine(name: string, owners: OwnerReference[] = []): KubeObject {
  return { metadata: { name, namespace: 'openshift-machine-api', ownerReferences: owners } };
}
const ownedBy = (kind: string, name: string, controller = true, apiVersion = 'machine.openshift.io/v1beta1'): OwnerReference => ({
  apiVersion,
  kind,
  name,
  uid: `${name}-uid`,
  controller,
});

describe('handlers', () => {
  it('enqueueSelf asks for the object itself', () => {
    assert.deepEqual(enqueueSelf()({ type: 'add', object: machine('m1') }), [{ namespace: 'openshift-machine-api', name: 'm1' }]);
    assert.deepEqual(enqueueSelf()({ type: 'delete', object: { metadata: { name: 'node-1' } } }), [{ name: 'node-1' }]);
  });

  const table: Array<{ name: string; owners: OwnerReference[]; group?: string; expected: string[] }> = [
    { name: 'enqueues the controlling MachineSet', owners: [ownedBy('MachineSet', 'workers')], expected: ['workers'] },
    { name: 'ignores an owner that is not the controller', owners: [ownedBy('MachineSet', 'workers', false)], expected: [] },
    { name: 'ignores a controller of another kind', owners: [ownedBy('Deployment', 'x')], expected: [] },
    {
      name: 'ignores a controller of the right kind in another group',
      owners: [ownedBy('MachineSet', 'capi', true, 'cluster.x-k8s.io/v1beta1')],
      group: 'machine.openshift.io',
      expected: [],
    },
  ];
  for (const { name, owners, group, expected } of table) {
    it(`enqueueOwner ${name}`, () => {
      const handler = enqueueOwner({ kind: 'MachineSet', group });
      assert.deepEqual(
        handler({ type: 'add', object: machine('m1', owners) }).map((r) => r.name),
        expected,
      );
    });
  }

  it('enqueueOwner asks for both the old and the new owner on an update', () => {
    const handler = enqueueOwner({ kind: 'MachineSet', group: 'machine.openshift.io' });
    const requests = handler({
      type: 'update',
      oldObject: machine('m1', [ownedBy('MachineSet', 'old')]),
      object: machine('m1', [ownedBy('MachineSet', 'new')]),
    });
    assert.deepEqual(requests.map(requestKey), ['openshift-machine-api/old', 'openshift-machine-api/new']);
  });

  it('enqueueMapped asks for what the function returns, once per key', () => {
    const handler = enqueueMapped<KubeObject>(() => [{ name: 'cluster' }]);
    assert.deepEqual(handler({ type: 'update', oldObject: machine('a'), object: machine('a') }), [{ name: 'cluster' }]);
  });

  it('round-trips request keys', () => {
    for (const req of [{ namespace: 'ns', name: 'a' }, { name: 'cluster-scoped' }]) {
      assert.deepEqual(parseRequestKey(requestKey(req)), req);
    }
  });
});
