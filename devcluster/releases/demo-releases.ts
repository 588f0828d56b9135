// The dev cluster's demo releases on disk (DATA_DIR/releases/): one payload directory per version, a dev signing
// key, a signature per payload digest, and an update-graph directory (devcluster/update-graph/README.md) offering
// them in channel stable-4. Written once: later starts find the files and reuse them, so digests, the key and the
// signatures the cluster already trusts stay the same.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { stringify } from 'yaml';
import type { ReleaseRef } from '../../operators/cluster-version/contracts.ts';
import { loadPayloadFromDirectory } from '../../operators/cluster-version/payload/index.ts';
import { generateSigningKey, signatureConfigMap, signRelease, verificationConfigMap, type ConfigMap } from '../../operators/cluster-version/signatures/index.ts';
import { buildPayloadFiles, writePayloadDirectory } from '../../scripts/payload/build.ts';
import { DEMO_CHANNEL, DEMO_VERSIONS, demoImages, demoManifests } from './demo-manifests.ts';

/** Key name in the trust ConfigMap: data `verifier-public-key-dev`. */
export const DEV_KEYRING = 'dev';
const PRIVATE_KEY_FILE = 'dev-signing-key.asc';
const PUBLIC_KEY_FILE = 'dev-signing-key.pub.asc';

export interface DemoRelease {
  readonly version: string;
  readonly digest: string;
  /** file:// URL of the payload directory: what spec.desiredUpdate.image and the graph name. */
  readonly image: string;
  readonly dir: string;
}

export interface DemoReleases {
  /** DATA_DIR/releases. */
  readonly dir: string;
  readonly releases: readonly DemoRelease[];
  /** The update-graph directory (releases/ and channels/) for startUpdateGraphServer. */
  readonly graphDir: string;
  readonly publicKeyArmored: string;
  readonly privateKeyArmored: string;
  /** The trust ConfigMap and one signature ConfigMap per release, for the cluster to hold. */
  readonly configMaps: readonly ConfigMap[];
}

export interface WritePayloadInput {
  readonly version: string;
  readonly previous?: readonly string[];
  /** release-manifests/ files (name → YAML); default demoManifests(version). */
  readonly manifests?: Readonly<Record<string, string>>;
}

/**
 * Writes a payload directory (validated as the operator would load it) and returns its release. Also used by the
 * tests to make payloads the cluster must refuse.
 */
export function writeDemoPayload(dir: string, input: WritePayloadInput): DemoRelease {
  mkdirSync(dirname(dir), { recursive: true });
  const staging = mkdtempSync(join(dirname(dir), '.manifests-'));
  try {
    for (const [file, text] of Object.entries(input.manifests ?? demoManifests(input.version))) writeFileSync(join(staging, file), text);
    const { files } = buildPayloadFiles({ version: input.version, previous: input.previous, manifestsDir: staging, images: demoImages(input.version) });
    rmSync(dir, { recursive: true, force: true });
    writePayloadDirectory(files, dir);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return releaseAt(dir);
}

/** The release of an existing payload directory. */
export function releaseAt(dir: string): DemoRelease {
  const payload = loadPayloadFromDirectory(dir);
  return { version: payload.version, digest: payload.digest, image: pathToFileURL(dir).href, dir };
}

/** Signs `release` with `privateKeyArmored` and returns the signature ConfigMap the verifier reads. */
export async function signatureConfigMapFor(release: DemoRelease, privateKeyArmored: string, name = `release-${release.version}`): Promise<ConfigMap> {
  const signature = await signRelease(release.digest, release.image, privateKeyArmored);
  return signatureConfigMap(name, release.digest, [signature]);
}

async function ensureSigningKey(dir: string): Promise<{ publicKeyArmored: string; privateKeyArmored: string }> {
  const privatePath = join(dir, PRIVATE_KEY_FILE);
  const publicPath = join(dir, PUBLIC_KEY_FILE);
  if (existsSync(privatePath) && existsSync(publicPath)) {
    return { privateKeyArmored: readFileSync(privatePath, 'utf8'), publicKeyArmored: readFileSync(publicPath, 'utf8') };
  }
  const key = await generateSigningKey('machine-fleet dev release signing', 'dev@machine-fleet.local');
  writeFileSync(privatePath, key.privateKeyArmored, { mode: 0o600 });
  writeFileSync(publicPath, key.publicKeyArmored);
  return key;
}

/** The signature ConfigMap of a release, made once and kept as JSON beside the payloads. */
async function ensureSignature(dir: string, release: DemoRelease, privateKeyArmored: string): Promise<ConfigMap> {
  const path = join(dir, 'signatures', `${release.digest.replace(':', '-')}.json`);
  if (existsSync(path)) return JSON.parse(readFileSync(path, 'utf8')) as ConfigMap;
  const configMap = await signatureConfigMapFor(release, privateKeyArmored);
  mkdirSync(join(dir, 'signatures'), { recursive: true });
  writeFileSync(path, `${JSON.stringify(configMap, null, 2)}\n`);
  return configMap;
}

/** Cincinnati release documents and the channel file (devcluster/update-graph/README.md, "The directory"). */
function writeGraph(graphDir: string, releases: readonly DemoRelease[]): void {
  mkdirSync(join(graphDir, 'releases'), { recursive: true });
  mkdirSync(join(graphDir, 'channels'), { recursive: true });
  releases.forEach((release, i) => {
    const doc = {
      kind: 'cincinnati-metadata-v0',
      version: release.version,
      payload: release.image,
      ...(i > 0 ? { previous: [releases[i - 1].version] } : {}),
      metadata: { url: `https://errata.machine-fleet.local/${release.version}` },
    };
    writeFileSync(join(graphDir, 'releases', `${release.version}.json`), `${JSON.stringify(doc, null, 2)}\n`);
  });
  writeFileSync(join(graphDir, 'channels', `${DEMO_CHANNEL}.yaml`), stringify({ name: DEMO_CHANNEL, versions: releases.map((r) => r.version) }));
}

/** Makes sure DATA_DIR/releases holds the demo releases, the key and the signatures; returns what the cluster needs. */
export async function ensureDemoReleases(dataDir: string): Promise<DemoReleases> {
  const dir = join(dataDir, 'releases');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const key = await ensureSigningKey(dir);
  const releases = DEMO_VERSIONS.map((version, i) => {
    const payloadDir = join(dir, version);
    return existsSync(join(payloadDir, 'release-manifests', 'release-metadata'))
      ? releaseAt(payloadDir)
      : writeDemoPayload(payloadDir, { version, previous: i > 0 ? [DEMO_VERSIONS[i - 1]] : [] });
  });
  const signatures = [];
  for (const release of releases) signatures.push(await ensureSignature(dir, release, key.privateKeyArmored));
  const graphDir = join(dir, 'graph');
  writeGraph(graphDir, releases);
  return {
    dir,
    releases,
    graphDir,
    ...key,
    configMaps: [verificationConfigMap({ [DEV_KEYRING]: key.publicKeyArmored }), ...signatures],
  };
}

/** The release to install first (the oldest). */
export function initialReleaseOf(demo: DemoReleases): ReleaseRef {
  const first = demo.releases[0];
  return { version: first.version, image: first.image };
}
