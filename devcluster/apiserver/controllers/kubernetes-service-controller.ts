// The `kubernetes` Service in `default`, as kube-apiserver's own controller keeps it
// (pkg/controlplane/controller/kubernetesservice): ClusterIP, the first address of the service CIDR
// (10.96.0.1), port 443 named "https" targeting the server's secure port, labels component=apiserver and
// provider=kubernetes. Created at start when missing, created again when someone deletes it, and its ports
// and type put back when they differ (upstream reconciles both). Clients in pods find the API server through
// it; `kubectl get svc` on a fresh cluster shows it.
//
// Not here: its Endpoints and EndpointSlice (this server serves neither resource).
import { randomUUID } from 'node:crypto';
import type { ServerState } from '../handlers/context.ts';
import { timestamp } from '../handlers/write-pipeline.ts';
import { cloneJson, jsonEqual } from '../patch/json-values.ts';
import { inUseBy } from '../registry/service-allocation.ts';
import type { Json, KubeObject } from '../types.ts';
import { logApiServer } from '../log.ts';
import { inform } from './informers.ts';
import { WorkLoop } from './work-loop.ts';

const SERVICES = '/services';
export const KUBERNETES_SERVICE = { namespace: 'default', name: 'kubernetes' } as const;
/** The first address of SERVICE_CIDR (upstream GetIndexedIP(serviceCIDR, 1)). */
export const KUBERNETES_SERVICE_IP = '10.96.0.1';

function servicePorts(securePort: number): unknown[] {
  return [{ name: 'https', protocol: 'TCP', port: 443, targetPort: securePort }];
}

function newService(securePort: number, now: Date): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      ...KUBERNETES_SERVICE,
      uid: randomUUID(),
      creationTimestamp: timestamp(now),
      labels: { component: 'apiserver', provider: 'kubernetes' },
    },
    spec: {
      type: 'ClusterIP',
      clusterIP: KUBERNETES_SERVICE_IP,
      clusterIPs: [KUBERNETES_SERVICE_IP],
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
      internalTrafficPolicy: 'Cluster',
      sessionAffinity: 'None',
      ports: servicePorts(securePort),
    },
    status: { loadBalancer: {} },
  };
}

/** Keeps default/kubernetes in place for a server listening on `securePort`. Returns the stop function. */
export function startKubernetesServiceController(server: ServerState, securePort: number): () => void {
  const { namespace, name } = KUBERNETES_SERVICE;
  const loop = new WorkLoop('kubernetes-service', () => {
    const stored = server.store.get(SERVICES, namespace, name);
    if (!stored) {
      const service = newService(securePort, server.now());
      const taken = inUseBy(server.store.list(SERVICES).map((s) => s.object), service).ips.has(KUBERNETES_SERVICE_IP);
      if (taken) {
        // Upstream fails the same way and tries again later; here the delete that frees the address wakes the loop.
        logApiServer({ level: 'warn', controller: 'kubernetes-service', msg: 'Cannot create the kubernetes Service: its cluster IP is held by another Service; delete that Service', clusterIP: KUBERNETES_SERVICE_IP });
        return;
      }
      server.store.put(SERVICES, service);
      return;
    }
    const spec = (stored.object.spec ?? {}) as Record<string, unknown>;
    const ports = servicePorts(securePort);
    if (spec.type === 'ClusterIP' && jsonEqual(spec.ports as Json, ports as Json)) return;
    const next = cloneJson(stored.object) as KubeObject;
    next.spec = { ...(next.spec as Record<string, unknown>), type: 'ClusterIP', ports };
    server.store.put(SERVICES, next);
  });
  // Its own events, and any Service's delete: that may free the cluster IP a missing kubernetes Service waits for.
  const unsubscribe = inform(server, SERVICES, (event) => {
    const { object } = event.current;
    if (event.type === 'DELETED' || (object.metadata.namespace === namespace && object.metadata.name === name)) loop.enqueue(name);
  });
  loop.enqueue(name);
  return () => {
    unsubscribe();
    loop.stop();
  };
}
