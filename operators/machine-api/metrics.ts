// The Machine API's mapi_* metrics with MAO's exact names, types, labels and buckets (pkg/metrics/metrics.go,
// machinehealthcheck.go; shared/reference/machine-api.md §1.11), so the MachineWithoutValidNode,
// MachineWithNoRunningPhase, MachineNotYetDeleted and MachineAPIOperatorMetricsCollectionFailing alerts and existing
// dashboards keep working. Every controller of the operator takes its metrics from `machineApiMetrics(registry)`.
//
// The inventory gauges (items, created_timestamp, MachineSet status replicas, collector_up) are computed at scrape
// time from the caches, as MAO's MachineCollector lists its informers on Collect: nothing has to keep them current.
// Until `setInventory` is called, and while a cache has not synced, they report nothing (the label-less item counts
// read 0, as prom-client always exposes them) and mapi_mao_collector_up{kind} says 0.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Machine, MachineSet } from '../api/machine-v1beta1.ts';
import type { Store } from '../runtime/cache.ts';

/** mapi_machine_phase_transition_seconds buckets, in seconds (MAO metrics.go). */
export const PHASE_TRANSITION_BUCKETS = [5, 10, 20, 30, 60, 90, 120, 180, 240, 300, 360, 480, 600];

/** What the scrape-time gauges read: the operator's caches. */
export interface MachineApiInventory {
  readonly machines: Store<Machine>;
  readonly machineSets: Store<MachineSet>;
}

type NameLabels = 'name' | 'namespace';

export interface MachineApiMetrics {
  // Machine controller
  /** Labelled by the phase entered; observes seconds since the Machine's creation, on every change except Deleting. */
  readonly machinePhaseTransitionSeconds: Histogram<'phase'>;
  readonly instanceCreateFailed: Counter<NameLabels | 'reason'>;
  readonly instanceUpdateFailed: Counter<NameLabels | 'reason'>;
  readonly instanceDeleteFailed: Counter<NameLabels | 'reason'>;
  // MachineHealthCheck controller
  readonly machineHealthCheckNodesCovered: Gauge<NameLabels>;
  readonly machineHealthCheckRemediationSuccessTotal: Counter<NameLabels>;
  /** 1 while the MachineHealthCheck is short-circuited (too many unhealthy), else 0. */
  readonly machineHealthCheckShortCircuit: Gauge<NameLabels>;
  // Scrape-time inventory (MAO MachineCollector)
  readonly machineItems: Gauge;
  readonly machineSetItems: Gauge;
  readonly machineCreatedTimestampSeconds: Gauge<NameLabels | 'spec_provider_id' | 'node' | 'api_version' | 'phase'>;
  readonly machineSetCreatedTimestampSeconds: Gauge<NameLabels | 'api_version'>;
  readonly machineSetStatusReplicas: Gauge<NameLabels>;
  readonly machineSetStatusReplicasAvailable: Gauge<NameLabels>;
  readonly machineSetStatusReplicasReady: Gauge<NameLabels>;
  /** kind="mapi_machine_items" | "mapi_machineset_items": 1 when that inventory could be read (its cache synced). */
  readonly collectorUp: Gauge<'kind'>;
  /** Makes the inventory gauges read these stores on every scrape. */
  setInventory(inventory: MachineApiInventory): void;
}

const byRegistry = new WeakMap<Registry, MachineApiMetrics>();

/**
 * The Machine API metrics registered on `registry`, created on first use: prom-client throws when a name is
 * registered twice, so the machine, MachineSet, MachineHealthCheck, drain and nodelink controllers of one process
 * share this set.
 */
export function machineApiMetrics(registry: Registry): MachineApiMetrics {
  const existing = byRegistry.get(registry);
  if (existing) return existing;
  const registers = [registry];
  const nameLabels = ['name', 'namespace'] as const;
  let inventory: MachineApiInventory | undefined;

  const collectorUp = new Gauge({
    name: 'mapi_mao_collector_up',
    help: 'Machine API Operator metrics are being collected and reported successfully',
    labelNames: ['kind'],
    registers,
    collect() {
      this.reset();
      if (!inventory) return;
      this.set({ kind: 'mapi_machine_items' }, inventory.machines.synced ? 1 : 0);
      this.set({ kind: 'mapi_machineset_items' }, inventory.machineSets.synced ? 1 : 0);
    },
  });
  /** The objects of a synced store; undefined while it is not (collector_up reports that). */
  const read = <T>(store: Store<T> | undefined): T[] | undefined => (store?.synced ? store.list() : undefined);
  const machines = () => read(inventory?.machines);
  const machineSets = () => read(inventory?.machineSets);
  const seconds = (timestamp: string | undefined) => Math.floor(Date.parse(timestamp ?? '') / 1000) || 0;

  const metrics: MachineApiMetrics = {
    machinePhaseTransitionSeconds: new Histogram({
      name: 'mapi_machine_phase_transition_seconds',
      help: 'Machine phase transition times, in seconds since the Machine was created',
      labelNames: ['phase'],
      buckets: PHASE_TRANSITION_BUCKETS,
      registers,
    }),
    instanceCreateFailed: new Counter({
      name: 'mapi_instance_create_failed',
      help: 'Number of times provider instance create has failed.',
      labelNames: [...nameLabels, 'reason'],
      registers,
    }),
    instanceUpdateFailed: new Counter({
      name: 'mapi_instance_update_failed',
      help: 'Number of times provider instance update has failed.',
      labelNames: [...nameLabels, 'reason'],
      registers,
    }),
    instanceDeleteFailed: new Counter({
      name: 'mapi_instance_delete_failed',
      help: 'Number of times provider instance delete has failed.',
      labelNames: [...nameLabels, 'reason'],
      registers,
    }),
    machineHealthCheckNodesCovered: new Gauge({
      name: 'mapi_machinehealthcheck_nodes_covered',
      help: 'Number of nodes covered by MachineHealthChecks',
      labelNames: nameLabels,
      registers,
    }),
    machineHealthCheckRemediationSuccessTotal: new Counter({
      name: 'mapi_machinehealthcheck_remediation_success_total',
      help: 'Number of successful remediations performed by MachineHealthChecks',
      labelNames: nameLabels,
      registers,
    }),
    machineHealthCheckShortCircuit: new Gauge({
      name: 'mapi_machinehealthcheck_short_circuit',
      help: 'Short circuit status for MachineHealthCheck (0=no short circuit, 1=short circuit applied)',
      labelNames: nameLabels,
      registers,
    }),
    machineItems: new Gauge({
      name: 'mapi_machine_items',
      help: 'Count of machine objects currently at the apiserver',
      registers,
      collect() {
        this.reset();
        const list = machines();
        if (list) this.set(list.length);
      },
    }),
    machineSetItems: new Gauge({
      name: 'mapi_machineset_items',
      help: 'Count of machinesets at the apiserver',
      registers,
      collect() {
        this.reset();
        const list = machineSets();
        if (list) this.set(list.length);
      },
    }),
    machineCreatedTimestampSeconds: new Gauge({
      name: 'mapi_machine_created_timestamp_seconds',
      help: 'Timestamp of the mapi managed Machine creation time',
      labelNames: [...nameLabels, 'spec_provider_id', 'node', 'api_version', 'phase'],
      registers,
      collect() {
        this.reset();
        for (const m of machines() ?? []) {
          this.set(
            {
              name: m.metadata.name ?? '',
              namespace: m.metadata.namespace ?? '',
              spec_provider_id: m.spec?.providerID ?? '',
              node: m.status?.nodeRef?.name ?? '',
              api_version: m.apiVersion ?? '',
              phase: m.status?.phase ?? '',
            },
            seconds(m.metadata.creationTimestamp),
          );
        }
      },
    }),
    machineSetCreatedTimestampSeconds: new Gauge({
      name: 'mapi_machineset_created_timestamp_seconds',
      help: 'Timestamp of the mapi managed Machineset creation time',
      labelNames: [...nameLabels, 'api_version'],
      registers,
      collect() {
        this.reset();
        for (const ms of machineSets() ?? []) {
          this.set({ name: ms.metadata.name ?? '', namespace: ms.metadata.namespace ?? '', api_version: ms.apiVersion ?? '' }, seconds(ms.metadata.creationTimestamp));
        }
      },
    }),
    machineSetStatusReplicas: machineSetStatusGauge('mapi_machine_set_status_replicas', 'replicas', (s) => s.replicas),
    machineSetStatusReplicasAvailable: machineSetStatusGauge('mapi_machine_set_status_replicas_available', 'available replicas', (s) => s.availableReplicas),
    machineSetStatusReplicasReady: machineSetStatusGauge('mapi_machine_set_status_replicas_ready', 'ready replicas', (s) => s.readyReplicas),
    collectorUp,
    setInventory(next) {
      inventory = next;
    },
  };
  byRegistry.set(registry, metrics);
  return metrics;

  function machineSetStatusGauge(name: string, what: string, value: (status: NonNullable<MachineSet['status']>) => number | undefined): Gauge<NameLabels> {
    return new Gauge({
      name,
      help: `Information of the mapi managed Machineset's status for ${what}`,
      labelNames: nameLabels,
      registers,
      collect() {
        this.reset();
        for (const ms of machineSets() ?? []) {
          this.set({ name: ms.metadata.name ?? '', namespace: ms.metadata.namespace ?? '' }, value(ms.status ?? {}) ?? 0);
        }
      },
    });
  }
}
