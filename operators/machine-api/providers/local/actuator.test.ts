import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { startLocalCloud, type LocalCloudHandle } from '../../../../devcluster/local-cloud/index.ts';
import type { Machine } from '../../../api/machine-v1beta1.ts';
import { RequeueAfter, TerminalError } from '../../../runtime/errors.ts';
import { waitFor } from '../../../runtime/wait.ts';
import { LocalActuator } from './actuator.ts';
import { createLocalProviderFactory } from './index.ts';

const signal = new AbortController().signal;

function machine(name: string, value: Record<string, unknown> = {}, uid = `uid-${name}`): Machine {
  return {
    apiVersion: 'machine.openshift.io/v1beta1',
    kind: 'Machine',
    metadata: { name, namespace: 'openshift-machine-api', uid },
    spec: { providerSpec: { value: { apiVersion: 'machine.openshift.io/v1beta1', kind: 'LocalMachineProviderSpec', ...value } } },
  };
}

describe('LocalActuator', () => {
  let cloud: LocalCloudHandle;
  let actuator: LocalActuator;

  const stats = async (): Promise<{ calls: Record<string, number>; total: number }> => (await fetch(`${cloud.url}/v1/stats`)).json();
  const setFaults = (faults: Record<string, unknown>) => fetch(`${cloud.url}/v1/faults`, { method: 'POST', body: JSON.stringify(faults) });
  const newActuator = () => new LocalActuator({ endpoint: cloud.url, deletePollMs: 50 });

  beforeEach(async () => {
    cloud = await startLocalCloud({ dataDir: tmpdir(), ephemeral: true, terminateDelayMs: 50 });
    actuator = newActuator();
  });
  afterEach(async () => {
    await cloud.stop();
  });

  it('creates one instance per Machine UID, even when a restarted operator creates again', async () => {
    const m = machine('worker-a', { instanceType: 'local.large', zone: 'local-c' });
    const first = await actuator.create(m, signal);
    const second = await newActuator().create(m, signal);
    assert.equal(second.providerStatus?.instanceId, first.providerStatus?.instanceId);
    assert.equal(cloud.cloud.list().length, 1);
    const [instance] = cloud.cloud.list();
    assert.equal(instance.clientToken, 'uid-worker-a');
    assert.deepEqual(instance.tags, { machine: 'openshift-machine-api/worker-a', machineUID: 'uid-worker-a' });
    assert.deepEqual(instance.spec, { instanceType: 'local.large', region: 'local', zone: 'local-c', bootDelaySeconds: 0, neverReady: false, failToJoin: false });
  });

  it('observes the providerID, addresses, state, provider status and labels of the instance', async () => {
    const observed = await actuator.create(machine('worker-a', { bootDelaySeconds: 1 }), signal);
    const [instance] = cloud.cloud.list();
    assert.deepEqual(observed, {
      providerID: 'local:///worker-a',
      addresses: [
        { type: 'InternalIP', address: instance.privateIp },
        { type: 'InternalDNS', address: 'worker-a' },
        { type: 'Hostname', address: 'worker-a' },
      ],
      instanceState: 'pending',
      providerStatus: { apiVersion: 'machine.openshift.io/v1beta1', kind: 'LocalMachineProviderStatus', instanceId: instance.id, instanceState: 'pending' },
      labels: { 'machine.openshift.io/instance-type': 'local.medium', 'machine.openshift.io/region': 'local', 'machine.openshift.io/zone': 'local-a' },
    });
    await waitFor(() => cloud.cloud.list()[0].state === 'running', { timeoutMs: 3_000 });
    const later = newActuator();
    assert.equal((await later.update(machine('worker-a', { bootDelaySeconds: 1 }), signal)).instanceState, 'running');
  });

  it('finds the instance by its machineUID tag for a Machine whose providerID was never written', async () => {
    await actuator.create(machine('worker-a'), signal);
    const afterCrash = newActuator();
    const unrecorded = machine('worker-a');
    assert.equal(unrecorded.spec?.providerID, undefined);
    assert.equal(await afterCrash.exists(unrecorded, signal), true);
    assert.equal(await afterCrash.exists(machine('worker-b'), signal), false);
  });

  it('deletes by waiting for termination: RequeueAfter while shutting down, then resolves, then exists is false', async () => {
    const m = machine('worker-a');
    await actuator.create(m, signal);
    await assert.rejects(actuator.delete(m, signal), (err: unknown) => err instanceof RequeueAfter && err.afterMs === 50);
    assert.equal(cloud.cloud.list()[0].state, 'shutting-down');
    await assert.rejects(actuator.delete(m, signal), RequeueAfter);
    await waitFor(() => cloud.cloud.list()[0].state === 'terminated');
    await actuator.delete(m, signal);
    assert.equal(await actuator.exists(m, signal), false);
    assert.equal((await stats()).calls.TerminateInstance, 1, 'terminated once, then only watched');
  });

  it('deletes a Machine that never got an instance, whatever its spec says', async () => {
    await actuator.delete(machine('never', { bootDelaySeconds: 'soon' }), signal);
    assert.equal((await stats()).calls.TerminateInstance, 0);
  });

  it('fails create with InvalidConfiguration naming the field, without calling the cloud', async () => {
    await assert.rejects(actuator.create(machine('worker-a', { bootDelaySeconds: -1 }), signal), (err: unknown) => {
      assert.ok(err instanceof TerminalError);
      assert.equal(err.reason, 'InvalidConfiguration');
      assert.equal(err.message, 'spec.providerSpec.value.bootDelaySeconds: Invalid value: -1: must be greater than or equal to 0');
      return true;
    });
    assert.equal((await stats()).total, 0);
  });

  it('turns the cloud rejecting the instance type into InvalidConfiguration on the providerSpec field', async () => {
    await assert.rejects(actuator.create(machine('worker-a', { instanceType: 'local.huge' }), signal), (err: unknown) => {
      assert.ok(err instanceof TerminalError);
      assert.equal(err.message, 'spec.providerSpec.value.instanceType: Unsupported value: "local.huge": supported values: "local.small", "local.medium", "local.large", "local.xlarge"');
      return true;
    });
  });

  it('keeps throttling, server errors and an unreachable cloud transient', async () => {
    const transient = (message: RegExp) => (err: unknown) => {
      assert.ok(!(err instanceof TerminalError) && !(err instanceof RequeueAfter), `transient, not ${String(err)}`);
      assert.match((err as Error).message, message);
      return true;
    };
    await setFaults({ throttle: true });
    await assert.rejects(actuator.exists(machine('worker-a'), signal), transient(/^local cloud DescribeInstances throttled \(HTTP 429 RequestLimitExceeded\)/));
    await setFaults({ throttle: false, failNextCreates: 1, statusCode: 503 });
    await assert.rejects(actuator.create(machine('worker-a'), signal), transient(/^local cloud CreateInstance failed \(HTTP 503 InjectedFault\)/));
    const url = cloud.url;
    await cloud.stop();
    await assert.rejects(new LocalActuator({ endpoint: url }).exists(machine('worker-a'), signal), transient(/^cannot reach the local cloud at http:\/\/127\.0\.0\.1:\d+ \(DescribeInstances\)/));
    cloud = await startLocalCloud({ dataDir: tmpdir(), ephemeral: true });
  });

  it('answers concurrent exists calls for many Machines with one DescribeInstances', async () => {
    const machines = Array.from({ length: 20 }, (_, i) => machine(`worker-${i}`));
    for (const m of machines.slice(0, 10)) cloud.cloud.create({ clientToken: m.metadata.uid!, name: m.metadata.name!, tags: { machineUID: m.metadata.uid! }, spec: { instanceType: 'local.small', region: 'local', zone: 'local-a' } });
    const answers = await Promise.all(machines.map((m) => actuator.exists(m, signal)));
    assert.deepEqual(answers, machines.map((_, i) => i < 10));
    assert.equal((await stats()).calls.DescribeInstances, 1);
    await actuator.update(machines[0], signal);
    assert.equal((await stats()).calls.DescribeInstances, 1, 'update right after exists reuses the answer');
  });

  it('splits a batch larger than maxBatch into several calls', async () => {
    const small = new LocalActuator({ endpoint: cloud.url, maxBatch: 8 });
    await Promise.all(Array.from({ length: 20 }, (_, i) => small.exists(machine(`worker-${i}`), signal)));
    assert.equal((await stats()).calls.DescribeInstances, 3);
  });

  it('says which setting is missing when no endpoint is configured', async () => {
    const saved = process.env.LOCAL_CLOUD_ENDPOINT;
    delete process.env.LOCAL_CLOUD_ENDPOINT;
    try {
      const factory = createLocalProviderFactory();
      assert.deepEqual({ name: factory.name, kinds: factory.kinds }, { name: 'local', kinds: ['LocalMachineProviderSpec'] });
      await assert.rejects(factory.create({ readSecret: async () => undefined }).exists(machine('worker-a'), signal), /set LOCAL_CLOUD_ENDPOINT/);
    } finally {
      if (saved !== undefined) process.env.LOCAL_CLOUD_ENDPOINT = saved;
    }
  });
});
