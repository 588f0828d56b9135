// The one function the apply engine calls the API server through: kubeJson bound to a KubeConfig. Being a plain
// function, it is easy to wrap, which is how tests inject faults and the bench counts requests per hour.
import type { KubeConfig } from '@kubernetes/client-node';
import { kubeJson, type KubeRequest } from '../../runtime/kube-http.ts';

export type KubeRequester = <T>(path: string, request?: KubeRequest) => Promise<T>;

export function kubeRequester(kc: KubeConfig): KubeRequester {
  return (path, request) => kubeJson(kc, path, request);
}

export interface CountingRequester {
  readonly request: KubeRequester;
  /** Requests sent so far, by HTTP method. */
  counts(): Readonly<Record<string, number>>;
}

/** Wraps a requester to count what it sends (`npm run bench`: API requests per hour in reconciling mode). */
export function countingRequester(inner: KubeRequester): CountingRequester {
  const counts: Record<string, number> = {};
  return {
    request: (path, request) => {
      const method = request?.method ?? 'GET';
      counts[method] = (counts[method] ?? 0) + 1;
      return inner(path, request);
    },
    counts: () => ({ ...counts }),
  };
}
