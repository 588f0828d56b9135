import assert from 'node:assert/strict';
import type { Machine } from '../../api/machine-v1beta1.ts';
import { computeMachineStatus } from './status.ts';

const t0 = '2026-11-20T09:00:00Z';
const now = new Date('2026-11-20T10:00:00Z');
const nowText = '2026-11-20T10:00:00Z';
const hooksTrue = [
  { type: 'Drainable', status: 'True', lastTransitionTime: t0 },
  { type: 'Terminable', status: 'True', lastTransitionTime: t0 },
] as const;

function machine(status: Machine['status'], spec: Machine['spec'] = {}): Machine {
  return { metadata: { name: 'm' }, spec, status };
}

describe('computeMachineStatus', () => {
  it('changes nothing, not even lastUpdated, when nothing changed', () => {
    const m = machine({ phase: 'Running', lastUpdated: t0, conditions: [...hooksTrue] });
    assert.deepEqual(computeMachineStatus(m, { phase: 'Running' }, now), { status: m.status, changed: false });
  });

  it('moves lastUpdated when the phase changes', () => {
    const result = computeMachineStatus(machine({ phase: 'Provisioned', lastUpdated: t0, conditions: [...hooksTrue] }), { phase: 'Running' }, now);
    assert.equal(result.changed, true);
    assert.equal(result.status.phase, 'Running');
    assert.equal(result.status.lastUpdated, nowText);
  });

  it('sets Drainable and Terminable False with HookPresent while lifecycle hooks exist', () => {
    const m = machine({}, { lifecycleHooks: { preDrain: [{ name: 'Backup', owner: 'backup-operator' }], preTerminate: [{ name: 'a', owner: 'x' }, { name: 'b', owner: 'y' }] } });
    const { status } = computeMachineStatus(m, {}, now);
    assert.deepEqual(status.conditions, [
      { type: 'Drainable', status: 'False', reason: 'HookPresent', severity: 'Warning', message: 'Drain operation currently blocked by: [{Name:Backup Owner:backup-operator}]', lastTransitionTime: nowText },
      { type: 'Terminable', status: 'False', reason: 'HookPresent', severity: 'Warning', message: 'Terminate operation currently blocked by: [{Name:a Owner:x} {Name:b Owner:y}]', lastTransitionTime: nowText },
    ]);
  });

  it('clears errorReason and errorMessage when the Machine is not Failed', () => {
    const { status } = computeMachineStatus(machine({ phase: 'Failed', errorReason: 'InvalidConfiguration', errorMessage: 'bad', conditions: [...hooksTrue] }), { phase: 'Deleting' }, now);
    assert.equal('errorReason' in status, false);
    assert.equal('errorMessage' in status, false);
  });

  it('records the failure and marks the provider state Unknown when the Machine fails', () => {
    const m = machine({ phase: 'Provisioning', providerStatus: { instanceState: 'pending', vmState: 'Creating', other: 1 }, conditions: [...hooksTrue] });
    const { status } = computeMachineStatus(m, { phase: 'Failed', failure: { reason: 'InvalidConfiguration', message: 'spec.providerSpec.value.instanceType: "m9.huge" is not offered' } }, now);
    assert.equal(status.errorReason, 'InvalidConfiguration');
    assert.equal(status.errorMessage, 'spec.providerSpec.value.instanceType: "m9.huge" is not offered');
    assert.deepEqual(status.providerStatus, { instanceState: 'Unknown', vmState: 'Unknown', other: 1 });
  });

  it('writes addresses and providerStatus from an observation, and drops addresses the provider no longer reports', () => {
    const m = machine({ addresses: [{ type: 'InternalIP', address: '10.0.0.1' }], conditions: [...hooksTrue] });
    const withAddress = computeMachineStatus(m, { observation: { providerID: 'p', addresses: [{ type: 'InternalIP', address: '10.0.0.2' }], instanceState: 'running', providerStatus: { instanceId: 'i-1' } } }, now);
    assert.deepEqual(withAddress.status.addresses, [{ type: 'InternalIP', address: '10.0.0.2' }]);
    assert.deepEqual(withAddress.status.providerStatus, { instanceId: 'i-1' });
    const without = computeMachineStatus(m, { observation: { providerID: 'p', addresses: [], instanceState: 'pending' } }, now);
    assert.equal('addresses' in without.status, false);
  });

  it('keeps lastTransitionTime of a condition whose status does not flip', () => {
    const m = machine({ conditions: [...hooksTrue, { type: 'InstanceExists', status: 'False', reason: 'InstanceNotCreated', lastTransitionTime: t0 }] });
    const { status } = computeMachineStatus(m, { conditions: [{ type: 'InstanceExists', status: 'False', reason: 'InstanceMissing' }] }, now);
    assert.deepEqual(status.conditions?.find((c) => c.type === 'InstanceExists'), { type: 'InstanceExists', status: 'False', reason: 'InstanceMissing', lastTransitionTime: t0 });
  });
});
