// The SignatureVerifier of the contract (shared/reference/cluster-version.md §2.7; library-go pkg/verify
// verify.go): a release digest is verified when, for EVERY keyring of the trust ConfigMap, some signature found
// in the stores is a valid OpenPGP signature by a key of that keyring over a simple-signing claim naming that
// digest. Stores are read in OpenShift's order, stopping once every keyring is satisfied:
//   1. signature ConfigMaps (binaryData sha256-<hex>-<N>);
//   2. HTTP(S) stores, `<store>/sha256=<hex>/signature-<N>` for N = 1, 2, … until the first 404 (at most 9):
//      the stores override when given (spec.signatureStores), otherwise the trust ConfigMap's store-* URLs.
// As upstream, the claim's docker-reference is not compared with the pull spec (releases are mirrored under
// other names); the digest is what is trusted.
import { readKeys, readMessage, verify, type Key } from 'openpgp';
import { RELEASE_VERIFICATION_CONFIG_MAP, SIGNATURE_CONFIG_MAP_LABEL, SIGNATURE_CONFIG_MAP_NAMESPACE } from '../../api/config-v1.ts';
import type { SignatureVerifier, VerificationResult } from '../contracts.ts';
import { keyringsOf, signaturesIn, storesOf, type ConfigMap, type Keyring } from './config-maps.ts';
import { parseSimpleSigning } from './simple-signing.ts';

/** Reasons of a failed verification, most telling first when several signatures failed differently. */
export const VerificationReasons = {
  InvalidDigest: 'InvalidDigest',
  NoVerificationKeys: 'NoVerificationKeys',
  InvalidVerificationKeys: 'InvalidVerificationKeys',
  NoSignature: 'NoSignature',
  /** A trusted key signed a claim for another digest: the payload is not the one that was signed. */
  DigestMismatch: 'DigestMismatch',
  /** The signer's key is trusted but the signature does not verify: the signature was altered. */
  InvalidSignature: 'InvalidSignature',
  MalformedSignature: 'MalformedSignature',
  UntrustedSignature: 'UntrustedSignature',
  /** Some keyrings signed, but not all of them. */
  MissingKeyringSignature: 'MissingKeyringSignature',
} as const;
export type VerificationReason = (typeof VerificationReasons)[keyof typeof VerificationReasons];

/** N runs from 1 while N < this (library-go maxSignatureSearch). */
export const MAX_SIGNATURE_SEARCH = 10;

export type ReadConfigMaps = (
  query: { readonly namespace: string; readonly name?: string; readonly labelSelector?: string },
  signal: AbortSignal,
) => Promise<readonly ConfigMap[]>;

/** The part of fetch used for HTTP stores; pass one that trusts the stores' CA. */
export type FetchSignature = (url: string, init: { signal: AbortSignal }) => Promise<{
  readonly status: number;
  readonly ok: boolean;
  arrayBuffer(): Promise<ArrayBuffer>;
}>;

export interface SignatureVerifierOptions {
  readonly readConfigMaps: ReadConfigMaps;
  /** For HTTP(S) stores; the global fetch when unset. */
  readonly fetch?: FetchSignature;
  /** The trust ConfigMap; RELEASE_VERIFICATION_CONFIG_MAP when unset. */
  readonly trustConfigMap?: { readonly namespace: string; readonly name: string };
  /** spec.signatureStores URLs, replacing the trust ConfigMap's store-* when this returns a list. */
  readonly signatureStores?: () => readonly string[] | undefined;
}

interface FoundSignature {
  readonly source: string;
  readonly bytes: Uint8Array;
}

type Outcome =
  | { readonly kind: 'ok'; readonly keyrings: readonly string[] }
  | { readonly kind: Exclude<VerificationReason, 'InvalidDigest' | 'NoVerificationKeys' | 'InvalidVerificationKeys' | 'NoSignature' | 'MissingKeyringSignature'>; readonly detail: string };

const PRIORITY: readonly VerificationReason[] = ['DigestMismatch', 'InvalidSignature', 'MalformedSignature', 'UntrustedSignature'];

export function createSignatureVerifier(options: SignatureVerifierOptions): SignatureVerifier {
  const trust = options.trustConfigMap ?? RELEASE_VERIFICATION_CONFIG_MAP;
  const fetchSignature: FetchSignature = options.fetch ?? ((url, init) => fetch(url, init));

  async function* signatures(digest: string, stores: readonly string[], problems: string[], signal: AbortSignal): AsyncGenerator<FoundSignature> {
    const configMaps = await options.readConfigMaps({ namespace: SIGNATURE_CONFIG_MAP_NAMESPACE, labelSelector: SIGNATURE_CONFIG_MAP_LABEL }, signal);
    for (const cm of [...configMaps].sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''))) {
      for (const { n, bytes } of signaturesIn(cm, digest)) {
        yield { source: `signature ${n} in ConfigMap ${SIGNATURE_CONFIG_MAP_NAMESPACE}/${cm.metadata?.name}`, bytes };
      }
    }
    const path = digest.replace(':', '=');
    for (const store of stores) {
      for (let n = 1; n < MAX_SIGNATURE_SEARCH; n++) {
        const url = `${store.replace(/\/+$/, '')}/${path}/signature-${n}`;
        let response;
        try {
          response = await fetchSignature(url, { signal });
        } catch (err) {
          problems.push(`GET ${url}: ${(err as Error).message}`);
          break;
        }
        if (response.status === 404) break;
        if (!response.ok) {
          problems.push(`GET ${url}: HTTP ${response.status}`);
          break;
        }
        yield { source: url, bytes: new Uint8Array(await response.arrayBuffer()) };
      }
    }
  }

  return {
    async verify(digest: string, _pullSpec: string, signal: AbortSignal): Promise<VerificationResult> {
      const fail = (reason: VerificationReason, message: string): VerificationResult => ({ verified: false, reason, message });
      if (!/^sha256:[0-9a-f]{64}$/.test(digest)) return fail('InvalidDigest', `${JSON.stringify(digest)} is not a sha256 digest: only images referenced by digest can be verified`);

      const [trustConfigMap] = await options.readConfigMaps({ namespace: trust.namespace, name: trust.name }, signal);
      const keyrings = trustConfigMap ? keyringsOf(trustConfigMap) : [];
      if (keyrings.length === 0) {
        return fail('NoVerificationKeys', `unable to verify ${digest}: no verification keys are configured (ConfigMap ${trust.namespace}/${trust.name} ${trustConfigMap ? 'has no verifier-public-key-* entries' : 'not found'})`);
      }
      let keys: Map<string, Key[]>;
      try {
        keys = await loadKeyrings(keyrings);
      } catch (err) {
        return fail('InvalidVerificationKeys', `unable to verify ${digest}: ${(err as Error).message}`);
      }

      const stores = options.signatureStores?.() ?? (trustConfigMap ? storesOf(trustConfigMap) : []);
      const satisfied = new Set<string>();
      const failures: { reason: VerificationReason; detail: string }[] = [];
      const problems: string[] = [];
      let found = 0;
      for await (const signature of signatures(digest, stores, problems, signal)) {
        found++;
        const outcome = await checkSignature(signature.bytes, digest, keys);
        if (outcome.kind === 'ok') outcome.keyrings.forEach((k) => satisfied.add(k));
        else failures.push({ reason: outcome.kind, detail: `${signature.source}: ${outcome.detail}` });
        if (satisfied.size === keys.size) return { verified: true, keys: [...keys.keys()] };
      }

      const missing = [...keys.keys()].filter((k) => !satisfied.has(k));
      const head = `unable to verify ${digest} against keyrings: ${missing.join(', ')}`;
      const details = [...failures.map((f) => f.detail), ...problems];
      const message = details.length > 0 ? `${head}: ${details.join('; ')}` : head;
      if (found === 0) {
        const searched = ['signature ConfigMaps', ...stores].join(', ');
        return fail('NoSignature', `${head}: no signature found (searched ${searched})${problems.length > 0 ? `; ${problems.join('; ')}` : ''}`);
      }
      const reason = PRIORITY.find((r) => failures.some((f) => f.reason === r));
      return fail(reason && (satisfied.size === 0 || reason !== 'UntrustedSignature') ? reason : 'MissingKeyringSignature', message);
    },
  };
}

async function loadKeyrings(keyrings: readonly Keyring[]): Promise<Map<string, Key[]>> {
  const keys = new Map<string, Key[]>();
  for (const keyring of keyrings) {
    try {
      keys.set(keyring.name, keyring.armored !== undefined
        ? await readKeys({ armoredKeys: keyring.armored })
        : await readKeys({ binaryKeys: keyring.binary ?? new Uint8Array() }));
    } catch (err) {
      throw new Error(`keyring ${keyring.name} cannot be read: ${(err as Error).message}`, { cause: err });
    }
  }
  return keys;
}

/** Which keyrings made a valid signature over a claim for `digest`, or why the signature does not count. */
async function checkSignature(bytes: Uint8Array, digest: string, keyrings: ReadonlyMap<string, Key[]>): Promise<Outcome> {
  // Read afresh for each verify: a message's packets are consumed as they are verified.
  const read = () => (isArmored(bytes)
    ? readMessage({ armoredMessage: Buffer.from(bytes).toString('utf8') })
    : readMessage({ binaryMessage: bytes }));
  let message;
  try {
    message = await read();
  } catch (err) {
    return { kind: 'MalformedSignature', detail: `not an OpenPGP message: ${(err as Error).message}` };
  }
  const signerIds = message.getSigningKeyIDs().map((id) => id.toHex());
  if (signerIds.length === 0) return { kind: 'MalformedSignature', detail: 'the OpenPGP message is not signed' };

  const signedBy: string[] = [];
  let content: Uint8Array | undefined;
  let invalid: string | undefined;
  for (const [name, keys] of keyrings) {
    const known = keys.some((k) => k.getKeyIDs().some((id) => signerIds.includes(id.toHex())));
    if (!known) continue;
    try {
      const result = await verify({ message: await read(), verificationKeys: keys, format: 'binary' });
      const checks = await Promise.allSettled(result.signatures.map((s) => s.verified));
      if (checks.some((c) => c.status === 'fulfilled')) {
        signedBy.push(name);
        content = result.data;
      } else {
        invalid ??= checks.map((c) => (c.status === 'rejected' ? (c.reason as Error).message : '')).join('; ');
      }
    } catch (err) {
      invalid ??= (err as Error).message;
    }
  }
  if (signedBy.length === 0) {
    return invalid !== undefined
      ? { kind: 'InvalidSignature', detail: `signature by a trusted key does not verify: ${invalid}` }
      : { kind: 'UntrustedSignature', detail: `signed by key ${signerIds.map((id) => id.toUpperCase()).join(', ')}, which no keyring trusts` };
  }
  let claim;
  try {
    claim = parseSimpleSigning(content ?? new Uint8Array());
  } catch (err) {
    return { kind: 'MalformedSignature', detail: `signed content is not a simple-signing claim: ${(err as Error).message}` };
  }
  const signedDigest = claim.critical.image['docker-manifest-digest'];
  if (signedDigest !== digest) return { kind: 'DigestMismatch', detail: `signature is for ${signedDigest}, not ${digest}` };
  return { kind: 'ok', keyrings: signedBy };
}

function isArmored(bytes: Uint8Array): boolean {
  return Buffer.from(bytes.subarray(0, 15)).toString('latin1') === '-----BEGIN PGP ';
}
