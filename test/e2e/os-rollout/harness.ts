// What the OS rollout end-to-end tests share: a dev cluster in this process (startDevCluster, as `npm start` runs
// it) with fast timings and N hollow worker nodes, optionally with the cluster-version operator installing 4.1.0 so
// that a test upgrades as an admin does (`kubectl patch clusterversion`); and records of what the real kubectl's
// watches printed (`kubectl get … -w -o json`), each document with when it was read. From the Nodes' record come
// "never more than maxUnavailable unavailable" and the starts. The embedded server has one resourceVersion counter
// for all objects (as etcd's revision), so resourceVersions order writes across kinds: an admin's kubectl patch, a
// node's start, the ClusterVersion's Completed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { startDevCluster, type DevClusterHandle, type DevClusterOptions } from '../../../devcluster/cluster.ts';
import type { ClusterVersionTuning } from '../../../devcluster/releases/cluster-version.ts';
import { demoManifests } from '../../../devcluster/releases/demo-manifests.ts';
import type { ClusterVersion } from '../../../operators/api/config-v1.ts';
import { CURRENT_CONFIG_ANNOTATION, DESIRED_CONFIG_ANNOTATION, STATE_ANNOTATION, type MachineConfigPool } from '../../../operators/api/machineconfiguration-v1.ts';
import { isUnavailableForTest } from '../../../operators/machine-config/integration.test-util.ts';
import type { NodeObject } from '../../../operators/machine-config/pool-node.ts';
import { waitFor } from '../../../operators/runtime/wait.ts';
import { kubectlRunner, type KubectlRunner, type RunningKubectl } from '../../support/dev-server.ts';

/** The per-node update time of these tests, in seconds. */
export const REBOOT_SECONDS = 0.3;
export const osImageOf = (version: string) => `Red Hat Enterprise Linux CoreOS ${version}`;

/**
 * The cluster-version operator's intervals here: short, so its status follows machine-config within a fraction of
 * a second. The thresholds stay the CVO's: a Degraded machine-config is "waiting up to 40 minutes" (Failing only
 * after that grace), which is what an admin sees while a pool is degraded.
 */
export const CVO_TUNING: ClusterVersionTuning = { reconcileIntervalMs: 500, statusIntervalMs: 200, updatePollIntervalMs: 1_000, minRequeueAfterMs: 20 };

export interface RolloutDevCluster extends KubectlRunner {
  readonly handle: DevClusterHandle;
  readonly kubeconfigPath: string;
  stop(): Promise<void>;
}

/** A dev cluster with `nodes` hollow workers, all Ready (zones a/b/c in turn). */
export async function startRolloutDevCluster(nodes: number, options: Partial<DevClusterOptions> = {}): Promise<RolloutDevCluster> {
  const dataDir = mkdtempSync(join(tmpdir(), 'os-rollout-e2e-'));
  const handle = await startDevCluster({
    port: 0, dataDir, ephemeral: true,
    hollowNodes: { leaseRenewSeconds: 1 },
    osAgent: { rebootSeconds: REBOOT_SECONDS, drainRetrySeconds: 0.1 },
    minRequeueAfterMs: 20,
    ...options,
  });
  const runner = kubectlRunner(handle.api.kubeconfigPath, join(dataDir, 'kubectl-cache'));
  const cluster: RolloutDevCluster = {
    ...runner,
    handle,
    kubeconfigPath: handle.api.kubeconfigPath,
    async stop() {
      await handle.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  for (let i = 0; i < nodes; i++) {
    const name = `worker-${i}`;
    handle.cloud!.cloud.create({ clientToken: `uid-${name}`, name, tags: {}, spec: { instanceType: 'local.small', region: 'local', zone: `zone-${'abc'[i % 3]}` } });
  }
  await waitFor(async () => (await readyNodes(cluster)) === nodes, { timeoutMs: 15_000, intervalMs: 200, message: `${nodes} Ready nodes` });
  return cluster;
}

async function readyNodes(target: KubectlRunner): Promise<number> {
  const list = await getJson<{ items: NodeObject[] }>(target, ['nodes']);
  return list.items.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length;
}

/** `kubectl <args> -o json`, parsed: a get, or the object a patch, annotate or apply wrote. */
export async function kubectlJson<T>(target: KubectlRunner, args: string[]): Promise<T> {
  return JSON.parse((await target.kubectl([...args, '-o', 'json'])).stdout) as T;
}

export function getJson<T>(target: KubectlRunner, args: string[]): Promise<T> {
  return kubectlJson<T>(target, ['get', ...args]);
}

export const resourceVersionOf = (obj: { metadata?: { resourceVersion?: string } }): number => Number(obj.metadata?.resourceVersion);

export interface Condition {
  readonly type: string;
  readonly status?: string;
  readonly reason?: string;
  readonly message?: string;
}

/** The condition `type` of a pool, ClusterOperator or ClusterVersion. */
export function conditionOf(obj: { readonly status?: { readonly conditions?: readonly Condition[] } } | undefined, type: string): Condition | undefined {
  return obj?.status?.conditions?.find((c) => c.type === type);
}

export const workerPool = (target: KubectlRunner) => getJson<MachineConfigPool>(target, ['machineconfigpool', 'worker']);
export const getNode = (target: KubectlRunner, name: string) => getJson<NodeObject>(target, ['node', name]);

/** `kubectl apply` of the osimageurl ConfigMap the demo payload of `version` carries (what the CVO applies). */
export async function applyOsImageUrl(target: KubectlRunner, version: string): Promise<void> {
  const manifest = parse(demoManifests(version)['0000_80_machine-config_05_osimageurl.yaml']!) as object;
  await target.kubectl(['apply', '-f', '-'], { input: JSON.stringify(manifest) });
}

/** Every node Done on one config (desired = current), available, booted into `osImage`; the config or undefined. */
export async function allNodesOn(target: KubectlRunner, osImage: string): Promise<string | undefined> {
  const { items } = await getJson<{ items: NodeObject[] }>(target, ['nodes']);
  const configs = new Set(items.map((n) => n.metadata?.annotations?.[CURRENT_CONFIG_ANNOTATION]));
  const done = items.every((n) => n.metadata?.annotations?.[STATE_ANNOTATION] === 'Done' && n.status?.nodeInfo?.osImage === osImage && !isUnavailableForTest(n));
  return done && configs.size === 1 ? [...configs][0] : undefined;
}

// ---- the ClusterVersion, as an admin drives and reads it ----------------------------------------------------------

export function clusterVersion(target: KubectlRunner): Promise<ClusterVersion> {
  return getJson<ClusterVersion>(target, ['clusterversion', 'version']);
}

/** The newest history entry is `version`, Completed. */
export const isCompleted = (cv: ClusterVersion | undefined, version: string): boolean =>
  cv?.status?.history?.[0]?.version === version && cv.status.history[0].state === 'Completed';

/**
 * Waits until the CVO has installed 4.1.0 (the dev cluster's initial release) and the machine-config operator has
 * adopted every node on its config; returns that config. For a cluster started with `clusterVersion: CVO_TUNING`.
 */
export async function waitForInstalled(target: KubectlRunner): Promise<string> {
  await waitFor(async () => isCompleted(await clusterVersion(target), '4.1.0'), { timeoutMs: 60_000, intervalMs: 300, message: 'the 4.1.0 install to complete' });
  return waitFor(() => allNodesOn(target, osImageOf('4.1.0')), { timeoutMs: 10_000, intervalMs: 200, message: 'every node adopted on 4.1.0' });
}

/**
 * The admin's upgrade: `kubectl patch clusterversion version` to `version`. Resolves once the CVO has applied the
 * release's osimageurl ConfigMap and the worker pool targets a new config (not `from`), with that config's name.
 */
export async function upgradeTo(target: KubectlRunner, version: string, from: string): Promise<string> {
  await target.kubectl(['patch', 'clusterversion', 'version', '--type', 'merge', '-p', JSON.stringify({ spec: { desiredUpdate: { version } } })]);
  return waitFor(async () => {
    const name = (await workerPool(target)).spec?.configuration?.name;
    return name !== from && name;
  }, { timeoutMs: 30_000, intervalMs: 50, message: `the worker pool to target the ${version} config` });
}

export function waitForCompleted(target: KubectlRunner, version: string, timeoutMs = 60_000): Promise<ClusterVersion> {
  return waitFor(async () => {
    const cv = await clusterVersion(target);
    return isCompleted(cv, version) && cv;
  }, { timeoutMs, intervalMs: 200, message: `the ${version} update to complete` });
}

/**
 * The STATUS column of `kubectl get clusterversion` (the Progressing message, from the CRD's printer columns): what
 * an admin reads to see what the update waits on.
 */
export async function clusterVersionStatus(target: KubectlRunner): Promise<string> {
  const [header = '', row = ''] = (await target.kubectl(['get', 'clusterversion', 'version'])).stdout.split('\n');
  const column = header.indexOf('STATUS');
  if (column < 0) throw new Error(`kubectl get clusterversion printed no STATUS column: ${header}`);
  return row.slice(column).trim();
}

// ---- watches --------------------------------------------------------------------------------------------------

/** How often a watch reads what its kubectl printed, in ms: the resolution of Observed.atMs. */
const WATCH_READ_INTERVAL_MS = 10;

/** One document a kubectl watch printed, and when this process read it (Date.now() ms). */
export interface Observed<T> {
  readonly object: T;
  /**
   * Later than the write by kubectl's latency plus at most WATCH_READ_INTERVAL_MS (tens of ms): an upper bound of
   * when the write happened, close enough to compare with gates measured in seconds.
   */
  readonly atMs: number;
}

export interface JsonWatch<T> {
  /** Every document printed so far (the initial list, then each change), in order. */
  observed(): readonly Observed<T>[];
  stop(): Promise<void>;
}

/** `kubectl get <args> -w -o json`, read as it prints. */
export function watchJson<T>(target: KubectlRunner, args: string[]): JsonWatch<T> {
  const running: RunningKubectl = target.kubectlStart(['get', ...args, '-w', '-o', 'json']);
  const observed: Observed<T>[] = [];
  let consumed = 0;
  let pending = '';
  const read = () => {
    const out = running.stdout();
    if (out.length === consumed) return;
    pending += out.slice(consumed);
    consumed = out.length;
    const { documents, rest } = splitJsonStream(pending);
    pending = rest;
    const atMs = Date.now();
    for (const object of documents) observed.push({ object: object as T, atMs });
  };
  const timer = setInterval(read, WATCH_READ_INTERVAL_MS);
  timer.unref();
  return {
    observed: () => (read(), observed),
    async stop() {
      clearInterval(timer);
      await running.stop();
      read();
    },
  };
}

/** Splits a stream of concatenated JSON documents (kubectl -w -o json) into the complete ones. */
export function splitJsonStream(text: string): { documents: unknown[]; rest: string } {
  const documents: unknown[] = [];
  let depth = 0;
  let inString = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') {
      if (depth++ === 0) start = i;
    } else if (c === '}' && --depth === 0) {
      documents.push(JSON.parse(text.slice(start, i + 1)));
      start = i + 1;
    }
  }
  return { documents, rest: depth === 0 ? '' : text.slice(start) };
}

/** A write that moved a node's desiredConfig to a config (the operator starting it, or rolling it back). */
export interface NodeStart {
  readonly node: string;
  readonly resourceVersion: number;
  readonly atMs: number;
}

export interface NodeWatch {
  /** Most nodes unavailable at once over every event kubectl printed so far. */
  maxUnavailable(): number;
  /** Node name → the resourceVersion of the event that last showed it Done on `config` and available. */
  doneRv(config: string): Map<string, number>;
  /** Every write that set a node's desiredConfig to `config` (from none or another config; the initial list counts), in watch order. */
  starts(config: string): readonly NodeStart[];
  /** Node names in the order they first got desiredConfig `config`. */
  startOrder(config: string): string[];
  /** Resolves once the watch has shown `count` nodes Done on `config` (kubectl prints a few ms after the write). */
  waitForDone(config: string, count: number): Promise<void>;
  stop(): Promise<void>;
}

/** Records `kubectl get nodes -w -o json` (the initial list, then each change); reads are of what it printed so far. */
export function watchNodes(target: KubectlRunner): NodeWatch {
  const watch = watchJson<NodeObject>(target, ['nodes']);
  const nodes = new Map<string, NodeObject>();
  let max = 0;
  let seen = 0;
  const done = new Map<string, Map<string, number>>();
  const starts = new Map<string, NodeStart[]>();
  const catchUp = () => {
    const observed = watch.observed();
    for (; seen < observed.length; seen++) {
      const { object: doc, atMs } = observed[seen]!;
      const name = doc.metadata?.name ?? '';
      const before = nodes.get(name)?.metadata?.annotations?.[DESIRED_CONFIG_ANNOTATION];
      nodes.set(name, doc);
      max = Math.max(max, [...nodes.values()].filter(isUnavailableForTest).length);
      const a = doc.metadata?.annotations ?? {};
      const desired = a[DESIRED_CONFIG_ANNOTATION];
      if (!desired) continue;
      if (desired !== before) starts.set(desired, [...(starts.get(desired) ?? []), { node: name, resourceVersion: resourceVersionOf(doc), atMs }]);
      if (a[CURRENT_CONFIG_ANNOTATION] === desired && !isUnavailableForTest(doc)) {
        const byNode = done.get(desired) ?? new Map<string, number>();
        byNode.set(name, resourceVersionOf(doc));
        done.set(desired, byNode);
      }
    }
  };
  return {
    maxUnavailable: () => (catchUp(), max),
    doneRv: (config) => (catchUp(), done.get(config) ?? new Map()),
    starts: (config) => (catchUp(), starts.get(config) ?? []),
    startOrder: (config) => (catchUp(), [...new Set((starts.get(config) ?? []).map((s) => s.node))]),
    async waitForDone(config, count) {
      await waitFor(() => (catchUp(), (done.get(config)?.size ?? 0) === count), { timeoutMs: 5_000, message: `the kubectl watch to show ${count} nodes Done` });
    },
    async stop() {
      await watch.stop();
      catchUp();
    },
  };
}
