// The Replace strategy's part of a pool's reconcile (pool-controller.ts calls it for pools with
// `osUpdate.strategy: Replace`; it writes MachineSets and Machines, never the pool, whose status stays the pool
// controller's). Per pass, from the caches alone:
//   1. the release's boot images (boot-images.ts) must be for the release the pool targets;
//   2. the pool's MachineSets: owners of the Machines behind its Nodes (the Node's machine.openshift.io/machine
//      annotation, or the providerID), and MachineSets whose template's Node labels put their Nodes in the pool;
//   3. every MachineSet's template gets the release's boot image (boot-image.ts), with an Event;
//   4. one MachineSet at a time is replaced (planner.ts): those under way first, then the one whose first old
//      Machine comes first (zone, oldest; OpenShift has a MachineSet per zone, so this is zone order), each pass
//      making at most one write to it, conditioned on the resourceVersion read.
// New Machines boot the target OS, so their Nodes join already on it and are adopted as updated (pool-node.ts
// isAdoptable); the old Nodes leave with their Machines. Pool Nodes without a MachineSet's Machine cannot be replaced
// and are reported without holding back the rest.
import {
  DELETE_MACHINE_ANNOTATION,
  MACHINE_SET_RESOURCE,
  NODE_MACHINE_ANNOTATION,
  ZONE_LABEL as MACHINE_ZONE_LABEL,
  type Machine,
  type MachineSet,
} from '../../api/machine-v1beta1.ts';
import {
  COREOS_BOOTIMAGES_CONFIG_MAP,
  OSIMAGEURL_CONFIG_MAP,
  RELEASE_IMAGE_VERSION_ANNOTATION,
  REPLACE_BASE_REPLICAS_ANNOTATION,
  REPLACE_DELETE_MACHINE_VALUE,
  REPLACE_REPLICAS_ANNOTATION,
  ZONE_LABEL,
  type MachineConfig,
  type MachineConfigPool,
} from '../../api/machineconfiguration-v1.ts';
import type { EventInput } from '../../runtime/events.ts';
import type { Logger } from '../../runtime/log.ts';
import type { KubeObject } from '../../runtime/watcher.ts';
import { parseBootImages } from '../boot-images.ts';
import { MACHINE_SETS, MACHINES, OWNER_UID_INDEX, type MachineConfigContext } from '../context.ts';
import { computePoolMembership } from '../pool-membership.ts';
import { isNodeUpdated, type NodeObject, type PoolNode } from '../pool-node.ts';
import { computeStartGate, type RolloutPolicy } from '../rollout.ts';
import type { OsTarget } from '../target.ts';
import { readBootImage, streamArchitectureOf, withBootImage, type BootImageTarget } from './boot-image.ts';
import { compareVictims, planReplace, replacementsStarted, type ReplaceMachine, type ReplaceMachineSet, type ReplaceWait } from './planner.ts';

export interface ReplaceInput {
  readonly pool: MachineConfigPool;
  /** The rendered config the pool targets, and the config itself. */
  readonly target: string;
  readonly targetConfig: MachineConfig;
  /** The osimageurl ConfigMap's target, when it parses. */
  readonly osTarget: OsTarget | undefined;
  /** The pool's Nodes, and the decision view of each (expectations applied). */
  readonly nodes: readonly NodeObject[];
  readonly poolNodes: readonly PoolNode[];
  /** The pool a Node is in (any pool), from the pool controller's membership. */
  readonly poolOfNode: (node: string) => string | undefined;
  readonly policy: RolloutPolicy;
  readonly now: Date;
  readonly log: Logger;
}

export interface ReplaceOutcome {
  /** Why the pool cannot be replaced at all, or some MachineSet of it cannot (RenderDegraded). */
  readonly renderError?: string;
  /** Why nothing (more) happens now (the Updating condition's reason). */
  readonly wait?: ReplaceWait;
  /** Nodes that cannot be replaced, and new Machines that failed (NodeDegraded). */
  readonly problems: readonly string[];
  /** A MachineSet of the pool still has old Machines or a replacement recorded: the pool is not Updated. */
  readonly replacing: boolean;
  readonly recheckAfterMs?: number;
  /** A write that failed (a conflict: the object changed since the cache showed it); thrown after the status write. */
  readonly error?: unknown;
}

function controllerOf(obj: KubeObject, kind: string): { name: string; uid: string } | undefined {
  const ref = obj.metadata?.ownerReferences?.find((r) => r.controller === true && r.kind === kind);
  return ref ? { name: ref.name, uid: ref.uid } : undefined;
}

const keyOf = (obj: KubeObject) => `${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;

function intAnnotation(obj: KubeObject, key: string): number | undefined {
  const value = obj.metadata?.annotations?.[key];
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
}

function millis(value: string | Date | undefined): number {
  const ms = value === undefined ? NaN : value instanceof Date ? value.getTime() : Date.parse(value);
  return Number.isNaN(ms) ? 0 : ms;
}

/** A MachineSet of the pool, with its template's boot image as it is and as it must be. */
interface PoolMachineSet {
  ms: MachineSet;
  readonly target: BootImageTarget;
}

export async function reconcileReplace(ctx: MachineConfigContext, input: ReplaceInput): Promise<ReplaceOutcome> {
  const { caches } = ctx;
  const { pool, log } = input;
  const poolName = pool.metadata?.name ?? '';
  if (ctx.machineApiServed() !== true) {
    return { renderError: 'spec.osUpdate.strategy: Replace needs the Machine API, and machine.openshift.io/v1beta1 MachineSets are not served', problems: [], replacing: false };
  }
  const parsed = parseBootImages(caches.configMaps.store.get(`${ctx.namespace}/${COREOS_BOOTIMAGES_CONFIG_MAP}`), ctx.namespace);
  if (!parsed.ok) return { renderError: parsed.message, problems: [], replacing: false };
  const bootImages = parsed.bootImages;

  // 2. The pool's MachineSets, first: a replacement recorded on one keeps the pool from Updated even while waiting.
  const problems: string[] = [];
  const renderErrors: string[] = [];
  const machinesByKey = new Map(caches.machines.store.list().map((m) => [keyOf(m), m]));
  const machinesByProviderID = new Map(caches.machines.store.list().filter((m) => m.spec?.providerID).map((m) => [m.spec!.providerID!, m]));
  const setKeys = new Set<string>();
  const poolNodeByName = new Map(input.poolNodes.map((n) => [n.name, n]));
  for (const node of input.nodes) {
    const name = node.metadata?.name ?? '';
    const machine = machinesByKey.get(node.metadata?.annotations?.[NODE_MACHINE_ANNOTATION] ?? '')
      ?? (node.spec?.providerID ? machinesByProviderID.get(node.spec.providerID) : undefined);
    const owner = machine && controllerOf(machine, MACHINE_SET_RESOURCE.kind);
    const ms = owner && caches.machineSets.store.get(`${machine.metadata.namespace ?? ''}/${owner.name}`);
    if (ms) setKeys.add(keyOf(ms));
    else if (!isNodeUpdated(poolNodeByName.get(name)!, input.target)) {
      problems.push(`Node ${name}: no Machine of a MachineSet backs it, so it cannot be replaced (update it in place, or replace it by hand)`);
    }
  }
  for (const ms of caches.machineSets.store.list()) {
    const labels = ms.spec?.template?.spec?.metadata?.labels;
    if (!labels) continue;
    const probe: NodeObject = { metadata: { name: keyOf(ms), labels } };
    if (computePoolMembership([...caches.pools.store.list()], [probe]).nodesByPool.get(poolName)?.length) setKeys.add(keyOf(ms));
  }

  const sets: PoolMachineSet[] = [];
  for (const key of [...setKeys].sort()) {
    const ms = caches.machineSets.store.get(key)!;
    if (ms.metadata.deletionTimestamp) continue;
    const elsewhere = ownedMachines(ctx, ms).map((m) => m.status?.nodeRef?.name).filter((n) => n !== undefined && (input.poolOfNode(n) ?? poolName) !== poolName);
    if (elsewhere.length > 0) {
      problems.push(`MachineSet ${key}: its Machines' Nodes are in other pools too (${elsewhere.join(', ')}); it is not replaced`);
      continue;
    }
    const target = withBootImage(ms.spec?.template?.spec?.providerSpec?.value, bootImages, streamArchitectureOf(ms.metadata.annotations));
    if (!target.ok) renderErrors.push(`MachineSet ${key}: ${target.message}`);
    else sets.push({ ms, target: target.value });
  }
  const renderError = renderErrors.length > 0 ? renderErrors.join('; ') : undefined;
  const recorded = sets.some((s) => s.ms.metadata.annotations?.[REPLACE_BASE_REPLICAS_ANNOTATION] !== undefined);

  // 1. The boot images must be those of the release the pool targets (the CVO applies both ConfigMaps in turn).
  const targetRelease = input.targetConfig.metadata?.annotations?.[RELEASE_IMAGE_VERSION_ANNOTATION];
  const where = (name: string) => `ConfigMap ${ctx.namespace}/${name}`;
  if (input.osTarget && bootImages.releaseVersion !== input.osTarget.releaseVersion) {
    const message = `${where(COREOS_BOOTIMAGES_CONFIG_MAP)} data.releaseVersion is ${JSON.stringify(bootImages.releaseVersion)}, ${where(OSIMAGEURL_CONFIG_MAP)} data.releaseVersion is ${JSON.stringify(input.osTarget.releaseVersion)}: waiting for both to name the same release`;
    return { renderError, problems, replacing: recorded, wait: { reason: 'BootImagesOutdated', message } };
  }

  const views = sets.map((s) => viewOf(ctx, s.ms));
  const oldCount = views.reduce((n, v, i) => n + v.machines.filter((m) => !m.deleting && m.bootImage !== sets[i].target.image).length, 0);
  const gate = computeStartGate({
    policy: input.policy,
    target: input.target,
    nodes: input.poolNodes,
    now: input.now,
    targeted: views.reduce((n, v, i) => n + replacementsStarted(v, sets[i].target.image), 0),
    waiting: oldCount,
  });
  const replacing = recorded || oldCount > 0;
  const outcome = (rest: Partial<ReplaceOutcome>): ReplaceOutcome => ({
    renderError, problems, replacing, ...(gate.recheckAfterMs !== undefined ? { recheckAfterMs: gate.recheckAfterMs } : {}), ...rest,
  });
  if (targetRelease !== bootImages.releaseVersion) {
    // Paused (the pool keeps its config) or not rendered yet: the template waits for the pool's own release.
    const message = `The pool targets ${input.target} (release ${targetRelease ?? 'unknown'}), the boot images are release ${bootImages.releaseVersion}`;
    return outcome({ wait: gate.wait ?? { reason: 'BootImagesOutdated', message } });
  }

  // Cached list items may lack apiVersion and kind, which the Event's regarding reference needs.
  const event = (ms: MachineSet, e: EventInput) => ctx.recorder.record({ ...ms, apiVersion: MACHINE_SET_RESOURCE.apiVersion, kind: MACHINE_SET_RESOURCE.kind }, e);
  try {
    // 3. Templates: new Machines (the replacement's, the cluster-autoscaler's) boot the release's image.
    for (const [i, set] of sets.entries()) {
      const current = readBootImage(set.ms.spec?.template?.spec?.providerSpec?.value);
      if (current.ok && current.value === set.target.image) continue;
      const from = current.ok ? current.value ?? 'none' : 'unreadable';
      log.info('Setting the MachineSet boot image', { MachineSet: keyOf(set.ms), field: set.target.field, from, to: set.target.image });
      set.ms = (await ctx.client.patch(MACHINE_SETS, set.ms.metadata.namespace, set.ms.metadata.name ?? '', 'application/json-patch+json', [
        { op: 'test', path: '/metadata/resourceVersion', value: set.ms.metadata.resourceVersion },
        { op: 'replace', path: '/spec/template/spec/providerSpec/value', value: set.target.value },
      ])) as MachineSet;
      views[i] = viewOf(ctx, set.ms);
      event(set.ms, {
        type: 'Normal', reason: 'BootImageUpdated', action: 'Update',
        note: `Set ${set.target.field} to ${set.target.image} (release ${bootImages.releaseVersion}), was ${from}`,
      });
    }

    // 4. One MachineSet at a time: those under way, else the one whose first old Machine comes first.
    let active = views.map((v, i) => i).filter((i) => views[i].baseReplicas !== undefined);
    if (active.length === 0) {
      const firstOld = (i: number) => views[i].machines.filter((m) => !m.deleting && m.bootImage !== sets[i].target.image).sort(compareVictims)[0];
      const next = views.map((v, i) => i).filter((i) => firstOld(i) !== undefined).sort((a, b) => compareVictims(firstOld(a)!, firstOld(b)!))[0];
      active = next === undefined ? [] : [next];
    }
    let wait: ReplaceWait | undefined;
    for (const i of active) {
      const plan = planReplace({ machineSet: views[i], target: sets[i].target.image, maxSurge: pool.spec?.osUpdate?.maxSurge, maxUnavailable: pool.spec?.maxUnavailable, gate });
      problems.push(...plan.failed.map((f) => `Machine ${sets[i].ms.metadata.namespace}/${f.machine} failed on the new boot image: ${f.message}`));
      wait ??= plan.wait;
      if (plan.action) await act(ctx, sets[i].ms, plan.action, { pool: poolName, bootImage: sets[i].target.image, release: bootImages.releaseVersion }, log, event);
    }
    return outcome(wait ? { wait } : {});
  } catch (err) {
    return outcome({ error: err });
  }
}

function ownedMachines(ctx: MachineConfigContext, ms: MachineSet): Machine[] {
  const uid = ms.metadata.uid;
  return uid ? ctx.caches.machines.store.byIndex(OWNER_UID_INDEX, uid).filter((m) => controllerOf(m, MACHINE_SET_RESOURCE.kind)?.uid === uid) : [];
}

/** What the planner reads of a MachineSet and its Machines. */
function viewOf(ctx: MachineConfigContext, ms: MachineSet): ReplaceMachineSet {
  const machines = ownedMachines(ctx, ms).map((m): ReplaceMachine => {
    const node = m.status?.nodeRef?.name ? ctx.caches.nodes.store.get(m.status.nodeRef.name) : undefined;
    const image = readBootImage(m.spec?.providerSpec?.value, 'spec.providerSpec.value');
    const ready = node?.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
    const failed = m.status?.phase === 'Failed' ? m.status.errorMessage ?? m.status.errorReason ?? 'phase Failed' : undefined;
    return {
      name: m.metadata.name ?? '',
      bootImage: image.ok ? image.value : undefined,
      zone: node?.metadata?.labels?.[ZONE_LABEL] ?? m.metadata.labels?.[MACHINE_ZONE_LABEL],
      createdAtMs: millis(m.metadata.creationTimestamp),
      deleting: !!m.metadata.deletionTimestamp,
      marked: m.metadata.annotations?.[DELETE_MACHINE_ANNOTATION] === REPLACE_DELETE_MACHINE_VALUE,
      available: !m.metadata.deletionTimestamp && !!node && ready && node.spec?.unschedulable !== true && !node.metadata?.deletionTimestamp,
      ...(failed !== undefined ? { failed } : {}),
    };
  });
  return {
    name: keyOf(ms),
    replicas: ms.spec?.replicas ?? 0,
    baseReplicas: intAnnotation(ms, REPLACE_BASE_REPLICAS_ANNOTATION),
    writtenReplicas: intAnnotation(ms, REPLACE_REPLICAS_ANNOTATION),
    machines,
  };
}

/** One planner action as one write, conditioned on the resourceVersion read (a stale cache gets a 409). */
async function act(
  ctx: MachineConfigContext,
  ms: MachineSet,
  action: NonNullable<ReturnType<typeof planReplace>['action']>,
  about: { readonly pool: string; readonly bootImage: string; readonly release: string },
  log: Logger,
  event: (ms: MachineSet, e: EventInput) => void,
): Promise<void> {
  const key = keyOf(ms);
  const patchSet = (metadata: Record<string, unknown>, spec?: Record<string, unknown>) =>
    ctx.client.patch(MACHINE_SETS, ms.metadata.namespace, ms.metadata.name ?? '', 'application/merge-patch+json', {
      metadata: { ...metadata, resourceVersion: ms.metadata.resourceVersion },
      ...(spec ? { spec } : {}),
    });
  const replicas = ms.spec?.replicas ?? 0;
  switch (action.type) {
    case 'Begin':
    case 'Rebase': {
      log.info(action.type === 'Begin' ? 'Starting to replace MachineSet Machines' : 'MachineSet replicas changed by someone else: new base', { MachineSet: key, baseReplicas: action.base });
      await patchSet({ annotations: { [REPLACE_BASE_REPLICAS_ANNOTATION]: String(action.base), [REPLACE_REPLICAS_ANNOTATION]: String(replicas) } });
      if (action.type === 'Begin') {
        event(ms, {
          type: 'Normal', reason: 'ReplacingMachines', action: 'Replace',
          note: `Pool ${about.pool}: replacing the Machines not booted from ${about.bootImage} (release ${about.release}), ${action.base} replicas`,
        });
      }
      return;
    }
    case 'Scale':
      log.info('Scaling MachineSet', { MachineSet: key, from: replicas, to: action.replicas, why: action.why });
      await patchSet({ annotations: { [REPLACE_REPLICAS_ANNOTATION]: String(action.replicas) } }, { replicas: action.replicas });
      return;
    case 'Mark': {
      const machine = ctx.caches.machines.store.get(`${ms.metadata.namespace ?? ''}/${action.machine}`);
      if (!machine) return;
      log.info('Choosing the old Machine to remove next', { MachineSet: key, Machine: action.machine });
      await ctx.client.patch(MACHINES, machine.metadata.namespace, action.machine, 'application/merge-patch+json', {
        metadata: { annotations: { [DELETE_MACHINE_ANNOTATION]: REPLACE_DELETE_MACHINE_VALUE }, resourceVersion: machine.metadata.resourceVersion },
      });
      event(ms, { type: 'Normal', reason: 'ReplacingMachine', action: 'Replace', note: `Machine ${action.machine} goes next: it does not boot ${about.bootImage}` });
      return;
    }
    case 'Finish':
      log.info('MachineSet Machines replaced', { MachineSet: key, replicas });
      await patchSet({ annotations: { [REPLACE_BASE_REPLICAS_ANNOTATION]: null, [REPLACE_REPLICAS_ANNOTATION]: null } });
      event(ms, { type: 'Normal', reason: 'MachinesReplaced', action: 'Replace', note: `Every Machine boots ${about.bootImage} (release ${about.release})` });
      return;
  }
}
