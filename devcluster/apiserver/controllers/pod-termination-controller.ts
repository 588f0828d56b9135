// The dev cluster's stand-in for a kubelet's last step of pod deletion (apiserver.md §6.2, as kwok does):
// a graceful DELETE only marks a pod that has a node (deletionTimestamp = now + grace); in a real cluster the
// kubelet stops the containers and then deletes the pod with grace 0. No containers run here, so a marked pod
// is removed on the next loop turn, without waiting out its grace period. A pod that still has finalizers is
// left alone: the write that releases its last finalizer deletes it (handlers/write.ts).
//
// Ownership: for now every node's pods are completed here. When the local provider's hollow nodes act as
// kubelets for their own pods, they take this over by passing `completeGracefulDeletion` that declines
// their nodes' pods (e.g. by a node annotation or a set of node names).
import { deleteObject } from '../handlers/delete.ts';
import type { ServerState } from '../handlers/context.ts';
import { objectKey } from '../storage/object-store.ts';
import type { KubeObject } from '../types.ts';
import { inform, resourceOf, splitObjectKey } from './informers.ts';
import { WorkLoop } from './work-loop.ts';

const PODS = '/pods';

export interface PodTerminationOptions {
  /** Whether this loop completes the graceful deletion of `pod` (default: every pod). */
  completeGracefulDeletion?: (pod: Readonly<KubeObject>) => boolean;
}

function awaitsKubelet(pod: Readonly<KubeObject>): boolean {
  return pod.metadata.deletionTimestamp !== undefined && (pod.metadata.finalizers ?? []).length === 0;
}

export function startPodTerminationController(server: ServerState, options: PodTerminationOptions = {}): () => void {
  const complete = options.completeGracefulDeletion ?? (() => true);
  const loop = new WorkLoop('pod-termination-controller', (key) => reconcile(key));

  function reconcile(key: string): void {
    const { namespace, name } = splitObjectKey(key);
    const stored = server.store.get(PODS, namespace, name);
    const resource = resourceOf(server, PODS);
    if (!stored || !resource || !awaitsKubelet(stored.object) || !complete(stored.object)) return;
    // The kubelet's final DELETE: grace 0, guarded by the UID so a recreated pod of the same name survives.
    deleteObject(server, resource, stored, { gracePeriodSeconds: 0, preconditions: { uid: stored.object.metadata.uid } });
  }

  const stop = inform(server, PODS, (event) => {
    if (event.type !== 'DELETED' && awaitsKubelet(event.current.object)) loop.enqueue(objectKey(event.current.namespace, event.current.name));
  });
  return () => {
    loop.stop();
    stop();
  };
}
