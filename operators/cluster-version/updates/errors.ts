// Why available updates could not be retrieved, as the reasons of the ClusterVersion `RetrievedUpdates=False`
// condition. Names and messages follow the CVO: the local checks of `calculateAvailableUpdatesStatus`
// (pkg/cvo/availableupdates.go) and the remote ones of `Client.GetUpdates` (pkg/cincinnati/cincinnati.go),
// whose messages the CVO prefixes with "Unable to retrieve available updates: ".

/** Reasons found before any request is sent: the cluster's own configuration is incomplete. */
export const LOCAL_RETRIEVAL_REASONS = [
  'NoUpstream',
  'InvalidURI',
  'InvalidID',
  'NoArchitecture',
  'NoCurrentVersion',
  'NoChannel',
  'InvalidCurrentVersion',
] as const;

/** Reasons found by talking to the update service. */
export const REMOTE_RETRIEVAL_REASONS = ['RemoteFailed', 'ResponseFailed', 'ResponseInvalid', 'VersionNotFound'] as const;

export type RetrievalReason =
  | (typeof LOCAL_RETRIEVAL_REASONS)[number]
  | (typeof REMOTE_RETRIEVAL_REASONS)[number]
  /** Anything else the client threw (the CVO's "this should never happen" branch). */
  | 'Unknown';

/**
 * Failures that say nothing about the graph itself: the last good answer for the same query stays in
 * status through them, for up to 24 h (shared/reference/cluster-version.md §4 "Refresh policy").
 */
export const TRANSIENT_RETRIEVAL_REASONS: ReadonlySet<RetrievalReason> = new Set<RetrievalReason>([
  'RemoteFailed',
  'ResponseFailed',
  'ResponseInvalid',
]);

/** The message prefix the CVO puts before every remote failure in the condition. */
const REMOTE_PREFIX = 'Unable to retrieve available updates: ';

export class UpdateRetrievalError extends Error {
  readonly reason: RetrievalReason;

  constructor(reason: RetrievalReason, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'UpdateRetrievalError';
    this.reason = reason;
  }

  /** The `RetrievedUpdates` condition message, worded as the CVO words it. */
  get conditionMessage(): string {
    return (LOCAL_RETRIEVAL_REASONS as readonly string[]).includes(this.reason) ? this.message : REMOTE_PREFIX + this.message;
  }
}

/** Classifies anything a client threw; errors that are not UpdateRetrievalError become reason Unknown. */
export function asRetrievalError(err: unknown): UpdateRetrievalError {
  if (err instanceof UpdateRetrievalError) return err;
  return new UpdateRetrievalError('Unknown', err instanceof Error ? err.message : String(err), { cause: err });
}
