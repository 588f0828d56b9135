// The Azure actuator with the real @azure/arm-compute, @azure/arm-network and @azure/identity clients against the
// ARM wire fake of test/fakes/azure (HTTPS with a throwaway CA, tokens from its Entra ID endpoint, asynchronous
// operations, fault injection and call counts).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Machine, MachineSet } from '../../../api/machine-v1beta1.ts';
import { CLUSTER_ID_LABEL } from '../../../api/machine-v1beta1.ts';
import { RequeueAfter, TerminalError } from '../../../runtime/errors.ts';
import { rejectsWith, assertTransient } from '../actuator.test-util.ts';
import { ARM_FAULTS, AzureArmFake } from '../../../../test/fakes/azure/arm-server.ts';
import { AzureActuator, type AzureActuatorOptions } from './actuator.ts';
import { ARM_ENDPOINT_ENV } from './client.ts';
import { MACHINE_UID_TAG } from './resources.ts';

const SUB = '0b1f6471-1bf0-4dda-aec3-cb9272f09590';
const RG = 'mycluster-x7k2p-rg';
const CLUSTER = 'mycluster-x7k2p';
const NAMESPACE = 'openshift-machine-api';
const USER_DATA = '{"ignition":{"version":"3.2.0"}}';
const SUBNET_ID = `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Network/virtualNetworks/mycluster-vnet/subnets/mycluster-worker-subnet`;
const LB_ID = `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Network/loadBalancers/${CLUSTER}`;

let fake: AzureArmFake;
let clock: number;

function secrets(): Record<string, Record<string, Buffer>> {
  const p = fake.principal;
  return {
    'azure-cloud-credentials': {
      azure_client_id: Buffer.from(p.clientId), azure_client_secret: Buffer.from(p.clientSecret), azure_tenant_id: Buffer.from(p.tenantId),
      azure_subscription_id: Buffer.from(SUB), azure_resourcegroup: Buffer.from(RG), azure_region: Buffer.from('eastus'),
    },
    'worker-user-data': { userData: Buffer.from(USER_DATA) },
  };
}

/** Tests move `clock` (the cache's freshness) instead of sleeping. */
function newActuator(extra: AzureActuatorOptions = {}, secretData: Record<string, Record<string, Buffer>> = secrets()): AzureActuator {
  return new AzureActuator(
    { readSecret: async (ns, name) => (ns === NAMESPACE ? secretData[name] : undefined) },
    { endpoint: fake.endpoint, authorityHost: fake.endpoint, caCertificates: fake.caPem, batchWindowMs: 5, lroPollIntervalMs: 1, provisionPollMs: 1_000, deletePollMs: 1_000, now: () => clock, ...extra },
  );
}

/** What openshift-install writes for a worker MachineSet on Azure (zero values included). */
function providerSpec(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'machine.openshift.io/v1beta1',
    kind: 'AzureMachineProviderSpec',
    metadata: { creationTimestamp: null },
    credentialsSecret: { name: 'azure-cloud-credentials', namespace: NAMESPACE },
    userDataSecret: { name: 'worker-user-data' },
    image: { offer: '', publisher: '', resourceID: `/resourceGroups/${RG}/providers/Microsoft.Compute/galleries/gallery_mycluster/images/mycluster-gen2/versions/latest`, sku: '', version: '' },
    location: 'eastus',
    vmSize: 'Standard_D4s_v3',
    osDisk: { diskSettings: {}, diskSizeGB: 128, managedDisk: { securityProfile: { diskEncryptionSet: {} }, storageAccountType: 'Premium_LRS' }, osType: 'Linux' },
    diagnostics: {},
    networkResourceGroup: RG,
    resourceGroup: RG,
    publicIP: false,
    publicLoadBalancer: CLUSTER,
    securityProfile: { settings: {} },
    subnet: 'mycluster-worker-subnet',
    vnet: 'mycluster-vnet',
    zone: '1',
    tags: { team: 'machines' },
    ...overrides,
  };
}

function machine(name: string, spec: Record<string, unknown> = providerSpec(), uid: string = randomUUID()): Machine {
  return {
    apiVersion: 'machine.openshift.io/v1beta1',
    kind: 'Machine',
    metadata: { name, namespace: NAMESPACE, uid, labels: { [CLUSTER_ID_LABEL]: CLUSTER } },
    spec: { providerSpec: { value: spec as never } },
  };
}

/** The Machine as the controller has it once the VM was observed provisioned. */
function provisioned(m: Machine, providerID: string): Machine {
  return { ...m, spec: { ...m.spec, providerID }, status: { phase: 'Provisioned' } };
}

function vmId(name: string): string {
  return `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Compute/virtualMachines/${name}`;
}

function resourceNamesIn(type: string): string[] {
  return fake.list(type, RG).map((id) => id.slice(id.lastIndexOf('/') + 1)).sort();
}

/** Runs one Machine to a provisioned VM the way the controller does: create, then exists+update once it is done. */
async function provision(actuator: AzureActuator, m: Machine): Promise<Machine> {
  await actuator.create(m, signal());
  clock += 10_000;
  assert.equal(await actuator.exists(m, signal()), true);
  const observed = await actuator.update(m, signal());
  return provisioned(m, observed.providerID);
}

const signal = () => AbortSignal.timeout(15_000);

async function waitUntil(done: () => boolean): Promise<void> {
  while (!done()) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('Azure actuator against the ARM wire fake', function () {
  this.timeout(20_000);

  before(async function () {
    fake = await AzureArmFake.start();
    fake.seed(SUBNET_ID, { location: 'eastus', properties: { addressPrefix: '10.0.1.0/24' } });
    fake.seed(LB_ID, { location: 'eastus', properties: { backendAddressPools: [{ id: `${LB_ID}/backendAddressPools/${CLUSTER}`, name: CLUSTER }] } });
  });

  after(async function () {
    await fake?.close();
  });

  beforeEach(function () {
    fake.reset();
    clock = Date.now();
  });

  it('creates the NIC then the VM, and observes the VM once it has provisioned', async function () {
    const actuator = newActuator();
    const m = machine('mycluster-x7k2p-worker-a');
    assert.equal(await actuator.exists(m, signal()), false);
    const created = await actuator.create(m, signal());
    // Until the VM has Succeeded the Machine gets no providerID and no addresses (see actuator.ts).
    assert.deepEqual({ providerID: created.providerID, addresses: created.addresses, instanceState: created.instanceState }, { providerID: '', addresses: [], instanceState: 'Creating' });
    const puts = fake.calls().filter((c) => c.startsWith('PUT '));
    assert.deepEqual(puts, ['PUT networkInterfaces', 'PUT virtualMachines']);
    const nicRead = fake.calls().indexOf('GET networkInterfaces');
    assert.ok(nicRead >= 0 && nicRead < fake.calls().indexOf('PUT virtualMachines'), 'the NIC is seen provisioned before the VM PUT');

    clock += 10_000;
    assert.equal(await actuator.exists(m, signal()), true);
    const observed = await actuator.update(m, signal());
    assert.equal(observed.providerID, `azure:///subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Compute/virtualMachines/mycluster-x7k2p-worker-a`);
    assert.equal(observed.instanceState, 'Running');
    assert.deepEqual(observed.providerStatus, { apiVersion: 'machine.openshift.io/v1beta1', kind: 'AzureMachineProviderStatus', vmId: vmId('mycluster-x7k2p-worker-a'), vmState: 'Running' });
    assert.deepEqual(observed.addresses.map((a) => a.type), ['Hostname', 'InternalDNS', 'InternalIP']);
    assert.match(observed.addresses[2].address, /^10\.0\.1\.\d+$/);
    assert.deepEqual(observed.labels, { 'machine.openshift.io/instance-type': 'Standard_D4s_v3', 'machine.openshift.io/region': 'eastus', 'machine.openshift.io/zone': '1' });

    const vm = fake.get(vmId('mycluster-x7k2p-worker-a'))!;
    const props = vm.properties as Record<string, any>;
    assert.deepEqual(vm.tags, { team: 'machines', [`kubernetes.io-cluster-${CLUSTER}`]: 'owned', [MACHINE_UID_TAG]: m.metadata.uid });
    assert.equal(Buffer.from(props.osProfile.customData, 'base64').toString('utf8'), USER_DATA);
    assert.equal(props.storageProfile.osDisk.name, 'mycluster-x7k2p-worker-a_OSDisk');
    assert.equal(props.storageProfile.imageReference.id, `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Compute/galleries/gallery_mycluster/images/mycluster-gen2/versions/latest`);
    assert.deepEqual(vm.zones, ['1']);
    const nic = fake.get(`/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Network/networkInterfaces/mycluster-x7k2p-worker-a-nic`)!;
    const config = (nic.properties as Record<string, any>).ipConfigurations[0].properties;
    assert.equal(config.subnet.id, SUBNET_ID);
    assert.deepEqual(config.loadBalancerBackendAddressPools, [{ id: `${LB_ID}/backendAddressPools/${CLUSTER}` }]);
  });

  it('reads a NIC that is still provisioning again until it has, and only then PUTs the VM', async function () {
    const actuator = newActuator({ lroPollIntervalMs: 20 });
    fake.hold({ type: 'networkInterfaces' });
    const creating = actuator.create(machine('mycluster-x7k2p-worker-n'), signal());
    await waitUntil(() => fake.count('GET networkInterfaces') >= 2);
    assert.equal(fake.count('PUT virtualMachines'), 0, 'no VM PUT while the NIC is Creating');
    fake.release();
    await creating;
    assert.deepEqual([fake.count('PUT networkInterfaces'), fake.count('GET operations'), fake.count('PUT virtualMachines')], [1, 0, 1]);
  });

  it('reports the NIC operation\'s own error when the NIC ends provisioning Failed', async function () {
    fake.failNextOperation({ method: 'PUT', type: 'networkInterfaces' }, { code: 'InternalServerError', message: 'An error occurred while creating the network interface.' });
    const err = await rejectsWith(newActuator().create(machine('mycluster-x7k2p-worker-f'), signal()));
    assertTransient(err);
    assert.equal(err.message, 'Azure PUT networkInterfaces/mycluster-x7k2p-worker-f-nic failed (InternalServerError): An error occurred while creating the network interface.; retrying');
    assert.equal(fake.count('PUT virtualMachines'), 0);
  });

  it('asks to be requeued while the VM is still Creating', async function () {
    const actuator = newActuator();
    const m = machine('mycluster-x7k2p-worker-b');
    fake.hold({ type: 'virtualMachines' });
    await actuator.create(m, signal());
    clock += 10_000;
    assert.equal(await actuator.exists(m, signal()), true);
    const waiting = await rejectsWith(actuator.update(m, signal()));
    assert.ok(waiting instanceof RequeueAfter, String(waiting));
    assert.equal(waiting.afterMs, 1_000);
    assert.equal(waiting.message, 'Waiting for VM mycluster-x7k2p-worker-b to provision (Creating)');
    fake.release();
    clock += 10_000;
    assert.equal((await actuator.update(m, signal())).instanceState, 'Running');
  });

  it('finds the VM by its name and uid tag when the Machine never recorded it (crash before the status write)', async function () {
    const m = machine('mycluster-x7k2p-worker-c');
    await newActuator().create(m, signal());
    const restarted = newActuator();
    assert.equal(await restarted.exists(m, signal()), true);
    assert.equal((await restarted.update(m, signal())).providerID, `azure:///subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Compute/virtualMachines/mycluster-x7k2p-worker-c`);
    // A namesake Machine (another UID) does not adopt it.
    const err = await rejectsWith(newActuator().exists(machine('mycluster-x7k2p-worker-c'), signal()));
    assertTransient(err);
    assert.match(err.message, /^VM mycluster-x7k2p-worker-c in resource group mycluster-x7k2p-rg belongs to another Machine \(tag machine-uid=/);
  });

  it('converges on one NIC and one VM when create is retried after the VM PUT failed', async function () {
    const m = machine('mycluster-x7k2p-worker-d');
    fake.failNext({ method: 'PUT', type: 'virtualMachines' }, ARM_FAULTS.InternalServerError);
    assertTransient(await rejectsWith(newActuator().create(m, signal())));
    assert.deepEqual(resourceNamesIn('networkInterfaces').filter((n) => n.includes('worker-d')), ['mycluster-x7k2p-worker-d-nic']);
    await newActuator().create(m, signal());
    // Once the VM exists, a repeated create PUTs nothing.
    await newActuator().create(m, signal());
    assert.equal(fake.count('PUT networkInterfaces'), 2);
    assert.equal(fake.count('PUT virtualMachines'), 2);
    assert.deepEqual(resourceNamesIn('networkInterfaces').filter((n) => n.includes('worker-d')), ['mycluster-x7k2p-worker-d-nic']);
    assert.deepEqual(resourceNamesIn('virtualMachines').filter((n) => n.includes('worker-d')), ['mycluster-x7k2p-worker-d']);
  });

  it('deletes the VM, then the NIC and the OS disk, and resolves only once they are gone', async function () {
    const actuator = newActuator();
    const m = await provision(actuator, machine('mycluster-x7k2p-worker-e'));
    assert.deepEqual(resourceNamesIn('disks').filter((n) => n.includes('worker-e')), ['mycluster-x7k2p-worker-e_OSDisk']);
    fake.resetCounts();
    fake.hold({ type: 'virtualMachines' });
    const waiting = await rejectsWith(actuator.delete(m, signal()));
    assert.ok(waiting instanceof RequeueAfter, String(waiting));
    assert.equal(waiting.message, 'Waiting for VM mycluster-x7k2p-worker-e to be deleted');
    await assert.rejects(actuator.delete(m, signal()), RequeueAfter); // still Deleting: no second DELETE
    assert.equal(fake.count('DELETE virtualMachines'), 1);
    fake.release();
    await actuator.delete(m, signal());
    for (const type of ['virtualMachines', 'networkInterfaces', 'disks']) assert.deepEqual(resourceNamesIn(type).filter((n) => n.includes('worker-e')), [], type);
    clock += 10_000;
    assert.equal(await actuator.exists(m, signal()), false);
  });

  it('deletes a NIC left by a create that crashed before the VM PUT', async function () {
    const m = machine('mycluster-x7k2p-worker-f');
    fake.failNext({ method: 'PUT', type: 'virtualMachines' }, ARM_FAULTS.InternalServerError);
    await rejectsWith(newActuator().create(m, signal()));
    fake.resetCounts();
    await newActuator().delete(m, signal());
    assert.deepEqual(resourceNamesIn('networkInterfaces').filter((n) => n.includes('worker-f')), []);
    assert.deepEqual(fake.armCounts(), { 'DELETE disks': 1, 'DELETE networkInterfaces': 1, 'GET operations': 2, 'GET virtualMachines': 1 });
  });

  it('fails the Machine through create when its VM ends provisioning Failed', async function () {
    const actuator = newActuator();
    const m = machine('mycluster-x7k2p-worker-g');
    fake.failNextOperation({ method: 'PUT', type: 'virtualMachines' }, { code: 'OSProvisioningTimedOut', message: 'OS Provisioning for VM did not finish in the allotted time.' });
    await actuator.create(m, signal());
    clock += 10_000;
    // exists() leaves a VM that failed provisioning to create(), which reports it.
    assert.equal(await actuator.exists(m, signal()), false);
    const err = await rejectsWith(actuator.create(m, signal()));
    assert.ok(err instanceof TerminalError, String(err));
    assert.equal(err.reason, 'InvalidConfiguration');
    assert.equal(err.message, 'spec.providerSpec.value: Azure failed to provision VM mycluster-x7k2p-worker-g (OSProvisioningTimedOut): OS Provisioning for VM did not finish in the allotted time.; delete the Machine so that its MachineSet replaces it');
    // Once provisioned, a Failed VM is reported, never terminal.
    const m2 = provisioned(m, `azure:///subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Compute/virtualMachines/mycluster-x7k2p-worker-g`);
    assert.equal(await actuator.exists(m2, signal()), true);
    assert.equal((await actuator.update(m2, signal())).instanceState, 'Failed');
  });

  const invalid: ReadonlyArray<{ name: string; spec: Record<string, unknown>; message: string }> = [
    { name: 'an OS disk of 32768 GB', spec: { osDisk: { osType: 'Linux', diskSizeGB: 32768, managedDisk: { storageAccountType: 'Premium_LRS' } } }, message: 'spec.providerSpec.value.osDisk.diskSizeGB: Invalid value: 32768: diskSizeGB must be greater than zero and less than 32768' },
    { name: 'a subnet without its vnet', spec: { vnet: '' }, message: 'spec.providerSpec.value.vnet: Required value: vnet and subnet are set together' },
    { name: 'an unknown field', spec: { vmSzie: 'Standard_D4s_v3' }, message: 'unknown field "spec.providerSpec.value.vmSzie"' },
  ];
  for (const { name, spec, message } of invalid) {
    it(`rejects ${name} with InvalidConfiguration naming the field, before calling Azure`, async function () {
      const err = await rejectsWith(newActuator().create(machine('mycluster-x7k2p-worker-x', providerSpec(spec)), signal()));
      assert.ok(err instanceof TerminalError, String(err));
      assert.equal(err.reason, 'InvalidConfiguration');
      assert.equal(err.message, message);
      assert.equal(fake.armCalls(), 0);
    });
  }

  const rejectedByArm: ReadonlyArray<{ name: string; spec: Record<string, unknown>; message: RegExp }> = [
    { name: 'a subnet that does not exist', spec: { subnet: 'nope' }, message: /^spec\.providerSpec\.value\.subnet: Azure rejected PUT networkInterfaces\/mycluster-x7k2p-worker-y-nic \(InvalidResourceReference\): Resource \/subscriptions\/.*\/subnets\/nope referenced by resource/ },
    { name: 'a VM size the region does not have', spec: { vmSize: 'Standard_Nope' }, message: /^spec\.providerSpec\.value\.vmSize: Azure rejected PUT virtualMachines\/mycluster-x7k2p-worker-y \(InvalidParameter\): The value Standard_Nope provided for the VM size is not valid/ },
    { name: 'accelerated networking on a size without it', spec: { vmSize: 'Standard_B2s', acceleratedNetworking: true }, message: /^spec\.providerSpec\.value\.acceleratedNetworking: Invalid value: true: VM size Standard_B2s does not support accelerated networking$/ },
    { name: 'a load balancer that does not exist', spec: { publicLoadBalancer: 'nope' }, message: /^spec\.providerSpec\.value\.publicLoadBalancer: Invalid value: "nope": no such load balancer in resource group mycluster-x7k2p-rg$/ },
  ];
  for (const { name, spec, message } of rejectedByArm) {
    it(`fails with InvalidConfiguration naming the field for ${name}`, async function () {
      const err = await rejectsWith(newActuator().create(machine('mycluster-x7k2p-worker-y', providerSpec(spec)), signal()));
      assert.ok(err instanceof TerminalError, String(err));
      assert.match(err.message, message);
    });
  }

  const faults: ReadonlyArray<{ fault: keyof typeof ARM_FAULTS; type: string; message: RegExp }> = [
    { fault: 'InternalServerError', type: 'virtualMachines', message: /^Azure PUT virtualMachines\/mycluster-x7k2p-worker-t failed \(InternalServerError, HTTP 500\): .*; retrying$/ },
    { fault: 'QuotaExceeded', type: 'virtualMachines', message: /^Azure quota reached on PUT virtualMachines\/mycluster-x7k2p-worker-t \(OperationNotAllowed\): Operation could not be completed as it results in exceeding approved standardDSv3Family Cores quota\..*; retrying \(raise the quota\)$/ },
    { fault: 'AllocationFailed', type: 'virtualMachines', message: /^Azure has no capacity for PUT virtualMachines\/mycluster-x7k2p-worker-t \(AllocationFailed\): .*; retrying$/ },
    { fault: 'SkuNotAvailable', type: 'virtualMachines', message: /^Azure has no capacity for PUT virtualMachines\/mycluster-x7k2p-worker-t \(SkuNotAvailable\): .*; retrying$/ },
    { fault: 'InternalServerError', type: 'networkInterfaces', message: /^Azure PUT networkInterfaces\/mycluster-x7k2p-worker-t-nic failed \(InternalServerError, HTTP 500\)/ },
  ];
  for (const { fault, type, message } of faults) {
    it(`keeps ${fault} on PUT ${type} transient, then creates the VM on the retry`, async function () {
      const m = machine('mycluster-x7k2p-worker-t');
      fake.failNext({ method: 'PUT', type }, ARM_FAULTS[fault]);
      const err = await rejectsWith(newActuator().create(m, signal()));
      assertTransient(err);
      assert.match(err.message, message);
      assert.equal((await newActuator().create(m, signal())).instanceState, 'Creating');
      await newActuator().delete(m, signal()).catch(() => undefined);
    });
  }

  it('waits out a 429 for as long as Retry-After says', async function () {
    fake.failNext({ method: 'LIST', type: 'virtualMachines' }, ARM_FAULTS.TooManyRequests);
    const err = await rejectsWith(newActuator().exists(machine('mycluster-x7k2p-worker-r'), signal()));
    assert.ok(err instanceof RequeueAfter, String(err));
    assert.equal(err.afterMs, 17_000);
    assert.equal(err.message, 'Azure throttled LIST virtualMachines in mycluster-x7k2p-rg (TooManyRequests); retrying after 17s as Retry-After asks');
  });

  it('reports a missing credentials Secret as a transient error that names it', async function () {
    const err = await rejectsWith(newActuator({}, {}).exists(machine('mycluster-x7k2p-worker-z'), signal()));
    assertTransient(err);
    assert.equal(err.message, 'spec.providerSpec.value.credentialsSecret: Secret openshift-machine-api/azure-cloud-credentials not found; waiting for it to be created');
  });

  it('keeps a rejected client secret transient and out of the message', async function () {
    const wrong = secrets();
    wrong['azure-cloud-credentials'].azure_client_secret = Buffer.from('not-the-secret-0123');
    const err = await rejectsWith(newActuator({}, wrong).exists(machine('mycluster-x7k2p-worker-z'), signal()));
    assertTransient(err);
    assert.match(err.message, /^Azure LIST virtualMachines in mycluster-x7k2p-rg failed: .*AADSTS7000215/s);
    assert.ok(!err.message.includes('not-the-secret-0123'));
  });

  it('answers many concurrent exists and update calls with one listing per kind', async function () {
    const machines = Array.from({ length: 8 }, (_, i) => machine(`mycluster-x7k2p-batch-${i}`));
    const creator = newActuator();
    await Promise.all(machines.map((m) => creator.create(m, signal())));
    const actuator = newActuator({ batchWindowMs: 50 });
    fake.resetCounts();
    assert.deepEqual(await Promise.all(machines.map((m) => actuator.exists(m, signal()))), machines.map(() => true));
    const observed = await Promise.all(machines.map((m) => actuator.update(m, signal())));
    assert.equal(new Set(observed.map((o) => o.providerID)).size, machines.length);
    assert.deepEqual(fake.armCounts(), { 'LIST networkInterfaces': 1, 'LIST virtualMachines': 1, 'LISTALL virtualMachines': 1 });
    await Promise.all(machines.map((m) => creator.delete(m, signal()).catch(() => undefined)));
  });

  it('counts the ARM calls of a MachineSet from create to Running, for a resync and for delete', async function () {
    const actuator = newActuator();
    const machines = Array.from({ length: 3 }, (_, i) => machine(`mycluster-x7k2p-count-${i}`));
    fake.resetCounts();
    // Reconcile 1 of each Machine: exists (false), then create.
    for (const m of machines) assert.equal(await actuator.exists(m, signal()), false);
    await Promise.all(machines.map((m) => actuator.create(m, signal())));
    // Per NIC: the PUT and one GET that finds it Succeeded (no operation polls); per VM: the PUT only.
    assert.deepEqual(fake.armCounts(), {
      'GET loadBalancers': 1, 'GET networkInterfaces': 3, 'LIST networkInterfaces': 1, 'LIST virtualMachines': 1,
      'PUT networkInterfaces': 3, 'PUT virtualMachines': 3,
    });
    assert.deepEqual([fake.count('POST token'), fake.count('GET openid-configuration')], [1, 1], 'one token for the connection');
    // Reconcile 2 (30 s later): the VMs have provisioned.
    clock += 30_000;
    fake.resetCounts();
    const observed = await Promise.all(machines.map(async (m) => (await actuator.exists(m, signal())) && actuator.update(m, signal())));
    assert.deepEqual(observed.map((o) => o && o.instanceState), ['Running', 'Running', 'Running']);
    assert.deepEqual(fake.armCounts(), { 'LIST networkInterfaces': 1, 'LIST virtualMachines': 1, 'LISTALL virtualMachines': 1 });
    // A resync 10 minutes later reconciles every Machine again: the same three calls for all of them.
    clock += 600_000;
    fake.resetCounts();
    const recorded = machines.map((m, i) => provisioned(m, (observed[i] as { providerID: string }).providerID));
    await Promise.all(recorded.map(async (m) => (await actuator.exists(m, signal())) && actuator.update(m, signal())));
    assert.deepEqual(fake.armCounts(), { 'LIST networkInterfaces': 1, 'LIST virtualMachines': 1, 'LISTALL virtualMachines': 1 });
    // Delete: one loop starts the VM delete, the next finds it gone and cleans up.
    fake.resetCounts();
    await Promise.all(recorded.map((m) => assert.rejects(actuator.delete(m, signal()), RequeueAfter)));
    await Promise.all(recorded.map((m) => actuator.delete(m, signal())));
    assert.deepEqual(fake.armCounts(), { 'DELETE disks': 3, 'DELETE networkInterfaces': 3, 'DELETE virtualMachines': 3, 'GET virtualMachines': 6 });
  });

  it('makes a public IP before the NIC and reports it as ExternalIP', async function () {
    const actuator = newActuator();
    const m = await provision(actuator, machine('worker-pip', providerSpec({ publicIP: true })));
    const pip = `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Network/publicIPAddresses/${CLUSTER}-worker-pip`;
    assert.ok(fake.get(pip), 'public IP exists');
    clock += 10_000;
    const observed = await actuator.update(m, signal());
    assert.match(observed.addresses.find((a) => a.type === 'ExternalIP')?.address ?? '', /^20\.1\.2\.\d+$/);
    await assert.rejects(actuator.delete(m, signal()), RequeueAfter);
    await actuator.delete(m, signal());
    assert.equal(fake.get(pip), undefined);
  });

  it(`honours ${ARM_ENDPOINT_ENV} when no endpoint option is given`, async function () {
    const saved = process.env[ARM_ENDPOINT_ENV];
    process.env[ARM_ENDPOINT_ENV] = fake.endpoint;
    try {
      const actuator = newActuator({ endpoint: undefined });
      assert.equal(await actuator.exists(machine('mycluster-x7k2p-worker-env'), signal()), false);
      assert.equal(fake.count('LIST virtualMachines'), 1);
    } finally {
      if (saved === undefined) delete process.env[ARM_ENDPOINT_ENV];
      else process.env[ARM_ENDPOINT_ENV] = saved;
    }
  });

  it('gives the capacity of a MachineSet template VM size from Microsoft.Compute/skus, once per location', async function () {
    const actuator = newActuator();
    const ms: MachineSet = { metadata: { name: 'workers', namespace: NAMESPACE }, spec: { template: { spec: { providerSpec: { value: providerSpec({ vmSize: 'Standard_NC6s_v3' }) as never } } } } };
    assert.deepEqual(await actuator.instanceTypeCapacity(ms, signal()), { vCPU: 6, memoryMb: 114688, GPU: 1 });
    assert.deepEqual(await actuator.instanceTypeCapacity(ms, signal()), { vCPU: 6, memoryMb: 114688, GPU: 1 });
    assert.equal(fake.count('LIST skus'), 1);
  });

  it('falls back to the static size table when Microsoft.Compute/skus fails', async function () {
    fake.failNext({ method: 'LIST', type: 'skus' }, ARM_FAULTS.InternalServerError);
    const ms: MachineSet = { metadata: { name: 'workers', namespace: NAMESPACE }, spec: { template: { spec: { providerSpec: { value: providerSpec({ vmSize: 'Standard_D8s_v5' }) as never } } } } };
    assert.deepEqual(await newActuator().instanceTypeCapacity(ms, signal()), { vCPU: 8, memoryMb: 32768, GPU: 0 });
  });
});
