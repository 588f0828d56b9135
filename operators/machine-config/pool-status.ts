// The MachineConfigPool status as a pure function of the pool, its nodes and the rollout plan (MCO
// pkg/controller/node/status.go calculateStatus): the five counts, status.configuration (moved only once every node
// runs the target, §5.1 step 6) and the conditions Updated, Updating, Degraded, NodeDegraded and RenderDegraded.
// Messages say what blocks the pool and why, naming nodes and their reasons, so `oc describe mcp` answers "why is
// it stuck" without reading agent logs (§8 #1).
import type {
  MachineConfigPool,
  MachineConfigPoolCondition,
  MachineConfigPoolStatus,
  PoolConditionType,
} from '../api/machineconfiguration-v1.ts';
import { setCondition, type ConditionInput } from '../runtime/conditions.ts';
import { isNodeDegraded, isNodeUnavailable, isNodeUpdated, isRolledBackFrom, type PoolNode } from './pool-node.ts';
import type { RolloutPlan } from './rollout.ts';

export interface PoolStatusInput {
  readonly pool: MachineConfigPool;
  readonly target: string | undefined;
  readonly nodes: readonly PoolNode[];
  readonly plan: RolloutPlan;
  /** Why the target could not be rendered (the osimageurl ConfigMap is missing or invalid). */
  readonly renderError: string | undefined;
  readonly now: Date;
  /** Replace: a MachineSet of the pool still has old Machines, or a replacement recorded (replace/reconcile.ts). */
  readonly replacing?: boolean;
  /** Replace: what cannot be replaced (Nodes without a MachineSet, failed new Machines), for NodeDegraded. */
  readonly replaceProblems?: readonly string[];
}

/** A failed node's line in NodeDegraded's message. */
export function describeNodeFailure(node: PoolNode, target: string | undefined): string {
  if (isRolledBackFrom(node, target)) {
    return `Node ${node.name} was rolled back from ${node.rolledBackFrom} to ${node.desiredConfig ?? 'its previous config'}: ${node.rollbackReason ?? 'no reason recorded'}`;
  }
  return `Node ${node.name} is reporting: ${JSON.stringify(node.reason ?? node.state ?? '')}`;
}

/**
 * What the agents of nodes still updating report, e.g. "Draining: evicting pod apps/web-0: Cannot evict pod as it
 * would violate the pod's disruption budget web": a drain held by a PodDisruptionBudget is not a failure until
 * its timeout, but the admin should not have to read Node annotations to learn which pod holds the pool.
 */
function workingReports(nodes: readonly PoolNode[], target: string | undefined): string {
  const reports = nodes
    .filter((n) => n.state === 'Working' && n.reason && n.desiredConfig === target)
    .map((n) => `Node ${n.name}: ${n.reason}`);
  return reports.length > 0 ? `; ${reports.join('; ')}` : '';
}

export function computePoolStatus(input: PoolStatusInput): MachineConfigPoolStatus {
  const { pool, target, nodes, plan, now } = input;
  const before = pool.status ?? {};
  const updated = nodes.filter((n) => isNodeUpdated(n, target));
  const ready = updated.filter((n) => !isNodeUnavailable(n));
  const degraded = nodes.filter((n) => isNodeDegraded(n) || isRolledBackFrom(n, target));
  // Replace: the Nodes present may all be updated while a replacement Machine has no Node yet.
  const allUpdated = target !== undefined && updated.length === nodes.length && input.replacing !== true;

  let conditions: MachineConfigPoolCondition[] = [...(before.conditions ?? [])];
  const set = (type: PoolConditionType, status: 'True' | 'False', reason: string, message: string) => {
    conditions = setCondition(conditions, { type, status, reason, message } as ConditionInput<MachineConfigPoolCondition>, now);
  };

  const nodeMessages = [
    ...degraded.map((n) => describeNodeFailure(n, target)),
    ...plan.stuck.filter((s) => !degraded.some((n) => n.name === s.node)).map((s) => `Node ${s.node}: ${s.message}`),
    ...(input.replaceProblems ?? []),
  ];
  if (nodeMessages.length > 0) set('NodeDegraded', 'True', `${nodeMessages.length} nodes are reporting degraded status on sync`, nodeMessages.join('; '));
  else set('NodeDegraded', 'False', '', '');
  if (input.renderError !== undefined) set('RenderDegraded', 'True', 'RenderFailed', input.renderError);
  else set('RenderDegraded', 'False', '', '');
  const degradedMessages = [...nodeMessages, ...(input.renderError !== undefined ? [input.renderError] : [])];
  if (degradedMessages.length > 0) set('Degraded', 'True', nodeMessages.length > 0 ? 'NodeDegraded' : 'RenderDegraded', degradedMessages.join('; '));
  else set('Degraded', 'False', '', '');

  if (allUpdated) {
    set('Updated', 'True', '', `All nodes are updated with MachineConfig ${target}`);
    set('Updating', 'False', '', '');
  } else {
    set('Updated', 'False', '', '');
    const progress = `${updated.length} of ${nodes.length} nodes updated`;
    if (target === undefined) set('Updating', 'False', 'NoTarget', 'No rendered config for the pool yet');
    else if (plan.wait?.reason === 'Paused') set('Updating', 'False', 'Paused', `${plan.wait.message} (${progress})`);
    else {
      const waiting = plan.wait ? `; ${plan.wait.message}` : '';
      set('Updating', 'True', plan.wait?.reason ?? '', `All nodes are updating to MachineConfig ${target} (${progress})${waiting}${workingReports(nodes, target)}`);
    }
  }

  const configuration = allUpdated ? { name: target, source: pool.spec?.configuration?.source ?? [] } : before.configuration;
  return {
    observedGeneration: pool.metadata?.generation,
    ...(configuration ? { configuration } : {}),
    machineCount: nodes.length,
    updatedMachineCount: updated.length,
    readyMachineCount: ready.length,
    unavailableMachineCount: nodes.filter(isNodeUnavailable).length,
    degradedMachineCount: degraded.length,
    conditions,
  };
}
