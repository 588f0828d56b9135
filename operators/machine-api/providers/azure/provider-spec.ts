// AzureMachineProviderSpec as OpenShift writes it (openshift/api machine/v1beta1 types_azureprovider.go;
// shared/reference/machine-api.md §2.3). Parsed strictly, as the AWS provider does: an unknown or mistyped field is
// a TerminalError (reason InvalidConfiguration) naming the full field path in Kubernetes' field-error wording, and
// every error is collected. The installer writes zero values for unset fields (`diskSettings: {}`,
// `securityProfile: {settings: {}}`, `image: {offer: "", …, resourceID: "/resourceGroups/…"}`, `publicIP: false`),
// so "" and {} mean unset wherever Go's omitempty would have. Rules below mirror MAO's Azure webhook
// (pkg/webhooks/machine_webhook.go validateAzure) where it has one.
//
// location and resourceGroup may be left to the credentials Secret (azure_region, azure_resourcegroup), as MAO
// does; resolveAzureSpec fills them in once the Secret is read.
import { MACHINE_API_GROUP_VERSION } from '../../../api/machine-v1beta1.ts';
import { absent, boolean, integer, invalidConfiguration, list, object, oneOf, PROVIDER_SPEC_PATH, quoteAll, string } from '../spec-fields.ts';

export const AZURE_PROVIDER_SPEC_KIND = 'AzureMachineProviderSpec';
/** The group older installers wrote; still served. */
export const LEGACY_AZURE_PROVIDER_API_VERSION = 'azureproviderconfig.openshift.io/v1beta1';
export const AZURE_PROVIDER_API_VERSIONS = [MACHINE_API_GROUP_VERSION, LEGACY_AZURE_PROVIDER_API_VERSION] as const;

export { invalidConfiguration, PROVIDER_SPEC_PATH } from '../spec-fields.ts';

/** A Secret by name, in the Machine's namespace unless one is given. */
export interface SecretRef {
  readonly name: string;
  readonly namespace?: string;
}

/** A marketplace image, or a gallery/managed image by resource ID. */
export type AzureImage =
  | { readonly resourceID: string }
  | { readonly publisher: string; readonly offer: string; readonly sku: string; readonly version: string; readonly withPlan: boolean };

export type CachingType = 'None' | 'ReadOnly' | 'ReadWrite';
export type StorageAccountType = 'Standard_LRS' | 'Premium_LRS' | 'StandardSSD_LRS' | 'UltraSSD_LRS' | 'Premium_ZRS' | 'StandardSSD_ZRS' | 'PremiumV2_LRS';

export interface OsDiskSpec {
  readonly osType: 'Linux' | 'Windows';
  readonly diskSizeGB: number;
  readonly storageAccountType: string;
  readonly diskEncryptionSetID?: string;
  readonly securityEncryptionType?: 'VMGuestStateOnly' | 'DiskWithVMGuestState';
  readonly securityDiskEncryptionSetID?: string;
  readonly ephemeral: boolean;
  readonly cachingType?: CachingType;
}

export interface DataDiskSpec {
  readonly nameSuffix: string;
  readonly diskSizeGB: number;
  readonly storageAccountType?: string;
  readonly diskEncryptionSetID?: string;
  readonly lun: number;
  readonly cachingType?: CachingType;
  readonly deletionPolicy: 'Delete' | 'Detach';
}

export interface UefiSettings {
  readonly secureBoot?: 'Enabled' | 'Disabled';
  readonly virtualizedTrustedPlatformModule?: 'Enabled' | 'Disabled';
}

export interface SecurityProfileSpec {
  readonly encryptionAtHost?: boolean;
  readonly securityType?: 'ConfidentialVM' | 'TrustedLaunch';
  readonly uefiSettings?: UefiSettings;
}

export interface AzureMachineProviderSpec {
  /** Absent: the credentials Secret's azure_region. */
  readonly location?: string;
  readonly vmSize: string;
  readonly image: AzureImage;
  readonly osDisk: OsDiskSpec;
  readonly dataDisks: readonly DataDiskSpec[];
  readonly sshPublicKey?: string;
  readonly publicIP: boolean;
  readonly tags: Readonly<Record<string, string>>;
  readonly securityGroup?: string;
  readonly applicationSecurityGroups: readonly string[];
  readonly vnet: string;
  readonly subnet: string;
  readonly publicLoadBalancer?: string;
  readonly internalLoadBalancer?: string;
  readonly natRule?: number;
  readonly managedIdentity?: string;
  /** "" or absent: no availability zone. */
  readonly zone?: string;
  /** Absent: resourceGroup. */
  readonly networkResourceGroup?: string;
  /** Absent: the credentials Secret's azure_resourcegroup. */
  readonly resourceGroup?: string;
  /** Present (maybe empty) for a Spot VM; maxPrice in US dollars per hour, -1 = up to the on-demand price. */
  readonly spotVMOptions?: { readonly maxPrice?: number };
  readonly securityProfile?: SecurityProfileSpec;
  readonly ultraSSDCapability?: 'Enabled' | 'Disabled';
  readonly acceleratedNetworking: boolean;
  readonly availabilitySet?: string;
  readonly bootDiagnostics?: { readonly storageAccountURI?: string };
  readonly capacityReservationGroupID?: string;
  readonly userDataSecret?: SecretRef;
  readonly credentialsSecret: SecretRef;
}

/** The spec once location and resource groups are known. */
export interface ResolvedAzureSpec extends AzureMachineProviderSpec {
  readonly location: string;
  readonly resourceGroup: string;
  readonly networkResourceGroup: string;
}

/** OpenShift's limit on the OS disk (MAO webhook: "must be greater than zero and less than 32768"). */
export const MAX_OS_DISK_SIZE_GB = 32768;
const CACHING_TYPES = ['None', 'ReadOnly', 'ReadWrite'] as const;
const DATA_DISK_STORAGE_TYPES = ['Standard_LRS', 'Premium_LRS', 'UltraSSD_LRS'] as const;
const ENABLED_DISABLED = ['Enabled', 'Disabled'] as const;
const NAME_SUFFIX = /^[a-zA-Z0-9](?:[\w.-]*[a-zA-Z0-9])?$/;

/** Parses a Machine's providerSpec.value; throws TerminalError('InvalidConfiguration', …) naming every bad field. */
export function parseAzureProviderSpec(value: unknown): AzureMachineProviderSpec {
  const errors: string[] = [];
  const v = object(value, PROVIDER_SPEC_PATH, errors, TOP_LEVEL_FIELDS);
  if (!v) throw invalidConfiguration(errors);
  const at = (field: string) => `${PROVIDER_SPEC_PATH}.${field}`;

  if (v.apiVersion !== undefined && !(AZURE_PROVIDER_API_VERSIONS as readonly unknown[]).includes(v.apiVersion)) {
    errors.push(`${at('apiVersion')}: Unsupported value: ${JSON.stringify(v.apiVersion)}: supported values: ${quoteAll(AZURE_PROVIDER_API_VERSIONS)}`);
  }
  if (v.kind !== AZURE_PROVIDER_SPEC_KIND) {
    errors.push(v.kind === undefined ? `${at('kind')}: Required value` : `${at('kind')}: Unsupported value: ${JSON.stringify(v.kind)}: supported values: "${AZURE_PROVIDER_SPEC_KIND}"`);
  }
  // OpenShift's serializers write `metadata: {creationTimestamp: null}` into every providerSpec; ignored.
  object(v.metadata, at('metadata'), errors);

  const location = string(v.location, at('location'), errors);
  const vmSize = required(string(v.vmSize, at('vmSize'), errors), v.vmSize, at('vmSize'), errors);
  const image = parseImage(v.image, at('image'), errors);
  const osDisk = parseOsDisk(v.osDisk, at('osDisk'), errors);
  const dataDiskEntries = list(v.dataDisks, at('dataDisks'), errors, (item, path) => {
    const disk = parseDataDisk(item, path, errors);
    return disk && { disk, path };
  });
  checkDataDisks(dataDiskEntries, errors);
  const dataDisks = dataDiskEntries.map((e) => e.disk);

  const sshPublicKey = string(v.sshPublicKey, at('sshPublicKey'), errors);
  if (sshPublicKey !== undefined && !/^[A-Za-z0-9+/]+={0,2}$/.test(sshPublicKey)) errors.push(`${at('sshPublicKey')}: Invalid value: must be base64-encoded (MAO decodes it)`);
  const publicIP = boolean(v.publicIP, at('publicIP'), errors) ?? false;
  const tags = stringMap(v.tags, at('tags'), errors);
  const securityGroup = string(v.securityGroup, at('securityGroup'), errors);
  const applicationSecurityGroups = list(v.applicationSecurityGroups, at('applicationSecurityGroups'), errors, (item, path) => string(item, path, errors));

  // MAO creates the NIC in <vnet>/<subnet>; one without the other names no subnet.
  const vnet = string(v.vnet, at('vnet'), errors);
  const subnet = string(v.subnet, at('subnet'), errors);
  if (vnet === undefined) errors.push(`${at('vnet')}: Required value${subnet !== undefined ? ': vnet and subnet are set together' : ''}`);
  if (subnet === undefined) errors.push(`${at('subnet')}: Required value${vnet !== undefined ? ': vnet and subnet are set together' : ''}`);

  const publicLoadBalancer = string(v.publicLoadBalancer, at('publicLoadBalancer'), errors);
  const internalLoadBalancer = string(v.internalLoadBalancer, at('internalLoadBalancer'), errors);
  const natRule = integer(v.natRule, at('natRule'), 0, Number.MAX_SAFE_INTEGER, errors);
  if (natRule !== undefined && publicLoadBalancer === undefined) errors.push(`${at('natRule')}: Invalid value: ${natRule}: requires publicLoadBalancer`);
  const managedIdentity = string(v.managedIdentity, at('managedIdentity'), errors);
  const zone = string(v.zone, at('zone'), errors);
  const networkResourceGroup = string(v.networkResourceGroup, at('networkResourceGroup'), errors);
  const resourceGroup = string(v.resourceGroup, at('resourceGroup'), errors);

  let spotVMOptions: AzureMachineProviderSpec['spotVMOptions'];
  const spot = object(v.spotVMOptions, at('spotVMOptions'), errors, ['maxPrice']);
  if (spot) {
    const maxPrice = quantity(spot.maxPrice, at('spotVMOptions.maxPrice'), errors);
    if (maxPrice !== undefined && maxPrice !== -1 && maxPrice <= 0) errors.push(`${at('spotVMOptions.maxPrice')}: Invalid value: ${maxPrice}: must be greater than zero, or -1 for up to the on-demand price`);
    spotVMOptions = maxPrice === undefined ? {} : { maxPrice };
  }

  const securityProfile = parseSecurityProfile(v.securityProfile, at('securityProfile'), errors);
  if (osDisk?.securityEncryptionType && securityProfile?.securityType !== 'ConfidentialVM') {
    errors.push(`${at('osDisk.managedDisk.securityProfile.securityEncryptionType')}: Invalid value: ${JSON.stringify(osDisk.securityEncryptionType)}: only for Confidential VMs (securityProfile.settings.securityType ConfidentialVM)`);
  }
  const ultraSSDCapability = oneOf(v.ultraSSDCapability, at('ultraSSDCapability'), ENABLED_DISABLED, errors);
  if (ultraSSDCapability === 'Disabled' && dataDisks.some((d) => d.storageAccountType === 'UltraSSD_LRS')) {
    errors.push(`${at('ultraSSDCapability')}: Invalid value: "Disabled": UltraSSD_LRS data disks need the capability`);
  }
  const acceleratedNetworking = boolean(v.acceleratedNetworking, at('acceleratedNetworking'), errors) ?? false;
  const availabilitySet = string(v.availabilitySet, at('availabilitySet'), errors);
  if (availabilitySet !== undefined && zone !== undefined) errors.push(`${at('availabilitySet')}: Invalid value: ${JSON.stringify(availabilitySet)}: a VM is in an availability set or in a zone, not both`);
  const bootDiagnostics = parseDiagnostics(v.diagnostics, at('diagnostics'), errors);
  const capacityReservationGroupID = string(v.capacityReservationGroupID, at('capacityReservationGroupID'), errors);
  if (capacityReservationGroupID !== undefined && !capacityReservationGroupID.startsWith('/')) {
    errors.push(`${at('capacityReservationGroupID')}: Invalid value: ${JSON.stringify(capacityReservationGroupID)}: must be a resource ID starting with "/"`);
  }
  const userDataSecret = secretRef(v.userDataSecret, at('userDataSecret'), errors);
  const credentialsSecret = secretRef(v.credentialsSecret, at('credentialsSecret'), errors);
  // Credentials come only from this Secret (no environment or managed-identity fallback).
  if (!credentialsSecret && v.credentialsSecret === undefined) errors.push(`${at('credentialsSecret')}: Required value: Azure credentials are read from this Secret`);

  if (errors.length > 0 || !image || !osDisk || !credentialsSecret) throw invalidConfiguration(errors);
  return {
    ...(location === undefined ? {} : { location }),
    vmSize: vmSize as string,
    image,
    osDisk,
    dataDisks,
    ...(sshPublicKey === undefined ? {} : { sshPublicKey }),
    publicIP,
    tags,
    ...(securityGroup === undefined ? {} : { securityGroup }),
    applicationSecurityGroups,
    vnet: vnet as string,
    subnet: subnet as string,
    ...(publicLoadBalancer === undefined ? {} : { publicLoadBalancer }),
    ...(internalLoadBalancer === undefined ? {} : { internalLoadBalancer }),
    ...(natRule === undefined ? {} : { natRule }),
    ...(managedIdentity === undefined ? {} : { managedIdentity }),
    ...(zone === undefined ? {} : { zone }),
    ...(networkResourceGroup === undefined ? {} : { networkResourceGroup }),
    ...(resourceGroup === undefined ? {} : { resourceGroup }),
    ...(spotVMOptions === undefined ? {} : { spotVMOptions }),
    ...(securityProfile === undefined ? {} : { securityProfile }),
    ...(ultraSSDCapability === undefined ? {} : { ultraSSDCapability }),
    acceleratedNetworking,
    ...(availabilitySet === undefined ? {} : { availabilitySet }),
    ...(bootDiagnostics === undefined ? {} : { bootDiagnostics }),
    ...(capacityReservationGroupID === undefined ? {} : { capacityReservationGroupID }),
    ...(userDataSecret === undefined ? {} : { userDataSecret }),
    credentialsSecret,
  };
}

/** Fills location and resource groups from the credentials Secret where the spec leaves them out (MAO). */
export function resolveAzureSpec(spec: AzureMachineProviderSpec, defaults: { readonly region?: string; readonly resourceGroup?: string }): ResolvedAzureSpec {
  const errors: string[] = [];
  const location = spec.location ?? defaults.region;
  const resourceGroup = spec.resourceGroup ?? defaults.resourceGroup;
  if (!location) errors.push(`${PROVIDER_SPEC_PATH}.location: Required value: set it, or azure_region in the credentials Secret`);
  if (!resourceGroup) errors.push(`${PROVIDER_SPEC_PATH}.resourceGroup: Required value: set it, or azure_resourcegroup in the credentials Secret`);
  if (errors.length > 0) throw invalidConfiguration(errors);
  return { ...spec, location: location as string, resourceGroup: resourceGroup as string, networkResourceGroup: spec.networkResourceGroup ?? (resourceGroup as string) };
}

const TOP_LEVEL_FIELDS = [
  'apiVersion', 'kind', 'metadata', 'userDataSecret', 'credentialsSecret', 'location', 'vmSize', 'image', 'osDisk', 'dataDisks',
  'sshPublicKey', 'publicIP', 'tags', 'securityGroup', 'applicationSecurityGroups', 'subnet', 'publicLoadBalancer',
  'internalLoadBalancer', 'natRule', 'managedIdentity', 'vnet', 'zone', 'networkResourceGroup', 'resourceGroup', 'spotVMOptions',
  'securityProfile', 'ultraSSDCapability', 'acceleratedNetworking', 'availabilitySet', 'diagnostics', 'capacityReservationGroupID',
];

function parseImage(raw: unknown, path: string, errors: string[]): AzureImage | undefined {
  const i = object(raw, path, errors, ['publisher', 'offer', 'sku', 'version', 'resourceID', 'type']);
  if (!i) {
    errors.push(`${path}: Required value`);
    return undefined;
  }
  const resourceID = string(i.resourceID, `${path}.resourceID`, errors);
  const marketplace = (['publisher', 'offer', 'sku', 'version'] as const).map((f) => [f, string(i[f], `${path}.${f}`, errors)] as const);
  const given = marketplace.filter(([, value]) => value !== undefined);
  const type = oneOf(i.type, `${path}.type`, ['ID', 'MarketplaceWithPlan', 'MarketplaceNoPlan'] as const, errors);
  // MAO webhook: a resourceID, or all four marketplace fields, never both.
  if (resourceID !== undefined) {
    if (given.length > 0) errors.push(`${path}.resourceID: Forbidden: resourceID is already specified by the ${given.map(([f]) => f).join(', ')} field${given.length > 1 ? 's' : ''}`);
    if (type !== undefined && type !== 'ID') errors.push(`${path}.type: Invalid value: ${JSON.stringify(type)}: must be ID (or omitted) with resourceID`);
    return given.length > 0 ? undefined : { resourceID };
  }
  if (given.length === 0) {
    errors.push(`${path}: Required value: either resourceID or publisher, offer, sku and version`);
    return undefined;
  }
  const missing = marketplace.filter(([, value]) => value === undefined);
  for (const [f] of missing) errors.push(`${path}.${f}: Required value: publisher, offer, sku and version are set together`);
  if (type === 'ID') errors.push(`${path}.type: Invalid value: "ID": a marketplace image is MarketplaceWithPlan or MarketplaceNoPlan`);
  if (missing.length > 0) return undefined;
  const [publisher, offer, sku, version] = marketplace.map(([, value]) => value as string);
  return { publisher, offer, sku, version, withPlan: type === 'MarketplaceWithPlan' };
}

function parseOsDisk(raw: unknown, path: string, errors: string[]): OsDiskSpec | undefined {
  const d = object(raw, path, errors, ['osType', 'managedDisk', 'diskSizeGB', 'diskSettings', 'cachingType']);
  if (!d) {
    errors.push(`${path}: Required value`);
    return undefined;
  }
  const osType = oneOf(d.osType, `${path}.osType`, ['Linux', 'Windows'] as const, errors);
  if (absent(d.osType)) errors.push(`${path}.osType: Required value`);
  const diskSizeGB = integer(d.diskSizeGB, `${path}.diskSizeGB`, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, errors);
  if (diskSizeGB !== undefined && (diskSizeGB <= 0 || diskSizeGB >= MAX_OS_DISK_SIZE_GB)) {
    errors.push(`${path}.diskSizeGB: Invalid value: ${diskSizeGB}: diskSizeGB must be greater than zero and less than ${MAX_OS_DISK_SIZE_GB}`);
  }
  if (d.diskSizeGB === undefined || d.diskSizeGB === null) errors.push(`${path}.diskSizeGB: Required value`);
  const m = object(d.managedDisk, `${path}.managedDisk`, errors, ['storageAccountType', 'diskEncryptionSet', 'securityProfile']) ?? {};
  const storageAccountType = string(m.storageAccountType, `${path}.managedDisk.storageAccountType`, errors);
  if (storageAccountType === undefined) errors.push(`${path}.managedDisk.storageAccountType: Required value`);
  const diskEncryptionSetID = encryptionSetId(m.diskEncryptionSet, `${path}.managedDisk.diskEncryptionSet`, errors);
  const sp = object(m.securityProfile, `${path}.managedDisk.securityProfile`, errors, ['diskEncryptionSet', 'securityEncryptionType']) ?? {};
  const securityEncryptionType = oneOf(sp.securityEncryptionType, `${path}.managedDisk.securityProfile.securityEncryptionType`, ['VMGuestStateOnly', 'DiskWithVMGuestState'] as const, errors);
  const securityDiskEncryptionSetID = encryptionSetId(sp.diskEncryptionSet, `${path}.managedDisk.securityProfile.diskEncryptionSet`, errors);
  const settings = object(d.diskSettings, `${path}.diskSettings`, errors, ['ephemeralStorageLocation']) ?? {};
  const ephemeral = oneOf(settings.ephemeralStorageLocation, `${path}.diskSettings.ephemeralStorageLocation`, ['Local'] as const, errors) === 'Local';
  const cachingType = oneOf(d.cachingType, `${path}.cachingType`, CACHING_TYPES, errors);
  // Azure serves an ephemeral OS disk from the host cache, which is read-only.
  if (ephemeral && cachingType !== undefined && cachingType !== 'ReadOnly') errors.push(`${path}.cachingType: Invalid value: ${JSON.stringify(cachingType)}: must be ReadOnly with ephemeralStorageLocation Local`);
  if (!osType || diskSizeGB === undefined || storageAccountType === undefined) return undefined;
  return {
    osType, diskSizeGB, storageAccountType, ephemeral,
    ...(diskEncryptionSetID === undefined ? {} : { diskEncryptionSetID }),
    ...(securityEncryptionType === undefined ? {} : { securityEncryptionType }),
    ...(securityDiskEncryptionSetID === undefined ? {} : { securityDiskEncryptionSetID }),
    ...(cachingType === undefined ? {} : { cachingType }),
  };
}

function parseDataDisk(raw: unknown, path: string, errors: string[]): DataDiskSpec | undefined {
  const d = object(raw, path, errors, ['nameSuffix', 'diskSizeGB', 'managedDisk', 'lun', 'cachingType', 'deletionPolicy']);
  if (!d) return undefined;
  const nameSuffix = string(d.nameSuffix, `${path}.nameSuffix`, errors);
  if (nameSuffix === undefined) errors.push(`${path}.nameSuffix: Required value`);
  else if (!NAME_SUFFIX.test(nameSuffix) || nameSuffix.length > 78) errors.push(`${path}.nameSuffix: Invalid value: ${JSON.stringify(nameSuffix)}: must start and end with a letter or digit, contain only letters, digits, underscores, periods or hyphens, and be at most 78 characters`);
  const diskSizeGB = integer(d.diskSizeGB, `${path}.diskSizeGB`, 4, MAX_OS_DISK_SIZE_GB, errors);
  if (d.diskSizeGB === undefined) errors.push(`${path}.diskSizeGB: Required value`);
  const m = object(d.managedDisk, `${path}.managedDisk`, errors, ['storageAccountType', 'diskEncryptionSet']) ?? {};
  const storageAccountType = oneOf(m.storageAccountType, `${path}.managedDisk.storageAccountType`, DATA_DISK_STORAGE_TYPES, errors);
  const diskEncryptionSetID = encryptionSetId(m.diskEncryptionSet, `${path}.managedDisk.diskEncryptionSet`, errors);
  const lun = integer(d.lun, `${path}.lun`, 0, 63, errors) ?? 0;
  const cachingType = oneOf(d.cachingType, `${path}.cachingType`, CACHING_TYPES, errors);
  // Ultra disks support no host caching (Azure "Ultra disks" limitations; MAO webhook).
  if (storageAccountType === 'UltraSSD_LRS' && cachingType !== undefined && cachingType !== 'None') errors.push(`${path}.cachingType: Invalid value: ${JSON.stringify(cachingType)}: must be None for UltraSSD_LRS disks`);
  const deletionPolicy = oneOf(d.deletionPolicy, `${path}.deletionPolicy`, ['Delete', 'Detach'] as const, errors);
  if (absent(d.deletionPolicy)) errors.push(`${path}.deletionPolicy: Required value: Delete or Detach`);
  if (nameSuffix === undefined || diskSizeGB === undefined || deletionPolicy === undefined) return undefined;
  return {
    nameSuffix, diskSizeGB, lun, deletionPolicy,
    ...(storageAccountType === undefined ? {} : { storageAccountType }),
    ...(diskEncryptionSetID === undefined ? {} : { diskEncryptionSetID }),
    ...(cachingType === undefined ? {} : { cachingType }),
  };
}

/** Data disks are named by suffix and attached by lun: each must be unique. */
function checkDataDisks(entries: readonly { readonly disk: DataDiskSpec; readonly path: string }[], errors: string[]): void {
  const seen = { suffix: new Set<string>(), lun: new Set<number>() };
  for (const { disk: d, path } of entries) {
    if (seen.suffix.has(d.nameSuffix)) errors.push(`${path}.nameSuffix: Duplicate value: ${JSON.stringify(d.nameSuffix)}`);
    if (seen.lun.has(d.lun)) errors.push(`${path}.lun: Duplicate value: ${d.lun}`);
    seen.suffix.add(d.nameSuffix);
    seen.lun.add(d.lun);
  }
}

function parseSecurityProfile(raw: unknown, path: string, errors: string[]): SecurityProfileSpec | undefined {
  const p = object(raw, path, errors, ['encryptionAtHost', 'settings']);
  if (!p) return undefined;
  const encryptionAtHost = boolean(p.encryptionAtHost, `${path}.encryptionAtHost`, errors);
  const s = object(p.settings, `${path}.settings`, errors, ['securityType', 'confidentialVM', 'trustedLaunch']) ?? {};
  const securityType = oneOf(s.securityType, `${path}.settings.securityType`, ['ConfidentialVM', 'TrustedLaunch'] as const, errors);
  // A union: the member named by securityType, and only that one.
  const member = (key: 'confidentialVM' | 'trustedLaunch') => {
    const m = object(s[key], `${path}.settings.${key}`, errors, ['uefiSettings']);
    if (!m) return undefined;
    const u = object(m.uefiSettings, `${path}.settings.${key}.uefiSettings`, errors, ['secureBoot', 'virtualizedTrustedPlatformModule']) ?? {};
    const secureBoot = oneOf(u.secureBoot, `${path}.settings.${key}.uefiSettings.secureBoot`, ENABLED_DISABLED, errors);
    const vTpm = oneOf(u.virtualizedTrustedPlatformModule, `${path}.settings.${key}.uefiSettings.virtualizedTrustedPlatformModule`, ENABLED_DISABLED, errors);
    return { ...(secureBoot ? { secureBoot } : {}), ...(vTpm ? { virtualizedTrustedPlatformModule: vTpm } : {}) };
  };
  const confidential = member('confidentialVM');
  const trusted = member('trustedLaunch');
  if (confidential && securityType !== 'ConfidentialVM') errors.push(`${path}.settings.confidentialVM: Forbidden: only with securityType ConfidentialVM`);
  if (trusted && securityType !== 'TrustedLaunch') errors.push(`${path}.settings.trustedLaunch: Forbidden: only with securityType TrustedLaunch`);
  if (securityType === 'ConfidentialVM' && !confidential) errors.push(`${path}.settings.confidentialVM: Required value: when securityType is ConfidentialVM`);
  if (securityType === 'TrustedLaunch' && !trusted) errors.push(`${path}.settings.trustedLaunch: Required value: when securityType is TrustedLaunch`);
  const uefiSettings = securityType === 'ConfidentialVM' ? confidential : securityType === 'TrustedLaunch' ? trusted : undefined;
  if (encryptionAtHost === undefined && securityType === undefined) return undefined;
  return {
    ...(encryptionAtHost === undefined ? {} : { encryptionAtHost }),
    ...(securityType === undefined ? {} : { securityType }),
    ...(uefiSettings === undefined ? {} : { uefiSettings }),
  };
}

function parseDiagnostics(raw: unknown, path: string, errors: string[]): AzureMachineProviderSpec['bootDiagnostics'] {
  const d = object(raw, path, errors, ['boot']);
  const boot = object(d?.boot, `${path}.boot`, errors, ['storageAccountType', 'customerManaged']);
  if (!boot) return undefined;
  const type = oneOf(boot.storageAccountType, `${path}.boot.storageAccountType`, ['AzureManaged', 'CustomerManaged'] as const, errors);
  if (absent(boot.storageAccountType)) errors.push(`${path}.boot.storageAccountType: Required value: AzureManaged or CustomerManaged`);
  const customer = object(boot.customerManaged, `${path}.boot.customerManaged`, errors, ['storageAccountURI']);
  const uri = string(customer?.storageAccountURI, `${path}.boot.customerManaged.storageAccountURI`, errors);
  if (type === 'CustomerManaged' && uri === undefined) errors.push(`${path}.boot.customerManaged.storageAccountURI: Required value: when storageAccountType is CustomerManaged`);
  if (uri !== undefined && !uri.startsWith('https://')) errors.push(`${path}.boot.customerManaged.storageAccountURI: Invalid value: ${JSON.stringify(uri)}: must start with https://`);
  if (type === 'AzureManaged' && customer) errors.push(`${path}.boot.customerManaged: Forbidden: only with storageAccountType CustomerManaged`);
  if (type === undefined) return undefined;
  return type === 'CustomerManaged' && uri ? { storageAccountURI: uri } : {};
}

function encryptionSetId(raw: unknown, path: string, errors: string[]): string | undefined {
  const s = object(raw, path, errors, ['id']);
  return s ? string(s.id, `${path}.id`, errors) : undefined;
}

function secretRef(raw: unknown, path: string, errors: string[]): SecretRef | undefined {
  const r = object(raw, path, errors, ['name', 'namespace']);
  if (!r) return undefined;
  const name = string(r.name, `${path}.name`, errors);
  if (name === undefined) {
    errors.push(`${path}.name: Required value`);
    return undefined;
  }
  const namespace = string(r.namespace, `${path}.namespace`, errors);
  return namespace === undefined ? { name } : { name, namespace };
}

/** A resource.Quantity as JSON gives it: a number, or a decimal string ("0.5", "-1", "500m"). */
function quantity(raw: unknown, path: string, errors: string[]): number | undefined {
  if (raw === undefined || raw === null || raw === '') return undefined;
  if (typeof raw === 'number' && Number.isFinite(raw)) return raw;
  const m = typeof raw === 'string' ? /^(-?\d+(?:\.\d+)?)(m?)$/.exec(raw) : null;
  if (!m) {
    errors.push(`${path}: Invalid value: ${JSON.stringify(raw)}: must be a decimal quantity, e.g. "0.12" or -1`);
    return undefined;
  }
  return Number(m[1]) / (m[2] === 'm' ? 1000 : 1);
}

function stringMap(raw: unknown, path: string, errors: string[]): Record<string, string> {
  const m = object(raw, path, errors);
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(m ?? {})) {
    if (typeof value !== 'string') errors.push(`${path}[${key}]: Invalid value: ${JSON.stringify(value)}: must be a string`);
    else out[key] = value;
  }
  return out;
}

function required<T>(parsed: T | undefined, raw: unknown, path: string, errors: string[]): T | undefined {
  if (absent(raw)) errors.push(`${path}: Required value`);
  return parsed;
}
