// What the machine-config controllers receive, built once by operator.ts: the caches (reads never go to the API
// server), the writer, the event recorder, the clock and the operator's version. Controllers depend on this narrow
// shape, so tests can wire them against any API server.
import type { ClusterOperator } from '../api/config-v1.ts';
import { CLUSTER_OPERATOR_RESOURCE } from '../api/config-v1.ts';
import {
  MACHINE_CONFIG_POOL_RESOURCE,
  MACHINE_CONFIG_RESOURCE,
  type MachineConfig,
  type MachineConfigPool,
} from '../api/machineconfiguration-v1.ts';
import type { Cache } from '../runtime/cache.ts';
import type { Recorder } from '../runtime/events.ts';
import type { Logger } from '../runtime/log.ts';
import type { ResourceClient, ResourceRef } from '../runtime/resource-client.ts';
import type { NodeObject } from './pool-node.ts';
import type { ConfigMapLike } from './target.ts';

export const POOLS: ResourceRef = MACHINE_CONFIG_POOL_RESOURCE;
export const MACHINE_CONFIGS: ResourceRef = MACHINE_CONFIG_RESOURCE;
export const CLUSTER_OPERATORS: ResourceRef = CLUSTER_OPERATOR_RESOURCE;
export const NODES: ResourceRef = { group: '', version: 'v1', plural: 'nodes' };
export const CONFIG_MAPS: ResourceRef = { group: '', version: 'v1', plural: 'configmaps' };

export interface MachineConfigCaches {
  readonly pools: Cache<MachineConfigPool>;
  readonly machineConfigs: Cache<MachineConfig>;
  readonly nodes: Cache<NodeObject>;
  /** Only the osimageurl ConfigMap (field selector on its name). */
  readonly configMaps: Cache<ConfigMapLike>;
  /** Only the machine-config ClusterOperator. */
  readonly clusterOperators: Cache<ClusterOperator>;
}

export interface MachineConfigContext {
  /** Where the osimageurl ConfigMap lives (OpenShift: openshift-machine-config-operator). */
  readonly namespace: string;
  readonly caches: MachineConfigCaches;
  readonly client: ResourceClient;
  readonly recorder: Recorder;
  readonly logger: Logger;
  readonly now: () => Date;
  /** Stamped on rendered configs (generated-by-controller-version). */
  readonly version: string;
}
