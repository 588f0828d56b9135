// The ConfigMaps of release verification (shared/reference/cluster-version.md §2.7; library-go pkg/verify
// configmap.go and store/configmap): the trust ConfigMap (openshift-config-managed/release-verification, data
// `verifier-public-key-<name>` keyrings and `store-<name>` store URLs) and the signature ConfigMaps (labelled
// release.openshift.io/verification-signatures, binaryData `sha256-<hex>-<N>`).
import {
  RELEASE_VERIFICATION_CONFIG_MAP, SIGNATURE_CONFIG_MAP_LABEL, SIGNATURE_CONFIG_MAP_NAMESPACE, SIGNATURE_STORE_PREFIX,
  VERIFICATION_CONFIG_MAP_ANNOTATION, VERIFIER_PUBLIC_KEY_PREFIX,
} from '../../api/config-v1.ts';

/** The parts of a core/v1 ConfigMap read here, as the API serves it (binaryData values are base64). */
export interface ConfigMap {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata?: {
    readonly name?: string;
    readonly namespace?: string;
    readonly labels?: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
  };
  readonly data?: Readonly<Record<string, string>>;
  readonly binaryData?: Readonly<Record<string, string>>;
}

/** One keyring: `verifier-public-key-<name>`, as armored text or binary bytes. */
export interface Keyring {
  readonly name: string;
  readonly armored?: string;
  readonly binary?: Uint8Array;
}

/** Keyrings of the trust ConfigMap: armored in data, binary in binaryData, sorted by key. */
export function keyringsOf(configMap: ConfigMap): Keyring[] {
  const armored = Object.entries(configMap.data ?? {})
    .filter(([key]) => key.startsWith(VERIFIER_PUBLIC_KEY_PREFIX))
    .map(([name, text]): Keyring => ({ name, armored: text }));
  const binary = Object.entries(configMap.binaryData ?? {})
    .filter(([key]) => key.startsWith(VERIFIER_PUBLIC_KEY_PREFIX))
    .map(([name, b64]): Keyring => ({ name, binary: new Uint8Array(Buffer.from(b64, 'base64')) }));
  return [...armored, ...binary].sort((a, b) => a.name.localeCompare(b.name));
}

/** Signature store base URLs of the trust ConfigMap (`store-<name>` data), sorted by key. */
export function storesOf(configMap: ConfigMap): string[] {
  return Object.entries(configMap.data ?? {})
    .filter(([key]) => key.startsWith(SIGNATURE_STORE_PREFIX))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([, url]) => url.trim());
}

/** binaryData key of the N-th signature (1-based) of a digest: `sha256-<hex>-<N>`. */
export function signatureKey(digest: string, n: number): string {
  return `${digest.replace(':', '-')}-${n}`;
}

/** The signatures a ConfigMap holds for `digest`, by N ascending. */
export function signaturesIn(configMap: ConfigMap, digest: string): { n: number; bytes: Uint8Array }[] {
  const prefix = `${digest.replace(':', '-')}-`;
  return Object.entries(configMap.binaryData ?? {})
    .filter(([key]) => key.startsWith(prefix) && /^\d+$/.test(key.slice(prefix.length)))
    .map(([key, b64]) => ({ n: Number(key.slice(prefix.length)), bytes: new Uint8Array(Buffer.from(b64, 'base64')) }))
    .sort((a, b) => a.n - b.n);
}

/** A signature ConfigMap for `digest` (what `npm run payload -- sign --configmap` writes). */
export function signatureConfigMap(name: string, digest: string, signatures: readonly Uint8Array[]): ConfigMap {
  return {
    apiVersion: 'v1', kind: 'ConfigMap',
    metadata: { name, namespace: SIGNATURE_CONFIG_MAP_NAMESPACE, labels: { [SIGNATURE_CONFIG_MAP_LABEL]: '' } },
    binaryData: Object.fromEntries(signatures.map((s, i) => [signatureKey(digest, i + 1), Buffer.from(s).toString('base64')])),
  };
}

/** The trust ConfigMap for the given armored keyrings (by name, without prefix) and store URLs. */
export function verificationConfigMap(keyrings: Readonly<Record<string, string>>, stores: Readonly<Record<string, string>> = {}): ConfigMap {
  return {
    apiVersion: 'v1', kind: 'ConfigMap',
    metadata: {
      name: RELEASE_VERIFICATION_CONFIG_MAP.name, namespace: RELEASE_VERIFICATION_CONFIG_MAP.namespace,
      annotations: { [VERIFICATION_CONFIG_MAP_ANNOTATION]: 'true' },
    },
    data: {
      ...Object.fromEntries(Object.entries(keyrings).map(([name, key]) => [VERIFIER_PUBLIC_KEY_PREFIX + name, key])),
      ...Object.fromEntries(Object.entries(stores).map(([name, url]) => [SIGNATURE_STORE_PREFIX + name, url])),
    },
  };
}
