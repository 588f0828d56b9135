// ResourceType values for the openapi tests: only the fields the document builder reads differ between them.
import type { ResourceType } from '../types.ts';

const STANDARD_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

export function resourceType(fields: Pick<ResourceType, 'group' | 'version' | 'kind' | 'plural'> & Partial<ResourceType>): ResourceType {
  // Table printing plays no part in OpenAPI documents.
  return {
    listKind: `${fields.kind}List`,
    singular: fields.kind.toLowerCase(),
    namespaced: true,
    shortNames: [],
    categories: [],
    verbs: STANDARD_VERBS,
    storageKey: `${fields.group}/${fields.plural}`,
    storageVersion: fields.version,
    subresources: {},
    isCustom: false,
    hasGeneration: false,
    allowUnconditionalUpdate: true,
    returnDeletedObject: false,
    fieldSelectors: {},
    printer: { columns: [], cells: () => [] },
    ...fields,
  };
}

export const configMaps = resourceType({ group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps' });

export const pods = resourceType({
  group: '', version: 'v1', kind: 'Pod', plural: 'pods', returnDeletedObject: true,
  subresources: { status: true, extra: [{ name: 'eviction', group: 'policy', version: 'v1', kind: 'Eviction', verbs: ['create'] }] },
});

export const machineSets = resourceType({
  group: 'machine.openshift.io', version: 'v1beta1', kind: 'MachineSet', plural: 'machinesets', isCustom: true,
  hasGeneration: true, allowUnconditionalUpdate: false,
  subresources: { status: true, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' } },
});
