// Where each provider's providerSpec names the image a Machine boots from, keyed by providerSpec.value.kind: read it,
// and write the release's (boot-images.ts) into a copy, everything else in the value kept as written. One entry
// per provider; a kind without one cannot be replaced and says so, naming the field.
//
//   AWSMachineProviderConfig  ami.id                        by placement.region from images.aws.regions
//   GCPMachineProviderSpec    disks[<boot disk>].image      projects/<project>/global/images/<name>
//   AzureMachineProviderSpec  image                         marketplace publisher/offer/sku/version (MarketplaceNoPlan)
//   LocalMachineProviderSpec  image                         an image of the local cloud's catalogue
//
// Images are compared in one canonical string per provider (the AMI ID, the GCP image path without its URL prefix,
// the Azure URN `publisher:offer:sku:version` or resource ID, the local image name), so "is this Machine old" is a
// string comparison.
import { CAPACITY_LABELS_ANNOTATION, type ProviderConfig } from '../../api/machine-v1beta1.ts';
import { COREOS_BOOTIMAGES_CONFIG_MAP } from '../../api/machineconfiguration-v1.ts';
import { AWS_PROVIDER_SPEC_KIND } from '../../machine-api/providers/aws/provider-spec.ts';
import { AZURE_PROVIDER_SPEC_KIND } from '../../machine-api/providers/azure/provider-spec.ts';
import { GCP_PROVIDER_SPEC_KIND } from '../../machine-api/providers/gcp/provider-spec.ts';
import { LOCAL_PROVIDER_SPEC_KIND } from '../../machine-api/providers/local/provider-spec.ts';
import type { BootImages, PlatformImages } from '../boot-images.ts';

/** Where a MachineSet's template keeps the providerSpec, for messages. */
export const TEMPLATE_PROVIDER_SPEC_PATH = 'spec.template.spec.providerSpec.value';
/** The stream architecture when the MachineSet does not say (every local and most cloud Machines). */
export const DEFAULT_STREAM_ARCHITECTURE = 'x86_64';

export type BootImageResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

export interface BootImageTarget {
  /** The canonical image the patched value names. */
  readonly image: string;
  /** The field that was set, with its full path, e.g. "spec.template.spec.providerSpec.value.ami.id". */
  readonly field: string;
  /** providerSpec.value with the image set; every other field as written. */
  readonly value: ProviderConfig;
}

interface ProviderBootImage {
  readonly platform: keyof PlatformImages;
  /** The boot image the value names, canonical; undefined when it names none. */
  read(value: ProviderConfig): string | undefined;
  /** The value with the platform's image; `at` names the stream entry for messages. */
  write(value: ProviderConfig, images: PlatformImages, path: string, at: string): BootImageResult<BootImageTarget>;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const nonEmpty = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const ok = <T>(value: T): BootImageResult<T> => ({ ok: true, value });
const fail = (message: string): BootImageResult<never> => ({ ok: false, message });

const GCP_URL_PREFIX = /^https:\/\/(?:www|compute)\.googleapis\.com\/compute\/v1\//;

function gcpBootDisk(value: ProviderConfig): number {
  return Array.isArray(value.disks) ? value.disks.findIndex((d) => isObject(d) && d.boot === true) : -1;
}

const PROVIDERS: Readonly<Record<string, ProviderBootImage>> = {
  [AWS_PROVIDER_SPEC_KIND]: {
    platform: 'aws',
    read: (value) => (isObject(value.ami) ? nonEmpty(value.ami.id) ?? nonEmpty(value.ami.arn) : undefined),
    write(value, images, path, at) {
      const region = isObject(value.placement) ? nonEmpty(value.placement.region) : undefined;
      if (!region) return fail(`${path}.placement.region: Required value: the boot image (AMI) is chosen by region`);
      const regions = images.aws!.regions;
      const entry = regions[region];
      if (!entry) {
        const known = Object.keys(regions).sort().map((r) => JSON.stringify(r)).join(', ');
        return fail(`${path}.placement.region: Unsupported value: ${JSON.stringify(region)}: ${at}.aws.regions has no AMI for it (regions: ${known || 'none'})`);
      }
      // ami.id alone: the Machine API webhook rejects arn and filters, and one of them must go when id is set.
      return ok({ image: entry.image, field: `${path}.ami.id`, value: { ...value, ami: { id: entry.image } } });
    },
  },
  [GCP_PROVIDER_SPEC_KIND]: {
    platform: 'gcp',
    read(value) {
      const boot = gcpBootDisk(value);
      const image = boot < 0 ? undefined : nonEmpty((value.disks as Json[])[boot].image);
      return image?.replace(GCP_URL_PREFIX, '');
    },
    write(value, images, path) {
      const boot = gcpBootDisk(value);
      if (boot < 0) return fail(`${path}.disks: Required value: no disk with boot: true to set the boot image on`);
      const image = `projects/${images.gcp!.project}/global/images/${images.gcp!.name}`;
      const disks = (value.disks as unknown[]).map((d, i) => (i === boot ? { ...(d as Json), image } : d));
      return ok({ image, field: `${path}.disks[${boot}].image`, value: { ...value, disks } });
    },
  },
  [AZURE_PROVIDER_SPEC_KIND]: {
    platform: 'azure',
    read(value) {
      const image = isObject(value.image) ? value.image : {};
      const resourceID = nonEmpty(image.resourceID);
      if (resourceID) return resourceID;
      const urn = [image.publisher, image.offer, image.sku, image.version].map(nonEmpty);
      return urn.every((part) => part !== undefined) ? urn.join(':') : undefined;
    },
    write(value, images, path) {
      const { publisher, offer, sku, version } = images.azure!;
      // resourceID "" as the installer writes it for marketplace images (the provider reads "" as unset).
      const image = { publisher, offer, sku, version, resourceID: '', type: 'MarketplaceNoPlan' };
      return ok({ image: [publisher, offer, sku, version].join(':'), field: `${path}.image`, value: { ...value, image } });
    },
  },
  [LOCAL_PROVIDER_SPEC_KIND]: {
    platform: 'local',
    read: (value) => nonEmpty(value.image),
    write: (value, images, path) => ok({ image: images.local!.image, field: `${path}.image`, value: { ...value, image: images.local!.image } }),
  },
};

function providerOf(value: unknown, path: string): BootImageResult<{ provider: ProviderBootImage; value: ProviderConfig }> {
  if (!isObject(value)) return fail(`${path}: Required value`);
  const kind = value.kind;
  const provider = typeof kind === 'string' ? PROVIDERS[kind] : undefined;
  if (!provider) {
    const supported = Object.keys(PROVIDERS).map((k) => JSON.stringify(k)).join(', ');
    return fail(`${path}.kind: Unsupported value: ${kind === undefined ? 'absent' : JSON.stringify(kind)}: the boot image can be replaced only for ${supported}`);
  }
  return ok({ provider, value: value as ProviderConfig });
}

/** The canonical boot image a providerSpec.value names (undefined: none), or why it cannot be read. */
export function readBootImage(value: unknown, path: string = TEMPLATE_PROVIDER_SPEC_PATH): BootImageResult<string | undefined> {
  const found = providerOf(value, path);
  return found.ok ? ok(found.value.provider.read(found.value.value)) : found;
}

/** providerSpec.value with the release's boot image for `architecture`, or why it cannot have one. */
export function withBootImage(
  value: unknown,
  bootImages: BootImages,
  architecture: string,
  path: string = TEMPLATE_PROVIDER_SPEC_PATH,
): BootImageResult<BootImageTarget> {
  const found = providerOf(value, path);
  if (!found.ok) return found;
  const { provider } = found.value;
  const at = `${COREOS_BOOTIMAGES_CONFIG_MAP} data.stream: architectures.${architecture}.images`;
  const images = bootImages.architectures[architecture];
  if (!images?.[provider.platform]) {
    return fail(`${at}.${provider.platform}: Required value: ${String(found.value.value.kind)} Machines (${architecture}) need a ${provider.platform} boot image in release ${bootImages.releaseVersion}`);
  }
  return provider.write(found.value.value, images, path, at);
}

/** Node architecture label value → stream architecture name (coreos/stream-metadata-go arch names). */
const STREAM_ARCHITECTURES: Readonly<Record<string, string>> = { amd64: 'x86_64', arm64: 'aarch64', ppc64le: 'ppc64le', s390x: 's390x' };

/**
 * The stream architecture of a MachineSet's Machines, from the kubernetes.io/arch the Machine API puts in its
 * scale-from-zero labels annotation (OpenShift's MCO reads the same); x86_64 when it does not say.
 */
export function streamArchitectureOf(annotations: Readonly<Record<string, string>> | undefined): string {
  const labels = annotations?.[CAPACITY_LABELS_ANNOTATION] ?? '';
  const arch = labels.split(',').map((kv) => kv.trim().split('=')).find(([k]) => k === 'kubernetes.io/arch')?.[1];
  return (arch && STREAM_ARCHITECTURES[arch]) ?? DEFAULT_STREAM_ARCHITECTURE;
}
