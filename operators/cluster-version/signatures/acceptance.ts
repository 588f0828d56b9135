// What a verification result means for an update (shared/reference/cluster-version.md §2.7, §3.5;
// pkg/cvo/updatepayload.go): without `force` an unverified release is refused with ReleaseAccepted=False, reason
// RetrievePayload, "The update cannot be verified: …"; with `force` it proceeds, the failure is recorded in
// history[0].acceptedRisks and history[0].verified is false.
import { ReleaseAcceptedReasons, type ClusterOperatorStatusCondition } from '../../api/config-v1.ts';
import type { VerificationResult } from '../contracts.ts';

export type SignatureAcceptance =
  | { readonly proceed: true; readonly verified: boolean; readonly acceptedRisk?: string }
  | { readonly proceed: false; readonly condition: Omit<ClusterOperatorStatusCondition, 'lastTransitionTime'> };

export function signatureAcceptance(result: VerificationResult, force: boolean): SignatureAcceptance {
  if (result.verified) return { proceed: true, verified: true };
  const message = `The update cannot be verified: ${result.message}`;
  if (force) return { proceed: true, verified: false, acceptedRisk: message };
  return { proceed: false, condition: { type: 'ReleaseAccepted', status: 'False', reason: ReleaseAcceptedReasons.RetrievePayload, message } };
}
