// Terminal or transient is decided by type (shared/STYLE.md "Errors"): controller.ts has the one switch
// that maps these to queue operations. Anything thrown that is neither class is transient and retried
// with per-key exponential backoff.

/** A failure that retrying cannot fix (bad spec, permanent cloud error): counted, never retried. */
export class TerminalError extends Error {
  /** PascalCase reason for the condition and the Event, e.g. "InvalidConfiguration". */
  readonly reason: string;
  constructor(reason: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'TerminalError';
    this.reason = reason;
  }
}

/** An expected wait, not a failure: the key is looked at again after `afterMs` and the backoff does not grow. */
export class RequeueAfter extends Error {
  readonly afterMs: number;
  constructor(afterMs: number, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'RequeueAfter';
    this.afterMs = afterMs;
  }
}

/** The parts of a metav1.Status that callers branch on. */
export interface StatusDetails {
  readonly code?: number;
  readonly reason?: string;
  readonly message?: string;
}

/**
 * An HTTP error from the API server outside the generated clients (cache.ts lists and watches).
 * `code` has the same name as on client-node's ApiException, so one set of helpers covers both.
 */
export class KubeApiError extends Error {
  readonly code: number;
  readonly status: StatusDetails | undefined;
  constructor(code: number, status: StatusDetails | undefined, options?: ErrorOptions) {
    super(status?.message ?? `HTTP ${code}`, options);
    this.name = 'KubeApiError';
    this.code = code;
    this.status = status;
  }
}

/**
 * The HTTP status of an API error: client-node's ApiException and KubeApiError carry `code`, client-node's
 * Watch sets `statusCode`. Anything else (network errors, bugs) has none.
 */
export function statusCodeOf(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { code?: unknown; statusCode?: unknown };
  if (typeof e.code === 'number') return e.code;
  if (typeof e.statusCode === 'number') return e.statusCode;
  return undefined;
}

/**
 * The metav1.Status reason of an API error. client-node 2.x's ApiException keeps the response body as
 * text (gen/http/http.js getBodyAsAny), so the JSON is parsed here.
 */
export function statusReasonOf(err: unknown): string | undefined {
  if (err instanceof KubeApiError) return err.status?.reason;
  if (typeof err !== 'object' || err === null) return undefined;
  let body = (err as { body?: unknown }).body;
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body);
    } catch {
      return undefined;
    }
  }
  const reason = (body as { reason?: unknown } | null | undefined)?.reason;
  return typeof reason === 'string' ? reason : undefined;
}

export function isNotFound(err: unknown): boolean {
  return statusCodeOf(err) === 404;
}

/** 409 with reason AlreadyExists (a create lost the race), as opposed to a resourceVersion conflict. */
export function isAlreadyExists(err: unknown): boolean {
  return statusCodeOf(err) === 409 && statusReasonOf(err) === 'AlreadyExists';
}

/** 409 from an update or patch with a stale resourceVersion: transient, re-read and try again. */
export function isConflict(err: unknown): boolean {
  return statusCodeOf(err) === 409 && statusReasonOf(err) !== 'AlreadyExists';
}

/** 410: the resourceVersion (or a list continue token) is older than the server's history. */
export function isGone(err: unknown): boolean {
  return statusCodeOf(err) === 410;
}

/** A short, single-line description for logs and Event notes. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
