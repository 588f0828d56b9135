// Capacity of an instance type, for scale-from-zero: the MachineSet annotation controller writes it as
// machine.openshift.io/vCPU, memoryMb and GPU (shared/reference/machine-api.md §1.8, §6 item 9). Read from
// DescribeInstanceTypes and kept for the life of the process (a type's shape never changes); when EC2 cannot
// be asked or does not know the type, a small table of common types answers.
import { DescribeInstanceTypesCommand, type EC2Client, type _InstanceType } from '@aws-sdk/client-ec2';

export interface InstanceTypeCapacity {
  readonly vCPU: number;
  /** MiB. */
  readonly memoryMb: number;
  readonly GPU: number;
}

// From the EC2 instance type pages (vCPU, memory GiB × 1024, GPUs); the types the installer and common
// MachineSets use.
const cap = (vCPU: number, memoryGiB: number, GPU = 0): InstanceTypeCapacity => ({ vCPU, memoryMb: memoryGiB * 1024, GPU });
const STATIC_CAPACITY: Readonly<Record<string, InstanceTypeCapacity>> = {
  't3.medium': cap(2, 4), 't3.large': cap(2, 8), 't3.xlarge': cap(4, 16),
  'm5.large': cap(2, 8), 'm5.xlarge': cap(4, 16), 'm5.2xlarge': cap(8, 32), 'm5.4xlarge': cap(16, 64),
  'm6i.large': cap(2, 8), 'm6i.xlarge': cap(4, 16), 'm6i.2xlarge': cap(8, 32), 'm6i.4xlarge': cap(16, 64),
  'm7i.large': cap(2, 8), 'm7i.xlarge': cap(4, 16), 'm7i.2xlarge': cap(8, 32),
  'c5.xlarge': cap(4, 8), 'c5.2xlarge': cap(8, 16), 'c6i.xlarge': cap(4, 8), 'c6i.2xlarge': cap(8, 16),
  'r5.xlarge': cap(4, 32), 'r5.2xlarge': cap(8, 64), 'r6i.xlarge': cap(4, 32), 'r6i.2xlarge': cap(8, 64),
  'g4dn.xlarge': cap(4, 16, 1), 'g4dn.12xlarge': cap(48, 192, 4), 'g5.xlarge': cap(4, 16, 1), 'p3.2xlarge': cap(8, 61, 1),
};

/** The static table's answer, for when EC2 cannot be asked. */
export function staticInstanceTypeCapacity(instanceType: string): InstanceTypeCapacity | undefined {
  return STATIC_CAPACITY[instanceType];
}

/** DescribeInstanceTypes answers of one connection, kept for good; failures fall back to the static table. */
export class InstanceTypeCatalog {
  readonly #ec2: EC2Client;
  readonly #known = new Map<string, Promise<InstanceTypeCapacity | undefined>>();

  constructor(ec2: EC2Client) {
    this.#ec2 = ec2;
  }

  capacity(instanceType: string, signal: AbortSignal): Promise<InstanceTypeCapacity | undefined> {
    let answer = this.#known.get(instanceType);
    if (!answer) {
      answer = this.#describe(instanceType, signal);
      this.#known.set(instanceType, answer);
    }
    return answer;
  }

  async #describe(instanceType: string, signal: AbortSignal): Promise<InstanceTypeCapacity | undefined> {
    try {
      const answer = await this.#ec2.send(new DescribeInstanceTypesCommand({ InstanceTypes: [instanceType as _InstanceType] }), { abortSignal: signal });
      const info = answer.InstanceTypes?.[0];
      const vCPU = info?.VCpuInfo?.DefaultVCpus;
      const memoryMb = info?.MemoryInfo?.SizeInMiB;
      if (vCPU !== undefined && memoryMb !== undefined) {
        const GPU = (info?.GpuInfo?.Gpus ?? []).reduce((sum, g) => sum + (g.Count ?? 0), 0);
        return { vCPU, memoryMb, GPU };
      }
    } catch {
      // Throttled, offline or an unknown type: not remembered, so the next call asks again.
      this.#known.delete(instanceType);
    }
    return staticInstanceTypeCapacity(instanceType);
  }
}

/** vCPU, memory (MiB) and GPUs of `instanceType`: from EC2 through `catalog` when given, else the static table. */
export function instanceTypeCapacity(instanceType: string, catalog?: InstanceTypeCatalog, signal: AbortSignal = AbortSignal.timeout(30_000)): Promise<InstanceTypeCapacity | undefined> {
  return catalog ? catalog.capacity(instanceType, signal) : Promise.resolve(staticInstanceTypeCapacity(instanceType));
}
