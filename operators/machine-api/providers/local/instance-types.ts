// The local cloud's instance types and what their nodes report as capacity (devcluster/local-cloud/README.md,
// `spec.instanceType`), for scale-from-zero annotations. Declared here, as the wire types in client.ts are: the
// operator knows the cloud by its documented contract, not by importing the dev cluster
// (instance-types.test.ts checks the two agree).
import type { InstanceTypeCapacity } from '../actuator.ts';

const GIB = 1024;

export const LOCAL_INSTANCE_TYPES: Readonly<Record<string, InstanceTypeCapacity>> = {
  'local.small': { vCPU: 2, memoryMb: 8 * GIB, GPU: 0 },
  'local.medium': { vCPU: 4, memoryMb: 16 * GIB, GPU: 0 },
  'local.large': { vCPU: 8, memoryMb: 32 * GIB, GPU: 0 },
  'local.xlarge': { vCPU: 16, memoryMb: 64 * GIB, GPU: 0 },
};
