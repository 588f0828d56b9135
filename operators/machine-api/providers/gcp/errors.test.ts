import assert from 'node:assert/strict';
import { TerminalError } from '../../../runtime/errors.ts';
import type { Operation } from './client.ts';
import { operationError, toActuatorError } from './errors.ts';
import { parseGcpProviderSpec } from './provider-spec.ts';

/** What google-gax 6's REST transport throws: a gRPC `code` and the HTTP status. */
function gaxError(httpStatusCode: number, code: number, message: string): Error {
  return Object.assign(new Error(message), { code, httpStatusCode });
}

const spec = parseGcpProviderSpec({
  kind: 'GCPMachineProviderSpec', machineType: 'n2-standard-4', region: 'us-central1', zone: 'us-central1-a', credentialsSecret: { name: 'c' },
  disks: [{ boot: true, image: 'rhcos-9' }, { image: 'projects/p/global/images/data' }],
  networkInterfaces: [{ network: 'net', subnetwork: 'sub' }],
});

describe('Compute Engine error classification', function () {
  const terminal: ReadonlyArray<{ status: number; message: string; expected: string }> = [
    { status: 400, message: "Invalid value for field 'resource.machineType': 'zones/us-central1-a/machineTypes/n9'. Machine type with name 'n9' does not exist in zone 'us-central1-a'.", expected: "spec.providerSpec.value.machineType: GCE rejected instances.insert (HTTP 400): Invalid value for field 'resource.machineType': 'zones/us-central1-a/machineTypes/n9'. Machine type with name 'n9' does not exist in zone 'us-central1-a'." },
    { status: 404, message: "The resource 'projects/p/global/images/data' was not found", expected: "spec.providerSpec.value.disks[1].image: GCE rejected instances.insert (HTTP 404): The resource 'projects/p/global/images/data' was not found" },
    { status: 404, message: "The resource 'projects/p/global/networks/net' was not found", expected: "spec.providerSpec.value.networkInterfaces[0].network: GCE rejected instances.insert (HTTP 404): The resource 'projects/p/global/networks/net' was not found" },
    { status: 400, message: "Invalid value for field 'resource.disks[0].initializeParams.diskSizeGb': '8'. Requested disk size cannot be smaller than the image size (16 GB)", expected: "spec.providerSpec.value.disks[0].sizeGb: GCE rejected instances.insert (HTTP 400): Invalid value for field 'resource.disks[0].initializeParams.diskSizeGb': '8'. Requested disk size cannot be smaller than the image size (16 GB)" },
    { status: 400, message: "Invalid value for field 'resource.name': 'Worker_A'.", expected: "metadata.name: GCE rejected instances.insert (HTTP 400): Invalid value for field 'resource.name': 'Worker_A'." },
    { status: 400, message: 'Something GCE has never said before.', expected: 'spec.providerSpec.value: GCE rejected instances.insert (HTTP 400): Something GCE has never said before.' },
  ];
  for (const { status, message, expected } of terminal) {
    it(`makes HTTP ${status} "${message.slice(0, 50)}…" an InvalidConfiguration naming the field`, function () {
      const err = toActuatorError(gaxError(status, status === 404 ? 5 : 3, message), 'instances.insert', spec);
      assert.ok(err instanceof TerminalError);
      assert.equal(err.reason, 'InvalidConfiguration');
      assert.equal(err.message, expected);
    });
  }

  const transient: ReadonlyArray<{ status: number; message: string; expected: string }> = [
    { status: 429, message: 'Rate Limit Exceeded', expected: 'GCE throttled the request (HTTP 429) on instances.insert: Rate Limit Exceeded; retrying' },
    { status: 403, message: 'Rate Limit Exceeded', expected: 'GCE quota or rate limit reached on instances.insert (HTTP 403): Rate Limit Exceeded; retrying' },
    { status: 403, message: "Required 'compute.instances.create' permission", expected: "GCE rejected the credentials on instances.insert (HTTP 403): Required 'compute.instances.create' permission; check the credentials Secret and the service account's roles" },
    { status: 503, message: 'unavailable', expected: 'GCE instances.insert failed (HTTP 503): unavailable; retrying' },
    { status: 400, message: "The resource 'projects/p/zones/z/instances/w' is not ready", expected: "GCE instances.insert: The resource 'projects/p/zones/z/instances/w' is not ready; retrying" },
    { status: 409, message: 'already exists', expected: 'GCE instances.insert failed (HTTP 409): already exists' },
  ];
  for (const { status, message, expected } of transient) {
    it(`keeps HTTP ${status} "${message}" transient with a clear message`, function () {
      const err = toActuatorError(gaxError(status, 0, message), 'instances.insert', spec);
      assert.ok(err instanceof Error && !(err instanceof TerminalError));
      assert.equal(err.message, expected);
    });
  }

  it('reads gax 5 errors, whose code is the HTTP status', function () {
    assert.ok(toActuatorError(Object.assign(new Error('bad'), { code: 400 }), 'instances.insert') instanceof TerminalError);
  });

  it('keeps network failures and call timeouts transient and says which call failed', function () {
    assert.equal((toActuatorError(new Error('connect ECONNREFUSED 127.0.0.1:1'), 'instances.list') as Error).message, 'GCE instances.list failed: connect ECONNREFUSED 127.0.0.1:1');
    assert.equal((toActuatorError(Object.assign(new Error('Total timeout exceeded'), { code: 4 }), 'instances.list') as Error).message, 'GCE instances.list timed out; retrying');
  });

  const operations: ReadonlyArray<{ code: string; status: number; terminal: boolean; expected: string }> = [
    { code: 'QUOTA_EXCEEDED', status: 403, terminal: false, expected: "GCE quota reached on instances.insert (operation op-1) (QUOTA_EXCEEDED): Quota 'CPUS' exceeded.; retrying (raise the quota)" },
    { code: 'ZONE_RESOURCE_POOL_EXHAUSTED_WITH_DETAILS', status: 503, terminal: false, expected: 'GCE has no capacity for instances.insert (operation op-1) (ZONE_RESOURCE_POOL_EXHAUSTED_WITH_DETAILS): m; retrying' },
    { code: 'SOMETHING_NEW', status: 500, terminal: false, expected: 'GCE instances.insert (operation op-1) failed (SOMETHING_NEW, HTTP 500): m; retrying' },
    { code: 'INVALID_USAGE', status: 400, terminal: true, expected: 'spec.providerSpec.value: GCE rejected instances.insert (operation op-1) (INVALID_USAGE): m' },
    { code: 'RESOURCE_NOT_FOUND', status: 404, terminal: true, expected: "spec.providerSpec.value.disks[0].image: GCE rejected instances.insert (operation op-1) (RESOURCE_NOT_FOUND): The resource 'projects/p/global/images/rhcos-9' was not found" },
    { code: 'SOMETHING_ELSE', status: 400, terminal: true, expected: 'spec.providerSpec.value: GCE rejected instances.insert (operation op-1) (SOMETHING_ELSE): m' },
  ];
  for (const { code, status, terminal: isTerminal, expected } of operations) {
    it(`makes a DONE operation with ${code} (HTTP ${status}) ${isTerminal ? 'terminal' : 'transient'}`, function () {
      const message = code === 'QUOTA_EXCEEDED' ? "Quota 'CPUS' exceeded." : code === 'RESOURCE_NOT_FOUND' ? "The resource 'projects/p/global/images/rhcos-9' was not found" : 'm';
      const op: Operation = { name: 'op-1', status: 'DONE', httpErrorStatusCode: status, error: { errors: [{ code, message }] } };
      const err = operationError(op, 'instances.insert', spec);
      assert.equal(err instanceof TerminalError, isTerminal);
      assert.equal(err.message, expected);
    });
  }
});
