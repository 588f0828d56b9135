// The operator's report about itself. In OpenShift every second-level operator publishes a config.openshift.io/v1
// ClusterOperator (here it would be `machine-api`) with the Available, Progressing and Degraded conditions and
// status.versions, which the cluster-version operator reads to decide whether an upgrade may go on. That
// ClusterOperator belongs to the cluster-version issue: it implements OperatorStatusReporter against the API and
// passes it to buildMachineApiOperator (option `statusReporter`). Until then the operator reports to its log, so
// the hook, and when it is called, already exist.
import { isDeepStrictEqual } from 'node:util';
import type { Store } from '../runtime/cache.ts';
import { errorMessage } from '../runtime/errors.ts';
import type { Logger } from '../runtime/log.ts';
import type { Runnable } from '../runtime/manager.ts';

/** What a ClusterOperator's conditions and status.versions would say. */
export interface OperatorStatus {
  /** The operator serves its API: every cache has synced and the controllers run. */
  readonly available: boolean;
  /** Still starting (or, later, rolling out a new version). */
  readonly progressing: boolean;
  /** Running but not well (e.g. a cache cannot sync); with `message` saying why. */
  readonly degraded: boolean;
  readonly message: string;
  /** Operand name → version, e.g. `{ operator: "0.1.0" }` (ClusterOperator status.versions). */
  readonly versions: Readonly<Record<string, string>>;
}

/** Where the operator's status goes: the hook the ClusterOperator implementation fills in. */
export interface OperatorStatusReporter {
  /** Called on every change; failures are logged by the caller and retried with the next change. */
  report(status: OperatorStatus, signal: AbortSignal): Promise<void>;
}

/** The placeholder reporter: one log line per change. */
export function logStatusReporter(logger: Logger): OperatorStatusReporter {
  const log = logger.child('operator-status');
  let last: OperatorStatus | undefined;
  return {
    async report(status) {
      if (isDeepStrictEqual(last, status)) return;
      last = status;
      log.info('Operator status', { ...status });
    },
  };
}

export interface OperatorStatusOptions {
  readonly reporter: OperatorStatusReporter;
  /** The caches the controllers read from: Available once all of them have synced. */
  readonly stores: readonly Store<unknown>[];
  readonly versions: Readonly<Record<string, string>>;
  readonly logger: Logger;
}

/**
 * Reports Progressing while the caches sync, then Available. It runs on the leader only: the replica whose
 * controllers work is the one whose status means something, and two replicas must not both write it.
 */
export function operatorStatusRunnable(options: OperatorStatusOptions): Runnable {
  const { reporter, stores, versions, logger } = options;
  const report = async (status: Omit<OperatorStatus, 'versions'>, signal: AbortSignal) => {
    try {
      await reporter.report({ ...status, versions }, signal);
    } catch (err) {
      logger.warn('Failed to report operator status', { error: errorMessage(err) });
    }
  };
  return {
    name: 'operator-status',
    needsLeader: true,
    async start(signal) {
      await report({ available: false, progressing: true, degraded: false, message: 'Waiting for caches to sync' }, signal);
      try {
        await Promise.all(stores.map((s) => s.waitForSync(signal)));
      } catch {
        return; // stopped before the caches synced
      }
      await report({ available: true, progressing: false, degraded: false, message: 'Machine API controllers are running' }, signal);
      if (signal.aborted) return;
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    },
  };
}
