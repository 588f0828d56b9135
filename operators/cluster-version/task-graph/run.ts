// Runs a task graph with a bounded number of workers, after task_graph.go RunGraph (§3.3 step 4): a node starts
// only once every node it depends on has succeeded, the lowest ready id first; a failed node keeps its dependents
// from starting while independent branches go on; an aborted signal stops dispatching and lets the running nodes
// see the abort. Pure scheduling: what a node does is the caller's `runNode`.
import { describeTask, type TaskGraph, type TaskNode } from './graph.ts';

export interface GraphRunResult {
  /** The errors of the nodes that failed, in node order. */
  readonly errors: readonly unknown[];
  /** Nodes with tasks that never ran (a dependency failed, or the run was aborted). */
  readonly incomplete: number;
  /** "N incomplete task nodes, beginning with …", when nothing failed but the run did not finish (aborted). */
  readonly incompleteMessage?: string;
}

export type RunNode = (node: TaskNode, signal: AbortSignal) => Promise<void>;

export async function runGraph(graph: TaskGraph, maxWorkers: number, runNode: RunNode, signal: AbortSignal): Promise<GraphRunResult> {
  const nodes = graph.nodes;
  const state: Array<'pending' | 'running' | 'succeeded' | 'failed'> = nodes.map(() => 'pending');
  const errors = new Map<number, unknown>();
  const workers = Math.max(1, maxWorkers);
  let running = 0;

  await new Promise<void>((resolve) => {
    const ready = (node: TaskNode) => state[node.id] === 'pending' && node.in.every((i) => state[i] === 'succeeded');
    const pump = () => {
      while (!signal.aborted && running < workers) {
        const next = nodes.find(ready);
        if (!next) break;
        state[next.id] = 'running';
        running++;
        void runNode(next, signal).then(
          () => finish(next.id, 'succeeded'),
          (err: unknown) => {
            errors.set(next.id, err);
            finish(next.id, 'failed');
          },
        );
      }
      if (running === 0) resolve();
    };
    const finish = (id: number, outcome: 'succeeded' | 'failed') => {
      state[id] = outcome;
      running--;
      pump();
    };
    signal.addEventListener('abort', () => running === 0 && resolve(), { once: true });
    pump();
  });

  const unfinished = nodes.filter((n) => state[n.id] === 'pending');
  const result: GraphRunResult = { errors: [...errors.entries()].sort(([a], [b]) => a - b).map(([, e]) => e), incomplete: unfinished.length };
  const first = unfinished.find((n) => n.tasks.length > 0);
  if (result.errors.length === 0 && first) {
    return { ...result, incompleteMessage: `${unfinished.length} incomplete task nodes, beginning with ${describeTask(first.tasks[0])}` };
  }
  return result;
}
