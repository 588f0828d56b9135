// The `machine-config` ClusterOperator's status as a pure function (MCO pkg/operator/status.go, sync.go
// syncRequiredMachineConfigPools; §5.5): this is what the CVO waits on at run level 80.
//   - versions: `operator` moves to the release only once every required pool runs the config rendered for that
//     release (status.configuration, Updated=True, observed generation caught up, not paused) and no pool at all is
//     degraded; until then the previous value is kept, so the CVO keeps waiting.
//   - required pools: labelled operator.machineconfiguration.openshift.io/required-for-upgrade (OpenShift: master,
//     arbiter) and, here, worker pools too (pools selecting node-role.kubernetes.io/worker), since "the ClusterVersion
//     completes only after every node runs the new OS"; `machine-fleet.io/required-for-upgrade: "false"` opts a pool
//     out, giving OpenShift's behaviour back (§10.7).
//   - Upgradeable=False blocks the next minor update: a degraded pool (DegradedPool), kubelets too old for the next
//     minor (KubeletMinorVersionUnsupportedNextUpgrade, the kube-apiserver operator's KubeletVersionSkewController
//     folded in here: this operator owns the nodes' versions), or pools still updating (PoolUpdating).
import type { ClusterOperatorStatus, ClusterOperatorStatusCondition, OperandVersion } from '../api/config-v1.ts';
import { OPERATOR_VERSION_NAME } from '../api/config-v1.ts';
import {
  FLEET_REQUIRED_FOR_UPGRADE_LABEL,
  MACHINE_CONFIG_OPERATOR_NAMESPACE,
  MACHINE_CONFIG_POOL_RESOURCE,
  REQUIRED_FOR_UPGRADE_LABEL,
  WORKER_ROLE_LABEL,
  type MachineConfigPool,
} from '../api/machineconfiguration-v1.ts';
import { parseSemVer } from '../cluster-version/updates/semver.ts';
import { getCondition, setCondition, type ConditionInput } from '../runtime/conditions.ts';
import type { TargetResult } from './target.ts';

export const ClusterOperatorReasons = {
  AsExpected: 'AsExpected',
  RequiredPoolsFailed: 'RequiredPoolsFailed',
  PoolsDegraded: 'MachineConfigPoolsDegraded',
  InvalidOSImageURL: 'InvalidOSImageURL',
  DegradedPool: 'DegradedPool',
  PoolUpdating: 'PoolUpdating',
  KubeletMinorVersionUnsupportedNextUpgrade: 'KubeletMinorVersionUnsupportedNextUpgrade',
  KubeletMinorVersionUnsupported: 'KubeletMinorVersionUnsupported',
  KubeletMinorVersionAhead: 'KubeletMinorVersionAhead',
  KubeletVersionUnknown: 'KubeletVersionUnknown',
} as const;

export function isRequiredPool(pool: MachineConfigPool): boolean {
  const labels = pool.metadata?.labels ?? {};
  if (labels[FLEET_REQUIRED_FOR_UPGRADE_LABEL] === 'false') return false;
  if (labels[REQUIRED_FOR_UPGRADE_LABEL] !== undefined) return true;
  return pool.spec?.nodeSelector?.matchLabels?.[WORKER_ROLE_LABEL] !== undefined;
}

/** Why a pool is not yet at `expectedConfig`, or undefined when it is. */
export function poolNotAtConfig(pool: MachineConfigPool, expectedConfig: string): string | undefined {
  const name = pool.metadata?.name;
  const status = pool.status ?? {};
  if (pool.spec?.paused) return `Required MachineConfigPool ${name} is paused and can not sync until it is unpaused`;
  if (status.observedGeneration !== pool.metadata?.generation) return `pool ${name} status is not caught up with its spec`;
  if (status.configuration?.name !== expectedConfig || getCondition(status.conditions, 'Updated')?.status !== 'True') {
    return `pool ${name} has ${status.updatedMachineCount ?? 0} of ${status.machineCount ?? 0} nodes updated to ${expectedConfig}`;
  }
  return undefined;
}

function isPoolDegraded(pool: MachineConfigPool): boolean {
  return getCondition(pool.status?.conditions, 'Degraded')?.status === 'True';
}

function isPoolUpdating(pool: MachineConfigPool): boolean {
  return getCondition(pool.status?.conditions, 'Updated')?.status !== 'True';
}

// ---- kubelet version skew ---------------------------------------------------------------------------------------

export interface NodeKubelet {
  readonly name: string;
  readonly kubeletVersion: string | undefined;
}

export interface SkewVerdict {
  readonly status: 'True' | 'False' | 'Unknown';
  readonly reason: string;
  readonly message: string;
}

/** Supported kubelet minor skew behind the API server: −2 on even OpenShift minors, −1 on odd ones. */
export function minSupportedKubeletSkew(openShiftMinor: number): number {
  return openShiftMinor % 2 === 0 ? -2 : -1;
}

/** "a", "a and b", "a, b, and c" (the skew controller's node lists). */
function nodeList(names: readonly string[]): string {
  if (names.length <= 1) return names.join('');
  if (names.length === 2) return names.join(' and ');
  return `${names.slice(0, -1).join(', ')}, and ${names[names.length - 1]}`;
}

/**
 * The kube-apiserver operator's KubeletVersionSkewController verdict (kubelet_version_skew_controller.go), with the
 * API server at `apiServerVersion` (the release's kubelet version: OpenShift ships both at one minor) and OpenShift
 * at `releaseVersion`. An OpenShift minor update is assumed to bump the Kubernetes minor by one.
 */
export function kubeletSkewVerdict(nodes: readonly NodeKubelet[], releaseVersion: string, apiServerVersion: string): SkewVerdict {
  const openShift = parseSemVer(releaseVersion);
  const apiServer = parseSemVer(apiServerVersion.replace(/^v/, ''));
  if (!openShift || !apiServer) {
    return { status: 'Unknown', reason: ClusterOperatorReasons.KubeletVersionUnknown, message: `Cannot parse release ${releaseVersion} or API server version ${apiServerVersion}` };
  }
  const minSkew = minSupportedKubeletSkew(openShift.minor);
  const minSkewNext = minSupportedKubeletSkew(openShift.minor + 1);
  const groups = { unknown: [] as string[], tooOld: [] as string[], ahead: [] as string[], limit: [] as string[], behind: [] as string[] };
  const versions = new Map<string, string>();
  for (const node of [...nodes].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const kubelet = node.kubeletVersion ? parseSemVer(node.kubeletVersion.replace(/^v/, '')) : undefined;
    if (!kubelet) {
      groups.unknown.push(node.name);
      continue;
    }
    versions.set(node.name, node.kubeletVersion!.replace(/^v/, ''));
    const skew = kubelet.minor - apiServer.minor;
    if (skew === 0) continue;
    if (skew < minSkew) groups.tooOld.push(node.name);
    else if (skew - 1 < minSkewNext) groups.limit.push(node.name);
    else if (skew < 0) groups.behind.push(node.name);
    else groups.ahead.push(node.name);
  }
  const api = apiServerVersion.replace(/^v/, '');
  const phrase = (names: string[], one: string, few: string, many: string) =>
    names.length === 1 ? one : names.length <= 3 ? few : many;
  if (groups.tooOld.length > 0) {
    const n = groups.tooOld;
    return {
      status: 'False', reason: ClusterOperatorReasons.KubeletMinorVersionUnsupported,
      message: phrase(n,
        `Unsupported kubelet minor version (${versions.get(n[0])}) on node ${n[0]} is too far behind the target API server version (${api}).`,
        `Unsupported kubelet minor versions on nodes ${nodeList(n)} are too far behind the target API server version (${api}).`,
        `Unsupported kubelet minor versions on ${n.length} nodes are too far behind the target API server version (${api}).`),
    };
  }
  if (groups.ahead.length > 0) {
    const n = groups.ahead;
    return {
      status: 'Unknown', reason: ClusterOperatorReasons.KubeletMinorVersionAhead,
      message: phrase(n,
        `Unsupported kubelet minor version (${versions.get(n[0])}) on node ${n[0]} is ahead of the target API server version (${api}).`,
        `Unsupported kubelet minor versions on nodes ${nodeList(n)} are ahead of the target API server version (${api}).`,
        `Unsupported kubelet minor versions on ${n.length} nodes are ahead of the target API server version (${api}).`),
    };
  }
  if (groups.unknown.length > 0) {
    return { status: 'Unknown', reason: ClusterOperatorReasons.KubeletVersionUnknown, message: `Unable to determine the kubelet version on ${groups.unknown.length === 1 ? 'node' : 'nodes'} ${nodeList(groups.unknown)}.` };
  }
  if (groups.limit.length > 0) {
    const n = groups.limit;
    return {
      status: 'False', reason: ClusterOperatorReasons.KubeletMinorVersionUnsupportedNextUpgrade,
      message: phrase(n,
        `Kubelet minor version (${versions.get(n[0])}) on node ${n[0]} will not be supported in the next OpenShift minor version upgrade.`,
        `Kubelet minor versions on nodes ${nodeList(n)} will not be supported in the next OpenShift minor version upgrade.`,
        `Kubelet minor versions on ${n.length} nodes will not be supported in the next OpenShift minor version upgrade.`),
    };
  }
  return { status: 'True', reason: ClusterOperatorReasons.AsExpected, message: 'Kubelet and API server minor versions are synced.' };
}

// ---- the whole status -----------------------------------------------------------------------------------------

export interface OperatorStatusInput {
  readonly pools: readonly MachineConfigPool[];
  readonly target: TargetResult;
  /** The name of the config rendered for the target in `pool` (target.ts renderMachineConfig). */
  readonly expectedConfig: (pool: MachineConfigPool) => string;
  readonly nodes: readonly NodeKubelet[];
  /** The status as the ClusterOperator has it now: its versions are kept until the rollout completes. */
  readonly previous: ClusterOperatorStatus | undefined;
  readonly namespace?: string;
  readonly now: Date;
}

/** The relatedObjects `oc adm inspect co/machine-config` collects (namespace "" spelled out: the CRD defaults it). */
function relatedObjects(namespace: string) {
  return [
    { group: '', resource: 'namespaces', namespace: '', name: namespace },
    { group: MACHINE_CONFIG_POOL_RESOURCE.group, resource: MACHINE_CONFIG_POOL_RESOURCE.plural, namespace: '', name: '' },
    { group: MACHINE_CONFIG_POOL_RESOURCE.group, resource: 'machineconfigs', namespace: '', name: '' },
  ];
}

export function computeOperatorStatus(input: OperatorStatusInput): ClusterOperatorStatus {
  const { pools, target, previous, now } = input;
  let conditions: ClusterOperatorStatusCondition[] = [...(previous?.conditions ?? [])];
  const set = (type: string, status: 'True' | 'False' | 'Unknown', reason: string, message: string) => {
    conditions = setCondition(conditions, { type, status, reason, message } as ConditionInput<ClusterOperatorStatusCondition>, now);
  };
  const previousVersions: readonly OperandVersion[] = previous?.versions ?? [];
  const reported = previousVersions.find((v) => v.name === OPERATOR_VERSION_NAME)?.version;

  const degraded = pools.filter(isPoolDegraded);
  const degradedRequired = degraded.filter(isRequiredPool);
  const describeDegraded = (pool: MachineConfigPool) =>
    `pool ${pool.metadata?.name} is degraded: ${getCondition(pool.status?.conditions, 'Degraded')?.message ?? ''}`;

  let versions = previousVersions;
  if (!target.ok) {
    if (target.missing) {
      set('Progressing', 'True', '', `Waiting for the release's OS image: ${target.message}`);
      set('Degraded', 'False', ClusterOperatorReasons.AsExpected, '');
    } else {
      set('Progressing', 'False', '', reported ? `Cluster version is ${reported}` : '');
      set('Degraded', 'True', ClusterOperatorReasons.InvalidOSImageURL, target.message);
    }
  } else {
    const release = target.target.releaseVersion;
    const waiting = pools.filter(isRequiredPool).flatMap((p) => poolNotAtConfig(p, input.expectedConfig(p)) ?? []);
    const complete = waiting.length === 0 && degraded.length === 0;
    if (complete) versions = [{ name: OPERATOR_VERSION_NAME, version: release }];
    if (complete || reported === release) set('Progressing', 'False', '', `Cluster version is ${release}`);
    else {
      const blockers = [...degraded.map(describeDegraded), ...waiting];
      set('Progressing', 'True', '', `Working towards ${release}: ${blockers.join('; ')}`);
    }
    if (degraded.length > 0) {
      set('Degraded', 'True',
        degradedRequired.length > 0 ? ClusterOperatorReasons.RequiredPoolsFailed : ClusterOperatorReasons.PoolsDegraded,
        `Failed to resync ${release} because: ${degraded.map(describeDegraded).join('; ')}`);
    } else set('Degraded', 'False', ClusterOperatorReasons.AsExpected, '');
  }
  set('Available', 'True', ClusterOperatorReasons.AsExpected,
    reported ? `Cluster has deployed [{operator ${versions.find((v) => v.name === OPERATOR_VERSION_NAME)?.version ?? reported}}]` : 'Machine config controllers are running');

  const skew = target.ok ? kubeletSkewVerdict(input.nodes, target.target.releaseVersion, target.target.kubeletVersion) : undefined;
  const updating = pools.filter((p) => !p.spec?.paused && isPoolUpdating(p)).map((p) => p.metadata?.name ?? '');
  if (degraded.length > 0) {
    set('Upgradeable', 'False', ClusterOperatorReasons.DegradedPool,
      `One or more machine config pools are degraded, please see \`oc get mcp\` for further details and resolve before upgrading: ${degraded.map((p) => p.metadata?.name).join(', ')}`);
  } else if (skew && skew.status !== 'True') {
    set('Upgradeable', skew.status, skew.reason, skew.message);
  } else if (updating.length > 0) {
    set('Upgradeable', 'False', ClusterOperatorReasons.PoolUpdating,
      `One or more machine config pools are updating, please see \`oc get mcp\` for further details: ${updating.join(', ')}`);
  } else set('Upgradeable', 'True', ClusterOperatorReasons.AsExpected, '');

  const order = ['Available', 'Progressing', 'Degraded', 'Upgradeable'];
  conditions.sort((a, b) => order.indexOf(a.type) - order.indexOf(b.type));
  return { conditions, versions: [...versions], relatedObjects: relatedObjects(input.namespace ?? MACHINE_CONFIG_OPERATOR_NAMESPACE) };
}
