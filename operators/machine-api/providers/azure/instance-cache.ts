// Batched, briefly cached VM reads, one cache per ARM connection (principal + subscription + endpoint). MAO's Azure
// provider GETs the VM, then each NIC and public IP, on every reconcile of every Machine
// (shared/reference/machine-api.md §2.3 "Update" row), so its steady state grows with the number of Machines and
// runs into ARM's per-subscription read limits at scale (§6 item 13). Here lookups that arrive within
// `batchWindowMs` of each other are answered by one listing per resource group:
//   GET .../resourceGroups/{rg}/providers/Microsoft.Compute/virtualMachines           (the VM model)
//   GET .../resourceGroups/{rg}/providers/Microsoft.Network/networkInterfaces         (private IPs)
//   GET .../resourceGroups/{rg}/providers/Microsoft.Network/publicIPAddresses         (only if a lookup needs one)
//   GET /subscriptions/{s}/providers/Microsoft.Compute/virtualMachines?statusOnly=true (power states and
//       provisioning errors; one per flush, and only when a VM looked up has Succeeded or Failed: before that,
//       there is neither a power state nor an error to read)
// and the listing answers every further lookup for `freshnessMs`. The resource-group VM list cannot carry instance
// views ($expand=instanceView needs a VM scale set $filter), hence the separate status listing. A resync that
// reconciles every Machine costs 3-4 calls per resource group, whatever the number of Machines or MachineSets.
import type { InstanceViewStatus, VirtualMachine } from '@azure/arm-compute';
import type { NetworkInterface, PublicIPAddress } from '@azure/arm-network';
import { BatchedReads, type BatchedCacheOptions, type Waiter } from '../batched-reads.ts';

/** How long lookups wait to be sent together, in ms. */
export const DEFAULT_BATCH_WINDOW_MS = 50;
/** How long a listing answers lookups, in ms: exists+update of one reconcile, or a resync burst. */
export const DEFAULT_FRESHNESS_MS = 5_000;
/** A batched listing that takes longer than this is abandoned (its callers get the error), in ms. */
const LIST_TIMEOUT_MS = 30_000;

/** The reads one flush needs; the actuator implements them with the SDK. */
export interface ArmReader {
  listVirtualMachines(resourceGroup: string, signal: AbortSignal): Promise<VirtualMachine[]>;
  listNetworkInterfaces(resourceGroup: string, signal: AbortSignal): Promise<NetworkInterface[]>;
  listPublicIPAddresses(resourceGroup: string, signal: AbortSignal): Promise<PublicIPAddress[]>;
  /** The subscription's VMs with only their instance views (statusOnly=true). */
  listVirtualMachineStatuses(signal: AbortSignal): Promise<VirtualMachine[]>;
}

/** Which VM a lookup is about. */
export interface VmRef {
  readonly resourceGroup: string;
  readonly name: string;
  /** Whether the answer must include public IPs (the Machine has publicIP: true). */
  readonly publicIP: boolean;
}

/** A VM as listed, with what its addresses and state come from. */
export interface VmView {
  readonly vm: VirtualMachine;
  /** The NICs of the VM's resource group that its networkProfile names. */
  readonly nics: readonly NetworkInterface[];
  readonly publicIPs: readonly PublicIPAddress[];
  /** Instance-view statuses (ProvisioningState/…, PowerState/…), when listed. */
  readonly statuses?: readonly InstanceViewStatus[];
}

export type InstanceCacheOptions = BatchedCacheOptions;

interface Snapshot {
  readonly at: number;
  readonly vms: readonly VirtualMachine[];
  readonly nics: readonly NetworkInterface[];
  readonly publicIPs?: readonly PublicIPAddress[];
  /** By lower-cased VM resource ID. */
  readonly statuses: ReadonlyMap<string, readonly InstanceViewStatus[]>;
}

/** Snapshots are by resource group (case-insensitive, as ARM names are). */
export class InstanceCache {
  readonly #reader: ArmReader;
  readonly #freshnessMs: number;
  readonly #now: () => number;
  readonly #reads: BatchedReads<VmRef, Snapshot, VmView | undefined>;
  /** VMs this process PUT, by "rg/name": laid over listings made before. */
  readonly #written = new Map<string, { readonly at: number; readonly vm: VirtualMachine }>();

  constructor(reader: ArmReader, options: InstanceCacheOptions = {}) {
    this.#reader = reader;
    this.#freshnessMs = options.freshnessMs ?? DEFAULT_FRESHNESS_MS;
    this.#now = options.now ?? Date.now;
    this.#reads = new BatchedReads<VmRef, Snapshot, VmView | undefined>(
      {
        keyOf: (ref) => groupKey(ref.resourceGroup),
        answer: (ref, snapshot) => this.#resolve(ref, snapshot),
        covers: (ref, snapshot) => !ref.publicIP || snapshot.publicIPs !== undefined,
        read: (groups) => this.#refresh(groups),
        prune: (now) => {
          for (const [key, w] of this.#written) if (now - w.at >= this.#freshnessMs) this.#written.delete(key);
        },
      },
      { batchWindowMs: options.batchWindowMs ?? DEFAULT_BATCH_WINDOW_MS, freshnessMs: this.#freshnessMs, now: this.#now },
    );
  }

  /** The VM `ref` names, or undefined when its resource group has none by that name. */
  lookup(ref: VmRef, signal: AbortSignal): Promise<VmView | undefined> {
    return this.#reads.lookup(ref, signal);
  }

  /** A VM this process just PUT (its provisioningState Creating): fresher than any listing made before. */
  remember(resourceGroup: string, vm: VirtualMachine): void {
    if (vm.name) this.#written.set(vmKey(resourceGroup, vm.name), { at: this.#now(), vm });
  }

  // The flush's resource groups are listed together, and the subscription's instance views once for all of them.
  async #refresh(byGroup: ReadonlyMap<string, Waiter<VmRef, VmView | undefined>[]>): Promise<void> {
    const signal = AbortSignal.timeout(LIST_TIMEOUT_MS);
    const at = this.#now();
    let listings: Array<{ group: string; waiters: Waiter<VmRef, VmView | undefined>[]; vms: VirtualMachine[]; nics: NetworkInterface[]; publicIPs?: PublicIPAddress[] }>;
    let statuses = new Map<string, readonly InstanceViewStatus[]>();
    try {
      listings = await Promise.all([...byGroup].map(async ([group, waiters]) => {
        const resourceGroup = waiters[0].ref.resourceGroup;
        const needPublicIPs = waiters.some((w) => w.ref.publicIP);
        const [vms, nics, publicIPs] = await Promise.all([
          this.#reader.listVirtualMachines(resourceGroup, signal),
          this.#reader.listNetworkInterfaces(resourceGroup, signal),
          needPublicIPs ? this.#reader.listPublicIPAddresses(resourceGroup, signal) : undefined,
        ]);
        return { group, waiters, vms, nics, ...(publicIPs ? { publicIPs } : {}) };
      }));
      const settled = (l: (typeof listings)[number]) => l.waiters.some((w) => {
        const state = l.vms.find((vm) => vm.name?.toLowerCase() === w.ref.name.toLowerCase())?.provisioningState;
        return state === 'Succeeded' || state === 'Failed';
      });
      if (listings.some(settled)) {
        const listed = await this.#reader.listVirtualMachineStatuses(signal);
        statuses = new Map(listed.filter((vm) => vm.id).map((vm) => [vm.id!.toLowerCase(), vm.instanceView?.statuses ?? []]));
      }
    } catch (err) {
      for (const waiters of byGroup.values()) for (const waiter of waiters) waiter.reject(err);
      return;
    }
    for (const { group, waiters, vms, nics, publicIPs } of listings) {
      const snapshot: Snapshot = { at, vms, nics, statuses, ...(publicIPs ? { publicIPs } : {}) };
      this.#reads.store(group, snapshot);
      for (const waiter of waiters) waiter.resolve(this.#resolve(waiter.ref, snapshot));
    }
  }

  #resolve(ref: VmRef, snapshot: Snapshot): VmView | undefined {
    const written = this.#written.get(vmKey(ref.resourceGroup, ref.name));
    const listed = snapshot.vms.find((vm) => vm.name?.toLowerCase() === ref.name.toLowerCase());
    const vm = written && written.at > snapshot.at ? written.vm : listed;
    if (!vm) return undefined;
    const nicIds = new Set((vm.networkProfile?.networkInterfaces ?? []).map((n) => n.id?.toLowerCase()));
    const nics = snapshot.nics.filter((nic) => nicIds.has(nic.id?.toLowerCase()));
    const publicIPIds = new Set(nics.flatMap((nic) => nic.ipConfigurations ?? []).map((c) => c.publicIPAddress?.id?.toLowerCase()).filter(Boolean));
    const publicIPs = (snapshot.publicIPs ?? []).filter((ip) => publicIPIds.has(ip.id?.toLowerCase()));
    const statuses = vm.id ? snapshot.statuses.get(vm.id.toLowerCase()) : undefined;
    return { vm, nics, publicIPs, ...(statuses ? { statuses } : {}) };
  }
}

function groupKey(resourceGroup: string): string {
  return resourceGroup.toLowerCase();
}

function vmKey(resourceGroup: string, name: string): string {
  return `${resourceGroup.toLowerCase()}/${name.toLowerCase()}`;
}
