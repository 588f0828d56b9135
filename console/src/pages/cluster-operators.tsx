// ClusterOperators with `oc get clusteroperators` columns, MESSAGE included (computed as OpenShift's API server does).
import { useMemo } from 'react';
import { useLocation } from 'wouter';
import { clusterOperatorMessage, type ClusterOperator } from '../../../operators/api/config-v1.ts';
import { CLUSTER_OPERATOR_RESOURCE } from '../api/resources.ts';
import { ErrorBanner } from '../components/error-banner.tsx';
import { ResourceTable, type Column } from '../components/resource-table.tsx';
import { useNow, useWatchedList } from '../hooks/api.tsx';
import { conditionStatus, formatAge } from '../lib/format.ts';

function operatorColumns(now: number): Column<ClusterOperator>[] {
  const cond = (type: string) => (co: ClusterOperator) => conditionStatus(co.status?.conditions, type);
  return [
    { id: 'name', header: 'Name', value: (co) => co.metadata?.name ?? '' },
    { id: 'version', header: 'Version', value: (co) => co.status?.versions?.find((v) => v.name === 'operator')?.version ?? '' },
    { id: 'available', header: 'Available', value: cond('Available') },
    { id: 'progressing', header: 'Progressing', value: cond('Progressing') },
    { id: 'degraded', header: 'Degraded', value: cond('Degraded') },
    { id: 'since', header: 'Since', value: (co) => formatAge(co.status?.conditions?.find((c) => c.type === 'Available')?.lastTransitionTime, now) },
    { id: 'message', header: 'Message', value: (co) => clusterOperatorMessage(co.status) ?? '' },
  ];
}

export function ClusterOperatorsPage() {
  const state = useWatchedList<ClusterOperator>({ resource: CLUSTER_OPERATOR_RESOURCE });
  const now = useNow();
  const [, navigate] = useLocation();
  const columns = useMemo(() => operatorColumns(now), [now]);
  return (
    <>
      <h1>Cluster Operators</h1>
      <ErrorBanner error={state.error} />
      {state.synced
        ? <ResourceTable label="Cluster operators" items={state.items} columns={columns} rowKey={(co) => co.metadata?.name ?? ''}
            onOpen={(co) => navigate(`/clusteroperators/${co.metadata?.name}`)} filterColumns={['version', 'available', 'progressing', 'degraded']}
            emptyText="No cluster operators (is the cluster-version operator installed?)" />
        : !state.error && <p className="loading">Loading…</p>}
    </>
  );
}
