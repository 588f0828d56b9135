// Per-kind behaviour of the built-in kinds: what kube-apiserver's registry strategies do for the kinds this
// suite uses. Keyed by "<group>/<version>/<Kind>".
import { compileCelRules, validateCustomResourceDefinition } from '../schema/index.ts';
import { fieldErrors, type FieldError } from '../status-errors.ts';
import type { KubeObject } from '../types.ts';
import type { KindStrategy } from './registry.ts';
import { coreEventToEventsV1, eventsV1ToCoreEvent } from './event-views.ts';
import { allocateOnCreate, allocateOnUpdate, defaultService, inUseBy } from './service-allocation.ts';

type Obj = Record<string, unknown>;
const asObj = (value: unknown): Obj => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Obj) : {});

/**
 * Every namespace carries `kubernetes.io/metadata.name: <name>`, forced on create and on every update
 * (pkg/registry/core/namespace/strategy.go Canonicalize; GA since 1.22).
 */
function labelNamespaceName(obj: KubeObject): void {
  if (obj.metadata.name) obj.metadata.labels = { ...obj.metadata.labels, 'kubernetes.io/metadata.name': obj.metadata.name };
}

const namespace: KindStrategy = {
  prepareCreate(obj) {
    const spec = asObj(obj.spec);
    if (!Array.isArray(spec.finalizers)) spec.finalizers = ['kubernetes'];
    obj.spec = spec;
    obj.status = { phase: 'Active' };
    labelNamespaceName(obj);
  },
  prepareUpdate(obj) {
    labelNamespaceName(obj);
  },
};

const node: KindStrategy = { keepStatusOnCreate: true };

const pod: KindStrategy = {
  prepareCreate(obj) {
    obj.status = { phase: 'Pending', qosClass: qosClass(obj) };
  },
  validate(obj) {
    const errors: FieldError[] = [];
    const spec = asObj(obj.spec);
    const containers = spec.containers;
    if (!Array.isArray(containers) || containers.length === 0) {
      errors.push(fieldErrors.required('spec.containers'));
      return errors;
    }
    containers.forEach((c, i) => {
      const container = asObj(c);
      if (typeof container.name !== 'string' || container.name === '') errors.push(fieldErrors.required(`spec.containers[${i}].name`));
      if (typeof container.image !== 'string' || container.image === '') errors.push(fieldErrors.required(`spec.containers[${i}].image`));
    });
    return errors;
  },
};

/** BestEffort when no container sets requests or limits; Burstable otherwise (Guaranteed is not needed here). */
function qosClass(obj: KubeObject): string {
  const containers = asObj(obj.spec).containers;
  const any = Array.isArray(containers) && containers.some((c) => {
    const resources = asObj(asObj(c).resources);
    return Object.keys(asObj(resources.requests)).length > 0 || Object.keys(asObj(resources.limits)).length > 0;
  });
  return any ? 'Burstable' : 'BestEffort';
}

/** `stringData` is write-only: merged into `data` (base64) and never stored (core/v1 Secret docs). */
function foldStringData(obj: KubeObject): void {
  const stringData = asObj(obj.stringData);
  if (Object.keys(stringData).length > 0) {
    const data = asObj(obj.data);
    for (const [key, value] of Object.entries(stringData)) data[key] = Buffer.from(String(value), 'utf8').toString('base64');
    obj.data = data;
  }
  delete obj.stringData;
  if (obj.type === undefined) obj.type = 'Opaque';
}

function immutableDataErrors(obj: KubeObject, old: KubeObject | undefined, fields: string[]): FieldError[] {
  if (!old || old.immutable !== true) return [];
  const errors: FieldError[] = [];
  if (obj.immutable !== true) errors.push(fieldErrors.forbidden('immutable', 'field is immutable when `immutable` is set'));
  for (const field of fields) {
    if (JSON.stringify(obj[field] ?? {}) !== JSON.stringify(old[field] ?? {})) errors.push(fieldErrors.forbidden(field, 'field is immutable when `immutable` is set'));
  }
  return errors;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

const secret: KindStrategy = {
  prepareCreate: foldStringData,
  prepareUpdate: (obj) => foldStringData(obj),
  validate(obj, old) {
    const errors = [...dataKeyErrors(obj, ['data']), ...immutableDataErrors(obj, old, ['data'])];
    for (const [key, value] of Object.entries(asObj(obj.data))) {
      if (typeof value !== 'string' || value.length % 4 !== 0 || !BASE64.test(value)) {
        errors.push(fieldErrors.invalid(`data[${key}]`, '<secret contents redacted>', 'must be a base64-encoded string'));
      }
    }
    return errors;
  },
};

/** Keys of ConfigMap and Secret data (validation.IsConfigMapKey). */
const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;
const CONFIG_KEY_MESSAGE = "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";

function dataKeyErrors(obj: KubeObject, fields: string[]): FieldError[] {
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  for (const field of fields) {
    for (const key of Object.keys(asObj(obj[field]))) {
      const path = `${field}[${key}]`;
      if (key.length > 253) errors.push(fieldErrors.invalid(path, key, 'must be no more than 253 characters'));
      else if (!CONFIG_KEY.test(key)) errors.push(fieldErrors.invalid(path, key, CONFIG_KEY_MESSAGE));
      else if (key === '.' || key === '..' || key.startsWith('..')) errors.push(fieldErrors.invalid(path, key, "must not be '.' or '..' or start with '..'"));
      if (seen.has(key)) errors.push(fieldErrors.invalid(path, key, 'duplicate of key present in other data fields'));
      seen.add(key);
    }
  }
  return errors;
}

/** Services get their defaults, cluster IPs and node ports on every spec write; a status write keeps the spec. */
const service: KindStrategy = {
  prepareCreate(obj, ctx) {
    defaultService(obj);
    allocateOnCreate(obj, inUseBy(ctx.stored(), obj));
  },
  prepareUpdate(obj, old, ctx) {
    if (ctx.subresource === 'status') return;
    defaultService(obj);
    allocateOnUpdate(obj, old, inUseBy(ctx.stored(), obj));
  },
};

const configMap: KindStrategy = {
  validate: (obj, old) => [...dataKeyErrors(obj, ['data', 'binaryData']), ...immutableDataErrors(obj, old, ['data', 'binaryData'])],
};

const podDisruptionBudget: KindStrategy = {
  validate(obj) {
    const spec = asObj(obj.spec);
    if (spec.minAvailable !== undefined && spec.maxUnavailable !== undefined) {
      return [fieldErrors.invalid('spec', spec, 'minAvailable and maxUnavailable cannot be both set')];
    }
    return [];
  },
};

const customResourceDefinition: KindStrategy = {
  prepareCreate(obj) {
    const finalizers = obj.metadata.finalizers ?? [];
    if (!finalizers.includes('customresourcecleanup.apiextensions.k8s.io')) finalizers.push('customresourcecleanup.apiextensions.k8s.io');
    obj.metadata.finalizers = finalizers;
    obj.status = { conditions: [], acceptedNames: { plural: '', kind: '' }, storedVersions: [] };
  },
  validate: (obj) => validateCustomResourceDefinition(obj),
  /** Rules are enforced, except those needing a CEL library this server lacks: the CRD says which. */
  warnings(obj) {
    const versions = (asObj(obj.spec).versions ?? []) as Array<{ name?: string; schema?: { openAPIV3Schema?: never } }>;
    return versions.flatMap((version) => {
      const schema = version.schema?.openAPIV3Schema;
      return (schema ? compileCelRules(schema).unsupported : []).map((u) =>
        `version ${version.name}: x-kubernetes-validations rule ${JSON.stringify(u.rule)} at ${u.path} uses ${u.feature}, which the embedded API server does not evaluate; a real cluster enforces it`);
    });
  },
};

const selfSubjectAccessReview: KindStrategy = {
  // Authorization here allows every authenticated request (shared/reference/apiserver.md §12).
  virtualCreate: (obj) => ({ ...obj, status: { allowed: true, reason: 'the embedded API server authorizes every authenticated user' } }),
};

const selfSubjectRulesReview: KindStrategy = {
  virtualCreate: (obj) => ({
    ...obj,
    status: {
      resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }],
      nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
      incomplete: false,
    },
  }),
};

const selfSubjectReview: KindStrategy = {
  virtualCreate: (obj, user) => ({ ...obj, status: { userInfo: { username: user.name, groups: user.groups } } }),
};

const eventsV1: KindStrategy = {
  fromStorage: coreEventToEventsV1,
  toStorage: eventsV1ToCoreEvent,
};

export const kindStrategies: Record<string, KindStrategy> = {
  '/v1/Namespace': namespace,
  '/v1/Node': node,
  '/v1/Pod': pod,
  '/v1/Secret': secret,
  '/v1/ConfigMap': configMap,
  '/v1/Service': service,
  'policy/v1/PodDisruptionBudget': podDisruptionBudget,
  'apiextensions.k8s.io/v1/CustomResourceDefinition': customResourceDefinition,
  'authorization.k8s.io/v1/SelfSubjectAccessReview': selfSubjectAccessReview,
  'authorization.k8s.io/v1/SelfSubjectRulesReview': selfSubjectRulesReview,
  'authentication.k8s.io/v1/SelfSubjectReview': selfSubjectReview,
  'events.k8s.io/v1/Event': eventsV1,
};
