import assert from 'node:assert/strict';
import { RequeueAfter, TerminalError } from '../../../runtime/errors.ts';
import { toActuatorError } from './errors.ts';

/** What core-rest-pipeline's RestError carries (the provider duck-types it). */
function restError(status: number, code: string, message: string, retryAfter?: string): Error {
  return Object.assign(new Error(message), { name: 'RestError', statusCode: status, code, response: { headers: { get: (h: string) => (h === 'retry-after' ? retryAfter : undefined) } } });
}

const OP = 'PUT virtualMachines/w-1';

describe('ARM error classification', function () {
  const terminal: ReadonlyArray<{ err: Error; expected: string }> = [
    { err: restError(400, 'InvalidParameter', "The value of parameter imageReference.publisher is invalid."), expected: `spec.providerSpec.value.image: Azure rejected ${OP} (InvalidParameter): The value of parameter imageReference.publisher is invalid.` },
    { err: restError(404, 'ResourceGroupNotFound', "Resource group 'x' could not be found."), expected: `spec.providerSpec.value.resourceGroup: Azure rejected ${OP} (ResourceGroupNotFound): Resource group 'x' could not be found.` },
    { err: restError(409, 'OperationNotAllowed', 'The requested size for resource is currently not supported with accelerated networking.'), expected: `spec.providerSpec.value.acceleratedNetworking: Azure rejected ${OP} (OperationNotAllowed): The requested size for resource is currently not supported with accelerated networking.` },
    { err: restError(400, 'BadRequest', 'Something else.'), expected: `spec.providerSpec.value: Azure rejected ${OP} (BadRequest): Something else.` },
    { err: new Error('The long-running operation has failed. InvalidParameter. The VM size Standard_X is not valid.'), expected: `spec.providerSpec.value.vmSize: Azure rejected ${OP} (InvalidParameter): The VM size Standard_X is not valid.` },
  ];
  for (const { err, expected } of terminal) {
    it(`makes ${(err as { code?: string }).code ?? 'a failed operation'} an InvalidConfiguration naming the field`, function () {
      const out = toActuatorError(err, OP);
      assert.ok(out instanceof TerminalError, String(out));
      assert.equal(out.reason, 'InvalidConfiguration');
      assert.equal(out.message, expected);
    });
  }

  const transient: ReadonlyArray<{ err: Error; expected: string }> = [
    { err: restError(500, 'InternalServerError', 'm'), expected: `Azure ${OP} failed (InternalServerError, HTTP 500): m; retrying` },
    { err: restError(409, 'OperationNotAllowed', 'Operation results in exceeding quota limits of Core.'), expected: `Azure quota reached on ${OP} (OperationNotAllowed): Operation results in exceeding quota limits of Core.; retrying (raise the quota)` },
    { err: restError(409, 'ZonalAllocationFailed', 'm'), expected: `Azure has no capacity for ${OP} (ZonalAllocationFailed): m; retrying` },
    { err: restError(409, 'SkuNotAvailable', 'm'), expected: `Azure has no capacity for ${OP} (SkuNotAvailable): m; retrying` },
    { err: restError(401, 'InvalidAuthenticationToken', 'm'), expected: `Azure rejected the credentials on ${OP} (InvalidAuthenticationToken, HTTP 401): m; check the credentials Secret and the principal's role assignments` },
    { err: restError(403, 'AuthorizationFailed', 'm'), expected: `Azure rejected the credentials on ${OP} (AuthorizationFailed, HTTP 403): m; check the credentials Secret and the principal's role assignments` },
    { err: restError(409, 'AnotherOperationInProgress', 'm'), expected: `Azure ${OP} conflicts with an operation in progress (AnotherOperationInProgress): m; retrying` },
    { err: new Error('The long-running operation has failed. InternalExecutionError. m'), expected: `Azure ${OP} failed (InternalExecutionError): m; retrying` },
    { err: new Error('connect ECONNREFUSED 127.0.0.1:1'), expected: `Azure ${OP} failed: connect ECONNREFUSED 127.0.0.1:1` },
  ];
  for (const { err, expected } of transient) {
    it(`keeps "${expected.slice(0, 60)}…" transient`, function () {
      const out = toActuatorError(err, OP);
      assert.ok(out instanceof Error && !(out instanceof TerminalError) && !(out instanceof RequeueAfter), String(out));
      assert.equal(out.message, expected);
    });
  }

  it('waits Retry-After on a 429, and 30 s without one', function () {
    const told = toActuatorError(restError(429, 'TooManyRequests', 'm', '12'), OP);
    assert.ok(told instanceof RequeueAfter);
    assert.equal(told.afterMs, 12_000);
    const untold = toActuatorError(restError(429, 'TooManyRequests', 'm'), OP);
    assert.ok(untold instanceof RequeueAfter);
    assert.equal(untold.afterMs, 30_000);
  });
});
