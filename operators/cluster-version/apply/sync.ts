// One apply attempt of a whole payload (sync_worker.go `apply`, §3.2-§3.3): build the graph for the state, run
// its nodes with the state's worker count, and inside a node precreate its ClusterOperators, then apply each
// manifest in order with the per-manifest retry. Progress is counted in manifests as they finish.
import type { ComponentOverride } from '../../api/config-v1.ts';
import { errorMessage } from '../../runtime/errors.ts';
import { discardLogger, type Logger } from '../../runtime/log.ts';
import { sleep } from '../../runtime/wait.ts';
import type { ReleaseManifest, ReleasePayload } from '../contracts.ts';
import { buildTaskGraph, describeTask, type SyncState, type Task } from '../task-graph/graph.ts';
import { runGraph } from '../task-graph/run.ts';
import type { ManifestApplier } from './applier.ts';
import { summarizeErrors, UpdateError, updateErrorForApiFailure } from './update-error.ts';

/** Exponential backoff of one manifest's retries (k8s wait.Backoff): `steps` tries in all. */
export interface TaskBackoff {
  readonly initialMs: number;
  readonly factor: number;
  readonly steps: number;
  readonly capMs: number;
}

/** Updating and Reconciling: 10 s × 1.3, 3 tries, at most 15 s apart (pkg/cvo/cvo.go). */
export const DEFAULT_TASK_BACKOFF: TaskBackoff = { initialMs: 10_000, factor: 1.3, steps: 3, capMs: 15_000 };
/** Initializing: 1 s × 2, 4 tries (sync_worker.go apply). */
export const DEFAULT_INITIALIZING_TASK_BACKOFF: TaskBackoff = { initialMs: 1_000, factor: 2, steps: 4, capMs: 15_000 };

/** Workers while updating (`configSync.Start(ctx, 16)`); Reconciling uses 2, Initializing one per node. */
export const UPDATING_WORKERS = 16;
export const RECONCILING_WORKERS = 2;

export interface ApplyAttempt {
  readonly payload: ReleasePayload;
  readonly state: SyncState;
  /** Failed attempts since this work started: seeds the reconciling shuffle. */
  readonly attempt: number;
  readonly overrides?: readonly ComponentOverride[];
}

export interface ApplyOptions {
  readonly applier: ManifestApplier;
  readonly updatingWorkers?: number;
  readonly reconcilingWorkers?: number;
  readonly taskBackoff?: TaskBackoff;
  readonly initializingTaskBackoff?: TaskBackoff;
  /** Called with the number of finished manifests whenever it grows. */
  readonly onProgress?: (done: number, total: number) => void;
  /** Called once per ClusterOperator gate reached, so the caller can track how long each operator takes. */
  readonly onClusterOperator?: (name: string) => void;
  readonly logger?: Logger;
}

export interface ApplyOutcome {
  /** Every manifest applied (errors with effect Report do not prevent it). */
  readonly completed: boolean;
  readonly done: number;
  readonly total: number;
  /** The summarized failure: what blocked, or on completion what was only reported. Undefined if clean. */
  readonly failure?: Error;
}

export async function applyPayload(attempt: ApplyAttempt, options: ApplyOptions, signal: AbortSignal): Promise<ApplyOutcome> {
  const { payload, state } = attempt;
  const log = (options.logger ?? discardLogger).child('sync', { version: payload.version, state });
  const graph = buildTaskGraph(payload.manifests, state, attempt.attempt);
  const workers =
    state === 'Initializing' ? graph.nodes.length
    : state === 'Reconciling' ? options.reconcilingWorkers ?? RECONCILING_WORKERS
    : options.updatingWorkers ?? UPDATING_WORKERS;
  const backoff = state === 'Initializing' ? options.initializingTaskBackoff ?? DEFAULT_INITIALIZING_TASK_BACKOFF : options.taskBackoff ?? DEFAULT_TASK_BACKOFF;
  const reported: UpdateError[] = [];
  let done = 0;

  const result = await runGraph(graph, workers, async (node, nodeSignal) => {
    if (state !== 'Reconciling') {
      for (const task of node.tasks) {
        if (!isClusterOperator(task.manifest) || isUnmanaged(task.manifest, attempt.overrides)) continue;
        // Best effort, no retries: the gate below reports an operator that is truly missing.
        await options.applier.precreateClusterOperator(task.manifest, nodeSignal).catch((err: unknown) => {
          log.debug('Unable to precreate ClusterOperator', { task: describeTask(task), error: errorMessage(err) });
        });
      }
    }
    for (const task of node.tasks) {
      nodeSignal.throwIfAborted();
      if (!isUnmanaged(task.manifest, attempt.overrides)) {
        if (isClusterOperator(task.manifest)) options.onClusterOperator?.(task.manifest.object.metadata?.name ?? '');
        const error = await runTask(task, options.applier, state, backoff, nodeSignal, log);
        if (error?.effect === 'Report') reported.push(error);
        else if (error) throw error;
      }
      done++;
      options.onProgress?.(done, graph.total);
    }
  }, signal);

  // Aborted attempts (a retarget, the attempt timeout, shutdown) report nothing: the next attempt will.
  const errors = result.errors.filter((e) => !signal.aborted || e instanceof UpdateError);
  if (errors.length > 0) return { completed: false, done, total: graph.total, failure: summarizeErrors(errors) };
  if (result.incomplete > 0) {
    return { completed: false, done, total: graph.total, ...(signal.aborted ? {} : { failure: new Error(result.incompleteMessage) }) };
  }
  return { completed: true, done, total: graph.total, failure: summarizeErrors(reported) };
}

/**
 * Task.Run: applies one manifest, retrying API failures with backoff. An UpdateError is a verdict about the
 * cluster (an operator, a workload) and fails fast, as retrying within seconds would not change it.
 */
async function runTask(task: Task, applier: ManifestApplier, state: SyncState, backoff: TaskBackoff, signal: AbortSignal, log: Logger): Promise<UpdateError | undefined> {
  let delay = backoff.initialMs;
  for (let attempt = 1; ; attempt++) {
    try {
      await applier.apply(task.manifest, state, signal);
      return undefined;
    } catch (err) {
      if (signal.aborted) throw err;
      if (err instanceof UpdateError) return err.task ? err : err.withTask(task);
      log.info('Apply failed', { task: describeTask(task), attempt, error: errorMessage(err) });
      if (attempt >= backoff.steps) return updateErrorForApiFailure(task, err);
      await sleep(delay, signal);
      delay = Math.min(delay * backoff.factor, backoff.capMs);
    }
  }
}

function isClusterOperator(manifest: ReleaseManifest): boolean {
  return manifest.object.apiVersion === 'config.openshift.io/v1' && manifest.object.kind === 'ClusterOperator';
}

/** spec.overrides[].unmanaged: the CVO leaves the object alone (§1.2); the namespace is ignored for cluster-scoped objects. */
export function isUnmanaged(manifest: ReleaseManifest, overrides: readonly ComponentOverride[] | undefined): boolean {
  if (!overrides?.length) return false;
  const { apiVersion = '', kind, metadata } = manifest.object;
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  return overrides.some((o) => o.unmanaged && o.kind === kind && o.group === group && o.name === metadata?.name && (o.namespace ?? '') === (metadata?.namespace ?? ''));
}
