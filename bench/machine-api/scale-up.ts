// The operator's run: one MachineSet at 0 replicas, the operator settled on it, then `kubectl scale` to `count`
// and the clock runs until every Machine is Running with a nodeRef, as seen by a watch from the bench process.
import { performance } from 'node:perf_hooks';
import type { KubeConfig } from '@kubernetes/client-node';
import type { MachineSet } from '../../operators/api/machine-v1beta1.ts';
import { kubeJson } from '../../operators/runtime/kube-http.ts';
import { waitFor } from '../../operators/runtime/wait.ts';
import type { OperatorChild } from './processes.ts';
import { subtractCounts, type RequestCounts } from './request-verbs.ts';
import { RunningWatch } from './running-watch.ts';
import { BENCH_MACHINE_SET, benchMachineSet, MACHINE_SETS_PATH } from './machine-set.ts';

/** How long the operator may take to start and report the MachineSet at 0 replicas, in ms. */
const SETTLE_TIMEOUT_MS = 60_000;

export interface ScaleUpRun {
  /** From the scale request to the last Machine seen Running with a nodeRef, in s. */
  readonly seconds: number;
  /** Until the first one, in s. */
  readonly firstSeconds: number;
  /** Until the last Machine was created (first seen by the watch), in s. */
  readonly allCreatedSeconds: number;
  /** Per Machine, from its first watch event (created) to Running with a nodeRef, in ms. */
  readonly perMachineMs: readonly number[];
  /** The operator's requests to the API server during the scale-up, by verb and resource. */
  readonly apiRequests: RequestCounts;
  /** And to the local cloud. */
  readonly cloudRequests: RequestCounts;
  /** The API server's error answers among apiRequests, by verb, resource and status code. */
  readonly apiErrors: RequestCounts;
  /** The operator's CPU time during the scale-up, in s. */
  readonly operatorCpuSeconds: number;
}

/** Creates the MachineSet at 0 replicas and waits until the operator has reconciled it (status.observedGeneration). */
export async function createIdleMachineSet(kc: KubeConfig): Promise<void> {
  await kubeJson(kc, MACHINE_SETS_PATH, { method: 'POST', body: benchMachineSet(0) });
  await waitFor(
    async () => {
      const ms = await kubeJson<MachineSet>(kc, `${MACHINE_SETS_PATH}/${BENCH_MACHINE_SET}`);
      return ms.status?.observedGeneration !== undefined && ms.status.observedGeneration >= (ms.metadata.generation ?? 0);
    },
    { timeoutMs: SETTLE_TIMEOUT_MS, intervalMs: 100, message: 'the operator to reconcile the MachineSet at 0 replicas' },
  );
}

/** Scales the MachineSet through /scale, as `kubectl scale` and the cluster-autoscaler do, and times the result. */
export async function runScaleUp(kc: KubeConfig, operator: OperatorChild, count: number, timeoutMs: number, progress: (line: string) => void): Promise<ScaleUpRun> {
  const watch = new RunningWatch();
  await watch.start(kc);
  const requestsBefore = await operator.requests();
  const cpuBefore = operator.cpuSeconds();
  const started = performance.now();
  await kubeJson(kc, `${MACHINE_SETS_PATH}/${BENCH_MACHINE_SET}/scale`, {
    method: 'PATCH',
    contentType: 'application/merge-patch+json',
    body: { spec: { replicas: count } },
  });
  const ticker = setInterval(() => progress(`${watch.runningCount} of ${count} Running after ${Math.round((performance.now() - started) / 1000)} s`), 10_000);
  try {
    await watch.waitForRunning(count, timeoutMs);
  } finally {
    clearInterval(ticker);
    await watch.stop();
  }
  const seconds = (performance.now() - started) / 1000;
  const operatorCpuSeconds = operator.cpuSeconds() - cpuBefore;
  const requestsAfter = await operator.requests();
  const times = [...watch.times.values()];
  const runningAt = times.map((t) => t.runningAt ?? Number.POSITIVE_INFINITY);
  return {
    seconds,
    firstSeconds: (Math.min(...runningAt) - started) / 1000,
    allCreatedSeconds: (Math.max(...times.map((t) => t.seenAt)) - started) / 1000,
    perMachineMs: times.filter((t) => t.runningAt !== undefined).map((t) => t.runningAt! - t.seenAt),
    apiRequests: subtractCounts(requestsAfter.api, requestsBefore.api),
    cloudRequests: subtractCounts(requestsAfter.other, requestsBefore.other),
    apiErrors: subtractCounts(requestsAfter.apiErrors, requestsBefore.apiErrors),
    operatorCpuSeconds,
  };
}
