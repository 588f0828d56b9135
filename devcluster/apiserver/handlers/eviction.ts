// POST pods/<name>/eviction: delete a pod unless that would violate its PodDisruptionBudget
// (apiserver.md §5.3; kubernetes pkg/registry/core/pod/storage/eviction.go).
import { decodeObjectBody, readBody } from '../http/body.ts';
import { sendJson } from '../http/respond.ts';
import { labelSelectorFromObject } from '../selectors/index.ts';
import { badRequest, notFound, StatusError, tooManyRequests } from '../status-errors.ts';
import type { KubeObject } from '../types.ts';
import type { RequestContext } from './context.ts';
import { deleteObject, type DeleteOptions } from './delete.ts';
import { isDryRun, timestamp } from './write-pipeline.ts';
import { cloneJson } from '../patch/json-values.ts';

interface PdbStatus {
  observedGeneration?: number;
  disruptionsAllowed?: number;
  currentHealthy?: number;
  desiredHealthy?: number;
  expectedPods?: number;
  disruptedPods?: Record<string, string>;
}

const VIOLATION = "Cannot evict pod as it would violate the pod's disruption budget.";

export async function handleEviction(ctx: RequestContext): Promise<void> {
  const { server, info } = ctx;
  const body = decodeObjectBody(await readBody(ctx.req), ctx.req.headers['content-type']) as { metadata?: { name?: string }; deleteOptions?: DeleteOptions & { dryRun?: unknown } };
  if (body === null || typeof body !== 'object') throw badRequest('the body of the request must be an Eviction object');
  if (body.metadata?.name && body.metadata.name !== info.name) throw badRequest(`name in URL does not match name in Eviction object`);
  const raw = body.deleteOptions ?? {};
  const options: DeleteOptions = {
    gracePeriodSeconds: raw.gracePeriodSeconds,
    preconditions: raw.preconditions,
    propagationPolicy: raw.propagationPolicy,
    dryRun: isDryRun(ctx.query) || (Array.isArray(raw.dryRun) && raw.dryRun.includes('All')),
  };
  const podsResource = server.registry.lookup('', 'v1', 'pods')!;
  const stored = server.store.get('/pods', info.namespace, info.name);
  if (!stored) throw notFound('', 'pods', info.name);
  const pod = stored.object as KubeObject;
  const phase = (pod.status as { phase?: string } | undefined)?.phase;
  const success = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 };

  // Pods that are not running, or already going, are deleted without consulting budgets.
  if (phase === 'Succeeded' || phase === 'Failed' || phase === 'Pending' || pod.metadata.deletionTimestamp) {
    deleteObject(server, podsResource, stored, options);
    sendJson(ctx.res, 201, success);
    return;
  }
  const budgets = server.store.list('policy/poddisruptionbudgets', info.namespace).filter((pdb) => {
    const selector = (pdb.object.spec as { selector?: never } | undefined)?.selector;
    return selector !== undefined && labelSelectorFromObject(selector).matches(pod.metadata.labels);
  });
  if (budgets.length > 1) {
    throw new StatusError(500, 'InternalError', 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');
  }
  if (budgets.length === 1) {
    const pdb = budgets[0].object as KubeObject;
    const status = (pdb.status ?? {}) as PdbStatus;
    const name = pdb.metadata.name ?? '';
    if ((status.observedGeneration ?? 0) < (pdb.metadata.generation ?? 0)) {
      throw tooManyRequests(VIOLATION, { causes: [{ reason: 'DisruptionBudget', message: `The disruption budget ${name} is still being processed by the server.` }], retryAfterSeconds: 10 });
    }
    if ((status.disruptionsAllowed ?? 0) <= 0) {
      throw tooManyRequests(VIOLATION, {
        causes: [{ reason: 'DisruptionBudget', message: `The disruption budget ${name} needs ${status.desiredHealthy ?? 0} healthy pods and has ${status.currentHealthy ?? 0} currently` }],
      });
    }
    if (!options.dryRun) {
      const next = cloneJson(pdb) as KubeObject;
      const nextStatus = { ...status, disruptionsAllowed: (status.disruptionsAllowed ?? 0) - 1, disruptedPods: { ...(status.disruptedPods ?? {}), [info.name]: timestamp(server.now()) } };
      next.status = nextStatus;
      server.store.put('policy/poddisruptionbudgets', next);
    }
  }
  deleteObject(server, podsResource, stored, options);
  sendJson(ctx.res, 201, success);
}
