// What the cluster-version end-to-end suites share: a dev cluster as `npm start` runs it (demo releases, update
// graph, cluster-version operator, demo operator) with short CVO intervals, and reads of the ClusterVersion and
// ClusterOperators through the real kubectl.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDevCluster, type DevClusterHandle } from '../../../devcluster/cluster.ts';
import type { ClusterVersionTuning } from '../../../devcluster/releases/cluster-version.ts';
import { DEMO_OPERATOR } from '../../../devcluster/releases/demo-manifests.ts';
import { DEMO_OPERATOR_CONTROL_CONFIG_MAP } from '../../../devcluster/releases/release-followers.ts';
import type { ClusterVersion } from '../../../operators/api/config-v1.ts';
import { waitFor } from '../../../operators/runtime/wait.ts';
import { kubectlRunner, type KubectlRunner } from '../../support/dev-server.ts';

/** Seconds, not minutes: the operators here react to watch events, the intervals only bound retries. */
export const FAST_CVO: ClusterVersionTuning = {
  reconcileIntervalMs: 1_000,
  statusIntervalMs: 20,
  updatePollIntervalMs: 1_000,
  applyTiming: { clusterOperatorWaitMs: 150, pollIntervalMs: 10 },
  taskBackoff: { initialMs: 20, factor: 1, steps: 2, capMs: 20 },
  initializingTaskBackoff: { initialMs: 20, factor: 1, steps: 2, capMs: 20 },
  thresholds: { degradedGraceMs: 60_000, slowOperatorMs: 500, slowMachineConfigMs: 60_000 },
  minRequeueAfterMs: 50,
};

export interface CvoE2eCluster extends KubectlRunner {
  readonly cluster: DevClusterHandle;
  readonly dataDir: string;
  stop(): Promise<void>;
}

export async function startCvoCluster(): Promise<CvoE2eCluster> {
  const dataDir = mkdtempSync(join(tmpdir(), 'cvo-e2e-'));
  const cluster = await startDevCluster({ dataDir, port: 0, ephemeral: true, clusterVersion: FAST_CVO, minRequeueAfterMs: 50 });
  return {
    cluster,
    dataDir,
    ...kubectlRunner(cluster.api.kubeconfigPath, join(dataDir, 'kubectl-cache')),
    async stop() {
      await cluster.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function getClusterVersion(k: KubectlRunner): Promise<ClusterVersion> {
  return JSON.parse((await k.kubectl(['get', 'clusterversion', 'version', '-o', 'json'])).stdout) as ClusterVersion;
}

/** A condition without its timestamp, for deepEqual. */
export function condition(cv: ClusterVersion, type: string): Record<string, unknown> {
  const { lastTransitionTime: _t, ...rest } = cv.status?.conditions?.find((c) => c.type === type) ?? { lastTransitionTime: '' };
  return rest;
}

/** History as "State version verified=…" lines, newest first. */
export function history(cv: ClusterVersion): string[] {
  return (cv.status?.history ?? []).map((h) => `${h.state} ${h.version} verified=${h.verified}`);
}

export function until(k: KubectlRunner, what: string, predicate: (cv: ClusterVersion) => boolean, timeoutMs = 20_000): Promise<ClusterVersion> {
  return waitFor(async () => {
    const cv = await getClusterVersion(k).catch(() => undefined);
    return cv && predicate(cv) ? cv : undefined;
  }, { timeoutMs, intervalMs: 100, message: what });
}

export const completed = (version: string) => (cv: ClusterVersion): boolean =>
  cv.status?.history?.[0]?.state === 'Completed' && cv.status.history[0].version === version;

/** Installed and reconciling: the steady state `kubectl get clusterversion` shows as "Cluster version is X". */
export const settledAt = (version: string) => (cv: ClusterVersion): boolean =>
  completed(version)(cv) && condition(cv, 'Progressing').message === `Cluster version is ${version}`;

export async function patchDesiredUpdate(k: KubectlRunner, update: Record<string, unknown>): Promise<void> {
  await k.kubectl(['patch', 'clusterversion', 'version', '--type', 'merge', '-p', JSON.stringify({ spec: { desiredUpdate: update } })]);
}

/** Sets the demo operator's knobs (release-followers.ts): `stall`, `upgradeable`, `message`. */
export async function setDemoOperator(k: KubectlRunner, knobs: Record<string, string>): Promise<void> {
  const configMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: DEMO_OPERATOR_CONTROL_CONFIG_MAP, namespace: DEMO_OPERATOR.namespace }, data: knobs };
  await k.kubectl(['apply', '-f', '-'], { input: JSON.stringify(configMap) });
}

/** `kubectl get clusteroperators` as NAME → VERSION. */
export async function operatorVersions(k: KubectlRunner): Promise<Record<string, string>> {
  const { stdout } = await k.kubectl(['get', 'clusteroperators', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.status.versions[0].version}{"\\n"}{end}']);
  return Object.fromEntries(stdout.trim().split('\n').map((line) => line.split('=') as [string, string]));
}
