// The release's boot images: the payload's ConfigMap `openshift-machine-config-operator/coreos-bootimages`, applied
// by the CVO at run level 80 beside the osimageurl ConfigMap (OpenShift's name and keys). `data.stream` is CoreOS
// stream metadata (coreos/stream-metadata-go `stream.Stream`), of which these parts are read:
//
//   {"stream": "rhcos-4.2", "architectures": {"x86_64": {"images": {
//     "aws":   {"regions": {"us-east-1": {"release": "42.94.1", "image": "ami-0abc…"}}},   ← stream-metadata's format
//     "gcp":   {"release": "42.94.1", "project": "rhcos-cloud", "name": "rhcos-42-94-1"},   ← stream-metadata's format
//     "azure": {"release": "42.94.1", "publisher": "…", "offer": "…", "sku": "…", "version": "…"},   ← machine-fleet
//     "local": {"release": "42.94.1", "image": "rhcos-4.2.0-…"}}}}}                                  ← machine-fleet
//
// azure is a marketplace image (what AzureMachineProviderSpec `image` takes without a resource group of the
// cluster's own; the real stream lists it under rhel-coreos-extensions.marketplace), local the dev cluster's local
// cloud. Only a pool with `osUpdate.strategy: Replace` reads this (replace/); InPlace pools never look at it.
// Pure: the controller reads the ConfigMap from its cache.
import { COREOS_BOOTIMAGES_CONFIG_MAP, COREOS_BOOTIMAGES_KEYS } from '../api/machineconfiguration-v1.ts';
import { parseSemVer } from '../cluster-version/updates/semver.ts';
import type { ConfigMapLike } from './target.ts';

export interface AwsRegionImage {
  readonly release: string;
  /** The AMI ID, e.g. "ami-0123456789abcdef0". */
  readonly image: string;
}

export interface GcpImage {
  readonly release: string;
  readonly project: string;
  readonly name: string;
}

export interface AzureMarketplaceImage {
  readonly release: string;
  readonly publisher: string;
  readonly offer: string;
  readonly sku: string;
  readonly version: string;
}

export interface LocalImage {
  readonly release: string;
  /** An image of the local cloud's catalogue (devcluster/local-cloud). */
  readonly image: string;
}

/** One architecture's images, per platform; a platform the stream does not list is absent. */
export interface PlatformImages {
  readonly aws?: { readonly regions: Readonly<Record<string, AwsRegionImage>> };
  readonly gcp?: GcpImage;
  readonly azure?: AzureMarketplaceImage;
  readonly local?: LocalImage;
}

export interface BootImages {
  readonly releaseVersion: string;
  /** The stream's name, e.g. "rhcos-4.2". */
  readonly stream: string | undefined;
  /** By stream architecture name: x86_64, aarch64, ppc64le, s390x. */
  readonly architectures: Readonly<Record<string, PlatformImages>>;
}

export type BootImagesResult =
  | { readonly ok: true; readonly bootImages: BootImages }
  /** `missing`: not applied (yet), as opposed to applied but malformed. */
  | { readonly ok: false; readonly missing: boolean; readonly message: string };

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads an object's string fields, pushing `<path>.<field>: required` for each missing or empty one; undefined
 * when any is missing.
 */
function strings<K extends string>(obj: Json, path: string, fields: readonly K[], problems: string[]): Record<K, string> | undefined {
  const out = {} as Record<K, string>;
  let ok = true;
  for (const field of fields) {
    const value = obj[field];
    if (typeof value !== 'string' || value.trim() === '') {
      problems.push(`${path}.${field}: ${value === undefined ? 'required' : `${JSON.stringify(value)} must be a non-empty string`}`);
      ok = false;
    } else out[field] = value.trim();
  }
  return ok ? out : undefined;
}

function object(value: unknown, path: string, problems: string[]): Json | undefined {
  if (isObject(value)) return value;
  problems.push(`${path}: ${value === undefined ? 'required' : 'must be an object'}`);
  return undefined;
}

function platformImages(images: Json, path: string, problems: string[]): PlatformImages {
  const out: { -readonly [K in keyof PlatformImages]: PlatformImages[K] } = {};
  if (images.aws !== undefined) {
    const aws = object(images.aws, `${path}.aws`, problems);
    const regions = aws && object(aws.regions, `${path}.aws.regions`, problems);
    if (regions) {
      const byRegion: Record<string, AwsRegionImage> = {};
      for (const [region, entry] of Object.entries(regions)) {
        const at = `${path}.aws.regions.${region}`;
        const e = object(entry, at, problems);
        const read = e && strings(e, at, ['release', 'image'], problems);
        if (read) byRegion[region] = read;
      }
      out.aws = { regions: byRegion };
    }
  }
  const simple = <K extends string>(platform: 'gcp' | 'azure' | 'local', fields: readonly K[]) => {
    if (images[platform] === undefined) return undefined;
    const e = object(images[platform], `${path}.${platform}`, problems);
    return e && strings(e, `${path}.${platform}`, fields, problems);
  };
  const gcp = simple('gcp', ['release', 'project', 'name']);
  if (gcp) out.gcp = gcp;
  const azure = simple('azure', ['release', 'publisher', 'offer', 'sku', 'version']);
  if (azure) out.azure = azure;
  const local = simple('local', ['release', 'image']);
  if (local) out.local = local;
  return out;
}

/**
 * The boot images of the coreos-bootimages ConfigMap, or a message naming each missing or malformed key, e.g.
 * `ConfigMap openshift-machine-config-operator/coreos-bootimages: data.stream: architectures.x86_64.images.gcp.project: required`.
 * Platforms other than aws, gcp, azure and local (and the stream's other parts) are left alone.
 */
export function parseBootImages(configMap: ConfigMapLike | undefined, namespace: string): BootImagesResult {
  const where = `ConfigMap ${namespace}/${COREOS_BOOTIMAGES_CONFIG_MAP}`;
  if (!configMap) return { ok: false, missing: true, message: `${where} not found: the release payload has not been applied yet` };
  const data = configMap.data ?? {};
  const problems: string[] = [];
  const releaseVersion = data[COREOS_BOOTIMAGES_KEYS.releaseVersion]?.trim() ?? '';
  if (!releaseVersion) problems.push('data.releaseVersion: required');
  else if (!parseSemVer(releaseVersion)) problems.push(`data.releaseVersion: ${JSON.stringify(releaseVersion)} is not a semantic version`);

  const architectures: Record<string, PlatformImages> = {};
  let streamName: string | undefined;
  const text = data[COREOS_BOOTIMAGES_KEYS.stream];
  const streamProblems: string[] = [];
  if (!text?.trim()) problems.push('data.stream: required');
  else {
    let stream: unknown;
    try {
      stream = JSON.parse(text);
    } catch (err) {
      problems.push(`data.stream: not JSON: ${(err as Error).message}`);
    }
    if (stream !== undefined) {
      const root = object(stream, 'the stream', streamProblems);
      if (root && typeof root.stream === 'string') streamName = root.stream;
      const arches = root && object(root.architectures, 'architectures', streamProblems);
      if (arches) {
        if (Object.keys(arches).length === 0) streamProblems.push('architectures: must list at least one architecture');
        for (const [arch, entry] of Object.entries(arches)) {
          const a = object(entry, `architectures.${arch}`, streamProblems);
          const images = a && object(a.images, `architectures.${arch}.images`, streamProblems);
          if (images) architectures[arch] = platformImages(images, `architectures.${arch}.images`, streamProblems);
        }
      }
    }
  }
  problems.push(...streamProblems.map((p) => `data.stream: ${p}`));
  if (problems.length > 0) return { ok: false, missing: false, message: `${where}: ${problems.join('; ')}` };
  return { ok: true, bootImages: { releaseVersion, stream: streamName, architectures } };
}
