import assert from 'node:assert/strict';
import { deleteObject } from '../handlers/delete.ts';
import type { ServerState } from '../handlers/context.ts';
import type { StoredObject } from '../storage/object-store.ts';
import type { KubeObject, OwnerReference } from '../types.ts';
import { removeFinalizer } from './finalizers.ts';
import { startGarbageCollector } from './garbage-collector.ts';
import { configMap, create, servedResource, settle, testServer, waitFor } from './test-fixtures.ts';

const CM = '/configmaps';

function ownerRef(owner: StoredObject, extra: Partial<OwnerReference> = {}): OwnerReference {
  const obj = owner.object;
  return { apiVersion: obj.apiVersion ?? 'v1', kind: obj.kind ?? '', name: obj.metadata.name ?? '', uid: obj.metadata.uid ?? '', ...extra };
}

function cm(server: ServerState, name: string): Readonly<KubeObject> | undefined {
  return server.store.get(CM, 'default', name)?.object;
}

function deleteCm(server: ServerState, name: string, propagationPolicy?: 'Background' | 'Foreground' | 'Orphan'): void {
  const resource = server.registry.versionsOf(CM)[0];
  deleteObject(server, resource, server.store.get(CM, 'default', name)!, { propagationPolicy });
}

describe('garbage collector', () => {
  let server: ServerState;
  let stop: () => void;
  beforeEach(() => {
    server = testServer();
    stop = startGarbageCollector(server);
  });
  afterEach(() => stop());

  it('deletes a dependent in the background once its only owner is deleted', async () => {
    const owner = create(server, CM, configMap('default', 'owner'));
    create(server, CM, configMap('default', 'child', { ownerReferences: [ownerRef(owner)] }));
    await settle();
    assert.ok(cm(server, 'child'), 'a dependent of a live owner stays');
    deleteCm(server, 'owner', 'Background');
    await waitFor('the dependent to be deleted', () => cm(server, 'child') === undefined);
  });

  it('deletes a dependent whose owner was recreated with another UID, and one whose owner never existed', async () => {
    const owner = create(server, CM, configMap('default', 'owner'));
    create(server, CM, configMap('default', 'child', { ownerReferences: [ownerRef(owner)] }));
    create(server, CM, configMap('default', 'stray', { ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'nobody', uid: 'no-such-uid' }] }));
    server.store.remove(CM, 'default', 'owner');
    create(server, CM, configMap('default', 'owner'));
    await waitFor('both dependents to be deleted', () => cm(server, 'child') === undefined && cm(server, 'stray') === undefined);
    assert.ok(cm(server, 'owner'), 'the new owner is untouched');
  });

  it('keeps a dependent that still has a live owner and drops its reference to the gone one', async () => {
    const alive = create(server, CM, configMap('default', 'alive'));
    const doomed = create(server, CM, configMap('default', 'doomed'));
    create(server, CM, configMap('default', 'child', { ownerReferences: [ownerRef(alive), ownerRef(doomed)] }));
    deleteCm(server, 'doomed');
    await waitFor('the dangling reference to be dropped', () => cm(server, 'child')?.metadata.ownerReferences?.length === 1);
    assert.deepEqual(cm(server, 'child')?.metadata.ownerReferences, [ownerRef(alive)]);
  });

  it('deletes dependents ahead of a foreground-deleting owner and releases it once no blocking dependent is left', async () => {
    const owner = create(server, CM, configMap('default', 'owner'));
    create(server, CM, configMap('default', 'blocker', { ownerReferences: [ownerRef(owner, { blockOwnerDeletion: true })], finalizers: ['example.com/hold'] }));
    create(server, CM, configMap('default', 'plain', { ownerReferences: [ownerRef(owner)] }));
    deleteCm(server, 'owner', 'Foreground');
    await waitFor('the dependents to be deleted', () => cm(server, 'plain') === undefined && cm(server, 'blocker')?.metadata.deletionTimestamp !== undefined);
    await settle();
    assert.deepEqual(cm(server, 'owner')?.metadata.finalizers, ['foregroundDeletion'], 'the blocking dependent keeps the owner');

    const resource = server.registry.versionsOf(CM)[0];
    removeFinalizer(server, resource, server.store.get(CM, 'default', 'blocker')!, 'example.com/hold');
    await waitFor('the owner to go', () => cm(server, 'owner') === undefined);
  });

  it('deletes a foreground-waiting dependent that has dependents of its own in the foreground too', async () => {
    const owner = create(server, CM, configMap('default', 'owner'));
    const middle = create(server, CM, configMap('default', 'middle', { ownerReferences: [ownerRef(owner, { blockOwnerDeletion: true })] }));
    create(server, CM, configMap('default', 'leaf', { ownerReferences: [ownerRef(middle, { blockOwnerDeletion: true })], finalizers: ['example.com/hold'] }));
    deleteCm(server, 'owner', 'Foreground');
    await waitFor('the middle object to be deleted in the foreground', () => (cm(server, 'middle')?.metadata.finalizers ?? []).includes('foregroundDeletion'));
    await settle();
    assert.ok(cm(server, 'owner'), 'the owner waits for the whole chain');
    const resource = server.registry.versionsOf(CM)[0];
    removeFinalizer(server, resource, server.store.get(CM, 'default', 'leaf')!, 'example.com/hold');
    await waitFor('the chain to go', () => !cm(server, 'owner') && !cm(server, 'middle') && !cm(server, 'leaf'));
  });

  it('orphans the dependents of an owner deleted with the orphan policy, then lets the owner go', async () => {
    const owner = create(server, CM, configMap('default', 'owner'));
    const other = create(server, CM, configMap('default', 'other'));
    create(server, CM, configMap('default', 'child', { ownerReferences: [ownerRef(owner), ownerRef(other)] }));
    create(server, CM, configMap('default', 'only-child', { ownerReferences: [ownerRef(owner)] }));
    deleteCm(server, 'owner', 'Orphan');
    await waitFor('the owner to go', () => cm(server, 'owner') === undefined);
    await settle();
    assert.deepEqual(cm(server, 'child')?.metadata.ownerReferences, [ownerRef(other)]);
    assert.ok(cm(server, 'only-child'), 'an orphaned dependent survives');
    assert.equal(cm(server, 'only-child')?.metadata.ownerReferences, undefined);
  });

  it('resolves cluster-scoped owners of namespaced dependents without a namespace', async () => {
    const node = create(server, '/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } });
    create(server, CM, configMap('default', 'child', { ownerReferences: [ownerRef(node)] }));
    await settle();
    assert.ok(cm(server, 'child'), 'the Node is found as a live owner');
    server.store.remove('/nodes', '', 'n1');
    await waitFor('the dependent to be deleted', () => cm(server, 'child') === undefined);
  });

  it('leaves a cluster-scoped dependent that names a namespaced owner alone, as upstream does', async () => {
    create(server, 'rbac.authorization.k8s.io/clusterroles', {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole',
      metadata: { name: 'r', ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'gone', uid: 'gone-uid' }] },
    });
    await settle();
    assert.ok(server.store.get('rbac.authorization.k8s.io/clusterroles', '', 'r'));
  });

  it('waits for an owner kind to be served before judging the reference', async () => {
    create(server, CM, configMap('default', 'child', { ownerReferences: [{ apiVersion: 'example.com/v1', kind: 'Widget', name: 'w', uid: 'w-uid' }] }));
    await settle();
    assert.ok(cm(server, 'child'), 'an unknown kind is not an absent owner');
    server.registry.setCrd('widgets.example.com', [{ ...servedResource({ group: 'example.com', version: 'v1', kind: 'Widget', plural: 'widgets', namespaced: true }), crdName: 'widgets.example.com' }], false);
    await waitFor('the dependent to be deleted once Widgets are served', () => cm(server, 'child') === undefined);
  });
});
