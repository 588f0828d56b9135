// Which pool a node belongs to (MCO pkg/controller/node/node_controller.go getPrimaryPoolForNode): a node may match
// the worker pool and one custom pool, and the custom pool wins (that is how `infra` or `workerpool-canary` pools are
// carved out of workers); the master pool wins over everything. A node matching two custom pools belongs to none
// and is reported, as MCO refuses to guess.
import type { MachineConfigPool } from '../api/machineconfiguration-v1.ts';
import { labelSelectorMatcher } from '../machine-api/label-selector.ts';
import type { NodeObject } from './pool-node.ts';

export const MASTER_POOL = 'master';
export const WORKER_POOL = 'worker';

export interface PoolMembership {
  /** Pool name → its nodes. Every pool has an entry. */
  readonly nodesByPool: ReadonlyMap<string, readonly NodeObject[]>;
  /** Nodes matched by more than one custom pool: in no pool. */
  readonly conflicts: readonly { readonly node: string; readonly pools: readonly string[] }[];
}

export function computePoolMembership(pools: readonly MachineConfigPool[], nodes: readonly NodeObject[]): PoolMembership {
  // An absent nodeSelector selects nothing (LabelSelectorAsSelector(nil) is labels.Nothing()).
  const matchers = pools.map((pool) => ({
    name: pool.metadata?.name ?? '',
    matches: pool.spec?.nodeSelector ? labelSelectorMatcher(pool.spec.nodeSelector) : () => false,
  }));
  const nodesByPool = new Map<string, NodeObject[]>(matchers.map((m) => [m.name, []]));
  const conflicts: { node: string; pools: string[] }[] = [];
  for (const node of nodes) {
    const matching = matchers.filter((m) => m.matches(node.metadata?.labels)).map((m) => m.name);
    if (matching.length === 0) continue;
    let primary: string | undefined;
    if (matching.includes(MASTER_POOL)) primary = MASTER_POOL;
    else {
      const custom = matching.filter((p) => p !== WORKER_POOL);
      if (custom.length > 1) {
        conflicts.push({ node: node.metadata?.name ?? '', pools: custom.sort() });
        continue;
      }
      primary = custom[0] ?? WORKER_POOL;
    }
    nodesByPool.get(primary)!.push(node);
  }
  return { nodesByPool, conflicts };
}
