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
// The emulated clouds' instance sources (ec2-source.ts, gce-source.ts, azure-source.ts, snapshot-source.ts) are
// imported from their own files, by test/e2e/clouds/emulators.ts only: the EC2 one loads the AWS SDK, which
// `npm start` on the local cloud has no use for.
export type { HollowInstance, NodeSoftware } from './node-object.ts';
export { HollowOsAgent, DEFAULT_REBOOT_SECONDS, DEFAULT_DRAIN_TIMEOUT_SECONDS } from './os-agent.ts';
export type { OsAgentOptions } from './os-agent.ts';
