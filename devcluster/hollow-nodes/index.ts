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
export type { HollowInstance, NodeSoftware } from './node-object.ts';
export { HollowOsAgent, DEFAULT_REBOOT_SECONDS, DEFAULT_DRAIN_TIMEOUT_SECONDS } from './os-agent.ts';
export type { OsAgentOptions } from './os-agent.ts';
