// Typed models of OpenShift's machineconfiguration.openshift.io/v1 MachineConfigPool and MachineConfig, as the CRDs
// in crds/ serve them (openshift/api machineconfiguration/v1 types.go, Default feature set), plus machine-fleet's
// optional additions (canary, maintenance windows, OS update strategy) and the vocabulary the machine-config
// operator, its node agents and the cluster-version operator share: node annotations, the
// `machine-config-osimageurl` and `coreos-bootimages` ConfigMaps, the MachineSet annotations of the Replace strategy
// and the ClusterOperator name.
// Types only: the CRD schemas validate; shared/reference/cluster-version.md §5 gives the semantics, and
// operators/machine-config/PROTOCOL.md the node-agent protocol.
import type { ConditionStatus } from '../runtime/conditions.ts';
import type { KubeObject } from '../runtime/watcher.ts';
import type { MaintenanceWindow } from '../cluster-version/updates/auto-update.ts';
import type { ApiResource, LabelSelector, ObjectReference } from './machine-v1beta1.ts';

// ---- group, version, resources --------------------------------------------------------------------------------

export const MACHINE_CONFIGURATION_GROUP = 'machineconfiguration.openshift.io';
export const MACHINE_CONFIGURATION_VERSION = 'v1';
export const MACHINE_CONFIGURATION_GROUP_VERSION = `${MACHINE_CONFIGURATION_GROUP}/${MACHINE_CONFIGURATION_VERSION}` as const;

export const MACHINE_CONFIG_POOL_RESOURCE = {
  group: MACHINE_CONFIGURATION_GROUP, version: MACHINE_CONFIGURATION_VERSION, apiVersion: MACHINE_CONFIGURATION_GROUP_VERSION,
  kind: 'MachineConfigPool', listKind: 'MachineConfigPoolList', plural: 'machineconfigpools', singular: 'machineconfigpool',
  namespaced: false,
} as const satisfies ApiResource;

export const MACHINE_CONFIG_RESOURCE = {
  group: MACHINE_CONFIGURATION_GROUP, version: MACHINE_CONFIGURATION_VERSION, apiVersion: MACHINE_CONFIGURATION_GROUP_VERSION,
  kind: 'MachineConfig', listKind: 'MachineConfigList', plural: 'machineconfigs', singular: 'machineconfig',
  namespaced: false,
} as const satisfies ApiResource;

/** Where the operator runs, and where the CVO applies the osimageurl ConfigMap (payload run level 80). */
export const MACHINE_CONFIG_OPERATOR_NAMESPACE = 'openshift-machine-config-operator';
/** The ClusterOperator the operator reports through, and the CVO waits on. */
export const MACHINE_CONFIG_CLUSTER_OPERATOR = 'machine-config';

// ---- the OS target: ConfigMap openshift-machine-config-operator/machine-config-osimageurl -------------------------

/**
 * The payload's manifest `0000_80_machine-config_05_osimageurl.yaml` (§5.1). OpenShift's data keys are
 * releaseVersion, baseOSContainerImage and baseOSExtensionsContainerImage; kubeletVersion, containerRuntimeVersion
 * and osImageName are machine-fleet's: what a node booted into the image reports in status.nodeInfo, so that
 * hollow nodes can report it and the operator can check it (a real node reads them from the image itself).
 */
export const OSIMAGEURL_CONFIG_MAP = 'machine-config-osimageurl';
export const OSIMAGEURL_KEYS = {
  releaseVersion: 'releaseVersion',
  baseOSContainerImage: 'baseOSContainerImage',
  baseOSExtensionsContainerImage: 'baseOSExtensionsContainerImage',
  kubeletVersion: 'kubeletVersion',
  containerRuntimeVersion: 'containerRuntimeVersion',
  osImageName: 'osImageName',
} as const;

// ---- boot images: ConfigMap openshift-machine-config-operator/coreos-bootimages -----------------------------------

/**
 * The payload's manifest `0000_80_machine-config_06_coreos-bootimages.yaml` (OpenShift's name and keys): the
 * release's boot images per cloud, as CoreOS stream metadata JSON in `data.stream`
 * (`architectures.<arch>.images.{aws.regions.<region>, gcp, azure, local}`; azure and local are machine-fleet's
 * extensions, operators/machine-config/boot-images.ts). OpenShift's MCO copies them into MachineSets ("managed boot
 * images"); here a pool with `osUpdate.strategy: Replace` does, then replaces the Machines booted from another image.
 */
export const COREOS_BOOTIMAGES_CONFIG_MAP = 'coreos-bootimages';
export const COREOS_BOOTIMAGES_KEYS = { releaseVersion: 'releaseVersion', stream: 'stream' } as const;

// ---- MachineSet annotations of the Replace strategy (operators/machine-config/replace/) ----------------------------

/**
 * machine-fleet, on a MachineSet being replaced: its spec.replicas when the replacement started (the base R of
 * "at most R + maxSurge Machines, at least R − maxUnavailable available"). Kept in the API so that a restarted
 * operator continues with the same bounds; removed when the replacement is done.
 */
export const REPLACE_BASE_REPLICAS_ANNOTATION = 'machine-fleet.io/replace-base-replicas';
/**
 * machine-fleet, beside the base: the spec.replicas the operator last wrote. A spec.replicas that differs was set by
 * someone else (a user, the cluster-autoscaler) mid-rollout and becomes the new base.
 */
export const REPLACE_REPLICAS_ANNOTATION = 'machine-fleet.io/replace-replicas';
/**
 * The value the operator gives the Machine API's `machine.openshift.io/delete-machine` annotation on the old Machine
 * it removes next (any non-empty value works for the MachineSet; this one lets a restarted operator recognise its
 * own choice, apart from a cluster-autoscaler's).
 */
export const REPLACE_DELETE_MACHINE_VALUE = 'machine-config-operator: replaced by a Machine on the new boot image';

// ---- node annotations (PROTOCOL.md) ---------------------------------------------------------------------------

/** Written by the pool controller: the rendered MachineConfig the node must run. */
export const DESIRED_CONFIG_ANNOTATION = 'machineconfiguration.openshift.io/desiredConfig';
/** Written by the node agent once the node runs (and has validated) that config. */
export const CURRENT_CONFIG_ANNOTATION = 'machineconfiguration.openshift.io/currentConfig';
/** Written by the node agent: one of NODE_STATES. */
export const STATE_ANNOTATION = 'machineconfiguration.openshift.io/state';
/** Written by the node agent: why it is Degraded, or what it waits for while Working (a blocked drain). */
export const REASON_ANNOTATION = 'machineconfiguration.openshift.io/reason';

/** The MCD's states (pkg/daemon/constants/constants.go); Rebooting and Unreconcilable are read, never written here. */
export const NODE_STATES = ['Done', 'Working', 'Degraded', 'Rebooting', 'Unreconcilable'] as const;
export type NodeState = (typeof NODE_STATES)[number];
export const NodeStates = {
  Done: 'Done', Working: 'Working', Degraded: 'Degraded', Rebooting: 'Rebooting', Unreconcilable: 'Unreconcilable',
} as const satisfies Record<NodeState, NodeState>;

/**
 * machine-fleet: the rendered config a node was rolled back from, written by the pool controller with
 * desiredConfig. While it names the pool's target the pool stays Degraded and starts no node; removing it
 * (`kubectl annotate node X machine-fleet.io/rolled-back-from-`) is the "retry" action OpenShift lacks (§8 #6).
 */
export const ROLLED_BACK_FROM_ANNOTATION = 'machine-fleet.io/rolled-back-from';
/** machine-fleet: why the node was rolled back (the node's reason at the time). */
export const ROLLBACK_REASON_ANNOTATION = 'machine-fleet.io/rollback-reason';
/**
 * Failure injection for tests and demos (label or annotation on a Node): a hollow node's agent fails after
 * booting a config whose release version equals the value, as a node whose new OS does not come up healthy.
 */
export const FAIL_OS_UPDATE_KEY = 'machine-fleet.io/fail-os-update';

// ---- MachineConfig --------------------------------------------------------------------------------------------

/** On rendered configs: the operator version that rendered them (OpenShift: the MCO's git hash). */
export const GENERATED_BY_CONTROLLER_VERSION_ANNOTATION = 'machineconfiguration.openshift.io/generated-by-controller-version';
/** On rendered configs: the release they were rendered for. */
export const RELEASE_IMAGE_VERSION_ANNOTATION = 'machineconfiguration.openshift.io/release-image-version';
/** machine-fleet, on rendered configs: what a node booted into the config reports as nodeInfo. */
export const OS_IMAGE_NAME_ANNOTATION = 'machine-fleet.io/os-image-name';
export const KUBELET_VERSION_ANNOTATION = 'machine-fleet.io/kubelet-version';
export const CONTAINER_RUNTIME_VERSION_ANNOTATION = 'machine-fleet.io/container-runtime-version';

export interface MachineConfigSpec {
  /** An Ignition config, kept as written. */
  readonly config?: Record<string, unknown>;
  readonly osImageURL?: string;
  readonly baseOSExtensionsContainerImage?: string;
  readonly kernelArguments?: readonly string[];
  readonly extensions?: readonly string[];
  readonly fips?: boolean;
  readonly kernelType?: string;
}

export interface MachineConfig extends KubeObject {
  readonly spec?: MachineConfigSpec;
}

// ---- MachineConfigPool ----------------------------------------------------------------------------------------

/** Pools with this label must be fully updated before the operator reports the new release (§5.5). */
export const REQUIRED_FOR_UPGRADE_LABEL = 'operator.machineconfiguration.openshift.io/required-for-upgrade';
/**
 * machine-fleet: worker pools are required too (the issue: the ClusterVersion completes only once every node runs
 * the new OS); `machine-fleet.io/required-for-upgrade: "false"` on a pool opts it out, as OpenShift treats workers.
 */
export const FLEET_REQUIRED_FOR_UPGRADE_LABEL = 'machine-fleet.io/required-for-upgrade';
export const WORKER_ROLE_LABEL = 'node-role.kubernetes.io/worker';
/** The label nodes are ordered by within a pool (§5.3). */
export const ZONE_LABEL = 'topology.kubernetes.io/zone';

export const OS_UPDATE_STRATEGIES = ['InPlace', 'Replace'] as const;
export type OsUpdateStrategy = (typeof OS_UPDATE_STRATEGIES)[number];

/** Default maxUnavailable (types.go: "The default value is 1"). */
export const DEFAULT_MAX_UNAVAILABLE = 1;
/** Default canary.nodes when spec.canary is set. */
export const DEFAULT_CANARY_NODES = 1;
/** Default canary.soakSeconds when spec.canary is set: 5 min, the documented duration of one node update (§9). */
export const DEFAULT_CANARY_SOAK_SECONDS = 300;
/** Default osUpdate.nodeReadyTimeoutSeconds: a node not Ready this long after its update began is rolled back. */
export const DEFAULT_NODE_READY_TIMEOUT_SECONDS = 600;
/** Default osUpdate.maxSurge (Replace): one Machine above the MachineSet's size at a time (Cluster API's default). */
export const DEFAULT_MAX_SURGE = 1;

/** spec.configuration / status.configuration: the rendered config and the MachineConfigs it was merged from. */
export interface MachineConfigPoolStatusConfiguration extends ObjectReference {
  readonly source?: readonly ObjectReference[];
}

/** machine-fleet: spec.canary. */
export interface CanarySpec {
  /** How many nodes update first. Default DEFAULT_CANARY_NODES. */
  readonly nodes?: number;
  /** How long they must then stay Ready before the rest start. Default DEFAULT_CANARY_SOAK_SECONDS. */
  readonly soakSeconds?: number;
}

/**
 * machine-fleet: one entry of spec.maintenanceWindows, the CVO's auto-update window (updates/auto-update.ts) with
 * the CRD's defaults: `days` absent means every day, `timeZone` is only ever UTC.
 */
export type PoolMaintenanceWindow = Omit<MaintenanceWindow, 'days' | 'timeZone'> & {
  readonly days?: MaintenanceWindow['days'];
  readonly timeZone?: 'UTC';
};

/** machine-fleet: spec.osUpdate. */
export interface OsUpdateSpec {
  /**
   * InPlace (default): the node agent switches the OS and reboots. Replace: each MachineSet of the pool gets the
   * payload's boot image (coreos-bootimages) and its Machines booted from another image are replaced, new ones
   * first (maxSurge), old ones drained and deleted through the MachineSet (maxUnavailable).
   */
  readonly strategy?: OsUpdateStrategy;
  /**
   * Replace only: Machines a MachineSet may have above its size while replacing (count, or percent of its size
   * rounded up, as Cluster API's maxSurge). 0: delete first. Default DEFAULT_MAX_SURGE.
   */
  readonly maxSurge?: number | string;
  /** Default DEFAULT_NODE_READY_TIMEOUT_SECONDS. */
  readonly nodeReadyTimeoutSeconds?: number;
}

export interface MachineConfigPoolSpec {
  readonly machineConfigSelector?: LabelSelector;
  /** Absent: the pool selects no node (MCO: a nil selector is labels.Nothing()). */
  readonly nodeSelector?: LabelSelector;
  readonly paused?: boolean;
  /**
   * Count, or percent of the pool ("20%", rounded down); 0 and absent mean 1. Replace: of the MachineSet being
   * replaced (percent of its size).
   */
  readonly maxUnavailable?: number | string;
  /** The rendered config the pool's nodes must reach; written by the operator. */
  readonly configuration?: MachineConfigPoolStatusConfiguration;
  readonly pinnedImageSets?: readonly { readonly name: string }[];
  // machine-fleet additions: optional, so every OpenShift pool still applies.
  readonly canary?: CanarySpec;
  /** New node updates start only inside one of these (UTC); an update already started runs to completion. */
  readonly maintenanceWindows?: readonly PoolMaintenanceWindow[];
  readonly osUpdate?: OsUpdateSpec;
}

export const POOL_CONDITION_TYPES = ['Updated', 'Updating', 'Degraded', 'NodeDegraded', 'RenderDegraded'] as const;
export type PoolConditionType = (typeof POOL_CONDITION_TYPES)[number];

/** MachineConfigPoolCondition: no observedGeneration (the CRD would prune it). */
export interface MachineConfigPoolCondition {
  readonly type: string;
  readonly status: ConditionStatus;
  readonly lastTransitionTime?: string;
  readonly reason?: string;
  readonly message?: string;
}

export interface MachineConfigPoolStatus {
  readonly observedGeneration?: number;
  /** The rendered config every node of the pool runs (moves only once all are updated, §5.1 step 6). */
  readonly configuration?: MachineConfigPoolStatusConfiguration;
  readonly machineCount?: number;
  readonly updatedMachineCount?: number;
  readonly readyMachineCount?: number;
  readonly unavailableMachineCount?: number;
  readonly degradedMachineCount?: number;
  readonly conditions?: readonly MachineConfigPoolCondition[];
}

export interface MachineConfigPool extends KubeObject {
  readonly spec?: MachineConfigPoolSpec;
  readonly status?: MachineConfigPoolStatus;
}
