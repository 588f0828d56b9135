// Signing releases, and dev key pairs to sign with. A signature is an OpenPGP signed message (RFC 4880: one-pass
// signature, literal data, signature; binary, not armored) whose literal data is the simple-signing JSON, which
// is what `gpg --sign` produces for containers/image and what OpenShift's signature stores serve.
import { createMessage, decryptKey, generateKey, readPrivateKey, sign } from 'openpgp';
import { createSimpleSigning } from './simple-signing.ts';

export interface SignOptions {
  /** optional.creator; identifies the tool. */
  readonly creator?: string;
  /** The signing time (optional.timestamp and the OpenPGP signature creation time). */
  readonly now?: Date;
  /** Passphrase of an encrypted private key. */
  readonly passphrase?: string;
}

export const DEFAULT_CREATOR = 'machine-fleet payload tool';

/** A binary OpenPGP signature over the simple-signing claim "dockerReference has manifest digest `digest`". */
export async function signRelease(digest: string, dockerReference: string, privateKeyArmored: string, options: SignOptions = {}): Promise<Uint8Array> {
  if (!/^sha256:[0-9a-f]{64}$/.test(digest)) throw new Error(`digest ${JSON.stringify(digest)} is not sha256:<64 hex digits>`);
  const now = options.now ?? new Date();
  let signingKey = await readPrivateKey({ armoredKey: privateKeyArmored });
  if (!signingKey.isDecrypted()) {
    if (options.passphrase === undefined) throw new Error('the private key is encrypted: give its passphrase');
    signingKey = await decryptKey({ privateKey: signingKey, passphrase: options.passphrase });
  }
  const claim = createSimpleSigning(digest, dockerReference, { creator: options.creator ?? DEFAULT_CREATOR, timestamp: Math.floor(now.getTime() / 1000) });
  const message = await createMessage({ binary: new TextEncoder().encode(JSON.stringify(claim)), date: now });
  return sign({ message, signingKeys: signingKey, format: 'binary', date: now });
}

export interface SigningKeyPair {
  readonly publicKeyArmored: string;
  readonly privateKeyArmored: string;
  /** Uppercase hex fingerprint of the primary key. */
  readonly fingerprint: string;
}

/** A new unencrypted Ed25519 key pair (OpenPGP v4, readable by GnuPG), for development and tests. */
export async function generateSigningKey(name: string, email?: string): Promise<SigningKeyPair> {
  const { privateKey, publicKey } = await generateKey({ type: 'ecc', curve: 'ed25519Legacy', userIDs: [{ name, ...(email && { email }) }], format: 'object' });
  return { publicKeyArmored: publicKey.armor(), privateKeyArmored: privateKey.armor(), fingerprint: publicKey.getFingerprint().toUpperCase() };
}
