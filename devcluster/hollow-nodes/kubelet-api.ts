// The Kubernetes API calls a kubelet makes, and nothing else: register its Node, post node status, renew its
// Lease, post pod status, finish pod deletion. Authenticated as client-node does it (the KubeConfig's CA,
// token or client certificate), so it works against the dev cluster and, in principle, a real cluster.
//
// Why not operators/runtime/kube-http.ts's kubeFetch: client-node's applySecurityAuthentication builds a new
// undici Agent for every request, so each call pays a new TLS handshake (about 8 ms on loopback, against under
// 1 ms on a kept-alive connection, measured against the dev cluster). 1,000 nodes renew 100 Leases a second;
// here every call goes through one Agent, kept for the manager's lifetime.
import { HttpMethod, RequestContext, type KubeConfig } from '@kubernetes/client-node';
import { Agent, type Dispatcher } from 'undici';
import { isAlreadyExists, isNotFound, statusCodeOf } from '../../operators/runtime/errors.ts';
import { errorFromStatus, type KubeRequest } from '../../operators/runtime/kube-http.ts';
import { NODE_LEASE_NAMESPACE, type Lease, type RegisteredNode } from './node-object.ts';

const MERGE_PATCH = 'application/merge-patch+json';
const LEASES = `/apis/coordination.k8s.io/v1/namespaces/${NODE_LEASE_NAMESPACE}/leases`;

interface NodeRef {
  readonly metadata: { readonly uid: string };
  readonly spec?: { readonly providerID?: string };
}

export class KubeletApi {
  readonly #kc: KubeConfig;
  readonly #signal: AbortSignal;
  #dispatcher: Dispatcher | undefined;

  /** Every request is cancelled when `signal` aborts (the manager stops). */
  constructor(kc: KubeConfig, signal: AbortSignal) {
    this.#kc = kc;
    this.#signal = signal;
  }

  /**
   * Registers the Node, or takes over the one already registered under this name (a restarted kubelet), and
   * posts its full status. Returns the Node's UID. A new Node carries its status in the create, as the kubelet's
   * initial Node does (one request, not two); an existing Node's spec is left alone (a cordon stays), except that a
   * providerID is filled in when it has none, as the kubelet's registration does, and its status is then patched.
   */
  async registerNode(node: RegisteredNode, status: Record<string, unknown>): Promise<string> {
    const name = node.metadata.name;
    try {
      const created = await this.#json<NodeRef>('/api/v1/nodes', { method: 'POST', body: { ...node, status } });
      return created.metadata.uid;
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
    const existing = await this.#json<NodeRef>(`/api/v1/nodes/${name}`);
    const patch: Record<string, unknown> = { metadata: { labels: node.metadata.labels, annotations: node.metadata.annotations } };
    if (!existing.spec?.providerID) patch.spec = { providerID: node.spec.providerID };
    const registered = await this.#json<NodeRef>(`/api/v1/nodes/${name}`, { method: 'PATCH', body: patch, contentType: MERGE_PATCH });
    await this.patchNodeStatus(name, status);
    return registered.metadata.uid;
  }

  /** A merge patch of the node's status; a list in it (conditions) replaces the stored one. */
  async patchNodeStatus(name: string, status: Record<string, unknown>): Promise<void> {
    await this.#json(`/api/v1/nodes/${name}/status`, { method: 'PATCH', body: { status }, contentType: MERGE_PATCH });
  }

  /**
   * Creates the node's Lease, or renews the one a previous run of this kubelet left (the kubelet's lease
   * controller ensureLease does the same).
   */
  async ensureLease(lease: Lease): Promise<void> {
    try {
      await this.#json(LEASES, { method: 'POST', body: lease });
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      await this.#patchRenewTime(lease.metadata.name, lease.spec.renewTime);
    }
  }

  /**
   * Moves the Lease's renewTime, creating the Lease (`lease`) when it went missing. Answers false, and
   * creates nothing, when the Node itself is gone: a Lease owned by a deleted Node would only be collected again.
   */
  async renewLease(name: string, renewTime: string, lease: () => Lease): Promise<boolean> {
    try {
      await this.#patchRenewTime(name, renewTime);
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
    await this.#json(LEASES, { method: 'POST', body: lease() });
    return true;
  }

  async #patchRenewTime(name: string, renewTime: string): Promise<void> {
    await this.#json(`${LEASES}/${name}`, { method: 'PATCH', body: { spec: { renewTime } }, contentType: MERGE_PATCH });
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

  /** Closes the shared connections. */
  async close(): Promise<void> {
    const dispatcher = this.#dispatcher;
    this.#dispatcher = undefined;
    await dispatcher?.destroy();
  }

  async #json<T>(path: string, request: KubeRequest = {}): Promise<T> {
    const cluster = this.#kc.getCurrentCluster();
    if (!cluster) throw new Error('The KubeConfig has no current cluster');
    const url = new URL(cluster.server.replace(/\/$/, '') + path);
    const method = request.method ?? 'GET';
    // Headers every time (a token may be refreshed); the Agent it builds is used only the first time.
    const ctx = new RequestContext(url.href, HttpMethod[method]);
    await this.#kc.applySecurityAuthentication(ctx);
    this.#dispatcher ??= ctx.getDispatcher() ?? new Agent();
    const headers: Record<string, string> = { ...ctx.getHeaders(), Accept: 'application/json' };
    if (request.body !== undefined) headers['Content-Type'] = request.contentType ?? 'application/json';
    // undici's request, not fetch: a thousand kubelets share the dev cluster's one thread, and the WHATWG
    // Request/Response/stream machinery around each call was a sizeable part of their cost.
    const response = await this.#dispatcher.request({
      origin: url.origin,
      path: url.pathname + url.search,
      method,
      headers,
      signal: this.#signal,
      body: request.body === undefined ? undefined : JSON.stringify(request.body),
    });
    const text = await response.body.text();
    if (response.statusCode < 200 || response.statusCode > 299) throw errorFromStatus(response.statusCode, text);
    return JSON.parse(text) as T;
  }
}
