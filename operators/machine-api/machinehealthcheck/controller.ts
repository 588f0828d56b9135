// The MachineHealthCheck controller (MAO pkg/controller/machinehealthcheck/machinehealthcheck_controller.go;
// shared/reference/machine-api.md §1.9): pairs every Machine its selector matches with its Node, asks the pure
// targets.ts which are unhealthy and which may be remediated, remediates them by deleting the Machine (its
// MachineSet replaces it), and writes status once.
//
// No spinning: MAO requeues a short-circuited check after 1 ms. Here a reconcile asks to be looked at again only
// when time alone can change the verdict (a timeout running out: targets.ts's recheckAfterMs, floored by the
// runtime), and otherwise waits for the Machine and Node events that can; Node heartbeats, which change nothing a
// decision reads, are filtered out (machineset/controller.ts nodeConditionsChanged).
import {
  EXTERNAL_BAREMETAL_REMEDIATION_STRATEGY,
  EXTERNAL_REMEDIATION_ANNOTATION,
  MACHINE_HEALTH_CHECK_RESOURCE,
  MHC_PAUSED_ANNOTATION,
  REMEDIATION_STRATEGY_ANNOTATION,
  type Machine,
  type MachineHealthCheck,
  type MachineHealthCheckStatus,
} from '../../api/machine-v1beta1.ts';
import { Controller, watch, type Reconciler } from '../../runtime/controller.ts';
import { errorMessage, isNotFound, TerminalError } from '../../runtime/errors.ts';
import { enqueueMapped, enqueueSelf, type EventHandler, type Request } from '../../runtime/handlers.ts';
import { kindRef, type Logger } from '../../runtime/log.ts';
import { writeStatus } from '../../runtime/status.ts';
import { MACHINE_HEALTH_CHECKS, MACHINES, type MachineApiContext, type Node } from '../context.ts';
import { labelSelectorErrors, labelSelectorMatches } from '../label-selector.ts';
import { machineApiMetrics } from '../metrics.ts';
import { machinesOfNode, nodeConditionsChanged } from '../machineset/controller.ts';
import { evaluateHealthCheck, type HealthCheckTarget } from './targets.ts';

export interface MachineHealthCheckControllerOptions {
  /** MachineHealthChecks reconciled at once. Default 1 (MAO). */
  readonly concurrency?: number;
  /** Floor of requeues, in ms; lower only in tests (runtime MIN_REQUEUE_AFTER_MS). */
  readonly minRequeueAfterMs?: number;
}

/** Whether the MachineHealthCheck's selector selects the Machine; an invalid selector selects nothing. */
function selects(mhc: MachineHealthCheck, machine: Machine): boolean {
  return (
    mhc.metadata.namespace === machine.metadata.namespace &&
    labelSelectorErrors(mhc.spec?.selector, 'spec.selector').length === 0 &&
    labelSelectorMatches(mhc.spec?.selector, machine.metadata.labels)
  );
}

function machineLog(machine: Machine): Record<string, string> {
  return kindRef('Machine', { namespace: machine.metadata.namespace, name: machine.metadata.name ?? '' });
}

export function machineHealthCheckController(ctx: MachineApiContext, options: MachineHealthCheckControllerOptions = {}): Controller {
  const { machines, machineHealthChecks, nodes } = ctx.caches;
  // Every MachineHealthCheck selecting the Machine (MAO lists them all and maps through the selector).
  const checksOf = (machine: Machine): Request[] =>
    machineHealthChecks.store
      .list((mhc) => selects(mhc, machine))
      .map((mhc) => ({ namespace: mhc.metadata.namespace, name: mhc.metadata.name ?? '' }));
  const onMachine = enqueueMapped<Machine>(checksOf);
  const onNode: EventHandler<Node> = (event) =>
    nodeConditionsChanged(event) ? machinesOfNode(ctx, event.object).flatMap(checksOf) : [];

  return new Controller({
    name: 'machinehealthcheck-controller',
    kind: MACHINE_HEALTH_CHECK_RESOURCE.kind,
    reconcile: machineHealthCheckReconciler(ctx),
    watches: [watch(machineHealthChecks, enqueueSelf<MachineHealthCheck>()), watch(machines, onMachine), watch(nodes, onNode)],
    concurrency: options.concurrency,
    minRequeueAfterMs: options.minRequeueAfterMs,
    logger: ctx.logger,
    registry: ctx.metricsRegistry,
  });
}

export function machineHealthCheckReconciler(ctx: MachineApiContext): Reconciler {
  const { machines, machineHealthChecks, nodes } = ctx.caches;
  const metrics = machineApiMetrics(ctx.metricsRegistry);

  return async (req, { signal, log }) => {
    const mhc = machineHealthChecks.store.get(req);
    const labels = { name: req.name, namespace: req.namespace ?? '' };
    if (!mhc) {
      metrics.machineHealthCheckShortCircuit.remove(labels);
      metrics.machineHealthCheckNodesCovered.remove(labels);
      return {};
    }
    if (mhc.metadata.annotations?.[MHC_PAUSED_ANNOTATION] !== undefined) {
      log.info('Reconciliation is paused', { annotation: MHC_PAUSED_ANNOTATION });
      return {};
    }
    const selectorErrors = labelSelectorErrors(mhc.spec?.selector, 'spec.selector');
    if (selectorErrors.length > 0) throw new TerminalError('InvalidConfiguration', selectorErrors.join(', '));

    const targets: HealthCheckTarget[] = machines.store
      .list((m) => selects(mhc, m))
      .map((machine) => {
        const nodeName = machine.status?.nodeRef?.name;
        const node = nodeName ? nodes.store.get(nodeName) : undefined;
        return { machine, node, nodeFound: node !== undefined };
      });
    const evaluation = evaluateHealthCheck(mhc, targets, ctx.now());
    metrics.machineHealthCheckNodesCovered.set(labels, evaluation.expectedMachines);

    for (const { machine, message } of evaluation.unhealthy) {
      ctx.recorder.record(machine, { type: 'Normal', reason: 'DetectedUnhealthy', note: `Machine ${machine.metadata.namespace}/${machine.metadata.name} is unhealthy: ${message}`, action: 'HealthCheck' });
    }
    const failures: string[] = [];
    if (evaluation.shortCircuited) {
      metrics.machineHealthCheckShortCircuit.set(labels, 1);
      const message = evaluation.conditions.find((c) => c.type === 'RemediationAllowed')?.message ?? 'Remediation is not allowed';
      log.warn('Short-circuiting remediation', { expectedMachines: evaluation.expectedMachines, currentHealthy: evaluation.currentHealthy });
      ctx.recorder.record(mhc, { type: 'Warning', reason: 'RemediationRestricted', note: message, action: 'Remediate' });
    } else {
      metrics.machineHealthCheckShortCircuit.set(labels, 0);
      for (const { machine, reason, message } of evaluation.skipped) {
        ctx.recorder.record(machine, { type: 'Warning', reason, note: message, action: 'Remediate' });
      }
      for (const machine of evaluation.toRemediate) {
        if (signal.aborted) break;
        try {
          await remediate(mhc, machine, log);
        } catch (err) {
          failures.push(`${machine.metadata.name}: ${errorMessage(err)}`);
        }
      }
    }

    const status: MachineHealthCheckStatus = {
      ...mhc.status,
      expectedMachines: evaluation.expectedMachines,
      currentHealthy: evaluation.currentHealthy,
      remediationsAllowed: evaluation.remediationsAllowed,
      conditions: evaluation.conditions,
    };
    await writeStatus(ctx.client, MACHINE_HEALTH_CHECKS, mhc, status);
    if (failures.length > 0) throw new Error(`Remediation failed: ${failures.join('; ')}`);
    return evaluation.recheckAfterMs === undefined ? {} : { requeueAfterMs: evaluation.recheckAfterMs };
  };

  /**
   * Internal remediation deletes the Machine; with the external-baremetal strategy a live Machine is annotated
   * for the bare-metal operator instead (a Failed one has no host left to fix, so it is deleted).
   */
  async function remediate(mhc: MachineHealthCheck, machine: Machine, log: Logger): Promise<void> {
    const name = machine.metadata.name ?? '';
    const namespace = machine.metadata.namespace;
    const external = mhc.metadata.annotations?.[REMEDIATION_STRATEGY_ANNOTATION] === EXTERNAL_BAREMETAL_REMEDIATION_STRATEGY;
    if (external && machine.status?.phase !== 'Failed') {
      if (machine.metadata.annotations?.[EXTERNAL_REMEDIATION_ANNOTATION] !== undefined) return;
      log.info('Requesting external remediation', machineLog(machine));
      try {
        await ctx.client.patch(MACHINES, namespace, name, 'application/merge-patch+json', {
          metadata: { annotations: { [EXTERNAL_REMEDIATION_ANNOTATION]: '' } },
        });
      } catch (err) {
        ctx.recorder.record(machine, { type: 'Warning', reason: 'ExternalAnnotationFailed', note: `Requesting external remediation failed: ${errorMessage(err)}`, action: 'Remediate' });
        throw err;
      }
      ctx.recorder.record(machine, { type: 'Normal', reason: 'ExternalAnnotationAdded', note: 'Requested external remediation of the Machine', action: 'Remediate' });
      return;
    }
    log.info('Deleting unhealthy Machine', machineLog(machine));
    try {
      // The uid precondition: a namesake created since the evaluation is not the unhealthy Machine.
      await ctx.client.delete(MACHINES, namespace, name, { preconditions: { uid: machine.metadata.uid } });
    } catch (err) {
      if (isNotFound(err)) return;
      ctx.recorder.record(machine, { type: 'Warning', reason: 'MachineDeletionFailed', note: `Machine ${namespace}/${name} remediation failed: unable to delete Machine: ${errorMessage(err)}`, action: 'Remediate' });
      throw err;
    }
    metrics.machineHealthCheckRemediationSuccessTotal.inc({ name: mhc.metadata.name ?? '', namespace: mhc.metadata.namespace ?? '' });
    ctx.recorder.record(machine, { type: 'Normal', reason: 'MachineDeleted', note: `Machine ${namespace}/${name} has been remediated by requesting to delete Machine object`, action: 'Remediate' });
  }
}
