// The AWS EC2 provider: Machines whose providerSpec kind is AWSMachineProviderConfig get EC2 instances.
import type { ProviderFactory } from '../actuator.ts';
import { AwsActuator, type AwsActuatorOptions } from './actuator.ts';
import { AWS_PROVIDER_SPEC_KIND } from './provider-spec.ts';

export { AwsActuator, DEFAULT_DELETE_POLL_MS, EVENTUAL_CONSISTENCY_WINDOW_MS, USER_DATA_SECRET_KEY, observe, recordedInstanceId } from './actuator.ts';
export type { AwsActuatorOptions } from './actuator.ts';
export { parseAwsProviderSpec, AWS_PROVIDER_SPEC_KIND, AWS_PROVIDER_API_VERSIONS, LEGACY_AWS_PROVIDER_API_VERSION } from './provider-spec.ts';
export type { AwsMachineProviderSpec, AwsResourceReference, BlockDeviceSpec } from './provider-spec.ts';
export { credentialsFromSecret, newEc2Client, DEFAULT_MAX_ATTEMPTS } from './client.ts';
export type { AwsCredentials, Ec2ClientOptions } from './client.ts';
export { toActuatorError, ec2ErrorCode } from './errors.ts';
export { InstanceCache, MACHINE_UID_TAG, DEFAULT_BATCH_WINDOW_MS, DEFAULT_FRESHNESS_MS, DEFAULT_LAUNCH_GRACE_MS } from './instance-cache.ts';
export { instanceTypeCapacity, staticInstanceTypeCapacity, InstanceTypeCatalog } from './instance-types.ts';
export type { InstanceTypeCapacity } from './instance-types.ts';
export { runInstancesInput, DEFAULT_RESOURCE_TTL_MS } from './launch.ts';

/** A factory whose actuators share `options` (endpoint, timings). */
export function createAwsProviderFactory(options: AwsActuatorOptions = {}): ProviderFactory {
  return {
    name: 'aws',
    kinds: [AWS_PROVIDER_SPEC_KIND],
    create: (deps) => new AwsActuator(deps, options),
  };
}

export const awsProviderFactory: ProviderFactory = createAwsProviderFactory();
