// The kinds the console shows and their REST paths. The Machine API and config.openshift.io identities come from the
// operators' own typed models (operators/api/), so the console and the operators cannot drift apart.
import type { ApiResource } from '../../../operators/api/machine-v1beta1.ts';

export { MACHINE_RESOURCE, MACHINE_SET_RESOURCE, MACHINE_SET_LABEL, REGION_LABEL, ZONE_LABEL, INSTANCE_TYPE_LABEL } from '../../../operators/api/machine-v1beta1.ts';
export { CLUSTER_OPERATOR_RESOURCE, CLUSTER_VERSION_RESOURCE, CLUSTER_VERSION_NAME } from '../../../operators/api/config-v1.ts';
export type { ApiResource };

export const NODE_RESOURCE = {
  group: '', version: 'v1', apiVersion: 'v1', kind: 'Node', listKind: 'NodeList', plural: 'nodes', singular: 'node', namespaced: false,
} as const satisfies ApiResource;

/** /api/v1 for the core group, /apis/<group>/<version> otherwise. */
function groupVersionPath(r: ApiResource): string {
  return r.group === '' ? `/api/${r.version}` : `/apis/${r.group}/${r.version}`;
}

/** The collection: all namespaces when `namespace` is undefined (or the kind is cluster-scoped). */
export function collectionPath(r: ApiResource, namespace?: string): string {
  const ns = r.namespaced && namespace !== undefined ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${groupVersionPath(r)}${ns}/${r.plural}`;
}

export function objectPath(r: ApiResource, namespace: string | undefined, name: string): string {
  return `${collectionPath(r, namespace)}/${encodeURIComponent(name)}`;
}

/** One object watched as a list of at most one: the collection with `fieldSelector=metadata.name=<name>`. */
export function singleObjectQuery(name: string): string {
  return `fieldSelector=${encodeURIComponent(`metadata.name=${name}`)}`;
}
