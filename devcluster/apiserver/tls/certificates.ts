// Serving certificates for secure mode (reference §12): a CA of our own and a server certificate it
// signs, kept in a dir and reused across restarts, so a kubeconfig holding the CA stays valid.
//
// kubectl is Go: it ignores the CN and matches the host only against SANs, and it checks that the CA has
// basicConstraints CA:TRUE with keyCertSign. Validity and extensions follow client-go's
// util/cert.NewSelfSignedCACert (10-year CA) and GenerateSelfSignedCertKey (1-year serving cert, valid
// from an hour ago to tolerate clock skew).
import { KeyObject, X509Certificate, createPrivateKey, randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
// @peculiar/x509 resolves its algorithms through tsyringe, which needs the Reflect metadata polyfill loaded first.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { readTextIfExists, writeFileAtomically } from './files.ts';

export interface ServingCertificates {
  /** The CA certificate: what clients trust (kubeconfig certificate-authority-data). */
  readonly caPem: string;
  /** The server certificate and its private key (PKCS#8), for https.createServer. */
  readonly certPem: string;
  readonly keyPem: string;
}

export interface CertificateOptions {
  /** The clock; tests move it to check renewal. */
  readonly now?: Date;
}

/** Names every client on this machine may dial: kubectl and client-node use 127.0.0.1 or localhost. */
const SERVER_IPS = ['127.0.0.1', '::1'];
const SERVER_DNS_NAMES = ['localhost'];

const DAY_MS = 24 * 60 * 60 * 1000;
const CA_VALIDITY_MS = 10 * 365 * DAY_MS;
const SERVER_VALIDITY_MS = 365 * DAY_MS;
/** A certificate this close to its end is replaced at start, so a server started now outlives a month. */
const RENEW_BEFORE_MS = 30 * DAY_MS;
const BACKDATE_MS = 60 * 60 * 1000;

const KEY_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' };
const SIGNING_ALGORITHM = { name: 'ECDSA', hash: 'SHA-256' };
/** Node's webcrypto, passed explicitly rather than through x509.cryptoProvider.set (process-wide state). */
const crypto: Crypto = globalThis.crypto;

const FILES = { caCert: 'ca.crt', caKey: 'ca.key', serverCert: 'server.crt', serverKey: 'server.key' } as const;

/**
 * Returns the CA and server certificate in `dir`, generating whatever is missing, unusable or about to
 * expire: a new CA (and then a new server certificate) when the CA is; a new server certificate when it
 * expires within 30 days, lacks one of the SANs, or was not signed by the CA. Keys are written 0600.
 */
export async function ensureServingCertificates(dir: string, options: CertificateOptions = {}): Promise<ServingCertificates> {
  const now = options.now ?? new Date();
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = (name: keyof typeof FILES): string => join(dir, FILES[name]);

  let ca = loadPair(path('caCert'), path('caKey'));
  if (!ca || !ca.cert.ca || !validFor(ca.cert, now)) {
    ca = await generateCa(now);
    writeFileAtomically(path('caKey'), ca.keyPem, 0o600);
    writeFileAtomically(path('caCert'), ca.certPem, 0o644);
  }
  let server = loadPair(path('serverCert'), path('serverKey'));
  if (!server || !validFor(server.cert, now) || !server.cert.verify(ca.cert.publicKey) || !hasServerNames(server.cert)) {
    server = await generateServerCertificate(ca, now);
    writeFileAtomically(path('serverKey'), server.keyPem, 0o600);
    writeFileAtomically(path('serverCert'), server.certPem, 0o644);
  }
  return { caPem: ca.certPem, certPem: server.certPem, keyPem: server.keyPem };
}

interface CertificateAndKey {
  readonly cert: X509Certificate;
  readonly certPem: string;
  readonly keyPem: string;
}

/** Undefined when a file is missing or unreadable, or the key does not belong to the certificate (a crash
 * between writing the new key and the new certificate leaves such a pair): both are then regenerated. */
function loadPair(certFile: string, keyFile: string): CertificateAndKey | undefined {
  const certPem = readTextIfExists(certFile);
  const keyPem = readTextIfExists(keyFile);
  if (certPem === undefined || keyPem === undefined) return undefined;
  try {
    const cert = new X509Certificate(certPem);
    return cert.checkPrivateKey(createPrivateKey(keyPem)) ? { cert, certPem, keyPem } : undefined;
  } catch {
    return undefined;
  }
}

function validFor(cert: X509Certificate, now: Date): boolean {
  return cert.validFromDate.getTime() <= now.getTime() && cert.validToDate.getTime() - now.getTime() > RENEW_BEFORE_MS;
}

function hasServerNames(cert: X509Certificate): boolean {
  return SERVER_IPS.every((ip) => cert.checkIP(ip) !== undefined) && SERVER_DNS_NAMES.every((name) => cert.checkHost(name) !== undefined);
}

async function generateCa(now: Date): Promise<CertificateAndKey> {
  const keys = (await crypto.subtle.generateKey(KEY_ALGORITHM, true, ['sign', 'verify'])) as CryptoKeyPair;
  const generated = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: randomSerialNumber(),
      name: 'CN=devcluster-ca',
      notBefore: new Date(now.getTime() - BACKDATE_MS),
      notAfter: new Date(now.getTime() + CA_VALIDITY_MS),
      signingAlgorithm: SIGNING_ALGORITHM,
      keys,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
      ],
    },
    crypto,
  );
  return toPems(generated, keys.privateKey);
}

async function generateServerCertificate(ca: CertificateAndKey, now: Date): Promise<CertificateAndKey> {
  const keys = (await crypto.subtle.generateKey(KEY_ALGORITHM, true, ['sign', 'verify'])) as CryptoKeyPair;
  const caCert = new x509.X509Certificate(ca.certPem);
  const caKey = createPrivateKey(ca.keyPem).toCryptoKey(KEY_ALGORITHM, false, ['sign']) as CryptoKey; // node's CryptoKey type, same object
  const generated = await x509.X509CertificateGenerator.create(
    {
      serialNumber: randomSerialNumber(),
      subject: 'CN=devcluster-apiserver',
      issuer: caCert.subject,
      notBefore: new Date(now.getTime() - BACKDATE_MS),
      notAfter: new Date(now.getTime() + SERVER_VALIDITY_MS),
      signingAlgorithm: SIGNING_ALGORITHM,
      publicKey: keys.publicKey,
      signingKey: caKey,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        new x509.SubjectAlternativeNameExtension([
          ...SERVER_IPS.map((value) => ({ type: 'ip' as const, value })),
          ...SERVER_DNS_NAMES.map((value) => ({ type: 'dns' as const, value })),
        ]),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
        await x509.AuthorityKeyIdentifierExtension.create(caCert.publicKey, false, crypto),
      ],
    },
    crypto,
  );
  return toPems(generated, keys.privateKey);
}

function toPems(generated: x509.X509Certificate, privateKey: CryptoKey): CertificateAndKey {
  const certPem = generated.toString('pem') + '\n';
  const keyPem = KeyObject.from(privateKey).export({ type: 'pkcs8', format: 'pem' }) as string;
  return { cert: new X509Certificate(certPem), certPem, keyPem };
}

/** 16 random bytes with the top bit clear: RFC 5280 wants a positive serial of at most 20 bytes. */
function randomSerialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] & 0x7f) | 0x01;
  return bytes.toString('hex');
}
