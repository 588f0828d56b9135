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
import { inform } from './informers.ts';
import { RETRY_DELAY_MS, WorkLoop } from './work-loop.ts';

const SERVICES = '/services';
export const KUBERNETES_SERVICE = { namespace: 'default', name: 'kubernetes' } as const;
/** The first address of SERVICE_CIDR (upstream GetIndexedIP(serviceCIDR, 1)). */
export const KUBERNETES_SERVICE_IP = '10.96.0.1';

function servicePorts(securePort: number): unknown[] {
  return [{ name: 'https', protocol: 'TCP', port: 443, targetPort: securePort }];
}

function log(fields: Record<string, unknown>): void {
  process.stderr.write(`${JSON.stringify({ ts: new Date().toISOString(), logger: 'apiserver', controller: 'kubernetes-service', ...fields })}\n`);
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
        // Upstream fails the same way and retries: the address is the kubernetes Service's to have.
        log({ level: 'warn', msg: 'Cannot create the kubernetes Service: its cluster IP is held by another Service', clusterIP: KUBERNETES_SERVICE_IP });
        loop.enqueueAfter(name, RETRY_DELAY_MS * 10);
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
  const unsubscribe = inform(server, SERVICES, (event) => {
    const { object } = event.current;
    if (object.metadata.namespace === namespace && object.metadata.name === name) loop.enqueue(name);
  });
  loop.enqueue(name);
  return () => {
    unsubscribe();
    loop.stop();
  };
}
