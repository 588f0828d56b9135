// Node rows, after printers.go printNode: STATUS from the Ready condition (plus ",SchedulingDisabled" when
// cordoned), ROLES from node-role.kubernetes.io/<role> and kubernetes.io/role labels, AGE, VERSION; wide:
// INTERNAL-IP, EXTERNAL-IP, OS-IMAGE, KERNEL-VERSION, CONTAINER-RUNTIME.
import type { Json, KubeObject } from '../../types.ts';
import { FIELD_DOCS, OBJECT_META_DOCS } from '../descriptions.ts';
import { translateTimestampSince } from '../duration.ts';
import type { Printer } from '../table.ts';
import { arr, at, obj, str } from './access.ts';

const ROLE_PREFIX = 'node-role.kubernetes.io/';
const ROLE_LABEL = 'kubernetes.io/role';

function nodeStatus(node: KubeObject): string {
  const ready = arr(at(node, 'status', 'conditions')).map(obj).filter((c) => str(c.type) === 'Ready').at(-1);
  const status = [ready === undefined ? 'Unknown' : str(ready.status) === 'True' ? 'Ready' : 'NotReady'];
  if (at(node, 'spec', 'unschedulable') === true) status.push('SchedulingDisabled');
  return status.join(',');
}

/** findNodeRoles: a sorted set of role names. */
function nodeRoles(node: KubeObject): string {
  const roles = new Set<string>();
  for (const [key, value] of Object.entries(node.metadata.labels ?? {})) {
    if (key.startsWith(ROLE_PREFIX) && key.length > ROLE_PREFIX.length) roles.add(key.slice(ROLE_PREFIX.length));
    else if (key === ROLE_LABEL && value !== '') roles.add(value);
  }
  return roles.size === 0 ? '<none>' : [...roles].sort().join(',');
}

function address(node: KubeObject, type: string): string {
  return str(arr(at(node, 'status', 'addresses')).map(obj).find((a) => str(a.type) === type)?.address) || '<none>';
}

export const nodePrinter: Printer = {
  columns: [
    { name: 'Status', type: 'string', format: '', description: 'The status of the node', priority: 0 },
    { name: 'Roles', type: 'string', format: '', description: 'The roles of the node', priority: 0 },
    { name: 'Age', type: 'string', format: '', description: OBJECT_META_DOCS.creationTimestamp, priority: 0 },
    { name: 'Version', type: 'string', format: '', description: FIELD_DOCS.kubeletVersion, priority: 0 },
    { name: 'Internal-IP', type: 'string', format: '', description: FIELD_DOCS.nodeAddresses, priority: 1 },
    { name: 'External-IP', type: 'string', format: '', description: FIELD_DOCS.nodeAddresses, priority: 1 },
    { name: 'OS-Image', type: 'string', format: '', description: FIELD_DOCS.osImage, priority: 1 },
    { name: 'Kernel-Version', type: 'string', format: '', description: FIELD_DOCS.kernelVersion, priority: 1 },
    { name: 'Container-Runtime', type: 'string', format: '', description: FIELD_DOCS.containerRuntimeVersion, priority: 1 },
  ],
  cells(node, now): Json[] {
    const info = obj(at(node, 'status', 'nodeInfo'));
    return [
      nodeStatus(node),
      nodeRoles(node),
      translateTimestampSince(node.metadata.creationTimestamp, now),
      str(info.kubeletVersion),
      address(node, 'InternalIP'),
      address(node, 'ExternalIP'),
      str(info.osImage) || '<unknown>',
      str(info.kernelVersion) || '<unknown>',
      str(info.containerRuntimeVersion) || '<unknown>',
    ];
  },
};
