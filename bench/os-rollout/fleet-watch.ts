// What the OS rollout bench reads off the Node watch: the most nodes unavailable at once (over every event, so no
// state between two polls is missed), when each node first got a config and when it was last seen Done on it.
import type { Cache } from '../../operators/runtime/cache.ts';
import { isUnavailableForTest } from '../../operators/machine-config/integration.test-util.ts';
import { CURRENT_CONFIG_ANNOTATION, DESIRED_CONFIG_ANNOTATION, STATE_ANNOTATION } from '../../operators/api/machineconfiguration-v1.ts';
import type { NodeObject } from '../../operators/machine-config/pool-node.ts';

export interface FleetWatch {
  maxUnavailable(): number;
  /** Restarts the maximum from the current count. */
  resetMaxUnavailable(): void;
  /** The time (performance.now()) of the event that showed every node Done on `config` with `osImage`; undefined before. */
  allDone(config: string, osImage: string): number | undefined;
  firstStartAt(config: string): number | undefined;
  /** Per node, seconds from the event that first showed desiredConfig = `config` to the one that showed it Done. */
  perNodeSeconds(config: string): number[];
}

function doneOn(node: NodeObject, config: string, osImage: string): boolean {
  const a = node.metadata?.annotations ?? {};
  return a[CURRENT_CONFIG_ANNOTATION] === config && a[DESIRED_CONFIG_ANNOTATION] === config && a[STATE_ANNOTATION] === 'Done'
    && node.status?.nodeInfo?.osImage === osImage && !isUnavailableForTest(node);
}

export function watchFleet(nodes: Cache<NodeObject>): FleetWatch {
  let max = 0;
  const started = new Map<string, Map<string, number>>(); // config → node → ms
  const finished = new Map<string, Map<string, number>>();
  let lastEventAt = performance.now();
  const at = (m: Map<string, Map<string, number>>, config: string) => {
    let byNode = m.get(config);
    if (!byNode) m.set(config, (byNode = new Map()));
    return byNode;
  };
  nodes.subscribe((event) => {
    lastEventAt = performance.now();
    max = Math.max(max, nodes.store.list().filter(isUnavailableForTest).length);
    if (event.type === 'delete') return;
    const name = event.object.metadata?.name ?? '';
    const a = event.object.metadata?.annotations ?? {};
    const desired = a[DESIRED_CONFIG_ANNOTATION];
    if (!desired) return;
    const starts = at(started, desired);
    if (!starts.has(name)) starts.set(name, lastEventAt);
    if (a[CURRENT_CONFIG_ANNOTATION] === desired && !isUnavailableForTest(event.object)) at(finished, desired).set(name, lastEventAt);
  });
  return {
    maxUnavailable: () => max,
    resetMaxUnavailable: () => {
      max = nodes.store.list().filter(isUnavailableForTest).length;
    },
    allDone(config, osImage) {
      const all = nodes.store.list();
      if (all.length === 0 || !all.every((n) => doneOn(n, config, osImage))) return undefined;
      return Math.max(...all.map((n) => finished.get(config)?.get(n.metadata?.name ?? '') ?? lastEventAt));
    },
    firstStartAt: (config) => {
      const starts = [...(started.get(config)?.values() ?? [])];
      return starts.length > 0 ? Math.min(...starts) : undefined;
    },
    perNodeSeconds(config) {
      const done = finished.get(config) ?? new Map<string, number>();
      return [...(started.get(config) ?? new Map<string, number>()).entries()]
        .filter(([node]) => done.has(node))
        .map(([node, ms]) => (done.get(node)! - ms) / 1000);
    },
  };
}
