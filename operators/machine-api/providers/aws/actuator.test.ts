// The AWS actuator against moto_server, through the fault-injecting proxy of test/fakes/aws (which adds
// ClientToken idempotency, pending instances, throttling and capacity faults, and counts calls per Action).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import {
  CreateSecurityGroupCommand, CreateSubnetCommand, CreateTagsCommand, CreateVpcCommand, DescribeImagesCommand,
  DescribeInstanceAttributeCommand, DescribeInstancesCommand, DescribeVolumesCommand, EC2Client, type Instance,
} from '@aws-sdk/client-ec2';
import type { Machine, MachineSet } from '../../../api/machine-v1beta1.ts';
import { CLUSTER_ID_LABEL } from '../../../api/machine-v1beta1.ts';
import { RequeueAfter, TerminalError } from '../../../runtime/errors.ts';
import { rejectsWith } from '../actuator.test-util.ts';
import { startMotoServer, type MotoServer } from '../../../../test/fakes/aws/moto-server.ts';
import { Ec2FaultProxy } from '../../../../test/fakes/aws/ec2-proxy.ts';
import { AwsActuator, type AwsActuatorOptions } from './actuator.ts';
import { MACHINE_UID_TAG } from './instance-cache.ts';

const REGION = 'us-east-1';
const ZONE = 'us-east-1a';
const NAMESPACE = 'openshift-machine-api';
const CREDENTIALS = { aws_access_key_id: Buffer.from('AKIDTESTING'), aws_secret_access_key: Buffer.from('not-a-real-secret') };
const USER_DATA = '{"ignition":{"version":"3.2.0"}}';

let moto: MotoServer;
let proxy: Ec2FaultProxy;
let direct: EC2Client;
let amiId: string;
let subnetId: string;
let clock: number;

/** A clock the cache's freshness reads; tests move it instead of sleeping. */
function options(extra: AwsActuatorOptions = {}): AwsActuatorOptions {
  return { endpoint: proxy.endpoint, batchWindowMs: 5, deletePollMs: 1_000, now: () => clock, ...extra };
}

function newActuator(extra: AwsActuatorOptions = {}, secrets: Record<string, Record<string, Buffer>> = defaultSecrets()): AwsActuator {
  return new AwsActuator({ readSecret: async (ns, name) => (ns === NAMESPACE ? secrets[name] : undefined) }, options(extra));
}

function defaultSecrets(): Record<string, Record<string, Buffer>> {
  return { 'aws-cloud-credentials': CREDENTIALS, 'worker-user-data': { userData: Buffer.from(USER_DATA) } };
}

/** An installer-style providerSpec: subnet and security group by filters, a sized root volume. */
function providerSpec(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'machine.openshift.io/v1beta1',
    kind: 'AWSMachineProviderConfig',
    metadata: { creationTimestamp: null },
    ami: { id: amiId },
    instanceType: 'm5.large',
    placement: { region: REGION, availabilityZone: ZONE },
    subnet: { filters: [{ name: 'tag:Name', values: ['test-private-us-east-1a'] }] },
    securityGroups: [{ filters: [{ name: 'tag:Name', values: ['test-worker-sg'] }] }],
    blockDevices: [{ ebs: { encrypted: true, iops: 0, kmsKey: { arn: '' }, volumeSize: 120, volumeType: 'gp3' } }],
    credentialsSecret: { name: 'aws-cloud-credentials' },
    userDataSecret: { name: 'worker-user-data' },
    deviceIndex: 0,
    metadataServiceOptions: {},
    tags: [{ name: 'team', value: 'machines' }],
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
function recorded(m: Machine, providerID: string, instanceId: string): Machine {
  return { ...m, spec: { ...m.spec, providerID }, status: { providerStatus: { instanceId } } };
}

async function instancesWithUid(uid: string): Promise<Instance[]> {
  const answer = await direct.send(new DescribeInstancesCommand({ Filters: [{ Name: `tag:${MACHINE_UID_TAG}`, Values: [uid] }] }));
  return (answer.Reservations ?? []).flatMap((r) => r.Instances ?? []);
}

const signal = () => AbortSignal.timeout(15_000);

describe('AWS actuator against moto', function () {
  this.timeout(30_000);

  before(async function () {
    moto = await startMotoServer();
    proxy = await Ec2FaultProxy.start(moto.endpoint);
    direct = new EC2Client({ endpoint: moto.endpoint, region: REGION, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' }, maxAttempts: 1 });
    const vpc = await direct.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }));
    const subnet = await direct.send(new CreateSubnetCommand({ VpcId: vpc.Vpc!.VpcId, CidrBlock: '10.0.1.0/24', AvailabilityZone: ZONE }));
    subnetId = subnet.Subnet!.SubnetId!;
    await direct.send(new CreateTagsCommand({ Resources: [subnetId], Tags: [{ Key: 'Name', Value: 'test-private-us-east-1a' }] }));
    const sg = await direct.send(new CreateSecurityGroupCommand({ GroupName: 'test-worker-sg', Description: 'workers', VpcId: vpc.Vpc!.VpcId }));
    await direct.send(new CreateTagsCommand({ Resources: [sg.GroupId!], Tags: [{ Key: 'Name', Value: 'test-worker-sg' }] }));
    // moto ships a catalogue of AMIs; any one with a root device will do.
    const images = await direct.send(new DescribeImagesCommand({ Owners: ['amazon'] }));
    amiId = images.Images!.find((i) => i.RootDeviceName && i.Architecture === 'x86_64')!.ImageId!;
  });

  after(async function () {
    direct?.destroy();
    await proxy?.close();
    await moto?.stop();
  });

  beforeEach(function () {
    proxy.reset();
    clock = Date.now();
  });

  it('creates a running instance and observes its providerID, addresses, labels, tags and user data', async function () {
    const actuator = newActuator();
    const m = machine(`c-${randomUUID().slice(0, 8)}`, 'worker-a');
    assert.equal(await actuator.exists(m, signal()), false);
    const created = await actuator.create(m, signal());
    assert.match(created.providerID, /^aws:\/\/\/us-east-1a\/i-[0-9a-f]+$/);
    const id = created.providerID.split('/').pop()!;

    clock += 10_000; // past the cache's freshness: the next read goes to EC2
    const m2 = recorded(m, created.providerID, id);
    assert.equal(await actuator.exists(m2, signal()), true);
    const observed = await actuator.update(m2, signal());
    assert.equal(observed.providerID, created.providerID);
    assert.equal(observed.instanceState, 'running');
    const types = observed.addresses.map((a) => a.type);
    for (const t of ['InternalIP', 'InternalDNS', 'Hostname'] as const) assert.ok(types.includes(t), `address ${t} in ${JSON.stringify(observed.addresses)}`);
    assert.match(observed.addresses.find((a) => a.type === 'InternalIP')!.address, /^10\.0\.1\.\d+$/);
    assert.deepEqual(observed.labels, { 'machine.openshift.io/instance-type': 'm5.large', 'machine.openshift.io/region': REGION, 'machine.openshift.io/zone': ZONE });
    assert.deepEqual(observed.providerStatus, { apiVersion: 'machine.openshift.io/v1beta1', kind: 'AWSMachineProviderStatus', instanceId: id, instanceState: 'running' });

    const [instance] = await instancesWithUid(m.metadata.uid!);
    const tags = Object.fromEntries((instance.Tags ?? []).map((t) => [t.Key, t.Value]));
    assert.deepEqual(tags, { team: 'machines', Name: 'worker-a', [`kubernetes.io/cluster/${m.metadata.labels![CLUSTER_ID_LABEL]}`]: 'owned', [MACHINE_UID_TAG]: m.metadata.uid });
    assert.equal(instance.SubnetId, subnetId);
    assert.deepEqual(instance.SecurityGroups?.map((g) => g.GroupName), ['test-worker-sg']);
    const volumes = await direct.send(new DescribeVolumesCommand({ Filters: [{ Name: `tag:${MACHINE_UID_TAG}`, Values: [m.metadata.uid!] }] }));
    assert.equal(volumes.Volumes?.[0]?.Size, 120);
    const attr = await direct.send(new DescribeInstanceAttributeCommand({ InstanceId: id, Attribute: 'userData' }));
    assert.equal(Buffer.from(attr.UserData!.Value!, 'base64').toString('utf8'), USER_DATA);
  });

  it('finds an instance by its tags when the Machine never recorded a providerID (crash before the status write)', async function () {
    const clusterID = `c-${randomUUID().slice(0, 8)}`;
    const m = machine(clusterID, 'worker-b');
    const created = await newActuator().create(m, signal());
    // A new process: no cache, and the Machine as it was before create.
    const restarted = newActuator();
    assert.equal(await restarted.exists(m, signal()), true);
    assert.equal((await restarted.update(m, signal())).providerID, created.providerID);
  });

  it('makes one instance when create is retried with the same ClientToken after a crash', async function () {
    const m = machine(`c-${randomUUID().slice(0, 8)}`, 'worker-c');
    const first = await newActuator().create(m, signal());
    const second = await newActuator().create(m, signal());
    assert.equal(second.providerID, first.providerID);
    assert.equal(proxy.count('RunInstances'), 2);
    assert.equal((await instancesWithUid(m.metadata.uid!)).length, 1);
  });

  it('terminates the instance on delete and resolves only once it is terminated', async function () {
    const actuator = newActuator();
    const m = machine(`c-${randomUUID().slice(0, 8)}`, 'worker-d');
    const created = await actuator.create(m, signal());
    const m2 = recorded(m, created.providerID, created.providerID.split('/').pop()!);
    proxy.resetCounts();
    const waiting = await rejectsWith(actuator.delete(m2, signal()));
    assert.ok(waiting instanceof RequeueAfter, String(waiting));
    assert.equal(waiting.afterMs, 1_000);
    await actuator.delete(m2, signal()); // moto: terminated by the next describe
    assert.deepEqual(proxy.counts(), { TerminateInstances: 1, DescribeInstances: 1 });
    assert.equal((await instancesWithUid(m.metadata.uid!))[0].State?.Name, 'terminated');
    clock += 10_000;
    assert.equal(await actuator.exists(m2, signal()), false);
  });

  it('deletes a Machine whose instance ID was never recorded by finding it through its tags', async function () {
    const m = machine(`c-${randomUUID().slice(0, 8)}`, 'worker-e');
    await newActuator().create(m, signal());
    const actuator = newActuator();
    await assert.rejects(actuator.delete(m, signal()), RequeueAfter);
    await actuator.delete(m, signal());
    assert.equal((await instancesWithUid(m.metadata.uid!))[0].State?.Name, 'terminated');
  });

  it('waits out EC2 eventual consistency for a recorded instance it cannot see yet, then calls it gone', async function () {
    const actuator = newActuator();
    const base = recorded(machine(`c-${randomUUID().slice(0, 8)}`, 'worker-g'), 'aws:///us-east-1a/i-0123456789abcdef0', 'i-0123456789abcdef0');
    const justWritten: Machine = { ...base, status: { ...base.status, lastUpdated: new Date(clock - 5_000).toISOString() } };
    await assert.rejects(actuator.exists(justWritten, signal()), RequeueAfter);
    const longAgo: Machine = { ...base, status: { ...base.status, lastUpdated: new Date(clock - 60_000).toISOString() } };
    assert.equal(await actuator.exists(longAgo, signal()), false);
  });

  it('deletes a Machine that never got an instance at once', async function () {
    await newActuator().delete(machine(`c-${randomUUID().slice(0, 8)}`, 'worker-h'), signal());
    assert.deepEqual(proxy.counts(), { DescribeInstances: 1 });
  });

  const invalid: ReadonlyArray<{ name: string; spec: Record<string, unknown>; field: string }> = [
    { name: 'an unknown instance type', spec: { instanceType: 'm9.huge' }, field: 'spec.providerSpec.value.instanceType: EC2 rejected RunInstances (InvalidInstanceType' },
    { name: 'an unknown AMI', spec: { ami: { id: 'ami-0123456789abcdef0' }, blockDevices: [] }, field: 'spec.providerSpec.value.ami.id: EC2 rejected RunInstances (InvalidAMIID.NotFound)' },
    { name: 'an unknown AMI whose root device is sized', spec: { ami: { id: 'ami-0123456789abcdef0' } }, field: 'spec.providerSpec.value.ami.id: EC2 rejected DescribeImages (InvalidAMIID.NotFound)' },
    { name: 'an unknown subnet', spec: { subnet: { id: 'subnet-0123456789abcdef0' } }, field: 'spec.providerSpec.value.subnet: EC2 rejected RunInstances (InvalidSubnetID.NotFound)' },
    { name: 'subnet filters that match nothing', spec: { subnet: { filters: [{ name: 'tag:Name', values: ['nope'] }] } }, field: 'spec.providerSpec.value.subnet.filters: Invalid value: no subnet matches' },
  ];
  for (const { name, spec, field } of invalid) {
    it(`fails with InvalidConfiguration naming the field for ${name}`, async function () {
      const err = await rejectsWith(newActuator().create(machine(`c-${randomUUID().slice(0, 8)}`, 'worker-x', providerSpec(spec)), signal()));
      assert.ok(err instanceof TerminalError, String(err));
      assert.equal(err.reason, 'InvalidConfiguration');
      assert.ok(err.message.startsWith(field), err.message);
    });
  }

  it('rejects an unknown providerSpec field before calling EC2', async function () {
    const err = await rejectsWith(newActuator().exists(machine('c', 'worker-y', providerSpec({ instanceTyp: 'm5.large' })), signal()));
    assert.ok(err instanceof TerminalError);
    assert.equal(err.message, 'unknown field "spec.providerSpec.value.instanceTyp"');
    assert.equal(proxy.total(), 0);
  });

  it('reports a missing credentials Secret as a transient error that names it', async function () {
    const err = await rejectsWith(newActuator({}, {}).exists(machine('c', 'worker-z'), signal()));
    assert.ok(!(err instanceof TerminalError) && !(err instanceof RequeueAfter), String(err));
    assert.equal((err as Error).message, 'spec.providerSpec.value.credentialsSecret: Secret openshift-machine-api/aws-cloud-credentials not found; waiting for it to be created');
  });

  it('answers many concurrent exists and update calls with one DescribeInstances', async function () {
    const clusterID = `c-${randomUUID().slice(0, 8)}`;
    const machines = Array.from({ length: 8 }, (_, i) => machine(clusterID, `worker-batch-${i}`));
    const creator = newActuator();
    await Promise.all(machines.map((m) => creator.create(m, signal())));
    const actuator = newActuator({ batchWindowMs: 50 });
    proxy.resetCounts();
    const exists = await Promise.all(machines.map((m) => actuator.exists(m, signal())));
    assert.deepEqual(exists, machines.map(() => true));
    const observed = await Promise.all(machines.map((m) => actuator.update(m, signal())));
    assert.equal(new Set(observed.map((o) => o.providerID)).size, machines.length);
    assert.deepEqual(proxy.counts(), { DescribeInstances: 1 });
  });

  it('counts the EC2 calls of a MachineSet from create to running and for a resync', async function () {
    const clusterID = `c-${randomUUID().slice(0, 8)}`;
    const actuator = newActuator();
    const machines = Array.from({ length: 3 }, (_, i) => machine(clusterID, `worker-count-${i}`));
    // Reconcile 1 of each Machine: exists (false), then create.
    for (const m of machines) assert.equal(await actuator.exists(m, signal()), false);
    const created = await Promise.all(machines.map((m) => actuator.create(m, signal())));
    const afterCreate = proxy.counts();
    // One poll: the next reconcile of each Machine sees it running.
    clock += 10_000;
    const recordedMachines = machines.map((m, i) => recorded(m, created[i].providerID, created[i].providerID.split('/').pop()!));
    const states = await Promise.all(recordedMachines.map(async (m) => (await actuator.exists(m, signal())) && (await actuator.update(m, signal())).instanceState));
    assert.deepEqual(states, ['running', 'running', 'running']);
    // The first Machine's exists listed the cluster; the filters and the AMI's root device were resolved once.
    assert.deepEqual(afterCreate, { DescribeInstances: 1, DescribeSubnets: 1, DescribeSecurityGroups: 1, DescribeImages: 1, RunInstances: 3 });
    assert.equal(proxy.count('DescribeInstances'), 2);
    // A resync 10 minutes later reconciles every Machine again: one call for all of them.
    clock += 600_000;
    proxy.resetCounts();
    await Promise.all(recordedMachines.map(async (m) => (await actuator.exists(m, signal())) && actuator.update(m, signal())));
    assert.deepEqual(proxy.counts(), { DescribeInstances: 1 });
  });

  it('treats throttling as transient with a clear message, then succeeds', async function () {
    const actuator = newActuator();
    const m = machine(`c-${randomUUID().slice(0, 8)}`, 'worker-t');
    proxy.failNext('RunInstances', 'RequestLimitExceeded');
    const err = await rejectsWith(actuator.create(m, signal()));
    assert.ok(!(err instanceof TerminalError) && !(err instanceof RequeueAfter), String(err));
    assert.equal((err as Error).message, 'EC2 throttled the request (RequestLimitExceeded) on RunInstances; retrying');
    const created = await actuator.create(m, signal());
    assert.match(created.providerID, /^aws:\/\/\/us-east-1a\/i-/);
    assert.equal((await instancesWithUid(m.metadata.uid!)).length, 1);
  });

  const transient: ReadonlyArray<{ fault: 'InsufficientInstanceCapacity' | 'InternalError'; action: string; message: RegExp }> = [
    { fault: 'InsufficientInstanceCapacity', action: 'RunInstances', message: /^EC2 has no capacity for RunInstances \(InsufficientInstanceCapacity\): We currently do not have sufficient capacity.*; retrying$/ },
    { fault: 'InternalError', action: 'DescribeInstances', message: /^EC2 DescribeInstances failed \(InternalError, HTTP 500\): .*; retrying$/ },
  ];
  for (const { fault, action, message } of transient) {
    it(`treats ${fault} on ${action} as transient`, async function () {
      const m = machine(`c-${randomUUID().slice(0, 8)}`, 'worker-f');
      proxy.failNext(action, fault);
      const actuator = newActuator();
      const call = action === 'RunInstances' ? actuator.create(m, signal()) : actuator.exists(m, signal());
      const err = await rejectsWith(call);
      assert.ok(!(err instanceof TerminalError) && !(err instanceof RequeueAfter), String(err));
      assert.match((err as Error).message, message);
    });
  }

  it('reports an instance EC2 still shows as pending with instanceState pending', async function () {
    const actuator = newActuator();
    const m = machine(`c-${randomUUID().slice(0, 8)}`, 'worker-p');
    const created = await actuator.create(m, signal());
    assert.equal(created.instanceState, 'pending');
    clock += 10_000;
    proxy.reportPending(1);
    assert.equal((await actuator.update(m, signal())).instanceState, 'pending');
    clock += 10_000;
    assert.equal((await actuator.update(m, signal())).instanceState, 'running');
  });

  it('honours AWS_ENDPOINT_URL_EC2 when no endpoint option is given', async function () {
    const saved = process.env.AWS_ENDPOINT_URL_EC2;
    process.env.AWS_ENDPOINT_URL_EC2 = proxy.endpoint;
    try {
      const actuator = new AwsActuator({ readSecret: async () => CREDENTIALS }, { batchWindowMs: 5 });
      assert.equal(await actuator.exists(machine(`c-${randomUUID().slice(0, 8)}`, 'worker-env'), signal()), false);
      assert.deepEqual(proxy.counts(), { DescribeInstances: 1 });
    } finally {
      if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_EC2;
      else process.env.AWS_ENDPOINT_URL_EC2 = saved;
    }
  });

  it('gives the capacity of a MachineSet template instance type from DescribeInstanceTypes, once', async function () {
    const actuator = newActuator();
    const ms: MachineSet = { metadata: { name: 'workers', namespace: NAMESPACE }, spec: { template: { spec: { providerSpec: { value: providerSpec({ instanceType: 'g4dn.xlarge' }) as never } } } } };
    assert.deepEqual(await actuator.instanceTypeCapacity(ms, signal()), { vCPU: 4, memoryMb: 16384, GPU: 1 });
    assert.deepEqual(await actuator.instanceTypeCapacity(ms, signal()), { vCPU: 4, memoryMb: 16384, GPU: 1 });
    assert.equal(proxy.count('DescribeInstanceTypes'), 1);
  });
});
