// The Manager every operator runs (operators/*/operator.ts): its /metrics, /healthz and /readyz server, and its
// leader election on the operator's Lease.
import type { KubeConfig } from '@kubernetes/client-node';
import type { Registry } from 'prom-client';
import { leaderElectorFor, type LeaderElectionSettings } from './leader-election.ts';
import type { Logger } from './log.ts';
import { Manager } from './manager.ts';

/** What an operator's options say about its manager. */
export interface OperatorManagerOptions {
  /** Port of /metrics, /healthz and /readyz; 0 picks a free one; unset: no HTTP server. */
  readonly metricsPort?: number;
  /** Address the HTTP server binds. Default 127.0.0.1; a Deployment needs 0.0.0.0 for its probes. */
  readonly metricsHost?: string;
  /** true or settings: compete for the operator's Lease. Default false: this replica always leads. */
  readonly leaderElection?: boolean | LeaderElectionSettings;
  /** Called when the Lease is lost while leading. Default: exit the process (runtime/manager.ts). */
  readonly onLeadershipLost?: () => void;
}

/** The operator's Manager, electing on the Lease `lease` when `options` ask for it, with a `ping` health check. */
export function operatorManager(
  kc: KubeConfig,
  lease: { readonly name: string; readonly namespace: string },
  options: OperatorManagerOptions,
  deps: { readonly logger: Logger; readonly registry: Registry },
): Manager {
  const { logger, registry } = deps;
  const manager = new Manager({
    logger,
    registry,
    port: options.metricsPort,
    host: options.metricsHost,
    onLeadershipLost: options.onLeadershipLost,
    leaderElector: leaderElectorFor(kc, { ...lease, settings: options.leaderElection, logger, registry }),
  });
  manager.addHealthCheck('ping', () => true);
  return manager;
}
