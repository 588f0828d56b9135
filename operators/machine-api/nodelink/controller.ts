// The nodelink-controller (MAO pkg/controller/nodelink/nodelink_controller.go; shared/reference/machine-api.md
// §1.6): for each Node, find its Machine (match.ts: providerID, then InternalIP), record the Node in the Machine's
// status.nodeRef, and make the Node carry the Machine's spec.metadata labels and annotations and spec.taints
// (match.ts nodeUpdatesFromMachine, which also removes what the Machine no longer declares).
// Differences from MAO, and why:
// - nodeRef is written when missing or when the Node of that name was re-registered (new uid), not on every
//   readiness flip tracked in an in-memory cache: a Node's readiness is the MachineHealthCheck's business, and
//   moving lastUpdated on each flip would only add writes. A nodeRef naming another Node is never changed
//   ("once set, nodeRef must never be mutated", machine-instance-lifecycle enhancement); that Node is left alone.
// - A Node matching several Machines is a TerminalError, not a backoff: only a Machine or Node change can resolve
//   it, and both re-queue the Node.
// - Linking a Provisioned Machine also moves it to Running, in the same status write. That is the machine
//   controller's own rule (instance exists, as Provisioned records, and nodeRef set → Running), which it would
//   otherwise apply in a second write right after this one: one more status write per Machine, of the seven
//   the operator would then send for each in a scale-up. The machine controller still re-reads the instance on the event of this write.
// - A Machine with a providerID but no phase yet is left for its first status write, which the machine controller
//   sends right after the providerID: a nodeRef written in between made that write answer 409 and back off (a
//   fifth of the Machines of a 1,000-Machine scale-up). The write's event re-queues the Node.
import type { Machine } from '../../api/machine-v1beta1.ts';
import { Controller, watch, type Reconciler } from '../../runtime/controller.ts';
import { TerminalError } from '../../runtime/errors.ts';
import { enqueueMapped, enqueueSelf, type Request } from '../../runtime/handlers.ts';
import type { Logger } from '../../runtime/log.ts';
import { OwnWrites } from '../../runtime/own-writes.ts';
import { writeStatus } from '../../runtime/status.ts';
import { formatTime } from '../../runtime/time.ts';
import { INDEX, MACHINES, NODES, type MachineApiContext, type Node } from '../context.ts';
import { observePhaseTransition } from '../machine/scope.ts';
import { machineApiMetrics } from '../metrics.ts';
import { findMachineForNode, nodeUpdatesFromMachine } from './match.ts';

/** Nodes reconciled at once (MAO: 1); each costs at most two writes, on different objects per Node. */
export const DEFAULT_NODELINK_CONCURRENCY = 5;

export interface NodeLinkControllerOptions {
  /** Default DEFAULT_NODELINK_CONCURRENCY. */
  readonly concurrency?: number;
  /** Requeue floor passed to the Controller; lower it only in tests. */
  readonly minRequeueAfterMs?: number;
}

export function nodeLinkController(ctx: MachineApiContext, options: NodeLinkControllerOptions = {}): Controller {
  const { machines, nodes } = ctx.caches;
  // A Machine change re-links its Node: the Node it is linked to, and the Nodes it could match (a new providerID
  // or address is how a Machine finds a Node that joined first).
  const nodesOfMachine = (machine: Machine): Request[] => {
    const names = new Set<string>();
    if (machine.status?.nodeRef?.name) names.add(machine.status.nodeRef.name);
    const providerID = machine.spec?.providerID;
    if (providerID) for (const node of nodes.store.byIndex(INDEX.providerID, providerID)) names.add(node.metadata?.name ?? '');
    for (const address of machine.status?.addresses ?? []) {
      if (address.type !== 'InternalIP') continue;
      for (const node of nodes.store.byIndex(INDEX.internalIP, address.address)) names.add(node.metadata?.name ?? '');
    }
    return [...names].filter((name) => name !== '').map((name) => ({ name }));
  };
  return new Controller({
    name: 'nodelink-controller',
    kind: 'Node',
    reconcile: nodeLinkReconciler(ctx),
    watches: [watch(nodes, enqueueSelf<Node>()), watch(machines, enqueueMapped<Machine>(nodesOfMachine))],
    concurrency: options.concurrency ?? DEFAULT_NODELINK_CONCURRENCY,
    minRequeueAfterMs: options.minRequeueAfterMs,
    logger: ctx.logger,
    registry: ctx.metricsRegistry,
  });
}

export function nodeLinkReconciler(ctx: MachineApiContext): Reconciler {
  const { machines, nodes } = ctx.caches;
  /** One index lookup as the map findMachineForNode takes. */
  const lookup = (index: string, key: string | undefined): ReadonlyMap<string, readonly Machine[]> =>
    key ? new Map([[key, machines.store.byIndex(index, key)]]) : new Map();

  // Our Node patches: a Node is often re-queued by its Machine's nodeRef write before the patch's own event is in
  // the cache, and patching that copy again would send the same labels a second time.
  const nodeWrites = new OwnWrites();
  return async (req, rctx) => {
    const node = nodes.store.get(req.name);
    if (!node) {
      nodeWrites.forget(req);
      return {};
    }
    if (nodeWrites.isBehind(node)) {
      rctx.log.debug('Cache is behind our last Node patch, waiting for it');
      return {};
    }
    const nodeName = node.metadata?.name ?? '';
    const match = findMachineForNode(
      node,
      lookup(INDEX.providerID, node.spec?.providerID),
      lookup(INDEX.internalIP, node.status?.addresses?.find((a) => a.type === 'InternalIP')?.address),
    );
    if (match.kind === 'ambiguous') throw new TerminalError('AmbiguousMachine', `Node ${nodeName}: ${match.message}`);
    if (match.kind === 'none') {
      rctx.log.debug('No Machine matches the Node');
      return {};
    }
    const { machine } = match;
    const log = rctx.log.child(undefined, { Machine: `${machine.metadata.namespace}/${machine.metadata.name}`, matchedBy: match.by });
    if (machine.spec?.providerID && !machine.status?.phase) {
      // The machine controller has just written the providerID of the instance it created and its status write
      // follows: a nodeRef written now would make that write answer 409 and be retried with backoff. Its event
      // re-queues this Node.
      log.debug('Machine is between its providerID and its first status write, waiting for the status');
      return {};
    }
    const linkedTo = machine.status?.nodeRef?.name;
    if (linkedTo && linkedTo !== nodeName) {
      log.warn('Machine is already linked to another Node, leaving both alone', { linkedTo });
      return {};
    }
    if (!node.metadata?.deletionTimestamp) await linkNodeRef(ctx, machine, node, log);

    const patch = nodeUpdatesFromMachine(machine, node);
    if (patch) {
      log.info('Updating Node labels, annotations and taints from its Machine');
      nodeWrites.record(await ctx.client.patch(NODES, undefined, nodeName, 'application/merge-patch+json', patch));
    }
    return {};
  };
}

/**
 * Sets status.nodeRef (and lastUpdated) unless it already names this Node with its current uid, and moves a
 * Provisioned Machine to Running with it.
 */
async function linkNodeRef(ctx: MachineApiContext, machine: Machine, node: Node, log: Logger): Promise<void> {
  const name = node.metadata?.name ?? '';
  const uid = node.metadata?.uid;
  const current = machine.status?.nodeRef;
  if (current?.kind === 'Node' && current.name === name && current.uid === uid) return;
  const running = machine.status?.phase === 'Provisioned' && !machine.metadata.deletionTimestamp;
  log.info('Setting nodeRef', { Node: name, ...(running ? { phase: 'Running' } : {}) });
  const now = ctx.now();
  const status = {
    ...machine.status,
    nodeRef: { kind: 'Node', name, ...(uid ? { uid } : {}) },
    ...(running ? { phase: 'Running' as const } : {}),
    lastUpdated: formatTime(now),
  };
  const written = await writeStatus(ctx.client, MACHINES, machine, status);
  if (running && written === 'patched') observePhaseTransition(machineApiMetrics(ctx.metricsRegistry), machine, 'Running', now);
}
