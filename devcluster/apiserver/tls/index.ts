// TLS material and the bearer token for the API server's secure mode (reference §12).
export { ensureServingCertificates } from './certificates.ts';
export type { CertificateOptions, ServingCertificates } from './certificates.ts';
export { ensureToken, generateToken } from './token.ts';
