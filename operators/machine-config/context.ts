// What the machine-config controllers receive, built once by operator.ts: the caches (reads never go to the API
// server), the writer, the event recorder, the clock and the operator's version. Controllers depend on this narrow
// shape, so tests can wire them against any API server.
import type { ClusterOperator } from '../api/config-v1.ts';
import { MACHINE_RESOURCE, MACHINE_SET_RESOURCE, type Machine, type MachineSet } from '../api/machine-v1beta1.ts';
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
export const MACHINES: ResourceRef = MACHINE_RESOURCE;
export const MACHINE_SETS: ResourceRef = MACHINE_SET_RESOURCE;
/** The index of the machines cache by controlling owner uid: a MachineSet's Machines. */
export const OWNER_UID_INDEX = 'ownerUid';

export interface MachineConfigCaches {
  readonly pools: Cache<MachineConfigPool>;
  readonly machineConfigs: Cache<MachineConfig>;
  readonly nodes: Cache<NodeObject>;
  /** The ConfigMaps of the operator's namespace: the payload's osimageurl and coreos-bootimages. */
  readonly configMaps: Cache<ConfigMapLike>;
  /** Only the machine-config ClusterOperator. */
  readonly clusterOperators: Cache<ClusterOperator>;
  /** Machines and MachineSets of every namespace, for Replace pools; empty while the Machine API is not served. */
  readonly machines: Cache<Machine>;
  readonly machineSets: Cache<MachineSet>;
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
  /**
   * Whether the Machine API (machine.openshift.io MachineSets) is served: false on clusters without its CRDs, where
   * Replace pools cannot work; undefined until first listed.
   */
  readonly machineApiServed: () => boolean | undefined;
}
