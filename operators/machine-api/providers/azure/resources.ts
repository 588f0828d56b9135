// From a resolved providerSpec to ARM resource names, IDs and PUT bodies (shared/reference/machine-api.md §2.3
// "Idempotency"). Every name is derived from the Machine, as MAO derives them, so a PUT repeated after a crash
// updates the resource the first one made instead of making a second (ARM PUT is create-or-update by name):
// VM `<machine>`, NIC `<machine>-nic`, OS disk `<machine>_OSDisk`, data disks `<machine>_<nameSuffix>`, public IP
// `<clusterID>-<machine>`. The VM also carries the Machine's UID in tag `machine-uid`, so a VM left by an earlier
// Machine of the same name is told apart from this Machine's.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import type { DataDisk, VirtualMachine } from '@azure/arm-compute';
import type { NetworkInterface, PublicIPAddress } from '@azure/arm-network';
import { invalidConfiguration, PROVIDER_SPEC_PATH, type ResolvedAzureSpec } from './provider-spec.ts';

/** The VM tag holding the Machine's UID (Azure tag names may not contain "/", so not machine.openshift.io/…). */
export const MACHINE_UID_TAG = 'machine-uid';
/** Azure's limit on public IP names as MAO enforces it (GenerateMachinePublicIPName). */
const MAX_PUBLIC_IP_NAME = 63;
/** The admin user RHCOS images expect (Ignition configures the real users). */
const LINUX_ADMIN_USER = 'core';
/** The Windows admin user of MAO's Windows Machines (WMCO). */
const WINDOWS_ADMIN_USER = 'capi';

/** Resource tag of cluster ownership, in Azure's allowed characters (MAO: kubernetes.io-cluster-<id>). */
export function clusterTagKey(clusterID: string): string {
  return `kubernetes.io-cluster-${clusterID}`;
}

export interface MachineResourceNames {
  readonly vm: string;
  readonly nic: string;
  readonly osDisk: string;
  /** Only when the spec asks for a public IP. */
  readonly publicIP?: string;
  readonly dataDisks: readonly string[];
}

export function resourceNames(spec: ResolvedAzureSpec, machineName: string, clusterID: string): MachineResourceNames {
  let publicIP: string | undefined;
  if (spec.publicIP) {
    publicIP = `${clusterID}-${machineName}`;
    if (publicIP.length > MAX_PUBLIC_IP_NAME) {
      throw invalidConfiguration([`${PROVIDER_SPEC_PATH}.publicIP: Invalid value: true: the public IP name "${publicIP}" would be longer than ${MAX_PUBLIC_IP_NAME} characters`]);
    }
  }
  return {
    vm: machineName,
    nic: `${machineName}-nic`,
    osDisk: `${machineName}_OSDisk`,
    ...(publicIP ? { publicIP } : {}),
    dataDisks: spec.dataDisks.map((d) => `${machineName}_${d.nameSuffix}`),
  };
}

/** An ARM resource ID. */
export function armId(subscriptionId: string, resourceGroup: string, provider: string, ...typesAndNames: string[]): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/${provider}/${typesAndNames.join('/')}`;
}

/** The Node's providerID as the Azure cloud provider writes it (lower-case subscription and resource group). */
export function providerIDFor(subscriptionId: string, resourceGroup: string, vmName: string): string {
  return `azure:///subscriptions/${subscriptionId.toLowerCase()}/resourceGroups/${resourceGroup.toLowerCase()}/providers/Microsoft.Compute/virtualMachines/${vmName}`;
}

/** Tags of every resource made for the Machine: the spec's, then the ones ownership depends on, which win. */
export function resourceTags(spec: ResolvedAzureSpec, clusterID: string, uid: string): Record<string, string> {
  return { ...spec.tags, [clusterTagKey(clusterID)]: 'owned', [MACHINE_UID_TAG]: uid };
}

/** Backend pools and NAT rules of the load balancers the spec names, resolved by the caller (one GET each). */
export interface LoadBalancerRefs {
  readonly backendPoolIds: readonly string[];
  readonly natRuleIds: readonly string[];
}

export interface NicContext {
  readonly subscriptionId: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly publicIPId?: string;
  readonly loadBalancers: LoadBalancerRefs;
}

export function nicParameters(spec: ResolvedAzureSpec, ctx: NicContext): NetworkInterface {
  const net = (type: string, name: string) => armId(ctx.subscriptionId, spec.networkResourceGroup, 'Microsoft.Network', type, name);
  return {
    location: spec.location,
    tags: { ...ctx.tags },
    ...(spec.acceleratedNetworking ? { enableAcceleratedNetworking: true } : {}),
    ...(spec.securityGroup ? { networkSecurityGroup: { id: net('networkSecurityGroups', spec.securityGroup) } } : {}),
    ipConfigurations: [{
      name: 'pipConfig',
      primary: true,
      privateIPAllocationMethod: 'Dynamic',
      subnet: { id: armId(ctx.subscriptionId, spec.networkResourceGroup, 'Microsoft.Network', 'virtualNetworks', spec.vnet, 'subnets', spec.subnet) },
      ...(ctx.publicIPId ? { publicIPAddress: { id: ctx.publicIPId } } : {}),
      ...(ctx.loadBalancers.backendPoolIds.length > 0 ? { loadBalancerBackendAddressPools: ctx.loadBalancers.backendPoolIds.map((id) => ({ id })) } : {}),
      ...(ctx.loadBalancers.natRuleIds.length > 0 ? { loadBalancerInboundNatRules: ctx.loadBalancers.natRuleIds.map((id) => ({ id })) } : {}),
      ...(spec.applicationSecurityGroups.length > 0 ? { applicationSecurityGroups: spec.applicationSecurityGroups.map((g) => ({ id: net('applicationSecurityGroups', g) })) } : {}),
    }],
  };
}

export function publicIPParameters(spec: ResolvedAzureSpec, tags: Readonly<Record<string, string>>): PublicIPAddress {
  return {
    location: spec.location,
    tags: { ...tags },
    sku: { name: 'Standard' },
    publicIPAllocationMethod: 'Static',
    ...(spec.zone ? { zones: [spec.zone] } : {}),
  };
}

export interface VmContext {
  readonly subscriptionId: string;
  readonly names: MachineResourceNames;
  readonly tags: Readonly<Record<string, string>>;
  readonly nicId: string;
  /** The user data Secret's bytes, sent base64-encoded as osProfile.customData. */
  readonly userData?: Buffer;
}

export function vmParameters(spec: ResolvedAzureSpec, ctx: VmContext): VirtualMachine {
  const { image, osDisk } = spec;
  const compute = (type: string, name: string) => armId(ctx.subscriptionId, spec.resourceGroup, 'Microsoft.Compute', type, name);
  const spot = spec.spotVMOptions;
  const ultraSSD = spec.ultraSSDCapability ? spec.ultraSSDCapability === 'Enabled' : spec.dataDisks.some((d) => d.storageAccountType === 'UltraSSD_LRS');
  return {
    location: spec.location,
    tags: { ...ctx.tags },
    ...(spec.zone ? { zones: [spec.zone] } : {}),
    ...('publisher' in image && image.withPlan ? { plan: { name: image.sku, product: image.offer, publisher: image.publisher } } : {}),
    ...(spec.managedIdentity ? { identity: { type: 'UserAssigned', userAssignedIdentities: { [managedIdentityId(spec, ctx.subscriptionId)]: {} } } } : {}),
    hardwareProfile: { vmSize: spec.vmSize },
    storageProfile: {
      imageReference: 'resourceID' in image
        ? { id: image.resourceID.startsWith('/subscriptions/') ? image.resourceID : `/subscriptions/${ctx.subscriptionId}${image.resourceID}` }
        : { publisher: image.publisher, offer: image.offer, sku: image.sku, version: image.version },
      osDisk: {
        name: ctx.names.osDisk,
        osType: osDisk.osType,
        createOption: 'FromImage',
        diskSizeGB: osDisk.diskSizeGB,
        deleteOption: 'Delete',
        ...(osDisk.cachingType ? { caching: osDisk.cachingType } : osDisk.ephemeral ? { caching: 'ReadOnly' } : {}),
        ...(osDisk.ephemeral ? { diffDiskSettings: { option: 'Local' } } : {}),
        managedDisk: {
          storageAccountType: osDisk.storageAccountType,
          ...(osDisk.diskEncryptionSetID ? { diskEncryptionSet: { id: osDisk.diskEncryptionSetID } } : {}),
          ...(osDisk.securityEncryptionType
            ? { securityProfile: { securityEncryptionType: osDisk.securityEncryptionType, ...(osDisk.securityDiskEncryptionSetID ? { diskEncryptionSet: { id: osDisk.securityDiskEncryptionSetID } } : {}) } }
            : {}),
        },
      },
      dataDisks: spec.dataDisks.map((d, i): DataDisk => ({
        name: ctx.names.dataDisks[i],
        lun: d.lun,
        createOption: 'Empty',
        diskSizeGB: d.diskSizeGB,
        deleteOption: d.deletionPolicy,
        ...(d.cachingType ? { caching: d.cachingType } : {}),
        ...(d.storageAccountType || d.diskEncryptionSetID
          ? { managedDisk: { ...(d.storageAccountType ? { storageAccountType: d.storageAccountType } : {}), ...(d.diskEncryptionSetID ? { diskEncryptionSet: { id: d.diskEncryptionSetID } } : {}) } }
          : {}),
      })),
    },
    osProfile: {
      computerName: ctx.names.vm,
      ...(ctx.userData ? { customData: ctx.userData.toString('base64') } : {}),
      ...(osDisk.osType === 'Windows'
        ? { adminUsername: WINDOWS_ADMIN_USER, adminPassword: randomPassword(), windowsConfiguration: { enableAutomaticUpdates: false } }
        : { adminUsername: LINUX_ADMIN_USER, linuxConfiguration: { disablePasswordAuthentication: true, ssh: { publicKeys: [{ path: `/home/${LINUX_ADMIN_USER}/.ssh/authorized_keys`, keyData: sshKey(spec.sshPublicKey) }] } } }),
    },
    networkProfile: { networkInterfaces: [{ id: ctx.nicId, primary: true, deleteOption: 'Delete' }] },
    ...(spec.securityProfile
      ? {
          securityProfile: {
            ...(spec.securityProfile.encryptionAtHost !== undefined ? { encryptionAtHost: spec.securityProfile.encryptionAtHost } : {}),
            ...(spec.securityProfile.securityType ? { securityType: spec.securityProfile.securityType } : {}),
            ...(spec.securityProfile.uefiSettings
              ? {
                  uefiSettings: {
                    ...(spec.securityProfile.uefiSettings.secureBoot ? { secureBootEnabled: spec.securityProfile.uefiSettings.secureBoot === 'Enabled' } : {}),
                    ...(spec.securityProfile.uefiSettings.virtualizedTrustedPlatformModule ? { vTpmEnabled: spec.securityProfile.uefiSettings.virtualizedTrustedPlatformModule === 'Enabled' } : {}),
                  },
                }
              : {}),
          },
        }
      : {}),
    ...(spec.bootDiagnostics ? { diagnosticsProfile: { bootDiagnostics: { enabled: true, ...(spec.bootDiagnostics.storageAccountURI ? { storageUri: spec.bootDiagnostics.storageAccountURI } : {}) } } } : {}),
    ...(spec.availabilitySet ? { availabilitySet: { id: compute('availabilitySets', spec.availabilitySet) } } : {}),
    // Spot: evicted VMs are deleted; the termination handler and MHC replace the Machine (§2.4).
    ...(spot ? { priority: 'Spot', evictionPolicy: 'Delete', billingProfile: { maxPrice: spot.maxPrice ?? -1 } } : {}),
    ...(spec.ultraSSDCapability || ultraSSD ? { additionalCapabilities: { ultraSSDEnabled: ultraSSD } } : {}),
    ...(spec.capacityReservationGroupID ? { capacityReservation: { capacityReservationGroup: { id: spec.capacityReservationGroupID } } } : {}),
  };
}

/** MAO GenerateManagedIdentityName: a bare name is a user-assigned identity in the Machine's resource group. */
function managedIdentityId(spec: ResolvedAzureSpec, subscriptionId: string): string {
  const identity = spec.managedIdentity!;
  return identity.startsWith('/') ? identity : armId(subscriptionId, spec.resourceGroup, 'Microsoft.ManagedIdentity', 'userAssignedIdentities', identity);
}

/**
 * The spec's SSH key (base64 of an OpenSSH public key line), else a throwaway one: Azure refuses a Linux VM with
 * password login off and no key, and MAO likewise generates one. Nobody holds its private half, so one per process
 * does (an RSA key takes tens of milliseconds of CPU to make).
 */
function sshKey(encoded: string | undefined): string {
  if (encoded) return Buffer.from(encoded, 'base64').toString('utf8').trim();
  throwawayKey ??= generateSshKey();
  return throwawayKey;
}

let throwawayKey: string | undefined;

/** An OpenSSH "ssh-rsa" public key line (RFC 4253 §6.6: string "ssh-rsa", mpint e, mpint n). */
function generateSshKey(): string {
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = publicKey.export({ format: 'jwk' });
  const field = (b: Buffer) => Buffer.concat([u32(b.length), b]);
  const mpint = (b64url: string) => {
    const raw = Buffer.from(b64url, 'base64url');
    return field(raw[0] & 0x80 ? Buffer.concat([Buffer.from([0]), raw]) : raw);
  };
  const blob = Buffer.concat([field(Buffer.from('ssh-rsa')), mpint(jwk.e!), mpint(jwk.n!)]);
  return `ssh-rsa ${blob.toString('base64')}`;
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

/** Meets Azure's Windows password rules (12+ characters from upper, lower, digit and symbol classes). */
function randomPassword(): string {
  return `Aa1!${randomBytes(18).toString('base64url')}`;
}
