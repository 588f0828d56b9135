// The task graph of one apply attempt, after the CVO's pkg/payload/task_graph.go and sync_worker.go `apply`
// (shared/reference/cluster-version.md §3.3). Pure: manifests in, a DAG of task nodes out.
//
//   1. One task per manifest, numbered 1..N in payload order (the "N of M done" of Progressing).
//   2. Every batch/v1 Job is a barrier: the tasks before it, the Job, and the tasks after it run one after another.
//   3. Each segment between barriers is parallelized by mode:
//      - Updating: consecutive tasks of one run level form a bucket; inside it each component's run of files is
//        one serial node and the nodes run in parallel; buckets run in order.
//      - Initializing: every component chain of every run level in one parallel bucket.
//      - Reconciling: the Initializing graph, shuffled (seeded by attempt/8) and rotated (by attempt%8), so that
//        successive attempts walk the payload in reproducible but varied orders.
import type { ReleaseManifest } from '../contracts.ts';

export type SyncState = 'Initializing' | 'Updating' | 'Reconciling';

export interface Task {
  /** 1-based position in the payload. */
  readonly index: number;
  readonly total: number;
  readonly manifest: ReleaseManifest;
}

export interface TaskNode {
  /** Position in TaskGraph.nodes. */
  readonly id: number;
  /** Run in order; empty for the spacer nodes that join two parallel buckets. */
  readonly tasks: readonly Task[];
  /** Nodes that must succeed before this one starts. */
  readonly in: readonly number[];
  readonly runLevel?: number;
  readonly component?: string;
}

export interface TaskGraph {
  readonly nodes: readonly TaskNode[];
  readonly total: number;
}

/** The file-name convention `0000_<NN>_<component>_<rest>` (§2.4), exactly the upstream regex. */
const RUN_LEVEL_PATTERN = /^0000_(\d+)_([a-zA-Z0-9]+(-[a-zA-Z0-9]+)*?)_/;

/** Attempts that share one shuffle seed in Reconciling mode; each of them rotates the order by one step. */
export const RECONCILE_SHUFFLE_STRIDE = 8;

interface Group {
  readonly tasks: Task[];
  readonly runLevel?: number;
  readonly component?: string;
}

/** Builds the graph for one attempt. `attempt` only matters in Reconciling mode. */
export function buildTaskGraph(manifests: readonly ReleaseManifest[], state: SyncState, attempt = 0): TaskGraph {
  const total = manifests.length;
  const tasks = manifests.map((manifest, i): Task => ({ index: i + 1, total, manifest }));
  const builder = new GraphBuilder();
  let previous: number[] = [];
  for (const segment of splitOnJobs(tasks)) {
    let buckets: Group[][];
    if (segment.length === 1 && isJob(segment[0].manifest)) buckets = [[{ tasks: segment }]];
    else if (state === 'Updating') buckets = byRunLevelAndComponent(segment);
    else {
      const flat = flattenByRunLevelAndComponent(segment);
      buckets = [state === 'Reconciling' ? rotate(shuffle(flat, Math.floor(attempt / RECONCILE_SHUFFLE_STRIDE)), attempt % RECONCILE_SHUFFLE_STRIDE) : flat];
    }
    for (const bucket of buckets) previous = builder.addBucket(bucket, previous);
  }
  return { nodes: builder.nodes, total };
}

/** Whether a manifest is a batch/v1 Job, which no parallelism may cross. */
export function isJob(manifest: ReleaseManifest): boolean {
  return manifest.object.apiVersion === 'batch/v1' && manifest.object.kind === 'Job';
}

/** `kind "name"` or `kind "ns/name"` (N of M), as the CVO names a task in messages (task.go String). */
export function describeTask(task: Task): string {
  const { object, file } = task.manifest;
  const name = object.metadata?.name || file;
  const namespace = object.metadata?.namespace;
  const kind = (object.kind ?? '').toLowerCase();
  return `${kind} "${namespace ? `${namespace}/${name}` : name}" (${task.index} of ${task.total})`;
}

function splitOnJobs(tasks: readonly Task[]): Task[][] {
  const segments: Task[][] = [];
  let current: Task[] = [];
  for (const task of tasks) {
    if (!isJob(task.manifest)) {
      current.push(task);
      continue;
    }
    if (current.length > 0) segments.push(current);
    segments.push([task]);
    current = [];
  }
  if (current.length > 0) segments.push(current);
  return segments;
}

function parseName(task: Task): { runLevel: number; component: string } | undefined {
  const match = RUN_LEVEL_PATTERN.exec(task.manifest.file);
  return match ? { runLevel: Number(match[1]), component: match[2] } : undefined;
}

/**
 * Runs of tasks with one run level and one component (files that do not follow the convention end every run
 * and are runs of their own), in order.
 */
function componentRuns(tasks: readonly Task[]): Array<Group & { readonly parsed: boolean }> {
  const runs: Array<Group & { parsed: boolean }> = [];
  for (const task of tasks) {
    const parsed = parseName(task);
    const last = runs.at(-1);
    if (parsed && last?.parsed && last.runLevel === parsed.runLevel && last.component === parsed.component) last.tasks.push(task);
    else runs.push({ tasks: [task], runLevel: parsed?.runLevel, component: parsed?.component, parsed: parsed !== undefined });
  }
  return runs;
}

/** Updating: buckets of consecutive runs with one run level (ByNumberAndComponent). */
function byRunLevelAndComponent(tasks: readonly Task[]): Group[][] {
  const buckets: Group[][] = [];
  let lastRunLevel: number | undefined;
  for (const run of componentRuns(tasks)) {
    const bucket = buckets.at(-1);
    if (run.parsed && bucket && lastRunLevel === run.runLevel) bucket.push(run);
    else buckets.push([run]);
    lastRunLevel = run.parsed ? run.runLevel : undefined;
  }
  return buckets;
}

/**
 * Initializing and Reconciling: every component run is a parallel node, whatever its run level. Consecutive files
 * outside the convention stay together as one serial node (FlattenByNumberAndComponent).
 */
function flattenByRunLevelAndComponent(tasks: readonly Task[]): Group[] {
  const groups: Group[] = [];
  let unparsed: Task[] | undefined;
  for (const run of componentRuns(tasks)) {
    if (run.parsed) {
      groups.push(run);
      unparsed = undefined;
    } else if (unparsed) unparsed.push(...run.tasks);
    else groups.push({ tasks: (unparsed = [...run.tasks]) });
  }
  return groups;
}

/** A Fisher–Yates shuffle driven by a seeded generator (mulberry32), so one seed always gives one order. */
function shuffle<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let state = (seed * 0x9e3779b9) >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** ShiftOrder: rotate by `step` when there are fewer items than the stride, else by step×len/stride. */
function rotate<T>(items: readonly T[], step: number): T[] {
  const n = items.length;
  if (n === 0) return [];
  const shift = n < RECONCILE_SHUFFLE_STRIDE ? step % n : Math.floor((step * n) / RECONCILE_SHUFFLE_STRIDE) % n;
  return [...items.slice(shift), ...items.slice(0, shift)];
}

class GraphBuilder {
  readonly nodes: TaskNode[] = [];

  /**
   * Adds one bucket after the nodes `previous` and returns its node ids. Two parallel buckets in a row are joined
   * through an empty spacer node, so there are M+N edges instead of M×N (task_graph.go Parallelize).
   */
  addBucket(groups: readonly Group[], previous: readonly number[]): number[] {
    let after = [...previous];
    if (after.length > 1 && groups.length > 1) after = [this.#add({ tasks: [] }, after)];
    return groups.map((group) => this.#add(group, after));
  }

  #add(group: Group, after: readonly number[]): number {
    const id = this.nodes.length;
    this.nodes.push({
      id,
      tasks: group.tasks,
      in: [...after],
      ...(group.runLevel !== undefined ? { runLevel: group.runLevel } : {}),
      ...(group.component !== undefined ? { component: group.component } : {}),
    });
    return id;
  }
}
