// Generates ../builtin-schemas.json: OpenAPI v3 component schemas for the built-in kinds the embedded server serves,
// named and shaped like kube-apiserver's /openapi/v3 documents (reference apiserver.md §3).
//
// Run: npx tsx devcluster/apiserver/openapi/generate/builtin-schemas.ts
//
// There is no network here, so the source is the model code that @kubernetes/client-node ships
// (dist/gen/models/*.js: attributeTypeMap with name/baseName/type/format; *.d.ts: JSDoc descriptions, and `?` on
// optional properties). Those models lost what the upstream spec carries beyond plain types: the Go package of each
// type (so the upstream definition name), Quantity (erased to string), the patch and list extensions, and the
// descriptions of properties that are references. The tables below put the first three back; the last is a known gap.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const MODELS_DIR = fileURLToPath(new URL('../../../../node_modules/@kubernetes/client-node/dist/gen/models/', import.meta.url));
const OUTPUT = fileURLToPath(new URL('../builtin-schemas.json', import.meta.url));

type Raw = Record<string, unknown>;

interface Attribute { name: string; baseName: string; type: string; format: string }
interface ModelDoc { description?: string; properties: Map<string, { description?: string; optional: boolean }> }

/** Upstream Go packages, as they appear in definition names. */
const PKG = {
  core: 'io.k8s.api.core.v1',
  apps: 'io.k8s.api.apps.v1',
  events: 'io.k8s.api.events.v1',
  coordination: 'io.k8s.api.coordination.v1',
  policy: 'io.k8s.api.policy.v1',
  rbac: 'io.k8s.api.rbac.v1',
  authorization: 'io.k8s.api.authorization.v1',
  authentication: 'io.k8s.api.authentication.v1',
  autoscaling: 'io.k8s.api.autoscaling.v1',
  apiextensions: 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1',
  meta: 'io.k8s.apimachinery.pkg.apis.meta.v1',
} as const;
type Pkg = keyof typeof PKG;

/** The served kinds: [package, group, kind, client-node model, client-node list model]. Version is v1 throughout. */
const KINDS: Array<[Pkg, string, string, string, string?]> = [
  ['core', '', 'Namespace', 'V1Namespace', 'V1NamespaceList'],
  ['core', '', 'Node', 'V1Node', 'V1NodeList'],
  ['core', '', 'Pod', 'V1Pod', 'V1PodList'],
  ['core', '', 'Secret', 'V1Secret', 'V1SecretList'],
  ['core', '', 'ConfigMap', 'V1ConfigMap', 'V1ConfigMapList'],
  ['core', '', 'ServiceAccount', 'V1ServiceAccount', 'V1ServiceAccountList'],
  ['core', '', 'Event', 'CoreV1Event', 'CoreV1EventList'],
  ['core', '', 'Service', 'V1Service', 'V1ServiceList'],
  ['core', '', 'Endpoints', 'V1Endpoints', 'V1EndpointsList'],
  ['events', 'events.k8s.io', 'Event', 'EventsV1Event', 'EventsV1EventList'],
  ['coordination', 'coordination.k8s.io', 'Lease', 'V1Lease', 'V1LeaseList'],
  ['apps', 'apps', 'Deployment', 'V1Deployment', 'V1DeploymentList'],
  ['apps', 'apps', 'ReplicaSet', 'V1ReplicaSet', 'V1ReplicaSetList'],
  ['apps', 'apps', 'StatefulSet', 'V1StatefulSet', 'V1StatefulSetList'],
  ['apps', 'apps', 'DaemonSet', 'V1DaemonSet', 'V1DaemonSetList'],
  ['policy', 'policy', 'PodDisruptionBudget', 'V1PodDisruptionBudget', 'V1PodDisruptionBudgetList'],
  ['policy', 'policy', 'Eviction', 'V1Eviction'],
  ['rbac', 'rbac.authorization.k8s.io', 'Role', 'V1Role', 'V1RoleList'],
  ['rbac', 'rbac.authorization.k8s.io', 'RoleBinding', 'V1RoleBinding', 'V1RoleBindingList'],
  ['rbac', 'rbac.authorization.k8s.io', 'ClusterRole', 'V1ClusterRole', 'V1ClusterRoleList'],
  ['rbac', 'rbac.authorization.k8s.io', 'ClusterRoleBinding', 'V1ClusterRoleBinding', 'V1ClusterRoleBindingList'],
  ['apiextensions', 'apiextensions.k8s.io', 'CustomResourceDefinition', 'V1CustomResourceDefinition', 'V1CustomResourceDefinitionList'],
  ['authorization', 'authorization.k8s.io', 'SelfSubjectAccessReview', 'V1SelfSubjectAccessReview'],
  ['authorization', 'authorization.k8s.io', 'SelfSubjectRulesReview', 'V1SelfSubjectRulesReview'],
  ['authentication', 'authentication.k8s.io', 'SelfSubjectReview', 'V1SelfSubjectReview'],
  ['authentication', 'authentication.k8s.io', 'TokenReview', 'V1TokenReview'],
  ['autoscaling', 'autoscaling', 'Scale', 'V1Scale'],
  ['meta', '', 'Status', 'V1Status'],
  ['meta', '', 'APIResourceList', 'V1APIResourceList'],
];

/** meta/v1 types that every group-version document carries (GVK'd per served group, as upstream does). */
const META_MULTI_GROUP = ['V1DeleteOptions', 'V1WatchEvent'];
/** meta/v1 types not reachable from the meta kinds above but referenced from other packages. */
const META_EXTRA = ['V1ObjectMeta', 'V1ListMeta', 'V1LabelSelector', 'V1Condition', 'V1FieldSelectorRequirement'];

/**
 * Types that live in core/v1 upstream but are reachable here only through another group's kind (StatefulSet's
 * volumeClaimTemplates, Deployment's template). Everything else is placed in the package of the first kind that
 * reaches it, with meta first and core second.
 */
const CORE_OVERRIDES = ['V1PodTemplateSpec', 'V1PersistentVolumeClaim', 'V1PersistentVolumeClaimStatus',
  'V1PersistentVolumeClaimCondition', 'V1ModifyVolumeStatus'];

/** Types with no model in client-node (erased to string, Date or any there), as upstream defines them. */
const SPECIAL: Record<string, Raw> = {
  [`${PKG.meta}.Time`]: {
    description: 'Time is a wrapper around time.Time which supports correct marshaling to YAML and JSON.  Wrappers are provided for many of the factory methods that the time package offers.',
    type: 'string', format: 'date-time',
  },
  [`${PKG.meta}.MicroTime`]: {
    description: 'MicroTime is version of Time with microsecond level precision.',
    type: 'string', format: 'date-time',
  },
  [`${PKG.meta}.FieldsV1`]: {
    description: "FieldsV1 stores a set of fields in a data structure like a Trie, in JSON format.\n\nEach key is either a '.' representing the field itself, and will always map to an empty set, or a string representing a sub-field or item. The string will follow one of these four formats: 'f:<name>', where <name> is the name of a field in a struct, or key in a map 'v:<value>', where <value> is the exact json formatted value of a list item 'i:<index>', where <index> is position of a item in a list 'k:<keys>', where <keys> is a map of  a list item's key fields to their unique values If a key maps to an empty Fields value, the field that key represents is part of the set.\n\nThe exact format is defined in sigs.k8s.io/structured-merge-diff",
    type: 'object', 'x-kubernetes-preserve-unknown-fields': true,
  },
  [`${PKG.meta}.Patch`]: {
    description: 'Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.',
    type: 'object',
  },
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString': {
    description: 'IntOrString is a type that can hold an int32 or a string.  When used in JSON or YAML marshalling and unmarshalling, it produces or consumes the inner type.  This allows you to have, for example, a JSON field that can accept a name or number.',
    format: 'int-or-string', oneOf: [{ type: 'integer' }, { type: 'string' }], 'x-kubernetes-int-or-string': true,
  },
  'io.k8s.apimachinery.pkg.api.resource.Quantity': {
    description: "Quantity is a fixed-point representation of a number. It provides convenient marshaling/unmarshaling in JSON and YAML, in addition to String() and AsInt64() accessors.\n\nThe serialization format is:\n\n``` <quantity>        ::= <signedNumber><suffix>\n\n\t(Note that <suffix> may be empty, from the \"\" case in <decimalSI>.)\n\n<digit>           ::= 0 | 1 | ... | 9 <digits>          ::= <digit> | <digit><digits> <number>          ::= <digits> | <digits>.<digits> | <digits>. | .<digits> <sign>            ::= \"+\" | \"-\" <signedNumber>    ::= <number> | <sign><number> <suffix>          ::= <binarySI> | <decimalExponent> | <decimalSI> <binarySI>        ::= Ki | Mi | Gi | Ti | Pi | Ei\n\n\t(International System of units; See: http://physics.nist.gov/cuu/Units/binary.html)\n\n<decimalSI>       ::= m | \"\" | k | M | G | T | P | E\n\n\t(Note that 1024 = 1Ki but 1000 = 1k; I didn't choose the capitalization.)\n\n<decimalExponent> ::= \"e\" <signedNumber> | \"E\" <signedNumber> ```",
    oneOf: [{ type: 'string' }, { type: 'number' }],
  },
  'io.k8s.apimachinery.pkg.runtime.RawExtension': {
    description: 'RawExtension is used to hold extensions in external versions.',
    type: 'object', 'x-kubernetes-preserve-unknown-fields': true,
  },
  // apiextensions' JSON-valued fields accept any JSON value (a default may be a string), hence no `type`.
  [`${PKG.apiextensions}.JSON`]: {
    description: 'JSON represents any valid JSON value. These types are supported: bool, int64, float64, string, []interface{}, map[string]interface{} and nil.',
    'x-kubernetes-preserve-unknown-fields': true,
  },
  [`${PKG.apiextensions}.JSONSchemaPropsOrArray`]: {
    description: 'JSONSchemaPropsOrArray represents a value that can either be a JSONSchemaProps or an array of JSONSchemaProps. Mainly here for serialization purposes.',
    'x-kubernetes-preserve-unknown-fields': true,
  },
  [`${PKG.apiextensions}.JSONSchemaPropsOrBool`]: {
    description: 'JSONSchemaPropsOrBool represents JSONSchemaProps or a boolean value. Defaults to true for the boolean property.',
    'x-kubernetes-preserve-unknown-fields': true,
  },
  [`${PKG.apiextensions}.JSONSchemaPropsOrStringArray`]: {
    description: 'JSONSchemaPropsOrStringArray represents a JSONSchemaProps or a string array.',
    'x-kubernetes-preserve-unknown-fields': true,
  },
  [`${PKG.apiextensions}.CustomResourceSubresourceStatus`]: {
    description: 'CustomResourceSubresourceStatus defines how to serve the status subresource for CustomResources. Status is represented by the `.status` JSON path inside of a CustomResource. When set, * exposes a /status subresource for the custom resource * PUT requests to the /status subresource take a custom resource object, and ignore changes to anything except the status stanza * PATCH requests to the /status subresource take a custom resource object, and ignore changes to anything except the status stanza',
    type: 'object',
  },
};

const API_CONVENTIONS = 'https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md';
/** What upstream says of `metadata` on every kind and every list. */
const METADATA_DESCRIPTIONS: Record<string, string> = {
  [`${PKG.meta}.ObjectMeta`]: `Standard object's metadata. More info: ${API_CONVENTIONS}#metadata`,
  [`${PKG.meta}.ListMeta`]: `Standard list metadata. More info: ${API_CONVENTIONS}#metadata`,
};

/** client-node `any` properties, by "Model.baseName": the upstream type they stand for. */
const ANY_TYPES: Record<string, string> = {
  'V1ManagedFieldsEntry.fieldsV1': `${PKG.meta}.FieldsV1`,
  'V1WatchEvent.object': 'io.k8s.apimachinery.pkg.runtime.RawExtension',
  'V1CustomResourceSubresources.status': `${PKG.apiextensions}.CustomResourceSubresourceStatus`,
  'V1JSONSchemaProps.additionalItems': `${PKG.apiextensions}.JSONSchemaPropsOrBool`,
  'V1JSONSchemaProps.additionalProperties': `${PKG.apiextensions}.JSONSchemaPropsOrBool`,
  'V1JSONSchemaProps.default': `${PKG.apiextensions}.JSON`,
  'V1JSONSchemaProps.example': `${PKG.apiextensions}.JSON`,
  'V1JSONSchemaProps.items': `${PKG.apiextensions}.JSONSchemaPropsOrArray`,
  'V1JSONSchemaProps.enum': `${PKG.apiextensions}.JSON`,
  'V1JSONSchemaProps.dependencies': `${PKG.apiextensions}.JSONSchemaPropsOrStringArray`,
};

/** Properties that are resource.Quantity upstream (client-node erases them to string). */
const QUANTITY_FIELDS = new Set([
  'V1ResourceRequirements.limits', 'V1ResourceRequirements.requests',
  'V1VolumeResourceRequirements.limits', 'V1VolumeResourceRequirements.requests',
  'V1NodeStatus.capacity', 'V1NodeStatus.allocatable',
  'V1PodSpec.overhead', 'V1EmptyDirVolumeSource.sizeLimit', 'V1ResourceFieldSelector.divisor',
  'V1ContainerStatus.allocatedResources', 'V1PersistentVolumeClaimStatus.capacity',
  'V1PersistentVolumeClaimStatus.allocatedResources', 'V1PodStatus.allocatedResources',
]);
/** Field names that look like quantities: the generator fails if one is reachable and not classified above. */
const QUANTITY_LIKE = /^(limits|requests|capacity|allocatable|overhead|sizeLimit|divisor|allocatedResources)$/;

/**
 * Strategic-merge-patch and server-side-apply list semantics, from the struct tags and markers in
 * k8s.io/api@v0.32 core/v1, apps/v1, policy/v1, rbac/v1/types.go, k8s.io/apimachinery@v0.32 pkg/apis/meta/v1/types.go
 * and k8s.io/apiextensions-apiserver@v0.32 pkg/apis/apiextensions/v1/types.go (`patchStrategy:"merge"
 * patchMergeKey:"name"`, `+listType=map`, `+listMapKey=name`). A list with no entry is atomic for both.
 */
interface ListTags { strategy?: 'merge' | 'merge,retainKeys'; mergeKey?: string; listType: 'atomic' | 'set' | 'map'; mapKeys?: string[] }
const byName = (strategy: ListTags['strategy'] = 'merge'): ListTags => ({ strategy, mergeKey: 'name', listType: 'map', mapKeys: ['name'] });
const byType: ListTags = { strategy: 'merge', mergeKey: 'type', listType: 'map', mapKeys: ['type'] };
const atomic: ListTags = { listType: 'atomic' };
const containerLists: Record<string, ListTags> = {
  ports: { strategy: 'merge', mergeKey: 'containerPort', listType: 'map', mapKeys: ['containerPort', 'protocol'] },
  env: byName(),
  envFrom: atomic,
  volumeMounts: { strategy: 'merge', mergeKey: 'mountPath', listType: 'map', mapKeys: ['mountPath'] },
  volumeDevices: { strategy: 'merge', mergeKey: 'devicePath', listType: 'map', mapKeys: ['devicePath'] },
  command: atomic,
  args: atomic,
  resizePolicy: atomic,
};
const LIST_TAGS: Record<string, Record<string, ListTags>> = {
  V1ObjectMeta: {
    finalizers: { strategy: 'merge', listType: 'set' },
    ownerReferences: { strategy: 'merge', mergeKey: 'uid', listType: 'map', mapKeys: ['uid'] },
    managedFields: atomic,
  },
  V1PodSpec: {
    volumes: byName('merge,retainKeys'),
    initContainers: byName(),
    containers: byName(),
    ephemeralContainers: byName(),
    imagePullSecrets: byName(),
    hostAliases: { strategy: 'merge', mergeKey: 'ip', listType: 'map', mapKeys: ['ip'] },
    tolerations: atomic,
    topologySpreadConstraints: { strategy: 'merge', mergeKey: 'topologyKey', listType: 'map', mapKeys: ['topologyKey', 'whenUnsatisfiable'] },
    readinessGates: atomic,
    schedulingGates: byName(),
    resourceClaims: byName('merge,retainKeys'),
  },
  V1Container: containerLists,
  V1EphemeralContainer: containerLists,
  V1PodStatus: {
    conditions: byType,
    podIPs: { strategy: 'merge', mergeKey: 'ip', listType: 'map', mapKeys: ['ip'] },
    hostIPs: { strategy: 'merge', mergeKey: 'ip', listType: 'atomic' },
    initContainerStatuses: atomic,
    containerStatuses: atomic,
    ephemeralContainerStatuses: atomic,
    resourceClaimStatuses: byName('merge,retainKeys'),
  },
  V1NodeSpec: { taints: atomic, podCIDRs: { strategy: 'merge', listType: 'set' } },
  V1NodeStatus: {
    conditions: byType, addresses: byType, images: atomic, volumesInUse: atomic, volumesAttached: atomic,
  },
  V1ServiceSpec: {
    ports: { strategy: 'merge', mergeKey: 'port', listType: 'map', mapKeys: ['port', 'protocol'] },
    externalIPs: atomic, clusterIPs: atomic, ipFamilies: atomic, loadBalancerSourceRanges: atomic,
  },
  V1ServiceStatus: { conditions: byType },
  V1ServiceAccount: { secrets: byName(), imagePullSecrets: atomic },
  V1NamespaceSpec: { finalizers: atomic },
  V1NamespaceStatus: { conditions: byType },
  V1Endpoints: { subsets: atomic },
  V1EndpointSubset: { addresses: atomic, notReadyAddresses: atomic, ports: atomic },
  V1DeploymentStatus: { conditions: byType },
  V1ReplicaSetStatus: { conditions: byType },
  V1StatefulSetStatus: { conditions: byType },
  V1DaemonSetStatus: { conditions: byType },
  V1StatefulSetSpec: { volumeClaimTemplates: atomic },
  V1LabelSelector: { matchExpressions: atomic },
  V1PodDisruptionBudgetStatus: { conditions: byType },
  V1Role: { rules: atomic },
  V1ClusterRole: { rules: atomic },
  V1RoleBinding: { subjects: atomic },
  V1ClusterRoleBinding: { subjects: atomic },
  V1AggregationRule: { clusterRoleSelectors: atomic },
  V1PolicyRule: { verbs: atomic, apiGroups: atomic, resources: atomic, resourceNames: atomic, nonResourceURLs: atomic },
  V1CustomResourceDefinitionSpec: { versions: atomic },
  V1CustomResourceDefinitionStatus: { conditions: { listType: 'map', mapKeys: ['type'] }, storedVersions: atomic },
  V1CustomResourceDefinitionNames: { shortNames: atomic, categories: atomic },
  V1CustomResourceDefinitionVersion: { additionalPrinterColumns: atomic },
};

/** Structs marked `+structType=atomic` upstream: server-side apply owns them as a whole. */
const ATOMIC_STRUCTS = new Set(['V1LabelSelector', 'V1ObjectReference', 'V1LocalObjectReference',
  'V1TypedLocalObjectReference', 'V1NodeSelector', 'V1NodeSelectorTerm', 'V1ObjectFieldSelector',
  'V1ResourceFieldSelector', 'V1ConfigMapKeySelector', 'V1SecretKeySelector']);

// ---------------------------------------------------------------------------------------------------------------

const modelNames = new Set(readdirSync(MODELS_DIR).filter((f) => f.endsWith('.js')).map((f) => f.slice(0, -3)));

async function attributes(model: string): Promise<Attribute[]> {
  const mod = (await import(pathToFileURL(`${MODELS_DIR}${model}.js`).href)) as Record<string, { attributeTypeMap: Attribute[] }>;
  return mod[model].attributeTypeMap;
}

/** Descriptions and optionality from the .d.ts, where the generator kept them as JSDoc. */
function modelDoc(model: string): ModelDoc {
  const text = readFileSync(`${MODELS_DIR}${model}.d.ts`, 'utf8');
  const unescape = (s: string) =>
    s.split('\n').map((l) => l.replace(/^\s*\* ?/, '')).join('\n').trim().replace(/\\(['"\\])/g, '$1');
  const classDoc = /\/\*\*\n((?:(?!\*\/)[\s\S])*?)\*\/\nexport declare class/.exec(text);
  const properties = new Map<string, { description?: string; optional: boolean }>();
  const prop = /(?:\/\*\*\n((?:(?!\*\/)[\s\S])*?)\*\/\n)?^ {4}'([^']+)'(\?)?:/gm;
  for (let m = prop.exec(text); m; m = prop.exec(text)) {
    properties.set(m[2], { description: m[1] === undefined ? undefined : unescape(m[1]), optional: m[3] === '?' });
  }
  return { description: classDoc ? unescape(classDoc[1]) : undefined, properties };
}

/** "CoreV1EventSeries" -> "EventSeries", "V1ObjectMeta" -> "ObjectMeta". */
function shortName(model: string): string {
  return model.replace(/^([A-Z][a-z]+)?V1(?=[A-Z])/, '');
}

const ref = (name: string): Raw => ({ $ref: `#/components/schemas/${name}` });

class Generator {
  readonly schemas: Record<string, Raw> = { ...SPECIAL };
  readonly pkgOf = new Map<string, Pkg>();
  private readonly pending: string[] = [];

  definitionName(model: string): string {
    const pkg = this.pkgOf.get(model);
    if (!pkg) throw new Error(`no package decided for ${model}`);
    return `${PKG[pkg]}.${shortName(model)}`;
  }

  /** Assigns packages breadth-first from the roots of one package: a type keeps the first package that reaches it. */
  async claim(pkg: Pkg, roots: string[]): Promise<void> {
    const queue = [...roots];
    while (queue.length > 0) {
      const model = queue.shift()!;
      if (this.pkgOf.has(model)) continue;
      this.pkgOf.set(model, CORE_OVERRIDES.includes(model) ? 'core' : pkg);
      this.pending.push(model);
      for (const a of await attributes(model)) {
        for (const t of a.type.match(/[A-Za-z0-9]+/g) ?? []) if (modelNames.has(t) && !this.pkgOf.has(t)) queue.push(t);
      }
    }
  }

  propertySchema(model: string, a: Attribute): Raw {
    const key = `${model}.${a.baseName}`;
    if (QUANTITY_FIELDS.has(key)) {
      const q = ref('io.k8s.apimachinery.pkg.api.resource.Quantity');
      return a.type === 'string' ? q : { type: 'object', additionalProperties: q };
    }
    if (QUANTITY_LIKE.test(a.baseName) && /string/.test(a.type)) throw new Error(`classify ${key}: Quantity or not?`);
    return this.typeSchema(a.type, a.format, key);
  }

  typeSchema(type: string, format: string, key: string): Raw {
    const array = /^Array<(.+)>$/.exec(type);
    if (array) return { type: 'array', items: this.typeSchema(array[1], format, key) };
    const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
    if (map) return { type: 'object', additionalProperties: this.typeSchema(map[1], format, key) };
    switch (type) {
      case 'string': return format ? { type: 'string', format } : { type: 'string' };
      case 'boolean': return { type: 'boolean' };
      case 'number':
        if (format === 'int32' || format === 'int64') return { type: 'integer', format };
        return format ? { type: 'number', format } : { type: 'number' };
      case 'Date':
      case 'V1MicroTime': // the only model name with no model file
        return ref(`${PKG.meta}.${format === 'date-time-micro' ? 'MicroTime' : 'Time'}`);
      case 'IntOrString': return ref('io.k8s.apimachinery.pkg.util.intstr.IntOrString');
      case 'any': {
        const name = ANY_TYPES[key];
        if (!name) throw new Error(`no upstream type known for the "any" property ${key}`);
        return ref(name);
      }
    }
    if (!modelNames.has(type)) throw new Error(`unknown type ${type} at ${key}`);
    return ref(this.definitionName(type));
  }

  async emit(model: string, gvks: Array<{ group: string; version: string; kind: string }>): Promise<void> {
    const doc = modelDoc(model);
    const properties: Record<string, Raw> = {};
    const required: string[] = [];
    const tags = LIST_TAGS[model] ?? {};
    for (const a of await attributes(model)) {
      const docProp = doc.properties.get(a.name);
      if (!docProp) throw new Error(`${model}.d.ts does not declare ${a.name}`);
      let schema = this.propertySchema(model, a);
      const description = docProp.description;
      // Upstream (kube-openapi for 1.32) wraps a described reference in allOf, since $ref siblings are ignored in 3.0.
      if (description !== undefined) schema = '$ref' in schema ? { allOf: [schema], description } : { description, ...schema };
      const t = tags[a.baseName];
      if (t) {
        if (schema.type !== 'array') throw new Error(`${model}.${a.baseName} is not a list`);
        if (t.strategy) schema['x-kubernetes-patch-strategy'] = t.strategy;
        if (t.mergeKey) schema['x-kubernetes-patch-merge-key'] = t.mergeKey;
        schema['x-kubernetes-list-type'] = t.listType;
        if (t.mapKeys) schema['x-kubernetes-list-map-keys'] = t.mapKeys;
      }
      properties[a.baseName] = schema;
      if (!docProp.optional) required.push(a.baseName);
    }
    for (const name of Object.keys(tags)) if (!(name in properties)) throw new Error(`${model} has no property ${name}`);
    const schema: Raw = {};
    if (doc.description) schema.description = doc.description;
    schema.type = 'object';
    schema.properties = properties;
    if (required.length > 0) schema.required = required;
    if (ATOMIC_STRUCTS.has(model)) schema['x-kubernetes-map-type'] = 'atomic';
    if (gvks.length > 0) schema['x-kubernetes-group-version-kind'] = gvks;
    this.schemas[this.definitionName(model)] = schema;
  }

  /**
   * client-node lost the descriptions of properties whose type is a reference (it documents some with the referenced
   * type's own description instead). `kubectl explain` prints a property's own description only, so a bare reference
   * would read "<no description>": give it the standard metadata text upstream uses, or else the type's description.
   */
  describeReferences(): void {
    for (const schema of Object.values(this.schemas)) {
      for (const [name, property] of Object.entries((schema.properties ?? {}) as Record<string, Raw>)) {
        const target = (property.$ref as string | undefined)?.slice('#/components/schemas/'.length);
        if (target === undefined) continue;
        const description = name === 'metadata' ? METADATA_DESCRIPTIONS[target] : this.schemas[target]?.description;
        if (description === undefined) continue;
        delete property.$ref;
        Object.assign(property, { allOf: [ref(target)], description });
      }
    }
  }

  async run(): Promise<Record<string, Raw>> {
    const gvkOf = new Map<string, Array<{ group: string; version: string; kind: string }>>();
    for (const [, group, kind, model, listModel] of KINDS) {
      gvkOf.set(model, [{ group, version: 'v1', kind }]);
      if (listModel) gvkOf.set(listModel, [{ group, version: 'v1', kind: `${kind}List` }]);
    }
    // DeleteOptions and WatchEvent are registered in every group (upstream lists each group-version).
    const groups = [...new Set(KINDS.filter(([pkg]) => pkg !== 'meta').map(([, group]) => group))].sort();
    for (const model of META_MULTI_GROUP) {
      gvkOf.set(model, groups.map((group) => ({ group, version: 'v1', kind: shortName(model) })));
    }
    const rootsOf = (pkg: Pkg) => KINDS.filter(([p]) => p === pkg).flatMap(([, , , m, l]) => (l ? [m, l] : [m]));
    await this.claim('meta', [...rootsOf('meta'), ...META_MULTI_GROUP, ...META_EXTRA]);
    await this.claim('core', rootsOf('core'));
    for (const pkg of Object.keys(PKG) as Pkg[]) if (pkg !== 'meta' && pkg !== 'core') await this.claim(pkg, rootsOf(pkg));
    for (const model of this.pending) await this.emit(model, gvkOf.get(model) ?? []);
    this.describeReferences();
    for (const model of [...ATOMIC_STRUCTS, ...Object.keys(LIST_TAGS)]) {
      if (!this.pkgOf.has(model)) throw new Error(`table entry ${model} is not reachable from a served kind`);
    }
    return Object.fromEntries(Object.keys(this.schemas).sort().map((k) => [k, this.schemas[k]]));
  }
}

const clientNodeVersion = (JSON.parse(readFileSync(`${MODELS_DIR}../../../package.json`, 'utf8')) as { version: string }).version;
const schemas = await new Generator().run();
writeFileSync(OUTPUT, `${JSON.stringify({
  'x-generated-by': 'devcluster/apiserver/openapi/generate/builtin-schemas.ts',
  'x-source': `@kubernetes/client-node ${clientNodeVersion} dist/gen/models`,
  schemas,
}, null, 1)}\n`);
console.log(`wrote ${Object.keys(schemas).length} schemas to ${OUTPUT}`);
