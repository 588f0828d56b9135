// The emulated clouds' instance sources without a cluster: how each cloud's instance becomes the Node a kubelet on it
// registers, and when the sources announce instances (the e2e suites in test/e2e/clouds run them for real).
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_OS_IMAGE } from '../local-cloud/types.ts';
import { AzureVmSource, hollowInstanceOfAzureVm, type ArmInventory } from './azure-source.ts';
import { hollowInstanceOfEc2 } from './ec2-source.ts';
import { GceInstanceSource, type GceInstanceView, type GceInventory } from './gce-source.ts';
import type { HollowInstance } from './node-object.ts';
import { SnapshotSource } from './snapshot-source.ts';

const SUB = '0b1f6471-1bf0-4dda-aec3-cb9272f09590';
const RG = 'mycluster-rg';

function instance(id: string): HollowInstance {
  return {
    id, nodeName: id, providerID: `test:///${id}`, internalIP: '10.0.0.1', instanceType: 't', region: 'r', zone: 'z', cpu: 1, memoryMiB: 1024,
    osImage: 'os', runningSince: 0, neverReady: false, failToJoin: false,
  };
}

function record(source: SnapshotSource): { events: string[]; unsubscribe: () => void } {
  const events: string[] = [];
  const unsubscribe = source.subscribe((i, running) => events.push(`${i.id}:${running ? 'running' : 'stopped'}`));
  return { events, unsubscribe };
}

describe('emulated cloud instance sources', () => {
  it('announces the instances that started and stopped running between two reads, and nothing for the others', () => {
    const source = new SnapshotSource();
    const { events } = record(source);
    source.update([instance('a'), instance('b')]);
    source.update([instance('b'), instance('c')]);
    assert.deepEqual(events, ['a:running', 'b:running', 'a:stopped', 'c:running']);
    assert.deepEqual(source.running().map((i) => i.id), ['b', 'c']);
  });

  it('maps an EC2 instance to a Node named by its private DNS name with providerID aws:///<zone>/<id>', () => {
    const node = hollowInstanceOfEc2({
      InstanceId: 'i-0abc', PrivateDnsName: 'ip-10-0-1-4.ec2.internal', PrivateIpAddress: '10.0.1.4', InstanceType: 'm6i.xlarge',
      Placement: { AvailabilityZone: 'us-east-1a' }, LaunchTime: new Date(1_000),
    });
    assert.deepEqual(
      node,
      {
        id: 'i-0abc', nodeName: 'ip-10-0-1-4.ec2.internal', providerID: 'aws:///us-east-1a/i-0abc', internalIP: '10.0.1.4', instanceType: 'm6i.xlarge',
        region: 'us-east-1', zone: 'us-east-1a', cpu: 4, memoryMiB: 16384, osImage: DEFAULT_OS_IMAGE, runningSince: 1_000, neverReady: false, failToJoin: false,
      },
    );
    assert.equal(hollowInstanceOfEc2({ InstanceId: 'i-0abc' }), undefined, 'no Node before the instance has a private address');
  });

  it('reads the GCE fake again when the phase its change hook announced begins, without another change', async () => {
    const runningAt = Date.now() + 40;
    const view = (): GceInstanceView => ({
      name: 'worker-a', id: '123', status: Date.now() >= runningAt ? 'RUNNING' : 'STAGING',
      zone: 'https://www.googleapis.com/compute/v1/projects/p/zones/us-central1-a', machineType: 'zones/us-central1-a/machineTypes/n2-standard-4',
      networkInterfaces: [{ networkIP: '10.0.0.7' }], creationTimestamp: new Date(0).toISOString(),
    });
    let listener: ((times: readonly number[]) => void) | undefined;
    const fake: GceInventory = { instances: () => [view()], subscribe: (l) => ((listener = l), () => (listener = undefined)) };
    const source = new GceInstanceSource(fake, 'p');
    const { events, unsubscribe } = record(source);
    listener!([runningAt]);
    await sleep(5);
    assert.deepEqual(events, [], 'STAGING: no kubelet yet');
    await sleep(60);
    assert.deepEqual(events, ['123:running']);
    assert.deepEqual(source.running().map((i) => [i.nodeName, i.providerID, i.internalIP, i.zone, i.region]), [['worker-a', 'gce://p/us-central1-a/worker-a', '10.0.0.7', 'us-central1-a', 'us-central1']]);
    unsubscribe();
    assert.equal(listener, undefined, 'the last unsubscribe lets go of the fake');
  });

  it('announces an Azure VM once it has provisioned and runs, named after the VM with the provider\'s providerID', async () => {
    const vmId = `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Compute/virtualMachines/worker-b`;
    const nicId = `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Network/networkInterfaces/worker-b-nic`;
    const vm = {
      id: vmId, name: 'worker-b', location: 'eastus', zones: ['2'],
      properties: { vmId: 'vm-1', provisioningState: 'Creating', __powerState: undefined as string | undefined, hardwareProfile: { vmSize: 'Standard_D4s_v3' }, networkProfile: { networkInterfaces: [{ id: nicId }] } },
    };
    const nic = { properties: { ipConfigurations: [{ properties: { privateIPAddress: '10.0.1.9' } }] } };
    let listener: (() => void) | undefined;
    const fake: ArmInventory = {
      list: (type) => (type === 'virtualMachines' ? [vmId] : []),
      get: (id) => (id === vmId ? structuredClone(vm) : id === nicId ? nic : undefined),
      subscribe: (l) => ((listener = l), () => (listener = undefined)),
    };
    const source = new AzureVmSource(fake);
    const { events } = record(source);
    assert.deepEqual(events, []);
    vm.properties.provisioningState = 'Succeeded';
    vm.properties.__powerState = 'running';
    listener!();
    listener!();
    await sleep(0);
    assert.deepEqual(events, ['vm-1:running'], 'one read for a burst of changes');
    const [node] = source.running();
    assert.deepEqual([node.nodeName, node.providerID, node.internalIP, node.zone], [
      'worker-b', `azure:///subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Compute/virtualMachines/worker-b`, '10.0.1.9', 'eastus-2',
    ]);
    assert.equal(hollowInstanceOfAzureVm({ ...vm, properties: { ...vm.properties, __powerState: 'stopped' } }, () => nic), undefined, 'a stopped VM has no kubelet');
  });
});
