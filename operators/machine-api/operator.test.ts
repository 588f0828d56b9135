// The assembled operator against the embedded API server: two replicas on one Lease (exactly one reconciles, the
// other takes over when it stops), the HTTP endpoints, and the Secret reader providers get.
import assert from 'node:assert/strict';
import { MACHINE_SET_LABEL, type Machine } from '../api/machine-v1beta1.ts';
import { kubeJson } from '../runtime/kube-http.ts';
import { resourcePath } from '../runtime/resource-client.ts';
import { waitFor } from '../runtime/wait.ts';
import { MACHINE_SETS, MACHINES } from './context.ts';
import { startMachineApiTestCluster, type MachineApiTestCluster } from './integration.test-util.ts';
import { buildMachineApiOperator, LEADER_ELECTION_LEASE_NAME, secretReader, type MachineApiOperator } from './operator.ts';

const FAST_ELECTION = { leaseDurationMs: 2_000, renewDeadlineMs: 1_500, retryPeriodMs: 200 };

describe('Machine API operator', function () {
  this.timeout(20_000);
  let cluster: MachineApiTestCluster;
  let ns: string;
  const running: Array<{ stop: AbortController; done: Promise<void> }> = [];

  before(async () => {
    cluster = await startMachineApiTestCluster();
  });
  after(async () => {
    await cluster?.stop();
  });
  beforeEach(async () => {
    ns = await cluster.namespace();
  });
  afterEach(async () => {
    for (const r of running.splice(0)) {
      r.stop.abort();
      await r.done.catch(() => {});
    }
  });

  function startReplica(identity: string): MachineApiOperator & { stop: () => Promise<void> } {
    const operator = buildMachineApiOperator(cluster.kc, {
      namespace: ns,
      providers: [],
      metricsPort: 0,
      leaderElection: { identity, ...FAST_ELECTION },
      onLeadershipLost: () => assert.fail(`${identity} lost the lease`),
    });
    const stop = new AbortController();
    const done = operator.manager.start(stop.signal);
    running.push({ stop, done });
    return { ...operator, stop: async () => { stop.abort(); await done; } };
  }
  const holder = async () =>
    (await kubeJson<{ spec: { holderIdentity?: string } }>(cluster.kc, `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases/${LEADER_ELECTION_LEASE_NAME}`)).spec.holderIdentity;

  it('runs the controllers on exactly one of two replicas, and hands over when the leader stops', async () => {
    const a = startReplica('replica-a');
    const b = startReplica('replica-b');
    const leader = await waitFor(() => (a.manager.leading ? a : b.manager.leading ? b : undefined), { message: 'a leader' });
    const standby = leader === a ? b : a;
    assert.equal(standby.manager.leading, false);
    assert.equal(await holder(), leader === a ? 'replica-a' : 'replica-b');

    // Both replicas see the MachineSet; only the leader acts, so exactly one Machine is made.
    const labels = { [MACHINE_SET_LABEL]: 'workers' };
    await kubeJson(cluster.kc, resourcePath(MACHINE_SETS, ns), {
      method: 'POST',
      body: { metadata: { name: 'workers' }, spec: { replicas: 1, selector: { matchLabels: labels }, template: { metadata: { labels } } } },
    });
    const machines = async () => (await kubeJson<{ items: Machine[] }>(cluster.kc, resourcePath(MACHINES, ns))).items;
    await waitFor(async () => (await machines()).length === 1, { message: 'one Machine' });

    // The standby keeps its caches warm and is ready, so a rollout can proceed while it waits.
    const readyz = await fetch(`${standby.manager.url}/readyz`);
    assert.equal(readyz.status, 200);

    const started = performance.now();
    await leader.stop();
    await waitFor(() => standby.manager.leading, { timeoutMs: 3_000, message: 'the standby to take over' });
    // Released on a clean stop, so the takeover does not wait out the lease duration.
    assert.ok(performance.now() - started < FAST_ELECTION.leaseDurationMs, 'takeover within the lease duration');
    assert.equal(await holder(), standby === a ? 'replica-a' : 'replica-b');
    assert.equal((await machines()).length, 1);
  });

  it('serves /healthz, /readyz and /metrics with the mapi_* and controller metrics', async () => {
    const replica = startReplica('solo');
    await waitFor(() => replica.manager.leading);
    await waitFor(async () => (await fetch(`${replica.manager.url}/readyz`)).status === 200, { message: '/readyz' });
    assert.equal((await fetch(`${replica.manager.url}/healthz`)).status, 200);
    const metrics = await (await fetch(`${replica.manager.url}/metrics`)).text();
    for (const name of ['mapi_machineset_items 0', 'mapi_machine_items 0', 'controller_runtime_max_concurrent_reconciles{controller="machineset-controller"}', 'leader_election_master_status{name="machine-api-operator"} 1']) {
      assert.ok(metrics.includes(name), `${name} in /metrics`);
    }
  });

  it('gives providers Secrets decoded from base64, and undefined for a missing one', async () => {
    const replica = startReplica('secrets');
    await kubeJson(cluster.kc, `/api/v1/namespaces/${ns}/secrets`, { method: 'POST', body: { metadata: { name: 'creds' }, data: { key: Buffer.from('s3cr3t').toString('base64') } } });
    const deps = secretReader(replica.context.client);
    const secret = await deps.readSecret(ns, 'creds', AbortSignal.timeout(5_000));
    assert.equal(secret?.key.toString(), 's3cr3t');
    assert.equal(await deps.readSecret(ns, 'missing', AbortSignal.timeout(5_000)), undefined);
  });
});
