// The Azure provider's Actuator (shared/reference/machine-api.md §1.3, §2.3, §8 note 4). A Machine's resources
// have names derived from the Machine (resources.ts), so a create retried after a crash PUTs the same resources
// again, and ARM's create-or-update converges on them instead of making duplicates.
//
// Create does not wait minutes for Azure: it PUTs the public IP and NIC (seconds; the public IP's operation is
// polled to the end through the SDK's poller, the NIC is followed through its own provisioningState, #putNic),
// then submits the VM PUT and returns. Later reconciles read the VM's provisioningState from the batched listing (instance-cache.ts):
//   Creating/Updating → RequeueAfter, while the Machine has no providerID;
//   Succeeded         → the observation (providerID, addresses, vmState);
//   Failed            → while the Machine has no providerID, exists() says false so the controller calls create(),
//                       which reports the failure as a TerminalError (MAO: a VM failed while provisioning fails the
//                       Machine). Once provisioned, a Failed VM is only reported (vmState Failed), never terminal.
// Hence the providerID and addresses are reported only once the VM has Succeeded: until then the Machine counts
// as not provisioned, which is what routes a failed provisioning through create().
//
// Delete removes the VM (LRO started, RequeueAfter until it is gone), then the NIC, the OS disk, data disks with
// deletionPolicy Delete and the public IP, and resolves once all answer gone. DELETE of a missing resource answers
// 204 in ARM, so a repeated delete is harmless.
//
// Credentials: only from the Secret the providerSpec names. A missing Secret is a transient error with a clear
// message (not MAO's InvalidConfiguration): Secrets are often created just after the Machines that use them.
import { setTimeout as sleep } from 'node:timers/promises';
import type { InstanceViewStatus, VirtualMachine } from '@azure/arm-compute';
import type { NetworkInterface } from '@azure/arm-network';
import type { Machine, MachineSet, NodeAddress } from '../../../api/machine-v1beta1.ts';
import {
  CLUSTER_ID_LABEL, INSTANCE_TYPE_LABEL, INTERRUPTIBLE_INSTANCE_LABEL, MACHINE_API_GROUP_VERSION, REGION_LABEL, ZONE_LABEL,
} from '../../../api/machine-v1beta1.ts';
import { RequeueAfter, TerminalError } from '../../../runtime/errors.ts';
import type { Actuator, InstanceObservation, ProviderDeps } from '../actuator.ts';
import { collect, connectionKey, credentialsFromSecret, CredentialsSecretError, newArmClients, type ArmClients, type ArmConnectionOptions, type AzureCredentials } from './client.ts';
import { isNotFound, provisioningFailure, toActuatorError } from './errors.ts';
import { InstanceCache, type InstanceCacheOptions, type VmView } from './instance-cache.ts';
import { readCredentialsSecret, readUserDataSecret } from '../secrets.ts';
import { invalidConfiguration, parseAzureProviderSpec, PROVIDER_SPEC_PATH, resolveAzureSpec, type AzureMachineProviderSpec, type ResolvedAzureSpec } from './provider-spec.ts';
import {
  armId, MACHINE_UID_TAG, nicParameters, providerIDFor, publicIPParameters, resourceNames, resourceTags, vmParameters,
  type LoadBalancerRefs, type MachineResourceNames,
} from './resources.ts';
import { VmSizeCatalog, type VmSizeCapacity } from './vm-sizes.ts';

/** How soon a VM that is still provisioning is looked at again, in ms (MAO Azure: 20 s). */
export const DEFAULT_PROVISION_POLL_MS = 20_000;
/** How soon delete looks again at a VM that is being deleted, in ms (MAO: 30 s; Azure takes about a minute). */
export const DEFAULT_DELETE_POLL_MS = 20_000;
/** Wait between GETs of a NIC still provisioning, in ms (the SDK's LRO default). */
const DEFAULT_NIC_POLL_MS = 2_000;
/** How long resolved load balancer pools and NAT rules are reused, in ms. */
export const DEFAULT_RESOURCE_TTL_MS = 10 * 60_000;
export { USER_DATA_SECRET_KEY } from '../secrets.ts';
export const AZURE_PROVIDER_STATUS_KIND = 'AzureMachineProviderStatus';
/** Connections kept at once; more means credentials rotated, and the oldest are dropped. */
const MAX_CONNECTIONS = 16;
/** provisioningStates of a VM whose create (or an update) is still running. */
const PROVISIONING_STATES = new Set(['Creating', 'Updating']);
// MAO getVMState: a Succeeded VM's state is its power state.
const POWER_STATES: Readonly<Record<string, string>> = {
  'PowerState/starting': 'Starting', 'PowerState/running': 'Running', 'PowerState/stopping': 'Stopping',
  'PowerState/stopped': 'Stopped', 'PowerState/deallocating': 'Deallocating', 'PowerState/deallocated': 'Deallocated',
};

export interface AzureActuatorOptions extends InstanceCacheOptions {
  /** ARM endpoint for every connection; else $AZURE_RESOURCE_MANAGER_ENDPOINT, else the public cloud. */
  readonly endpoint?: string;
  /** Entra ID authority host; else $AZURE_AUTHORITY_HOST, else the public cloud's. */
  readonly authorityHost?: string;
  /** PEM CA certificates to trust for ARM and the authority (a private cloud, or a test fake). */
  readonly caCertificates?: string;
  /** Wait between status polls of the NIC and public IP operations and the small deletes, in ms; absent: the SDK's (Retry-After, else 2 s). */
  readonly lroPollIntervalMs?: number;
  readonly provisionPollMs?: number;
  readonly deletePollMs?: number;
  readonly resourceTtlMs?: number;
}

interface Connection {
  readonly arm: ArmClients;
  readonly instances: InstanceCache;
  readonly sizes: VmSizeCatalog;
  readonly loadBalancers: Map<string, { readonly at: number; readonly refs: Promise<LoadBalancerRefs> }>;
}

interface Scope {
  readonly spec: ResolvedAzureSpec;
  readonly connection: Connection;
  readonly names: MachineResourceNames;
  readonly uid: string;
  readonly clusterID: string;
  readonly machine: Machine;
}

export class AzureActuator implements Actuator {
  readonly #deps: ProviderDeps;
  readonly #options: AzureActuatorOptions;
  readonly #now: () => number;
  readonly #connections = new Map<string, Connection>();

  constructor(deps: ProviderDeps, options: AzureActuatorOptions = {}) {
    this.#deps = deps;
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  async create(machine: Machine, signal: AbortSignal): Promise<InstanceObservation> {
    const scope = await this.#scope(machine, signal);
    const { spec, connection, names } = scope;
    const existing = await this.#lookup(scope, signal);
    if (existing) {
      // The VM is there (an earlier create, maybe before a crash): report it, or its failure, without a PUT.
      if (existing.vm.provisioningState === 'Failed') throw failureOf(existing);
      return observe(existing, scope, { provisioning: true });
    }
    const { arm } = connection;
    await this.#checkVmSize(scope, signal);
    const [userData, loadBalancers] = await Promise.all([this.#userData(machine, spec, signal), this.#loadBalancerRefs(scope, signal)]);
    const tags = resourceTags(spec, scope.clusterID, scope.uid);
    const poll = this.#pollOptions(signal);
    let publicIPId: string | undefined;
    if (names.publicIP) {
      publicIPId = armId(arm.subscriptionId, spec.resourceGroup, 'Microsoft.Network', 'publicIPAddresses', names.publicIP);
      await guard(`PUT publicIPAddresses/${names.publicIP}`, () => arm.network.publicIPAddresses.createOrUpdate(spec.resourceGroup, names.publicIP!, publicIPParameters(spec, tags), poll).pollUntilDone());
    }
    const nic = await this.#putNic(scope, nicParameters(spec, { subscriptionId: arm.subscriptionId, tags, loadBalancers, ...(publicIPId ? { publicIPId } : {}) }), signal);
    const nicId = nic.id ?? armId(arm.subscriptionId, spec.resourceGroup, 'Microsoft.Network', 'networkInterfaces', names.nic);
    const parameters = vmParameters(spec, { subscriptionId: arm.subscriptionId, names, tags, nicId, ...(userData ? { userData } : {}) });
    // Only the PUT is awaited; the VM provisions on its own and later reconciles read its provisioningState.
    const poller = arm.compute.virtualMachines.createOrUpdate(spec.resourceGroup, names.vm, parameters, { abortSignal: signal });
    await guard(`PUT virtualMachines/${names.vm}`, () => poller.submitted());
    const vm: VirtualMachine = {
      ...parameters,
      id: armId(arm.subscriptionId, spec.resourceGroup, 'Microsoft.Compute', 'virtualMachines', names.vm),
      name: names.vm,
      provisioningState: poller.operationState?.status === 'succeeded' ? 'Succeeded' : 'Creating',
    } as VirtualMachine;
    connection.instances.remember(spec.resourceGroup, vm);
    return observe({ vm, nics: [nic], publicIPs: [] }, scope, { provisioning: true });
  }

  async exists(machine: Machine, signal: AbortSignal): Promise<boolean> {
    const scope = await this.#scope(machine, signal);
    const view = await this.#lookup(scope, signal);
    if (!view) return false;
    // A VM that failed to provision is left to create(), which fails the Machine with Azure's reason.
    return !(view.vm.provisioningState === 'Failed' && !machine.spec?.providerID);
  }

  async update(machine: Machine, signal: AbortSignal): Promise<InstanceObservation> {
    const scope = await this.#scope(machine, signal);
    const view = await this.#lookup(scope, signal);
    if (!view) throw new Error(`No Azure VM ${scope.names.vm} in resource group ${scope.spec.resourceGroup} for Machine ${machineKey(machine)}`);
    const state = view.vm.provisioningState ?? '';
    if (!machine.spec?.providerID) {
      if (state === 'Failed') throw failureOf(view);
      if (PROVISIONING_STATES.has(state)) {
        throw new RequeueAfter(this.#options.provisionPollMs ?? DEFAULT_PROVISION_POLL_MS, `Waiting for VM ${scope.names.vm} to provision (${state})`);
      }
    }
    return observe(view, scope, { provisioning: false });
  }

  async delete(machine: Machine, signal: AbortSignal): Promise<void> {
    const scope = await this.#scope(machine, signal);
    const { spec, names, connection: { arm } } = scope;
    const rg = spec.resourceGroup;
    // Releasing the finalizer needs ARM's word now, not a cached listing.
    let vm: VirtualMachine | undefined;
    try {
      vm = await arm.compute.virtualMachines.get(rg, names.vm, { abortSignal: signal });
    } catch (err) {
      if (!isNotFound(err)) throw toActuatorError(err, `GET virtualMachines/${names.vm}`);
    }
    if (vm) {
      // A VM of this name made for another Machine (this one's are long gone) is not ours to delete.
      if (!ownedBy(vm, scope.uid)) return;
      const waitMs = this.#options.deletePollMs ?? DEFAULT_DELETE_POLL_MS;
      if (vm.provisioningState !== 'Deleting') {
        const poller = arm.compute.virtualMachines.delete(rg, names.vm, { abortSignal: signal });
        await guard(`DELETE virtualMachines/${names.vm}`, () => poller.submitted());
        if (poller.isDone) return this.#deleteLeftovers(scope, signal);
      }
      throw new RequeueAfter(waitMs, `Waiting for VM ${names.vm} to be deleted`);
    }
    await this.#deleteLeftovers(scope, signal);
  }

  /**
   * Scale-from-zero capacity of one Machine of `machineSet` (its template's vmSize), from Microsoft.Compute/skus
   * with the template's credentials and location; the static table answers when ARM cannot.
   */
  async instanceTypeCapacity(machineSet: MachineSet, signal: AbortSignal): Promise<VmSizeCapacity | undefined> {
    const parsed = parseAzureProviderSpec(machineSet.spec?.template?.spec?.providerSpec?.value);
    const { spec, connection } = await this.#connection(parsed, machineSet.metadata.namespace ?? '', signal);
    return connection.sizes.capacity(spec.location, spec.vmSize, signal);
  }

  // What the VM leaves behind: the NIC first (it holds the public IP), then disks and the public IP. With
  // deleteOption=Delete Azure usually removed the NIC and OS disk with the VM, and these DELETEs answer 204.
  async #deleteLeftovers(scope: Scope, signal: AbortSignal): Promise<void> {
    const { spec, names, connection: { arm } } = scope;
    const rg = spec.resourceGroup;
    const poll = this.#pollOptions(signal);
    await guard(`DELETE networkInterfaces/${names.nic}`, () => arm.network.networkInterfaces.delete(rg, names.nic, poll).pollUntilDone());
    const disks = [names.osDisk, ...names.dataDisks.filter((_, i) => spec.dataDisks[i].deletionPolicy === 'Delete')];
    await Promise.all([
      ...disks.map((disk) => guard(`DELETE disks/${disk}`, () => arm.compute.disks.delete(rg, disk, poll).pollUntilDone())),
      ...(names.publicIP ? [guard(`DELETE publicIPAddresses/${names.publicIP}`, () => arm.network.publicIPAddresses.delete(rg, names.publicIP!, poll).pollUntilDone())] : []),
    ]);
  }

  async #lookup(scope: Scope, signal: AbortSignal): Promise<VmView | undefined> {
    const { spec, names, uid } = scope;
    const view = await guard(`LIST virtualMachines in ${spec.resourceGroup}`, () => scope.connection.instances.lookup({ resourceGroup: spec.resourceGroup, name: names.vm, publicIP: spec.publicIP }, signal));
    if (view && !ownedBy(view.vm, uid)) {
      // Most likely the VM of a deleted Machine of the same name, still being deleted: wait rather than adopt it.
      throw new Error(`VM ${names.vm} in resource group ${spec.resourceGroup} belongs to another Machine (tag ${MACHINE_UID_TAG}=${view.vm.tags?.[MACHINE_UID_TAG]}); waiting for it to go`);
    }
    return view;
  }

  /**
   * PUTs the NIC and waits until it has provisioned, reading its provisioningState from GETs of the NIC itself: ARM
   * RPC lets a PUT be followed through the resource's provisioningState, and the GET's answer carries the private IP
   * the VM's addresses need. The SDK's poller would poll the Azure-AsyncOperation and then GET the NIC anyway
   * (core-lro always ends a PUT with a GET of the resource; @azure/arm-network 39 has no skipFinalGet), two or
   * three calls where NICs, made within a second or two, need one. A NIC that ends Failed is handed back to the
   * poller, whose operation status gives ARM's error code and message to toActuatorError as before.
   */
  async #putNic(scope: Scope, parameters: NetworkInterface, signal: AbortSignal): Promise<NetworkInterface> {
    const { spec: { resourceGroup: rg }, names: { nic: name }, connection: { arm } } = scope;
    const operation = `PUT networkInterfaces/${name}`;
    const poller = arm.network.networkInterfaces.createOrUpdate(rg, name, parameters, this.#pollOptions(signal));
    await guard(operation, () => poller.submitted());
    for (;;) {
      const nic = await guard(`GET networkInterfaces/${name}`, () => arm.network.networkInterfaces.get(rg, name, { abortSignal: signal }));
      if (nic.provisioningState === 'Failed') return guard(operation, () => poller.pollUntilDone());
      if (!PROVISIONING_STATES.has(nic.provisioningState ?? '')) return nic;
      await sleep(this.#options.lroPollIntervalMs ?? DEFAULT_NIC_POLL_MS, undefined, { signal });
    }
  }

  // MAO checks the size before making a NIC with accelerated networking, which a size may not support.
  async #checkVmSize(scope: Scope, signal: AbortSignal): Promise<void> {
    const { spec } = scope;
    if (!spec.acceleratedNetworking) return;
    const info = await guard(`LIST skus in ${spec.location}`, () => scope.connection.sizes.size(spec.location, spec.vmSize, signal));
    if (!info) throw invalidConfiguration([`${PROVIDER_SPEC_PATH}.vmSize: Unsupported value: ${JSON.stringify(spec.vmSize)}: not offered in location ${spec.location}`]);
    if (!info.acceleratedNetworking) throw invalidConfiguration([`${PROVIDER_SPEC_PATH}.acceleratedNetworking: Invalid value: true: VM size ${spec.vmSize} does not support accelerated networking`]);
  }

  // Load balancer backend pools (the first pool, as MAO takes) and the NAT rule are looked up once per TTL.
  #loadBalancerRefs(scope: Scope, signal: AbortSignal): Promise<LoadBalancerRefs> {
    const { spec, connection } = scope;
    const wanted = [['publicLoadBalancer', spec.publicLoadBalancer], ['internalLoadBalancer', spec.internalLoadBalancer]] as const;
    if (!spec.publicLoadBalancer && !spec.internalLoadBalancer) return Promise.resolve({ backendPoolIds: [], natRuleIds: [] });
    const key = JSON.stringify([spec.resourceGroup, spec.publicLoadBalancer, spec.internalLoadBalancer, spec.natRule]);
    const hit = connection.loadBalancers.get(key);
    if (hit && this.#now() - hit.at < (this.#options.resourceTtlMs ?? DEFAULT_RESOURCE_TTL_MS)) return hit.refs;
    const refs = (async (): Promise<LoadBalancerRefs> => {
      const backendPoolIds: string[] = [];
      const natRuleIds: string[] = [];
      for (const [field, name] of wanted) {
        if (!name) continue;
        let lb;
        try {
          lb = await connection.arm.network.loadBalancers.get(spec.resourceGroup, name, { abortSignal: signal });
        } catch (err) {
          if (isNotFound(err)) throw invalidConfiguration([`${PROVIDER_SPEC_PATH}.${field}: Invalid value: ${JSON.stringify(name)}: no such load balancer in resource group ${spec.resourceGroup}`]);
          throw toActuatorError(err, `GET loadBalancers/${name}`);
        }
        const pool = lb.backendAddressPools?.[0]?.id;
        if (!pool) throw invalidConfiguration([`${PROVIDER_SPEC_PATH}.${field}: Invalid value: ${JSON.stringify(name)}: the load balancer has no backend pool`]);
        backendPoolIds.push(pool);
        if (field === 'publicLoadBalancer' && spec.natRule !== undefined) {
          const rule = lb.inboundNatRules?.[spec.natRule]?.id;
          if (!rule) throw invalidConfiguration([`${PROVIDER_SPEC_PATH}.natRule: Invalid value: ${spec.natRule}: load balancer ${name} has no such inbound NAT rule`]);
          natRuleIds.push(rule);
        }
      }
      return { backendPoolIds, natRuleIds };
    })();
    connection.loadBalancers.set(key, { at: this.#now(), refs });
    refs.catch(() => {
      if (connection.loadBalancers.get(key)?.refs === refs) connection.loadBalancers.delete(key);
    });
    return refs;
  }

  #pollOptions(signal: AbortSignal): { abortSignal: AbortSignal; updateIntervalInMs?: number } {
    const interval = this.#options.lroPollIntervalMs;
    return { abortSignal: signal, ...(interval === undefined ? {} : { updateIntervalInMs: interval }) };
  }

  async #scope(machine: Machine, signal: AbortSignal): Promise<Scope> {
    const parsed = parseAzureProviderSpec(machine.spec?.providerSpec?.value);
    const uid = machine.metadata.uid;
    // Every Machine read from the API server has one; the VM's machine-uid tag tells our VM from a namesake's.
    if (!uid) throw new Error(`Machine ${machineKey(machine)} has no metadata.uid`);
    const clusterID = machine.metadata.labels?.[CLUSTER_ID_LABEL];
    if (!clusterID) throw new TerminalError('InvalidConfiguration', `metadata.labels[${CLUSTER_ID_LABEL}]: Required value: the cluster ID names the kubernetes.io-cluster-<id> tag of the Machine's resources`);
    const { spec, connection } = await this.#connection(parsed, machine.metadata.namespace ?? '', signal);
    return { spec, connection, names: resourceNames(spec, machine.metadata.name ?? '', clusterID), uid, clusterID, machine };
  }

  async #connection(parsed: AzureMachineProviderSpec, namespace: string, signal: AbortSignal): Promise<{ spec: ResolvedAzureSpec; connection: Connection }> {
    const credentials = await this.#credentials(parsed.credentialsSecret.namespace ?? namespace, parsed.credentialsSecret.name, signal);
    const spec = resolveAzureSpec(parsed, credentials);
    const options: ArmConnectionOptions = {
      credentials,
      ...(this.#options.endpoint ? { endpoint: this.#options.endpoint } : {}),
      ...(this.#options.authorityHost ? { authorityHost: this.#options.authorityHost } : {}),
      ...(this.#options.caCertificates ? { caCertificates: this.#options.caCertificates } : {}),
    };
    const key = connectionKey(options);
    let connection = this.#connections.get(key);
    if (!connection) {
      if (this.#connections.size >= MAX_CONNECTIONS) this.#connections.delete(this.#connections.keys().next().value!);
      const arm = newArmClients(options);
      connection = {
        arm,
        instances: new InstanceCache({
          listVirtualMachines: (rg, s) => collect(arm.compute.virtualMachines.list(rg, { abortSignal: s })),
          listNetworkInterfaces: (rg, s) => collect(arm.network.networkInterfaces.list(rg, { abortSignal: s })),
          listPublicIPAddresses: (rg, s) => collect(arm.network.publicIPAddresses.list(rg, { abortSignal: s })),
          listVirtualMachineStatuses: (s) => collect(arm.compute.virtualMachines.listAll({ statusOnly: 'true', abortSignal: s })),
        }, this.#options),
        sizes: new VmSizeCatalog(arm.compute, { now: this.#now }),
        loadBalancers: new Map(),
      };
      this.#connections.set(key, connection);
    }
    return { spec, connection };
  }

  #credentials(namespace: string, name: string, signal: AbortSignal): Promise<AzureCredentials> {
    return readCredentialsSecret(this.#deps, { namespace, name }, signal, credentialsFromSecret, CredentialsSecretError);
  }

  async #userData(machine: Machine, spec: ResolvedAzureSpec, signal: AbortSignal): Promise<Buffer | undefined> {
    if (!spec.userDataSecret) return undefined;
    const namespace = spec.userDataSecret.namespace ?? machine.metadata.namespace ?? '';
    return readUserDataSecret(this.#deps, { namespace, name: spec.userDataSecret.name }, signal);
  }
}

async function guard<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw toActuatorError(err, operation);
  }
}

/** A VM without the tag was made before tagging (MAO) and is adopted by name. */
function ownedBy(vm: VirtualMachine, uid: string): boolean {
  const tagged = vm.tags?.[MACHINE_UID_TAG];
  return tagged === undefined || tagged === uid;
}

function failureOf(view: VmView): TerminalError {
  const status = view.statuses?.find((s) => s.code?.startsWith('ProvisioningState/failed'));
  const code = status?.code?.split('/')[2];
  return provisioningFailure(view.vm.name ?? '', code, status?.message);
}

function machineKey(machine: Machine): string {
  return `${machine.metadata.namespace ?? ''}/${machine.metadata.name ?? ''}`;
}

/** MAO getVMState: the provisioningState until it is Succeeded, then the power state. */
export function vmStateOf(vm: VirtualMachine, statuses: readonly InstanceViewStatus[] | undefined): string {
  const provisioning = vm.provisioningState ?? 'Unknown';
  if (provisioning !== 'Succeeded') return provisioning;
  const power = statuses?.find((s) => s.code?.startsWith('PowerState/'))?.code;
  if (!power) return provisioning;
  return POWER_STATES[power] ?? 'Unknown';
}

/**
 * What the Machine controller records of a VM (MAO Reconciler.Update, §2.3 "Addresses"). While `provisioning`
 * and not yet Succeeded, no providerID and no addresses: see the top of the file.
 */
export function observe(view: VmView, scope: Pick<Scope, 'spec' | 'connection'>, options: { provisioning: boolean }): InstanceObservation {
  const { vm } = view;
  const { spec } = scope;
  const vmState = vmStateOf(vm, view.statuses);
  const identified = !options.provisioning || vm.provisioningState === 'Succeeded';
  return {
    providerID: identified ? providerIDFor(scope.connection.arm.subscriptionId, spec.resourceGroup, vm.name ?? '') : '',
    addresses: identified ? addressesOf(view) : [],
    instanceState: vmState,
    providerStatus: { apiVersion: MACHINE_API_GROUP_VERSION, kind: AZURE_PROVIDER_STATUS_KIND, ...(vm.id ? { vmId: vm.id } : {}), vmState },
    labels: {
      [INSTANCE_TYPE_LABEL]: vm.hardwareProfile?.vmSize ?? spec.vmSize,
      [REGION_LABEL]: vm.location ?? spec.location,
      [ZONE_LABEL]: (vm.zones ?? []).join(','),
      // Spot Machines are selected by the termination handler and its MachineHealthCheck (§2.4).
      ...(vm.priority === 'Spot' ? { [INTERRUPTIBLE_INSTANCE_LABEL]: '' } : {}),
    },
  };
}

function addressesOf(view: VmView): NodeAddress[] {
  const out: NodeAddress[] = [];
  const add = (type: NodeAddress['type'], address: string | undefined) => {
    if (address && !out.some((a) => a.type === type && a.address === address)) out.push({ type, address });
  };
  const hostname = view.vm.osProfile?.computerName;
  add('Hostname', hostname);
  // CSR approval needs the Node's name as an InternalDNS address (MAO).
  add('InternalDNS', hostname);
  const primaryFirst = [...view.nics].sort((a, b) => Number(isPrimary(view.vm, b)) - Number(isPrimary(view.vm, a)));
  for (const nic of primaryFirst) {
    const suffix = nic.dnsSettings?.internalDomainNameSuffix;
    if (hostname && suffix) add('InternalDNS', `${hostname}.${suffix}`);
    for (const config of nic.ipConfigurations ?? []) {
      add('InternalIP', config.privateIPAddress);
      const ip = view.publicIPs.find((p) => p.id?.toLowerCase() === config.publicIPAddress?.id?.toLowerCase());
      add('ExternalIP', ip?.ipAddress);
      add('ExternalDNS', ip?.dnsSettings?.fqdn);
    }
  }
  return out;
}

function isPrimary(vm: VirtualMachine, nic: NetworkInterface): boolean {
  return vm.networkProfile?.networkInterfaces?.find((n) => n.id?.toLowerCase() === nic.id?.toLowerCase())?.primary === true;
}
