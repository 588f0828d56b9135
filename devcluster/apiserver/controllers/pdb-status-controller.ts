// PodDisruptionBudget status (apiserver.md §5.3), after kube-controller-manager's
// pkg/controller/disruption/disruption.go: the eviction subresource reads `disruptionsAllowed`,
// `currentHealthy` and `desiredHealthy` from here. Recomputed when the PDB changes, when a pod in its
// namespace changes, and when an entry of `disruptedPods` expires.
import type { ServerState } from '../handlers/context.ts';
import { timestamp } from '../handlers/write-pipeline.ts';
import { labelSelectorFromObject, type LabelSelectorObject } from '../selectors/index.ts';
import { objectKey } from '../storage/object-store.ts';
import type { KubeObject, OwnerReference } from '../types.ts';
import { inform, resourceOfKind, splitObjectKey } from './informers.ts';
import { WorkLoop } from './work-loop.ts';
import { cloneJson } from '../patch/json-values.ts';

const PDBS = 'policy/poddisruptionbudgets';
const PODS = '/pods';
/** An evicted pod not deleted within this is counted again (disruption.go DeletionTimeout). */
export const DELETION_TIMEOUT_MS = 2 * 60_000;
/** How soon a PDB whose status could not be computed is tried again (upstream: rate-limited requeue). */
export const SYNC_FAILED_RECHECK_MS = 10_000;

type IntOrString = number | string;

interface PdbSpec {
  selector?: LabelSelectorObject | null;
  minAvailable?: IntOrString;
  maxUnavailable?: IntOrString;
}

export interface PdbCondition {
  type: 'DisruptionAllowed';
  status: 'True' | 'False';
  observedGeneration?: number;
  lastTransitionTime: string;
  reason: 'SufficientPods' | 'InsufficientPods' | 'SyncFailed';
  message: string;
}

/** policy/v1 PodDisruptionBudgetStatus, fields in their wire order. */
export interface PdbStatus {
  observedGeneration?: number;
  disruptedPods?: Record<string, string>;
  disruptionsAllowed: number;
  currentHealthy: number;
  desiredHealthy: number;
  expectedPods: number;
  conditions?: PdbCondition[];
}

/** The scale of a pod's controller: its UID (several pods share one) and desired replicas. */
export interface ControllerScale {
  uid: string;
  replicas: number;
}

export interface PdbInputs {
  pdb: Readonly<KubeObject>;
  /** The pods of the PDB's namespace its selector matches. */
  pods: ReadonlyArray<Readonly<KubeObject>>;
  /** Finds the scale of a pod's controller; undefined when no such controller exists. */
  scaleOf: (controllerRef: OwnerReference, namespace: string) => ControllerScale | undefined;
  now: Date;
}

export interface PdbOutcome {
  status: PdbStatus;
  /** When a `disruptedPods` entry expires, if any is kept. */
  recheckAt?: Date;
  /** The sync failed; the status is upstream's fail-safe one (no disruption allowed). */
  failed?: boolean;
}

/** intstr.GetScaledValueFromIntOrPercent with rounding up. */
export function scaledValue(value: IntOrString, total: number): number {
  if (typeof value === 'number') return value;
  if (!value.endsWith('%')) throw new Error('invalid value for IntOrString: invalid type: string is not a percentage');
  const digits = value.slice(0, -1);
  if (!/^[+-]?\d+$/.test(digits)) throw new Error(`invalid value "${value}": strconv.Atoi: parsing "${digits}": invalid syntax`);
  return Math.ceil((Number(digits) * total) / 100);
}

function isReady(pod: Readonly<KubeObject>): boolean {
  const conditions = ((pod.status ?? {}) as { conditions?: Array<{ type?: string; status?: string }> }).conditions ?? [];
  return conditions.some((c) => c.type === 'Ready' && c.status === 'True');
}

function controllerOf(obj: Readonly<KubeObject>): OwnerReference | undefined {
  return (obj.metadata.ownerReferences ?? []).find((r) => r.controller === true);
}

/**
 * Sum of the scales of the pods' controllers (getExpectedScale). Pods without a controller are skipped,
 * as upstream does (it only warns); a controller that cannot be found is an error.
 */
function expectedScale(inputs: PdbInputs): number {
  const scales = new Map<string, number>();
  for (const pod of inputs.pods) {
    const ref = controllerOf(pod);
    if (!ref || scales.has(ref.uid)) continue;
    const scale = inputs.scaleOf(ref, pod.metadata.namespace ?? '');
    if (!scale) throw new Error(`found no controllers for pod "${pod.metadata.name}"`);
    scales.set(scale.uid, scale.replicas);
  }
  let total = 0;
  for (const replicas of scales.values()) total += replicas;
  return total;
}

/** expectedPods and desiredHealthy from minAvailable or maxUnavailable (getExpectedPodCount). */
function expectedAndDesired(inputs: PdbInputs): { expected: number; desired: number } {
  const spec = (inputs.pdb.spec ?? {}) as PdbSpec;
  if (spec.maxUnavailable !== undefined) {
    const expected = expectedScale(inputs);
    return { expected, desired: Math.max(0, expected - scaledValue(spec.maxUnavailable, expected)) };
  }
  if (typeof spec.minAvailable === 'number') return { expected: inputs.pods.length, desired: spec.minAvailable };
  if (typeof spec.minAvailable === 'string') {
    const expected = expectedScale(inputs);
    return { expected, desired: scaledValue(spec.minAvailable, expected) };
  }
  return { expected: 0, desired: 0 };
}

/** apimeta.SetStatusCondition: lastTransitionTime moves only when the status flips. */
function withCondition(conditions: PdbCondition[], next: Omit<PdbCondition, 'lastTransitionTime'>, now: string): PdbCondition[] {
  const existing = conditions.find((c) => c.type === next.type);
  const lastTransitionTime = existing && existing.status === next.status ? existing.lastTransitionTime : now;
  const condition: PdbCondition = { type: next.type, status: next.status, ...(next.observedGeneration ? { observedGeneration: next.observedGeneration } : {}), lastTransitionTime, reason: next.reason, message: next.message };
  return existing ? conditions.map((c) => (c === existing ? condition : c)) : [...conditions, condition];
}

/** failSafe: when the status cannot be computed, at least allow no disruption; the other numbers stay. */
export function failSafeStatus(pdb: Readonly<KubeObject>, message: string, now: Date): PdbStatus {
  const old = (pdb.status ?? {}) as Partial<PdbStatus>;
  return {
    ...(old.observedGeneration ? { observedGeneration: old.observedGeneration } : {}),
    ...(old.disruptedPods ? { disruptedPods: old.disruptedPods } : {}),
    disruptionsAllowed: 0,
    currentHealthy: old.currentHealthy ?? 0,
    desiredHealthy: old.desiredHealthy ?? 0,
    expectedPods: old.expectedPods ?? 0,
    conditions: withCondition(old.conditions ?? [], { type: 'DisruptionAllowed', status: 'False', reason: 'SyncFailed', message, observedGeneration: old.observedGeneration }, timestamp(now)),
  };
}

/** The status the disruption controller would write (trySync, or failSafe when that fails). */
export function computePdbStatus(inputs: PdbInputs): PdbOutcome {
  const { pdb, pods, now } = inputs;
  const old = (pdb.status ?? {}) as Partial<PdbStatus>;
  let counts: { expected: number; desired: number };
  try {
    counts = expectedAndDesired(inputs);
  } catch (err) {
    return { status: failSafeStatus(pdb, (err as Error).message, now), failed: true };
  }
  // buildDisruptedPodMap: keep entries of matching, not yet deleting pods whose deletion is still expected.
  const disruptedPods: Record<string, string> = {};
  let recheckAt: Date | undefined;
  for (const pod of pods) {
    const name = pod.metadata.name ?? '';
    const since = old.disruptedPods?.[name];
    if (pod.metadata.deletionTimestamp || since === undefined) continue;
    const expires = new Date(Date.parse(since) + DELETION_TIMEOUT_MS);
    if (expires.getTime() < now.getTime()) continue;
    disruptedPods[name] = since;
    if (!recheckAt || expires < recheckAt) recheckAt = expires;
  }
  // countHealthyPods: Ready, not deleting, not just evicted.
  const currentHealthy = pods.filter((p) => !p.metadata.deletionTimestamp && disruptedPods[p.metadata.name ?? ''] === undefined && isReady(p)).length;
  // With no expected pods nothing may be disrupted, so a budget is safe before its first status (updatePdbStatus).
  const disruptionsAllowed = counts.expected <= 0 ? 0 : Math.max(0, currentHealthy - counts.desired);
  const generation = pdb.metadata.generation;
  const status: PdbStatus = {
    ...(generation ? { observedGeneration: generation } : {}),
    ...(Object.keys(disruptedPods).length > 0 ? { disruptedPods } : {}),
    disruptionsAllowed,
    currentHealthy,
    desiredHealthy: counts.desired,
    expectedPods: counts.expected,
    conditions: withCondition(
      old.conditions ?? [],
      disruptionsAllowed > 0
        ? { type: 'DisruptionAllowed', status: 'True', reason: 'SufficientPods', message: '', observedGeneration: generation }
        : { type: 'DisruptionAllowed', status: 'False', reason: 'InsufficientPods', message: '', observedGeneration: generation },
      timestamp(now),
    ),
  };
  return { status, recheckAt };
}

export function startPdbStatusController(server: ServerState): () => void {
  const loop = new WorkLoop('pdb-status-controller', (key) => reconcile(key));

  /**
   * The scale of a pod's controller (disruption.go finders): a ReplicaSet run by a Deployment counts as the
   * Deployment; otherwise any kind with a scale subresource, read at its spec replicas path.
   */
  function scaleOf(ref: OwnerReference, namespace: string): ControllerScale | undefined {
    const resource = resourceOfKind(server, ref.apiVersion, ref.kind);
    if (!resource) return undefined;
    const controller = server.store.get(resource.storageKey, resource.namespaced ? namespace : '', ref.name)?.object;
    if (!controller || controller.metadata.uid !== ref.uid) return undefined;
    const parent = controllerOf(controller);
    if (resource.storageKey === 'apps/replicasets' && parent?.kind === 'Deployment' && parent.apiVersion.startsWith('apps/')) {
      const deployment = scaleOf(parent, namespace);
      if (deployment) return deployment;
    }
    const scale = resource.subresources.scale;
    if (!scale) return undefined;
    let value: unknown = controller;
    for (const part of scale.specReplicasPath.replace(/^\./, '').split('.')) value = (value as Record<string, unknown> | undefined)?.[part];
    // Built-in workloads default replicas to 1; a custom resource without the field scales to 0.
    return { uid: ref.uid, replicas: typeof value === 'number' ? value : resource.isCustom ? 0 : 1 };
  }

  function matchingPods(pdb: Readonly<KubeObject>, namespace: string): KubeObject[] {
    // A null selector matches nothing, an empty one every pod (metav1.LabelSelectorAsSelector).
    const matcher = labelSelectorFromObject((pdb.spec as PdbSpec | undefined)?.selector);
    return server.store.list(PODS, namespace).map((s) => s.object as KubeObject).filter((pod) => matcher.matches(pod.metadata.labels));
  }

  function reconcile(key: string): void {
    const { namespace, name } = splitObjectKey(key);
    const stored = server.store.get(PDBS, namespace, name);
    if (!stored) return;
    const pdb = stored.object as KubeObject;
    const now = server.now();
    let outcome: PdbOutcome;
    try {
      outcome = computePdbStatus({ pdb, pods: matchingPods(pdb, stored.namespace), scaleOf, now });
    } catch (err) {
      // An unusable selector (getPodsForPdb fails): fail safe as upstream.
      outcome = { status: failSafeStatus(pdb, (err as Error).message, now), failed: true };
    }
    if (JSON.stringify(outcome.status) !== JSON.stringify(pdb.status ?? {})) {
      const next = cloneJson(pdb);
      next.status = outcome.status;
      server.store.put(PDBS, next);
    }
    if (outcome.failed) loop.enqueueAfter(key, SYNC_FAILED_RECHECK_MS);
    else if (outcome.recheckAt) loop.enqueueAfter(key, Math.max(0, outcome.recheckAt.getTime() - now.getTime()) + 1000);
  }

  const stopPdbs = inform(server, PDBS, (event) => {
    if (event.type !== 'DELETED') loop.enqueue(objectKey(event.current.namespace, event.current.name));
  });
  // Any pod change may move the numbers of the budgets in its namespace.
  const stopPods = inform(server, PODS, (event) => {
    for (const pdb of server.store.list(PDBS, event.current.namespace)) loop.enqueue(objectKey(pdb.namespace, pdb.name));
  });
  return () => {
    loop.stop();
    stopPdbs();
    stopPods();
  };
}
