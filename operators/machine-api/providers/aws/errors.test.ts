import assert from 'node:assert/strict';
import { EC2ServiceException } from '@aws-sdk/client-ec2';
import { TerminalError } from '../../../runtime/errors.ts';
import { toActuatorError } from './errors.ts';

function ec2Error(code: string, status: number, message: string): EC2ServiceException {
  return new EC2ServiceException({ name: code, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status }, message });
}

describe('EC2 error classification', function () {
  const terminal: ReadonlyArray<{ code: string; status: number; message: string; expected: string }> = [
    { code: 'InvalidAMIID.NotFound', status: 400, message: "The image id '[ami-1]' does not exist", expected: "spec.providerSpec.value.ami.id: EC2 rejected RunInstances (InvalidAMIID.NotFound): The image id '[ami-1]' does not exist" },
    { code: 'InvalidSubnetID.NotFound', status: 400, message: 'no subnet', expected: 'spec.providerSpec.value.subnet: EC2 rejected RunInstances (InvalidSubnetID.NotFound): no subnet' },
    { code: 'InvalidParameterValue', status: 400, message: 'Invalid IAM Instance Profile name', expected: 'spec.providerSpec.value.iamInstanceProfile: EC2 rejected RunInstances (InvalidParameterValue): Invalid IAM Instance Profile name' },
    { code: 'Unsupported', status: 400, message: 'The requested configuration is currently not supported.', expected: 'spec.providerSpec.value: EC2 rejected RunInstances (Unsupported): The requested configuration is currently not supported.' },
  ];
  for (const { code, status, message, expected } of terminal) {
    it(`makes ${code} an InvalidConfiguration naming the field`, function () {
      const err = toActuatorError(ec2Error(code, status, message), 'RunInstances');
      assert.ok(err instanceof TerminalError);
      assert.equal(err.reason, 'InvalidConfiguration');
      assert.equal(err.message, expected);
    });
  }

  const transient: ReadonlyArray<{ code: string; status: number; expected: string }> = [
    { code: 'RequestLimitExceeded', status: 503, expected: 'EC2 throttled the request (RequestLimitExceeded) on RunInstances; retrying' },
    { code: 'InsufficientInstanceCapacity', status: 500, expected: 'EC2 has no capacity for RunInstances (InsufficientInstanceCapacity): m; retrying' },
    { code: 'VcpuLimitExceeded', status: 400, expected: 'EC2 quota reached on RunInstances (VcpuLimitExceeded): m; retrying (raise the quota)' },
    { code: 'AuthFailure', status: 401, expected: 'EC2 rejected the credentials on RunInstances (AuthFailure): m; check the credentials Secret' },
    { code: 'InternalError', status: 500, expected: 'EC2 RunInstances failed (InternalError, HTTP 500): m; retrying' },
    { code: 'SomethingNew', status: 400, expected: 'EC2 RunInstances failed (SomethingNew, HTTP 400): m' },
  ];
  for (const { code, status, expected } of transient) {
    it(`keeps ${code} transient with a clear message`, function () {
      const err = toActuatorError(ec2Error(code, status, 'm'), 'RunInstances');
      assert.ok(err instanceof Error && !(err instanceof TerminalError));
      assert.equal(err.message, expected);
    });
  }

  it('keeps network failures transient and says which call failed', function () {
    const err = toActuatorError(new Error('connect ECONNREFUSED 127.0.0.1:1'), 'DescribeInstances') as Error;
    assert.equal(err.message, 'EC2 DescribeInstances failed: connect ECONNREFUSED 127.0.0.1:1');
  });
});
