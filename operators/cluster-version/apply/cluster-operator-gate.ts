// The one gate between components (§1.5, pkg/cvo/internal/operatorstatus.go checkOperatorHealth): the payload's
// ClusterOperator manifest names the operator and the versions it must reach; the live ClusterOperator must say
// Available=True, Degraded=False (a missing Degraded counts as degraded) and report every one of those versions.
// Pure: the live object comes from the ClusterOperator cache, so waiting on an operator costs no API request.
import type { ClusterOperator, OperandVersion } from '../../api/config-v1.ts';
import type { SyncState } from '../task-graph/graph.ts';
import { UpdateError } from './update-error.ts';

/** `Initializing` tolerates Degraded (Report) and unfinished versions, as a fresh install does. */
export type GateMode = SyncState;

/**
 * undefined when the gate passes, else the UpdateError that says why. `live` undefined: the operator has not
 * created its ClusterOperator yet, which is "not available".
 */
export function checkClusterOperator(expected: ClusterOperator, live: ClusterOperator | undefined, mode: GateMode): UpdateError | undefined {
  const name = expected.metadata?.name ?? '';
  const expectedVersions: readonly OperandVersion[] = expected.status?.versions ?? [];
  if (expectedVersions.length === 0) {
    return new UpdateError({
      effect: 'Fail',
      reason: 'ClusterOperatorNoVersions',
      pluralReason: 'ClusterOperatorsNoVersions',
      message: `Cluster operator ${name} does not declare expected versions`,
      pluralMessageFormat: 'Cluster operators %s do not declare expected versions',
      name,
    });
  }
  const conditions = live?.status?.conditions ?? [];
  const available = conditions.find((c) => c.type === 'Available');
  const degraded = conditions.find((c) => c.type === 'Degraded');
  if (available?.status !== 'True') {
    const detail = available?.message ? `cluster operator ${name} is Available=${available.status}: ${available.reason ?? ''}: ${available.message}` : undefined;
    return new UpdateError({
      effect: 'Fail',
      reason: 'ClusterOperatorNotAvailable',
      pluralReason: 'ClusterOperatorsNotAvailable',
      message: `Cluster operator ${name} is not available`,
      pluralMessageFormat: 'Cluster operators %s are not available',
      name,
      ...(detail ? { cause: new Error(detail) } : {}),
    });
  }
  if (degraded?.status !== 'False') {
    return new UpdateError({
      effect: mode === 'Initializing' ? 'Report' : 'FailAfterInterval',
      reason: 'ClusterOperatorDegraded',
      pluralReason: 'ClusterOperatorsDegraded',
      message: `Cluster operator ${name} is degraded`,
      pluralMessageFormat: 'Cluster operators %s are degraded',
      name,
      ...(degraded?.message ? { cause: new Error(`cluster operator ${name} is Degraded=${degraded.status}: ${degraded.reason ?? ''}, ${degraded.message}`) } : {}),
    });
  }
  if (mode !== 'Initializing' && undoneVersions(expectedVersions, live?.status?.versions ?? []).length > 0) {
    return new UpdateError({
      effect: 'None',
      reason: 'ClusterOperatorUpdating',
      pluralReason: 'ClusterOperatorsUpdating',
      message: `Cluster operator ${name} is updating versions`,
      pluralMessageFormat: 'Cluster operators %s are updating versions',
      name,
      cause: new Error(`cluster operator ${name} is available and not degraded but has not finished updating to target version`),
    });
  }
  return undefined;
}

/** "operator from 4.1.0 to 4.2.0" for every expected operand not yet at its version, sorted. */
export function undoneVersions(expected: readonly OperandVersion[], live: readonly OperandVersion[]): string[] {
  const undone: string[] = [];
  for (const want of expected) {
    const current = live.find((v) => v.name === want.name)?.version ?? '';
    if (current === want.version) continue;
    undone.push(current === '' ? `${want.name} to ${want.version}` : `${want.name} from ${current} to ${want.version}`);
  }
  return undone.sort();
}
