// From a parsed providerSpec to one instances.insert request, as MAO's GCP reconciler.go `create` builds it
// (shared/reference/machine-api.md §2.2 "Create"), and the identity that makes it idempotent (§8 note 4): the
// instance is named after the Machine (unique per zone, so a second insert gets 409), carries the Machine's UID in
// a label (so exists() finds it without a providerID), and every insert and delete carries a requestId derived
// from the UID (GCE answers a repeated requestId with the first Operation instead of acting twice).
import { createHash } from 'node:crypto';
import type { Instance } from './client.ts';
import type { GcpDiskSpec, GcpMachineProviderSpec } from './provider-spec.ts';

/** The label holding the Machine's UID (sanitized to GCE label syntax). */
export const MACHINE_UID_LABEL = 'machine-uid';
/** The metadata key GCE's guest agent and Ignition read user data from. */
export const USER_DATA_METADATA_KEY = 'user-data';

/** MAO's cluster ownership label: `kubernetes-io-cluster-<clusterID>: owned` (util.GetLabelsList). */
export function clusterLabelKey(clusterID: string): string {
  return sanitizeLabel(`kubernetes-io-cluster-${clusterID}`);
}

/** `value` in GCE label syntax: lowercase letters, digits, '_' and '-', at most 63 characters. */
export function sanitizeLabel(value: string): string {
  return value.toLowerCase().replace(/[^\p{Ll}\p{N}_-]/gu, '-').slice(0, 63);
}

/** The value of the machine-uid label for a Machine UID. */
export function machineUidLabel(uid: string): string {
  return sanitizeLabel(uid);
}

// Fixed namespace of this provider's name-based UUIDs (RFC 4122 §4.3), so IDs differ from other tools' ones.
const REQUEST_ID_NAMESPACE = Buffer.from('6f1e2d0c4b5a49f8a7e6d5c4b3a29180', 'hex');

/**
 * The requestId of the `attempt`-th `purpose` ("insert", "delete") for a Machine: a version-5 (SHA-1, name-based)
 * UUID of the UID. The same Machine, purpose and attempt always give the same ID, also after a restart; a failed
 * Operation moves to the next attempt, because GCE would answer its requestId with the failure again.
 */
export function requestId(uid: string, purpose: 'insert' | 'delete', attempt = 0): string {
  const hash = createHash('sha1').update(REQUEST_ID_NAMESPACE).update(`${uid}/${purpose}/${attempt}`).digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** What the request needs besides the spec. */
export interface InsertContext {
  readonly name: string;
  readonly uid: string;
  readonly clusterID: string;
  /** The instance's project: spec.projectID, else the credentials' project. */
  readonly project: string;
  readonly userData?: string;
}

/** Labels of the instance and its disks: the spec's, then the ones lookups and ownership depend on, which win. */
export function instanceLabels(labels: Readonly<Record<string, string>>, ctx: InsertContext): Record<string, string> {
  return { ...labels, [clusterLabelKey(ctx.clusterID)]: 'owned', [MACHINE_UID_LABEL]: machineUidLabel(ctx.uid) };
}

export function instanceResource(spec: GcpMachineProviderSpec, ctx: InsertContext): Instance {
  const { zone } = spec;
  const interruptible = spec.preemptible || spec.provisioningModel === 'Spot';
  const shielded = spec.shieldedInstanceConfig;
  return {
    name: ctx.name,
    machineType: `zones/${zone}/machineTypes/${spec.machineType}`,
    canIpForward: spec.canIPForward,
    deletionProtection: spec.deletionProtection,
    labels: instanceLabels(spec.labels, ctx),
    ...(spec.tags.length > 0 ? { tags: { items: [...spec.tags] } } : {}),
    scheduling: {
      preemptible: spec.preemptible,
      ...(spec.provisioningModel === 'Spot' ? { provisioningModel: 'SPOT' } : {}),
      ...(spec.onHostMaintenance ? { onHostMaintenance: spec.onHostMaintenance.toUpperCase() } : {}),
      // GCE refuses automatic restart for preemptible and Spot VMs (the parser rejects restartPolicy Always there).
      ...(spec.restartPolicy ? { automaticRestart: spec.restartPolicy === 'Always' } : interruptible ? { automaticRestart: false } : {}),
    },
    // MAO's defaults (secure boot off, vTPM and integrity monitoring on), each overridable by the spec.
    shieldedInstanceConfig: {
      enableSecureBoot: shielded.secureBoot === 'Enabled',
      enableVtpm: shielded.virtualizedTrustedPlatformModule !== 'Disabled',
      enableIntegrityMonitoring: shielded.integrityMonitoring !== 'Disabled',
    },
    ...(spec.confidentialCompute && spec.confidentialCompute !== 'Disabled'
      ? { confidentialInstanceConfig: { enableConfidentialCompute: true, ...CONFIDENTIAL_INSTANCE_TYPES[spec.confidentialCompute] } }
      : {}),
    ...(spec.gpus.length > 0
      ? { guestAccelerators: spec.gpus.map((g) => ({ acceleratorType: `zones/${zone}/acceleratorTypes/${g.type}`, acceleratorCount: g.count })) }
      : {}),
    disks: spec.disks.map((d) => attachedDisk(d, spec, ctx)),
    networkInterfaces: spec.networkInterfaces.map((nic) => {
      const project = nic.projectID ?? ctx.project;
      return {
        network: `projects/${project}/global/networks/${nic.network}`,
        subnetwork: `projects/${project}/regions/${spec.region}/subnetworks/${nic.subnetwork}`,
        ...(nic.publicIP ? { accessConfigs: [{ name: 'External NAT', type: 'ONE_TO_ONE_NAT' }] } : {}),
      };
    }),
    serviceAccounts: spec.serviceAccounts.map((sa) => ({ email: sa.email, scopes: [...sa.scopes] })),
    ...metadataOf(spec, ctx.userData),
  };
}

const CONFIDENTIAL_INSTANCE_TYPES: Readonly<Record<string, { confidentialInstanceType?: string }>> = {
  Enabled: {},
  AMDEncryptedVirtualization: { confidentialInstanceType: 'SEV' },
  AMDEncryptedVirtualizationNestedPaging: { confidentialInstanceType: 'SEV_SNP' },
  IntelTrustedDomainExtensions: { confidentialInstanceType: 'TDX' },
};

function attachedDisk(disk: GcpDiskSpec, spec: GcpMachineProviderSpec, ctx: InsertContext): NonNullable<Instance['disks']>[number] {
  const kms = disk.encryptionKey?.kmsKey;
  return {
    autoDelete: disk.autoDelete,
    boot: disk.boot,
    initializeParams: {
      ...(disk.sizeGb !== undefined ? { diskSizeGb: disk.sizeGb } : {}),
      ...(disk.type ? { diskType: `zones/${spec.zone}/diskTypes/${disk.type}` } : {}),
      // A bare image name is an image of the instance's project (MAO: googleapi.ResolveRelative).
      ...(disk.image ? { sourceImage: disk.image.includes('/') ? disk.image : `projects/${ctx.project}/global/images/${disk.image}` } : {}),
      labels: { ...disk.labels, [clusterLabelKey(ctx.clusterID)]: 'owned' },
    },
    ...(disk.encryptionKey
      ? {
          diskEncryptionKey: {
            ...(kms ? { kmsKeyName: `projects/${kms.projectID ?? ctx.project}/locations/${kms.location}/keyRings/${kms.keyRing}/cryptoKeys/${kms.name}` } : {}),
            ...(disk.encryptionKey.kmsKeyServiceAccount ? { kmsKeyServiceAccount: disk.encryptionKey.kmsKeyServiceAccount } : {}),
          },
        }
      : {}),
  };
}

/** User data first under `user-data`, then gcpMetadata; a gcpMetadata `user-data` replaces it (GCE refuses duplicates). */
function metadataOf(spec: GcpMachineProviderSpec, userData: string | undefined): Pick<Instance, 'metadata'> {
  const items = new Map<string, string | null>();
  if (userData !== undefined) items.set(USER_DATA_METADATA_KEY, userData);
  for (const { key, value } of spec.metadata) items.set(key, value);
  if (items.size === 0) return {};
  return { metadata: { items: [...items].map(([key, value]) => (value === null ? { key } : { key, value })) } };
}
