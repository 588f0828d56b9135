// The AWS EC2 provider's Actuator (shared/reference/machine-api.md §1.3, §2.1, §8 note 4). A Machine's instance
// is made with the Machine's UID as RunInstances' ClientToken and tagged with it, so a crash between the cloud
// call and the status write neither makes a second instance (EC2 answers the repeat with the first one) nor
// loses it (the uid tag finds it without a providerID). Reads go through a per-connection InstanceCache that
// answers many Machines with one DescribeInstances.
//
// Credentials: only from the Secret the providerSpec names. A missing Secret is a transient error with a clear
// message, not MAO's InvalidConfiguration: Secrets are often created just after the Machines that use them
// (installers, GitOps), and a Machine sent to Failed for that is never retried (§6 item 1).
import type { EC2Client, Instance } from '@aws-sdk/client-ec2';
import { RunInstancesCommand, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import type { Machine, MachineSet, NodeAddress } from '../../../api/machine-v1beta1.ts';
import {
  CLUSTER_ID_LABEL, INSTANCE_TYPE_LABEL, INTERRUPTIBLE_INSTANCE_LABEL, MACHINE_API_GROUP_VERSION, REGION_LABEL, ZONE_LABEL,
} from '../../../api/machine-v1beta1.ts';
import { RequeueAfter, TerminalError } from '../../../runtime/errors.ts';
import type { Actuator, InstanceObservation, ProviderDeps } from '../actuator.ts';
import { connectionKey, credentialsFromSecret, CredentialsSecretError, describeInstances, newEc2Client, type AwsCredentials, type Ec2ClientOptions } from './client.ts';
import { isInstanceNotFound, toActuatorError } from './errors.ts';
import { InstanceCache, type InstanceCacheOptions, type InstanceRef } from './instance-cache.ts';
import { InstanceTypeCatalog, type InstanceTypeCapacity } from './instance-types.ts';
import { ResourceResolver, runInstancesInput } from './launch.ts';
import { readCredentialsSecret, readUserDataSecret } from '../secrets.ts';
import { parseAwsProviderSpec, type AwsMachineProviderSpec } from './provider-spec.ts';

/** How soon delete looks again at a shutting-down instance, in ms (MAO: 30 s; EC2 takes about a minute). */
export const DEFAULT_DELETE_POLL_MS = 20_000;
/**
 * After the Machine's status last changed, how long an instance it recorded may be missing from
 * DescribeInstances before it counts as gone, in ms (MAO's eventual-consistency window, §2.1).
 */
export const EVENTUAL_CONSISTENCY_WINDOW_MS = 20_000;
export { USER_DATA_SECRET_KEY } from '../secrets.ts';
/** Connections kept at once; more means credentials rotated, and the oldest are dropped. */
const MAX_CONNECTIONS = 16;

export interface AwsActuatorOptions extends InstanceCacheOptions {
  /** EC2 endpoint for every connection (tests); else AWS_ENDPOINT_URL_EC2 / AWS_ENDPOINT_URL / AWS's own. */
  readonly endpoint?: string;
  readonly maxAttempts?: number;
  readonly deletePollMs?: number;
  /** How long resolved subnet/security-group filters and AMI root device names are reused, in ms. */
  readonly resourceTtlMs?: number;
}

interface Connection {
  readonly ec2: EC2Client;
  readonly instances: InstanceCache;
  readonly resources: ResourceResolver;
  readonly instanceTypes: InstanceTypeCatalog;
}

interface Scope {
  readonly spec: AwsMachineProviderSpec;
  readonly connection: Connection;
  readonly ref: InstanceRef;
}

export class AwsActuator implements Actuator {
  readonly #deps: ProviderDeps;
  readonly #options: AwsActuatorOptions;
  readonly #now: () => number;
  readonly #connections = new Map<string, Connection>();
  /** Instances this process asked EC2 to terminate: later deletes only need to watch them go. */
  readonly #terminating = new Set<string>();

  constructor(deps: ProviderDeps, options: AwsActuatorOptions = {}) {
    this.#deps = deps;
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  async create(machine: Machine, signal: AbortSignal): Promise<InstanceObservation> {
    const { spec, connection, ref } = await this.#scope(machine, signal);
    const [userData, subnetId, securityGroupIds, rootDeviceName] = await Promise.all([
      this.#userData(machine, spec, signal),
      connection.resources.subnetId(spec, signal),
      connection.resources.securityGroupIds(spec, signal),
      connection.resources.rootDeviceName(spec, signal),
    ]);
    const input = runInstancesInput(spec, {
      machineName: machine.metadata.name ?? '', uid: ref.uid, clusterID: ref.clusterID, userData, subnetId, securityGroupIds, rootDeviceName,
    });
    const answer = await guard('RunInstances', () => connection.ec2.send(new RunInstancesCommand(input), { abortSignal: signal }));
    const instance = answer.Instances?.[0];
    if (!instance?.InstanceId) throw new Error(`EC2 RunInstances for Machine ${machineKey(machine)} answered no instance`);
    connection.instances.remember(ref.uid, instance, { launched: true });
    // A repeated ClientToken answers the first instance even once it is terminated: this Machine had its
    // instance, and Machines are not re-created (MAO makes this Failed too).
    if (instance.State?.Name === 'terminated') {
      throw new TerminalError('InvalidConfiguration', `Instance ${instance.InstanceId} of this Machine has been terminated; delete the Machine so that its MachineSet replaces it`);
    }
    return observe(instance, spec.region);
  }

  async exists(machine: Machine, signal: AbortSignal): Promise<boolean> {
    const scope = await this.#scope(machine, signal);
    const instance = await this.#lookup(scope, machine, signal);
    return instance !== undefined && instance.State?.Name !== 'terminated';
  }

  async update(machine: Machine, signal: AbortSignal): Promise<InstanceObservation> {
    const scope = await this.#scope(machine, signal);
    const instance = await this.#lookup(scope, machine, signal);
    if (!instance) throw new Error(`No EC2 instance found for Machine ${machineKey(machine)} (${describeRef(scope.ref)})`);
    return observe(instance, scope.spec.region);
  }

  /** Terminates the instance; resolves once it is terminated or gone, throws RequeueAfter until then. */
  async delete(machine: Machine, signal: AbortSignal): Promise<void> {
    const scope = await this.#scope(machine, signal);
    const { connection, ref } = scope;
    const pollMs = this.#options.deletePollMs ?? DEFAULT_DELETE_POLL_MS;
    // With a recorded ID the terminate call itself says where the instance is; otherwise find it first.
    let id = ref.instanceId;
    if (!id || this.#terminating.has(id)) {
      // Releasing the finalizer needs the cloud's word now, not a cached one.
      const instance = await this.#lookup(scope, machine, signal, { fresh: true });
      const state = instance?.State?.Name;
      if (!instance?.InstanceId || state === 'terminated') return this.#gone(instance?.InstanceId ?? id);
      if (state === 'shutting-down') throw new RequeueAfter(pollMs, `Waiting for instance ${instance.InstanceId} to terminate`);
      id = instance.InstanceId;
    }
    let state: string | undefined;
    try {
      const answer = await connection.ec2.send(new TerminateInstancesCommand({ InstanceIds: [id] }), { abortSignal: signal });
      const change = answer.TerminatingInstances?.find((c) => c.InstanceId === id);
      state = change?.CurrentState?.Name;
      if (change) connection.instances.remember(ref.uid, { InstanceId: id, State: change.CurrentState });
    } catch (err) {
      if (!isInstanceNotFound(err)) throw toActuatorError(err, 'TerminateInstances');
      this.#checkConsistencyWindow(machine, ref);
      return this.#gone(id);
    }
    if (state === 'terminated') return this.#gone(id);
    this.#terminating.add(id);
    throw new RequeueAfter(pollMs, `Waiting for instance ${id} to terminate (${state ?? 'unknown state'})`);
  }

  /**
   * Scale-from-zero capacity of one Machine of `machineSet` (its template's instance type), asked of EC2 with the
   * template's region and credentials; the static table answers when EC2 cannot.
   */
  async instanceTypeCapacity(machineSet: MachineSet, signal: AbortSignal): Promise<InstanceTypeCapacity | undefined> {
    const spec = parseAwsProviderSpec(machineSet.spec?.template?.spec?.providerSpec?.value);
    const connection = await this.#connection(spec, machineSet.metadata.namespace ?? '', signal);
    return connection.instanceTypes.capacity(spec.instanceType, signal);
  }

  #gone(id: string | undefined): void {
    if (id) this.#terminating.delete(id);
  }

  async #lookup(scope: Scope, machine: Machine, signal: AbortSignal, options: { fresh?: boolean } = {}): Promise<Instance | undefined> {
    const instance = await guard('DescribeInstances', () => scope.connection.instances.lookup(scope.ref, signal, options));
    if (!instance) this.#checkConsistencyWindow(machine, scope.ref);
    return instance;
  }

  // A Machine that recorded an instance moments ago may not see it in DescribeInstances yet; calling it gone
  // would fail the Machine or release its finalizer over a live instance.
  #checkConsistencyWindow(machine: Machine, ref: InstanceRef): void {
    if (!ref.instanceId) return;
    const lastUpdated = Date.parse(machine.status?.lastUpdated ?? '');
    if (Number.isFinite(lastUpdated) && this.#now() - lastUpdated < EVENTUAL_CONSISTENCY_WINDOW_MS) {
      throw new RequeueAfter(EVENTUAL_CONSISTENCY_WINDOW_MS, `Instance ${ref.instanceId} is not visible in EC2 yet (eventual consistency); looking again`);
    }
  }

  async #scope(machine: Machine, signal: AbortSignal): Promise<Scope> {
    const spec = parseAwsProviderSpec(machine.spec?.providerSpec?.value);
    const uid = machine.metadata.uid;
    // Every Machine read from the API server has one; without it create could not be idempotent.
    if (!uid) throw new Error(`Machine ${machineKey(machine)} has no metadata.uid`);
    const clusterID = machine.metadata.labels?.[CLUSTER_ID_LABEL];
    if (!clusterID) throw new TerminalError('InvalidConfiguration', `metadata.labels[${CLUSTER_ID_LABEL}]: Required value: the cluster ID names the kubernetes.io/cluster/<id> tag of the instance`);
    const instanceId = recordedInstanceId(machine);
    const connection = await this.#connection(spec, machine.metadata.namespace ?? '', signal);
    return { spec, connection, ref: { clusterID, uid, ...(instanceId ? { instanceId } : {}) } };
  }

  async #connection(spec: AwsMachineProviderSpec, namespace: string, signal: AbortSignal): Promise<Connection> {
    const options: Ec2ClientOptions = {
      region: spec.region,
      ...(this.#options.endpoint ? { endpoint: this.#options.endpoint } : {}),
      ...(this.#options.maxAttempts ? { maxAttempts: this.#options.maxAttempts } : {}),
      ...(spec.credentialsSecret ? { credentials: await this.#credentials(namespace, spec.credentialsSecret, signal) } : {}),
    };
    const key = connectionKey(options);
    let connection = this.#connections.get(key);
    if (connection) return connection;
    if (this.#connections.size >= MAX_CONNECTIONS) {
      const [oldestKey, oldest] = this.#connections.entries().next().value!;
      this.#connections.delete(oldestKey);
      oldest.ec2.destroy();
    }
    const ec2 = newEc2Client(options);
    connection = {
      ec2,
      instances: new InstanceCache((filters, s) => describeInstances(ec2, filters, s), this.#options),
      resources: new ResourceResolver(ec2, { ttlMs: this.#options.resourceTtlMs, now: this.#now }),
      instanceTypes: new InstanceTypeCatalog(ec2),
    };
    this.#connections.set(key, connection);
    return connection;
  }

  #credentials(namespace: string, name: string, signal: AbortSignal): Promise<AwsCredentials> {
    return readCredentialsSecret(this.#deps, { namespace, name }, signal, credentialsFromSecret, CredentialsSecretError);
  }

  async #userData(machine: Machine, spec: AwsMachineProviderSpec, signal: AbortSignal): Promise<Buffer | undefined> {
    if (!spec.userDataSecret) return undefined;
    return readUserDataSecret(this.#deps, { namespace: machine.metadata.namespace ?? '', name: spec.userDataSecret }, signal);
  }
}

async function guard<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw toActuatorError(err, operation);
  }
}

/** The instance ID the Machine recorded: providerStatus.instanceId, else the providerID's last segment. */
export function recordedInstanceId(machine: Machine): string | undefined {
  const fromStatus = machine.status?.providerStatus?.instanceId;
  if (typeof fromStatus === 'string' && fromStatus !== '') return fromStatus;
  const providerID = machine.spec?.providerID;
  if (!providerID?.startsWith('aws://')) return undefined;
  const last = providerID.slice(providerID.lastIndexOf('/') + 1);
  return last.startsWith('i-') ? last : undefined;
}

function machineKey(machine: Machine): string {
  return `${machine.metadata.namespace ?? ''}/${machine.metadata.name ?? ''}`;
}

function describeRef(ref: InstanceRef): string {
  return ref.instanceId ? `instance ${ref.instanceId}` : `tag machine-uid=${ref.uid}`;
}

/** What the Machine controller records of an instance (MAO extractNodeAddresses, §2.1 "Status and addresses"). */
export function observe(instance: Instance, region: string): InstanceObservation {
  const zone = instance.Placement?.AvailabilityZone ?? '';
  const state = instance.State?.Name ?? 'unknown';
  return {
    providerID: `aws:///${zone}/${instance.InstanceId}`,
    addresses: addressesOf(instance),
    instanceState: state,
    providerStatus: { apiVersion: MACHINE_API_GROUP_VERSION, kind: 'AWSMachineProviderStatus', instanceId: instance.InstanceId, instanceState: state },
    labels: {
      [INSTANCE_TYPE_LABEL]: instance.InstanceType ?? '',
      [REGION_LABEL]: region,
      [ZONE_LABEL]: zone,
      // Spot Machines are selected by the termination handler and its MachineHealthCheck (§2.4).
      ...(instance.InstanceLifecycle === 'spot' ? { [INTERRUPTIBLE_INSTANCE_LABEL]: '' } : {}),
    },
  };
}

function addressesOf(instance: Instance): NodeAddress[] {
  const out: NodeAddress[] = [];
  const add = (type: NodeAddress['type'], address: string | undefined) => {
    if (address && !out.some((a) => a.type === type && a.address === address)) out.push({ type, address });
  };
  for (const eni of instance.NetworkInterfaces ?? []) {
    if (eni.Status && eni.Status !== 'in-use') continue;
    for (const v6 of eni.Ipv6Addresses ?? []) add('InternalIP', v6.Ipv6Address);
    for (const ip of eni.PrivateIpAddresses ?? []) add('InternalIP', ip.PrivateIpAddress);
  }
  add('InternalIP', instance.PrivateIpAddress);
  add('ExternalIP', instance.PublicIpAddress);
  add('InternalDNS', instance.PrivateDnsName);
  add('Hostname', instance.PrivateDnsName);
  add('ExternalDNS', instance.PublicDnsName);
  return out;
}
