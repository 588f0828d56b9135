// Nodes: readiness, roles (node-role.kubernetes.io/* labels, as `kubectl get nodes` shows them), kubelet version and
// the Machine each Node belongs to (the annotation nodelink writes).
import { useMemo } from 'react';
import { useLocation } from 'wouter';
import type { KubeObject } from '../../../operators/runtime/watcher.ts';
import { NODE_RESOURCE } from '../api/resources.ts';
import { ErrorBanner } from '../components/error-banner.tsx';
import { ResourceTable, type Column } from '../components/resource-table.tsx';
import { useNow, useWatchedList } from '../hooks/api.tsx';
import { conditionStatus, createdAt, formatAge } from '../lib/format.ts';

export interface Node extends KubeObject {
  readonly spec?: { readonly unschedulable?: boolean };
  readonly status?: { readonly conditions?: readonly { type: string; status: string }[]; readonly nodeInfo?: { readonly kubeletVersion?: string } };
}

const ROLE_PREFIX = 'node-role.kubernetes.io/';
const NODE_MACHINE_ANNOTATION = 'machine.openshift.io/machine';

/** kubectl's STATUS column (printers.go printNode): Ready/NotReady/Unknown, then SchedulingDisabled. */
export function nodeStatus(node: Node): string {
  const ready = conditionStatus(node.status?.conditions, 'Ready');
  const base = ready === 'True' ? 'Ready' : ready === 'False' ? 'NotReady' : 'Unknown';
  return node.spec?.unschedulable ? `${base},SchedulingDisabled` : base;
}

function nodeColumns(now: number): Column<Node>[] {
  return [
    { id: 'name', header: 'Name', value: (n) => n.metadata?.name ?? '' },
    { id: 'status', header: 'Status', value: nodeStatus },
    { id: 'roles', header: 'Roles', value: (n) => Object.keys(n.metadata?.labels ?? {}).filter((k) => k.startsWith(ROLE_PREFIX)).map((k) => k.slice(ROLE_PREFIX.length)).sort().join(',') || '<none>' },
    { id: 'version', header: 'Version', value: (n) => n.status?.nodeInfo?.kubeletVersion ?? '' },
    { id: 'machine', header: 'Machine', value: (n) => n.metadata?.annotations?.[NODE_MACHINE_ANNOTATION] ?? '' },
    { id: 'age', header: 'Age', value: (n) => formatAge(createdAt(n), now) },
  ];
}

export function NodesPage() {
  const state = useWatchedList<Node>({ resource: NODE_RESOURCE });
  const now = useNow();
  const [, navigate] = useLocation();
  const columns = useMemo(() => nodeColumns(now), [now]);
  return (
    <>
      <h1>Nodes</h1>
      <ErrorBanner error={state.error} />
      {state.synced
        ? <ResourceTable label="Nodes" items={state.items} columns={columns} rowKey={(n) => n.metadata?.name ?? ''}
            onOpen={(n) => navigate(`/nodes/${n.metadata?.name}`)} filterColumns={['status', 'roles', 'machine']} />
        : !state.error && <p className="loading">Loading…</p>}
    </>
  );
}
