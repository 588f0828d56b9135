import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import type { Machine, MachineSet } from '../api/machine-v1beta1.ts';
import type { Store } from '../runtime/cache.ts';
import { machineApiMetrics } from './metrics.ts';

function store<T>(items: T[], synced = true): Store<T> {
  return {
    get: () => undefined,
    list: () => items,
    byIndex: () => [],
    synced,
    waitForSync: async () => {},
  };
}

describe('Machine API metrics', () => {
  it('registers each metric once per registry and hands every caller the same set', () => {
    const registry = new Registry();
    assert.equal(machineApiMetrics(registry), machineApiMetrics(registry));
    assert.notEqual(machineApiMetrics(registry), machineApiMetrics(new Registry()));
    const names = registry.getMetricsAsArray().map((m) => m.name).sort();
    assert.deepEqual(names, [
      'mapi_instance_create_failed',
      'mapi_instance_delete_failed',
      'mapi_instance_update_failed',
      'mapi_machine_created_timestamp_seconds',
      'mapi_machine_items',
      'mapi_machine_phase_transition_seconds',
      'mapi_machine_set_status_replicas',
      'mapi_machine_set_status_replicas_available',
      'mapi_machine_set_status_replicas_ready',
      'mapi_machinehealthcheck_nodes_covered',
      'mapi_machinehealthcheck_remediation_success_total',
      'mapi_machinehealthcheck_short_circuit',
      'mapi_machineset_created_timestamp_seconds',
      'mapi_machineset_items',
      'mapi_mao_collector_up',
    ]);
  });

  it('computes the inventory gauges from the caches at scrape time', async () => {
    const registry = new Registry();
    const machine: Machine = {
      apiVersion: 'machine.openshift.io/v1beta1',
      metadata: { name: 'w-1', namespace: 'ns', creationTimestamp: '2026-08-01T00:00:10Z' },
      spec: { providerID: 'fake:///1' },
      status: { phase: 'Running', nodeRef: { name: 'node-1' } },
    };
    const machineSet: MachineSet = { metadata: { name: 'w', namespace: 'ns' }, status: { replicas: 3, readyReplicas: 2, availableReplicas: 1 } };
    machineApiMetrics(registry).setInventory({ machines: store([machine]), machineSets: store([machineSet], false) });
    const text = await registry.metrics();
    assert.match(text, /^mapi_machine_items 1$/m);
    assert.match(text, /^mapi_machine_created_timestamp_seconds\{name="w-1",namespace="ns",spec_provider_id="fake:\/\/\/1",node="node-1",api_version="machine.openshift.io\/v1beta1",phase="Running"\} 1785542410$/m);
    assert.match(text, /^mapi_mao_collector_up\{kind="mapi_machine_items"\} 1$/m);
    assert.match(text, /^mapi_mao_collector_up\{kind="mapi_machineset_items"\} 0$/m, 'an unsynced cache is reported as not collected');
    assert.doesNotMatch(text, /^mapi_machine_set_status_replicas\{/m);
  });
});
