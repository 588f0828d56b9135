// GCPMachineProviderSpec as OpenShift writes it (openshift/api machine/v1beta1 types_gcpprovider.go;
// shared/reference/machine-api.md §2.2). Parsed strictly: an unknown or mistyped field is a TerminalError (reason
// InvalidConfiguration, so the Machine goes Failed) naming the full field path, in Kubernetes' field-error wording
// (apimachinery pkg/util/validation/field/errors.go), with every error collected. The checks are the Machine API
// webhook's (machine-api-operator pkg/webhooks/machine_webhook.go validateGCP) and the GCP provider's
// (reconciler.go validateMachine, restartPolicyToBool, validateGuestAccelerators), plus Compute Engine's own
// syntax for names, labels and network tags, so a spec GCE would refuse fails before any API call. Go's zero
// values ("" and 0) read as unset, as omitempty would have made them.
import type { TerminalError } from '../../../runtime/errors.ts';
import { MACHINE_API_GROUP_VERSION } from '../../../api/machine-v1beta1.ts';
import * as fields from '../spec-fields.ts';
import { PROVIDER_SPEC_PATH, quoteAll } from '../spec-fields.ts';

export const GCP_PROVIDER_SPEC_KIND = 'GCPMachineProviderSpec';
/** The group older installers wrote; still served. */
export const LEGACY_GCP_PROVIDER_API_VERSION = 'gcpprovider.openshift.io/v1beta1';
export const GCP_PROVIDER_API_VERSIONS = [MACHINE_API_GROUP_VERSION, LEGACY_GCP_PROVIDER_API_VERSION] as const;

export { PROVIDER_SPEC_PATH } from '../spec-fields.ts';

export interface KmsKeyReference {
  readonly name: string;
  readonly keyRing: string;
  readonly location: string;
  /** Absent: the instance's project. */
  readonly projectID?: string;
}

export interface GcpDiskSpec {
  readonly autoDelete: boolean;
  readonly boot: boolean;
  /** GB; absent: the image's size. */
  readonly sizeGb?: number;
  /** Disk type name, e.g. pd-ssd; absent: GCE's default. */
  readonly type?: string;
  /** An image name in the instance's project, or a `projects/…/global/images/…` path or URL. */
  readonly image?: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly encryptionKey?: { readonly kmsKey?: KmsKeyReference; readonly kmsKeyServiceAccount?: string };
}

export interface GcpNetworkInterfaceSpec {
  readonly network: string;
  readonly subnetwork: string;
  /** The network's project (shared VPC); absent: the instance's project. */
  readonly projectID?: string;
  readonly publicIP: boolean;
}

export type ShieldedPolicy = 'Enabled' | 'Disabled';
export type ConfidentialComputePolicy = 'Enabled' | 'Disabled' | 'AMDEncryptedVirtualization' | 'AMDEncryptedVirtualizationNestedPaging' | 'IntelTrustedDomainExtensions';

export interface GcpMachineProviderSpec {
  readonly machineType: string;
  readonly region: string;
  readonly zone: string;
  /** Absent: project_id of the credentials' service account key. */
  readonly projectID?: string;
  readonly disks: readonly GcpDiskSpec[];
  readonly networkInterfaces: readonly GcpNetworkInterfaceSpec[];
  readonly serviceAccounts: readonly { readonly email: string; readonly scopes: readonly string[] }[];
  /** Network tags. */
  readonly tags: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
  /** `gcpMetadata` items, in order (a null value is a key without a value). */
  readonly metadata: readonly { readonly key: string; readonly value: string | null }[];
  readonly userDataSecret?: string;
  readonly credentialsSecret: string;
  readonly preemptible: boolean;
  readonly provisioningModel?: 'Spot';
  readonly onHostMaintenance?: 'Migrate' | 'Terminate';
  readonly restartPolicy?: 'Always' | 'Never';
  /** At most one entry (an instance takes one accelerator type). */
  readonly gpus: readonly { readonly count: number; readonly type: string }[];
  readonly shieldedInstanceConfig: {
    readonly secureBoot?: ShieldedPolicy;
    readonly virtualizedTrustedPlatformModule?: ShieldedPolicy;
    readonly integrityMonitoring?: ShieldedPolicy;
  };
  readonly confidentialCompute?: ConfidentialComputePolicy;
  readonly canIPForward: boolean;
  readonly deletionProtection: boolean;
}

/** GPU types the GCP provider knows a quota metric for (reconciler.go supportedGpuTypes). */
export const SUPPORTED_GPU_TYPES = [
  'nvidia-tesla-k80', 'nvidia-tesla-p100', 'nvidia-tesla-v100', 'nvidia-tesla-a100', 'nvidia-tesla-p4', 'nvidia-tesla-t4',
  'nvidia-a100-80gb', 'nvidia-h100-mega-80gb', 'nvidia-h100-80gb',
] as const;

/** Machine families with GPUs built in: no `gpus` of their own, and no live migration. */
const GPU_FAMILIES = /^(a2|a3|a4|g2)-/;

// Compute Engine's resource naming (RFC 1035) and label syntax (cloud.google.com/compute/docs/labeling-resources).
const RESOURCE_NAME = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
const LABEL_KEY = /^\p{Ll}[\p{Ll}\p{N}_-]{0,62}$/u;
const LABEL_VALUE = /^[\p{Ll}\p{N}_-]{0,63}$/u;
const MAX_LABELS = 64;
const PROJECT_ID = /^([a-z][a-z0-9.-]*[a-z0-9]:)?[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
const REGION = /^[a-z]+-[a-z]+[0-9]+$/;
/** The Machine API webhook's disk size bounds, in GB. */
const MIN_DISK_GB = 16;
const MAX_DISK_GB = 65536;

const TOP_LEVEL_FIELDS = [
  'apiVersion', 'kind', 'metadata', 'userDataSecret', 'credentialsSecret', 'canIPForward', 'deletionProtection', 'disks',
  'labels', 'gcpMetadata', 'networkInterfaces', 'serviceAccounts', 'tags', 'targetPools', 'machineType', 'region', 'zone',
  'projectID', 'gpus', 'preemptible', 'provisioningModel', 'onHostMaintenance', 'restartPolicy', 'shieldedInstanceConfig',
  'confidentialCompute', 'resourceManagerTags',
];

/** Parses a Machine's providerSpec.value; throws TerminalError('InvalidConfiguration', …) naming every bad field. */
export function parseGcpProviderSpec(value: unknown): GcpMachineProviderSpec {
  const f = new FieldReader();
  const v = f.object(value, PROVIDER_SPEC_PATH, TOP_LEVEL_FIELDS);
  if (!v) throw f.invalidConfiguration();
  const at = (field: string) => `${PROVIDER_SPEC_PATH}.${field}`;

  if (v.apiVersion !== undefined && !(GCP_PROVIDER_API_VERSIONS as readonly unknown[]).includes(v.apiVersion)) {
    f.error(`${at('apiVersion')}: Unsupported value: ${JSON.stringify(v.apiVersion)}: supported values: ${quoteAll(GCP_PROVIDER_API_VERSIONS)}`);
  }
  if (v.kind !== GCP_PROVIDER_SPEC_KIND) {
    f.error(v.kind === undefined ? `${at('kind')}: Required value` : `${at('kind')}: Unsupported value: ${JSON.stringify(v.kind)}: supported values: "${GCP_PROVIDER_SPEC_KIND}"`);
  }
  // OpenShift's serializers write `metadata: {creationTimestamp: null}` into every providerSpec; ignored.
  f.object(v.metadata, at('metadata'));

  const machineType = f.required(f.string(v.machineType, at('machineType'), /^[a-z0-9][a-z0-9-]*[a-z0-9]$/), at('machineType'), 'machineType should be set to one of the supported GCP machine types');
  const region = f.required(f.string(v.region, at('region'), REGION), at('region'), 'region is required');
  const zone = f.required(f.string(v.zone, at('zone'), /^[a-z]+-[a-z]+[0-9]+-[a-z]$/), at('zone'));
  if (region && zone && !zone.startsWith(`${region}-`)) f.error(`${at('zone')}: Invalid value: ${JSON.stringify(zone)}: zone not in configured region (${region})`);
  const projectID = f.string(v.projectID, at('projectID'), PROJECT_ID);

  const disks = f.list(v.disks, at('disks'), (item, path) => disk(f, item, path));
  if (disks.length === 0 && !f.failedAt(at('disks'))) f.error(`${at('disks')}: Required value: at least 1 disk is required`);
  const boots = disks.filter((d) => d.boot).length;
  if (disks.length > 0 && boots !== 1) f.error(`${at('disks')}: Invalid value: ${boots} boot disks: exactly one disk must have boot: true`);

  const networkInterfaces = f.list(v.networkInterfaces, at('networkInterfaces'), (item, path) => {
    const nic = f.object(item, path, ['publicIP', 'network', 'projectID', 'subnetwork']);
    if (!nic) return undefined;
    const network = f.required(f.string(nic.network, `${path}.network`, RESOURCE_NAME), `${path}.network`, 'network is required');
    const subnetwork = f.required(f.string(nic.subnetwork, `${path}.subnetwork`, RESOURCE_NAME), `${path}.subnetwork`, 'subnetwork is required');
    const nicProject = f.string(nic.projectID, `${path}.projectID`, PROJECT_ID);
    const publicIP = f.boolean(nic.publicIP, `${path}.publicIP`) ?? false;
    return network && subnetwork ? { network, subnetwork, publicIP, ...(nicProject ? { projectID: nicProject } : {}) } : undefined;
  });
  if (networkInterfaces.length === 0 && !f.failedAt(at('networkInterfaces'))) f.error(`${at('networkInterfaces')}: Required value: at least 1 network interface is required`);

  const serviceAccounts = f.list(v.serviceAccounts, at('serviceAccounts'), (item, path) => {
    const sa = f.object(item, path, ['email', 'scopes']);
    if (!sa) return undefined;
    const email = f.required(f.string(sa.email, `${path}.email`, /^[^@\s]+@[^@\s]+$/), `${path}.email`, 'email is required');
    const scopes = f.list(sa.scopes, `${path}.scopes`, (scope, p) => f.string(scope, p, /^\S+$/));
    if (scopes.length === 0 && !f.failedAt(`${path}.scopes`)) f.error(`${path}.scopes: Required value: at least 1 scope is required`);
    return email ? { email, scopes } : undefined;
  });
  // GCE takes one service account per instance; the webhook asks for exactly one when any is given.
  if (serviceAccounts.length > 1) f.error(`${at('serviceAccounts')}: Invalid value: "${serviceAccounts.length} service accounts supplied": exactly 1 service account must be supplied`);

  const tags = f.list(v.tags, at('tags'), (tag, path) => f.string(tag, path, RESOURCE_NAME));
  const labels = f.labels(v.labels, at('labels'));
  const metadata = f.list(v.gcpMetadata, at('gcpMetadata'), (item, path) => {
    const m = f.object(item, path, ['key', 'value']);
    if (!m) return undefined;
    const key = f.required(f.string(m.key, `${path}.key`, /^[a-zA-Z0-9_-]{1,128}$/), `${path}.key`);
    const value = m.value === null || m.value === undefined ? null : typeof m.value === 'string' ? m.value : void f.error(`${path}.value: Invalid value: ${JSON.stringify(m.value)}: must be a string`);
    return key && value !== undefined ? { key, value } : undefined;
  });

  const userDataSecret = f.secretRef(v.userDataSecret, at('userDataSecret'));
  const credentialsSecret = f.required(f.secretRef(v.credentialsSecret, at('credentialsSecret')), at('credentialsSecret'), 'credentialsSecret must be provided');

  const preemptible = f.boolean(v.preemptible, at('preemptible')) ?? false;
  const provisioningModel = f.oneOf(v.provisioningModel, at('provisioningModel'), ['Spot'] as const);
  if (preemptible && provisioningModel === 'Spot') f.error(`${at('provisioningModel')}: Invalid value: "Spot": preemptible cannot be used together with 'Spot' provisioning model`);
  const interruptible = preemptible || provisioningModel === 'Spot';
  const onHostMaintenance = f.oneOf(v.onHostMaintenance, at('onHostMaintenance'), ['Migrate', 'Terminate'] as const);
  const restartPolicy = f.oneOf(v.restartPolicy, at('restartPolicy'), ['Always', 'Never'] as const);
  if (restartPolicy === 'Always' && interruptible) f.error(`${at('restartPolicy')}: Invalid value: "Always": preemptible/spot instances cannot be automatically restarted`);

  const gpus = f.list(v.gpus, at('gpus'), (item, path) => {
    const g = f.object(item, path, ['count', 'type']);
    if (!g) return undefined;
    const count = f.integer(g.count, `${path}.count`, 1, 16);
    if (g.count === undefined) f.error(`${path}.count: Required value`);
    const type = f.oneOf(g.type, `${path}.type`, SUPPORTED_GPU_TYPES);
    if (g.type === undefined) f.error(`${path}.type: Required value`);
    return count !== undefined && type !== undefined ? { count, type } : undefined;
  });
  if (gpus.length > 1) f.error(`${at('gpus')}: Too many: ${gpus.length}: more than one type of accelerator provided; instances support only one accelerator type at a time`);
  if (gpus.length > 0 && machineType) {
    if (GPU_FAMILIES.test(machineType)) f.error(`${at('gpus')}: Forbidden: machine type ${machineType} has pre-attached guest accelerators; adding more is not supported`);
    else if (!machineType.startsWith('n1-')) f.error(`${at('gpus')}: Forbidden: machine type ${machineType} does not support accelerators; only the N1 family takes guest accelerators`);
  }
  // GCE cannot live-migrate a VM with GPUs (cloud.google.com/compute/docs/gpus "GPU restrictions").
  const hasGpus = gpus.length > 0 || (machineType !== undefined && GPU_FAMILIES.test(machineType));
  if (hasGpus && onHostMaintenance !== 'Terminate') {
    f.error(onHostMaintenance === undefined
      ? `${at('onHostMaintenance')}: Required value: must be Terminate for an instance with GPUs`
      : `${at('onHostMaintenance')}: Invalid value: "${onHostMaintenance}": must be Terminate for an instance with GPUs`);
  }

  const shielded = f.object(v.shieldedInstanceConfig, at('shieldedInstanceConfig'), ['secureBoot', 'virtualizedTrustedPlatformModule', 'integrityMonitoring']) ?? {};
  const policies = ['Enabled', 'Disabled'] as const;
  const secureBoot = f.oneOf(shielded.secureBoot, at('shieldedInstanceConfig.secureBoot'), policies);
  const vtpm = f.oneOf(shielded.virtualizedTrustedPlatformModule, at('shieldedInstanceConfig.virtualizedTrustedPlatformModule'), policies);
  const integrityMonitoring = f.oneOf(shielded.integrityMonitoring, at('shieldedInstanceConfig.integrityMonitoring'), policies);
  if (vtpm === 'Disabled' && integrityMonitoring !== 'Disabled') {
    f.error(`${at('shieldedInstanceConfig.virtualizedTrustedPlatformModule')}: Invalid value: "Disabled": must be Enabled while integrityMonitoring is enabled (it is by default)`);
  }

  const confidentialCompute = f.oneOf(v.confidentialCompute, at('confidentialCompute'), ['Enabled', 'Disabled', 'AMDEncryptedVirtualization', 'AMDEncryptedVirtualizationNestedPaging', 'IntelTrustedDomainExtensions'] as const);
  if (confidentialCompute && confidentialCompute !== 'Disabled' && onHostMaintenance !== 'Terminate') {
    f.error(`${at('onHostMaintenance')}: ${onHostMaintenance === undefined ? 'Required value' : `Invalid value: "${onHostMaintenance}"`}: must be Terminate when confidentialCompute is ${confidentialCompute}`);
  }

  const canIPForward = f.boolean(v.canIPForward, at('canIPForward')) ?? false;
  const deletionProtection = f.boolean(v.deletionProtection, at('deletionProtection')) ?? false;

  // Target pools and resource manager tags need APIs this provider does not call (TargetPools, Resource Manager);
  // empty lists, as tools write, are fine.
  if (f.list(v.targetPools, at('targetPools'), (item) => item).length > 0) f.error(`${at('targetPools')}: Forbidden: target pool registration is not supported by this provider`);
  if (f.list(v.resourceManagerTags, at('resourceManagerTags'), (item) => item).length > 0) f.error(`${at('resourceManagerTags')}: Forbidden: resource manager tags are not supported by this provider`);

  if (f.failed) throw f.invalidConfiguration();
  return {
    machineType: machineType!,
    region: region!,
    zone: zone!,
    ...(projectID ? { projectID } : {}),
    disks,
    networkInterfaces,
    serviceAccounts,
    tags,
    labels,
    metadata,
    ...(userDataSecret ? { userDataSecret } : {}),
    credentialsSecret: credentialsSecret!,
    preemptible,
    ...(provisioningModel ? { provisioningModel } : {}),
    ...(onHostMaintenance ? { onHostMaintenance } : {}),
    ...(restartPolicy ? { restartPolicy } : {}),
    gpus,
    shieldedInstanceConfig: {
      ...(secureBoot ? { secureBoot } : {}),
      ...(vtpm ? { virtualizedTrustedPlatformModule: vtpm } : {}),
      ...(integrityMonitoring ? { integrityMonitoring } : {}),
    },
    ...(confidentialCompute ? { confidentialCompute } : {}),
    canIPForward,
    deletionProtection,
  };
}

function disk(f: FieldReader, raw: unknown, path: string): GcpDiskSpec | undefined {
  const d = f.object(raw, path, ['autoDelete', 'boot', 'sizeGb', 'type', 'image', 'labels', 'encryptionKey']);
  if (!d) return undefined;
  const autoDelete = f.boolean(d.autoDelete, `${path}.autoDelete`) ?? false;
  const boot = f.boolean(d.boot, `${path}.boot`) ?? false;
  const size = f.integer(d.sizeGb, `${path}.sizeGb`, 0, Number.MAX_SAFE_INTEGER);
  if (size !== undefined && size !== 0 && (size < MIN_DISK_GB || size > MAX_DISK_GB)) {
    f.error(`${path}.sizeGb: Invalid value: ${size}: must be between ${MIN_DISK_GB} and ${MAX_DISK_GB} GB`);
  }
  const type = f.string(d.type, `${path}.type`, RESOURCE_NAME);
  const image = f.string(d.image, `${path}.image`, /^\S+$/);
  if (boot && !image && !f.failedAt(`${path}.image`)) f.error(`${path}.image: Required value: boot disk must specify an image`);
  const labels = f.labels(d.labels, `${path}.labels`);
  const e = f.object(d.encryptionKey, `${path}.encryptionKey`, ['kmsKey', 'kmsKeyServiceAccount']);
  let encryptionKey: GcpDiskSpec['encryptionKey'];
  if (e) {
    const k = f.object(e.kmsKey, `${path}.encryptionKey.kmsKey`, ['name', 'keyRing', 'projectID', 'location']);
    const kp = `${path}.encryptionKey.kmsKey`;
    const kmsKey = k
      ? {
          name: f.required(f.string(k.name, `${kp}.name`, /^\S+$/), `${kp}.name`),
          keyRing: f.required(f.string(k.keyRing, `${kp}.keyRing`, /^\S+$/), `${kp}.keyRing`),
          location: f.required(f.string(k.location, `${kp}.location`, /^\S+$/), `${kp}.location`),
          projectID: f.string(k.projectID, `${kp}.projectID`, PROJECT_ID),
        }
      : undefined;
    const kmsKeyServiceAccount = f.string(e.kmsKeyServiceAccount, `${path}.encryptionKey.kmsKeyServiceAccount`, /^[^@\s]+@[^@\s]+$/);
    encryptionKey = {
      ...(kmsKey?.name && kmsKey.keyRing && kmsKey.location
        ? { kmsKey: { name: kmsKey.name, keyRing: kmsKey.keyRing, location: kmsKey.location, ...(kmsKey.projectID ? { projectID: kmsKey.projectID } : {}) } }
        : {}),
      ...(kmsKeyServiceAccount ? { kmsKeyServiceAccount } : {}),
    };
  }
  return {
    autoDelete,
    boot,
    ...(size ? { sizeGb: size } : {}),
    ...(type ? { type } : {}),
    ...(image ? { image } : {}),
    labels,
    ...(encryptionKey && Object.keys(encryptionKey).length > 0 ? { encryptionKey } : {}),
  };
}

/** Reads JSON values field by field, collecting field errors instead of stopping at the first. */
class FieldReader {
  readonly #errors: string[] = [];

  get failed(): boolean {
    return this.#errors.length > 0;
  }

  error(message: string): void {
    this.#errors.push(message);
  }

  /** Whether an error was already reported for `path` or below it (so "Required" is not piled on). */
  failedAt(path: string): boolean {
    return this.#errors.some((e) => e.startsWith(path) || e.startsWith(`unknown field "${path}`));
  }

  // The shared readers (../spec-fields.ts), collecting into this reader's errors.
  object(raw: unknown, path: string, known?: readonly string[]): Record<string, unknown> | undefined {
    return fields.object(raw, path, this.#errors, known);
  }

  list<T>(raw: unknown, path: string, item: (value: unknown, path: string) => T | undefined): T[] {
    return fields.list(raw, path, this.#errors, item);
  }

  string(raw: unknown, path: string, pattern?: RegExp): string | undefined {
    return fields.string(raw, path, this.#errors, pattern);
  }

  /** `value`, or a Required error at `path` when it is absent and nothing else was reported there. */
  required<T>(value: T | undefined, path: string, detail?: string): T | undefined {
    if (value === undefined && !this.failedAt(path)) this.error(`${path}: Required value${detail ? `: ${detail}` : ''}`);
    return value;
  }

  boolean(raw: unknown, path: string): boolean | undefined {
    return fields.boolean(raw, path, this.#errors);
  }

  integer(raw: unknown, path: string, min: number, max: number): number | undefined {
    return fields.integer(raw, path, min, max, this.#errors);
  }

  oneOf<T extends string>(raw: unknown, path: string, allowed: readonly T[]): T | undefined {
    return fields.oneOf(raw, path, allowed, this.#errors);
  }

  secretRef(raw: unknown, path: string): string | undefined {
    const r = this.object(raw, path, ['name']);
    if (!r) return undefined;
    return this.required(this.string(r.name, `${path}.name`), `${path}.name`, 'name must be provided');
  }

  /** A GCE label map: lowercase keys and values, at most 64 entries. */
  labels(raw: unknown, path: string): Record<string, string> {
    const obj = this.object(raw, path);
    if (!obj) return {};
    const out: Record<string, string> = {};
    for (const [key, value] of Object.entries(obj)) {
      if (!LABEL_KEY.test(key)) this.error(`${path}: Invalid value: ${JSON.stringify(key)}: a label key must start with a lowercase letter and have at most 63 lowercase letters, digits, '_' or '-'`);
      else if (typeof value !== 'string' || !LABEL_VALUE.test(value)) this.error(`${path}[${key}]: Invalid value: ${JSON.stringify(value)}: a label value has at most 63 lowercase letters, digits, '_' or '-'`);
      else out[key] = value;
    }
    if (Object.keys(obj).length > MAX_LABELS) this.error(`${path}: Too many: ${Object.keys(obj).length}: must have at most ${MAX_LABELS} items`);
    return out;
  }

  /** Every error, as apimachinery's ToAggregate prints it: one alone, or several in brackets. */
  invalidConfiguration(): TerminalError {
    return fields.invalidConfiguration(this.#errors);
  }
}
