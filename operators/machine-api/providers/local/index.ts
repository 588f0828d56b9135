// The local provider: Machines whose providerSpec kind is LocalMachineProviderSpec get instances in the dev
// cluster's local cloud, and hollow nodes join for them.
import type { ProviderFactory } from '../actuator.ts';
import { LocalActuator, type LocalActuatorOptions } from './actuator.ts';
import { LOCAL_PROVIDER_SPEC_KIND } from './provider-spec.ts';

export { LocalActuator, LOCAL_CLOUD_ENDPOINT_ENV, DEFAULT_DELETE_POLL_MS, MACHINE_TAG, observe } from './actuator.ts';
export type { LocalActuatorOptions } from './actuator.ts';
export { parseLocalProviderSpec, LOCAL_PROVIDER_SPEC_KIND, DEFAULT_INSTANCE_TYPE, DEFAULT_REGION, DEFAULT_ZONE } from './provider-spec.ts';
export type { LocalMachineProviderSpec } from './provider-spec.ts';
export { LocalCloudClient, LocalCloudApiError, LocalCloudNetworkError } from './client.ts';
export type { LocalInstance, LocalInstanceSpec, LocalInstanceState } from './client.ts';
export { DEFAULT_FRESHNESS_MS, DEFAULT_MAX_BATCH, MACHINE_UID_TAG } from './instance-cache.ts';
export { LOCAL_INSTANCE_TYPES } from './instance-types.ts';

/** A factory whose actuators share `options` (endpoint, timings); the endpoint defaults to LOCAL_CLOUD_ENDPOINT. */
export function createLocalProviderFactory(options: LocalActuatorOptions = {}): ProviderFactory {
  return {
    name: 'local',
    kinds: [LOCAL_PROVIDER_SPEC_KIND],
    // The local cloud needs no credentials, so the deps (Secrets) go unused.
    create: () => new LocalActuator(options),
  };
}

export const localProviderFactory: ProviderFactory = createLocalProviderFactory();
