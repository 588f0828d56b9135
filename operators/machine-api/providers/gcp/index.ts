// The GCP Compute Engine provider: Machines whose providerSpec kind is GCPMachineProviderSpec get GCE instances.
// The Compute endpoint is Google's unless the factory's `endpoint` option or $GCP_COMPUTE_ENDPOINT names another.
import type { ProviderFactory } from '../actuator.ts';
import { GcpActuator, type GcpActuatorOptions } from './actuator.ts';
import { GCP_PROVIDER_SPEC_KIND } from './provider-spec.ts';

export { GcpActuator, DEFAULT_OPERATION_POLL_MS, DEFAULT_OPERATION_WAIT_MS, USER_DATA_SECRET_KEY, observe } from './actuator.ts';
export type { GcpActuatorOptions } from './actuator.ts';
export { parseGcpProviderSpec, GCP_PROVIDER_SPEC_KIND, GCP_PROVIDER_API_VERSIONS, LEGACY_GCP_PROVIDER_API_VERSION, SUPPORTED_GPU_TYPES } from './provider-spec.ts';
export type { GcpMachineProviderSpec, GcpDiskSpec, GcpNetworkInterfaceSpec, KmsKeyReference } from './provider-spec.ts';
export {
  COMPUTE_ENDPOINT_ENV, SERVICE_ACCOUNT_SECRET_KEY, CALL_TIMEOUT_MS, serviceAccountFromSecret, ServiceAccountTokenSource, resolveEndpoint, newComputeClients,
} from './client.ts';
export type { ServiceAccountKey, ComputeEndpoint, ComputeClients, Instance, Operation } from './client.ts';
export { toActuatorError, operationError, httpStatusOf } from './errors.ts';
export { InstanceCache, clusterFilter, isMachineInstance, DEFAULT_BATCH_WINDOW_MS, DEFAULT_FRESHNESS_MS } from './instance-cache.ts';
export type { InstanceRef } from './instance-cache.ts';
export { instanceResource, requestId, clusterLabelKey, MACHINE_UID_LABEL, USER_DATA_METADATA_KEY } from './insert.ts';
export { MachineTypeCatalog, staticMachineTypeCapacity } from './machine-types.ts';
export type { MachineTypeCapacity } from './machine-types.ts';

/** A factory whose actuators share `options` (endpoint, timings). */
export function createGcpProviderFactory(options: GcpActuatorOptions = {}): ProviderFactory {
  return {
    name: 'gcp',
    kinds: [GCP_PROVIDER_SPEC_KIND],
    create: (deps) => new GcpActuator(deps, options),
  };
}

export const gcpProviderFactory: ProviderFactory = createGcpProviderFactory();
