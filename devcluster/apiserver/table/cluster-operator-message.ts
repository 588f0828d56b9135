// OpenShift's kube-apiserver adds a MESSAGE column to ClusterOperator tables in code, not through the CRD
// (openshift/kubernetes apiextensions-apiserver tableconvertor/patch_clusteroperators.go), so `kubectl get
// clusteroperators` here shows what `oc get clusteroperators` shows.
import { clusterOperatorMessage, type ClusterOperatorStatus } from '../../../operators/api/config-v1.ts';
import type { KubeObject, TablePrinter } from '../types.ts';

export function withClusterOperatorMessage(printer: TablePrinter): TablePrinter {
  return {
    columns: [...printer.columns, { name: 'Message', type: 'string', format: '', description: 'The message of the most critical condition', priority: 0 }],
    cells: (obj: KubeObject, now: Date) => [...printer.cells(obj, now), clusterOperatorMessage(obj.status as ClusterOperatorStatus | undefined) ?? null],
    omitNameColumn: printer.omitNameColumn,
  };
}
