// Acceptance of a requested release before anything switches to it (§3.5, sync_worker.go syncPayload):
// verify the signature, retrieve and load the payload, check its version, run the preconditions. Each step is
// reported (ReleaseAccepted Unknown while in progress), the first failure ends it, and `force` turns a failed
// signature and blocking preconditions into accepted risks. The operator's own release ("local": the release
// it installed or has already accepted) is neither verified nor checked again. Each step also records upstream's
// Event (events.ts acceptanceEvents).
import type { ClusterVersion } from '../../api/config-v1.ts';
import { errorMessage } from '../../runtime/errors.ts';
import type { EventInput } from '../../runtime/events.ts';
import type { PayloadSource, ReleasePayload, SignatureVerifier, VerificationResult } from '../contracts.ts';
import { PayloadError } from '../payload/errors.ts';
import {
  loadFailure,
  payloadLoadedMessage,
  preconditionVerdict,
  retrieveFailure,
  retrievingMessage,
  versionVerdict,
  type Rejection,
  type RequestedUpdate,
  type Verdict,
} from '../preconditions/acceptance.ts';
import { runPreconditions, summarizePreconditions } from '../preconditions/preconditions.ts';
import { signatureAcceptance } from '../signatures/acceptance.ts';
import { acceptanceEvents } from './events.ts';
import type { LoadPayloadStatus } from './status.ts';

/** The time budget of retrieving a payload, in ms; verification gets half of it (updatepayload.go). */
export const RETRIEVE_TIMEOUT_MS = 4 * 60_000;

export interface AcceptanceDeps {
  readonly payloads: PayloadSource;
  readonly verifier: SignatureVerifier;
  /** For the PayloadLoaded message, e.g. "amd64". */
  readonly architecture: string;
}

export interface AcceptanceRequest {
  readonly update: RequestedUpdate;
  /** The ClusterVersion as it is now: the preconditions read its status. */
  readonly cv: ClusterVersion;
  readonly local: boolean;
}

export type AcceptanceResult =
  | { readonly ok: true; readonly payload: ReleasePayload; readonly load: LoadPayloadStatus }
  | { readonly ok: false; readonly load: LoadPayloadStatus };

/** Where acceptRelease reports: ReleaseAccepted while a step runs, and the steps' Events. */
export interface AcceptanceReport {
  progress(load: LoadPayloadStatus): void;
  event(event: EventInput): void;
}

export async function acceptRelease(request: AcceptanceRequest, deps: AcceptanceDeps, signal: AbortSignal, report: AcceptanceReport): Promise<AcceptanceResult> {
  const { update, local } = request;
  const risks: string[] = [];
  let verified = false;
  const status = (step: LoadPayloadStatus['step'], message: string, failed: boolean): LoadPayloadStatus => ({
    step, message, failed, acceptedRisks: risks.join('\n'), verified, local, image: update.image,
  });
  const fail = (verdict: Rejection): AcceptanceResult => {
    report.event(acceptanceEvents.rejected(update, verdict));
    return { ok: false, load: status(verdict.step, verdict.message, true) };
  };
  report.event(acceptanceEvents.retrieving(update));
  report.progress(status('RetrievePayload', retrievingMessage(update), false));

  const budget = AbortSignal.any([signal, AbortSignal.timeout(RETRIEVE_TIMEOUT_MS)]);
  const verify = async (digest: string): Promise<Verdict> => {
    let result: VerificationResult;
    try {
      result = await deps.verifier.verify(digest, update.image, AbortSignal.any([budget, AbortSignal.timeout(RETRIEVE_TIMEOUT_MS / 2)]));
    } catch (err) {
      result = { verified: false, reason: 'VerificationFailed', message: errorMessage(err) };
    }
    const acceptance = signatureAcceptance(result, update.force);
    if (!acceptance.proceed) return retrieveFailure(update, acceptance.condition.message ?? '');
    verified = acceptance.verified;
    if (acceptance.acceptedRisk) {
      risks.push(acceptance.acceptedRisk);
      if (!result.verified) report.event(acceptanceEvents.forcedUnverified(update, result.message));
    }
    return { ok: true, acceptedRisks: [] };
  };

  // A pull spec by digest is verified before a byte is fetched; other locations (file://, https://) after.
  const pinned = digestOf(update.image);
  if (!local && pinned) {
    const verdict = await verify(pinned);
    if (!verdict.ok) return fail(verdict);
  }
  let payload: ReleasePayload;
  report.event(acceptanceEvents.loading(update));
  try {
    payload = await deps.payloads.load({ image: update.image, ...(update.version ? { version: update.version } : {}) }, budget);
  } catch (err) {
    signal.throwIfAborted();
    const message = errorMessage(err);
    return fail(err instanceof PayloadError && err.reason === 'LoadPayload' ? loadFailure(update, message) : retrieveFailure(update, message));
  }
  if (pinned && payload.digest !== pinned) {
    return fail(retrieveFailure(update, `the payload's digest ${payload.digest} does not match the requested ${pinned}`));
  }
  if (!local && !pinned) {
    const verdict = await verify(payload.digest);
    if (!verdict.ok) return fail(verdict);
  }
  const versionCheck = versionVerdict(update, payload.version);
  if (!versionCheck.ok) return fail(versionCheck);
  // From here on the version is known even when only an image was asked for (upstream's messages say it too).
  const loaded = { ...update, version: update.version || payload.version };
  if (!local) {
    const verdict = preconditionVerdict(update, summarizePreconditions(runPreconditions(request.cv, payload.version), update.force));
    if (!verdict.ok) return fail(verdict);
    for (const warning of verdict.acceptedRisks) report.event(acceptanceEvents.preconditionWarning(loaded, warning));
    report.event(acceptanceEvents.preconditionsPassed(loaded));
    risks.push(...verdict.acceptedRisks);
  }
  const message = payloadLoadedMessage(loaded, architectureOf(payload, deps.architecture));
  report.event(acceptanceEvents.loaded(loaded, message));
  return { ok: true, payload, load: status('PayloadLoaded', message, false) };
}

/** "sha256:…" of a pull spec by digest, or undefined. */
export function digestOf(image: string): string | undefined {
  const at = image.lastIndexOf('@');
  return at >= 0 && /^sha256:[0-9a-f]{64}$/.test(image.slice(at + 1)) ? image.slice(at + 1) : undefined;
}

function architectureOf(payload: ReleasePayload, fallback: string): string {
  return payload.metadata.metadata?.['release.openshift.io/architecture'] === 'multi' ? 'Multi' : fallback;
}
