import assert from 'node:assert/strict';
import { CLUSTER_ID_LABEL, type Machine } from '../../api/machine-v1beta1.ts';
import { formatValidationErrors, machineValidationErrors } from './validate.ts';

const LABEL_ERROR = `metadata.labels[${CLUSTER_ID_LABEL}]: Required value: missing ${CLUSTER_ID_LABEL} label.`;
const SPEC_ERROR = 'spec.providerSpec.value: Required value: value must be provided';

describe('machine validation', () => {
  const cases: Array<[string, Machine, string[]]> = [
    ['accepts a Machine with the cluster-ID label and a providerSpec', { metadata: { labels: { [CLUSTER_ID_LABEL]: 'c' } }, spec: { providerSpec: { value: { kind: 'K' } } } }, []],
    ['requires the cluster-ID label', { metadata: {}, spec: { providerSpec: { value: { kind: 'K' } } } }, [LABEL_ERROR]],
    ['rejects an empty cluster-ID label', { metadata: { labels: { [CLUSTER_ID_LABEL]: '' } }, spec: { providerSpec: { value: {} } } }, [LABEL_ERROR]],
    ['requires providerSpec.value, naming the field', { metadata: { labels: { [CLUSTER_ID_LABEL]: 'c' } }, spec: {} }, [SPEC_ERROR]],
    ['reports every problem of a Machine without spec', { metadata: {} }, [LABEL_ERROR, SPEC_ERROR]],
  ];
  for (const [name, machine, expected] of cases) {
    it(name, () => assert.deepEqual(machineValidationErrors(machine), expected));
  }

  it('formats one error alone and several as an aggregate', () => {
    assert.equal(formatValidationErrors(['a']), 'a');
    assert.equal(formatValidationErrors(['a', 'b']), '[a, b]');
  });
});
