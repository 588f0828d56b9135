// The VMs of the Azure Resource Manager wire fake (test/fakes/azure/arm-server.ts, in this process) as hollow-node
// instances. The fake's state only moves inside the calls it serves, and its change hook fires on each move, so
// this reads on the hook alone: no polling, no timers.
import { providerIDFor } from '../../operators/machine-api/providers/azure/resources.ts';
import { staticVmSizeCapacity } from '../../operators/machine-api/providers/azure/vm-sizes.ts';
import { DEFAULT_OS_IMAGE } from '../local-cloud/types.ts';
import type { HollowInstance } from './node-object.ts';
import { SnapshotSource } from './snapshot-source.ts';

/** What this needs of the fake (AzureArmFake has it), so that the dev cluster does not depend on test code. */
export interface ArmInventory {
  /** IDs of the stored resources of `type` ("virtualMachines", "networkInterfaces"). */
  list(type: string): string[];
  /** The stored resource by ID. */
  get(id: string): Record<string, unknown> | undefined;
  /** `listener()` hears every change of a stored resource. */
  subscribe(listener: () => void): () => void;
}

interface StoredVm {
  readonly id: string;
  readonly name: string;
  readonly location?: string;
  readonly zones?: readonly string[];
  readonly properties: {
    readonly vmId?: string;
    readonly provisioningState?: string;
    /** Where the fake keeps the power state its instance view reports (AzureArmFake.setVmState). */
    readonly __powerState?: string;
    readonly hardwareProfile?: { readonly vmSize?: string };
    readonly networkProfile?: { readonly networkInterfaces?: readonly { readonly id?: string }[] };
  };
}

interface StoredNic {
  readonly properties?: { readonly ipConfigurations?: readonly { readonly properties?: { readonly privateIPAddress?: string } }[] };
}

export class AzureVmSource extends SnapshotSource {
  readonly #fake: ArmInventory;
  #unsubscribe: (() => void) | undefined;
  #readQueued = false;

  constructor(fake: ArmInventory) {
    super();
    this.#fake = fake;
  }

  protected override startObserving(): void {
    this.#unsubscribe = this.#fake.subscribe(() => this.#queueRead());
    this.#read();
  }

  protected override stopObserving(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
  }

  // The hook fires in the middle of the fake's work (a VM deleted before its NIC); reading once after the call
  // sees the whole change, and once for a burst.
  #queueRead(): void {
    if (this.#readQueued) return;
    this.#readQueued = true;
    queueMicrotask(() => {
      this.#readQueued = false;
      if (this.#unsubscribe) this.#read();
    });
  }

  #read(): void {
    const vms = this.#fake.list('virtualMachines').flatMap((id) => (this.#fake.get(id) as StoredVm | undefined) ?? []);
    this.update(vms.flatMap((vm) => hollowInstanceOfAzureVm(vm, (nicId) => this.#fake.get(nicId) as StoredNic | undefined) ?? []));
  }
}

/**
 * A running VM (provisioned, power state running) as its kubelet registers it: the Node is named after the VM, the
 * providerID is the provider's (providerIDFor), the zone label is `<location>-<zone>` as the Azure cloud provider
 * writes it. Undefined for any other VM, or one whose NIC has no private address.
 */
export function hollowInstanceOfAzureVm(vm: StoredVm, nicOf: (id: string) => StoredNic | undefined): HollowInstance | undefined {
  const p = vm.properties;
  if (p.provisioningState !== 'Succeeded' || p.__powerState !== 'running') return undefined;
  const ids = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\//i.exec(vm.id);
  const nicId = p.networkProfile?.networkInterfaces?.[0]?.id;
  const internalIP = nicId ? nicOf(nicId)?.properties?.ipConfigurations?.[0]?.properties?.privateIPAddress : undefined;
  if (!ids || !internalIP) return undefined;
  const location = vm.location ?? '';
  const vmSize = p.hardwareProfile?.vmSize ?? '';
  const size = staticVmSizeCapacity(vmSize) ?? { vCPU: 2, memoryMb: 8192 };
  const zone = vm.zones?.[0];
  return {
    id: p.vmId ?? vm.id,
    nodeName: vm.name,
    providerID: providerIDFor(ids[1], ids[2], vm.name),
    internalIP,
    instanceType: vmSize,
    region: location,
    zone: zone ? `${location}-${zone}` : location,
    cpu: size.vCPU,
    memoryMiB: size.memoryMb,
    osImage: DEFAULT_OS_IMAGE,
    runningSince: Date.now(),
    neverReady: false,
    failToJoin: false,
  };
}
