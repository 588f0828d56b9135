// From a parsed providerSpec to one RunInstances request (shared/reference/machine-api.md §2.1 "Cloud API
// calls", Create row). MAO spends up to ten describes on every create; here references by filter (subnet,
// security groups) and the AMI's root device name are resolved once and kept for `ttlMs` per connection, so a
// MachineSet scaling up pays for them once, and references by id cost nothing.
import {
  DescribeImagesCommand, DescribeSecurityGroupsCommand, DescribeSubnetsCommand,
  type BlockDeviceMapping, type EC2Client, type Filter, type RunInstancesCommandInput, type Tag,
} from '@aws-sdk/client-ec2';
import { TerminalError } from '../../../runtime/errors.ts';
import { clusterTagKey, MACHINE_UID_TAG } from './instance-cache.ts';
import { PROVIDER_SPEC_PATH, type AwsFilter, type AwsMachineProviderSpec, type AwsResourceReference } from './provider-spec.ts';
import { toActuatorError } from './errors.ts';

/** How long a resolved filter reference or AMI root device name is reused, in ms. */
export const DEFAULT_RESOURCE_TTL_MS = 10 * 60_000;

/** What the request needs besides the spec. */
export interface LaunchContext {
  readonly machineName: string;
  readonly uid: string;
  readonly clusterID: string;
  readonly userData?: Buffer;
  readonly subnetId?: string;
  readonly securityGroupIds: readonly string[];
  /** The AMI's root device name, when the spec has an unnamed (root) block device. */
  readonly rootDeviceName?: string;
}

/** Memoised lookups of one connection. Failed lookups are not kept, so a throttled describe is simply retried. */
export class ResourceResolver {
  readonly #ec2: EC2Client;
  readonly #ttlMs: number;
  readonly #now: () => number;
  readonly #memo = new Map<string, { at: number; value: Promise<unknown> }>();

  constructor(ec2: EC2Client, options: { ttlMs?: number; now?: () => number } = {}) {
    this.#ec2 = ec2;
    this.#ttlMs = options.ttlMs ?? DEFAULT_RESOURCE_TTL_MS;
    this.#now = options.now ?? Date.now;
  }

  async subnetId(spec: AwsMachineProviderSpec, signal: AbortSignal): Promise<string | undefined> {
    const ref = spec.subnet;
    if (!ref) return undefined;
    if (!('filters' in ref)) return idOf(ref);
    const filters = toFilters(ref.filters);
    if (spec.availabilityZone) filters.push({ Name: 'availability-zone', Values: [spec.availabilityZone] });
    return this.#memoise(`subnet:${JSON.stringify(filters)}`, async () => {
      const answer = await call('DescribeSubnets', () => this.#ec2.send(new DescribeSubnetsCommand({ Filters: filters }), { abortSignal: signal }));
      const ids = (answer.Subnets ?? []).map((s) => s.SubnetId).filter((id): id is string => !!id).sort();
      if (ids.length === 0) {
        const where = spec.availabilityZone ? ` in availability zone ${spec.availabilityZone}` : '';
        throw new TerminalError('InvalidConfiguration', `${PROVIDER_SPEC_PATH}.subnet.filters: Invalid value: no subnet matches ${JSON.stringify(ref.filters)}${where}`);
      }
      return ids[0];
    });
  }

  /** Every group the references name, in order, without duplicates. */
  async securityGroupIds(spec: AwsMachineProviderSpec, signal: AbortSignal): Promise<string[]> {
    const lists = await Promise.all(spec.securityGroups.map(async (ref, i): Promise<string[]> => {
      if (!('filters' in ref)) return [idOf(ref)];
      const filters = toFilters(ref.filters);
      return this.#memoise(`sg:${JSON.stringify(filters)}`, async () => {
        const answer = await call('DescribeSecurityGroups', () => this.#ec2.send(new DescribeSecurityGroupsCommand({ Filters: filters }), { abortSignal: signal }));
        const ids = (answer.SecurityGroups ?? []).map((g) => g.GroupId).filter((id): id is string => !!id).sort();
        if (ids.length === 0) throw new TerminalError('InvalidConfiguration', `${PROVIDER_SPEC_PATH}.securityGroups[${i}].filters: Invalid value: no security group matches ${JSON.stringify(ref.filters)}`);
        return ids;
      });
    }));
    return [...new Set(lists.flat())];
  }

  /** The AMI's root device name, needed only when the spec sizes the root volume (an unnamed block device). */
  async rootDeviceName(spec: AwsMachineProviderSpec, signal: AbortSignal): Promise<string | undefined> {
    if (!spec.blockDevices.some((d) => d.deviceName === undefined)) return undefined;
    return this.#memoise(`root:${spec.amiId}`, async () => {
      const answer = await call('DescribeImages', () => this.#ec2.send(new DescribeImagesCommand({ ImageIds: [spec.amiId] }), { abortSignal: signal }));
      const name = answer.Images?.[0]?.RootDeviceName;
      if (!name) throw new TerminalError('InvalidConfiguration', `${PROVIDER_SPEC_PATH}.ami.id: Invalid value: ${JSON.stringify(spec.amiId)}: EC2 reports no such image or no root device for it`);
      return name;
    });
  }

  #memoise<T>(key: string, load: () => Promise<T>): Promise<T> {
    const hit = this.#memo.get(key);
    if (hit && this.#now() - hit.at < this.#ttlMs) return hit.value as Promise<T>;
    const value = load();
    this.#memo.set(key, { at: this.#now(), value });
    value.catch(() => {
      if (this.#memo.get(key)?.value === value) this.#memo.delete(key);
    });
    return value;
  }
}

async function call<T>(operation: string, send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (err) {
    throw toActuatorError(err, operation);
  }
}

function toFilters(filters: readonly AwsFilter[]): Filter[] {
  return filters.map((f) => ({ Name: f.name, Values: [...f.values] }));
}

/** The id of a reference by id or ARN (`arn:aws:ec2:<region>:<account>:subnet/subnet-0123`). */
function idOf(ref: Exclude<AwsResourceReference, { filters: unknown }>): string {
  return 'id' in ref ? ref.id : ref.arn.slice(ref.arn.lastIndexOf('/') + 1);
}

/** Instance and volume tags: the providerSpec's, then the ones lookups and ownership depend on, which win. */
export function instanceTags(spec: AwsMachineProviderSpec, ctx: LaunchContext): Tag[] {
  const tags = new Map<string, string>();
  for (const t of spec.tags) tags.set(t.name, t.value);
  tags.set('Name', ctx.machineName);
  tags.set(clusterTagKey(ctx.clusterID), 'owned');
  tags.set(MACHINE_UID_TAG, ctx.uid);
  return [...tags].map(([Key, Value]) => ({ Key, Value }));
}

/** The RunInstances request. ClientToken is the Machine's UID, so a retry after a crash makes no second instance. */
export function runInstancesInput(spec: AwsMachineProviderSpec, ctx: LaunchContext): RunInstancesCommandInput {
  const tags = instanceTags(spec, ctx);
  // MAO uses an explicit network interface; the plain SubnetId/SecurityGroupIds form is the same request
  // when nothing needs the interface (public IP choice, EFA, a non-zero device index).
  const explicitInterface = spec.publicIp !== undefined || spec.networkInterfaceType === 'EFA' || spec.deviceIndex !== 0;
  const placement = {
    ...(spec.availabilityZone && !ctx.subnetId ? { AvailabilityZone: spec.availabilityZone } : {}),
    ...(spec.tenancy ? { Tenancy: spec.tenancy } : {}),
    ...(spec.placementGroupName ? { GroupName: spec.placementGroupName } : {}),
    ...(spec.placementGroupPartition ? { PartitionNumber: spec.placementGroupPartition } : {}),
  };
  return {
    ClientToken: ctx.uid,
    ImageId: spec.amiId,
    InstanceType: spec.instanceType as RunInstancesCommandInput['InstanceType'],
    MinCount: 1,
    MaxCount: 1,
    ...(explicitInterface
      ? {
          NetworkInterfaces: [{
            DeviceIndex: spec.deviceIndex,
            DeleteOnTermination: true,
            ...(ctx.subnetId ? { SubnetId: ctx.subnetId } : {}),
            ...(ctx.securityGroupIds.length > 0 ? { Groups: [...ctx.securityGroupIds] } : {}),
            ...(spec.publicIp !== undefined ? { AssociatePublicIpAddress: spec.publicIp } : {}),
            ...(spec.networkInterfaceType === 'EFA' ? { InterfaceType: 'efa' } : {}),
          }],
        }
      : {
          ...(ctx.subnetId ? { SubnetId: ctx.subnetId } : {}),
          ...(ctx.securityGroupIds.length > 0 ? { SecurityGroupIds: [...ctx.securityGroupIds] } : {}),
        }),
    ...(Object.keys(placement).length > 0 ? { Placement: placement } : {}),
    ...(ctx.userData ? { UserData: ctx.userData.toString('base64') } : {}),
    ...(spec.iamInstanceProfile ? { IamInstanceProfile: 'name' in spec.iamInstanceProfile ? { Name: spec.iamInstanceProfile.name } : { Arn: spec.iamInstanceProfile.arn } } : {}),
    ...(spec.keyName ? { KeyName: spec.keyName } : {}),
    ...(spec.blockDevices.length > 0 ? { BlockDeviceMappings: spec.blockDevices.map((d) => blockDeviceMapping(d, ctx.rootDeviceName)) } : {}),
    // Spot: one-time, terminated on interruption; the termination handler and MHC replace it (§2.4).
    ...(spec.marketType === 'Spot'
      ? { InstanceMarketOptions: { MarketType: 'spot', SpotOptions: { SpotInstanceType: 'one-time', InstanceInterruptionBehavior: 'terminate', ...(spec.spotMarketOptions?.maxPrice ? { MaxPrice: spec.spotMarketOptions.maxPrice } : {}) } } }
      : spec.marketType === 'CapacityBlock' ? { InstanceMarketOptions: { MarketType: 'capacity-block' } } : {}),
    ...(spec.capacityReservationId ? { CapacityReservationSpecification: { CapacityReservationTarget: { CapacityReservationId: spec.capacityReservationId } } } : {}),
    ...(spec.metadataServiceAuthentication ? { MetadataOptions: { HttpEndpoint: 'enabled', HttpTokens: spec.metadataServiceAuthentication === 'Required' ? 'required' : 'optional' } } : {}),
    ...(spec.confidentialCompute ? { CpuOptions: { AmdSevSnp: spec.confidentialCompute === 'Disabled' ? 'disabled' : 'enabled' } } : {}),
    TagSpecifications: [
      { ResourceType: 'instance', Tags: tags },
      { ResourceType: 'volume', Tags: tags },
    ],
  };
}

function blockDeviceMapping(device: AwsMachineProviderSpec['blockDevices'][number], rootDeviceName: string | undefined): BlockDeviceMapping {
  const ebs = device.ebs;
  return {
    DeviceName: device.deviceName ?? rootDeviceName,
    ...(device.noDevice !== undefined ? { NoDevice: device.noDevice } : {}),
    ...(device.virtualName !== undefined ? { VirtualName: device.virtualName } : {}),
    ...(ebs
      ? {
          Ebs: {
            // Always: a Machine's volumes go with its instance (types_awsprovider.go deprecates the field).
            DeleteOnTermination: true,
            ...(ebs.volumeSize !== undefined ? { VolumeSize: ebs.volumeSize } : {}),
            ...(ebs.volumeType !== undefined ? { VolumeType: ebs.volumeType as 'gp3' } : {}),
            ...(ebs.iops !== undefined ? { Iops: ebs.iops } : {}),
            ...(ebs.throughput !== undefined ? { Throughput: ebs.throughput } : {}),
            ...(ebs.encrypted !== undefined ? { Encrypted: ebs.encrypted } : {}),
            ...(ebs.kmsKey ? { KmsKeyId: 'id' in ebs.kmsKey ? ebs.kmsKey.id : ebs.kmsKey.arn } : {}),
          },
        }
      : {}),
  };
}
