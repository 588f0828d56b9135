import assert from 'node:assert/strict';
import type { MachineSet } from '../../api/machine-v1beta1.ts';
import { machineFromTemplate, validateMachineSet } from './validate.ts';

function machineSet(spec: MachineSet['spec']): MachineSet {
  return { metadata: { name: 'workers', namespace: 'openshift-machine-api', uid: 'ms-uid' }, spec };
}

const template = { metadata: { labels: { 'machine.openshift.io/cluster-api-machineset': 'workers', role: 'worker' } } };

describe('validateMachineSet', () => {
  const table: Array<{ name: string; spec: MachineSet['spec']; expected: string | undefined }> = [
    {
      name: 'accepts a selector that matches the template labels',
      spec: { replicas: 2, selector: { matchLabels: { 'machine.openshift.io/cluster-api-machineset': 'workers' } }, template },
      expected: undefined,
    },
    {
      name: 'rejects an empty selector',
      spec: { selector: {}, template },
      expected: 'spec.selector: Invalid value: {}: empty selector is not valid for MachineSet',
    },
    {
      name: 'rejects a selector that does not match the template labels',
      spec: { selector: { matchLabels: { role: 'infra' } }, template },
      expected: 'spec.selector: Invalid value: {"matchLabels":{"role":"infra"}}: selector does not match template labels',
    },
    {
      name: 'rejects an unknown selector operator with its field path',
      spec: { selector: { matchExpressions: [{ key: 'role', operator: 'Is' as 'In', values: ['worker'] }] }, template },
      expected: 'spec.selector.matchExpressions[0].operator: Invalid value: "Is": not a valid selector operator',
    },
    {
      name: 'rejects an invalid label value in matchLabels',
      spec: { selector: { matchLabels: { role: 'not ok' } }, template },
      expected:
        "spec.selector.matchLabels: Invalid value: \"not ok\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
    },
    {
      name: 'aggregates several errors in brackets',
      spec: { replicas: -1, minReadySeconds: -5, selector: { matchLabels: { role: 'worker' } }, template },
      expected: '[spec.replicas: Invalid value: -1: must be greater than or equal to 0, spec.minReadySeconds: Invalid value: -5: must be greater than or equal to 0]',
    },
  ];
  for (const { name, spec, expected } of table) {
    it(name, () => {
      const result = validateMachineSet(machineSet(spec));
      assert.deepEqual(result, expected === undefined ? undefined : { reason: 'InvalidConfiguration', message: expected });
    });
  }
});

describe('machineFromTemplate', () => {
  it('stamps a Machine with generateName, template metadata and spec, the finalizer and a controller reference', () => {
    const ms = machineSet({
      selector: { matchLabels: { role: 'worker' } },
      template: {
        metadata: { name: 'ignored', labels: { role: 'worker' }, annotations: { note: 'x' } },
        spec: { providerSpec: { value: { kind: 'AWSMachineProviderConfig', instanceType: 'm5.large' } }, taints: [{ key: 'k', effect: 'NoSchedule' }] },
      },
    });
    const machine = machineFromTemplate(ms);
    assert.deepEqual(machine, {
      apiVersion: 'machine.openshift.io/v1beta1',
      kind: 'Machine',
      metadata: {
        generateName: 'workers-',
        namespace: 'openshift-machine-api',
        labels: { role: 'worker' },
        annotations: { note: 'x' },
        finalizers: ['machine.machine.openshift.io'],
        ownerReferences: [
          { apiVersion: 'machine.openshift.io/v1beta1', kind: 'MachineSet', name: 'workers', uid: 'ms-uid', controller: true, blockOwnerDeletion: true },
        ],
      },
      spec: { providerSpec: { value: { kind: 'AWSMachineProviderConfig', instanceType: 'm5.large' } }, taints: [{ key: 'k', effect: 'NoSchedule' }] },
    });
    assert.notEqual(machine.spec, ms.spec?.template?.spec, 'the template is copied, not shared');
  });

  it('leaves labels and annotations out when the template has none', () => {
    const machine = machineFromTemplate(machineSet({ selector: { matchLabels: { a: 'b' } } }));
    assert.equal(machine.metadata.labels, undefined);
    assert.equal(machine.metadata.annotations, undefined);
    assert.deepEqual(machine.spec, {});
  });
});
