// Nodelink's pure half (MAO pkg/controller/nodelink/nodelink_controller.go; shared/reference/machine-api.md §1.6):
// which Machine a Node belongs to, and what the Node must carry from that Machine.
//
// Matching is MAO's: by providerID first, then by the Node's first InternalIP; more than one candidate on either
// lookup is an error, never a guess.
//
// Node metadata differs from MAO on purpose. MAO only ever adds spec.metadata labels/annotations and spec.taints
// to the Node, so removing one from the Machine leaves it on the Node forever (the FAQ tells users to remove it
// by hand). Here a Node annotation records what the Machine put there, and what the Machine no longer has is
// removed; keys the Machine never applied (kubelet's labels, other controllers' taints) are never touched:
//
//   machine.openshift.io/applied-node-metadata: {"labels":["a","b"],"annotations":["c"],"taints":["key:NoSchedule"]}
//
// Keys are sorted; taints are identified by key and effect, as MAO and the API server do. The record lists what
// the Machine declares now, so a key the Machine declares is owned by it even if the Node had it first: when the
// Machine drops it, it goes. An unreadable record is treated as empty (nothing is removed), never as an error.
// Cluster API does the same with its labels-from-machine, annotations-from-machine and taints-from-machine
// annotations (reference §3). The machine.openshift.io/machine annotation is always set and never recorded.
import { NODE_MACHINE_ANNOTATION, type Machine, type Taint } from '../../api/machine-v1beta1.ts';
import type { Node, NodeTaint } from '../node.ts';

/** Node annotation holding what nodelink applied from the Machine (see the top of this file). */
export const APPLIED_NODE_METADATA_ANNOTATION = 'machine.openshift.io/applied-node-metadata';

/** Indexes of candidate Machines, as the controller's cache indexers build them (machineIndexes). */
export interface MachineIndexes {
  readonly byProviderID: ReadonlyMap<string, readonly Machine[]>;
  readonly byInternalIP: ReadonlyMap<string, readonly Machine[]>;
}

function addTo(index: Map<string, Machine[]>, key: string, machine: Machine): void {
  const list = index.get(key);
  if (list) list.push(machine);
  else index.set(key, [machine]);
}

/** MAO's two machine indexes: spec.providerID, and every InternalIP in status.addresses. */
export function machineIndexes(machines: readonly Machine[]): MachineIndexes {
  const byProviderID = new Map<string, Machine[]>();
  const byInternalIP = new Map<string, Machine[]>();
  for (const machine of machines) {
    if (machine.spec?.providerID) addTo(byProviderID, machine.spec.providerID, machine);
    for (const address of new Set((machine.status?.addresses ?? []).filter((a) => a.type === 'InternalIP').map((a) => a.address))) {
      addTo(byInternalIP, address, machine);
    }
  }
  return { byProviderID, byInternalIP };
}

export type NodeMatch =
  | { readonly kind: 'matched'; readonly machine: Machine; readonly by: 'providerID' | 'internalIP' }
  | { readonly kind: 'none' }
  | { readonly kind: 'ambiguous'; readonly by: 'providerID' | 'internalIP'; readonly machines: readonly Machine[]; readonly message: string };

function machineNames(machines: readonly Machine[]): string {
  return machines.map((m) => `${m.metadata.namespace ?? ''}/${m.metadata.name ?? ''}`).join(', ');
}

/** The Machine a Node belongs to: by the Node's spec.providerID, else by its first InternalIP (MAO findMachineFromNode). */
export function findMachineForNode(
  node: Node,
  machinesByProviderID: ReadonlyMap<string, readonly Machine[]>,
  machinesByInternalIP: ReadonlyMap<string, readonly Machine[]>,
): NodeMatch {
  const lookups: Array<['providerID' | 'internalIP', string | undefined, ReadonlyMap<string, readonly Machine[]>]> = [
    ['providerID', node.spec?.providerID, machinesByProviderID],
    ['internalIP', node.status?.addresses?.find((a) => a.type === 'InternalIP')?.address, machinesByInternalIP],
  ];
  for (const [by, key, index] of lookups) {
    if (!key) continue;
    const found = index.get(key) ?? [];
    if (found.length > 1) {
      return { kind: 'ambiguous', by, machines: found, message: `Found ${found.length} machines with ${by} ${JSON.stringify(key)}: ${machineNames(found)}` };
    }
    if (found.length === 1) return { kind: 'matched', machine: found[0], by };
  }
  return { kind: 'none' };
}

/** What nodelink applied from the Machine, as recorded on the Node. */
export interface AppliedNodeMetadata {
  readonly labels: readonly string[];
  readonly annotations: readonly string[];
  /** `key:effect` */
  readonly taints: readonly string[];
}

const EMPTY_RECORD: AppliedNodeMetadata = { labels: [], annotations: [], taints: [] };

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** The record on the Node; empty when absent or unreadable. */
export function readAppliedNodeMetadata(node: Node): AppliedNodeMetadata {
  const raw = node.metadata?.annotations?.[APPLIED_NODE_METADATA_ANNOTATION];
  if (raw === undefined) return EMPTY_RECORD;
  try {
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed !== 'object' || parsed === null) return EMPTY_RECORD;
    const record = parsed as Record<string, unknown>;
    return { labels: stringList(record.labels), annotations: stringList(record.annotations), taints: stringList(record.taints) };
  } catch {
    return EMPTY_RECORD;
  }
}

function taintId(taint: { readonly key: string; readonly effect: string }): string {
  return `${taint.key}:${taint.effect}`;
}

/** A JSON merge patch for the Node: null deletes a key; spec.taints, when present, is the whole new list. */
export interface NodePatch {
  readonly metadata?: {
    /** Set with spec.taints: replacing the list must fail (409) if someone changed the Node meanwhile. */
    readonly resourceVersion?: string;
    readonly labels?: Readonly<Record<string, string | null>>;
    readonly annotations?: Readonly<Record<string, string | null>>;
  };
  readonly spec?: { readonly taints: readonly NodeTaint[] };
}

/** Keys to set (value differs) and keys to delete (recorded, no longer wanted, still present). */
function mapChanges(
  current: Readonly<Record<string, string>> | undefined,
  wanted: Readonly<Record<string, string>>,
  previouslyApplied: readonly string[],
): Record<string, string | null> {
  const changes: Record<string, string | null> = {};
  for (const [k, v] of Object.entries(wanted)) if (current?.[k] !== v) changes[k] = v;
  for (const k of previouslyApplied) if (!Object.hasOwn(wanted, k) && current && Object.hasOwn(current, k)) changes[k] = null;
  return changes;
}

function sameTaint(a: NodeTaint, b: Taint): boolean {
  return a.key === b.key && a.effect === b.effect && (a.value ?? '') === (b.value ?? '');
}

/**
 * The patch that makes the Node carry the Machine's spec.metadata labels and annotations, spec.taints, and the
 * machine.openshift.io/machine annotation, and drop what the Machine applied before but no longer declares.
 * Undefined when nothing changes, and for a Node being deleted (MAO leaves those alone).
 */
export function nodeUpdatesFromMachine(machine: Machine, node: Node): NodePatch | undefined {
  if (node.metadata?.deletionTimestamp) return undefined;
  const previous = readAppliedNodeMetadata(node);
  const wantedLabels = machine.spec?.metadata?.labels ?? {};
  const declaredAnnotations = machine.spec?.metadata?.annotations ?? {};
  const wantedTaints = machine.spec?.taints ?? [];
  const record: AppliedNodeMetadata = {
    labels: Object.keys(wantedLabels).sort(),
    // The two keys nodelink manages itself are never the Machine's to set or remove.
    annotations: Object.keys(declaredAnnotations).filter((k) => k !== NODE_MACHINE_ANNOTATION && k !== APPLIED_NODE_METADATA_ANNOTATION).sort(),
    taints: [...new Set(wantedTaints.map(taintId))].sort(),
  };
  const recordEmpty = record.labels.length + record.annotations.length + record.taints.length === 0;
  const wantedAnnotations: Record<string, string> = {
    ...Object.fromEntries(record.annotations.map((k) => [k, declaredAnnotations[k]])),
    [NODE_MACHINE_ANNOTATION]: `${machine.metadata.namespace ?? ''}/${machine.metadata.name ?? ''}`,
    ...(recordEmpty ? {} : { [APPLIED_NODE_METADATA_ANNOTATION]: JSON.stringify(record) }),
  };

  const labels = mapChanges(node.metadata?.labels, wantedLabels, previous.labels);
  const annotations = mapChanges(node.metadata?.annotations, wantedAnnotations, [...previous.annotations, APPLIED_NODE_METADATA_ANNOTATION]);

  // Taints: keep everyone else's in place, replace or append the Machine's (its value wins), drop the ones it
  // applied before and no longer declares.
  const currentTaints = node.spec?.taints ?? [];
  const wantedById = new Map(wantedTaints.map((t) => [taintId(t), t]));
  const dropped = new Set(previous.taints.filter((id) => !wantedById.has(id)));
  const kept = currentTaints
    .filter((t) => !dropped.has(taintId(t)))
    .map((t) => {
      const wanted = wantedById.get(taintId(t));
      if (!wanted || sameTaint(t, wanted)) return t;
      const { value: _old, ...rest } = t;
      return wanted.value === undefined ? rest : { ...rest, value: wanted.value };
    });
  const present = new Set(kept.map(taintId));
  const taints: NodeTaint[] = [...kept, ...[...wantedById.values()].filter((t) => !present.has(taintId(t)))];
  const taintsChanged = taints.length !== currentTaints.length || taints.some((t, i) => t !== currentTaints[i]);

  const hasLabels = Object.keys(labels).length > 0;
  const hasAnnotations = Object.keys(annotations).length > 0;
  if (!hasLabels && !hasAnnotations && !taintsChanged) return undefined;
  const resourceVersion = taintsChanged ? node.metadata?.resourceVersion : undefined;
  const metadata = {
    ...(resourceVersion !== undefined ? { resourceVersion } : {}),
    ...(hasLabels ? { labels } : {}),
    ...(hasAnnotations ? { annotations } : {}),
  };
  return {
    ...(Object.keys(metadata).length > 0 ? { metadata } : {}),
    ...(taintsChanged ? { spec: { taints } } : {}),
  };
}
