// The GCP actuator driven through the real @google-cloud/compute client (REST transport) against the Compute
// Engine wire fake of test/fakes/gcp, which also serves the OAuth token endpoint the service account key points at.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Machine, MachineSet } from '../../../api/machine-v1beta1.ts';
import { CLUSTER_ID_LABEL } from '../../../api/machine-v1beta1.ts';
import { RequeueAfter, TerminalError } from '../../../runtime/errors.ts';
import { rejectsWith, assertTransient } from '../actuator.test-util.ts';
import { GceFake, type FakeInstance } from '../../../../test/fakes/gcp/compute-server.ts';
import { GcpActuator, type GcpActuatorOptions } from './actuator.ts';
import { COMPUTE_ENDPOINT_ENV } from './client.ts';

const PROJECT = 'test-project';
const ZONE = 'us-central1-a';
const NAMESPACE = 'openshift-machine-api';
const USER_DATA = '{"ignition":{"version":"3.2.0"}}';

let fake: GceFake;
let serviceAccount: string;
let clock: number;

/** A clock the cache's freshness reads; tests move it instead of sleeping. */
function options(extra: GcpActuatorOptions = {}): GcpActuatorOptions {
  return { endpoint: fake.endpoint, batchWindowMs: 5, operationWaitMs: 2_000, operationPollMs: 1_000, now: () => clock, ...extra };
}

function defaultSecrets(): Record<string, Record<string, Buffer>> {
  return { 'gcp-cloud-credentials': { 'service_account.json': Buffer.from(serviceAccount) }, 'worker-user-data': { userData: Buffer.from(USER_DATA) } };
}

function newActuator(extra: GcpActuatorOptions = {}, secrets: Record<string, Record<string, Buffer>> = defaultSecrets()): GcpActuator {
  return new GcpActuator({ readSecret: async (ns, name) => (ns === NAMESPACE ? secrets[name] : undefined) }, options(extra));
}

/** An installer-style providerSpec (zero values included, as Go writes them). */
function providerSpec(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'machine.openshift.io/v1beta1',
    kind: 'GCPMachineProviderSpec',
    metadata: { creationTimestamp: null },
    canIPForward: false,
    deletionProtection: false,
    credentialsSecret: { name: 'gcp-cloud-credentials' },
    userDataSecret: { name: 'worker-user-data' },
    disks: [{ autoDelete: true, boot: true, image: 'projects/rhcos-cloud/global/images/rhcos-9', labels: null, sizeGb: 128, type: 'pd-ssd' }],
    machineType: 'n2-standard-4',
    networkInterfaces: [{ network: 'test-network', subnetwork: 'test-worker-subnet' }],
    projectID: PROJECT,
    region: 'us-central1',
    zone: ZONE,
    serviceAccounts: [{ email: 'test-w@test-project.iam.gserviceaccount.com', scopes: ['https://www.googleapis.com/auth/cloud-platform'] }],
    tags: ['test-worker'],
    labels: { team: 'machines' },
    gcpMetadata: [{ key: 'serial-port-enable', value: 'true' }],
    ...overrides,
  };
}

function machine(clusterID: string, name: string, spec: Record<string, unknown> = providerSpec(), uid: string = randomUUID()): Machine {
  return {
    apiVersion: 'machine.openshift.io/v1beta1',
    kind: 'Machine',
    metadata: { name, namespace: NAMESPACE, uid, labels: { [CLUSTER_ID_LABEL]: clusterID } },
    spec: { providerSpec: { value: spec as never } },
  };
}

/** The Machine as the controller would have written it after create. */
function recorded(m: Machine, providerID: string): Machine {
  return { ...m, spec: { ...m.spec, providerID }, status: { providerStatus: { instanceId: m.metadata.name } } };
}

function cluster(): string {
  return `c-${randomUUID().slice(0, 8)}`;
}

function stored(name: string): FakeInstance[] {
  return fake.instances(PROJECT, ZONE).filter((i) => i.name === name);
}

/** Polls `read` (moving the cache clock past freshness each time) until `done`, as the controller's requeues would. */
async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 3_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    clock += 60_000;
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await sleep(10);
  }
}

/** Calls `call` again while it throws RequeueAfter, as the controller would (without its wait). */
async function afterRequeues<T>(call: () => Promise<T>, attempts = 50): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await call();
    } catch (err) {
      if (!(err instanceof RequeueAfter) || i >= attempts) throw err;
    }
  }
}

const signal = () => AbortSignal.timeout(10_000);

describe('GCP actuator against the Compute Engine wire fake', function () {
  this.timeout(20_000);

  before(async function () {
    fake = await GceFake.start();
    serviceAccount = fake.serviceAccountKey(PROJECT);
    // The first client loads @google-cloud/compute's descriptors (about 2 s); done here so test timings mean something.
    clock = Date.now();
    await newActuator().exists(machine(cluster(), 'warm-up'), signal());
  });

  after(async function () {
    await fake?.close();
  });

  beforeEach(function () {
    fake.reset();
    clock = Date.now();
  });

  it('creates an instance, sees it go RUNNING, and observes its providerID, addresses, labels and metadata', async function () {
    fake.stagingMs = 300;
    const actuator = newActuator();
    const clusterID = cluster();
    const m = machine(clusterID, 'worker-a');
    assert.equal(await actuator.exists(m, signal()), false);
    const created = await actuator.create(m, signal());
    assert.equal(created.providerID, 'gce://test-project/us-central1-a/worker-a');
    assert.equal(created.instanceState, 'STAGING');

    const m2 = recorded(m, created.providerID);
    const observed = await eventually(() => actuator.update(m2, signal()), (o) => o.instanceState === 'RUNNING');
    assert.equal(observed.instanceState, 'RUNNING');
    assert.equal(await actuator.exists(m2, signal()), true);
    const internalIP = observed.addresses.find((a) => a.type === 'InternalIP')?.address ?? '';
    assert.match(internalIP, /^10\.0\.\d+\.\d+$/);
    assert.deepEqual(observed.addresses, [
      { type: 'InternalIP', address: internalIP },
      { type: 'InternalDNS', address: 'worker-a.us-central1-a.c.test-project.internal' },
      { type: 'InternalDNS', address: 'worker-a.c.test-project.internal' },
      { type: 'Hostname', address: 'worker-a' },
    ]);
    assert.deepEqual(observed.labels, { 'machine.openshift.io/instance-type': 'n2-standard-4', 'machine.openshift.io/region': 'us-central1', 'machine.openshift.io/zone': ZONE });
    assert.deepEqual(observed.providerStatus, { apiVersion: 'machine.openshift.io/v1beta1', kind: 'GCPMachineProviderStatus', instanceId: 'worker-a', instanceState: 'RUNNING' });

    const [instance] = stored('worker-a');
    assert.deepEqual(instance.labels, { team: 'machines', [`kubernetes-io-cluster-${clusterID}`]: 'owned', 'machine-uid': m.metadata.uid });
    assert.deepEqual((instance.metadata as { items: unknown[] }).items, [{ key: 'user-data', value: USER_DATA }, { key: 'serial-port-enable', value: 'true' }]);
    assert.equal(instance.machineType, 'https://www.googleapis.com/compute/v1/projects/test-project/zones/us-central1-a/machineTypes/n2-standard-4');
    assert.deepEqual((instance.tags as { items: string[] }).items, ['test-worker']);
    const [disk] = instance.disks as Record<string, unknown>[];
    assert.deepEqual([disk.boot, disk.autoDelete, disk.diskSizeGb], [true, true, '128']);
    const [nic] = instance.networkInterfaces as Record<string, unknown>[];
    assert.equal(nic.subnetwork, 'https://www.googleapis.com/compute/v1/projects/test-project/regions/us-central1/subnetworks/test-worker-subnet');
    assert.deepEqual(nic.accessConfigs, []);
    // Every call was authorised by one token from the key's token_uri.
    assert.equal(fake.tokenRequests, 1);
  });

  it('gives a public IP as an ExternalIP address and labels a Spot Machine interruptible', async function () {
    const spec = providerSpec({ networkInterfaces: [{ network: 'n', subnetwork: 's', publicIP: true }], provisioningModel: 'Spot', onHostMaintenance: 'Terminate' });
    const observed = await newActuator().create(machine(cluster(), 'worker-spot', spec), signal());
    assert.match(observed.addresses.find((a) => a.type === 'ExternalIP')?.address ?? '', /^34\.1\.\d+\.\d+$/);
    assert.equal(observed.labels?.['machine.openshift.io/interruptible-instance'], '');
    assert.deepEqual(stored('worker-spot')[0].scheduling, { onHostMaintenance: 'TERMINATE', automaticRestart: false, preemptible: false, provisioningModel: 'SPOT' });
  });

  it('finds the instance by name and machine-uid label when the Machine never recorded a providerID (crash)', async function () {
    const m = machine(cluster(), 'worker-b');
    const created = await newActuator().create(m, signal());
    const restarted = newActuator();
    fake.resetCounts();
    assert.equal(await restarted.exists(m, signal()), true);
    assert.equal((await restarted.update(m, signal())).providerID, created.providerID);
    assert.deepEqual(fake.counts(), { 'instances.list': 1 });
  });

  it('makes one instance when an insert is retried with the same requestId after a crash mid-operation', async function () {
    fake.operationMs = 600;
    const m = machine(cluster(), 'worker-c');
    await assert.rejects(newActuator({ operationWaitMs: 50 }).create(m, signal()), RequeueAfter);
    // A new process: no memory of the running operation. The repeated requestId answers it, so no 409.
    const created = await newActuator().create(m, signal());
    assert.equal(created.providerID, 'gce://test-project/us-central1-a/worker-c');
    const [first, second] = fake.requestIds('instances.insert');
    assert.equal(second, first);
    assert.match(first ?? '', /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(fake.count('instances.insert'), 2);
    assert.equal(stored('worker-c').length, 1);
  });

  it('takes an insert answered 409 as success when the instance bears the Machine UID, and waits when another Machine holds the name', async function () {
    const m = machine(cluster(), 'worker-d');
    await newActuator().create(m, signal());
    fake.forgetRequestIds();
    assert.equal((await newActuator().create(m, signal())).providerID, 'gce://test-project/us-central1-a/worker-d');

    const sameName = machine(m.metadata.labels![CLUSTER_ID_LABEL], 'worker-d');
    const actuator = newActuator();
    assert.equal(await actuator.exists(sameName, signal()), false);
    const err = await rejectsWith(actuator.create(sameName, signal()));
    assertTransient(err);
    assert.equal(err.message, `Instance name test-project/us-central1-a/worker-d is taken by the instance of another Machine (machine-uid=${m.metadata.uid}); waiting for it to be deleted`);
  });

  it('waits for the insert with zoneOperations.wait and resumes an operation that outlasts one call', async function () {
    fake.operationMs = 600;
    const m = machine(cluster(), 'worker-e');
    const actuator = newActuator({ operationWaitMs: 100 });
    const waiting = await rejectsWith(actuator.create(m, signal()));
    assert.ok(waiting instanceof RequeueAfter, String(waiting));
    assert.equal(waiting.afterMs, 1_000);
    assert.match(waiting.message, /^Waiting for GCE operation operation-\S+ \(insert of instance test-project\/us-central1-a\/worker-e\): (PENDING|RUNNING)$/);
    const created = await afterRequeues(() => actuator.create(m, signal()));
    assert.equal(created.providerID, 'gce://test-project/us-central1-a/worker-e');
    assert.equal(fake.count('instances.insert'), 1);
    assert.equal(fake.count('zoneOperations.get'), 0);
    assert.ok(fake.count('zoneOperations.wait') >= 2);
  });

  it('deletes the instance, waits for the operation and resolves once GCE answers 404', async function () {
    const actuator = newActuator();
    const m = machine(cluster(), 'worker-f');
    const m2 = recorded(m, (await actuator.create(m, signal())).providerID);
    fake.resetCounts();
    await actuator.delete(m2, signal());
    assert.deepEqual(fake.counts(), { 'instances.list': 1, 'instances.delete': 1, 'zoneOperations.wait': 1, 'instances.get': 1 });
    assert.deepEqual(stored('worker-f'), []);
    clock += 60_000;
    assert.equal(await actuator.exists(m2, signal()), false);
  });

  it('asks to be called again while a delete operation runs, then resolves without a second delete', async function () {
    const m = machine(cluster(), 'worker-g');
    await newActuator().create(m, signal());
    fake.operationMs = 600;
    const actuator = newActuator({ operationWaitMs: 100 });
    await assert.rejects(actuator.delete(m, signal()), RequeueAfter);
    assert.equal(stored('worker-g')[0].status, 'STOPPING');
    await afterRequeues(() => actuator.delete(m, signal()));
    assert.equal(fake.count('instances.delete'), 1);
    assert.deepEqual(stored('worker-g'), []);
  });

  it('deletes a Machine that never got an instance with one list, and never deletes another Machine\'s instance of the same name', async function () {
    const clusterID = cluster();
    await newActuator().delete(machine(clusterID, 'worker-h'), signal());
    assert.deepEqual(fake.counts(), { 'instances.list': 1 });

    const owner = machine(clusterID, 'worker-i');
    await newActuator().create(owner, signal());
    await newActuator().delete(machine(clusterID, 'worker-i'), signal());
    assert.equal(fake.count('instances.delete'), 0);
    assert.equal(stored('worker-i').length, 1);
  });

  it('reports deletion protection as an error naming deletionProtection and keeps the instance', async function () {
    const m = machine(cluster(), 'worker-j', providerSpec({ deletionProtection: true }));
    const actuator = newActuator();
    await actuator.create(m, signal());
    const err = await rejectsWith(actuator.delete(m, signal()));
    assert.ok(err instanceof TerminalError, String(err));
    assert.match(err.message, /^spec\.providerSpec\.value\.deletionProtection: GCE rejected instances\.delete \(HTTP 400\): Invalid resource usage/);
    assert.equal(stored('worker-j').length, 1);
  });

  const invalid: ReadonlyArray<{ name: string; spec: Record<string, unknown>; message: string }> = [
    { name: 'an unknown machine type', spec: { machineType: 'n9-huge' }, message: "spec.providerSpec.value.machineType: GCE rejected instances.insert (HTTP 400): Invalid value for field 'resource.machineType': 'zones/us-central1-a/machineTypes/n9-huge'. Machine type with name 'n9-huge' does not exist in zone 'us-central1-a'." },
    { name: 'an unknown image', spec: { disks: [{ boot: true, autoDelete: true, image: 'rhcos-nope' }] }, message: "spec.providerSpec.value.disks[0].image: GCE rejected instances.insert (HTTP 404): The resource 'projects/test-project/global/images/rhcos-nope' was not found" },
    { name: 'a zone that does not exist', spec: { zone: 'us-central1-q' }, message: "spec.providerSpec.value.zone: GCE rejected instances.list (HTTP 404): The resource 'projects/test-project/zones/us-central1-q' was not found" },
    { name: 'a project that does not exist', spec: { projectID: 'no-such-project' }, message: "spec.providerSpec.value.projectID: GCE rejected instances.list (HTTP 404): The resource 'projects/no-such-project' was not found" },
  ];
  for (const { name, spec, message } of invalid) {
    it(`fails with InvalidConfiguration naming the field for ${name}`, async function () {
      const actuator = newActuator();
      const m = machine(cluster(), 'worker-x', providerSpec(spec));
      const err = await rejectsWith((async () => (await actuator.exists(m, signal())) || actuator.create(m, signal()))());
      assert.ok(err instanceof TerminalError, String(err));
      assert.equal(err.reason, 'InvalidConfiguration');
      assert.equal(err.message, message);
    });
  }

  it('rejects an invalid providerSpec before calling GCE', async function () {
    const err = await rejectsWith(newActuator().exists(machine('c', 'worker-y', providerSpec({ zone: 'us-east1-b', gpus: [{ count: 1, type: 'nvidia-tesla-t4' }], machineType: 'n1-standard-4' })), signal()));
    assert.ok(err instanceof TerminalError);
    assert.equal(err.message, '[spec.providerSpec.value.zone: Invalid value: "us-east1-b": zone not in configured region (us-central1), spec.providerSpec.value.onHostMaintenance: Required value: must be Terminate for an instance with GPUs]');
    assert.equal(fake.total() + fake.tokenRequests, 0);
  });

  it('reports a missing credentials Secret as a transient error that names it, and never shows the key', async function () {
    const missing = await rejectsWith(newActuator({}, {}).exists(machine('c', 'worker-z'), signal()));
    assertTransient(missing);
    assert.equal(missing.message, 'spec.providerSpec.value.credentialsSecret: Secret openshift-machine-api/gcp-cloud-credentials not found; waiting for it to be created');
    const broken = await rejectsWith(newActuator({}, { 'gcp-cloud-credentials': { 'service_account.json': Buffer.from(serviceAccount.replace('"service_account"', '"authorized_user"')) } }).exists(machine('c', 'worker-z'), signal()));
    assertTransient(broken);
    assert.equal(broken.message, 'spec.providerSpec.value.credentialsSecret: Secret openshift-machine-api/gcp-cloud-credentials key "service_account.json": type "authorized_user" is not supported; give a service account key ("type": "service_account")');
    assert.ok(!broken.message.includes('PRIVATE KEY'));
  });

  it('gets a new token after GCE answers 401 for a revoked one', async function () {
    const actuator = newActuator();
    const m = machine(cluster(), 'worker-tok');
    assert.equal(await actuator.exists(m, signal()), false);
    fake.revokeTokens();
    clock += 60_000;
    const err = await rejectsWith(actuator.exists(m, signal()));
    assertTransient(err);
    assert.match(err.message, /^GCE rejected the credentials on instances\.list \(HTTP 401\): .*; check the credentials Secret and the service account's roles$/);
    clock += 60_000;
    assert.equal(await actuator.exists(m, signal()), false);
    assert.equal(fake.tokenRequests, 2);
  });

  const httpFaults: ReadonlyArray<{ fault: 'rateLimitExceeded' | 'backendError' | 'forbidden'; method: 'instances.insert' | 'instances.list'; message: RegExp }> = [
    { fault: 'rateLimitExceeded', method: 'instances.insert', message: /^GCE throttled the request \(HTTP 429\) on instances\.insert: Rate Limit Exceeded; retrying$/ },
    { fault: 'backendError', method: 'instances.list', message: /^GCE instances\.list failed \(HTTP 500\): Internal error\. .*; retrying$/ },
    { fault: 'forbidden', method: 'instances.insert', message: /^GCE rejected the credentials on instances\.insert \(HTTP 403\): Required 'compute\.instances\.create' permission/ },
  ];
  for (const { fault, method, message } of httpFaults) {
    it(`treats ${fault} on ${method} as transient, then succeeds with one instance`, async function () {
      const m = machine(cluster(), 'worker-t');
      const actuator = newActuator();
      fake.failNext(method, fault);
      const err = await rejectsWith(method === 'instances.insert' ? actuator.create(m, signal()) : actuator.exists(m, signal()));
      assertTransient(err);
      assert.match(err.message, message);
      await actuator.create(m, signal());
      assert.equal(stored('worker-t').length, 1);
    });
  }

  const operationFaults: ReadonlyArray<{ fault: 'QUOTA_EXCEEDED' | 'ZONE_RESOURCE_POOL_EXHAUSTED'; message: RegExp }> = [
    { fault: 'QUOTA_EXCEEDED', message: /^GCE quota reached on instances\.insert \(operation operation-\S+\) \(QUOTA_EXCEEDED\): Quota 'CPUS' exceeded\..*; retrying \(raise the quota\)$/ },
    { fault: 'ZONE_RESOURCE_POOL_EXHAUSTED', message: /^GCE has no capacity for instances\.insert \(operation operation-\S+\) \(ZONE_RESOURCE_POOL_EXHAUSTED\): The zone .*; retrying$/ },
  ];
  for (const { fault, message } of operationFaults) {
    it(`treats a ${fault} operation as transient and retries with a new requestId`, async function () {
      const m = machine(cluster(), 'worker-q');
      const actuator = newActuator();
      fake.failNextOperation('instances.insert', fault);
      const err = await rejectsWith(actuator.create(m, signal()));
      assertTransient(err);
      assert.match(err.message, message);
      const created = await actuator.create(m, signal());
      assert.equal(created.providerID, 'gce://test-project/us-central1-a/worker-q');
      const [failed, retried] = fake.requestIds('instances.insert');
      assert.notEqual(retried, failed);
      assert.equal(stored('worker-q').length, 1);
    });
  }

  it('fails on an operation that finds the spec invalid, naming the field', async function () {
    fake.failNextOperation('instances.insert', 'INVALID_FIELD_VALUE');
    const err = await rejectsWith(newActuator().create(machine(cluster(), 'worker-v'), signal()));
    assert.ok(err instanceof TerminalError, String(err));
    assert.match(err.message, /^spec\.providerSpec\.value\.disks\[0\]\.type: GCE rejected instances\.insert \(operation operation-\S+\) \(INVALID_FIELD_VALUE\): Invalid value for field 'resource\.disks\[0\]\.initializeParams\.diskType'/);
  });

  it('answers many concurrent exists and update calls with one instances.list', async function () {
    const clusterID = cluster();
    const machines = Array.from({ length: 8 }, (_, i) => machine(clusterID, `worker-batch-${i}`));
    const creator = newActuator();
    await Promise.all(machines.map((m) => creator.create(m, signal())));
    const actuator = newActuator({ batchWindowMs: 50 });
    fake.resetCounts();
    assert.deepEqual(await Promise.all(machines.map((m) => actuator.exists(m, signal()))), machines.map(() => true));
    const observed = await Promise.all(machines.map((m) => actuator.update(m, signal())));
    assert.equal(new Set(observed.map((o) => o.providerID)).size, machines.length);
    assert.deepEqual(fake.counts(), { 'instances.list': 1 });
  });

  it('counts the Compute calls of a MachineSet from create to RUNNING, for a resync, and for delete', async function () {
    const clusterID = cluster();
    const actuator = newActuator();
    const machines = Array.from({ length: 3 }, (_, i) => machine(clusterID, `worker-count-${i}`));
    // Reconcile 1 of each Machine: exists (false), then create.
    assert.deepEqual(await Promise.all(machines.map((m) => actuator.exists(m, signal()))), [false, false, false]);
    const created = await Promise.all(machines.map((m) => actuator.create(m, signal())));
    assert.deepEqual(fake.counts(), { 'instances.list': 1, 'instances.insert': 3, 'zoneOperations.wait': 3, 'instances.get': 3 });
    // Later reconciles of all three (exists + update) until every one is RUNNING: one list per round.
    const recordedMachines = machines.map((m, i) => recorded(m, created[i].providerID));
    const reconcileAll = () => Promise.all(recordedMachines.map(async (m) => (await actuator.exists(m, signal())) && (await actuator.update(m, signal())).instanceState));
    fake.resetCounts();
    const states = await eventually(reconcileAll, (s) => s.every((state) => state === 'RUNNING'));
    assert.deepEqual(states, ['RUNNING', 'RUNNING', 'RUNNING']);
    assert.deepEqual(Object.keys(fake.counts()), ['instances.list']);
    // A resync 10 minutes later reconciles every Machine again: one call for all of them.
    clock += 600_000;
    fake.resetCounts();
    await reconcileAll();
    assert.deepEqual(fake.counts(), { 'instances.list': 1 });
    // Scale to zero: one shared fresh list, then delete, wait and a confirming get per Machine.
    fake.resetCounts();
    await Promise.all(recordedMachines.map((m) => actuator.delete(m, signal())));
    assert.deepEqual(fake.counts(), { 'instances.list': 1, 'instances.delete': 3, 'zoneOperations.wait': 3, 'instances.get': 3 });
  });

  it(`honours ${COMPUTE_ENDPOINT_ENV} when no endpoint option is given`, async function () {
    const saved = process.env[COMPUTE_ENDPOINT_ENV];
    process.env[COMPUTE_ENDPOINT_ENV] = fake.endpoint;
    try {
      const actuator = new GcpActuator({ readSecret: async (_ns, name) => defaultSecrets()[name] }, { batchWindowMs: 5 });
      assert.equal(await actuator.exists(machine(cluster(), 'worker-env'), signal()), false);
      assert.deepEqual(fake.counts(), { 'instances.list': 1 });
    } finally {
      if (saved === undefined) delete process.env[COMPUTE_ENDPOINT_ENV];
      else process.env[COMPUTE_ENDPOINT_ENV] = saved;
    }
  });

  it('gives the capacity of a MachineSet template machine type from machineTypes.get, once', async function () {
    const actuator = newActuator();
    const ms = (spec: Record<string, unknown>): MachineSet => ({ metadata: { name: 'workers', namespace: NAMESPACE }, spec: { template: { spec: { providerSpec: { value: providerSpec(spec) as never } } } } });
    const a2 = ms({ machineType: 'a2-highgpu-1g', onHostMaintenance: 'Terminate' });
    assert.deepEqual(await actuator.instanceTypeCapacity(a2, signal()), { vCPU: 12, memoryMb: 87040, GPU: 1 });
    assert.deepEqual(await actuator.instanceTypeCapacity(a2, signal()), { vCPU: 12, memoryMb: 87040, GPU: 1 });
    assert.deepEqual(await actuator.instanceTypeCapacity(ms({ machineType: 'n1-standard-4', gpus: [{ count: 2, type: 'nvidia-tesla-t4' }], onHostMaintenance: 'Terminate' }), signal()), { vCPU: 4, memoryMb: 15360, GPU: 2 });
    assert.equal(await actuator.instanceTypeCapacity(ms({ machineType: 'n2-standard-96' }), signal()), undefined);
    assert.equal(fake.count('machineTypes.get'), 3);
  });
});
