// VM sizes of a location, from Microsoft.Compute/skus (shared/reference/machine-api.md §1.8, §6 item 9). Used for
// scale-from-zero capacity (the MachineSet annotations machine.openshift.io/vCPU, memoryMb and GPU) and, as MAO
// does before making a NIC, to check that a size supports accelerated networking. The SKU list of a location is
// large (thousands of entries across resource types) but changes rarely, so one listing per location is kept for
// `ttlMs`; when ARM cannot be asked or does not list the size, a small table of common sizes answers capacity.
import type { ComputeManagementClient, ResourceSku } from '@azure/arm-compute';
import { collect } from './client.ts';

export interface VmSizeCapacity {
  readonly vCPU: number;
  /** MiB. */
  readonly memoryMb: number;
  readonly GPU: number;
}

/** How long a location's SKU listing is reused, in ms. */
export const DEFAULT_SKU_TTL_MS = 6 * 60 * 60_000;

// From the Azure VM size pages (vCPUs, memory GiB × 1024, GPUs): sizes the installer and common MachineSets use.
const cap = (vCPU: number, memoryGiB: number, GPU = 0): VmSizeCapacity => ({ vCPU, memoryMb: memoryGiB * 1024, GPU });
const STATIC_CAPACITY: Readonly<Record<string, VmSizeCapacity>> = {
  Standard_D2s_v3: cap(2, 8), Standard_D4s_v3: cap(4, 16), Standard_D8s_v3: cap(8, 32), Standard_D16s_v3: cap(16, 64),
  Standard_D4s_v5: cap(4, 16), Standard_D8s_v5: cap(8, 32), Standard_D16s_v5: cap(16, 64),
  Standard_D4ds_v5: cap(4, 16), Standard_D8ds_v5: cap(8, 32),
  Standard_E4s_v3: cap(4, 32), Standard_E8s_v3: cap(8, 64), Standard_E4s_v5: cap(4, 32), Standard_E8s_v5: cap(8, 64),
  Standard_F4s_v2: cap(4, 8), Standard_F8s_v2: cap(8, 16),
  Standard_B2s: cap(2, 4), Standard_B4ms: cap(4, 16),
  Standard_NC6s_v3: cap(6, 112, 1), Standard_NC24s_v3: cap(24, 448, 4), Standard_NC4as_T4_v3: cap(4, 28, 1),
};

/** The static table's answer, for when ARM cannot be asked. */
export function staticVmSizeCapacity(vmSize: string): VmSizeCapacity | undefined {
  return STATIC_CAPACITY[vmSize];
}

/** What the provider needs of one VM size's SKU. */
export interface VmSizeInfo {
  readonly capacity?: VmSizeCapacity;
  readonly acceleratedNetworking: boolean;
}

/** Microsoft.Compute/skus listings of one connection, per location. */
export class VmSizeCatalog {
  readonly #compute: ComputeManagementClient;
  readonly #ttlMs: number;
  readonly #now: () => number;
  readonly #locations = new Map<string, { readonly at: number; readonly sizes: Promise<ReadonlyMap<string, VmSizeInfo>> }>();

  constructor(compute: ComputeManagementClient, options: { ttlMs?: number; now?: () => number } = {}) {
    this.#compute = compute;
    this.#ttlMs = options.ttlMs ?? DEFAULT_SKU_TTL_MS;
    this.#now = options.now ?? Date.now;
  }

  /** The size as listed in `location`; undefined when the location does not offer it. Rejects when ARM fails. */
  async size(location: string, vmSize: string, signal: AbortSignal): Promise<VmSizeInfo | undefined> {
    return (await this.#sizes(location, signal)).get(vmSize.toLowerCase());
  }

  /** Capacity from ARM, else the static table (ARM unreachable, or the size not listed). */
  async capacity(location: string, vmSize: string, signal: AbortSignal): Promise<VmSizeCapacity | undefined> {
    try {
      const info = await this.size(location, vmSize, signal);
      if (info?.capacity) return info.capacity;
    } catch {
      // Throttled or offline: the table answers; the listing is not remembered, so the next call asks again.
    }
    return staticVmSizeCapacity(vmSize);
  }

  #sizes(location: string, signal: AbortSignal): Promise<ReadonlyMap<string, VmSizeInfo>> {
    const key = location.toLowerCase();
    const hit = this.#locations.get(key);
    if (hit && this.#now() - hit.at < this.#ttlMs) return hit.sizes;
    const sizes = collect(this.#compute.resourceSkus.list({ filter: `location eq '${location}'`, abortSignal: signal })).then(toSizes);
    this.#locations.set(key, { at: this.#now(), sizes });
    sizes.catch(() => {
      if (this.#locations.get(key)?.sizes === sizes) this.#locations.delete(key);
    });
    return sizes;
  }
}

function toSizes(skus: readonly ResourceSku[]): ReadonlyMap<string, VmSizeInfo> {
  const out = new Map<string, VmSizeInfo>();
  for (const sku of skus) {
    if (sku.resourceType !== 'virtualMachines' || !sku.name) continue;
    const capability = (name: string) => sku.capabilities?.find((c) => c.name === name)?.value;
    const vCPU = Number(capability('vCPUs'));
    const memoryGB = Number(capability('MemoryGB'));
    const capacity = Number.isFinite(vCPU) && Number.isFinite(memoryGB) && capability('vCPUs') !== undefined && capability('MemoryGB') !== undefined
      ? { vCPU, memoryMb: Math.round(memoryGB * 1024), GPU: Number(capability('GPUs') ?? 0) || 0 }
      : undefined;
    out.set(sku.name.toLowerCase(), { ...(capacity ? { capacity } : {}), acceleratedNetworking: capability('AcceleratedNetworkingEnabled') === 'True' });
  }
  return out;
}
