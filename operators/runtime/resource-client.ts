// The writes status.ts, finalizers.ts and events.ts make, behind one narrow interface so their tests
// use an in-memory fake. The real one sends raw JSON with an explicit Content-Type on every patch:
// client-node's KubernetesObjectApi.patch defaults to strategic-merge-patch, which custom resources
// reject with 415, and the generated CustomObjectsApi picks json-patch unless told otherwise
// (shared/reference/ts-ecosystem.md §1.3). It covers core ("" group) and custom resources alike.
import type { KubeConfig } from '@kubernetes/client-node';
import { kubeJson } from './kube-http.ts';

/** Where a resource lives: group "" is the core group (/api/v1). */
export interface ResourceRef {
  readonly group: string;
  readonly version: string;
  /** Lowercase plural, e.g. "machinesets". */
  readonly plural: string;
}

export type PatchType = 'application/json-patch+json' | 'application/merge-patch+json';

export interface JsonPatchOp {
  readonly op: 'add' | 'remove' | 'replace' | 'test';
  readonly path: string;
  readonly value?: unknown;
}

export interface ResourceClient {
  patch(
    ref: ResourceRef,
    namespace: string | undefined,
    name: string,
    patchType: PatchType,
    body: unknown,
    subresource?: 'status',
  ): Promise<unknown>;
  create(ref: ResourceRef, namespace: string | undefined, body: unknown): Promise<unknown>;
  /** An uncached read (the caches serve every other read). */
  get(ref: ResourceRef, namespace: string | undefined, name: string): Promise<unknown>;
  /** DELETE with DeleteOptions, e.g. { propagationPolicy: 'Background', preconditions: { uid } }. */
  delete(ref: ResourceRef, namespace: string | undefined, name: string, options?: Record<string, unknown>): Promise<unknown>;
  /** POST to an object's subresource, e.g. a pod's eviction. */
  createSubresource(ref: ResourceRef, namespace: string | undefined, name: string, subresource: string, body: unknown): Promise<unknown>;
}

/** The writes the status, finalizer and event helpers make: the narrowest interface they need. */
export type ResourceWriter = Pick<ResourceClient, 'patch' | 'create'>;

/** The URL path of a collection, an object, or an object's subresource. */
export function resourcePath(ref: ResourceRef, namespace: string | undefined, name?: string, subresource?: string): string {
  const parts = [ref.group === '' ? `/api/${ref.version}` : `/apis/${ref.group}/${ref.version}`];
  if (namespace) parts.push('namespaces', encodeURIComponent(namespace));
  parts.push(ref.plural);
  if (name !== undefined) parts.push(encodeURIComponent(name));
  if (subresource) parts.push(subresource);
  return parts.join('/').replace(/^\/\//, '/');
}

export function kubeResourceClient(kc: KubeConfig): ResourceClient {
  return {
    patch: (ref, namespace, name, patchType, body, subresource) =>
      kubeJson(kc, resourcePath(ref, namespace, name, subresource), { method: 'PATCH', contentType: patchType, body }),
    create: (ref, namespace, body) => kubeJson(kc, resourcePath(ref, namespace), { method: 'POST', body }),
    get: (ref, namespace, name) => kubeJson(kc, resourcePath(ref, namespace, name)),
    delete: (ref, namespace, name, options) =>
      kubeJson(kc, resourcePath(ref, namespace, name), { method: 'DELETE', body: options ?? {} }),
    createSubresource: (ref, namespace, name, subresource, body) =>
      kubeJson(kc, resourcePath(ref, namespace, name, subresource), { method: 'POST', body }),
  };
}
