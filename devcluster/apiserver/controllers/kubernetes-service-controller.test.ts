// default/kubernetes through the real HTTP server: there at start, targeting the port the server listens on,
// created again after a delete, its ports put back after an edit, and re-targeted when a restart changes the port.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { isNotFound } from '../../../operators/runtime/errors.ts';
import { kubeJson } from '../../../operators/runtime/kube-http.ts';
import { waitFor } from '../../../operators/runtime/wait.ts';
import { freePort } from '../../../test/support/free-port.ts';
import { startApiServer, type ApiServerHandle } from '../index.ts';
import { KUBERNETES_SERVICE_IP } from './kubernetes-service-controller.ts';

interface Service {
  metadata: { uid: string; labels?: Record<string, string>; resourceVersion: string };
  spec: { type: string; clusterIP: string; clusterIPs: string[]; ports: Array<{ name: string; port: number; targetPort: number; protocol: string }> };
}

const PATH = '/api/v1/namespaces/default/services/kubernetes';

describe('kubernetes Service controller', function () {
  this.timeout(15_000);
  let dataDir: string;
  let server: ApiServerHandle;

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'kubernetes-service-'));
  });
  afterEach(async () => {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function start(port = 0): Promise<KubeConfig> {
    server = await startApiServer({ dataDir, port });
    const kc = new KubeConfig();
    kc.loadFromFile(server.kubeconfigPath);
    return kc;
  }

  const get = (kc: KubeConfig) => kubeJson<Service>(kc, PATH);

  it('is there at start: ClusterIP 10.96.0.1, https 443 to the secure port, apiserver labels', async () => {
    const kc = await start();
    const svc = await get(kc);
    assert.equal(svc.spec.type, 'ClusterIP');
    assert.equal(svc.spec.clusterIP, KUBERNETES_SERVICE_IP);
    assert.deepEqual(svc.spec.clusterIPs, [KUBERNETES_SERVICE_IP]);
    assert.deepEqual(svc.spec.ports, [{ name: 'https', protocol: 'TCP', port: 443, targetPort: server.port }]);
    assert.deepEqual(svc.metadata.labels, { component: 'apiserver', provider: 'kubernetes' });
  });

  it('comes back after a delete, and its ports after an edit', async () => {
    const kc = await start();
    const first = await get(kc);
    await kubeJson(kc, PATH, { method: 'DELETE' });
    const again = await waitFor(async () => {
      const svc = await get(kc).catch(() => undefined);
      return svc && svc.metadata.uid !== first.metadata.uid ? svc : undefined;
    });
    assert.equal(again.spec.clusterIP, KUBERNETES_SERVICE_IP);

    await kubeJson(kc, PATH, { method: 'PATCH', contentType: 'application/merge-patch+json', body: { spec: { ports: [{ name: 'https', port: 8443, targetPort: 1 }] } } });
    const restored = await waitFor(async () => {
      const svc = await get(kc);
      return svc.spec.ports[0]?.port === 443 ? svc : undefined;
    });
    assert.deepEqual(restored.spec.ports, [{ name: 'https', protocol: 'TCP', port: 443, targetPort: server.port }]);
  });

  it('waits while another Service holds 10.96.0.1, and comes back once that Service is deleted', async () => {
    const kc = await start();
    // Both in one tick, before the controller's loop runs: the address is taken when it looks.
    server.store.remove('/services', 'default', 'kubernetes');
    server.store.put('/services', {
      apiVersion: 'v1', kind: 'Service',
      metadata: { name: 'squatter', namespace: 'default', uid: 'squatter-uid' },
      spec: { type: 'ClusterIP', clusterIP: KUBERNETES_SERVICE_IP, clusterIPs: [KUBERNETES_SERVICE_IP], ports: [{ port: 80 }] },
    });
    // The loop runs on the next setImmediate; the GET's round trip comes after it.
    await new Promise((resolve) => setImmediate(resolve));
    await assert.rejects(get(kc), isNotFound);

    await kubeJson(kc, '/api/v1/namespaces/default/services/squatter', { method: 'DELETE' });
    const back = await waitFor(() => get(kc).catch(() => undefined));
    assert.equal(back.spec.clusterIP, KUBERNETES_SERVICE_IP);
  });

  it('targets the new port after a restart on another port, keeping its identity', async () => {
    const before = await get(await start(await freePort()));
    await server.stop();
    const port = await freePort();
    const after = await get(await start(port));
    assert.equal(after.metadata.uid, before.metadata.uid);
    assert.equal(after.spec.ports[0]?.targetPort, port);
  });
});
