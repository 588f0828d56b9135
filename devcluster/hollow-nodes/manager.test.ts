import assert from 'node:assert/strict';
import { KubeConfig } from '@kubernetes/client-node';
import { isNotFound } from '../../operators/runtime/errors.ts';
import { kubeJson } from '../../operators/runtime/kube-http.ts';
import { createLogger } from '../../operators/runtime/log.ts';
import { waitFor } from '../../operators/runtime/wait.ts';
import { startTestServer, type TestServer } from '../../test/support/dev-server.ts';
import { LocalCloud } from '../local-cloud/cloud.ts';
import type { LocalInstanceSpec } from '../local-cloud/types.ts';
import { HollowNodeManager } from './manager.ts';

// The JSON the API server answers, read field by field.
type Json = any;

const LEASE_RENEW_SECONDS = 0.1;

describe('HollowNodeManager', function () {
  this.timeout(10_000);
  let server: TestServer;
  let kc: KubeConfig;
  let cloud: LocalCloud;
  let manager: HollowNodeManager;
  const quiet = createLogger({ sink: () => {} });

  const get = (path: string): Promise<Json> => kubeJson<Json>(kc, path);
  const getIfExists = async (path: string): Promise<Json | undefined> => {
    try {
      return await get(path);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  };
  const node = (name: string) => getIfExists(`/api/v1/nodes/${name}`);
  const lease = (name: string) => getIfExists(`/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${name}`);
  const ready = (n: Json) => n?.status?.conditions?.find((c: Json) => c.type === 'Ready');
  const launch = (name: string, spec: Partial<LocalInstanceSpec> = {}) =>
    cloud.create({ clientToken: `uid-${name}`, name, tags: {}, spec: { instanceType: 'local.small', region: 'local', zone: 'local-b', ...spec } }).instance;
  const startManager = async () => {
    manager = new HollowNodeManager({ leaseRenewSeconds: LEASE_RENEW_SECONDS, statusReportSeconds: 0.2, logger: quiet });
    await manager.start(server.api.kubeconfigPath, cloud);
  };

  before(async () => {
    server = await startTestServer({ ephemeral: true });
    kc = new KubeConfig();
    kc.loadFromFile(server.api.kubeconfigPath);
  });
  after(async () => {
    await server.stop();
  });
  beforeEach(async () => {
    cloud = new LocalCloud({ terminateDelayMs: 10 });
    await startManager();
  });
  afterEach(async () => {
    await manager.stop();
    await cloud.close();
  });

  it('registers a Ready Node carrying the instance providerID, addresses, labels, capacity and nodeInfo', async () => {
    const instance = launch('node-a', { osImage: 'Test OS 1.0' });
    const n = await waitFor(async () => ready(await node('node-a'))?.status === 'True' && node('node-a'));
    assert.equal(n.spec.providerID, 'local:///node-a');
    assert.deepEqual(n.status.addresses, [
      { type: 'InternalIP', address: instance.privateIp },
      { type: 'Hostname', address: 'node-a' },
    ]);
    assert.equal(n.metadata.labels['kubernetes.io/hostname'], 'node-a');
    assert.equal(n.metadata.labels['node-role.kubernetes.io/worker'], '');
    assert.equal(n.metadata.labels['node.kubernetes.io/instance-type'], 'local.small');
    assert.equal(n.metadata.labels['topology.kubernetes.io/region'], 'local');
    assert.equal(n.metadata.labels['topology.kubernetes.io/zone'], 'local-b');
    assert.deepEqual(
      { cpu: n.status.capacity.cpu, memory: n.status.capacity.memory, pods: n.status.capacity.pods, allocatableCpu: n.status.allocatable.cpu },
      { cpu: '2', memory: `${8 * 1024 * 1024}Ki`, pods: '250', allocatableCpu: '1500m' },
    );
    const info = n.status.nodeInfo;
    assert.deepEqual(
      { osImage: info.osImage, kubeletVersion: info.kubeletVersion, containerRuntimeVersion: info.containerRuntimeVersion, os: info.operatingSystem, arch: info.architecture },
      { osImage: 'Test OS 1.0', kubeletVersion: 'v1.32.0', containerRuntimeVersion: 'cri-o://1.32.0', os: 'linux', arch: 'amd64' },
    );
    assert.match(info.machineID, /^[0-9a-f]{32}$/);
    assert.deepEqual(
      n.status.conditions.map((c: Json) => `${c.type}=${c.status}`),
      ['MemoryPressure=False', 'DiskPressure=False', 'PIDPressure=False', 'Ready=True'],
    );
    assert.equal(ready(n).reason, 'KubeletReady');
    assert.deepEqual(manager.nodeNames(), ['node-a']);
  });

  it('renews the Lease, owned by the Node, every lease period', async () => {
    launch('node-a');
    const first = await waitFor(() => lease('node-a'));
    assert.equal(first.spec.holderIdentity, 'node-a');
    assert.equal(first.spec.leaseDurationSeconds, 40);
    assert.equal(first.metadata.ownerReferences[0].uid, (await node('node-a')).metadata.uid);
    await waitFor(async () => (await lease('node-a')).spec.renewTime > first.spec.renewTime, { message: 'a renewal' });
  });

  it('registers a neverReady node NotReady and never starts its pods', async () => {
    launch('node-a', { neverReady: true });
    const n = await waitFor(async () => ready(await node('node-a')) && node('node-a'));
    assert.deepEqual({ status: ready(n).status, reason: ready(n).reason }, { status: 'False', reason: 'KubeletNotReady' });
    await createPod('p1', 'node-a');
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal((await get('/api/v1/namespaces/default/pods/p1')).status?.phase, 'Pending');
    assert.equal(ready(await node('node-a')).status, 'False', 'still NotReady after heartbeats');
  });

  it('goes Ready=Unknown notReadyAfterSeconds after it started running, and stops renewing its Lease', async () => {
    launch('node-a', { notReadyAfterSeconds: 1 });
    await waitFor(async () => ready(await node('node-a'))?.status === 'True');
    const unknown = await waitFor(async () => ready(await node('node-a'))?.status === 'Unknown' && ready(await node('node-a')), { timeoutMs: 3_000 });
    assert.deepEqual({ reason: unknown.reason, message: unknown.message }, { reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' });
    const renewTime = (await lease('node-a')).spec.renewTime;
    await new Promise((resolve) => setTimeout(resolve, 4 * LEASE_RENEW_SECONDS * 1000));
    assert.equal((await lease('node-a')).spec.renewTime, renewTime);
  });

  it('never registers a Node for a failToJoin instance, though the instance runs', async () => {
    const instance = launch('node-a', { failToJoin: true });
    await waitFor(() => cloud.get(instance.id)?.state === 'running');
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(await node('node-a'), undefined);
  });

  it('reports a pod bound to it Running and Ready, and finishes its deletion with grace 0', async () => {
    launch('node-a');
    await waitFor(async () => ready(await node('node-a'))?.status === 'True');
    // The finalizer keeps the pod after the final DELETE, so the grace-0 DELETE itself can be seen (and the
    // API server's own stand-in kubelet, which leaves pods with finalizers alone, cannot have done it).
    await createPod('p1', 'node-a', ['example.com/hold']);
    const running = await waitFor(async () => {
      const pod = await get('/api/v1/namespaces/default/pods/p1');
      return pod.status?.phase === 'Running' && pod;
    });
    assert.equal(running.status.hostIP, cloud.list()[0].privateIp);
    assert.equal(running.status.conditions.find((c: Json) => c.type === 'Ready').status, 'True');
    assert.equal(running.status.containerStatuses[0].ready, true);

    await kubeJson(kc, '/api/v1/namespaces/default/pods/p1', { method: 'DELETE', body: { gracePeriodSeconds: 30 } });
    await waitFor(async () => (await get('/api/v1/namespaces/default/pods/p1')).metadata.deletionGracePeriodSeconds === 0, { message: 'the kubelet DELETE' });
    await kubeJson(kc, '/api/v1/namespaces/default/pods/p1', { method: 'PATCH', body: { metadata: { finalizers: null } }, contentType: 'application/merge-patch+json' });
    await waitFor(async () => (await getIfExists('/api/v1/namespaces/default/pods/p1')) === undefined);
  });

  it('stops when its instance terminates, leaving the Node to the machine controller', async () => {
    const instance = launch('node-a');
    await waitFor(() => lease('node-a'));
    cloud.terminate(instance.id);
    await waitFor(() => !manager.ownsNode('node-a'));
    const renewTime = (await lease('node-a')).spec.renewTime;
    await new Promise((resolve) => setTimeout(resolve, 4 * LEASE_RENEW_SECONDS * 1000));
    assert.equal((await lease('node-a')).spec.renewTime, renewTime);
    assert.ok(await node('node-a'), 'the Node is still there');
  });

  it('resumes after a restart of the manager, keeping a cordon', async () => {
    launch('node-a');
    await waitFor(() => lease('node-a'));
    const uid = (await node('node-a')).metadata.uid;
    await manager.stop();
    await kubeJson(kc, '/api/v1/nodes/node-a', { method: 'PATCH', body: { spec: { unschedulable: true } }, contentType: 'application/merge-patch+json' });
    const renewTime = (await lease('node-a')).spec.renewTime;

    await startManager();
    await waitFor(async () => (await lease('node-a')).spec.renewTime > renewTime, { message: 'a renewal after the restart' });
    const n = await node('node-a');
    assert.equal(n.metadata.uid, uid, 'the same Node, not a new one');
    assert.equal(n.spec.unschedulable, true);
    assert.equal(ready(n).status, 'True');
  });

  afterEach(async () => {
    // Each test starts from an empty cluster: the Nodes (and, through them, Leases) and pods it left.
    for (const path of ['/api/v1/namespaces/default/pods', '/api/v1/nodes']) {
      const list = await get(path);
      for (const item of list.items) {
        if (item.metadata.finalizers) await kubeJson(kc, `${path}/${item.metadata.name}`, { method: 'PATCH', body: { metadata: { finalizers: null } }, contentType: 'application/merge-patch+json' });
        await kubeJson(kc, `${path}/${item.metadata.name}`, { method: 'DELETE', body: { gracePeriodSeconds: 0 } }).catch(() => {});
      }
    }
    await kubeJson(kc, '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases', { method: 'DELETE' });
  });

  async function createPod(name: string, nodeName: string, finalizers?: string[]): Promise<void> {
    await kubeJson(kc, '/api/v1/namespaces/default/pods', {
      method: 'POST',
      body: { apiVersion: 'v1', kind: 'Pod', metadata: { name, finalizers }, spec: { nodeName, containers: [{ name: 'app', image: 'registry.example/app:1' }] } },
    });
  }
});
