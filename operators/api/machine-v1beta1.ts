// Typed models of OpenShift's Machine API, machine.openshift.io/v1beta1: Machine, MachineSet and
// MachineHealthCheck as the CRDs in crds/ serve them (openshift/api machine/v1beta1 types_machine.go,
// types_machineset.go, types_machinehealthcheck.go, types_provider.go; Default feature set, so no
// MachineAPIMigration fields). Field names are the JSON names. A field is optional wherever the schema lets it
// be absent: objects come from users and no webhook runs, so a controller must cope with, say, a Machine
// without spec. The well-known label, annotation and finalizer keys, phases, error reasons and condition
// vocabulary live here too, so controllers, providers and tests spell them once.
// Types only: the CRD schemas are the validation, and shared/reference/machine-api.md §1 the semantics.
import type { ConditionStatus } from '../runtime/conditions.ts';
import type { KubeObject, OwnerReference } from '../runtime/watcher.ts';

// ---- group, version, resources --------------------------------------------------------------------------------

export const MACHINE_API_GROUP = 'machine.openshift.io';
export const MACHINE_API_VERSION = 'v1beta1';
export const MACHINE_API_GROUP_VERSION = `${MACHINE_API_GROUP}/${MACHINE_API_VERSION}` as const;

/** What a client needs to address one kind: its GVK, its REST plural and its list kind. */
export interface ApiResource {
  readonly group: string;
  readonly version: string;
  /** group/version, the apiVersion written in objects. */
  readonly apiVersion: string;
  readonly kind: string;
  readonly listKind: string;
  readonly plural: string;
  readonly singular: string;
  readonly namespaced: boolean;
}

export const MACHINE_RESOURCE = {
  group: MACHINE_API_GROUP, version: MACHINE_API_VERSION, apiVersion: MACHINE_API_GROUP_VERSION,
  kind: 'Machine', listKind: 'MachineList', plural: 'machines', singular: 'machine', namespaced: true,
} as const satisfies ApiResource;

export const MACHINE_SET_RESOURCE = {
  group: MACHINE_API_GROUP, version: MACHINE_API_VERSION, apiVersion: MACHINE_API_GROUP_VERSION,
  kind: 'MachineSet', listKind: 'MachineSetList', plural: 'machinesets', singular: 'machineset', namespaced: true,
} as const satisfies ApiResource;

export const MACHINE_HEALTH_CHECK_RESOURCE = {
  group: MACHINE_API_GROUP, version: MACHINE_API_VERSION, apiVersion: MACHINE_API_GROUP_VERSION,
  kind: 'MachineHealthCheck', listKind: 'MachineHealthCheckList', plural: 'machinehealthchecks',
  singular: 'machinehealthcheck', namespaced: true,
} as const satisfies ApiResource;

/** The namespace OpenShift runs the Machine API in; its controllers watch only this one. */
export const MACHINE_API_NAMESPACE = 'openshift-machine-api';

// ---- well-known keys -------------------------------------------------------------------------------------------

/** Finalizer the machine controller adds before doing anything else and removes once the instance is gone. */
export const MACHINE_FINALIZER = 'machine.machine.openshift.io';

/** Label every Machine must carry (the infrastructure name); the webhook defaults it and never overwrites it. */
export const CLUSTER_ID_LABEL = 'machine.openshift.io/cluster-api-cluster';
/** Label naming the MachineSet on Machines it creates (installer and console convention; selectors use it). */
export const MACHINE_SET_LABEL = 'machine.openshift.io/cluster-api-machineset';
/** Machine role (worker, master, infra…) and type labels, set by the installer on templates. */
export const MACHINE_ROLE_LABEL = 'machine.openshift.io/cluster-api-machine-role';
export const MACHINE_TYPE_LABEL = 'machine.openshift.io/cluster-api-machine-type';
/** Labels the provider writes on the Machine; the Type, Region and Zone printer columns read them. */
export const INSTANCE_TYPE_LABEL = 'machine.openshift.io/instance-type';
export const REGION_LABEL = 'machine.openshift.io/region';
export const ZONE_LABEL = 'machine.openshift.io/zone';
/**
 * Label (empty value) on spot/preemptible Machines and, through spec.metadata, their Nodes; the default
 * machine-api-termination-handler MachineHealthCheck selects it.
 */
export const INTERRUPTIBLE_INSTANCE_LABEL = 'machine.openshift.io/interruptible-instance';

/** Provider-reported instance state (the State printer column); `Unknown` once the Machine is Failed. */
export const INSTANCE_STATE_ANNOTATION = 'machine.openshift.io/instance-state';
/**
 * Any non-empty value puts the Machine first in line when its MachineSet scales down. The cluster-autoscaler
 * sets it before decrementing replicas.
 */
export const DELETE_MACHINE_ANNOTATION = 'machine.openshift.io/delete-machine';
/**
 * The older spelling of DELETE_MACHINE_ANNOTATION. MAO still honours it, but only in the Oldest delete policy
 * (delete_policy.go `oldestDeletePriority`); the cluster.k8s.io/delete-machine form is not read at all.
 */
export const LEGACY_DELETE_MACHINE_ANNOTATION = 'machine.openshift.io/cluster-api-delete-machine';
/** Present with any value: the Node is not drained before the instance is deleted. */
export const EXCLUDE_NODE_DRAINING_ANNOTATION = 'machine.openshift.io/exclude-node-draining';
/** Written on the Node by nodelink: `<namespace>/<name>` of its Machine. */
export const NODE_MACHINE_ANNOTATION = 'machine.openshift.io/machine';

/** MachineSet bounds for the cluster-autoscaler (clusterapi provider with CAPI_GROUP=machine.openshift.io). */
export const AUTOSCALER_MIN_SIZE_ANNOTATION = 'machine.openshift.io/cluster-api-autoscaler-node-group-min-size';
export const AUTOSCALER_MAX_SIZE_ANNOTATION = 'machine.openshift.io/cluster-api-autoscaler-node-group-max-size';
/** Scale-from-zero capacity of one Machine of the set, written on the MachineSet by each provider. */
export const VCPU_ANNOTATION = 'machine.openshift.io/vCPU';
/** Memory in MiB, as a decimal string. */
export const MEMORY_MB_ANNOTATION = 'machine.openshift.io/memoryMb';
export const GPU_ANNOTATION = 'machine.openshift.io/GPU';
/** Node labels of a scaled-from-zero Machine, `k=v,k=v` (e.g. kubernetes.io/arch=amd64). */
export const CAPACITY_LABELS_ANNOTATION = 'capacity.cluster-autoscaler.kubernetes.io/labels';

/** On a MachineHealthCheck: stop reconciling it. */
export const MHC_PAUSED_ANNOTATION = 'cluster.x-k8s.io/paused';
/** On a MachineHealthCheck, value `external-baremetal`: annotate instead of delete (see below). */
export const REMEDIATION_STRATEGY_ANNOTATION = 'machine.openshift.io/remediation-strategy';
export const EXTERNAL_BAREMETAL_REMEDIATION_STRATEGY = 'external-baremetal';
/** On a Machine: external (bare-metal) remediation requested; such Machines do not count as healthy. */
export const EXTERNAL_REMEDIATION_ANNOTATION = 'host.metal3.io/external-remediation';

// ---- shared pieces ---------------------------------------------------------------------------------------------

/** Object metadata as the API server returns it (timestamps are RFC 3339 strings). */
export interface ObjectMetadata {
  readonly name?: string;
  readonly generateName?: string;
  readonly namespace?: string;
  readonly uid?: string;
  readonly resourceVersion?: string;
  readonly generation?: number;
  readonly creationTimestamp?: string;
  readonly deletionTimestamp?: string;
  readonly deletionGracePeriodSeconds?: number;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly ownerReferences?: readonly OwnerReference[];
  readonly finalizers?: readonly string[];
}

/**
 * The settable subset of ObjectMeta used in Machine spec.metadata (copied onto the Node) and in MachineSet
 * spec.template.metadata (copied onto the Machine).
 */
export interface MachineObjectMeta {
  readonly name?: string;
  readonly generateName?: string;
  readonly namespace?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly ownerReferences?: readonly OwnerReference[];
}

/** corev1.ObjectReference (nodeRef, remediationTemplate). */
export interface ObjectReference {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly namespace?: string;
  readonly name?: string;
  readonly uid?: string;
  readonly resourceVersion?: string;
  readonly fieldPath?: string;
}

/** metav1.LabelSelector. */
export interface LabelSelector {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: readonly LabelSelectorRequirement[];
}

export interface LabelSelectorRequirement {
  readonly key: string;
  readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  readonly values?: readonly string[];
}

export type ConditionSeverity = 'Error' | 'Warning' | 'Info' | '';

/**
 * A Machine API condition (types_provider.go `Condition`). Unlike metav1.Condition it has a severity and no
 * observedGeneration: the CRDs prune observedGeneration, so do not pass a generation to runtime setCondition.
 */
export interface MachineApiCondition {
  readonly type: string;
  readonly status: ConditionStatus;
  /** Only when status is False. */
  readonly severity?: ConditionSeverity;
  /** Required by the Machine and MachineSet schemas. */
  readonly lastTransitionTime: string;
  readonly reason?: string;
  readonly message?: string;
}

/** Condition types OpenShift's controllers set (types_provider.go). */
export const CONDITION_TYPES = [
  'InstanceExists', 'MachineCreated',
  'MachineCreation', // historical spelling of MachineCreated, still found on old objects
  'Drained', 'Drainable', 'Terminable', 'IPAddressClaimed',
  // on MachineHealthChecks:
  'RemediationAllowed', 'ExternalRemediationTemplateAvailable', 'ExternalRemediationRequestAvailable',
  'Paused', // only under the MachineAPIMigration feature gate
] as const;
export type ConditionType = (typeof CONDITION_TYPES)[number];

/** Condition reasons OpenShift's controllers set (types_provider.go), with the condition each goes with. */
export const CONDITION_REASONS = [
  'MachineCreationSucceeded', 'MachineCreationFailed', // MachineCreated
  'ErrorCheckingProvider', 'InstanceMissing', 'InstanceNotCreated', // InstanceExists
  'HookPresent', // Drainable, Terminable
  'DrainError', // Drained
  'WaitingForIPAddress', // IPAddressClaimed
  'TooManyUnhealthy', // RemediationAllowed
  'ExternalRemediationTemplateNotFound', 'ExternalRemediationRequestCreationFailed',
] as const;
export type ConditionReason = (typeof CONDITION_REASONS)[number];

// ---- Machine ---------------------------------------------------------------------------------------------------

/** The lifecycle phases in the order a healthy Machine goes through them; Failed is terminal. */
export const MACHINE_PHASES = ['Provisioning', 'Provisioned', 'Running', 'Deleting', 'Failed'] as const;
export type MachinePhase = (typeof MACHINE_PHASES)[number];

/**
 * status.errorReason values (types_machine.go `MachineStatusError`). Only InvalidConfiguration is terminal
 * for the machine controller.
 */
export const MACHINE_STATUS_ERRORS = [
  'InvalidConfiguration', 'UnsupportedChange', 'InsufficientResources', 'CreateError', 'UpdateError',
  'DeleteError', 'JoinClusterTimeoutError', 'IPAddressInvalid',
] as const;
export type MachineStatusError = (typeof MACHINE_STATUS_ERRORS)[number];

export interface LifecycleHook {
  /** 3–256 characters, CamelCase or prefixed with a DNS subdomain (example.com/CamelCase); unique per list. */
  readonly name: string;
  /** 3–512 characters: who removes the hook. */
  readonly owner: string;
}

export interface LifecycleHooks {
  readonly preDrain?: readonly LifecycleHook[];
  readonly preTerminate?: readonly LifecycleHook[];
}

export type TaintEffect = 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';

export interface Taint {
  readonly key: string;
  readonly value?: string;
  readonly effect: TaintEffect;
  readonly timeAdded?: string;
}

/**
 * providerSpec.value: a provider config object kept as written (AWSMachineProviderConfig,
 * GCPMachineProviderSpec, AzureMachineProviderSpec…). Each provider parses and validates its own kind.
 */
export interface ProviderConfig {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly [field: string]: unknown;
}

export interface ProviderSpec {
  readonly value?: ProviderConfig;
}

export interface MachineSpec {
  readonly metadata?: MachineObjectMeta;
  readonly lifecycleHooks?: LifecycleHooks;
  readonly taints?: readonly Taint[];
  readonly providerSpec?: ProviderSpec;
  /** Set by the provider once the instance exists; never changed afterwards. */
  readonly providerID?: string;
}

export type NodeAddressType = 'Hostname' | 'InternalIP' | 'ExternalIP' | 'InternalDNS' | 'ExternalDNS';

export interface NodeAddress {
  readonly type: NodeAddressType;
  readonly address: string;
}

export interface LastOperation {
  readonly description?: string;
  readonly lastUpdated?: string;
  /** E.g. Processing, Failed, Successful. */
  readonly state?: string;
  /** E.g. Create, Update, Delete. */
  readonly type?: string;
}

export interface MachineStatus {
  /** Set by nodelink; never changed afterwards. */
  readonly nodeRef?: ObjectReference;
  /** Moves on every status change; the MachineHealthCheck measures nodeStartupTimeout from it. */
  readonly lastUpdated?: string;
  readonly errorReason?: MachineStatusError;
  readonly errorMessage?: string;
  /** Provider-specific status object (e.g. instanceId, instanceState), kept as written. */
  readonly providerStatus?: ProviderConfig;
  readonly addresses?: readonly NodeAddress[];
  readonly lastOperation?: LastOperation;
  readonly phase?: MachinePhase;
  readonly conditions?: readonly MachineApiCondition[];
}

export interface Machine extends KubeObject {
  readonly apiVersion?: typeof MACHINE_API_GROUP_VERSION;
  readonly kind?: 'Machine';
  readonly metadata: ObjectMetadata;
  readonly spec?: MachineSpec;
  readonly status?: MachineStatus;
}

// ---- MachineSet ------------------------------------------------------------------------------------------------

/** spec.deletePolicy; empty means Random, which is not random but a priority order over machines sorted by name. */
export const DELETE_POLICIES = ['Random', 'Newest', 'Oldest'] as const;
export type DeletePolicy = (typeof DELETE_POLICIES)[number];

/** spec.replicas when omitted (CRD default). */
export const DEFAULT_MACHINE_SET_REPLICAS = 1;

export interface MachineTemplateSpec {
  readonly metadata?: MachineObjectMeta;
  readonly spec?: MachineSpec;
}

export interface MachineSetSpec {
  /** Defaulted by the API server to DEFAULT_MACHINE_SET_REPLICAS, so present on every stored MachineSet. */
  readonly replicas?: number;
  readonly minReadySeconds?: number;
  readonly deletePolicy?: DeletePolicy;
  /** Immutable; must match template.metadata.labels. */
  readonly selector?: LabelSelector;
  readonly template?: MachineTemplateSpec;
}

export interface MachineSetStatus {
  readonly replicas?: number;
  readonly fullyLabeledReplicas?: number;
  readonly readyReplicas?: number;
  readonly availableReplicas?: number;
  readonly observedGeneration?: number;
  /** spec.selector as a string (1–4096 characters); the scale subresource reports it as status.selector. */
  readonly labelSelector?: string;
  /** Only InvalidConfiguration is defined; OpenShift's controller never sets these two. */
  readonly errorReason?: 'InvalidConfiguration';
  readonly errorMessage?: string;
  readonly conditions?: readonly MachineApiCondition[];
}

export interface MachineSet extends KubeObject {
  readonly apiVersion?: typeof MACHINE_API_GROUP_VERSION;
  readonly kind?: 'MachineSet';
  readonly metadata: ObjectMetadata;
  readonly spec?: MachineSetSpec;
  readonly status?: MachineSetStatus;
}

// ---- MachineHealthCheck ----------------------------------------------------------------------------------------

/** spec.maxUnhealthy when omitted (CRD default): never short-circuit. */
export const DEFAULT_MAX_UNHEALTHY = '100%';
/** spec.nodeStartupTimeout when omitted (CRD default); "0" disables the startup check. */
export const DEFAULT_NODE_STARTUP_TIMEOUT = '10m';

/** OpenShift's schema requires none of the three; a missing timeout means 0s. */
export interface UnhealthyCondition {
  /** A Node condition type, e.g. Ready. */
  readonly type?: string;
  readonly status?: ConditionStatus;
  /** A Go duration, e.g. "300s" or "0s". */
  readonly timeout?: string;
}

export interface MachineHealthCheckSpec {
  /** An empty (or absent) selector matches every Machine in the namespace. */
  readonly selector?: LabelSelector;
  /** At least one when present; any one of them makes a Node unhealthy. */
  readonly unhealthyConditions?: readonly UnhealthyCondition[];
  /** An integer or a percentage string ("40%", rounded down). Defaulted to DEFAULT_MAX_UNHEALTHY. */
  readonly maxUnhealthy?: number | string;
  /** A Go duration, or "0" to disable. Defaulted to DEFAULT_NODE_STARTUP_TIMEOUT. */
  readonly nodeStartupTimeout?: string;
  readonly remediationTemplate?: ObjectReference;
}

export interface MachineHealthCheckStatus {
  readonly expectedMachines?: number;
  readonly currentHealthy?: number;
  readonly remediationsAllowed?: number;
  readonly conditions?: readonly MachineApiCondition[];
}

export interface MachineHealthCheck extends KubeObject {
  readonly apiVersion?: typeof MACHINE_API_GROUP_VERSION;
  readonly kind?: 'MachineHealthCheck';
  readonly metadata: ObjectMetadata;
  readonly spec?: MachineHealthCheckSpec;
  readonly status?: MachineHealthCheckStatus;
}
