// AWSMachineProviderConfig as OpenShift writes it (openshift/api machine/v1beta1 types_awsprovider.go;
// shared/reference/machine-api.md §2.1). Parsed strictly: an unknown or mistyped field is a TerminalError
// (reason InvalidConfiguration, so the Machine goes Failed) naming the full field path, in Kubernetes'
// field-error wording (apimachinery pkg/util/validation/field/errors.go). Every error is collected, so one
// Failed Machine tells the user everything wrong with its spec. The installer writes zero values for unset
// fields (`iops: 0`, `kmsKey: {arn: ""}`, `capacityReservationId: ""`, `metadataServiceOptions: {}`), so
// empty strings and zero numbers mean "unset" wherever Go's omitempty would have meant the same.
import { MACHINE_API_GROUP_VERSION } from '../../../api/machine-v1beta1.ts';
import { absent, boolean, integer, invalidConfiguration, list, object, oneOf, PROVIDER_SPEC_PATH, quoteAll, string } from '../spec-fields.ts';

export const AWS_PROVIDER_SPEC_KIND = 'AWSMachineProviderConfig';
/** The group older installers (OpenShift ≤ 4.x early releases) wrote; still served. */
export const LEGACY_AWS_PROVIDER_API_VERSION = 'awsproviderconfig.openshift.io/v1beta1';
export const AWS_PROVIDER_API_VERSIONS = [MACHINE_API_GROUP_VERSION, LEGACY_AWS_PROVIDER_API_VERSION] as const;

export { PROVIDER_SPEC_PATH } from '../spec-fields.ts';

export interface AwsFilter {
  readonly name: string;
  readonly values: readonly string[];
}

/** AWSResourceReference with exactly one of id, arn or filters (the empty reference is absent). */
export type AwsResourceReference = { readonly id: string } | { readonly arn: string } | { readonly filters: readonly AwsFilter[] };

export interface EbsSpec {
  readonly volumeSize?: number;
  readonly volumeType?: string;
  readonly iops?: number;
  readonly throughput?: number;
  readonly encrypted?: boolean;
  readonly kmsKey?: { readonly id: string } | { readonly arn: string };
}

export interface BlockDeviceSpec {
  /** Absent for the root device (at most one). */
  readonly deviceName?: string;
  readonly ebs?: EbsSpec;
  readonly noDevice?: string;
  readonly virtualName?: string;
}

export type Tenancy = 'default' | 'dedicated' | 'host';
export type MarketType = 'OnDemand' | 'Spot' | 'CapacityBlock';

export interface AwsMachineProviderSpec {
  readonly amiId: string;
  readonly instanceType: string;
  readonly region: string;
  readonly availabilityZone?: string;
  readonly tenancy?: Tenancy;
  readonly subnet?: AwsResourceReference;
  readonly securityGroups: readonly AwsResourceReference[];
  /** providerSpec tags, in order; later ones win. */
  readonly tags: readonly { readonly name: string; readonly value: string }[];
  readonly userDataSecret?: string;
  readonly credentialsSecret?: string;
  readonly blockDevices: readonly BlockDeviceSpec[];
  /** The profile's name (MAO passes `id` as the name) or its ARN. */
  readonly iamInstanceProfile?: { readonly name: string } | { readonly arn: string };
  readonly keyName?: string;
  readonly deviceIndex: number;
  readonly publicIp?: boolean;
  readonly networkInterfaceType?: 'ENA' | 'EFA';
  /** Present (maybe empty) for a spot instance. */
  readonly spotMarketOptions?: { readonly maxPrice?: string };
  readonly marketType: MarketType;
  readonly metadataServiceAuthentication?: 'Required' | 'Optional';
  readonly placementGroupName?: string;
  readonly placementGroupPartition?: number;
  readonly capacityReservationId?: string;
  readonly confidentialCompute?: 'Disabled' | 'AMDEncryptedVirtualizationNestedPaging';
}

/** Parses a Machine's providerSpec.value; throws TerminalError('InvalidConfiguration', …) naming every bad field. */
export function parseAwsProviderSpec(value: unknown): AwsMachineProviderSpec {
  const errors: string[] = [];
  const v = object(value, PROVIDER_SPEC_PATH, errors, TOP_LEVEL_FIELDS);
  if (!v) throw invalidConfiguration(errors);
  const at = (field: string) => `${PROVIDER_SPEC_PATH}.${field}`;

  const apiVersion = v.apiVersion;
  if (apiVersion !== undefined && !(AWS_PROVIDER_API_VERSIONS as readonly unknown[]).includes(apiVersion)) {
    errors.push(`${at('apiVersion')}: Unsupported value: ${JSON.stringify(apiVersion)}: supported values: ${quoteAll(AWS_PROVIDER_API_VERSIONS)}`);
  }
  if (v.kind !== AWS_PROVIDER_SPEC_KIND) {
    errors.push(v.kind === undefined ? `${at('kind')}: Required value` : `${at('kind')}: Unsupported value: ${JSON.stringify(v.kind)}: supported values: "${AWS_PROVIDER_SPEC_KIND}"`);
  }
  // OpenShift's serializers write `metadata: {creationTimestamp: null}` into every providerSpec; ignored.
  if (v.metadata !== undefined) object(v.metadata, at('metadata'), errors);

  const ami = reference(v.ami, at('ami'), errors);
  let amiId = '';
  if (!ami) errors.push(`${at('ami.id')}: Required value`);
  else if (!('id' in ami)) errors.push(`${at('ami')}: Unsupported value: only ami.id is supported (the Machine API webhook rejects arn and filters too)`);
  else amiId = ami.id;

  const instanceType = string(v.instanceType, at('instanceType'), errors);
  if (absent(v.instanceType)) errors.push(`${at('instanceType')}: Required value`);

  const placement = object(v.placement, at('placement'), errors, ['region', 'availabilityZone', 'tenancy']) ?? {};
  const region = string(placement.region, at('placement.region'), errors);
  if (absent(placement.region)) errors.push(`${at('placement.region')}: Required value`);
  const availabilityZone = string(placement.availabilityZone, at('placement.availabilityZone'), errors);
  const tenancy = oneOf(placement.tenancy, at('placement.tenancy'), ['default', 'dedicated', 'host'] as const, errors);

  const subnet = reference(v.subnet, at('subnet'), errors);
  const securityGroups = list(v.securityGroups, at('securityGroups'), errors, (item, path) => {
    const ref = reference(item, path, errors);
    if (!ref) errors.push(`${path}: Required value: one of id, arn or filters`);
    return ref;
  });
  for (const ref of securityGroups) if (ref && 'arn' in ref) errors.push(`${at('securityGroups')}: Unsupported value: security groups are referenced by id or filters, not arn`);

  const tags = list(v.tags, at('tags'), errors, (item, path) => {
    const tag = object(item, path, errors, ['name', 'value']);
    if (!tag) return undefined;
    const name = string(tag.name, `${path}.name`, errors);
    if (name === undefined) errors.push(`${path}.name: Required value`);
    const value = tag.value === '' ? '' : string(tag.value, `${path}.value`, errors);
    return name === undefined ? undefined : { name, value: value ?? '' };
  });

  const userDataSecret = secretRef(v.userDataSecret, at('userDataSecret'), errors);
  const credentialsSecret = secretRef(v.credentialsSecret, at('credentialsSecret'), errors);

  const blockDevices = list(v.blockDevices, at('blockDevices'), errors, (item, path) => blockDevice(item, path, errors));
  if (blockDevices.filter((d) => d && d.deviceName === undefined).length > 1) {
    errors.push(`${at('blockDevices')}: Invalid value: only one block device may omit deviceName (the root device)`);
  }

  const profileRef = reference(v.iamInstanceProfile, at('iamInstanceProfile'), errors);
  let iamInstanceProfile: AwsMachineProviderSpec['iamInstanceProfile'];
  if (profileRef && 'filters' in profileRef) errors.push(`${at('iamInstanceProfile.filters')}: Unsupported value: an instance profile is referenced by id (its name) or arn`);
  else if (profileRef) iamInstanceProfile = 'id' in profileRef ? { name: profileRef.id } : { arn: profileRef.arn };

  const keyName = string(v.keyName, at('keyName'), errors);
  const deviceIndex = integer(v.deviceIndex, at('deviceIndex'), 0, Number.MAX_SAFE_INTEGER, errors) ?? 0;
  const publicIp = boolean(v.publicIp, at('publicIp'), errors);
  const networkInterfaceType = oneOf(v.networkInterfaceType, at('networkInterfaceType'), ['ENA', 'EFA'] as const, errors);

  let spotMarketOptions: AwsMachineProviderSpec['spotMarketOptions'];
  if (v.spotMarketOptions !== undefined && v.spotMarketOptions !== null) {
    const spot = object(v.spotMarketOptions, at('spotMarketOptions'), errors, ['maxPrice']);
    if (spot) {
      const maxPrice = string(spot.maxPrice, at('spotMarketOptions.maxPrice'), errors);
      if (maxPrice !== undefined && !/^\d+(\.\d+)?$/.test(maxPrice)) errors.push(`${at('spotMarketOptions.maxPrice')}: Invalid value: ${JSON.stringify(maxPrice)}: must be a decimal price in USD per hour, e.g. "0.12"`);
      spotMarketOptions = maxPrice === undefined ? {} : { maxPrice };
    }
  }
  const marketTypeRaw = oneOf(v.marketType, at('marketType'), ['OnDemand', 'Spot', 'CapacityBlock'] as const, errors);
  // types_awsprovider.go: "When SpotMarketOptions is provided, the marketType defaults to Spot".
  const marketType: MarketType = marketTypeRaw ?? (spotMarketOptions ? 'Spot' : 'OnDemand');
  if (spotMarketOptions && marketType !== 'Spot') errors.push(`${at('marketType')}: Invalid value: "${marketType}": must be Spot (or omitted) when spotMarketOptions is set`);

  const mso = object(v.metadataServiceOptions, at('metadataServiceOptions'), errors, ['authentication']);
  const metadataServiceAuthentication = mso ? oneOf(mso.authentication, at('metadataServiceOptions.authentication'), ['Required', 'Optional'] as const, errors) : undefined;

  const placementGroupName = string(v.placementGroupName, at('placementGroupName'), errors);
  const placementGroupPartition = integer(v.placementGroupPartition, at('placementGroupPartition'), 1, 7, errors);
  if (placementGroupPartition !== undefined && placementGroupName === undefined) errors.push(`${at('placementGroupPartition')}: Invalid value: ${placementGroupPartition}: requires placementGroupName`);

  const capacityReservationId = string(v.capacityReservationId, at('capacityReservationId'), errors);
  if (capacityReservationId !== undefined && !/^cr-[0-9a-f]{17}$/.test(capacityReservationId)) {
    errors.push(`${at('capacityReservationId')}: Invalid value: ${JSON.stringify(capacityReservationId)}: must match ^cr-[0-9a-f]{17}$`);
  }
  if (marketType === 'CapacityBlock' && capacityReservationId === undefined) errors.push(`${at('capacityReservationId')}: Required value: marketType CapacityBlock needs a capacity reservation`);

  const cpu = object(v.cpuOptions, at('cpuOptions'), errors, ['confidentialCompute']);
  const confidentialCompute = cpu ? oneOf(cpu.confidentialCompute, at('cpuOptions.confidentialCompute'), ['Disabled', 'AMDEncryptedVirtualizationNestedPaging'] as const, errors) : undefined;

  // Registering instances with load balancers is not implemented (MAO does it for control-plane Machines only);
  // an empty list, as some tools write, is fine.
  const loadBalancers = list(v.loadBalancers, at('loadBalancers'), errors, (item) => item);
  if (loadBalancers.length > 0) errors.push(`${at('loadBalancers')}: Forbidden: load balancer registration is not supported by this provider`);

  if (errors.length > 0) throw invalidConfiguration(errors);
  return {
    amiId,
    instanceType: instanceType as string,
    region: region as string,
    ...(availabilityZone === undefined ? {} : { availabilityZone }),
    ...(tenancy === undefined ? {} : { tenancy }),
    ...(subnet === undefined ? {} : { subnet }),
    securityGroups: securityGroups as AwsResourceReference[],
    tags: tags as { name: string; value: string }[],
    ...(userDataSecret === undefined ? {} : { userDataSecret }),
    ...(credentialsSecret === undefined ? {} : { credentialsSecret }),
    blockDevices: blockDevices as BlockDeviceSpec[],
    ...(iamInstanceProfile === undefined ? {} : { iamInstanceProfile }),
    ...(keyName === undefined ? {} : { keyName }),
    deviceIndex,
    ...(publicIp === undefined ? {} : { publicIp }),
    ...(networkInterfaceType === undefined ? {} : { networkInterfaceType }),
    ...(spotMarketOptions === undefined ? {} : { spotMarketOptions }),
    marketType,
    ...(metadataServiceAuthentication === undefined ? {} : { metadataServiceAuthentication }),
    ...(placementGroupName === undefined ? {} : { placementGroupName }),
    ...(placementGroupPartition === undefined ? {} : { placementGroupPartition }),
    ...(capacityReservationId === undefined ? {} : { capacityReservationId }),
    ...(confidentialCompute === undefined ? {} : { confidentialCompute }),
  };
}

const TOP_LEVEL_FIELDS = [
  'apiVersion', 'kind', 'metadata', 'ami', 'instanceType', 'cpuOptions', 'tags', 'iamInstanceProfile', 'userDataSecret',
  'credentialsSecret', 'keyName', 'deviceIndex', 'publicIp', 'networkInterfaceType', 'securityGroups', 'subnet',
  'placement', 'loadBalancers', 'blockDevices', 'spotMarketOptions', 'metadataServiceOptions', 'placementGroupName',
  'placementGroupPartition', 'capacityReservationId', 'marketType',
];

function blockDevice(raw: unknown, path: string, errors: string[]): BlockDeviceSpec | undefined {
  const d = object(raw, path, errors, ['deviceName', 'ebs', 'noDevice', 'virtualName']);
  if (!d) return undefined;
  const deviceName = string(d.deviceName, `${path}.deviceName`, errors);
  const noDevice = string(d.noDevice, `${path}.noDevice`, errors);
  const virtualName = string(d.virtualName, `${path}.virtualName`, errors);
  const e = object(d.ebs, `${path}.ebs`, errors, ['deleteOnTermination', 'encrypted', 'kmsKey', 'iops', 'throughput', 'volumeSize', 'volumeType']);
  let ebs: EbsSpec | undefined;
  if (e) {
    // deleteOnTermination is deprecated and has no effect (volumes are always deleted with the instance).
    boolean(e.deleteOnTermination, `${path}.ebs.deleteOnTermination`, errors);
    const encrypted = boolean(e.encrypted, `${path}.ebs.encrypted`, errors);
    const iops = positiveOrUnset(e.iops, `${path}.ebs.iops`, errors);
    const throughput = positiveOrUnset(e.throughput, `${path}.ebs.throughput`, errors);
    const volumeSize = positiveOrUnset(e.volumeSize, `${path}.ebs.volumeSize`, errors);
    const volumeType = string(e.volumeType, `${path}.ebs.volumeType`, errors);
    const kms = reference(e.kmsKey, `${path}.ebs.kmsKey`, errors);
    if (kms && 'filters' in kms) errors.push(`${path}.ebs.kmsKey.filters: Unsupported value: a KMS key is referenced by id or arn`);
    ebs = {
      ...(volumeSize === undefined ? {} : { volumeSize }),
      ...(volumeType === undefined ? {} : { volumeType }),
      ...(iops === undefined ? {} : { iops }),
      ...(throughput === undefined ? {} : { throughput }),
      ...(encrypted === undefined ? {} : { encrypted }),
      ...(kms && !('filters' in kms) ? { kmsKey: kms } : {}),
    };
  }
  return {
    ...(deviceName === undefined ? {} : { deviceName }),
    ...(ebs === undefined ? {} : { ebs }),
    ...(noDevice === undefined ? {} : { noDevice }),
    ...(virtualName === undefined ? {} : { virtualName }),
  };
}

/** An AWSResourceReference; undefined when absent or empty (`{}`, `{arn: ""}`: the installer's zero value). */
function reference(raw: unknown, path: string, errors: string[]): AwsResourceReference | undefined {
  const r = object(raw, path, errors, ['id', 'arn', 'filters']);
  if (!r) return undefined;
  const id = string(r.id, `${path}.id`, errors);
  const arn = string(r.arn, `${path}.arn`, errors);
  const filters = list(r.filters, `${path}.filters`, errors, (item, p) => {
    const f = object(item, p, errors, ['name', 'values']);
    if (!f) return undefined;
    const name = string(f.name, `${p}.name`, errors);
    if (name === undefined) errors.push(`${p}.name: Required value`);
    const values = list(f.values, `${p}.values`, errors, (value, vp) => (typeof value === 'string' ? value : void errors.push(`${vp}: Invalid value: ${JSON.stringify(value)}: must be a string`)));
    return name === undefined ? undefined : { name, values: values as string[] };
  });
  const set = [id !== undefined, arn !== undefined, filters.length > 0].filter(Boolean).length;
  if (set > 1) {
    errors.push(`${path}: Invalid value: only one of id, arn or filters may be set`);
    return undefined;
  }
  if (id !== undefined) return { id };
  if (arn !== undefined) return { arn };
  if (filters.length > 0) return { filters: filters as AwsFilter[] };
  return undefined;
}

function secretRef(raw: unknown, path: string, errors: string[]): string | undefined {
  const r = object(raw, path, errors, ['name']);
  if (!r) return undefined;
  const name = string(r.name, `${path}.name`, errors);
  if (name === undefined) errors.push(`${path}.name: Required value`);
  return name;
}

/** A non-negative integer where 0 means unset (the installer writes `iops: 0`). */
function positiveOrUnset(raw: unknown, path: string, errors: string[]): number | undefined {
  const n = integer(raw, path, 0, Number.MAX_SAFE_INTEGER, errors);
  return n === 0 ? undefined : n;
}
