// What every Machine API controller receives, built once by operator.ts: the caches (reads never go to the
// API server), the writer, the event recorder, the providers, metrics and the clock. Controllers depend on
// this narrow shape, not on how it is built, so tests can wire it against any API server.
import type { KubeConfig, V1Node, V1Pod } from '@kubernetes/client-node';
import type { Registry } from 'prom-client';
import type { Machine, MachineHealthCheck, MachineSet } from '../api/machine-v1beta1.ts';
import type { Cache } from '../runtime/cache.ts';
import type { Recorder } from '../runtime/events.ts';
import type { Logger } from '../runtime/log.ts';
import type { ResourceClient, ResourceRef } from '../runtime/resource-client.ts';
import type { KubeObject } from '../runtime/watcher.ts';
import type { ProviderRegistry } from './providers/index.ts';

export type Node = V1Node & KubeObject;
export type Pod = V1Pod & KubeObject;

export const MACHINES: ResourceRef = { group: 'machine.openshift.io', version: 'v1beta1', plural: 'machines' };
export const MACHINE_SETS: ResourceRef = { group: 'machine.openshift.io', version: 'v1beta1', plural: 'machinesets' };
export const MACHINE_HEALTH_CHECKS: ResourceRef = { group: 'machine.openshift.io', version: 'v1beta1', plural: 'machinehealthchecks' };
export const NODES: ResourceRef = { group: '', version: 'v1', plural: 'nodes' };
export const PODS: ResourceRef = { group: '', version: 'v1', plural: 'pods' };

/** Index names configured on the caches (see operator.ts). */
export const INDEX = {
  /** machines by spec.providerID; nodes by spec.providerID */
  providerID: 'providerID',
  /** machines by status.addresses InternalIP; nodes by status.addresses InternalIP */
  internalIP: 'internalIP',
  /** machines by the name of their status.nodeRef */
  nodeName: 'nodeName',
  /** machines by their controller owner's uid, or NO_CONTROLLER for orphans */
  controllerUid: 'controllerUid',
  /** pods by spec.nodeName */
  podNodeName: 'podNodeName',
} as const;

/** The INDEX.controllerUid key of Machines without a controller ownerReference (adoptable by a MachineSet). */
export const NO_CONTROLLER = '(no controller)';

export interface MachineApiCaches {
  readonly machines: Cache<Machine>;
  readonly machineSets: Cache<MachineSet>;
  readonly machineHealthChecks: Cache<MachineHealthCheck>;
  readonly nodes: Cache<Node>;
  /** Pods, for drain (indexed by node name). */
  readonly pods: Cache<Pod>;
}

export interface MachineApiContext {
  readonly kubeConfig: KubeConfig;
  /** The namespace the operator manages (OpenShift: openshift-machine-api). */
  readonly namespace: string;
  readonly caches: MachineApiCaches;
  readonly client: ResourceClient;
  readonly recorder: Recorder;
  readonly providers: ProviderRegistry;
  readonly logger: Logger;
  readonly metricsRegistry: Registry;
  readonly now: () => Date;
}
