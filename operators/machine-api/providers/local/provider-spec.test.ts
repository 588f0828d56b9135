import assert from 'node:assert/strict';
import { TerminalError } from '../../../runtime/errors.ts';
import { parseLocalProviderSpec } from './provider-spec.ts';

const base = { apiVersion: 'machine.openshift.io/v1beta1', kind: 'LocalMachineProviderSpec' };

describe('parseLocalProviderSpec', () => {
  it('defaults everything but the kind', () => {
    assert.deepEqual(parseLocalProviderSpec({ kind: 'LocalMachineProviderSpec' }), {
      instanceType: 'local.medium', region: 'local', zone: 'local-a', bootDelaySeconds: 0, neverReady: false, failToJoin: false,
    });
  });

  it('keeps every field it is given, and ignores the metadata serializers add', () => {
    const value = { ...base, metadata: { creationTimestamp: null }, instanceType: 'local.large', region: 'r', zone: 'z', image: 'rhcos-4.2.0', osImage: 'OS', bootDelaySeconds: 5, neverReady: true, notReadyAfterSeconds: 30, failToJoin: true };
    assert.deepEqual(parseLocalProviderSpec(value), { instanceType: 'local.large', region: 'r', zone: 'z', image: 'rhcos-4.2.0', osImage: 'OS', bootDelaySeconds: 5, neverReady: true, notReadyAfterSeconds: 30, failToJoin: true });
  });

  it('rejects invalid values as InvalidConfiguration naming the full field path', () => {
    const cases: Array<[unknown, string]> = [
      [undefined, 'spec.providerSpec.value: Required value'],
      ['text', 'spec.providerSpec.value: Invalid value: "text": must be an object'],
      [{ apiVersion: 'v1' }, '[spec.providerSpec.value.apiVersion: Unsupported value: "v1": supported values: "machine.openshift.io/v1beta1", spec.providerSpec.value.kind: Required value]'],
      [{ ...base, kind: 'AWSMachineProviderConfig' }, 'spec.providerSpec.value.kind: Unsupported value: "AWSMachineProviderConfig": supported values: "LocalMachineProviderSpec"'],
      [{ ...base, bootDelaySeconds: -1 }, 'spec.providerSpec.value.bootDelaySeconds: Invalid value: -1: must be greater than or equal to 0'],
      [{ ...base, bootDelaySeconds: 1.5 }, 'spec.providerSpec.value.bootDelaySeconds: Invalid value: 1.5: must be an integer'],
      [{ ...base, notReadyAfterSeconds: 0 }, 'spec.providerSpec.value.notReadyAfterSeconds: Invalid value: 0: must be greater than or equal to 1'],
      [{ ...base, neverReady: 'yes' }, 'spec.providerSpec.value.neverReady: Invalid value: "yes": must be a boolean'],
      [{ ...base, instanceType: '' }, 'spec.providerSpec.value.instanceType: Invalid value: "": must be a non-empty string'],
      [{ ...base, image: 42 }, 'spec.providerSpec.value.image: Invalid value: 42: must be a non-empty string'],
      [{ ...base, instanceTyp: 'local.small' }, 'unknown field "spec.providerSpec.value.instanceTyp"'],
      [{ ...base, zone: 3, failToJoin: 1 }, '[spec.providerSpec.value.zone: Invalid value: 3: must be a non-empty string, spec.providerSpec.value.failToJoin: Invalid value: 1: must be a boolean]'],
    ];
    for (const [value, message] of cases) {
      assert.throws(() => parseLocalProviderSpec(value), (err: unknown) => {
        assert.ok(err instanceof TerminalError, message);
        assert.equal(err.reason, 'InvalidConfiguration');
        assert.equal(err.message, message);
        return true;
      });
    }
  });
});
