// The controller loop metrics, with controller-runtime's and client-go's names and labels
// (controller-runtime pkg/internal/controller/metrics/metrics.go, pkg/metrics/workqueue.go) so existing
// dashboards and alerts work. Operator metrics (mapi_*) live with their operators and register on the
// same Registry, which manager.ts serves on /metrics.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** controller_runtime_reconcile_total's `result` label values. */
export type ReconcileResultLabel = 'success' | 'error' | 'requeue_after';

export interface RuntimeMetrics {
  readonly reconcileTotal: Counter<'controller' | 'result'>;
  readonly reconcileErrors: Counter<'controller'>;
  readonly terminalReconcileErrors: Counter<'controller'>;
  readonly reconcileTime: Histogram<'controller'>;
  readonly activeWorkers: Gauge<'controller'>;
  readonly maxConcurrentReconciles: Gauge<'controller'>;
  readonly workqueueDepth: Gauge<'name' | 'controller'>;
  readonly workqueueAdds: Counter<'name' | 'controller'>;
  readonly workqueueRetries: Counter<'name' | 'controller'>;
  readonly workqueueQueueDuration: Histogram<'name' | 'controller'>;
  readonly workqueueWorkDuration: Histogram<'name' | 'controller'>;
  readonly leaderElectionStatus: Gauge<'name'>;
}

// controller-runtime's reconcile_time_seconds buckets: fine below 1 s, where most reconciles land.
const RECONCILE_TIME_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1, 1.25, 1.5, 1.75,
  2, 2.5, 3, 3.5, 4, 4.5, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 40, 50, 60,
];
// client-go workqueue buckets: ExponentialBuckets(10e-9, 10, 12), 10 ns to 1000 s.
const WORKQUEUE_BUCKETS = Array.from({ length: 12 }, (_, i) => 1e-8 * 10 ** i);

const byRegistry = new WeakMap<Registry, RuntimeMetrics>();

/**
 * The runtime metrics registered on `registry`, created on first use. prom-client throws when a name is
 * registered twice, so every controller and queue of a process shares this one set.
 */
export function runtimeMetrics(registry: Registry): RuntimeMetrics {
  const existing = byRegistry.get(registry);
  if (existing) return existing;
  const registers = [registry];
  const queueLabels = ['name', 'controller'] as const;
  const metrics: RuntimeMetrics = {
    reconcileTotal: new Counter({
      name: 'controller_runtime_reconcile_total',
      help: 'Total number of reconciliations per controller',
      labelNames: ['controller', 'result'],
      registers,
    }),
    reconcileErrors: new Counter({
      name: 'controller_runtime_reconcile_errors_total',
      help: 'Total number of reconciliation errors per controller',
      labelNames: ['controller'],
      registers,
    }),
    terminalReconcileErrors: new Counter({
      name: 'controller_runtime_terminal_reconcile_errors_total',
      help: 'Total number of terminal reconciliation errors per controller',
      labelNames: ['controller'],
      registers,
    }),
    reconcileTime: new Histogram({
      name: 'controller_runtime_reconcile_time_seconds',
      help: 'Length of time per reconciliation per controller',
      labelNames: ['controller'],
      buckets: RECONCILE_TIME_BUCKETS,
      registers,
    }),
    activeWorkers: new Gauge({
      name: 'controller_runtime_active_workers',
      help: 'Number of currently used workers per controller',
      labelNames: ['controller'],
      registers,
    }),
    maxConcurrentReconciles: new Gauge({
      name: 'controller_runtime_max_concurrent_reconciles',
      help: 'Maximum number of concurrent reconciles per controller',
      labelNames: ['controller'],
      registers,
    }),
    workqueueDepth: new Gauge({
      name: 'workqueue_depth',
      help: 'Current depth of workqueue',
      labelNames: queueLabels,
      registers,
    }),
    workqueueAdds: new Counter({
      name: 'workqueue_adds_total',
      help: 'Total number of adds handled by workqueue',
      labelNames: queueLabels,
      registers,
    }),
    workqueueRetries: new Counter({
      name: 'workqueue_retries_total',
      help: 'Total number of retries handled by workqueue',
      labelNames: queueLabels,
      registers,
    }),
    workqueueQueueDuration: new Histogram({
      name: 'workqueue_queue_duration_seconds',
      help: 'How long in seconds an item stays in workqueue before being requested',
      labelNames: queueLabels,
      buckets: WORKQUEUE_BUCKETS,
      registers,
    }),
    workqueueWorkDuration: new Histogram({
      name: 'workqueue_work_duration_seconds',
      help: 'How long in seconds processing an item from workqueue takes',
      labelNames: queueLabels,
      buckets: WORKQUEUE_BUCKETS,
      registers,
    }),
    leaderElectionStatus: new Gauge({
      name: 'leader_election_master_status',
      help: 'Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master',
      labelNames: ['name'],
      registers,
    }),
  };
  byRegistry.set(registry, metrics);
  return metrics;
}
