// The in-server controllers: the loops of kube-controller-manager (and the kubelet's last step of pod
// deletion) that the dev cluster needs, since no controller-manager runs next to this server.
import type { ServerState } from '../handlers/context.ts';
import type { KubeObject } from '../types.ts';
import { startCrdController } from './crd-controller.ts';
import { startGarbageCollector } from './garbage-collector.ts';
import { startNamespaceController } from './namespace-controller.ts';
import { startPdbStatusController } from './pdb-status-controller.ts';
import { startPodTerminationController } from './pod-termination-controller.ts';

/** Starts every in-server controller; the returned function stops them all. */
export interface InServerControllerOptions {
  /**
   * Whether the server itself completes a pod's graceful deletion (default: every pod). The dev cluster's
   * hollow nodes finish the pods bound to them, as kubelets do, so the server leaves those alone.
   */
  completeGracefulDeletion?: (pod: KubeObject) => boolean;
}

export function startInServerControllers(server: ServerState, options: InServerControllerOptions = {}): () => void {
  const stops = [
    // First: it registers the resources of the CRDs restored from storage, which the others then see.
    startCrdController(server),
    startGarbageCollector(server),
    startNamespaceController(server),
    startPdbStatusController(server),
    startPodTerminationController(server, { completeGracefulDeletion: options.completeGracefulDeletion }),
  ];
  return () => {
    for (const stop of stops.reverse()) stop();
  };
}
