// The Kubernetes API calls a kubelet makes, and nothing else: register its Node, post node status, renew its
// Lease, post pod status, finish pod deletion. Through the operators' runtime HTTP helper (a KubeConfig's CA,
// token or client certificate), so it works against the dev cluster and, in principle, a real cluster.
import type { KubeConfig } from '@kubernetes/client-node';
import { isAlreadyExists, isNotFound, statusCodeOf } from '../../operators/runtime/errors.ts';
import { kubeJson, type KubeRequest } from '../../operators/runtime/kube-http.ts';
import { NODE_LEASE_NAMESPACE } from './node-object.ts';

const MERGE_PATCH = 'application/merge-patch+json';

interface NodeRef {
  readonly metadata: { readonly uid: string };
  readonly spec?: { readonly providerID?: string };
}

export class KubeletApi {
  readonly #kc: KubeConfig;
  readonly #signal: AbortSignal;

  /** Every request is cancelled when `signal` aborts (the manager stops). */
  constructor(kc: KubeConfig, signal: AbortSignal) {
    this.#kc = kc;
    this.#signal = signal;
  }

  /**
   * Registers the Node, or takes over the one already registered under this name (a restarted kubelet), and
   * posts its full status. Returns the Node's UID. An existing Node's spec is left alone (a cordon stays), except
   * that a providerID is filled in when it has none, as the kubelet's registration does.
   */
  async registerNode(node: { metadata: { name: string; labels: Record<string, string>; annotations: Record<string, string> }; spec: { providerID: string } }, status: Record<string, unknown>): Promise<string> {
    const name = node.metadata.name;
    let registered: NodeRef;
    try {
      registered = await this.#json<NodeRef>('/api/v1/nodes', { method: 'POST', body: node });
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      const existing = await this.#json<NodeRef>(`/api/v1/nodes/${name}`);
      const patch: Record<string, unknown> = { metadata: { labels: node.metadata.labels, annotations: node.metadata.annotations } };
      if (!existing.spec?.providerID) patch.spec = { providerID: node.spec.providerID };
      registered = await this.#json<NodeRef>(`/api/v1/nodes/${name}`, { method: 'PATCH', body: patch, contentType: MERGE_PATCH });
    }
    await this.patchNodeStatus(name, status);
    return registered.metadata.uid;
  }

  /** A merge patch of the node's status; a list in it (conditions) replaces the stored one. */
  async patchNodeStatus(name: string, status: Record<string, unknown>): Promise<void> {
    await this.#json(`/api/v1/nodes/${name}/status`, { method: 'PATCH', body: { status }, contentType: MERGE_PATCH });
  }

  /**
   * Moves the Lease's renewTime, creating the Lease (`lease`) when it does not exist yet. Answers false, and
   * creates nothing, when the Node itself is gone: a Lease owned by a deleted Node would only be collected again.
   */
  async renewLease(name: string, renewTime: string, lease: () => Record<string, unknown>): Promise<boolean> {
    const path = `/apis/coordination.k8s.io/v1/namespaces/${NODE_LEASE_NAMESPACE}/leases`;
    try {
      await this.#json(`${path}/${name}`, { method: 'PATCH', body: { spec: { renewTime } }, contentType: MERGE_PATCH });
      return true;
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    try {
      await this.#json(`/api/v1/nodes/${name}`);
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
    await this.#json(path, { method: 'POST', body: lease() });
    return true;
  }

  async patchPodStatus(namespace: string, name: string, status: Record<string, unknown>): Promise<void> {
    await this.#json(`/api/v1/namespaces/${namespace}/pods/${name}/status`, { method: 'PATCH', body: { status }, contentType: MERGE_PATCH });
  }

  /**
   * The kubelet's final DELETE of a pod it stopped: grace 0, guarded by the UID so that a new pod of the same
   * name is not hit (pkg/kubelet/status/status_manager.go). Already gone (404) or replaced (409) is done.
   */
  async finishPodDeletion(namespace: string, name: string, uid: string): Promise<void> {
    try {
      await this.#json(`/api/v1/namespaces/${namespace}/pods/${name}`, {
        method: 'DELETE',
        body: { apiVersion: 'v1', kind: 'DeleteOptions', gracePeriodSeconds: 0, preconditions: { uid } },
      });
    } catch (err) {
      const code = statusCodeOf(err);
      if (code !== 404 && code !== 409) throw err;
    }
  }

  #json<T>(path: string, request: KubeRequest = {}): Promise<T> {
    return kubeJson<T>(this.#kc, path, { ...request, signal: this.#signal });
  }
}
