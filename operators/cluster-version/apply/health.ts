// Per-kind checks after a manifest is applied (§2.6, lib/resourcebuilder/{apps,batch,apiext}.go). Pure: they
// read the object the API server returned (or a later GET of it).
import type { KubeObject } from '../../runtime/watcher.ts';
import { UpdateError } from './update-error.ts';

interface WithConditions extends KubeObject {
  readonly status?: {
    readonly conditions?: ReadonlyArray<{ readonly type: string; readonly status: string; readonly reason?: string; readonly message?: string }>;
    readonly succeeded?: number;
    readonly failed?: number;
  };
}

const condition = (obj: WithConditions, type: string) => obj.status?.conditions?.find((c) => c.type === type);

/** A CRD can be used once it is Established (its resource is served). */
export function isCrdEstablished(crd: WithConditions): boolean {
  return condition(crd, 'Established')?.status === 'True';
}

/**
 * A Deployment is not waited for, but one that visibly cannot roll out is an error: a ReplicaFailure, a passed
 * progress deadline, or neither available nor progressing (apps.go checkDeploymentHealth). Skipped while
 * Initializing, when nothing is expected to be up yet.
 */
export function deploymentHealthError(deployment: WithConditions): UpdateError | undefined {
  const name = `${deployment.metadata?.namespace ?? ''}/${deployment.metadata?.name ?? ''}`;
  const failure = condition(deployment, 'ReplicaFailure');
  if (failure?.status === 'True') {
    return new UpdateError({
      reason: 'WorkloadNotProgressing',
      message: `deployment ${name} has a replica failure ${failure.reason ?? ''}: ${failure.message ?? ''}`,
      name,
    });
  }
  const progressing = condition(deployment, 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded') {
    return new UpdateError({
      reason: 'WorkloadNotAvailable',
      message: `deployment ${name} is ${progressing.type}=${progressing.status}: ${progressing.reason}: ${progressing.message ?? ''}`,
      name,
    });
  }
  const available = condition(deployment, 'Available');
  if (available?.status === 'False' && progressing?.status === 'False') {
    return new UpdateError({
      reason: 'WorkloadNotAvailable',
      message: `deployment ${name} is not available and not progressing: ${available.reason ?? ''}: ${available.message ?? ''}`,
      name,
    });
  }
  return undefined;
}

/** 'done' once the Job succeeded, an error once it failed for good, 'running' otherwise (batch.go). */
export function jobState(job: WithConditions): 'done' | 'running' | UpdateError {
  if ((job.status?.succeeded ?? 0) > 0) return 'done';
  const failed = condition(job, 'Failed');
  if (failed?.status === 'True') {
    const name = `${job.metadata?.namespace ?? ''}/${job.metadata?.name ?? ''}`;
    return new UpdateError({ reason: 'JobFailed', message: `job ${name} has failed: ${failed.reason ?? ''}: ${failed.message ?? ''}`, name });
  }
  return 'running';
}
