// Turns an accepted CustomResourceDefinition into the resources it serves: one per served version, each
// with that version's schema, printer columns and subresources (shared/reference/apiserver.md §9.3).
import { withClusterOperatorMessage } from '../table/cluster-operator-message.ts';
import { customResourcePrinter, evaluateJsonPath } from '../table/index.ts';
import type { KubeObject, PrinterColumn, SchemaNode } from '../types.ts';
import type { ServedResource } from './registry.ts';

interface CrdVersion {
  name: string;
  served: boolean;
  storage: boolean;
  deprecated?: boolean;
  deprecationWarning?: string;
  schema?: { openAPIV3Schema?: SchemaNode };
  subresources?: { status?: object; scale?: { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath?: string } };
  additionalPrinterColumns?: PrinterColumn[];
  selectableFields?: Array<{ jsonPath: string }>;
}

export interface CrdSpec {
  group: string;
  names: { plural: string; singular?: string; kind: string; listKind?: string; shortNames?: string[]; categories?: string[] };
  scope: 'Namespaced' | 'Cluster';
  versions: CrdVersion[];
}

const CRD_VERBS = ['delete', 'deletecollection', 'get', 'list', 'patch', 'create', 'update', 'watch'];

export function crdResources(crd: KubeObject): ServedResource[] {
  const spec = crd.spec as CrdSpec;
  const storageVersion = spec.versions.find((v) => v.storage)?.name ?? spec.versions[0].name;
  return spec.versions.filter((v) => v.served).map((version): ServedResource => {
    const columns = version.additionalPrinterColumns?.map((c) => ({ ...c, priority: c.priority ?? 0 }));
    const selectable: Record<string, (obj: KubeObject) => string | undefined> = {};
    for (const field of version.selectableFields ?? []) {
      const path = field.jsonPath;
      selectable[path.replace(/^\./, '')] = (obj) => {
        const value = evaluateJsonPath(obj, path)[0];
        return value === undefined || value === null ? '' : String(value);
      };
    }
    return {
      group: spec.group,
      version: version.name,
      kind: spec.names.kind,
      listKind: spec.names.listKind ?? `${spec.names.kind}List`,
      plural: spec.names.plural,
      singular: spec.names.singular ?? spec.names.kind.toLowerCase(),
      namespaced: spec.scope === 'Namespaced',
      shortNames: spec.names.shortNames ?? [],
      categories: spec.names.categories ?? [],
      verbs: CRD_VERBS,
      storageKey: `${spec.group}/${spec.names.plural}`,
      storageVersion,
      subresources: {
        status: version.subresources?.status !== undefined,
        scale: version.subresources?.scale,
      },
      isCustom: true,
      hasGeneration: true,
      allowUnconditionalUpdate: false,
      returnDeletedObject: false,
      schema: version.schema?.openAPIV3Schema,
      fieldSelectors: selectable,
      printer: spec.group === 'config.openshift.io' && spec.names.kind === 'ClusterOperator'
        ? withClusterOperatorMessage(customResourcePrinter(columns))
        : customResourcePrinter(columns),
      deprecationWarning: version.deprecated
        ? version.deprecationWarning ?? `${spec.group}/${version.name} ${spec.names.kind} is deprecated`
        : undefined,
      strategy: {},
      crdName: crd.metadata.name,
    };
  });
}
