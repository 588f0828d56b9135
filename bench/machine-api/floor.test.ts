// The floors against the embedded API server: each ends with every Machine Running with a nodeRef, and the
// contract floor leaves what OpenShift's contract asks for (providerID, instance labels, the Node's machine
// annotation, the kubelet's Lease, the Created Event), so the figure it gives is for the real work.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { MACHINE_API_NAMESPACE, NODE_MACHINE_ANNOTATION, type Machine } from '../../operators/api/machine-v1beta1.ts';
import { kubeJson } from '../../operators/runtime/kube-http.ts';
import type { Node } from '../../operators/machine-api/node.ts';
import { startApiServer, type ApiServerHandle } from '../../devcluster/apiserver/index.ts';
import { applyMachineApiCrds } from '../../devcluster/cluster.ts';
import { FLOOR_REQUESTS_PER_MACHINE, runFloor } from './floor.ts';
import { isRunningWithNode, MACHINES_PATH } from './machine-set.ts';

interface List<T> {
  readonly items: T[];
}

describe('Machine API bench floors', function () {
  this.timeout(20_000);
  let dataDir: string;
  let server: ApiServerHandle;
  let kc: KubeConfig;

  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'bench-floor-'));
    server = await startApiServer({ dataDir, port: 0 });
    kc = new KubeConfig();
    kc.loadFromFile(server.kubeconfigPath);
    await applyMachineApiCrds(kc);
    await kubeJson(kc, '/api/v1/namespaces', { method: 'POST', body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: MACHINE_API_NAMESPACE } } });
  });
  afterEach(async () => {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const list = async <T>(path: string): Promise<T[]> => (await kubeJson<List<T>>(kc, path)).items;

  it('bare: every Machine Running with a nodeRef, 3 requests each', async () => {
    const run = await runFloor(kc, 4, 'bare');
    assert.equal(run.requests, 4 * FLOOR_REQUESTS_PER_MACHINE.bare);
    assert.equal(run.perMachineMs.length, 4);
    const machines = await list<Machine>(MACHINES_PATH);
    assert.equal(machines.length, 4);
    assert.ok(machines.every(isRunningWithNode));
  });

  it('contract: Running, linked both ways, with the Lease and the Created Event, 8 requests each', async () => {
    const run = await runFloor(kc, 4, 'contract');
    assert.equal(run.requests, 4 * FLOOR_REQUESTS_PER_MACHINE.contract);
    const machines = await list<Machine>(MACHINES_PATH);
    assert.equal(machines.length, 4);
    for (const machine of machines) {
      const name = machine.metadata.name ?? '';
      assert.ok(isRunningWithNode(machine), `${name} is ${machine.status?.phase}`);
      assert.equal(machine.spec?.providerID, `local:///${name}`);
      assert.equal(machine.metadata.labels?.['machine.openshift.io/instance-type'], 'local.medium');
      assert.equal(machine.metadata.annotations?.['machine.openshift.io/instance-state'], 'running');
      assert.ok(machine.status?.providerStatus, 'providerStatus written with Provisioned');
    }
    const nodes = await list<Node>('/api/v1/nodes');
    assert.deepEqual(
      nodes.map((n) => n.metadata?.annotations?.[NODE_MACHINE_ANNOTATION]).sort(),
      machines.map((m) => `${MACHINE_API_NAMESPACE}/${m.metadata.name}`).sort(),
    );
    assert.ok(nodes.every((n) => n.metadata?.labels?.['node-role.kubernetes.io/worker'] === ''));
    assert.equal((await list(`/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases`)).length, 4);
    const events = await list<{ reason: string; message: string }>(`/api/v1/namespaces/${MACHINE_API_NAMESPACE}/events`);
    assert.deepEqual(events.map((e) => e.message).sort(), machines.map((m) => `Created Machine ${m.metadata.name}`).sort());
  });
});
