// The one interface every cloud provider implements (shared/reference/machine-api.md §1.3, STYLE.md). A provider
// reports what it observed; the Machine controller alone writes Machine status. Errors follow
// operators/runtime/errors.ts: TerminalError (reason "InvalidConfiguration" and a field path in the message) ends
// in phase Failed; RequeueAfter is an expected wait; anything else is transient and backs off.
import type { Machine, MachineSet, NodeAddress } from '../../api/machine-v1beta1.ts';

/** What a provider saw of a machine's instance. */
export interface InstanceObservation {
  /** The cloud's providerID for the instance, e.g. "aws:///us-east-1a/i-0123", "local:///worker-abc12". */
  readonly providerID: string;
  readonly addresses: readonly NodeAddress[];
  /** The cloud's own word for the instance state ("pending", "running", …): the instance-state annotation. */
  readonly instanceState: string;
  /** Provider-specific status, stored as Machine status.providerStatus. */
  readonly providerStatus?: Record<string, unknown>;
  /** Labels the Machine carries for the instance (instance-type, region, zone). */
  readonly labels?: Record<string, string>;
}

/**
 * What one Machine of a MachineSet brings to the cluster, for the cluster-autoscaler's scale from zero: the
 * MachineSet capacity controller writes it as machine.openshift.io/vCPU, memoryMb and GPU
 * (shared/reference/machine-api.md §1.8).
 */
export interface InstanceTypeCapacity {
  readonly vCPU: number;
  /** MiB. */
  readonly memoryMb: number;
  readonly GPU: number;
}

export interface Actuator {
  /**
   * Creates the machine's instance. Idempotent: keyed by the Machine's UID, so a retry after a crash between
   * the cloud call and the status write finds the instance it already made instead of making a second one.
   */
  create(machine: Machine, signal: AbortSignal): Promise<InstanceObservation>;
  /** Whether the machine's instance exists (and is not terminated). */
  exists(machine: Machine, signal: AbortSignal): Promise<boolean>;
  /** Syncs what is observed of an existing instance; never changes the infrastructure. */
  update(machine: Machine, signal: AbortSignal): Promise<InstanceObservation>;
  /** Deletes the instance and what belongs to it; resolves only once it is gone (or throws RequeueAfter). */
  delete(machine: Machine, signal: AbortSignal): Promise<void>;
  /**
   * The capacity of the instance type in `machineSet`'s template, asked of the cloud with the template's
   * credentials; undefined when the type is unknown. Optional: a provider without it leaves MachineSets without
   * capacity annotations (the autoscaler then cannot scale them up from zero).
   */
  instanceTypeCapacity?(machineSet: MachineSet, signal: AbortSignal): Promise<InstanceTypeCapacity | undefined>;
}

/** What a provider may use from the cluster: Secrets named in its providerSpec (credentials, user data). */
export interface ProviderDeps {
  /** The Secret's data, decoded from base64; undefined when it does not exist. */
  readSecret(namespace: string, name: string, signal: AbortSignal): Promise<Record<string, Buffer> | undefined>;
}

/** A provider: the providerSpec kinds it serves (e.g. "AWSMachineProviderConfig") and how to build its actuator. */
export interface ProviderFactory {
  readonly name: string;
  readonly kinds: readonly string[];
  create(deps: ProviderDeps): Actuator;
}
