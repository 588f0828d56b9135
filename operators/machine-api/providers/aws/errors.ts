// The one place that knows EC2's error codes (shared/STYLE.md "Errors"). Only codes that retrying cannot fix
// become TerminalError InvalidConfiguration (the Machine goes Failed), with the cloud's own message under the
// providerSpec field it is about. Throttling, 5xx, capacity and quota errors stay transient, so the
// controller's per-key backoff retries them: unlike MAO's "RunInstances 4xx ⇒ Failed", which fails Machines on
// VcpuLimitExceeded, and unlike its launch path, which fails them on a throttled DescribeSubnets
// (shared/reference/machine-api.md §2.1 "Error classification", §6 item 8, §8 notes 3 and 5).
import { TerminalError } from '../../../runtime/errors.ts';
import { PROVIDER_SPEC_PATH } from './provider-spec.ts';

/** What an AWS SDK v3 service error carries (EC2 query protocol: `name` is the <Code> of the error body). */
interface ServiceError {
  readonly name: string;
  readonly message: string;
  readonly $metadata: { readonly httpStatusCode?: number };
}

function asServiceError(err: unknown): ServiceError | undefined {
  if (!(err instanceof Error)) return undefined;
  const meta = (err as { $metadata?: unknown }).$metadata;
  return typeof meta === 'object' && meta !== null ? (err as unknown as ServiceError) : undefined;
}

/** The EC2 error code of `err`, if it is an EC2 answer. */
export function ec2ErrorCode(err: unknown): string | undefined {
  return asServiceError(err)?.name;
}

/** DescribeInstances/TerminateInstances naming an instance EC2 does not know (never made, or long gone). */
export function isInstanceNotFound(err: unknown): boolean {
  return ec2ErrorCode(err) === 'InvalidInstanceID.NotFound';
}

// Permanent codes, each with the providerSpec field it is about ('' = the cloud's message names the field).
const TERMINAL_CODES: ReadonlyArray<readonly [RegExp, string]> = [
  [/^InvalidAMIID\./, 'ami.id'],
  [/^InvalidInstanceType/, 'instanceType'],
  [/^InvalidSubnetID\.|^InvalidSubnet$/, 'subnet'],
  [/^InvalidGroup\.|^InvalidSecurityGroupID\./, 'securityGroups'],
  [/^InvalidKeyPair\./, 'keyName'],
  [/^InvalidBlockDeviceMapping$|^InvalidKMSKey\.|^InvalidVolumeType/, 'blockDevices'],
  [/^InvalidPlacementGroup\./, 'placementGroupName'],
  [/^InvalidCapacityReservationId\./, 'capacityReservationId'],
  [/^InvalidUserData\./, 'userDataSecret'],
  [/^InvalidAvailabilityZone$/, 'placement.availabilityZone'],
  [/^(InvalidParameterValue|InvalidParameter|InvalidParameterCombination|MissingParameter|Unsupported|UnsupportedOperation|InvalidVpcID\.NotFound|VPCIdNotSpecified|IdempotentParameterMismatch)$/, ''],
];

// For the generic codes, the message usually says what it is about.
const MESSAGE_FIELDS: ReadonlyArray<readonly [RegExp, string]> = [
  [/instance ?type/i, 'instanceType'],
  [/iam ?instance ?profile|instance profile/i, 'iamInstanceProfile'],
  [/availability ?zone/i, 'placement.availabilityZone'],
  [/\bimage\b|\bami\b/i, 'ami.id'],
  [/subnet/i, 'subnet'],
  [/security ?group/i, 'securityGroups'],
  [/spot|max ?price/i, 'spotMarketOptions'],
  [/tenancy/i, 'placement.tenancy'],
];

const THROTTLING = new Set(['RequestLimitExceeded', 'Throttling', 'ThrottlingException', 'RequestThrottled']);
const CAPACITY = /^Insufficient\w*Capacity$/;
const CREDENTIALS = new Set(['AuthFailure', 'UnauthorizedOperation', 'InvalidClientTokenId', 'SignatureDoesNotMatch', 'OptInRequired', 'Blocked']);

/**
 * `err` from an EC2 call (`operation`, e.g. "RunInstances"), as the actuator throws it: TerminalError for a
 * known-permanent code, otherwise an Error (transient) whose message says what happened.
 */
export function toActuatorError(err: unknown, operation: string): unknown {
  if (err instanceof TerminalError) return err;
  const e = asServiceError(err);
  if (!e) {
    // Network failures, aborts, unparseable answers: transient as they are, but say which call.
    if ((err as Error)?.name === 'AbortError') return err;
    return new Error(`EC2 ${operation} failed: ${(err as Error)?.message ?? String(err)}`, { cause: err });
  }
  const code = e.name;
  const status = e.$metadata.httpStatusCode;
  if (THROTTLING.has(code)) return new Error(`EC2 throttled the request (${code}) on ${operation}; retrying`, { cause: err });
  if (CAPACITY.test(code)) return new Error(`EC2 has no capacity for ${operation} (${code}): ${e.message}; retrying`, { cause: err });
  // Quotas (VcpuLimitExceeded, InstanceLimitExceeded…) can be raised without touching the Machine.
  if (code.endsWith('LimitExceeded')) return new Error(`EC2 quota reached on ${operation} (${code}): ${e.message}; retrying (raise the quota)`, { cause: err });
  // Credentials can be fixed in their Secret, and a Machine must stay deletable meanwhile (§6 item 6).
  if (CREDENTIALS.has(code)) return new Error(`EC2 rejected the credentials on ${operation} (${code}): ${e.message}; check the credentials Secret`, { cause: err });
  if (status !== undefined && status >= 500) return new Error(`EC2 ${operation} failed (${code}, HTTP ${status}): ${e.message}; retrying`, { cause: err });
  const terminal = TERMINAL_CODES.find(([pattern]) => pattern.test(code));
  if (terminal) {
    const field = terminal[1] || MESSAGE_FIELDS.find(([pattern]) => pattern.test(e.message))?.[1];
    const path = field ? `${PROVIDER_SPEC_PATH}.${field}` : PROVIDER_SPEC_PATH;
    return new TerminalError('InvalidConfiguration', `${path}: EC2 rejected ${operation} (${code}): ${e.message}`, { cause: err });
  }
  return new Error(`EC2 ${operation} failed (${code}${status ? `, HTTP ${status}` : ''}): ${e.message}`, { cause: err });
}
