// Public entry of the hollow nodes: in-process kubelets for the instances the dev cluster's clouds run.
export {
  HollowNodeManager,
  DEFAULT_LEASE_DURATION_SECONDS,
  DEFAULT_LEASE_RENEW_SECONDS,
  DEFAULT_MAX_IN_FLIGHT,
  DEFAULT_STATUS_REPORT_SECONDS,
} from './manager.ts';
export type { HollowNodeOptions } from './manager.ts';
export { localCloudSource, hollowInstanceOf } from './instance-source.ts';
export type { InstanceSource } from './instance-source.ts';
// The emulated clouds' instances (test/e2e/clouds/emulators.ts starts the emulators).
export { SnapshotSource } from './snapshot-source.ts';
export { Ec2InstanceSource, hollowInstanceOfEc2, DEFAULT_EC2_POLL_MS } from './ec2-source.ts';
export type { Ec2SourceOptions } from './ec2-source.ts';
export { GceInstanceSource, hollowInstanceOfGce } from './gce-source.ts';
export type { GceInventory, GceInstanceView } from './gce-source.ts';
export { AzureVmSource, hollowInstanceOfAzureVm } from './azure-source.ts';
export type { ArmInventory } from './azure-source.ts';
export type { HollowInstance, NodeSoftware } from './node-object.ts';
export { HollowOsAgent, DEFAULT_REBOOT_SECONDS, DEFAULT_DRAIN_TIMEOUT_SECONDS } from './os-agent.ts';
export type { OsAgentOptions } from './os-agent.ts';
