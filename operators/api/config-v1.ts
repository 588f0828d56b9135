// Typed models of OpenShift's config.openshift.io/v1 ClusterVersion and ClusterOperator, as the CRDs in crds/
// serve them (openshift/api config/v1 types_cluster_version.go and types_cluster_operator.go, Default feature
// set), plus the vocabulary the cluster-version operator and payload tooling share: condition types, history
// states, manifest annotations and the well-known names of the signature-verification ConfigMaps.
// Types only: the CRD schemas validate; shared/reference/cluster-version.md §1–§2 gives the semantics.
import type { ConditionStatus } from '../runtime/conditions.ts';
import type { KubeObject } from '../runtime/watcher.ts';
import type { ApiResource } from './machine-v1beta1.ts';

// ---- group, version, resources --------------------------------------------------------------------------------

export const CONFIG_GROUP = 'config.openshift.io';
export const CONFIG_VERSION = 'v1';
export const CONFIG_GROUP_VERSION = `${CONFIG_GROUP}/${CONFIG_VERSION}` as const;

export const CLUSTER_VERSION_RESOURCE = {
  group: CONFIG_GROUP, version: CONFIG_VERSION, apiVersion: CONFIG_GROUP_VERSION,
  kind: 'ClusterVersion', listKind: 'ClusterVersionList', plural: 'clusterversions', singular: 'clusterversion',
  namespaced: false,
} as const satisfies ApiResource;

export const CLUSTER_OPERATOR_RESOURCE = {
  group: CONFIG_GROUP, version: CONFIG_VERSION, apiVersion: CONFIG_GROUP_VERSION,
  kind: 'ClusterOperator', listKind: 'ClusterOperatorList', plural: 'clusteroperators', singular: 'clusteroperator',
  namespaced: false,
} as const satisfies ApiResource;

/** The singleton ClusterVersion the CVO reconciles (pkg/internal/constants.go DefaultClusterVersionName). */
export const CLUSTER_VERSION_NAME = 'version';
/** Namespace the CVO itself runs in. */
export const CLUSTER_VERSION_NAMESPACE = 'openshift-cluster-version';

// ---- conditions -------------------------------------------------------------------------------------------------

/** Condition types written on ClusterVersion (§1.6: the CVO writes Failing where the API godoc says Degraded). */
export const CLUSTER_VERSION_CONDITION_TYPES = [
  'Available', 'Progressing', 'Failing', 'RetrievedUpdates', 'Upgradeable', 'ReleaseAccepted',
  'ImplicitlyEnabledCapabilities', 'Invalid',
] as const;
export type ClusterVersionConditionType = (typeof CLUSTER_VERSION_CONDITION_TYPES)[number];

/** Condition types an operator reports on its ClusterOperator (types_cluster_operator.go). */
export const CLUSTER_OPERATOR_CONDITION_TYPES = ['Available', 'Progressing', 'Degraded', 'Upgradeable'] as const;
export type ClusterOperatorConditionType = (typeof CLUSTER_OPERATOR_CONDITION_TYPES)[number];

/** Every condition type of this group, for code that handles both kinds. */
export const ConditionTypes = {
  Available: 'Available',
  Progressing: 'Progressing',
  Degraded: 'Degraded',
  Failing: 'Failing',
  RetrievedUpdates: 'RetrievedUpdates',
  Upgradeable: 'Upgradeable',
  ReleaseAccepted: 'ReleaseAccepted',
  ImplicitlyEnabledCapabilities: 'ImplicitlyEnabledCapabilities',
  Invalid: 'Invalid',
} as const;

/** ReleaseAccepted reasons (§1.6): True is PayloadLoaded; False names the acceptance step that failed. */
export const ReleaseAcceptedReasons = {
  PayloadLoaded: 'PayloadLoaded',
  RetrievePayload: 'RetrievePayload',
  LoadPayload: 'LoadPayload',
  VerifyPayloadVersion: 'VerifyPayloadVersion',
  PreconditionChecks: 'PreconditionChecks',
} as const;

/**
 * ClusterOperatorStatusCondition: the condition type both kinds use. Unlike metav1.Condition it has no
 * observedGeneration, and reason and message are optional.
 */
export interface ClusterOperatorStatusCondition {
  readonly type: string;
  readonly status: ConditionStatus;
  readonly lastTransitionTime: string;
  readonly reason?: string;
  readonly message?: string;
}

// ---- ClusterVersion ---------------------------------------------------------------------------------------------

export const HISTORY_STATES = ['Completed', 'Partial'] as const;
export type UpdateState = (typeof HISTORY_STATES)[number];
export const HistoryStates = { Completed: 'Completed', Partial: 'Partial' } as const satisfies Record<UpdateState, UpdateState>;

/** Most entries status.history keeps (§1.4, status_history.go). */
export const MAX_HISTORY_ENTRIES = 100;

/** The default update service (pkg/cvo/availableupdates.go). */
export const DEFAULT_UPSTREAM = 'https://api.openshift.com/api/upgrades_info/v1/graph';

export const CAPABILITY_SETS = ['None', 'v4.11', 'v4.12', 'v4.13', 'v4.14', 'v4.15', 'v4.16', 'v4.17', 'v4.18', 'vCurrent'] as const;
export type ClusterVersionCapabilitySet = (typeof CAPABILITY_SETS)[number];

export const CAPABILITIES = [
  'openshift-samples', 'baremetal', 'marketplace', 'Console', 'Insights', 'Storage', 'CSISnapshot', 'NodeTuning',
  'MachineAPI', 'Build', 'DeploymentConfig', 'ImageRegistry', 'OperatorLifecycleManager', 'CloudCredential', 'Ingress',
  'CloudControllerManager', 'OperatorLifecycleManagerV1', 'OptionalMonitoring',
] as const;
export type ClusterVersionCapability = (typeof CAPABILITIES)[number];

/** spec.desiredUpdate; the resolution rules for image/version/architecture are in §1.3. */
export interface Update {
  readonly architecture?: '' | 'Multi';
  readonly version?: string;
  readonly image?: string;
  readonly force?: boolean;
}

export interface ComponentOverride {
  readonly kind: string;
  readonly group: string;
  readonly namespace: string;
  readonly name: string;
  readonly unmanaged: boolean;
}

export interface ClusterVersionSpec {
  readonly clusterID: string;
  readonly desiredUpdate?: Update;
  readonly upstream?: string;
  readonly channel?: string;
  readonly capabilities?: {
    readonly baselineCapabilitySet?: ClusterVersionCapabilitySet;
    readonly additionalEnabledCapabilities?: readonly ClusterVersionCapability[];
  };
  readonly overrides?: readonly ComponentOverride[];
}

/** A release image and its metadata (status.desired, availableUpdates[], conditionalUpdates[].release). */
export interface Release {
  readonly version: string;
  readonly image: string;
  readonly url?: string;
  readonly channels?: readonly string[];
}

export interface UpdateHistory {
  readonly state: UpdateState;
  readonly startedTime: string;
  /** null while this entry is the update being applied. */
  readonly completionTime: string | null;
  readonly version?: string;
  readonly image: string;
  readonly verified: boolean;
  /** What `force` (or a missing recommendation) let through, e.g. a failed signature check. */
  readonly acceptedRisks?: string;
}

export interface ClusterCondition {
  readonly type: 'Always' | 'PromQL';
  readonly promql?: { readonly promql: string };
}

export interface ConditionalUpdateRisk {
  readonly name: string;
  readonly message: string;
  readonly url: string;
  readonly matchingRules: readonly ClusterCondition[];
}

/** A metav1.Condition (conditionalUpdates[].conditions uses the upstream Kubernetes type). */
export interface MetaCondition {
  readonly type: string;
  readonly status: ConditionStatus;
  readonly lastTransitionTime: string;
  readonly reason: string;
  readonly message: string;
  readonly observedGeneration?: number;
}

export interface ConditionalUpdate {
  readonly release: Release;
  readonly risks: readonly ConditionalUpdateRisk[];
  readonly conditions?: readonly MetaCondition[];
}

export interface ClusterVersionStatus {
  readonly desired: Release;
  readonly history?: readonly UpdateHistory[];
  readonly observedGeneration: number;
  readonly versionHash: string;
  readonly capabilities?: {
    readonly enabledCapabilities?: readonly ClusterVersionCapability[];
    readonly knownCapabilities?: readonly ClusterVersionCapability[];
  };
  readonly conditions?: readonly ClusterOperatorStatusCondition[];
  readonly availableUpdates: readonly Release[] | null;
  readonly conditionalUpdates?: readonly ConditionalUpdate[];
}

export interface ClusterVersion extends KubeObject {
  readonly spec?: ClusterVersionSpec;
  readonly status?: ClusterVersionStatus;
}

// ---- ClusterOperator --------------------------------------------------------------------------------------------

/** The versions[] entry every Available operator reports for itself. */
export const OPERATOR_VERSION_NAME = 'operator';

export interface OperandVersion {
  readonly name: string;
  readonly version: string;
}

export interface ObjectReference {
  readonly group: string;
  readonly resource: string;
  readonly namespace?: string;
  readonly name: string;
}

export interface ClusterOperatorStatus {
  readonly conditions?: readonly ClusterOperatorStatusCondition[];
  readonly versions?: readonly OperandVersion[] | null;
  readonly relatedObjects?: readonly ObjectReference[] | null;
  readonly extension?: Record<string, unknown> | null;
}

export interface ClusterOperator extends KubeObject {
  readonly spec?: Record<string, never>;
  readonly status?: ClusterOperatorStatus;
}

/**
 * The MESSAGE column of `oc get clusteroperators`. It is not a CRD printer column: OpenShift's kube-apiserver adds
 * it in a carry patch to the CRD table convertor (openshift/kubernetes apiextensions-apiserver
 * tableconvertor/patch_clusteroperators.go). The most critical of Available=False, Degraded=True, Progressing=True
 * (in that order) gives its message, or its reason when the message is empty; otherwise the cell is empty.
 */
export function clusterOperatorMessage(status: ClusterOperatorStatus | undefined): string | undefined {
  const conditions = status?.conditions ?? [];
  // Like the patch, the last matching entry of each kind wins (conditions are a list map, so there is one).
  const last = (type: string, value: ConditionStatus) => conditions.findLast((c) => c.type === type && c.status === value);
  const critical = last('Available', 'False') ?? last('Degraded', 'True') ?? last('Progressing', 'True');
  return critical?.message || critical?.reason || undefined;
}

// ---- release payload annotations (§2.5) ------------------------------------------------------------------------

/** `include.release.openshift.io/<profile>: "true"` is required for a manifest to be applied at all. */
export const INCLUDE_ANNOTATION_PREFIX = 'include.release.openshift.io/';
/** `exclude.release.openshift.io/<id>: "true"` drops a manifest when the CVO runs with EXCLUDE_MANIFESTS=<id>. */
export const EXCLUDE_ANNOTATION_PREFIX = 'exclude.release.openshift.io/';
export const FEATURE_SET_ANNOTATION = 'release.openshift.io/feature-set';
export const FEATURE_GATE_ANNOTATION = 'release.openshift.io/feature-gate';
export const CAPABILITY_ANNOTATION = 'capability.openshift.io/name';
/** Created when absent, never updated. */
export const CREATE_ONLY_ANNOTATION = 'release.openshift.io/create-only';
/** The object is deleted instead of applied (during updates only). */
export const DELETE_ANNOTATION = 'release.openshift.io/delete';
export const INJECT_PROXY_ANNOTATION = 'config.openshift.io/inject-proxy';
/** Marks the ConfigMap whose data holds `verifier-public-key-*` and `store-*` (§2.7). */
export const VERIFICATION_CONFIG_MAP_ANNOTATION = 'release.openshift.io/verification-config-map';

export const CLUSTER_PROFILES = ['self-managed-high-availability', 'single-node-developer', 'ibm-cloud-managed', 'hypershift'] as const;
/** The profile used when CLUSTER_PROFILE is unset. */
export const DEFAULT_CLUSTER_PROFILE = 'self-managed-high-availability';

// ---- signature verification (§2.7) ------------------------------------------------------------------------------

/** Where the trusted keys and the default signature stores live (cluster-update-keys). */
export const RELEASE_VERIFICATION_CONFIG_MAP = { namespace: 'openshift-config-managed', name: 'release-verification' } as const;
/** Data key prefix of an armored or binary OpenPGP keyring; every keyring must have signed. */
export const VERIFIER_PUBLIC_KEY_PREFIX = 'verifier-public-key-';
/** Data key prefix of a signature store base URL. */
export const SIGNATURE_STORE_PREFIX = 'store-';
/** Namespace and label of the ConfigMaps holding signatures as binaryData `sha256-<hex>-<N>`. */
export const SIGNATURE_CONFIG_MAP_NAMESPACE = 'openshift-config-managed';
export const SIGNATURE_CONFIG_MAP_LABEL = 'release.openshift.io/verification-signatures';
