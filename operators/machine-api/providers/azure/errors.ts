// The one place that knows ARM error codes (shared/STYLE.md "Errors"). MAO's Azure rule is "any ARM 4xx except
// 401 ⇒ InvalidConfiguration" (shared/reference/machine-api.md §2.3 "Errors"), which fails Machines on quota and
// capacity errors that clear by themselves (§6 item 8, §8 note 3). Here:
//   - 429 is an expected wait: RequeueAfter the Retry-After ARM gives (ARM throttles per subscription and
//     principal; retrying sooner only burns more of the bucket);
//   - 5xx, network failures, 409 "another operation in progress", quota (QuotaExceeded, OperationNotAllowed about a
//     quota) and capacity (AllocationFailed, ZonalAllocationFailed, Overconstrained…, SkuNotAvailable) stay
//     transient. SkuNotAvailable is transient on purpose: Azure uses it for "capacity restrictions" on a size in a
//     region or zone that lift again; a size that does not exist at all is InvalidParameter (terminal, vmSize);
//   - 401 and 403 stay transient too: credentials rotate (CCO), and a fresh role assignment takes minutes to
//     propagate; a Machine failed for that would never be retried (§6 items 1 and 6). This departs from MAO,
//     which retries only 401;
//   - every other 4xx is terminal InvalidConfiguration, under the providerSpec field it is about.
// An asynchronous operation that ended Failed reaches us as core-lro's plain Error("The long-running operation
// has failed. <code>. <message>"), with no status: its code is classified the same way, and unknown codes stay
// transient (there is no 4xx to go by).
import { RequeueAfter, TerminalError } from '../../../runtime/errors.ts';
import { PROVIDER_SPEC_PATH } from './provider-spec.ts';

/** What an ARM failure carries, from a RestError or a failed long-running operation. */
export interface ArmError {
  readonly code: string;
  readonly message: string;
  /** Absent for a failed asynchronous operation. */
  readonly status?: number;
  readonly retryAfterMs?: number;
}

/** How long to wait on a 429 without a usable Retry-After, in ms. */
export const DEFAULT_THROTTLE_WAIT_MS = 30_000;

const LRO_FAILED = /^The long-running operation has failed\. ([^.]+)\. ([\s\S]*)$/;

/** The ARM error in `err`, if it is one (duck-typed: core-rest-pipeline's RestError is not a direct dependency). */
export function armErrorOf(err: unknown): ArmError | undefined {
  if (!(err instanceof Error)) return undefined;
  const e = err as Error & { statusCode?: unknown; code?: unknown; response?: { headers?: { get(name: string): string | undefined } } };
  if (e.name === 'RestError' && typeof e.statusCode === 'number') {
    const retryAfter = Number(e.response?.headers?.get('retry-after'));
    return {
      code: typeof e.code === 'string' && e.code !== '' ? e.code : `HTTP${e.statusCode}`,
      message: e.message,
      status: e.statusCode,
      ...(Number.isFinite(retryAfter) && retryAfter >= 0 ? { retryAfterMs: retryAfter * 1000 } : {}),
    };
  }
  const lro = LRO_FAILED.exec(e.message);
  return lro ? { code: lro[1], message: lro[2] } : undefined;
}

/** A GET or DELETE answered 404 (ResourceNotFound, NotFound, ResourceGroupNotFound…). */
export function isNotFound(err: unknown): boolean {
  return armErrorOf(err)?.status === 404;
}

const CAPACITY = new Set(['AllocationFailed', 'ZonalAllocationFailed', 'OverconstrainedAllocationRequest', 'OverconstrainedZonalAllocationRequest', 'SkuNotAvailable', 'AllocationTimedout']);
const IN_PROGRESS = new Set(['Conflict', 'AnotherOperationInProgress', 'OperationPreempted', 'RetryableError', 'ConcurrentRequestsLimitExceeded']);
const QUOTA_CODES = new Set(['QuotaExceeded', 'SubscriptionRequestsThrottled', 'ResourceQuotaExceeded']);

// Codes that always mean one providerSpec field.
const CODE_FIELDS: Readonly<Record<string, string>> = {
  ResourceGroupNotFound: 'resourceGroup',
  ImageNotFound: 'image',
  PlatformImageNotFound: 'image',
  InvalidImageReference: 'image',
  VMMarketplaceInvalidInput: 'image',
  MarketplacePurchaseEligibilityFailed: 'image',
  LocationNotAvailableForResourceType: 'location',
  NoRegisteredProviderFound: 'location',
  InvalidSubnet: 'subnet',
  SubnetNotFound: 'subnet',
  VMSizeDoesntSupportAcceleratedNetworking: 'acceleratedNetworking',
};

// For generic codes (InvalidParameter, InvalidResourceReference, BadRequest…), what the message is about. ARM's
// messages name the property or the referenced resource ID; the first match wins.
const MESSAGE_FIELDS: ReadonlyArray<readonly [RegExp, string]> = [
  [/\/subnets\/|\bsubnet\b/i, 'subnet'],
  [/\/networkSecurityGroups\//i, 'securityGroup'],
  [/\/applicationSecurityGroups\//i, 'applicationSecurityGroups'],
  [/\/loadBalancers\//i, 'publicLoadBalancer'],
  [/\/availabilitySets\/|availability set/i, 'availabilitySet'],
  [/\/userAssignedIdentities\/|managed identity/i, 'managedIdentity'],
  [/\/capacityReservationGroups\//i, 'capacityReservationGroupID'],
  [/\/diskEncryptionSets\//i, 'osDisk.managedDisk.diskEncryptionSet'],
  [/vmSize|VM size|virtual machine size/i, 'vmSize'],
  [/\bimage|imageReference|\boffer\b|\bpublisher\b/i, 'image'],
  [/osDisk|OS disk|diskSizeGB/i, 'osDisk'],
  [/dataDisk|\blun\b/i, 'dataDisks'],
  [/\bzones?\b/i, 'zone'],
  [/customData/i, 'userDataSecret'],
  [/sshPublicKey|ssh key/i, 'sshPublicKey'],
  [/securityProfile|securityType|TrustedLaunch|ConfidentialVM|encryptionAtHost/i, 'securityProfile'],
  [/billingProfile|maxPrice|\bspot\b|priority/i, 'spotVMOptions'],
  [/accelerated ?networking/i, 'acceleratedNetworking'],
  [/location|region/i, 'location'],
];

/**
 * `err` from an ARM call (`operation`, e.g. "PUT virtualMachines/worker-a"), as the actuator throws it:
 * TerminalError for a permanent failure, RequeueAfter for throttling, otherwise an Error (transient) that says
 * what happened.
 */
export function toActuatorError(err: unknown, operation: string): unknown {
  if (err instanceof TerminalError || err instanceof RequeueAfter) return err;
  const e = armErrorOf(err);
  if (!e) {
    if ((err as Error)?.name === 'AbortError') return err;
    return new Error(`Azure ${operation} failed: ${(err as Error)?.message ?? String(err)}`, { cause: err });
  }
  const { code, status } = e;
  const message = oneLine(e.message);
  if (status === 429) {
    const afterMs = e.retryAfterMs !== undefined && e.retryAfterMs > 0 ? e.retryAfterMs : DEFAULT_THROTTLE_WAIT_MS;
    return new RequeueAfter(afterMs, `Azure throttled ${operation} (${code}); retrying after ${Math.ceil(afterMs / 1000)}s as Retry-After asks`, { cause: err });
  }
  if (CAPACITY.has(code)) return new Error(`Azure has no capacity for ${operation} (${code}): ${message}; retrying`, { cause: err });
  if (QUOTA_CODES.has(code) || (code === 'OperationNotAllowed' && /quota/i.test(message))) {
    return new Error(`Azure quota reached on ${operation} (${code}): ${message}; retrying (raise the quota)`, { cause: err });
  }
  if (status === 401 || status === 403) return new Error(`Azure rejected the credentials on ${operation} (${code}, HTTP ${status}): ${message}; check the credentials Secret and the principal's role assignments`, { cause: err });
  if (IN_PROGRESS.has(code)) return new Error(`Azure ${operation} conflicts with an operation in progress (${code}): ${message}; retrying`, { cause: err });
  if (status === undefined ? !(code in CODE_FIELDS) && !/^Invalid|NotFound$|NotSupported|NotAllowed/.test(code) : status >= 500 || status < 400) {
    return new Error(`Azure ${operation} failed (${code}${status ? `, HTTP ${status}` : ''}): ${message}; retrying`, { cause: err });
  }
  const field = CODE_FIELDS[code] ?? MESSAGE_FIELDS.find(([pattern]) => pattern.test(message))?.[1];
  const path = field ? `${PROVIDER_SPEC_PATH}.${field}` : PROVIDER_SPEC_PATH;
  return new TerminalError('InvalidConfiguration', `${path}: Azure rejected ${operation} (${code}): ${message}`, { cause: err });
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * A VM that ended in provisioningState Failed before its Machine was ever provisioned: terminal, as MAO's Azure
 * provider makes it (the machine controller then marks the Machine Failed). `code` and `message` come from the
 * VM's ProvisioningState/failed/<code> instance-view status when ARM gives one.
 */
export function provisioningFailure(vmName: string, code: string | undefined, message: string | undefined): TerminalError {
  const detail = oneLine(message ?? '');
  const field = (code && CODE_FIELDS[code]) ?? MESSAGE_FIELDS.find(([pattern]) => pattern.test(detail))?.[1];
  const path = field ? `${PROVIDER_SPEC_PATH}.${field}` : PROVIDER_SPEC_PATH;
  return new TerminalError('InvalidConfiguration', `${path}: Azure failed to provision VM ${vmName}${code ? ` (${code})` : ''}${detail ? `: ${detail}` : ''}; delete the Machine so that its MachineSet replaces it`);
}
