// The protobuf messages the decoder understands, as a table: field number → JSON name, type and Go JSON traits.
//
// Field numbers come from the generated.proto files of k8s.io/api and k8s.io/apimachinery at v0.32 (their
// FileDescriptorProtos are embedded in the kubectl 1.32 binary, which is where they were read from). The
// `omitempty` and `pointer` traits come from the Go struct tags and field types, because the JSON we produce must
// be what Go's encoding/json prints for the decoded struct: a non-omitempty field is printed even when zero, a
// struct is never omitted, a nil slice/map without omitempty prints `null`.
//
// Only the messages that kubectl 1.32's typed clients send are listed (apiserver.md §0 finding 3, §12). Fields
// not listed are skipped on decode, so they are dropped: PodSpec and Container list the commonly used fields only.

/** Plain protobuf scalar types. int32/int64 are varints; bool is a varint 0/1; bytes print as base64. */
export type ScalarType = 'string' | 'bytes' | 'int32' | 'int64' | 'bool';
/**
 * apimachinery types whose JSON is not the JSON of their message: metav1.Time (RFC 3339 string or null),
 * intstr.IntOrString (number or string), resource.Quantity (string), authentication ExtraValue (string array).
 */
export type CustomType = 'Time' | 'IntOrString' | 'Quantity' | 'StringList';
/** A scalar, a custom type, or the name of a message in `messages` (a string: the table refers to itself). */
export type FieldType = ScalarType | CustomType | (string & {});

export interface FieldSpec {
  no: number;
  /** JSON name; for `inline` fields (Go embedded structs) the name of the embedded message field, unused in JSON. */
  json: string;
  type: FieldType;
  /** Repeated field: JSON array. */
  repeated: boolean;
  /** proto2 map<string, type>: repeated entries {1: key, 2: value}; JSON object. */
  map: boolean;
  /** Go `json:",omitempty"`: dropped when Go's isEmptyValue says so (never for a non-pointer struct). */
  omitempty: boolean;
  /** Go pointer field: nil when absent from the wire (printed `null`), set when present even if zero. */
  pointer: boolean;
  /** Go embedded struct (e.g. LocalObjectReference inside ConfigMapKeySelector): its fields print in the parent. */
  inline: boolean;
}

export type MessageSpec = readonly FieldSpec[];

type Flag = 'repeated' | 'map' | 'omitempty' | 'pointer' | 'inline';
type FieldRow = readonly [no: number, json: string, type: FieldType, flags?: `${Flag}` | `${Flag} ${string}`];

function message(...rows: FieldRow[]): MessageSpec {
  return rows.map(([no, json, type, flags = '']) => {
    const set = new Set(flags.split(' ').filter(Boolean));
    return { no, json, type, repeated: set.has('repeated'), map: set.has('map'), omitempty: set.has('omitempty'), pointer: set.has('pointer'), inline: set.has('inline') };
  });
}

// Rows are in Go struct order, which is the JSON key order.
const messageTable = {
  // k8s.io/apimachinery/pkg/apis/meta/v1
  ObjectMeta: message(
    [1, 'name', 'string', 'omitempty'],
    [2, 'generateName', 'string', 'omitempty'],
    [3, 'namespace', 'string', 'omitempty'],
    [4, 'selfLink', 'string', 'omitempty'],
    [5, 'uid', 'string', 'omitempty'],
    [6, 'resourceVersion', 'string', 'omitempty'],
    [7, 'generation', 'int64', 'omitempty'],
    [8, 'creationTimestamp', 'Time', 'omitempty'],
    [9, 'deletionTimestamp', 'Time', 'pointer omitempty'],
    [10, 'deletionGracePeriodSeconds', 'int64', 'pointer omitempty'],
    [11, 'labels', 'string', 'map omitempty'],
    [12, 'annotations', 'string', 'map omitempty'],
    [13, 'ownerReferences', 'OwnerReference', 'repeated omitempty'],
    [14, 'finalizers', 'string', 'repeated omitempty'],
    // 17 managedFields is not decoded: clients never send it on create, and the server owns it.
  ),
  OwnerReference: message(
    [5, 'apiVersion', 'string'],
    [1, 'kind', 'string'],
    [3, 'name', 'string'],
    [4, 'uid', 'string'],
    [6, 'controller', 'bool', 'pointer omitempty'],
    [7, 'blockOwnerDeletion', 'bool', 'pointer omitempty'],
  ),
  LabelSelector: message(
    [1, 'matchLabels', 'string', 'map omitempty'],
    [2, 'matchExpressions', 'LabelSelectorRequirement', 'repeated omitempty'],
  ),
  LabelSelectorRequirement: message(
    [1, 'key', 'string'],
    [2, 'operator', 'string'],
    [3, 'values', 'string', 'repeated omitempty'],
  ),
  FieldSelectorRequirement: message(
    [1, 'key', 'string'],
    [2, 'operator', 'string'],
    [3, 'values', 'string', 'repeated omitempty'],
  ),
  Condition: message(
    [1, 'type', 'string'],
    [2, 'status', 'string'],
    [3, 'observedGeneration', 'int64', 'omitempty'],
    [4, 'lastTransitionTime', 'Time'],
    [5, 'reason', 'string'],
    [6, 'message', 'string'],
  ),
  DeleteOptions: message(
    [1, 'gracePeriodSeconds', 'int64', 'pointer omitempty'],
    [2, 'preconditions', 'Preconditions', 'pointer omitempty'],
    [3, 'orphanDependents', 'bool', 'pointer omitempty'],
    [4, 'propagationPolicy', 'string', 'pointer omitempty'],
    [5, 'dryRun', 'string', 'repeated omitempty'],
    [6, 'ignoreStoreReadErrorWithClusterBreakingPotential', 'bool', 'pointer omitempty'],
  ),
  Preconditions: message(
    [1, 'uid', 'string', 'pointer omitempty'],
    [2, 'resourceVersion', 'string', 'pointer omitempty'],
  ),

  // k8s.io/api/core/v1
  Namespace: message(
    [1, 'metadata', 'ObjectMeta', 'omitempty'],
    [2, 'spec', 'NamespaceSpec', 'omitempty'],
    [3, 'status', 'NamespaceStatus', 'omitempty'],
  ),
  NamespaceSpec: message([1, 'finalizers', 'string', 'repeated omitempty']),
  NamespaceStatus: message(
    [1, 'phase', 'string', 'omitempty'],
    [2, 'conditions', 'NamespaceCondition', 'repeated omitempty'],
  ),
  NamespaceCondition: message(
    [1, 'type', 'string'],
    [2, 'status', 'string'],
    [4, 'lastTransitionTime', 'Time', 'omitempty'],
    [5, 'reason', 'string', 'omitempty'],
    [6, 'message', 'string', 'omitempty'],
  ),
  ConfigMap: message(
    [1, 'metadata', 'ObjectMeta', 'omitempty'],
    [4, 'immutable', 'bool', 'pointer omitempty'],
    [2, 'data', 'string', 'map omitempty'],
    [3, 'binaryData', 'bytes', 'map omitempty'],
  ),
  Secret: message(
    [1, 'metadata', 'ObjectMeta', 'omitempty'],
    [5, 'immutable', 'bool', 'pointer omitempty'],
    [2, 'data', 'bytes', 'map omitempty'],
    [4, 'stringData', 'string', 'map omitempty'],
    [3, 'type', 'string', 'omitempty'],
  ),
  ServiceAccount: message(
    [1, 'metadata', 'ObjectMeta', 'omitempty'],
    [2, 'secrets', 'ObjectReference', 'repeated omitempty'],
    [3, 'imagePullSecrets', 'LocalObjectReference', 'repeated omitempty'],
    [4, 'automountServiceAccountToken', 'bool', 'pointer omitempty'],
  ),
  ObjectReference: message(
    [1, 'kind', 'string', 'omitempty'],
    [2, 'namespace', 'string', 'omitempty'],
    [3, 'name', 'string', 'omitempty'],
    [4, 'uid', 'string', 'omitempty'],
    [5, 'apiVersion', 'string', 'omitempty'],
    [6, 'resourceVersion', 'string', 'omitempty'],
    [7, 'fieldPath', 'string', 'omitempty'],
  ),
  LocalObjectReference: message([1, 'name', 'string', 'omitempty']),
  Service: message(
    [1, 'metadata', 'ObjectMeta', 'omitempty'],
    [2, 'spec', 'ServiceSpec', 'omitempty'],
    [3, 'status', 'ServiceStatus', 'omitempty'],
  ),
  ServiceSpec: message(
    [1, 'ports', 'ServicePort', 'repeated omitempty'],
    [2, 'selector', 'string', 'map omitempty'],
    [3, 'clusterIP', 'string', 'omitempty'],
    [18, 'clusterIPs', 'string', 'repeated omitempty'],
    [4, 'type', 'string', 'omitempty'],
    [5, 'externalIPs', 'string', 'repeated omitempty'],
    [7, 'sessionAffinity', 'string', 'omitempty'],
    [8, 'loadBalancerIP', 'string', 'omitempty'],
    [9, 'loadBalancerSourceRanges', 'string', 'repeated omitempty'],
    [10, 'externalName', 'string', 'omitempty'],
    [11, 'externalTrafficPolicy', 'string', 'omitempty'],
    [12, 'healthCheckNodePort', 'int32', 'omitempty'],
    [13, 'publishNotReadyAddresses', 'bool', 'omitempty'],
    [14, 'sessionAffinityConfig', 'SessionAffinityConfig', 'pointer omitempty'],
    [19, 'ipFamilies', 'string', 'repeated omitempty'],
    [17, 'ipFamilyPolicy', 'string', 'pointer omitempty'],
    [20, 'allocateLoadBalancerNodePorts', 'bool', 'pointer omitempty'],
    [21, 'loadBalancerClass', 'string', 'pointer omitempty'],
    [22, 'internalTrafficPolicy', 'string', 'pointer omitempty'],
    [23, 'trafficDistribution', 'string', 'pointer omitempty'],
  ),
  ServicePort: message(
    [1, 'name', 'string', 'omitempty'],
    [2, 'protocol', 'string', 'omitempty'],
    [6, 'appProtocol', 'string', 'pointer omitempty'],
    [3, 'port', 'int32'],
    [4, 'targetPort', 'IntOrString', 'omitempty'],
    [5, 'nodePort', 'int32', 'omitempty'],
  ),
  SessionAffinityConfig: message([1, 'clientIP', 'ClientIPConfig', 'pointer omitempty']),
  ClientIPConfig: message([1, 'timeoutSeconds', 'int32', 'pointer omitempty']),
  ServiceStatus: message(
    [1, 'loadBalancer', 'LoadBalancerStatus', 'omitempty'],
    [2, 'conditions', 'Condition', 'repeated omitempty'],
  ),
  LoadBalancerStatus: message([1, 'ingress', 'LoadBalancerIngress', 'repeated omitempty']),
  LoadBalancerIngress: message(
    [1, 'ip', 'string', 'omitempty'],
    [2, 'hostname', 'string', 'omitempty'],
    [3, 'ipMode', 'string', 'pointer omitempty'],
    [4, 'ports', 'PortStatus', 'repeated omitempty'],
  ),
  PortStatus: message(
    [1, 'port', 'int32'],
    [2, 'protocol', 'string'],
    [3, 'error', 'string', 'pointer omitempty'],
  ),
  PodTemplateSpec: message(
    [1, 'metadata', 'ObjectMeta', 'omitempty'],
    [2, 'spec', 'PodSpec', 'omitempty'],
  ),
  PodSpec: message(
    // 1 volumes, 14 securityContext, 18 affinity, 23 hostAliases, 26 dnsConfig, 28 readinessGates, 32 overhead,
    // 33 topologySpreadConstraints, 34 ephemeralContainers, 36 os, 38 schedulingGates, 39 resourceClaims: not decoded.
    [20, 'initContainers', 'Container', 'repeated omitempty'],
    [2, 'containers', 'Container', 'repeated'],
    [3, 'restartPolicy', 'string', 'omitempty'],
    [4, 'terminationGracePeriodSeconds', 'int64', 'pointer omitempty'],
    [5, 'activeDeadlineSeconds', 'int64', 'pointer omitempty'],
    [6, 'dnsPolicy', 'string', 'omitempty'],
    [7, 'nodeSelector', 'string', 'map omitempty'],
    [8, 'serviceAccountName', 'string', 'omitempty'],
    [9, 'serviceAccount', 'string', 'omitempty'],
    [21, 'automountServiceAccountToken', 'bool', 'pointer omitempty'],
    [10, 'nodeName', 'string', 'omitempty'],
    [11, 'hostNetwork', 'bool', 'omitempty'],
    [12, 'hostPID', 'bool', 'omitempty'],
    [13, 'hostIPC', 'bool', 'omitempty'],
    [27, 'shareProcessNamespace', 'bool', 'pointer omitempty'],
    [15, 'imagePullSecrets', 'LocalObjectReference', 'repeated omitempty'],
    [16, 'hostname', 'string', 'omitempty'],
    [17, 'subdomain', 'string', 'omitempty'],
    [19, 'schedulerName', 'string', 'omitempty'],
    [22, 'tolerations', 'Toleration', 'repeated omitempty'],
    [24, 'priorityClassName', 'string', 'omitempty'],
    [25, 'priority', 'int32', 'pointer omitempty'],
    [29, 'runtimeClassName', 'string', 'pointer omitempty'],
    [30, 'enableServiceLinks', 'bool', 'pointer omitempty'],
    [31, 'preemptionPolicy', 'string', 'pointer omitempty'],
    [35, 'setHostnameAsFQDN', 'bool', 'pointer omitempty'],
    [37, 'hostUsers', 'bool', 'pointer omitempty'],
    [40, 'resources', 'ResourceRequirements', 'pointer omitempty'],
  ),
  Container: message(
    // 10 livenessProbe, 11 readinessProbe, 12 lifecycle, 15 securityContext, 21 volumeDevices, 22 startupProbe,
    // 23 resizePolicy: not decoded.
    [1, 'name', 'string'],
    [2, 'image', 'string', 'omitempty'],
    [3, 'command', 'string', 'repeated omitempty'],
    [4, 'args', 'string', 'repeated omitempty'],
    [5, 'workingDir', 'string', 'omitempty'],
    [6, 'ports', 'ContainerPort', 'repeated omitempty'],
    [19, 'envFrom', 'EnvFromSource', 'repeated omitempty'],
    [7, 'env', 'EnvVar', 'repeated omitempty'],
    [8, 'resources', 'ResourceRequirements', 'omitempty'],
    [24, 'restartPolicy', 'string', 'pointer omitempty'],
    [9, 'volumeMounts', 'VolumeMount', 'repeated omitempty'],
    [13, 'terminationMessagePath', 'string', 'omitempty'],
    [20, 'terminationMessagePolicy', 'string', 'omitempty'],
    [14, 'imagePullPolicy', 'string', 'omitempty'],
    [16, 'stdin', 'bool', 'omitempty'],
    [17, 'stdinOnce', 'bool', 'omitempty'],
    [18, 'tty', 'bool', 'omitempty'],
  ),
  ContainerPort: message(
    [1, 'name', 'string', 'omitempty'],
    [2, 'hostPort', 'int32', 'omitempty'],
    [3, 'containerPort', 'int32'],
    [4, 'protocol', 'string', 'omitempty'],
    [5, 'hostIP', 'string', 'omitempty'],
  ),
  EnvVar: message(
    [1, 'name', 'string'],
    [2, 'value', 'string', 'omitempty'],
    [3, 'valueFrom', 'EnvVarSource', 'pointer omitempty'],
  ),
  EnvVarSource: message(
    [1, 'fieldRef', 'ObjectFieldSelector', 'pointer omitempty'],
    [2, 'resourceFieldRef', 'ResourceFieldSelector', 'pointer omitempty'],
    [3, 'configMapKeyRef', 'KeySelector', 'pointer omitempty'],
    [4, 'secretKeyRef', 'KeySelector', 'pointer omitempty'],
  ),
  ObjectFieldSelector: message(
    [1, 'apiVersion', 'string', 'omitempty'],
    [2, 'fieldPath', 'string'],
  ),
  ResourceFieldSelector: message(
    [1, 'containerName', 'string', 'omitempty'],
    [2, 'resource', 'string'],
    [3, 'divisor', 'Quantity', 'omitempty'],
  ),
  /** ConfigMapKeySelector and SecretKeySelector: the same fields. */
  KeySelector: message(
    [1, 'localObjectReference', 'LocalObjectReference', 'inline'],
    [2, 'key', 'string'],
    [3, 'optional', 'bool', 'pointer omitempty'],
  ),
  EnvFromSource: message(
    [1, 'prefix', 'string', 'omitempty'],
    [2, 'configMapRef', 'EnvSource', 'pointer omitempty'],
    [3, 'secretRef', 'EnvSource', 'pointer omitempty'],
  ),
  /** ConfigMapEnvSource and SecretEnvSource: the same fields. */
  EnvSource: message(
    [1, 'localObjectReference', 'LocalObjectReference', 'inline'],
    [2, 'optional', 'bool', 'pointer omitempty'],
  ),
  ResourceRequirements: message(
    [1, 'limits', 'Quantity', 'map omitempty'],
    [2, 'requests', 'Quantity', 'map omitempty'],
    [3, 'claims', 'ResourceClaim', 'repeated omitempty'],
  ),
  ResourceClaim: message(
    [1, 'name', 'string'],
    [2, 'request', 'string', 'omitempty'],
  ),
  VolumeMount: message(
    [1, 'name', 'string'],
    [2, 'readOnly', 'bool', 'omitempty'],
    [7, 'recursiveReadOnly', 'string', 'pointer omitempty'],
    [3, 'mountPath', 'string'],
    [4, 'subPath', 'string', 'omitempty'],
    [5, 'mountPropagation', 'string', 'pointer omitempty'],
    [6, 'subPathExpr', 'string', 'omitempty'],
  ),
  Toleration: message(
    [1, 'key', 'string', 'omitempty'],
    [2, 'operator', 'string', 'omitempty'],
    [3, 'value', 'string', 'omitempty'],
    [4, 'effect', 'string', 'omitempty'],
    [5, 'tolerationSeconds', 'int64', 'pointer omitempty'],
  ),

  // k8s.io/api/apps/v1
  Deployment: message(
    [1, 'metadata', 'ObjectMeta', 'omitempty'],
    [2, 'spec', 'DeploymentSpec', 'omitempty'],
    [3, 'status', 'DeploymentStatus', 'omitempty'],
  ),
  DeploymentSpec: message(
    [1, 'replicas', 'int32', 'pointer omitempty'],
    [2, 'selector', 'LabelSelector', 'pointer'],
    [3, 'template', 'PodTemplateSpec'],
    [4, 'strategy', 'DeploymentStrategy', 'omitempty'],
    [5, 'minReadySeconds', 'int32', 'omitempty'],
    [6, 'revisionHistoryLimit', 'int32', 'pointer omitempty'],
    [7, 'paused', 'bool', 'omitempty'],
    [9, 'progressDeadlineSeconds', 'int32', 'pointer omitempty'],
  ),
  DeploymentStrategy: message(
    [1, 'type', 'string', 'omitempty'],
    [2, 'rollingUpdate', 'RollingUpdateDeployment', 'pointer omitempty'],
  ),
  RollingUpdateDeployment: message(
    [1, 'maxUnavailable', 'IntOrString', 'pointer omitempty'],
    [2, 'maxSurge', 'IntOrString', 'pointer omitempty'],
  ),
  DeploymentStatus: message(
    [1, 'observedGeneration', 'int64', 'omitempty'],
    [2, 'replicas', 'int32', 'omitempty'],
    [3, 'updatedReplicas', 'int32', 'omitempty'],
    [7, 'readyReplicas', 'int32', 'omitempty'],
    [4, 'availableReplicas', 'int32', 'omitempty'],
    [5, 'unavailableReplicas', 'int32', 'omitempty'],
    [6, 'conditions', 'DeploymentCondition', 'repeated omitempty'],
    [8, 'collisionCount', 'int32', 'pointer omitempty'],
  ),
  DeploymentCondition: message(
    [1, 'type', 'string'],
    [2, 'status', 'string'],
    [6, 'lastUpdateTime', 'Time', 'omitempty'],
    [7, 'lastTransitionTime', 'Time', 'omitempty'],
    [4, 'reason', 'string', 'omitempty'],
    [5, 'message', 'string', 'omitempty'],
  ),

  // k8s.io/api/rbac/v1
  Role: message(
    [1, 'metadata', 'ObjectMeta', 'omitempty'],
    [2, 'rules', 'PolicyRule', 'repeated'],
  ),
  ClusterRole: message(
    [1, 'metadata', 'ObjectMeta', 'omitempty'],
    [2, 'rules', 'PolicyRule', 'repeated'],
    [3, 'aggregationRule', 'AggregationRule', 'pointer omitempty'],
  ),
  AggregationRule: message([1, 'clusterRoleSelectors', 'LabelSelector', 'repeated omitempty']),
  PolicyRule: message(
    [1, 'verbs', 'string', 'repeated'],
    [2, 'apiGroups', 'string', 'repeated omitempty'],
    [3, 'resources', 'string', 'repeated omitempty'],
    [4, 'resourceNames', 'string', 'repeated omitempty'],
    [5, 'nonResourceURLs', 'string', 'repeated omitempty'],
  ),
  /** RoleBinding and ClusterRoleBinding: the same fields. */
  RoleBinding: message(
    [1, 'metadata', 'ObjectMeta', 'omitempty'],
    [2, 'subjects', 'Subject', 'repeated omitempty'],
    [3, 'roleRef', 'RoleRef'],
  ),
  Subject: message(
    [1, 'kind', 'string'],
    [2, 'apiGroup', 'string', 'omitempty'],
    [3, 'name', 'string'],
    [4, 'namespace', 'string', 'omitempty'],
  ),
  RoleRef: message(
    [1, 'apiGroup', 'string'],
    [2, 'kind', 'string'],
    [3, 'name', 'string'],
  ),

  // k8s.io/api/policy/v1
  PodDisruptionBudget: message(
    [1, 'metadata', 'ObjectMeta', 'omitempty'],
    [2, 'spec', 'PodDisruptionBudgetSpec', 'omitempty'],
    [3, 'status', 'PodDisruptionBudgetStatus', 'omitempty'],
  ),
  PodDisruptionBudgetSpec: message(
    [1, 'minAvailable', 'IntOrString', 'pointer omitempty'],
    [2, 'selector', 'LabelSelector', 'pointer omitempty'],
    [3, 'maxUnavailable', 'IntOrString', 'pointer omitempty'],
    [4, 'unhealthyPodEvictionPolicy', 'string', 'pointer omitempty'],
  ),
  PodDisruptionBudgetStatus: message(
    [1, 'observedGeneration', 'int64', 'omitempty'],
    [2, 'disruptedPods', 'Time', 'map omitempty'],
    [3, 'disruptionsAllowed', 'int32'],
    [4, 'currentHealthy', 'int32'],
    [5, 'desiredHealthy', 'int32'],
    [6, 'expectedPods', 'int32'],
    [7, 'conditions', 'Condition', 'repeated omitempty'],
  ),
  Eviction: message(
    [1, 'metadata', 'ObjectMeta', 'omitempty'],
    [2, 'deleteOptions', 'DeleteOptions', 'pointer omitempty'],
  ),

  // k8s.io/api/authorization/v1
  SelfSubjectAccessReview: message(
    [1, 'metadata', 'ObjectMeta', 'omitempty'],
    [2, 'spec', 'SelfSubjectAccessReviewSpec'],
    [3, 'status', 'SubjectAccessReviewStatus', 'omitempty'],
  ),
  SelfSubjectAccessReviewSpec: message(
    [1, 'resourceAttributes', 'ResourceAttributes', 'pointer omitempty'],
    [2, 'nonResourceAttributes', 'NonResourceAttributes', 'pointer omitempty'],
  ),
  ResourceAttributes: message(
    [1, 'namespace', 'string', 'omitempty'],
    [2, 'verb', 'string', 'omitempty'],
    [3, 'group', 'string', 'omitempty'],
    [4, 'version', 'string', 'omitempty'],
    [5, 'resource', 'string', 'omitempty'],
    [6, 'subresource', 'string', 'omitempty'],
    [7, 'name', 'string', 'omitempty'],
    [8, 'fieldSelector', 'FieldSelectorAttributes', 'pointer omitempty'],
    [9, 'labelSelector', 'LabelSelectorAttributes', 'pointer omitempty'],
  ),
  FieldSelectorAttributes: message(
    [1, 'rawSelector', 'string', 'omitempty'],
    [2, 'requirements', 'FieldSelectorRequirement', 'repeated omitempty'],
  ),
  LabelSelectorAttributes: message(
    [1, 'rawSelector', 'string', 'omitempty'],
    [2, 'requirements', 'LabelSelectorRequirement', 'repeated omitempty'],
  ),
  NonResourceAttributes: message(
    [1, 'path', 'string', 'omitempty'],
    [2, 'verb', 'string', 'omitempty'],
  ),
  SubjectAccessReviewStatus: message(
    [1, 'allowed', 'bool'],
    [4, 'denied', 'bool', 'omitempty'],
    [2, 'reason', 'string', 'omitempty'],
    [3, 'evaluationError', 'string', 'omitempty'],
  ),

  // k8s.io/api/authentication/v1
  SelfSubjectReview: message(
    [1, 'metadata', 'ObjectMeta', 'omitempty'],
    [2, 'status', 'SelfSubjectReviewStatus', 'omitempty'],
  ),
  SelfSubjectReviewStatus: message([1, 'userInfo', 'UserInfo', 'omitempty']),
  UserInfo: message(
    [1, 'username', 'string', 'omitempty'],
    [2, 'uid', 'string', 'omitempty'],
    [3, 'groups', 'string', 'repeated omitempty'],
    [4, 'extra', 'StringList', 'map omitempty'],
  ),
};

export type MessageName = keyof typeof messageTable;
export const messages: Readonly<Record<string, MessageSpec | undefined>> = messageTable;

/**
 * Kinds a protobuf body may carry, by "apiVersion/kind" of its runtime.Unknown TypeMeta. DeleteOptions is listed
 * under its core version; decode.ts accepts it in any group version, as metav1.AddToGroupVersion registers it in each.
 */
export const kinds: Readonly<Record<string, MessageName>> = {
  'v1/Namespace': 'Namespace',
  'v1/ConfigMap': 'ConfigMap',
  'v1/Secret': 'Secret',
  'v1/ServiceAccount': 'ServiceAccount',
  'v1/Service': 'Service',
  'v1/DeleteOptions': 'DeleteOptions',
  'apps/v1/Deployment': 'Deployment',
  'rbac.authorization.k8s.io/v1/Role': 'Role',
  'rbac.authorization.k8s.io/v1/ClusterRole': 'ClusterRole',
  'rbac.authorization.k8s.io/v1/RoleBinding': 'RoleBinding',
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': 'RoleBinding',
  'policy/v1/PodDisruptionBudget': 'PodDisruptionBudget',
  'policy/v1/Eviction': 'Eviction',
  'authorization.k8s.io/v1/SelfSubjectAccessReview': 'SelfSubjectAccessReview',
  'authentication.k8s.io/v1/SelfSubjectReview': 'SelfSubjectReview',
};
