// Machines: every Machine the user may list, in all namespaces, with OpenShift's printer columns (phase, type,
// region, zone, node). The columns are shared with the MachineSet page's list of its own Machines.
import { useMemo } from 'react';
import { useLocation } from 'wouter';
import type { Machine } from '../../../operators/api/machine-v1beta1.ts';
import { INSTANCE_TYPE_LABEL, MACHINE_RESOURCE, REGION_LABEL, ZONE_LABEL } from '../api/resources.ts';
import { ErrorBanner } from '../components/error-banner.tsx';
import { ResourceTable, type Column } from '../components/resource-table.tsx';
import { useNow, useWatchedList } from '../hooks/api.tsx';
import { formatAge } from '../lib/format.ts';

export const MACHINE_FILTER_COLUMNS = ['namespace', 'phase', 'type', 'region', 'zone', 'node'] as const;

export function machineColumns(now: number): Column<Machine>[] {
  const label = (key: string) => (m: Machine) => m.metadata.labels?.[key] ?? '';
  return [
    { id: 'name', header: 'Name', value: (m) => m.metadata.name ?? '' },
    { id: 'namespace', header: 'Namespace', value: (m) => m.metadata.namespace ?? '' },
    { id: 'phase', header: 'Phase', value: (m) => m.status?.phase ?? (m.metadata.deletionTimestamp ? 'Deleting' : ''), render: (m) => <span className={`phase phase-${(m.status?.phase ?? 'none').toLowerCase()}`}>{m.status?.phase ?? ''}</span> },
    { id: 'type', header: 'Type', value: label(INSTANCE_TYPE_LABEL) },
    { id: 'region', header: 'Region', value: label(REGION_LABEL) },
    { id: 'zone', header: 'Zone', value: label(ZONE_LABEL) },
    { id: 'node', header: 'Node', value: (m) => m.status?.nodeRef?.name ?? '' },
    { id: 'age', header: 'Age', value: (m) => formatAge(m.metadata.creationTimestamp, now) },
  ];
}

export const machinePath = (m: Machine) => `/machines/${m.metadata.namespace}/${m.metadata.name}`;

export function MachinesTable({ machines }: { machines: readonly Machine[] }) {
  const now = useNow();
  const [, navigate] = useLocation();
  const columns = useMemo(() => machineColumns(now), [now]);
  return (
    <ResourceTable
      label="Machines"
      items={machines}
      columns={columns}
      rowKey={(m) => `${m.metadata.namespace}/${m.metadata.name}`}
      onOpen={(m) => navigate(machinePath(m))}
      filterColumns={MACHINE_FILTER_COLUMNS}
    />
  );
}

export function MachinesPage() {
  const state = useWatchedList<Machine>({ resource: MACHINE_RESOURCE });
  return (
    <>
      <h1>Machines</h1>
      <ErrorBanner error={state.error} />
      {state.synced ? <MachinesTable machines={state.items} /> : !state.error && <p className="loading">Loading…</p>}
    </>
  );
}
