// Capacity of a machine type, for scale-from-zero: the MachineSet annotation controller writes it as
// machine.openshift.io/vCPU, memoryMb and GPU (shared/reference/machine-api.md §1.8, §6 item 9). Read from
// machineTypes.get (machine types are zonal) and kept for the life of the process, since a type's shape never
// changes; when Compute cannot be asked or does not know the type, a small table of common types answers.
import type { MachineTypesClient } from '@google-cloud/compute';
import { callOptions } from './client.ts';
import { isNotFound } from './errors.ts';

export interface MachineTypeCapacity {
  readonly vCPU: number;
  /** MiB (GCE's memoryMb). */
  readonly memoryMb: number;
  readonly GPU: number;
}

// From the Compute Engine machine family pages (vCPUs, memory GB × 1024, built-in GPUs); the types the installer
// and common MachineSets use.
const cap = (vCPU: number, memoryGb: number, GPU = 0): MachineTypeCapacity => ({ vCPU, memoryMb: Math.round(memoryGb * 1024), GPU });
const STATIC_CAPACITY: Readonly<Record<string, MachineTypeCapacity>> = {
  'n1-standard-2': cap(2, 7.5), 'n1-standard-4': cap(4, 15), 'n1-standard-8': cap(8, 30), 'n1-standard-16': cap(16, 60),
  'n2-standard-2': cap(2, 8), 'n2-standard-4': cap(4, 16), 'n2-standard-8': cap(8, 32), 'n2-standard-16': cap(16, 64),
  'n2d-standard-4': cap(4, 16), 'n2d-standard-8': cap(8, 32),
  'e2-standard-2': cap(2, 8), 'e2-standard-4': cap(4, 16), 'e2-standard-8': cap(8, 32),
  'n4-standard-4': cap(4, 16), 'n4-standard-8': cap(8, 32),
  'c3-standard-4': cap(4, 16), 'c3-standard-8': cap(8, 32),
  'n2-highmem-4': cap(4, 32), 'n2-highmem-8': cap(8, 64), 'n2-highcpu-8': cap(8, 8),
  'a2-highgpu-1g': cap(12, 85, 1), 'a2-highgpu-2g': cap(24, 170, 2), 'g2-standard-4': cap(4, 16, 1), 'g2-standard-8': cap(8, 32, 1),
};

/** The static table's answer, for when Compute cannot be asked. */
export function staticMachineTypeCapacity(machineType: string): MachineTypeCapacity | undefined {
  return STATIC_CAPACITY[machineType];
}

/** machineTypes.get answers of one connection, kept for good; failures fall back to the static table. */
export class MachineTypeCatalog {
  readonly #client: MachineTypesClient;
  readonly #known = new Map<string, Promise<MachineTypeCapacity | undefined>>();

  constructor(client: MachineTypesClient) {
    this.#client = client;
  }

  capacity(project: string, zone: string, machineType: string, signal: AbortSignal): Promise<MachineTypeCapacity | undefined> {
    const key = `${project}/${zone}/${machineType}`;
    let answer = this.#known.get(key);
    if (!answer) {
      answer = this.#get(key, project, zone, machineType, signal);
      this.#known.set(key, answer);
    }
    return answer;
  }

  async #get(key: string, project: string, zone: string, machineType: string, signal: AbortSignal): Promise<MachineTypeCapacity | undefined> {
    try {
      const [type] = await this.#client.get({ project, zone, machineType }, callOptions(signal));
      if (typeof type.guestCpus === 'number' && typeof type.memoryMb === 'number') {
        const GPU = (type.accelerators ?? []).reduce((sum, a) => sum + (a.guestAcceleratorCount ?? 0), 0);
        return { vCPU: type.guestCpus, memoryMb: type.memoryMb, GPU };
      }
    } catch (err) {
      // The zone does not offer the type: that answer is kept.
      if (isNotFound(err)) return undefined;
      // Throttled or offline: not remembered, so the next call asks again.
      this.#known.delete(key);
    }
    return staticMachineTypeCapacity(machineType);
  }
}
