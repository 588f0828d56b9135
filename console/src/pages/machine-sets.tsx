// MachineSets and the page of one: desired/current/ready/available counts, scaling through the scale subresource
// (what `kubectl scale` and the cluster-autoscaler use, so RBAC on machinesets/scale applies), the set's own
// Machines live, and the YAML tab.
import { useMemo, useState, type FormEvent } from 'react';
import { useLocation } from 'wouter';
import type { Machine, MachineSet } from '../../../operators/api/machine-v1beta1.ts';
import { MACHINE_RESOURCE, MACHINE_SET_RESOURCE, objectPath } from '../api/resources.ts';
import { ErrorBanner } from '../components/error-banner.tsx';
import { ResourceTable, type Column } from '../components/resource-table.tsx';
import { useApi, useNow, useWatchedList } from '../hooks/api.tsx';
import { formatAge } from '../lib/format.ts';
import { labelSelectorString } from '../lib/selector.ts';
import { MachinesTable } from './machines.tsx';
import { ConditionsTable, ObjectPage } from './object-page.tsx';

const count = (n: number | undefined) => String(n ?? 0);

function machineSetColumns(now: number): Column<MachineSet>[] {
  return [
    { id: 'name', header: 'Name', value: (s) => s.metadata.name ?? '' },
    { id: 'namespace', header: 'Namespace', value: (s) => s.metadata.namespace ?? '' },
    { id: 'desired', header: 'Desired', value: (s) => count(s.spec?.replicas), numeric: true },
    { id: 'current', header: 'Current', value: (s) => count(s.status?.replicas), numeric: true },
    { id: 'ready', header: 'Ready', value: (s) => count(s.status?.readyReplicas), numeric: true },
    { id: 'available', header: 'Available', value: (s) => count(s.status?.availableReplicas), numeric: true },
    { id: 'age', header: 'Age', value: (s) => formatAge(s.metadata.creationTimestamp, now) },
  ];
}

export const machineSetPath = (namespace: string, name: string) => `/machinesets/${namespace}/${name}`;

export function MachineSetsPage() {
  const state = useWatchedList<MachineSet>({ resource: MACHINE_SET_RESOURCE });
  const now = useNow();
  const [, navigate] = useLocation();
  const columns = useMemo(() => machineSetColumns(now), [now]);
  return (
    <>
      <h1>MachineSets</h1>
      <ErrorBanner error={state.error} />
      {state.synced
        ? <ResourceTable label="MachineSets" items={state.items} columns={columns} rowKey={(s) => `${s.metadata.namespace}/${s.metadata.name}`}
            onOpen={(s) => navigate(machineSetPath(s.metadata.namespace ?? '', s.metadata.name ?? ''))} filterColumns={['namespace']} />
        : !state.error && <p className="loading">Loading…</p>}
    </>
  );
}

function ScaleForm({ set }: { set: MachineSet }) {
  const api = useApi();
  const desired = set.spec?.replicas ?? 0;
  const [value, setValue] = useState(String(desired));
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  async function submit(e: FormEvent): Promise<void> {
    e.preventDefault();
    setBusy(true);
    try {
      const path = `${objectPath(MACHINE_SET_RESOURCE, set.metadata.namespace, set.metadata.name ?? '')}/scale`;
      await api.request(path, { method: 'PATCH', patchType: 'merge', body: { spec: { replicas: Number(value) } } });
      setError(undefined);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }
  return (
    <form className="scale" onSubmit={(e) => void submit(e)} aria-label="Scale">
      <label htmlFor="replicas">Desired machines</label>
      <input id="replicas" type="number" min={0} step={1} inputMode="numeric" value={value} onChange={(e) => setValue(e.target.value)} />
      <button type="submit" className="primary" disabled={busy || value === String(desired)}>Scale</button>
      <ErrorBanner error={error} title="Scaling failed" />
    </form>
  );
}

function MachineSetDetails({ set }: { set: MachineSet }) {
  const selector = set.status?.labelSelector ?? labelSelectorString(set.spec?.selector);
  const machines = useWatchedList<Machine>({ resource: MACHINE_RESOURCE, namespace: set.metadata.namespace, query: `labelSelector=${encodeURIComponent(selector)}` });
  const s = set.status;
  return (
    <>
      <dl className="details counts" data-testid="machineset-counts">
        <dt>Desired</dt><dd data-testid="desired">{set.spec?.replicas ?? 0}</dd>
        <dt>Current</dt><dd>{s?.replicas ?? 0}</dd>
        <dt>Ready</dt><dd>{s?.readyReplicas ?? 0}</dd>
        <dt>Available</dt><dd>{s?.availableReplicas ?? 0}</dd>
        <dt>Selector</dt><dd><code>{selector}</code></dd>
        <dt>Delete policy</dt><dd>{set.spec?.deletePolicy ?? 'Random'}</dd>
      </dl>
      {s?.errorMessage && <div className="alert alert-danger" role="alert">{s.errorReason}: {s.errorMessage}</div>}
      <ScaleForm key={set.spec?.replicas} set={set} />
      <h2>Machines</h2>
      <ErrorBanner error={machines.error} />
      {machines.synced && <MachinesTable machines={machines.items} />}
      <h2>Conditions</h2>
      <ConditionsTable conditions={s?.conditions} />
    </>
  );
}

export function MachineSetPage({ namespace, name, tab }: { namespace: string; name: string; tab: 'details' | 'yaml' }) {
  return (
    <ObjectPage<MachineSet>
      resource={MACHINE_SET_RESOURCE} namespace={namespace} name={name} tab={tab}
      listPath="/machinesets" listTitle="MachineSets" basePath={machineSetPath(namespace, name)}
      details={(set) => <MachineSetDetails set={set} />}
    />
  );
}
