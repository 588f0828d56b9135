// The one place that knows Compute Engine's errors (shared/STYLE.md "Errors"). Two kinds reach the actuator:
// HTTP errors of a call (google-gax GoogleError: `httpStatusCode`, or in gax 5 an HTTP `code`) and failed
// Operations (HTTP 200, then status DONE with error.errors[].code and httpErrorStatusCode). Only what retrying
// cannot fix becomes TerminalError InvalidConfiguration (the Machine goes Failed), under the providerSpec field it
// is about. Throttling (429, rateLimitExceeded), quota (QUOTA_EXCEEDED), capacity (ZONE_RESOURCE_POOL_EXHAUSTED),
// 5xx and credential/permission errors stay transient, so the controller's per-key backoff retries them: unlike
// MAO's "Insert 4xx ⇒ Failed", which fails Machines on a 403 QUOTA_EXCEEDED (shared/reference/machine-api.md §2.2
// "Errors", §6 item 8, §8 note 3).
import { TerminalError } from '../../../runtime/errors.ts';
import type { Operation } from './client.ts';
import { PROVIDER_SPEC_PATH, type GcpMachineProviderSpec } from './provider-spec.ts';

/** gRPC DEADLINE_EXCEEDED: what gax reports when its own call timeout fires. */
const DEADLINE_EXCEEDED = 4;

interface GaxError {
  readonly message: string;
  readonly code?: unknown;
  readonly httpStatusCode?: unknown;
}

/** The HTTP status of a Compute call's error (gax 6: httpStatusCode; gax 5: an HTTP `code`). */
export function httpStatusOf(err: unknown): number | undefined {
  if (!(err instanceof Error)) return undefined;
  const e = err as GaxError;
  if (typeof e.httpStatusCode === 'number') return e.httpStatusCode;
  return typeof e.code === 'number' && e.code >= 100 ? e.code : undefined;
}

export function isNotFound(err: unknown): boolean {
  return httpStatusOf(err) === 404;
}

/** 409: a resource of that name exists in the zone (an insert lost to an earlier one). */
export function isAlreadyExists(err: unknown): boolean {
  return httpStatusOf(err) === 409;
}

/** The gax call timeout fired (a wait that outlived its deadline, not a failure of the operation). */
export function isDeadlineExceeded(err: unknown): boolean {
  return err instanceof Error && (err as GaxError).code === DEADLINE_EXCEEDED && httpStatusOf(err) === undefined;
}

// Which providerSpec field a Compute message is about, from the field or resource it names. `spec` finds the
// disk or interface by the image or network the message names.
const DISK_PARAMETER_FIELDS: Readonly<Record<string, string>> = { diskType: 'type', sourceImage: 'image', diskSizeGb: 'sizeGb' };
type FieldOf = (message: string, spec?: GcpMachineProviderSpec) => string | undefined;
const MESSAGE_FIELDS: readonly FieldOf[] = [
  (m) => (/protected against deletion/i.test(m) ? 'deletionProtection' : undefined),
  (m) => {
    const disk = /resource\.disks\[(\d+)\](?:\.initializeParams\.(diskType|sourceImage|diskSizeGb))?/.exec(m);
    return disk ? `disks[${disk[1]}]${disk[2] ? `.${DISK_PARAMETER_FIELDS[disk[2]]}` : ''}` : undefined;
  },
  (m, spec) => {
    const image = /\/global\/images\/([^'\s/]+)/.exec(m)?.[1];
    if (!image) return undefined;
    const i = spec?.disks.findIndex((d) => d.image !== undefined && (d.image === image || d.image.endsWith(`/${image}`))) ?? -1;
    return i >= 0 ? `disks[${i}].image` : 'disks';
  },
  (m) => (/diskTypes\/|disk type/i.test(m) ? 'disks' : undefined),
  (m) => (/cryptoKeys\/|kms/i.test(m) ? 'disks' : undefined),
  (m) => (/resource\.machineType|machineTypes\/|machine type/i.test(m) ? 'machineType' : undefined),
  (m) => (/resource\.guestAccelerators|acceleratorTypes\/|accelerator/i.test(m) ? 'gpus' : undefined),
  (m) => (/resource\.scheduling|live migration|onHostMaintenance/i.test(m) ? 'onHostMaintenance' : undefined),
  (m, spec) => {
    const network = /\/(networks|subnetworks)\/([^'\s/]+)/.exec(m);
    if (!network) return /resource\.networkInterfaces|network/i.test(m) ? 'networkInterfaces' : undefined;
    const field = network[1] === 'networks' ? 'network' : 'subnetwork';
    const i = spec?.networkInterfaces.findIndex((n) => n[field] === network[2]) ?? -1;
    return i >= 0 ? `networkInterfaces[${i}].${field}` : 'networkInterfaces';
  },
  (m) => (/resource\.serviceAccounts|service ?account/i.test(m) ? 'serviceAccounts' : undefined),
  (m) => (/resource\.labels|label/i.test(m) ? 'labels' : undefined),
  (m) => (/resource\.tags/.test(m) ? 'tags' : undefined),
  (m) => (/resource\.metadata/.test(m) ? 'gcpMetadata' : undefined),
  (m) => (/'projects\/[^/']+\/zones\/[^/']+'|'zone'|unknown zone/i.test(m) ? 'zone' : undefined),
  (m) => (/'projects\/[^/']+'/.test(m) ? 'projectID' : undefined),
];

function fieldPath(message: string, spec?: GcpMachineProviderSpec): string {
  // The instance name is the Machine's name, not a providerSpec field.
  if (/resource\.name/.test(message)) return 'metadata.name';
  for (const fieldOf of MESSAGE_FIELDS) {
    const field = fieldOf(message, spec);
    if (field) return `${PROVIDER_SPEC_PATH}.${field}`;
  }
  return PROVIDER_SPEC_PATH;
}

const RATE_OR_QUOTA = /rate ?limit|quota/i;

/**
 * `err` from a Compute call (`operation`, e.g. "instances.insert"), as the actuator throws it: TerminalError for a
 * known-permanent answer, otherwise an Error (transient) whose message says what happened. `spec` lets the message
 * name the exact disk or interface.
 */
export function toActuatorError(err: unknown, operation: string, spec?: GcpMachineProviderSpec): unknown {
  if (err instanceof TerminalError) return err;
  if ((err as Error)?.name === 'AbortError') return err;
  const status = httpStatusOf(err);
  const message = (err as Error)?.message ?? String(err);
  if (status === undefined) {
    if (isDeadlineExceeded(err)) return new Error(`GCE ${operation} timed out; retrying`, { cause: err });
    return new Error(`GCE ${operation} failed: ${message}`, { cause: err });
  }
  if (status === 429) return new Error(`GCE throttled the request (HTTP 429) on ${operation}: ${message}; retrying`, { cause: err });
  // 403 also carries rateLimitExceeded/userRateLimitExceeded/quotaExceeded: raised or waited out, not a bad spec.
  if (status === 403 && RATE_OR_QUOTA.test(message)) return new Error(`GCE quota or rate limit reached on ${operation} (HTTP 403): ${message}; retrying`, { cause: err });
  // Credentials and permissions can be fixed in their Secret or IAM, and a Machine must stay deletable meanwhile
  // (§6 item 6).
  if (status === 401 || status === 403) return new Error(`GCE rejected the credentials on ${operation} (HTTP ${status}): ${message}; check the credentials Secret and the service account's roles`, { cause: err });
  if (status >= 500) return new Error(`GCE ${operation} failed (HTTP ${status}): ${message}; retrying`, { cause: err });
  // 400 resourceNotReady ("The resource '…' is not ready"): an operation on the instance is still running.
  if (status === 400 && /is not ready/i.test(message)) return new Error(`GCE ${operation}: ${message}; retrying`, { cause: err });
  if (status === 400 || status === 404) {
    return new TerminalError('InvalidConfiguration', `${fieldPath(message, spec)}: GCE rejected ${operation} (HTTP ${status}): ${message}`, { cause: err });
  }
  return new Error(`GCE ${operation} failed (HTTP ${status}): ${message}`, { cause: err });
}

// Operation error codes (compute/docs "Handling API responses"; MAO insertops.go). Capacity, quota and rate codes
// wait; INVALID_*, not-found and unsupported are the spec's fault.
const TRANSIENT_OPERATION_CODES = /^(QUOTA_EXCEEDED|ZONE_RESOURCE_POOL_EXHAUSTED\w*|RESOURCE_POOL_EXHAUSTED|RATE_LIMIT_EXCEEDED|RESOURCE_OPERATION_RATE_EXCEEDED|RESOURCE_NOT_READY|INTERNAL_ERROR|SERVICE_UNAVAILABLE|TIMEOUT|CONDITION_NOT_MET)$/;
const TERMINAL_OPERATION_CODES = /^(INVALID\w*|RESOURCE_NOT_FOUND|NOT_FOUND|UNSUPPORTED_OPERATION|BAD_REQUEST|IMAGE_NOT_FOUND|RESOURCE_IN_USE_BY_ANOTHER_RESOURCE)$/;

/** The first error of a DONE Operation, if it failed. */
export function operationFailure(op: Operation): { readonly code: string; readonly message: string } | undefined {
  const first = op.error?.errors?.[0];
  if (!first) return undefined;
  return { code: first.code ?? 'UNKNOWN', message: first.message ?? '' };
}

/**
 * A failed Operation of `operation` as the actuator throws it. The HTTP status GCE gives the failure settles codes
 * this list does not know: 4xx other than quota (403/429) terminal, the rest transient.
 */
export function operationError(op: Operation, operation: string, spec?: GcpMachineProviderSpec): Error {
  const failure = operationFailure(op) ?? { code: 'UNKNOWN', message: 'the operation failed without details' };
  const { code, message } = failure;
  const status = typeof op.httpErrorStatusCode === 'number' ? op.httpErrorStatusCode : undefined;
  const what = `${operation} (operation ${op.name ?? '?'})`;
  const terminal = TERMINAL_OPERATION_CODES.test(code)
    || (!TRANSIENT_OPERATION_CODES.test(code) && status !== undefined && status >= 400 && status < 500 && status !== 403 && status !== 429);
  if (terminal) return new TerminalError('InvalidConfiguration', `${fieldPath(message, spec)}: GCE rejected ${what} (${code}): ${message}`);
  if (/QUOTA/.test(code)) return new Error(`GCE quota reached on ${what} (${code}): ${message}; retrying (raise the quota)`);
  if (/EXHAUSTED/.test(code)) return new Error(`GCE has no capacity for ${what} (${code}): ${message}; retrying`);
  return new Error(`GCE ${what} failed (${code}${status ? `, HTTP ${status}` : ''}): ${message}; retrying`);
}
