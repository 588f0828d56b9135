// Printers whose cells are direct reads of a few fields, after pkg/printers/internalversion/printers.go
// (printNamespace, printConfigMap, printSecret, printServiceAccount, printLease, printService, printDeployment,
// printPodDisruptionBudget, printRoleBinding, printClusterRoleBinding).
import { labelSelectorToString } from '../../selectors/index.ts';
import type { LabelSelectorObject } from '../../selectors/index.ts';
import type { Json, KubeObject, PrinterColumn } from '../../types.ts';
import { FIELD_DOCS, OBJECT_META_DOCS } from '../descriptions.ts';
import { translateTimestampSince } from '../duration.ts';
import type { Printer } from '../table.ts';
import { arr, at, containerCells, formatLabels, int, intOrString, obj, str } from './access.ts';

const column = (name: string, type: PrinterColumn['type'], description: string, priority = 0): PrinterColumn =>
  ({ name, type, format: '', description, priority });

const AGE = column('Age', 'string', OBJECT_META_DOCS.creationTimestamp);

const age = (o: KubeObject, now: Date): string => translateTimestampSince(o.metadata.creationTimestamp, now);

const countKeys = (value: unknown): number => Object.keys(obj(value)).length;

export const namespacePrinter: Printer = {
  columns: [column('Status', 'string', 'The status of the namespace'), AGE],
  cells: (ns, now) => [str(at(ns, 'status', 'phase')), age(ns, now)],
};

export const configMapPrinter: Printer = {
  columns: [column('Data', 'string', FIELD_DOCS.configMapData), AGE],
  cells: (cm, now) => [countKeys(cm.data) + countKeys(cm.binaryData), age(cm, now)],
};

export const secretPrinter: Printer = {
  columns: [column('Type', 'string', FIELD_DOCS.secretType), column('Data', 'string', FIELD_DOCS.secretData), AGE],
  cells: (secret, now) => [str(secret.type), countKeys(secret.data), age(secret, now)],
};

export const serviceAccountPrinter: Printer = {
  columns: [column('Secrets', 'string', FIELD_DOCS.serviceAccountSecrets), AGE],
  cells: (sa, now) => [arr(sa.secrets).length, age(sa, now)],
};

export const leasePrinter: Printer = {
  columns: [column('Holder', 'string', FIELD_DOCS.leaseHolderIdentity), AGE],
  cells: (lease, now) => [str(at(lease, 'spec', 'holderIdentity')), age(lease, now)],
};

/** loadBalancerStatusStringer in wide mode (the server always renders wide): sorted unique IPs or hostnames. */
function loadBalancerIngress(svc: KubeObject): string[] {
  const hosts = arr(at(svc, 'status', 'loadBalancer', 'ingress')).map(obj).map((i) => str(i.ip) || str(i.hostname)).filter((h) => h !== '');
  return [...new Set(hosts)].sort();
}

/** getServiceExternalIP. */
function serviceExternalIP(svc: KubeObject, type: string): string {
  const externalIPs = arr(at(svc, 'spec', 'externalIPs')).map(str);
  switch (type) {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length > 0 ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = loadBalancerIngress(svc);
      if (externalIPs.length > 0) return [...lb, ...externalIPs].join(',');
      return lb.length > 0 ? lb.join(',') : '<pending>';
    }
    case 'ExternalName':
      return str(at(svc, 'spec', 'externalName'));
    default:
      return '<unknown>';
  }
}

/** makePortString: "80/TCP", "80:30080/TCP". */
function servicePorts(svc: KubeObject): string {
  const ports = arr(at(svc, 'spec', 'ports')).map(obj).map((p) => {
    const protocol = str(p.protocol) || 'TCP';
    return int(p.nodePort) > 0 ? `${int(p.port)}:${int(p.nodePort)}/${protocol}` : `${int(p.port)}/${protocol}`;
  });
  return ports.length > 0 ? ports.join(',') : '<none>';
}

export const servicePrinter: Printer = {
  columns: [
    column('Type', 'string', FIELD_DOCS.serviceType),
    column('Cluster-IP', 'string', FIELD_DOCS.clusterIP),
    column('External-IP', 'string', FIELD_DOCS.externalIPs),
    column('Port(s)', 'string', FIELD_DOCS.servicePorts),
    AGE,
    column('Selector', 'string', FIELD_DOCS.serviceSelector, 1),
  ],
  cells(svc, now): Json[] {
    const spec = obj(svc.spec);
    // Stored Services are defaulted (type ClusterIP); clusterIPs is filled from clusterIP by the v1 conversion.
    const type = str(spec.type) || 'ClusterIP';
    const clusterIP = str(arr(spec.clusterIPs)[0]) || str(spec.clusterIP) || '<none>';
    return [type, clusterIP, serviceExternalIP(svc, type), servicePorts(svc), age(svc, now), formatLabels(spec.selector)];
  },
};

/** The Deployment's selector as LabelSelectorAsSelector(...).String(), "<invalid>" when it does not convert. */
function deploymentSelector(deployment: KubeObject): string {
  try {
    return labelSelectorToString(at(deployment, 'spec', 'selector') as LabelSelectorObject | undefined);
  } catch {
    return '<invalid>';
  }
}

export const deploymentPrinter: Printer = {
  columns: [
    column('Ready', 'string', 'Number of the pod with ready state'),
    column('Up-to-date', 'string', FIELD_DOCS.deploymentUpdatedReplicas),
    column('Available', 'string', FIELD_DOCS.deploymentAvailableReplicas),
    AGE,
    column('Containers', 'string', 'Names of each container in the template.', 1),
    column('Images', 'string', 'Images referenced by each container in the template.', 1),
    column('Selector', 'string', FIELD_DOCS.deploymentSelector, 1),
  ],
  cells(deployment, now): Json[] {
    const status = obj(deployment.status);
    // spec.replicas is defaulted to 1 on create.
    const desired = typeof at(deployment, 'spec', 'replicas') === 'number' ? int(at(deployment, 'spec', 'replicas')) : 1;
    const [names, images] = containerCells(at(deployment, 'spec', 'template', 'spec', 'containers'));
    return [
      `${int(status.readyReplicas)}/${desired}`,
      int(status.updatedReplicas),
      int(status.availableReplicas),
      age(deployment, now),
      names,
      images,
      deploymentSelector(deployment),
    ];
  },
};

export const podDisruptionBudgetPrinter: Printer = {
  columns: [
    column('Min Available', 'string', 'The minimum number of pods that must be available.'),
    column('Max Unavailable', 'string', 'The maximum number of pods that may be unavailable.'),
    column('Allowed Disruptions', 'integer', 'Calculated number of pods that may be disrupted at this time.'),
    AGE,
  ],
  cells(pdb, now): Json[] {
    const spec = obj(pdb.spec);
    const orNA = (value: unknown): string => (value === undefined || value === null ? 'N/A' : intOrString(value));
    return [orNA(spec.minAvailable), orNA(spec.maxUnavailable), int(at(pdb, 'status', 'disruptionsAllowed')), age(pdb, now)];
  },
};

/** rbac.SubjectsStrings: users, groups and "namespace/name" service accounts, each joined with ", ". */
function subjects(binding: KubeObject): [string, string, string] {
  const list = arr(binding.subjects).map(obj);
  const of = (kind: string, render: (s: Record<string, unknown>) => string): string =>
    list.filter((s) => str(s.kind) === kind).map(render).join(', ');
  return [
    of('User', (s) => str(s.name)),
    of('Group', (s) => str(s.name)),
    of('ServiceAccount', (s) => `${str(s.namespace)}/${str(s.name)}`),
  ];
}

function bindingPrinter(roleRefDoc: string, subjectOwner: string): Printer {
  return {
    columns: [
      column('Role', 'string', roleRefDoc),
      AGE,
      column('Users', 'string', `Users in the ${subjectOwner}`, 1),
      column('Groups', 'string', `Groups in the ${subjectOwner}`, 1),
      column('ServiceAccounts', 'string', `ServiceAccounts in the ${subjectOwner}`, 1),
    ],
    cells(binding, now): Json[] {
      const roleRef = obj(binding.roleRef);
      return [`${str(roleRef.kind)}/${str(roleRef.name)}`, age(binding, now), ...subjects(binding)];
    },
  };
}

export const roleBindingPrinter = bindingPrinter(FIELD_DOCS.roleBindingRoleRef, 'roleBinding');
export const clusterRoleBindingPrinter = bindingPrinter(FIELD_DOCS.clusterRoleBindingRoleRef, 'clusterRoleBinding');
