// metav1.Status error bodies with the exact reasons, codes and message shapes of kube-apiserver
// (shared/reference/apiserver.md §1 H2, §4). Handlers throw StatusError; the router turns it into a response.
import type { StatusCause } from './types.ts';

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface StatusBody {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code: number;
}

export class StatusError extends Error {
  readonly code: number;
  readonly reason: string;
  readonly details: StatusDetails | undefined;
  constructor(code: number, reason: string, message: string, details?: StatusDetails) {
    super(message);
    this.code = code;
    this.reason = reason;
    this.details = details;
  }
  toStatus(): StatusBody {
    const body: StatusBody = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: this.message, reason: this.reason, code: this.code };
    if (this.details) body.details = this.details;
    if (this.reason === '') delete body.reason;
    return body;
  }
}

/** "machinesets.machine.openshift.io" for custom and grouped resources, "configmaps" for the core group. */
export function qualifiedResource(group: string, plural: string): string {
  return group ? `${plural}.${group}` : plural;
}

export function notFound(group: string, plural: string, name: string): StatusError {
  return new StatusError(404, 'NotFound', `${qualifiedResource(group, plural)} "${name}" not found`, { name, group, kind: plural });
}

export function alreadyExists(group: string, plural: string, name: string): StatusError {
  return new StatusError(409, 'AlreadyExists', `${qualifiedResource(group, plural)} "${name}" already exists`, { name, group, kind: plural });
}

export function conflict(group: string, plural: string, name: string, why = 'the object has been modified; please apply your changes to the latest version and try again'): StatusError {
  return new StatusError(409, 'Conflict', `Operation cannot be fulfilled on ${qualifiedResource(group, plural)} "${name}": ${why}`, { name, group, kind: plural });
}

/** One field error, rendered as "field: Reason text: detail" like apimachinery's field.Error. */
export interface FieldError {
  field: string;
  /** FieldValueRequired, FieldValueInvalid, FieldValueTypeInvalid, FieldValueNotSupported, FieldValueTooLong, FieldValueTooMany, FieldValueDuplicate, FieldValueForbidden */
  reason: string;
  /** The text after "field: ", e.g. `Invalid value: "x": must be no more than 63 characters`. */
  detail: string;
}

/** 422 Invalid: details.kind is the Kind (not the plural), and each cause names its field. */
export function invalid(group: string, kind: string, name: string, errors: FieldError[]): StatusError {
  const qualifiedKind = group ? `${kind}.${group}` : kind;
  const list = errors.map((e) => `${e.field}: ${e.detail}`);
  const summary = list.length === 1 ? list[0] : `[${list.join(', ')}]`;
  return new StatusError(422, 'Invalid', `${qualifiedKind} "${name}" is invalid: ${summary}`, {
    name, group, kind,
    causes: errors.map((e) => ({ reason: e.reason, message: e.detail, field: e.field })),
  });
}

export function badRequest(message: string, causes?: StatusCause[]): StatusError {
  return new StatusError(400, 'BadRequest', message, causes ? { causes } : undefined);
}

export function methodNotAllowed(message: string): StatusError {
  return new StatusError(405, 'MethodNotAllowed', message);
}

export function unsupportedMediaType(accepted: string[]): StatusError {
  return new StatusError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`);
}

export function forbidden(message: string): StatusError {
  return new StatusError(403, 'Forbidden', message);
}

export function gone(message: string): StatusError {
  return new StatusError(410, 'Expired', message);
}

export function tooManyRequests(message: string, details?: StatusDetails): StatusError {
  return new StatusError(429, 'TooManyRequests', message, details);
}

export function internalError(message: string): StatusError {
  return new StatusError(500, 'InternalError', `Internal error occurred: ${message}`);
}

/** apimachinery NewRequestEntityTooLargeError: "Request entity too large: <message>". */
export function requestEntityTooLarge(message: string): StatusError {
  return new StatusError(413, 'RequestEntityTooLarge', `Request entity too large: ${message}`);
}

export function unauthorized(): StatusError {
  return new StatusError(401, 'Unauthorized', 'Unauthorized');
}

/** Field error helpers with apimachinery's wording. */
export const fieldErrors = {
  required(field: string, detail = ''): FieldError {
    return { field, reason: 'FieldValueRequired', detail: detail ? `Required value: ${detail}` : 'Required value' };
  },
  invalid(field: string, value: unknown, detail: string): FieldError {
    return { field, reason: 'FieldValueInvalid', detail: `Invalid value: ${renderValue(value)}: ${detail}` };
  },
  typeInvalid(field: string, value: unknown, detail: string): FieldError {
    return { field, reason: 'FieldValueTypeInvalid', detail: `Invalid value: ${renderValue(value)}: ${detail}` };
  },
  notSupported(field: string, value: unknown, supported: unknown[]): FieldError {
    return { field, reason: 'FieldValueNotSupported', detail: `Unsupported value: ${renderValue(value)}: supported values: ${supported.map(renderValue).join(', ')}` };
  },
  forbidden(field: string, detail: string): FieldError {
    return { field, reason: 'FieldValueForbidden', detail: `Forbidden: ${detail}` };
  },
  tooLong(field: string, max: number): FieldError {
    return { field, reason: 'FieldValueTooLong', detail: `Too long: may not be more than ${max} bytes` };
  },
  tooMany(field: string, actual: number, max: number): FieldError {
    return { field, reason: 'FieldValueTooMany', detail: `Too many: ${actual}: must have at most ${max} items` };
  },
  duplicate(field: string, value: unknown): FieldError {
    return { field, reason: 'FieldValueDuplicate', detail: `Duplicate value: ${renderValue(value)}` };
  },
};

/** Render a value the way Go's field errors do: strings quoted, objects as JSON, integers plain. */
export function renderValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === undefined) return 'null';
  if (typeof value === 'object' && value !== null) {
    const text = JSON.stringify(value);
    return text.length > 200 ? `${text.slice(0, 200)}...` : text;
  }
  return String(value);
}
