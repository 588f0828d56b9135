// The built-in kinds this suite needs (issue: Namespace, Node, Pod, PDB, Secret, ConfigMap, ServiceAccount,
// Event in both groups, Lease, apps/v1, RBAC, CRDs, and the review kinds kubectl uses), described once.
// Only what differs from a plain stored kind is spelled out per kind; the defaults follow kube-apiserver.
import { builtinSchema } from '../openapi/index.ts';
import { builtinPrinters, defaultPrinter } from '../table/index.ts';
import type { KubeObject } from '../types.ts';
import type { KindStrategy, ServedResource } from './registry.ts';
import { kindStrategies } from './kind-strategies.ts';

const STANDARD_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

interface BuiltinSpec {
  group: string;
  version: string;
  kind: string;
  plural: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  verbs?: string[];
  status?: boolean;
  scale?: boolean;
  extra?: ServedResource['subresources']['extra'];
  hasGeneration?: boolean;
  returnDeletedObject?: boolean;
  allowUnconditionalUpdate?: boolean;
  /** Shares storage with another version's resource (events.k8s.io/v1 Event is a view of core/v1 Event). */
  storageKey?: string;
  storageVersion?: string;
  fieldSelectors?: Record<string, (obj: KubeObject) => string | undefined>;
}

const get = (path: string) => (obj: KubeObject): string | undefined => {
  let value: unknown = obj;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  if (value === undefined || value === null) return undefined;
  return String(value);
};

/** Boolean and string fields whose selector value defaults to "" or "false" when unset, as upstream's ToSelectableFields. */
const orDefault = (path: string, fallback: string) => (obj: KubeObject): string => get(path)(obj) ?? fallback;

const EVENT_FIELDS = {
  'involvedObject.kind': orDefault('involvedObject.kind', ''),
  'involvedObject.namespace': orDefault('involvedObject.namespace', ''),
  'involvedObject.name': orDefault('involvedObject.name', ''),
  'involvedObject.uid': orDefault('involvedObject.uid', ''),
  'involvedObject.apiVersion': orDefault('involvedObject.apiVersion', ''),
  'involvedObject.resourceVersion': orDefault('involvedObject.resourceVersion', ''),
  'involvedObject.fieldPath': orDefault('involvedObject.fieldPath', ''),
  reason: orDefault('reason', ''),
  reportingComponent: orDefault('reportingComponent', ''),
  source: orDefault('source.component', ''),
  type: orDefault('type', ''),
};

const SPECS: BuiltinSpec[] = [
  { group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false, shortNames: ['ns'], status: true,
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    extra: [{ name: 'finalize', kind: 'Namespace', verbs: ['update'] }],
    fieldSelectors: { 'status.phase': orDefault('status.phase', '') } },
  { group: '', version: 'v1', kind: 'Node', plural: 'nodes', namespaced: false, shortNames: ['no'], status: true,
    fieldSelectors: { 'spec.unschedulable': orDefault('spec.unschedulable', 'false') } },
  { group: '', version: 'v1', kind: 'Pod', plural: 'pods', namespaced: true, shortNames: ['po'], categories: ['all'], status: true, returnDeletedObject: true,
    extra: [{ name: 'eviction', group: 'policy', version: 'v1', kind: 'Eviction', verbs: ['create'] }],
    fieldSelectors: {
      'spec.nodeName': orDefault('spec.nodeName', ''),
      'spec.restartPolicy': orDefault('spec.restartPolicy', ''),
      'spec.schedulerName': orDefault('spec.schedulerName', ''),
      'spec.serviceAccountName': orDefault('spec.serviceAccountName', ''),
      'spec.hostNetwork': orDefault('spec.hostNetwork', 'false'),
      'status.phase': orDefault('status.phase', ''),
      'status.podIP': orDefault('status.podIP', ''),
      'status.nominatedNodeName': orDefault('status.nominatedNodeName', ''),
    } },
  { group: '', version: 'v1', kind: 'Secret', plural: 'secrets', namespaced: true, fieldSelectors: { type: orDefault('type', '') } },
  { group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespaced: true, shortNames: ['cm'] },
  { group: '', version: 'v1', kind: 'ServiceAccount', plural: 'serviceaccounts', namespaced: true, shortNames: ['sa'], returnDeletedObject: true },
  { group: '', version: 'v1', kind: 'Service', plural: 'services', namespaced: true, shortNames: ['svc'], categories: ['all'], status: true },
  { group: '', version: 'v1', kind: 'Event', plural: 'events', namespaced: true, shortNames: ['ev'], fieldSelectors: EVENT_FIELDS },
  { group: 'events.k8s.io', version: 'v1', kind: 'Event', plural: 'events', namespaced: true, shortNames: ['ev'],
    storageKey: '/events', storageVersion: 'v1', fieldSelectors: EVENT_FIELDS },
  { group: 'coordination.k8s.io', version: 'v1', kind: 'Lease', plural: 'leases', namespaced: true },
  { group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments', namespaced: true, shortNames: ['deploy'], categories: ['all'], status: true, scale: true, hasGeneration: true },
  { group: 'apps', version: 'v1', kind: 'ReplicaSet', plural: 'replicasets', namespaced: true, shortNames: ['rs'], categories: ['all'], status: true, scale: true, hasGeneration: true },
  { group: 'apps', version: 'v1', kind: 'StatefulSet', plural: 'statefulsets', namespaced: true, shortNames: ['sts'], categories: ['all'], status: true, scale: true, hasGeneration: true },
  { group: 'apps', version: 'v1', kind: 'DaemonSet', plural: 'daemonsets', namespaced: true, shortNames: ['ds'], categories: ['all'], status: true, hasGeneration: true },
  { group: 'policy', version: 'v1', kind: 'PodDisruptionBudget', plural: 'poddisruptionbudgets', namespaced: true, shortNames: ['pdb'], status: true, hasGeneration: true },
  { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'Role', plural: 'roles', namespaced: true },
  { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'RoleBinding', plural: 'rolebindings', namespaced: true },
  { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRole', plural: 'clusterroles', namespaced: false },
  { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRoleBinding', plural: 'clusterrolebindings', namespaced: false },
  { group: 'apiextensions.k8s.io', version: 'v1', kind: 'CustomResourceDefinition', plural: 'customresourcedefinitions', namespaced: false,
    shortNames: ['crd', 'crds'], categories: ['api-extensions'], status: true, hasGeneration: true, allowUnconditionalUpdate: false },
  { group: 'authorization.k8s.io', version: 'v1', kind: 'SelfSubjectAccessReview', plural: 'selfsubjectaccessreviews', namespaced: false, verbs: ['create'] },
  { group: 'authorization.k8s.io', version: 'v1', kind: 'SelfSubjectRulesReview', plural: 'selfsubjectrulesreviews', namespaced: false, verbs: ['create'] },
  { group: 'authentication.k8s.io', version: 'v1', kind: 'SelfSubjectReview', plural: 'selfsubjectreviews', namespaced: false, verbs: ['create'] },
];

function singularOf(kind: string): string {
  return kind.toLowerCase();
}

export function builtinResources(): ServedResource[] {
  return SPECS.map((spec): ServedResource => {
    const printer = builtinPrinters[`${spec.group}/${spec.kind}`];
    const strategy: KindStrategy = kindStrategies[`${spec.group}/${spec.version}/${spec.kind}`] ?? {};
    return {
      group: spec.group,
      version: spec.version,
      kind: spec.kind,
      listKind: `${spec.kind}List`,
      plural: spec.plural,
      singular: singularOf(spec.kind),
      namespaced: spec.namespaced,
      shortNames: spec.shortNames ?? [],
      categories: spec.categories ?? [],
      verbs: spec.verbs ?? STANDARD_VERBS,
      storageKey: spec.storageKey ?? `${spec.group}/${spec.plural}`,
      storageVersion: spec.storageVersion ?? spec.version,
      subresources: {
        status: spec.status,
        scale: spec.scale ? { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.status.selector' } : undefined,
        extra: spec.extra,
      },
      isCustom: false,
      hasGeneration: spec.hasGeneration ?? false,
      allowUnconditionalUpdate: spec.allowUnconditionalUpdate ?? true,
      returnDeletedObject: spec.returnDeletedObject ?? false,
      schema: builtinSchema(spec.group, spec.version, spec.kind),
      fieldSelectors: spec.fieldSelectors ?? {},
      printer: printer ?? defaultPrinter,
      strategy,
    };
  });
}
