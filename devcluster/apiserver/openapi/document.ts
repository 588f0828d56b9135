// The OpenAPI 3.0 document of one served group-version, as /openapi/v3/api/v1 or /openapi/v3/apis/<g>/<v> serves
// it (reference apiserver.md §3, §9.4). kubectl 1.32 needs, per kind, a PATCH operation on the item path carrying
// x-kubernetes-group-version-kind and the fieldValidation parameter (else --validate=strict falls back to
// client-side validation against the protobuf /openapi/v2, swagger.ts), reads the patch type for client-side apply
// from that operation's requestBody, and `kubectl explain` reads components.schemas.
import type { ResourceType, SchemaNode } from '../types.ts';
import { builtinDefinitionName, builtinDefinitions, META, referencedName, SCHEMA_REF_PREFIX, type RawSchema } from './schemas.ts';
import { cloneJson } from '../patch/json-values.ts';

export interface GroupVersion { group: string; version: string }
interface Gvk { group: string; version: string; kind: string }

const JSON_PATCH = 'application/json-patch+json';
const MERGE_PATCH = 'application/merge-patch+json';
const STRATEGIC_MERGE_PATCH = 'application/strategic-merge-patch+json';
const APPLY_PATCH = 'application/apply-patch+yaml';

/**
 * Patch media types a kind accepts, in upstream's order. Custom resources never list strategic merge patch
 * (apiextensions-apiserver/pkg/controller/openapi/builder/builder.go), which is what makes kubectl's client-side apply
 * and edit fall back to a JSON merge patch for them (apiserver.md §3.2).
 */
export function patchMediaTypes(isCustom: boolean): string[] {
  return isCustom ? [APPLY_PATCH, JSON_PATCH, MERGE_PATCH] : [APPLY_PATCH, JSON_PATCH, MERGE_PATCH, STRATEGIC_MERGE_PATCH];
}

/** The `info`, security schemes and security requirement of every kube-apiserver document, v3 and v2 alike. */
export const API_INFO = { title: 'Kubernetes', version: 'v1.32.0' } as const;
export const SECURITY_SCHEMES = { BearerToken: { description: 'Bearer Token authentication', in: 'header', name: 'authorization', type: 'apiKey' } } as const;
export const SECURITY = [{ BearerToken: [] }] as const;

const API_CONVENTIONS = 'https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md';
const DESCRIPTIONS = {
  apiVersion: `APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: ${API_CONVENTIONS}#resources`,
  kind: `Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: ${API_CONVENTIONS}#types-kinds`,
  metadata: `Standard object's metadata. More info: ${API_CONVENTIONS}#metadata`,
  listMetadata: `Standard list metadata. More info: ${API_CONVENTIONS}#metadata`,
};

// --- parameters, named and described as kube-apiserver lists them ------------------------------------------------

interface Parameter { name: string; in: 'query' | 'path'; description: string; required?: true; schema: RawSchema }
const query = (name: string, type: 'string' | 'boolean' | 'integer', description: string): Parameter =>
  ({ name, in: 'query', description, schema: { type, uniqueItems: true } });

const P = {
  pretty: query('pretty', 'string', "If 'true', then the output is pretty printed. Defaults to 'false' unless the user-agent indicates a browser or command-line HTTP tool (curl and wget)."),
  dryRun: query('dryRun', 'string', 'When present, indicates that modifications should not be persisted. An invalid or unrecognized dryRun directive will result in an error response and no further processing of the request. Valid values are: - All: all dry run stages will be processed'),
  fieldManager: query('fieldManager', 'string', 'fieldManager is a name associated with the actor or entity that is making these changes. The value must be less than or 128 characters long, and only contain printable characters, as defined by https://golang.org/pkg/unicode/#IsPrint.'),
  fieldManagerPatch: query('fieldManager', 'string', 'fieldManager is a name associated with the actor or entity that is making these changes. The value must be less than or 128 characters long, and only contain printable characters, as defined by https://golang.org/pkg/unicode/#IsPrint. This field is required for apply requests (application/apply-patch) but optional for non-apply patch types (JsonPatch, MergePatch, StrategicMergePatch).'),
  fieldValidation: query('fieldValidation', 'string', 'fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore: This will ignore any unknown fields that are silently dropped from the object, and will ignore all but the last duplicate field that the decoder encounters. This is the default behavior prior to v1.23. - Warn: This will send a warning via the standard warning response header for each unknown field that is dropped from the object, and for each duplicate field that is encountered. The request will still succeed if there are no other errors, and will only persist the last of any duplicate fields. This is the default in v1.23+ - Strict: This will fail the request with a BadRequest error if any unknown fields would be dropped from the object, or if any duplicate fields are present. The error returned from the server will contain all unknown and duplicate fields encountered.'),
  force: query('force', 'boolean', 'Force is going to "force" Apply requests. It means user will re-acquire conflicting fields owned by other people. Force flag must be unset for non-apply patch requests.'),
  gracePeriodSeconds: query('gracePeriodSeconds', 'integer', 'The duration in seconds before the object should be deleted. Value must be non-negative integer. The value zero indicates delete immediately. If this value is nil, the default grace period for the specified type will be used. Defaults to a per object value if not specified. zero means delete immediately.'),
  ignoreStoreReadError: query('ignoreStoreReadErrorWithClusterBreakingPotential', 'boolean', 'if set to true, it will trigger an unsafe deletion of the resource in case the normal deletion flow fails with a corrupt object error. A resource is considered corrupt if it can not be retrieved from the underlying storage successfully because of a) its data can not be transformed e.g. decryption failure, or b) it fails to decode into an object. NOTE: unsafe deletion ignores finalizer constraints, skips precondition checks, and removes the object from the storage. WARNING: This may potentially break the cluster if the workload associated with the resource being unsafe-deleted relies on normal deletion flow. Use only if you REALLY know what you are doing. The default value is false, and the user must opt in to enable it'),
  orphanDependents: query('orphanDependents', 'boolean', 'Deprecated: please use the PropagationPolicy, this field will be deprecated in 1.7. Should the dependent objects be orphaned. If true/false, the "orphan" finalizer will be added to/removed from the object\'s finalizers list. Either this field or PropagationPolicy may be set, but not both.'),
  propagationPolicy: query('propagationPolicy', 'string', "Whether and how garbage collection will be performed. Either this field or OrphanDependents may be set, but not both. The default policy is decided by the existing finalizer set in the metadata.finalizers and the resource-specific default policy. Acceptable values are: 'Orphan' - orphan the dependents; 'Background' - allow the garbage collector to delete the dependents in the background; 'Foreground' - a cascading policy that deletes all dependents in the foreground."),
  allowWatchBookmarks: query('allowWatchBookmarks', 'boolean', 'allowWatchBookmarks requests watch events with type "BOOKMARK". Servers that do not implement bookmarks may ignore this flag and bookmarks are sent at the server\'s discretion. Clients should not assume bookmarks are returned at any specific interval, nor may they assume the server will send any BOOKMARK event during a session. If this is not a watch, this field is ignored.'),
  continue: query('continue', 'string', 'The continue option should be set when retrieving more results from the server. Since this value is server defined, clients may only use the continue value from a previous query result with identical query parameters (except for the value of continue) and the server may reject a continue value it does not recognize. If the specified continue value is no longer valid whether due to expiration (generally five to fifteen minutes) or a configuration change on the server, the server will respond with a 410 ResourceExpired error together with a continue token.'),
  fieldSelector: query('fieldSelector', 'string', 'A selector to restrict the list of returned objects by their fields. Defaults to everything.'),
  labelSelector: query('labelSelector', 'string', 'A selector to restrict the list of returned objects by their labels. Defaults to everything.'),
  limit: query('limit', 'integer', 'limit is a maximum number of responses to return for a list call. If more items exist, the server will set the `continue` field on the list metadata to a value that can be used with the same initial query to retrieve the next set of results.'),
  resourceVersion: query('resourceVersion', 'string', 'resourceVersion sets a constraint on what resource versions a request may be served from. See https://kubernetes.io/docs/reference/using-api/api-concepts/#resource-versions for details.\n\nDefaults to unset'),
  resourceVersionMatch: query('resourceVersionMatch', 'string', 'resourceVersionMatch determines how resourceVersion is applied to list calls. It is highly recommended that resourceVersionMatch be set for list calls where resourceVersion is set See https://kubernetes.io/docs/reference/using-api/api-concepts/#resource-versions for details.\n\nDefaults to unset'),
  sendInitialEvents: query('sendInitialEvents', 'boolean', '`sendInitialEvents=true` may be set together with `watch=true`. In that case, the watch stream will begin with synthetic events to produce the current state of objects in the collection. Once all such events have been sent, a synthetic "Bookmark" event  will be sent.'),
  timeoutSeconds: query('timeoutSeconds', 'integer', 'Timeout for the list/watch call. This limits the duration of the call, regardless of any activity or inactivity.'),
  watch: query('watch', 'boolean', 'Watch for changes to the described resources and return them as a stream of add, update, and remove notifications. Specify resourceVersion.'),
  namespace: { name: 'namespace', in: 'path', required: true, description: 'object name and auth scope, such as for teams and projects', schema: { type: 'string', uniqueItems: true } } as Parameter,
};
const nameParameter = (description: string): Parameter =>
  ({ name: 'name', in: 'path', required: true, description, schema: { type: 'string', uniqueItems: true } });

const LIST_PARAMETERS = [P.allowWatchBookmarks, P.continue, P.fieldSelector, P.labelSelector, P.limit, P.resourceVersion,
  P.resourceVersionMatch, P.sendInitialEvents, P.timeoutSeconds, P.watch];
/** Path-level parameters of list and watch paths: the list options plus scope and pretty, sorted as upstream does. */
const pathParameters = (scope: Parameter[]): Parameter[] =>
  [...LIST_PARAMETERS, ...scope, P.pretty].sort((a, b) => a.name.localeCompare(b.name));

const WRITE_PARAMETERS = [P.dryRun, P.fieldManager, P.fieldValidation];
const PATCH_PARAMETERS = [P.dryRun, P.fieldManagerPatch, P.fieldValidation, P.force];
const DELETE_PARAMETERS = [P.dryRun, P.gracePeriodSeconds, P.ignoreStoreReadError, P.orphanDependents, P.propagationPolicy];
const DELETECOLLECTION_PARAMETERS = [P.continue, P.dryRun, P.fieldSelector, P.gracePeriodSeconds, P.ignoreStoreReadError,
  P.labelSelector, P.limit, P.orphanDependents, P.propagationPolicy, P.resourceVersion, P.resourceVersionMatch,
  P.sendInitialEvents, P.timeoutSeconds];

// --- operations ---------------------------------------------------------------------------------------------------

const refTo = (name: string): RawSchema => ({ $ref: `${SCHEMA_REF_PREFIX}${name}` });
const STREAM_MEDIA_TYPES = ['application/json', 'application/json;stream=watch'];

function content(schemaName: string, mediaTypes: string[] = ['application/json']): RawSchema {
  return Object.fromEntries(mediaTypes.map((m) => [m, { schema: refTo(schemaName) }]));
}

const RESPONSE_TEXT: Record<number, string> = { 200: 'OK', 201: 'Created', 202: 'Accepted' };
function responses(schemaName: string, codes: number[], mediaTypes?: string[]): RawSchema {
  const out: RawSchema = {};
  for (const code of codes) out[String(code)] = { description: RESPONSE_TEXT[code], content: content(schemaName, mediaTypes) };
  out['401'] = { description: 'Unauthorized' };
  return out;
}

type Action = 'get' | 'list' | 'post' | 'put' | 'patch' | 'delete' | 'deletecollection' | 'watch' | 'watchlist';

interface NamingContext {
  /** "CoreV1", "AppsV1", "MachineOpenshiftIoV1beta1": the operationId infix. */
  prefix: string;
  /** "core_v1", "machineOpenshiftIo_v1beta1". */
  tag: string;
}

/** kube-apiserver's operation ids and tags: group without ".k8s.io", dot-separated words capitalised. */
function naming(gv: GroupVersion): NamingContext {
  const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
  const words = gv.group === '' ? ['core'] : gv.group.replace(/\.k8s\.io$/, '').split(/[.-]/);
  const groupPart = words.map(capital).join('');
  return {
    prefix: `${groupPart}${capital(gv.version)}`,
    tag: `${groupPart.charAt(0).toLowerCase()}${groupPart.slice(1)}_${gv.version}`,
  };
}

interface OperationSpec {
  verb: string;
  action: Action;
  subject: string;
  gvk: Gvk;
  description: string;
  parameters?: Parameter[];
  requestBody?: RawSchema;
  responses: RawSchema;
}

function operation(ctx: NamingContext, spec: OperationSpec): RawSchema {
  const op: RawSchema = {
    description: spec.description,
    operationId: `${spec.verb}${ctx.prefix}${spec.subject}`,
  };
  if (spec.parameters) op.parameters = spec.parameters;
  if (spec.requestBody) op.requestBody = spec.requestBody;
  op.responses = spec.responses;
  op.tags = [ctx.tag];
  op['x-kubernetes-action'] = spec.action;
  op['x-kubernetes-group-version-kind'] = spec.gvk;
  return op;
}

const bodyOf = (schemaName: string): RawSchema => ({ content: { '*/*': { schema: refTo(schemaName) } }, required: true });
const patchBody = (isCustom: boolean): RawSchema => ({
  content: Object.fromEntries(patchMediaTypes(isCustom).map((m) => [m, { schema: refTo(META.patch) }])),
  required: true,
});

/** Where a resource's schemas live in components. Kinds served without `list` (the reviews) have no list schema. */
interface KindNames { kind: string; list: string | undefined }

/** The schema names apiextensions-apiserver gives a custom kind: reversed group, version, kind. */
export function customDefinitionName(group: string, version: string, kind: string): string {
  return `${group.split('.').reverse().join('.')}.${version}.${kind}`;
}

function kindNames(r: ResourceType): KindNames {
  if (r.isCustom) {
    const kind = customDefinitionName(r.group, r.version, r.kind);
    return { kind, list: customDefinitionName(r.group, r.version, r.listKind) };
  }
  return {
    kind: builtinNameOrThrow({ group: r.group, version: r.version, kind: r.kind }),
    list: r.verbs.includes('list') ? builtinNameOrThrow({ group: r.group, version: r.version, kind: r.listKind }) : undefined,
  };
}

function builtinNameOrThrow(gvk: Gvk): string {
  const name = builtinDefinitionName(gvk.group, gvk.version, gvk.kind);
  if (name === undefined) throw new Error(`openapi: no vendored schema for ${gvk.group}/${gvk.version} ${gvk.kind}`);
  return name;
}

/** Adds the paths of one resource (collection, item, watch, subresources), for the verbs it serves. */
function addResourcePaths(paths: Record<string, RawSchema>, root: string, ctx: NamingContext, r: ResourceType): void {
  const names = kindNames(r);
  const gvk: Gvk = { group: r.group, version: r.version, kind: r.kind };
  const verbs = new Set(r.verbs);
  const scoped = r.namespaced ? `Namespaced${r.kind}` : r.kind;
  const scopeParameters = r.namespaced ? [P.namespace] : [];
  const collection = r.namespaced ? `${root}/namespaces/{namespace}/${r.plural}` : `${root}/${r.plural}`;
  const item = `${collection}/{name}`;
  const nameParam = nameParameter(`name of the ${r.kind}`);
  const op = (spec: OperationSpec) => operation(ctx, spec);
  const deleted = r.returnDeletedObject ? names.kind : META.status;

  const collectionPath: RawSchema = {};
  if (verbs.has('list')) {
    collectionPath.get = op({ verb: 'list', action: 'list', subject: scoped, gvk, description: `list or watch objects of kind ${r.kind}`,
      parameters: LIST_PARAMETERS, responses: responses(names.list!, [200], STREAM_MEDIA_TYPES) });
  }
  if (verbs.has('create')) {
    collectionPath.post = op({ verb: 'create', action: 'post', subject: scoped, gvk, description: `create ${article(r.kind)}`,
      parameters: WRITE_PARAMETERS, requestBody: bodyOf(names.kind), responses: responses(names.kind, [200, 201, 202]) });
  }
  if (verbs.has('deletecollection')) {
    collectionPath.delete = op({ verb: 'delete', action: 'deletecollection', subject: `Collection${scoped}`, gvk,
      description: `delete collection of ${r.kind}`, parameters: DELETECOLLECTION_PARAMETERS,
      requestBody: { content: { '*/*': { schema: refTo(META.deleteOptions) } } }, responses: responses(META.status, [200]) });
  }
  if (Object.keys(collectionPath).length > 0) paths[collection] = { ...collectionPath, parameters: [...scopeParameters, P.pretty] };

  const itemPath: RawSchema = {};
  if (verbs.has('get')) {
    itemPath.get = op({ verb: 'read', action: 'get', subject: scoped, gvk, description: `read the specified ${r.kind}`,
      responses: responses(names.kind, [200]) });
  }
  if (verbs.has('update')) {
    itemPath.put = op({ verb: 'replace', action: 'put', subject: scoped, gvk, description: `replace the specified ${r.kind}`,
      parameters: WRITE_PARAMETERS, requestBody: bodyOf(names.kind), responses: responses(names.kind, [200, 201]) });
  }
  if (verbs.has('patch')) {
    itemPath.patch = op({ verb: 'patch', action: 'patch', subject: scoped, gvk, description: `partially update the specified ${r.kind}`,
      parameters: PATCH_PARAMETERS, requestBody: patchBody(r.isCustom), responses: responses(names.kind, [200, 201]) });
  }
  if (verbs.has('delete')) {
    itemPath.delete = op({ verb: 'delete', action: 'delete', subject: scoped, gvk, description: `delete ${article(r.kind)}`,
      parameters: DELETE_PARAMETERS, requestBody: { content: { '*/*': { schema: refTo(META.deleteOptions) } } },
      responses: responses(deleted, [200, 202]) });
  }
  const itemParameters = [nameParam, ...scopeParameters, P.pretty];
  if (Object.keys(itemPath).length > 0) paths[item] = { ...itemPath, parameters: itemParameters };

  if (verbs.has('watch')) {
    const watchCollection = r.namespaced ? `${root}/watch/namespaces/{namespace}/${r.plural}` : `${root}/watch/${r.plural}`;
    paths[watchCollection] = {
      get: op({ verb: 'watch', action: 'watchlist', subject: `${scoped}List`, gvk,
        description: `watch individual changes to a list of ${r.kind}. deprecated: use the 'watch' parameter with a list operation instead.`,
        responses: responses(META.watchEvent, [200], STREAM_MEDIA_TYPES) }),
      parameters: pathParameters(scopeParameters),
    };
    paths[`${watchCollection}/{name}`] = {
      get: op({ verb: 'watch', action: 'watch', subject: scoped, gvk,
        description: `watch changes to an object of kind ${r.kind}. deprecated: use the 'watch' parameter with a list operation instead, filtered to a single item with the 'fieldSelector' parameter.`,
        responses: responses(META.watchEvent, [200], STREAM_MEDIA_TYPES) }),
      parameters: pathParameters([nameParam, ...scopeParameters]),
    };
  }
  if (r.namespaced && verbs.has('list')) {
    paths[`${root}/${r.plural}`] = {
      get: op({ verb: 'list', action: 'list', subject: `${r.kind}ForAllNamespaces`, gvk,
        description: `list or watch objects of kind ${r.kind}`, responses: responses(names.list!, [200], STREAM_MEDIA_TYPES) }),
      parameters: pathParameters([]),
    };
    if (verbs.has('watch')) {
      paths[`${root}/watch/${r.plural}`] = {
        get: op({ verb: 'watch', action: 'watchlist', subject: `${r.kind}ListForAllNamespaces`, gvk,
          description: `watch individual changes to a list of ${r.kind}. deprecated: use the 'watch' parameter with a list operation instead.`,
          responses: responses(META.watchEvent, [200], STREAM_MEDIA_TYPES) }),
        parameters: pathParameters([]),
      };
    }
  }

  const subresource = (name: string, subVerbs: string[], subGvk: Gvk, schemaName: string) => {
    const sub = `${name.charAt(0).toUpperCase()}${name.slice(1)}`;
    const path: RawSchema = {};
    const subject = `${scoped}${sub}`;
    const what = name === 'status' ? `status of the specified ${r.kind}` : `${name} of the specified ${r.kind}`;
    for (const verb of subVerbs) {
      if (verb === 'get') {
        path.get = op({ verb: 'read', action: 'get', subject, gvk: subGvk, description: `read ${what}`, responses: responses(schemaName, [200]) });
      } else if (verb === 'update') {
        path.put = op({ verb: 'replace', action: 'put', subject, gvk: subGvk, description: `replace ${what}`,
          parameters: WRITE_PARAMETERS, requestBody: bodyOf(schemaName), responses: responses(schemaName, [200, 201]) });
      } else if (verb === 'patch') {
        path.patch = op({ verb: 'patch', action: 'patch', subject, gvk: subGvk, description: `partially update ${what}`,
          parameters: PATCH_PARAMETERS, requestBody: patchBody(r.isCustom), responses: responses(schemaName, [200, 201]) });
      } else if (verb === 'create') {
        path.post = op({ verb: 'create', action: 'post', subject, gvk: subGvk, description: `create ${name} of ${article(r.kind)}`,
          parameters: WRITE_PARAMETERS, requestBody: bodyOf(schemaName), responses: responses(schemaName, [200, 201, 202]) });
      }
    }
    paths[`${item}/${name}`] = { ...path, parameters: itemParameters };
  };
  if (r.subresources.status) subresource('status', ['get', 'patch', 'update'], gvk, names.kind);
  if (r.subresources.scale) {
    const scale = { group: 'autoscaling', version: 'v1', kind: 'Scale' };
    subresource('scale', ['get', 'patch', 'update'], scale, builtinNameOrThrow(scale));
  }
  for (const extra of r.subresources.extra ?? []) {
    const extraGvk = { group: extra.group ?? r.group, version: extra.version ?? r.version, kind: extra.kind };
    subresource(extra.name, extra.verbs, extraGvk, builtinNameOrThrow(extraGvk));
  }
}

function article(kind: string): string {
  return /^[AEIOU]/.test(kind) ? `an ${kind}` : `a ${kind}`;
}

/** A custom kind's schema wrapped as apiextensions-apiserver's OpenAPI builder does (buildKubeNative). */
function customKindSchema(r: ResourceType, schema: SchemaNode | undefined): RawSchema {
  const base: RawSchema = schema ? (cloneJson(schema) as RawSchema) : { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  base.type = 'object';
  base.properties = {
    ...(base.properties as Record<string, RawSchema> | undefined),
    apiVersion: { description: DESCRIPTIONS.apiVersion, type: 'string' },
    kind: { description: DESCRIPTIONS.kind, type: 'string' },
    metadata: { allOf: [refTo(META.objectMeta)], description: DESCRIPTIONS.metadata },
  };
  base['x-kubernetes-group-version-kind'] = [{ group: r.group, kind: r.kind, version: r.version }];
  return base;
}

function customListSchema(r: ResourceType, kindName: string): RawSchema {
  return {
    description: `${r.kind}List is a list of ${r.kind}`,
    type: 'object',
    required: ['items'],
    properties: {
      apiVersion: { description: DESCRIPTIONS.apiVersion, type: 'string' },
      items: { description: `List of ${r.plural}. More info: https://git.k8s.io/community/contributors/devel/api-conventions.md`, type: 'array', items: refTo(kindName) },
      kind: { description: DESCRIPTIONS.kind, type: 'string' },
      metadata: { allOf: [refTo(META.listMeta)], description: DESCRIPTIONS.listMetadata },
    },
    'x-kubernetes-group-version-kind': [{ group: r.group, kind: r.listKind, version: r.version }],
  };
}

/** Every definition name referenced (transitively through vendored definitions) from the given values. */
function collectReferences(roots: unknown[], builtins: Readonly<Record<string, RawSchema>>): Set<string> {
  const found = new Set<string>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) { for (const v of value) visit(v); return; }
    if (value === null || typeof value !== 'object') return;
    const name = referencedName(value as RawSchema);
    if (name !== undefined && !found.has(name)) {
      found.add(name);
      if (builtins[name]) visit(builtins[name]);
    }
    for (const v of Object.values(value)) visit(v);
  };
  for (const root of roots) visit(root);
  return found;
}

/**
 * The OpenAPI 3.0 document for one served group-version: paths for each resource (collection, item, watch,
 * /status, /scale and extra subresources such as pods/eviction), each operation with operationId,
 * x-kubernetes-action and x-kubernetes-group-version-kind; components.schemas with the kinds, their lists and
 * everything they reference (ObjectMeta included, so `kubectl explain <crd>.metadata` works). Built-in kinds come
 * from the vendored schemas; custom kinds from `crdSchemas` (kind -> openAPIV3Schema of this version).
 */
export function buildGroupVersionDocument(gv: GroupVersion, resources: ResourceType[], crdSchemas: Map<string, SchemaNode>): object {
  const root = gv.group === '' ? `/api/${gv.version}` : `/apis/${gv.group}/${gv.version}`;
  const ctx = naming(gv);
  const builtins = builtinDefinitions();
  const paths: Record<string, RawSchema> = {};
  const schemas: Record<string, RawSchema> = {};
  for (const r of resources) {
    if (r.group !== gv.group || r.version !== gv.version) throw new Error(`openapi: ${r.plural} is not in ${root}`);
    addResourcePaths(paths, root, ctx, r);
    if (r.isCustom) {
      const names = kindNames(r);
      schemas[names.kind] = customKindSchema(r, crdSchemas.get(r.kind));
      schemas[customDefinitionName(r.group, r.version, r.listKind)] = customListSchema(r, names.kind);
    }
  }
  for (const name of collectReferences([paths, schemas], builtins)) {
    if (schemas[name]) continue;
    const definition = builtins[name];
    if (!definition) throw new Error(`openapi: ${root} references unknown schema ${name}`);
    schemas[name] = definition;
  }
  const sortedSchemas = Object.fromEntries(Object.keys(schemas).sort().map((k) => [k, schemas[k]]));
  return {
    openapi: '3.0.0',
    info: API_INFO,
    paths,
    components: { schemas: sortedSchemas, securitySchemes: SECURITY_SCHEMES },
    security: SECURITY,
  };
}
