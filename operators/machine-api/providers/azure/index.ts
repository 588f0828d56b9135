// The Azure provider: Machines whose providerSpec kind is AzureMachineProviderSpec get Azure VMs (with a NIC, an
// OS disk and optionally a public IP), through @azure/arm-compute and @azure/arm-network.
import type { ProviderFactory } from '../actuator.ts';
import { AzureActuator, type AzureActuatorOptions } from './actuator.ts';
import { AZURE_PROVIDER_SPEC_KIND } from './provider-spec.ts';

export {
  AzureActuator, AZURE_PROVIDER_STATUS_KIND, DEFAULT_DELETE_POLL_MS, DEFAULT_PROVISION_POLL_MS, DEFAULT_RESOURCE_TTL_MS, USER_DATA_SECRET_KEY,
  observe, vmStateOf,
} from './actuator.ts';
export type { AzureActuatorOptions } from './actuator.ts';
export {
  parseAzureProviderSpec, resolveAzureSpec, AZURE_PROVIDER_SPEC_KIND, AZURE_PROVIDER_API_VERSIONS, LEGACY_AZURE_PROVIDER_API_VERSION, MAX_OS_DISK_SIZE_GB,
} from './provider-spec.ts';
export type { AzureMachineProviderSpec, ResolvedAzureSpec, AzureImage, OsDiskSpec, DataDiskSpec, SecretRef, SecurityProfileSpec } from './provider-spec.ts';
export { credentialsFromSecret, newArmClients, ARM_ENDPOINT_ENV, AUTHORITY_HOST_ENV } from './client.ts';
export type { AzureCredentials, ArmConnectionOptions, ArmClients } from './client.ts';
export { toActuatorError, armErrorOf, provisioningFailure, DEFAULT_THROTTLE_WAIT_MS } from './errors.ts';
export { InstanceCache, DEFAULT_BATCH_WINDOW_MS, DEFAULT_FRESHNESS_MS } from './instance-cache.ts';
export type { ArmReader, VmRef, VmView } from './instance-cache.ts';
export { resourceNames, nicParameters, vmParameters, publicIPParameters, providerIDFor, clusterTagKey, MACHINE_UID_TAG } from './resources.ts';
export { VmSizeCatalog, staticVmSizeCapacity, DEFAULT_SKU_TTL_MS } from './vm-sizes.ts';
export type { VmSizeCapacity } from './vm-sizes.ts';

/** A factory whose actuators share `options` (endpoints, CA, timings). */
export function createAzureProviderFactory(options: AzureActuatorOptions = {}): ProviderFactory {
  return {
    name: 'azure',
    kinds: [AZURE_PROVIDER_SPEC_KIND],
    create: (deps) => new AzureActuator(deps, options),
  };
}

export const azureProviderFactory: ProviderFactory = createAzureProviderFactory();
