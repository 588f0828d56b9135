import assert from 'node:assert/strict';
import { deleteObject } from '../handlers/delete.ts';
import type { ServerState } from '../handlers/context.ts';
import type { KubeObject } from '../types.ts';
import { removeFinalizer } from './finalizers.ts';
import { deletionConditions, startNamespaceController, type NamespaceCondition } from './namespace-controller.ts';
import { configMap, create, namespaceObject, settle, testServer, waitFor } from './test-fixtures.ts';

function deleteNamespace(server: ServerState, name: string): void {
  deleteObject(server, server.registry.versionsOf('/namespaces')[0], server.store.get('/namespaces', '', name)!, {});
}

function conditionsOf(server: ServerState, name: string): NamespaceCondition[] {
  return ((server.store.get('/namespaces', '', name)?.object.status ?? {}) as { conditions?: NamespaceCondition[] }).conditions ?? [];
}

describe('namespace controller', () => {
  let server: ServerState;
  let stop: () => void;
  beforeEach(() => {
    server = testServer();
    stop = startNamespaceController(server);
  });
  afterEach(() => stop());

  it('deletes the content of a terminating namespace, waits for finalizers, then lets the namespace go', async () => {
    create(server, '/namespaces', namespaceObject('doomed'));
    create(server, '/namespaces', namespaceObject('other'));
    create(server, '/configmaps', configMap('doomed', 'plain'));
    create(server, '/secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'held', namespace: 'doomed', finalizers: ['example.com/hold'] } });
    create(server, '/events', { apiVersion: 'v1', kind: 'Event', metadata: { name: 'e1', namespace: 'doomed' } });
    create(server, '/configmaps', configMap('other', 'kept'));

    deleteNamespace(server, 'doomed');
    await waitFor('the free content to be deleted', () => !server.store.get('/configmaps', 'doomed', 'plain') && !server.store.get('/events', 'doomed', 'e1'));
    await waitFor('the conditions', () => conditionsOf(server, 'doomed').length === 5);
    await settle();
    const rv = server.store.resourceVersion;
    await settle();
    assert.equal(server.store.resourceVersion, rv, 'a waiting namespace is not rewritten again and again');
    const held = server.store.get('/secrets', 'doomed', 'held')!;
    assert.ok(held.object.metadata.deletionTimestamp, 'the object with a finalizer is marked');
    const namespace = server.store.get('/namespaces', '', 'doomed')!.object as KubeObject;
    assert.deepEqual(namespace.spec, { finalizers: ['kubernetes'] });
    assert.deepEqual(
      conditionsOf(server, 'doomed').filter((c) => c.status === 'True').map(({ type, reason, message }) => ({ type, reason, message })),
      [
        { type: 'NamespaceContentRemaining', reason: 'SomeResourcesRemain', message: 'Some resources are remaining: secrets. has 1 resource instances' },
        { type: 'NamespaceFinalizersRemaining', reason: 'SomeFinalizersRemain', message: 'Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances' },
      ],
    );

    removeFinalizer(server, server.registry.versionsOf('/secrets')[0], held, 'example.com/hold');
    await waitFor('the namespace to go', () => server.store.get('/namespaces', '', 'doomed') === undefined);
    assert.ok(server.store.get('/configmaps', 'other', 'kept'), 'other namespaces keep their content');
    assert.ok(server.store.get('/namespaces', '', 'other'));
  });

  it('releases spec.finalizers of an empty namespace but keeps it while metadata.finalizers remain', async () => {
    create(server, '/namespaces', { ...namespaceObject('held'), metadata: { name: 'held', finalizers: ['example.com/ns'] } });
    deleteNamespace(server, 'held');
    await waitFor('spec.finalizers to be released', () => {
      const spec = server.store.get('/namespaces', '', 'held')?.object.spec as { finalizers?: string[] } | undefined;
      return spec?.finalizers?.length === 0;
    });
    assert.deepEqual(
      conditionsOf(server, 'held').map((c) => [c.type, c.status, c.reason]),
      [
        ['NamespaceDeletionDiscoveryFailure', 'False', 'ResourcesDiscovered'],
        ['NamespaceDeletionGroupVersionParsingFailure', 'False', 'ParsedGroupVersions'],
        ['NamespaceDeletionContentFailure', 'False', 'ContentDeleted'],
        ['NamespaceContentRemaining', 'False', 'ContentRemoved'],
        ['NamespaceFinalizersRemaining', 'False', 'ContentHasNoFinalizers'],
      ],
    );
    removeFinalizer(server, server.registry.versionsOf('/namespaces')[0], server.store.get('/namespaces', '', 'held')!, 'example.com/ns');
    assert.equal(server.store.get('/namespaces', '', 'held'), undefined, 'the write that removes the last finalizer deletes it');
  });

  it('finishes a namespace that was terminating before the controller started', async () => {
    stop();
    create(server, '/namespaces', namespaceObject('old'));
    create(server, '/configmaps', configMap('old', 'cm'));
    deleteNamespace(server, 'old');
    stop = startNamespaceController(server);
    await waitFor('the namespace to go', () => server.store.get('/namespaces', '', 'old') === undefined);
    assert.equal(server.store.get('/configmaps', 'old', 'cm'), undefined);
  });

  it('counts remaining content per resource and per finalizer, sorted as upstream prints it', () => {
    const conditions = deletionConditions({
      resources: new Map([['widgets.example.com', 2], ['pods.', 1]]),
      finalizers: new Map([['b.example.com/f', 1], ['a.example.com/f', 2]]),
    });
    assert.equal(conditions[3].message, 'Some resources are remaining: pods. has 1 resource instances, widgets.example.com has 2 resource instances');
    assert.equal(conditions[4].message, 'Some content in the namespace has finalizers remaining: a.example.com/f in 2 resource instances, b.example.com/f in 1 resource instances');
  });
});
