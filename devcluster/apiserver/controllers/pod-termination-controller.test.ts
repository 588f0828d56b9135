import assert from 'node:assert/strict';
import { deleteObject } from '../handlers/delete.ts';
import type { ServerState } from '../handlers/context.ts';
import type { KubeObject } from '../types.ts';
import { removeFinalizer } from './finalizers.ts';
import { startPodTerminationController } from './pod-termination-controller.ts';
import { create, settle, testServer, waitFor } from './test-fixtures.ts';

function pod(name: string, nodeName: string, finalizers?: string[]): KubeObject {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: 'default', ...(finalizers ? { finalizers } : {}) },
    spec: { nodeName, containers: [{ name: 'c', image: 'i' }] },
    status: { phase: 'Running' },
  };
}

function deletePod(server: ServerState, name: string): void {
  deleteObject(server, server.registry.versionsOf('/pods')[0], server.store.get('/pods', 'default', name)!, {});
}

describe('pod termination controller', () => {
  let server: ServerState;
  let stop: () => void;
  afterEach(() => stop());

  it('completes the graceful deletion of a pod on a node without waiting out the grace period', async () => {
    server = testServer();
    stop = startPodTerminationController(server);
    create(server, '/pods', pod('p', 'n1'));
    deletePod(server, 'p');
    assert.equal(server.store.get('/pods', 'default', 'p')?.object.metadata.deletionGracePeriodSeconds, 30, 'the DELETE only marks the pod');
    await waitFor('the pod to be removed', () => server.store.get('/pods', 'default', 'p') === undefined);
  });

  it('leaves a pod with finalizers to the write that releases them', async () => {
    server = testServer();
    stop = startPodTerminationController(server);
    create(server, '/pods', pod('p', 'n1', ['example.com/hold']));
    deletePod(server, 'p');
    await settle();
    const held = server.store.get('/pods', 'default', 'p');
    assert.ok(held?.object.metadata.deletionTimestamp);
    assert.equal(removeFinalizer(server, server.registry.versionsOf('/pods')[0], held, 'example.com/hold'), undefined);
  });

  it('leaves pods whose deletion another kubelet completes', async () => {
    server = testServer();
    stop = startPodTerminationController(server, { completeGracefulDeletion: (p) => (p.spec as { nodeName: string }).nodeName !== 'hollow-1' });
    create(server, '/pods', pod('mine', 'hollow-1'));
    create(server, '/pods', pod('theirs', 'n1'));
    deletePod(server, 'mine');
    deletePod(server, 'theirs');
    await waitFor('the other pod to be removed', () => server.store.get('/pods', 'default', 'theirs') === undefined);
    await settle();
    assert.ok(server.store.get('/pods', 'default', 'mine'), 'the hollow node\'s pod waits for its own kubelet');
  });
});
