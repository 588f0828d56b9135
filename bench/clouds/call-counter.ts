// Cloud API calls as each emulator counts them at its wire (what the cloud would bill against the account's rate
// limits): EC2 Query API actions at the fault proxy in front of moto, Compute Engine methods at the GCE fake, ARM
// operations at the ARM fake. Token grants (GCE OAuth, Entra ID) are counted apart: they are not calls to the
// compute API, and both SDKs reuse a token for an hour.
import type { AwsCloud, AzureCloud, EmulatedCloud, GcpCloud } from '../../test/e2e/clouds/emulators.ts';

export interface CloudCalls {
  /** Compute API calls. */
  readonly total: number;
  /** Calls per operation: "RunInstances", "instances.get", "PUT virtualMachines", … */
  readonly byOperation: Readonly<Record<string, number>>;
  /** Token grants and authority discovery. */
  readonly auth: number;
}

export interface CallCounter {
  reset(): void;
  read(): CloudCalls;
}

export function callCounter(cloud: EmulatedCloud): CallCounter {
  switch (cloud.name) {
    case 'aws': {
      const { proxy } = cloud as AwsCloud;
      return { reset: () => proxy.resetCounts(), read: () => ({ total: proxy.total(), byOperation: proxy.counts(), auth: 0 }) };
    }
    case 'gcp': {
      const { fake } = cloud as GcpCloud;
      return { reset: () => fake.resetCounts(), read: () => ({ total: fake.total(), byOperation: fake.counts(), auth: fake.tokenRequests }) };
    }
    case 'azure': {
      const { fake } = cloud as AzureCloud;
      return {
        reset: () => fake.resetCounts(),
        read: () => {
          const arm = fake.armCounts();
          const all = Object.values(fake.counts()).reduce((a, b) => a + b, 0);
          return { total: fake.armCalls(), byOperation: arm, auth: all - fake.armCalls() };
        },
      };
    }
  }
}
