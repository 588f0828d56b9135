// The acceptance messages and decisions of sync_worker.go syncPayload (§3.5), as pure functions: what a failed
// retrieval or load, the payload's version and the precondition summary mean for ReleaseAccepted and
// history[0].acceptedRisks (the signature's meaning is signatures/acceptance.ts). The I/O around them is
// clusterversion/acceptance.ts. `force` turns blocking preconditions into accepted risks; it never excuses a
// payload whose version is not the one asked for.
import type { PreconditionSummary } from './preconditions.ts';

/** The ReleaseAccepted reason: the step that failed, or PayloadLoaded. */
export type AcceptanceStep = 'RetrievePayload' | 'LoadPayload' | 'VerifyPayloadVersion' | 'PreconditionChecks' | 'PayloadLoaded';

/** The update being accepted, as the messages name it. */
export interface RequestedUpdate {
  readonly version?: string;
  readonly image: string;
  readonly force: boolean;
}

/** The steps that can refuse a release. */
export type RejectionStep = Exclude<AcceptanceStep, 'PayloadLoaded'>;

export type Verdict =
  | { readonly ok: true; readonly acceptedRisks: readonly string[] }
  | { readonly ok: false; readonly step: RejectionStep; readonly message: string };

export type Rejection = Extract<Verdict, { readonly ok: false }>;

const quoted = (update: RequestedUpdate) => `version="${update.version ?? ''}" image="${update.image}"`;

/** The payload could not be fetched (network, registry, digest mismatch) or its signature did not verify. */
export function retrieveFailure(update: RequestedUpdate, error: string): Rejection {
  return { ok: false, step: 'RetrievePayload', message: `Retrieving payload failed ${quoted(update)} failure=${error}` };
}

/** The payload was fetched but is not a valid release (missing metadata, bad manifests). */
export function loadFailure(update: RequestedUpdate, error: string): Rejection {
  return { ok: false, step: 'LoadPayload', message: `Loading payload failed ${quoted(update)} failure=${error}` };
}

/** A requested version must be the payload's own; without one, the payload's version is taken. */
export function versionVerdict(update: RequestedUpdate, payloadVersion: string): Verdict {
  if (!update.version || update.version === payloadVersion) return { ok: true, acceptedRisks: [] };
  const failure = `release image version ${payloadVersion} does not match the expected upstream version ${update.version}`;
  return { ok: false, step: 'VerifyPayloadVersion', message: `Verifying payload failed ${quoted(update)} failure=${failure}` };
}

export function preconditionVerdict(update: RequestedUpdate, summary: PreconditionSummary | undefined): Verdict {
  if (!summary) return { ok: true, acceptedRisks: [] };
  if (!summary.blocking) return { ok: true, acceptedRisks: [summary.message] };
  return { ok: false, step: 'PreconditionChecks', message: `Preconditions failed for payload loaded ${quoted(update)}: ${summary.message}` };
}

/** The ReleaseAccepted=True message. */
export function payloadLoadedMessage(update: RequestedUpdate, architecture: string): string {
  return `Payload loaded ${quoted(update)} architecture="${architecture}"`;
}

/** The ReleaseAccepted=Unknown message while the payload is fetched and checked. */
export function retrievingMessage(update: RequestedUpdate): string {
  return `Retrieving and verifying payload ${quoted(update)}`;
}

// The messages below are the Events' alone (sync_worker.go syncPayload, updatepayload.go RetrievePayload).

export function loadingMessage(update: RequestedUpdate): string {
  return `Loading payload ${quoted(update)}`;
}

/** `force` let a release through whose signature did not verify. */
export function forcedUnverifiedMessage(update: RequestedUpdate, failure: string): string {
  return `Target release ${quoted(update)} cannot be verified, but continuing anyway because the update was forced: ${failure}`;
}

/** Non-blocking precondition failures, or blocking ones `force` let through. */
export function preconditionWarningMessage(update: RequestedUpdate, summary: string): string {
  return `precondition warning for payload loaded ${quoted(update)}: ${summary}`;
}

export function preconditionsPassedMessage(update: RequestedUpdate): string {
  return `preconditions passed for payload loaded ${quoted(update)}`;
}
