// Why a payload could not be used, in the vocabulary of ClusterVersion's ReleaseAccepted condition
// (shared/reference/cluster-version.md §1.6): RetrievePayload when its bytes could not be fetched or did not match
// their digest, LoadPayload when they were fetched but are not a valid payload.

export type PayloadErrorReason = 'RetrievePayload' | 'LoadPayload';

/** A payload that cannot be used. `file` (and `line`) point into the payload when the content is at fault. */
export class PayloadError extends Error {
  readonly reason: PayloadErrorReason;
  readonly file: string | undefined;
  readonly line: number | undefined;
  constructor(reason: PayloadErrorReason, message: string, options?: ErrorOptions & { file?: string; line?: number }) {
    super(message, options);
    this.name = 'PayloadError';
    this.reason = reason;
    this.file = options?.file;
    this.line = options?.line;
  }
}

/** A LoadPayload error about one file (and field or line) of the payload: "release-manifests/x: message". */
export function invalidPayload(file: string, message: string, line?: number): PayloadError {
  const where = line === undefined ? file : `${file}:${line}`;
  return new PayloadError('LoadPayload', `${where}: ${message}`, { file, line });
}
