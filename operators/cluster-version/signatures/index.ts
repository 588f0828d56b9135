// Release signatures: containers/image simple signing over OpenPGP, trust from ConfigMaps, signature stores in
// ConfigMaps and over HTTP(S). shared/reference/cluster-version.md §2.7.
export { signatureAcceptance, type SignatureAcceptance } from './acceptance.ts';
export {
  keyringsOf, signatureConfigMap, signatureKey, signaturesIn, storesOf, verificationConfigMap, type ConfigMap, type Keyring,
} from './config-maps.ts';
export { DEFAULT_CREATOR, generateSigningKey, signRelease, type SignOptions, type SigningKeyPair } from './sign.ts';
export { SIGNATURE_TYPE, createSimpleSigning, parseSimpleSigning, type SimpleSigning } from './simple-signing.ts';
export {
  MAX_SIGNATURE_SEARCH, VerificationReasons, createSignatureVerifier, type FetchSignature, type ReadConfigMaps,
  type SignatureVerifierOptions, type VerificationReason,
} from './verifier.ts';
