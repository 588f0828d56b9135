// ClusterVersion's Upgradeable condition (§1.6; pkg/cvo/upgradeable.go): absent while nothing stands in the way
// of a minor update, False naming the risk otherwise. Risks here: an update in progress (so a minor retarget
// mid-update is blocked while a z-stream retarget is not, §3.6, cluster-version-operator PR #1080), unmanaged
// overrides, and any ClusterOperator reporting Upgradeable=False. Pure.
import type { ClusterOperator, ClusterOperatorStatusCondition, ComponentOverride } from '../../api/config-v1.ts';

export type UpgradeableCondition = Omit<ClusterOperatorStatusCondition, 'lastTransitionTime'>;

interface Risk {
  readonly reason: string;
  readonly message: string;
}

export interface UpgradeableInput {
  readonly clusterOperators: readonly ClusterOperator[];
  readonly overrides?: readonly ComponentOverride[];
  /** An update is being applied (Progressing=True). */
  readonly updating: boolean;
}

/** The Upgradeable condition to set, or undefined to remove it. */
export function computeUpgradeable(input: UpgradeableInput): UpgradeableCondition | undefined {
  const risks: Risk[] = [];
  if (input.updating) {
    risks.push({ reason: 'UpdateInProgress', message: 'An update is already in progress and the details are in the Progressing condition' });
  }
  if (input.overrides?.some((o) => o.unmanaged)) {
    risks.push({
      reason: 'ClusterVersionOverridesSet',
      message: 'Disabling ownership via cluster version overrides prevents upgrades. Please remove overrides before continuing.',
    });
  }
  const operatorRisk = clusterOperatorsRisk(input.clusterOperators);
  if (operatorRisk) risks.push(operatorRisk);
  if (risks.length === 0) return undefined;
  if (risks.length === 1) return { type: 'Upgradeable', status: 'False', ...risks[0] };
  return {
    type: 'Upgradeable',
    status: 'False',
    reason: 'MultipleReasons',
    message: `Cluster should not be upgraded between minor versions for multiple reasons: ${risks.map((r) => r.reason).join(',')}\n* ${risks.map((r) => r.message).join('\n* ')}`,
  };
}

function clusterOperatorsRisk(operators: readonly ClusterOperator[]): Risk | undefined {
  const blocked = operators
    .map((co) => ({ name: co.metadata?.name ?? '', condition: co.status?.conditions?.find((c) => c.type === 'Upgradeable') }))
    .filter((b) => b.condition?.status === 'False')
    .sort((a, b) => a.name.localeCompare(b.name));
  if (blocked.length === 0) return undefined;
  if (blocked.length === 1) {
    const [{ name, condition }] = blocked;
    return { reason: condition?.reason ?? 'ClusterOperatorNotUpgradeable', message: `Cluster operator ${name} should not be upgraded between minor versions: ${condition?.message ?? ''}` };
  }
  const lines = blocked.map(({ name, condition }) => `Cluster operator ${name} should not be upgraded between minor versions: ${condition?.reason ?? ''}: ${condition?.message ?? ''}`);
  return { reason: 'ClusterOperatorsNotUpgradeable', message: `Multiple cluster operators should not be upgraded between minor versions:\n* ${lines.join('\n* ')}` };
}
