// Built-in printers by "group/Kind" ("" group for core), mimicking kube-apiserver 1.32
// (pkg/printers/internalversion/printers.go). Kinds absent here use defaultPrinter ("Created At").
import { defaultPrinter } from '../table.ts';
import type { Printer } from '../table.ts';
import {
  clusterRoleBindingPrinter, configMapPrinter, deploymentPrinter, leasePrinter, namespacePrinter,
  podDisruptionBudgetPrinter, roleBindingPrinter, secretPrinter, serviceAccountPrinter, servicePrinter,
} from './basic.ts';
import { eventPrinter } from './event.ts';
import { nodePrinter } from './node.ts';
import { podPrinter } from './pod.ts';

export const builtinPrinters: Readonly<Record<string, Printer>> = {
  '/Namespace': namespacePrinter,
  '/Node': nodePrinter,
  '/Pod': podPrinter,
  '/ConfigMap': configMapPrinter,
  '/Secret': secretPrinter,
  '/ServiceAccount': serviceAccountPrinter,
  '/Service': servicePrinter,
  '/Event': eventPrinter,
  // events.k8s.io is served from the same storage and printed by the same (internal core Event) printer.
  'events.k8s.io/Event': eventPrinter,
  'coordination.k8s.io/Lease': leasePrinter,
  'apps/Deployment': deploymentPrinter,
  'policy/PodDisruptionBudget': podDisruptionBudgetPrinter,
  'rbac.authorization.k8s.io/RoleBinding': roleBindingPrinter,
  'rbac.authorization.k8s.io/ClusterRoleBinding': clusterRoleBindingPrinter,
  // No printer upstream: the default table convertor's "Created At".
  'rbac.authorization.k8s.io/Role': defaultPrinter,
  'rbac.authorization.k8s.io/ClusterRole': defaultPrinter,
  'apiextensions.k8s.io/CustomResourceDefinition': defaultPrinter,
};

/** The printer for a built-in kind: its own, or the default "Created At" one. */
export function builtinPrinterFor(group: string, kind: string): Printer {
  return builtinPrinters[`${group}/${kind}`] ?? defaultPrinter;
}
