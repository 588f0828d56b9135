import assert from 'node:assert/strict';
import type { VirtualMachine } from '@azure/arm-compute';
import { InstanceCache, type ArmReader } from './instance-cache.ts';

const vm = (name: string, provisioningState: string): VirtualMachine => ({ id: `/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/${name}`, name, location: 'eastus', provisioningState });

/** A reader over fixed VMs that records its calls. */
function fakeReader(vms: VirtualMachine[], fail?: Error) {
  const calls: string[] = [];
  const reader: ArmReader = {
    listVirtualMachines: async (rg) => {
      calls.push(`vms ${rg}`);
      if (fail) throw fail;
      return vms;
    },
    listNetworkInterfaces: async (rg) => (calls.push(`nics ${rg}`), []),
    listPublicIPAddresses: async (rg) => (calls.push(`pips ${rg}`), []),
    listVirtualMachineStatuses: async () => (calls.push('statuses'), vms.map((v) => ({ id: v.id, location: 'eastus', instanceView: { statuses: [{ code: 'PowerState/running' }] } }))),
  };
  return { calls, reader };
}

describe('Azure InstanceCache', function () {
  let clock = 0;
  const signal = () => AbortSignal.timeout(5_000);
  beforeEach(() => (clock = 1_000_000));

  it('lists power states only when a looked-up VM has finished provisioning', async function () {
    const { calls, reader } = fakeReader([vm('a', 'Creating'), vm('b', 'Succeeded')]);
    const cache = new InstanceCache(reader, { batchWindowMs: 1, now: () => clock });
    const creating = await cache.lookup({ resourceGroup: 'rg', name: 'a', publicIP: false }, signal());
    assert.equal(creating?.statuses, undefined);
    assert.deepEqual(calls, ['vms rg', 'nics rg']);
    clock += 10_000;
    const running = await cache.lookup({ resourceGroup: 'rg', name: 'B', publicIP: true }, signal());
    assert.deepEqual(running?.statuses, [{ code: 'PowerState/running' }]);
    assert.deepEqual(calls.slice(2), ['vms rg', 'nics rg', 'pips rg', 'statuses']);
  });

  it('answers from the listing while it is fresh, with what this process PUT laid over it', async function () {
    const { calls, reader } = fakeReader([]);
    const cache = new InstanceCache(reader, { batchWindowMs: 1, freshnessMs: 5_000, now: () => clock });
    assert.equal(await cache.lookup({ resourceGroup: 'rg', name: 'a', publicIP: false }, signal()), undefined);
    clock += 1;
    cache.remember('rg', vm('a', 'Creating'));
    assert.equal((await cache.lookup({ resourceGroup: 'RG', name: 'a', publicIP: false }, signal()))?.vm.provisioningState, 'Creating');
    assert.deepEqual(calls, ['vms rg', 'nics rg']);
  });

  it('hands a failed listing to every waiting caller', async function () {
    const { reader } = fakeReader([], new Error('throttled'));
    const cache = new InstanceCache(reader, { batchWindowMs: 1, now: () => clock });
    const results = await Promise.allSettled(['a', 'b'].map((name) => cache.lookup({ resourceGroup: 'rg', name, publicIP: false }, signal())));
    assert.deepEqual(results.map((r) => r.status), ['rejected', 'rejected']);
  });
});
