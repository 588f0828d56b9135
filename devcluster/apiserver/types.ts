// Shared shapes of the embedded API server. Every module of devcluster/apiserver codes against these;
// keep them small and stable.

/** JSON value as it travels on the wire. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ManagedFieldsEntry {
  manager?: string;
  operation?: 'Apply' | 'Update';
  apiVersion?: string;
  time?: string;
  fieldsType?: 'FieldsV1';
  fieldsV1?: JsonObject;
  subresource?: string;
}

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  managedFields?: ManagedFieldsEntry[];
  [key: string]: unknown;
}

/** Any Kubernetes object. Fields other than metadata are left to the kind. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
}

/**
 * The subset of an OpenAPI v3 / CRD structural schema that the server interprets, with `$ref`s already
 * resolved (built-in schemas are dereferenced lazily by the openapi module). Used for CRD validation,
 * pruning and defaulting, for strategic merge patch (patch strategy and merge key) and for server-side
 * apply (list and map types).
 */
export interface SchemaNode {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  format?: string;
  description?: string;
  properties?: Record<string, SchemaNode>;
  additionalProperties?: SchemaNode | boolean;
  items?: SchemaNode;
  required?: string[];
  enum?: Json[];
  default?: Json;
  nullable?: boolean;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean;
  exclusiveMaximum?: boolean;
  multipleOf?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minItems?: number;
  maxItems?: number;
  minProperties?: number;
  maxProperties?: number;
  uniqueItems?: boolean;
  allOf?: SchemaNode[];
  anyOf?: SchemaNode[];
  oneOf?: SchemaNode[];
  not?: SchemaNode;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: 'atomic' | 'granular';
  'x-kubernetes-patch-strategy'?: string;
  'x-kubernetes-patch-merge-key'?: string;
  'x-kubernetes-validations'?: Array<{ rule: string; message?: string; messageExpression?: string; reason?: string; fieldPath?: string; optionalOldSelf?: boolean }>;
  [extension: `x-${string}`]: unknown;
}

/** One cause of a 422 Invalid, as in metav1.StatusCause. */
export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

/** kubectl's additionalPrinterColumns entry (CRD) or a built-in printer's column. */
export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format?: string;
  description?: string;
  priority?: number;
  /** JSONPath for CRD columns, e.g. ".spec.replicas". Built-in printers compute cells in code instead. */
  jsonPath?: string;
}

export interface ScaleSubresource {
  specReplicasPath: string;
  statusReplicasPath: string;
  labelSelectorPath?: string;
}

/**
 * One served resource (group, version, plural): what discovery lists, what OpenAPI documents, and how the
 * generic handlers treat it. Built-in kinds and CRD versions are both described this way; the registry holds them.
 */
export interface ResourceType {
  group: string;
  version: string;
  kind: string;
  listKind: string;
  /** e.g. "machinesets" */
  plural: string;
  /** e.g. "machineset" */
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  /** Discovery verbs of the main resource. */
  verbs: string[];
  /** Storage identity shared by every served version of the same resource: "<group>/<plural>". */
  storageKey: string;
  /** The version objects are stored in (CRDs: the storage version). */
  storageVersion: string;
  subresources: {
    status?: boolean;
    scale?: ScaleSubresource;
    /** Built-in extras such as "eviction" (pods), "finalize" (namespaces); listed in discovery. */
    extra?: Array<{ name: string; group?: string; version?: string; kind: string; verbs: string[] }>;
  };
  /** Custom resources: generation on every non-metadata change, status dropped on create, no SMP, no unconditional update. */
  isCustom: boolean;
  /** metadata.generation is maintained (CRs, apps/v1, policy/v1 PDB, ...). */
  hasGeneration: boolean;
  /** PUT without metadata.resourceVersion is allowed (most built-in kinds). */
  allowUnconditionalUpdate: boolean;
  /** DELETE answers with the deleted object instead of a Success Status (pods, serviceaccounts). */
  returnDeletedObject: boolean;
  /** Root schema of the kind ($refs resolved), for validation, pruning, defaulting, SMP and apply. */
  schema?: SchemaNode;
  /** Extra field selectors beyond metadata.name/metadata.namespace, mapped to a getter. */
  fieldSelectors: Record<string, (obj: KubeObject) => string | undefined>;
  /** How `kubectl get` renders the kind as Table rows. */
  printer: TablePrinter;
  /** CRD version: deprecated and its warning. */
  deprecationWarning?: string;
}

/** Table rendering of a kind: the columns after the implicit Name column and a row's cells for them. */
export interface TablePrinter {
  readonly columns: PrinterColumn[];
  cells(obj: KubeObject, now: Date): Json[];
  /** The printer lists Name itself, not first (core Events upstream). */
  readonly omitNameColumn?: boolean;
}
