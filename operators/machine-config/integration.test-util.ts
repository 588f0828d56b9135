// Integration harness for the machine-config operator (shared/STYLE.md "Tests"): per test, an embedded API server
// with the CRDs of crds/, a local cloud whose instances run as hollow nodes (real kubelets' API calls, Leases, pods),
// the hollow OS agent on them, and the operator under test running its real caches and controllers. A node cache
// records every state the nodes pass through, so a test can assert on the whole rollout, not only its end.
import { KubeConfig } from '@kubernetes/client-node';
import { HollowNodeManager } from '../../devcluster/hollow-nodes/manager.ts';
import { HollowOsAgent } from '../../devcluster/hollow-nodes/os-agent.ts';
import { LocalCloud } from '../../devcluster/local-cloud/cloud.ts';
import { startTestServer, type TestServer } from '../../test/support/dev-server.ts';
import { installMachineCrds } from '../../test/support/machine-crds.ts';
import type { ClusterOperator } from '../api/config-v1.ts';
import {
  MACHINE_CONFIG_CLUSTER_OPERATOR,
  MACHINE_CONFIG_OPERATOR_NAMESPACE,
  OSIMAGEURL_CONFIG_MAP,
  type MachineConfigPool,
  type MachineConfigPoolSpec,
} from '../api/machineconfiguration-v1.ts';
import { createCache, type Cache } from '../runtime/cache.ts';
import { isNotFound } from '../runtime/errors.ts';
import { kubeJson } from '../runtime/kube-http.ts';
import { createLogger, type Logger } from '../runtime/log.ts';
import { resourcePath } from '../runtime/resource-client.ts';
import type { KubeObject } from '../runtime/watcher.ts';
import { waitFor } from '../runtime/wait.ts';
import { NODES, POOLS } from './context.ts';
import { buildMachineConfigOperator } from './operator.ts';
import type { NodeObject } from './pool-node.ts';

/** A release as the payload's osimageurl ConfigMap describes it. */
export interface TestRelease {
  readonly version: string;
  readonly kubeletVersion: string;
}

export const RELEASE_4_1: TestRelease = { version: '4.1.0', kubeletVersion: 'v1.32.0' };
export const RELEASE_4_2: TestRelease = { version: '4.2.0', kubeletVersion: 'v1.33.0' };

export function osImageName(release: TestRelease): string {
  return `Red Hat Enterprise Linux CoreOS ${release.version}`;
}

/** The ConfigMap data of a release; the digest is derived from the version so each release has its own. */
export function osImageUrlData(release: TestRelease): Record<string, string> {
  const hex = Buffer.from(release.version.padEnd(32, '0')).toString('hex').slice(0, 64);
  return {
    releaseVersion: release.version,
    baseOSContainerImage: `quay.io/openshift-release-dev/ocp-v4.0-art-dev@sha256:${hex}`,
    osImageName: osImageName(release),
    kubeletVersion: release.kubeletVersion,
    containerRuntimeVersion: `cri-o://${release.kubeletVersion.slice(1)}`,
  };
}

/** The per-node update time of the tests, in seconds. */
export const REBOOT_SECONDS = 0.2;

export interface TestNodeSpec {
  readonly name: string;
  readonly zone: string;
}

/** Unavailable as the issue counts it, computed by the test itself: cordoned, NotReady, updating. */
export function isUnavailableForTest(node: NodeObject): boolean {
  const a = node.metadata?.annotations ?? {};
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
  return !ready
    || node.spec?.unschedulable === true
    || a['machineconfiguration.openshift.io/state'] === 'Working'
    || a['machineconfiguration.openshift.io/desiredConfig'] !== a['machineconfiguration.openshift.io/currentConfig'];
}

export interface RunningOperator {
  stop(): Promise<void>;
}

/**
 * Starts the machine-config operator in this process (fast requeues); it is in `running` until stopped, so a
 * suite's teardown can stop whatever its test left running.
 */
export function startTestOperator(kc: KubeConfig, logger: Logger, running: Set<RunningOperator>): RunningOperator {
  const { manager } = buildMachineConfigOperator(kc, { version: 'test', logger, minRequeueAfterMs: 20 });
  const stop = new AbortController();
  const done = manager.start(stop.signal);
  const operator: RunningOperator = {
    async stop() {
      running.delete(operator);
      stop.abort();
      await done;
    },
  };
  running.add(operator);
  return operator;
}

export interface RolloutCluster {
  readonly server: TestServer;
  readonly kc: KubeConfig;
  readonly cloud: LocalCloud;
  readonly nodes: HollowNodeManager;
  readonly agent: HollowOsAgent;
  /** Every node state seen (watch order), as the max-unavailable record is computed from it. */
  readonly recorder: NodeRecorder;
  startOperator(): Promise<RunningOperator>;
  setRelease(release: TestRelease): Promise<void>;
  createPool(name: string, spec: Partial<MachineConfigPoolSpec>): Promise<void>;
  patchPool(name: string, spec: Partial<MachineConfigPoolSpec>): Promise<void>;
  pool(name: string): Promise<MachineConfigPool>;
  node(name: string): Promise<NodeObject>;
  clusterOperator(): Promise<ClusterOperator | undefined>;
  get<T>(path: string): Promise<T>;
  /** Calls `onObject` with every state of every object at `path` (a collection) until stopped. */
  watch<T extends KubeObject>(path: string, onObject: (obj: T) => void): { stop(): Promise<void> };
  stop(): Promise<void>;
}

export interface NodeRecorder {
  /** Most nodes unavailable at once since the last reset (the start: once every node first became Ready). */
  maxUnavailable(): number;
  resetMaxUnavailable(): void;
  /** Node names in the order they first got the given desiredConfig. */
  startOrder(config: string): string[];
  /** ms at which `node` first had desiredConfig `config`; undefined if never. */
  startedAt(node: string, config: string): number | undefined;
  /**
   * The write that last made `node` Done at `config`, Ready and schedulable: its resourceVersion (the embedded
   * server has one counter for all objects, as etcd's revision, so it orders writes across kinds) and when it was seen.
   */
  doneAt(node: string, config: string): { readonly resourceVersion: number; readonly atMs: number } | undefined;
}

function nodeRecorder(cache: Cache<NodeObject>): NodeRecorder {
  let max = 0;
  const starts = new Map<string, Map<string, number>>();
  const dones = new Map<string, Map<string, { resourceVersion: number; atMs: number }>>();
  const mark = <V>(m: Map<string, Map<string, V>>, config: string, node: string, value: V, overwrite: boolean) => {
    let byNode = m.get(config);
    if (!byNode) m.set(config, (byNode = new Map()));
    if (overwrite || !byNode.has(node)) byNode.set(node, value);
  };
  cache.subscribe((event) => {
    // The store already holds the new state: each event is one transition of one node.
    max = Math.max(max, cache.store.list().filter(isUnavailableForTest).length);
    if (event.type === 'delete') return;
    const a = event.object.metadata?.annotations ?? {};
    const name = event.object.metadata?.name ?? '';
    const desired = a['machineconfiguration.openshift.io/desiredConfig'];
    if (desired) mark(starts, desired, name, Date.now(), false);
    if (desired && a['machineconfiguration.openshift.io/currentConfig'] === desired && !isUnavailableForTest(event.object)) {
      const before = event.type === 'update' ? event.oldObject : undefined;
      if (!before || isUnavailableForTest(before)) mark(dones, desired, name, { resourceVersion: Number(event.object.metadata?.resourceVersion), atMs: Date.now() }, true);
    }
  });
  return {
    maxUnavailable: () => max,
    resetMaxUnavailable: () => {
      max = cache.store.list().filter(isUnavailableForTest).length;
    },
    startOrder: (config) => [...(starts.get(config) ?? new Map<string, number>()).entries()].sort((a, b) => a[1] - b[1]).map(([n]) => n),
    startedAt: (node, config) => starts.get(config)?.get(node),
    doneAt: (node, config) => dones.get(config)?.get(node),
  };
}

export interface RolloutClusterOptions {
  readonly nodes: readonly TestNodeSpec[];
  /** The per-node update time. */
  readonly rebootSeconds?: number;
  readonly drainTimeoutSeconds?: number;
}

export async function startRolloutCluster(options: RolloutClusterOptions): Promise<RolloutCluster> {
  const server = await startTestServer({ ephemeral: true });
  const kc = new KubeConfig();
  kc.loadFromFile(server.api.kubeconfigPath);
  await installMachineCrds(kc);
  await kubeJson(kc, '/api/v1/namespaces', { method: 'POST', body: { metadata: { name: MACHINE_CONFIG_OPERATOR_NAMESPACE } } });
  // MC_TEST_LOG=1 shows the warnings and errors of the operator, the agent and the hollow nodes.
  const testLogger = createLogger({
    sink: (line) => {
      if (process.env.MC_TEST_LOG && /"level":"(warn|error)"/.test(line)) process.stderr.write(`${line}\n`);
    },
  });
  const cloud = new LocalCloud({ terminateDelayMs: 10 });
  const nodes = new HollowNodeManager({ leaseRenewSeconds: 0.2, statusReportSeconds: 60, logger: testLogger });
  // One at a time, so that creation timestamps (oldest first) follow the list order.
  for (const spec of options.nodes) {
    cloud.create({ clientToken: `uid-${spec.name}`, name: spec.name, tags: {}, spec: { instanceType: 'local.small', region: 'local', zone: spec.zone } });
  }
  await nodes.start(kc, cloud);
  const nodeCache = createCache<NodeObject>(kc, resourcePath(NODES, undefined), { name: 'test-nodes', logger: testLogger });
  const stopCache = new AbortController();
  const cacheDone = nodeCache.start(stopCache.signal);
  const recorder = nodeRecorder(nodeCache);
  await waitFor(() => nodeCache.store.list().filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length === options.nodes.length, {
    timeoutMs: 5_000, message: 'hollow nodes to be Ready',
  });
  recorder.resetMaxUnavailable(); // registering nodes are NotReady until their first status post
  const agent = new HollowOsAgent(nodes, { rebootSeconds: options.rebootSeconds ?? REBOOT_SECONDS, drainTimeoutSeconds: options.drainTimeoutSeconds ?? 30, drainRetrySeconds: 0.1, logger: testLogger });
  await agent.start(kc);
  const operators = new Set<RunningOperator>();
  const cmPath = `/api/v1/namespaces/${MACHINE_CONFIG_OPERATOR_NAMESPACE}/configmaps`;
  const get = <T>(path: string) => kubeJson<T>(kc, path);

  const cluster: RolloutCluster = {
    server, kc, cloud, nodes, agent, recorder, get,
    async startOperator() {
      return startTestOperator(kc, testLogger, operators);
    },
    async setRelease(release) {
      const body = { metadata: { name: OSIMAGEURL_CONFIG_MAP }, data: osImageUrlData(release) };
      try {
        await kubeJson(kc, `${cmPath}/${OSIMAGEURL_CONFIG_MAP}`, { method: 'PUT', body });
      } catch (err) {
        if (!isNotFound(err)) throw err;
        await kubeJson(kc, cmPath, { method: 'POST', body });
      }
    },
    async createPool(name, spec) {
      await kubeJson(kc, resourcePath(POOLS, undefined), {
        method: 'POST',
        body: { apiVersion: 'machineconfiguration.openshift.io/v1', kind: 'MachineConfigPool', metadata: { name }, spec },
      });
    },
    async patchPool(name, spec) {
      await kubeJson(kc, resourcePath(POOLS, undefined, name), { method: 'PATCH', contentType: 'application/merge-patch+json', body: { spec } });
    },
    watch<T extends KubeObject>(path: string, onObject: (obj: T) => void) {
      const cache = createCache<T>(kc, path, { name: 'test-watch', logger: testLogger });
      cache.subscribe((event) => onObject(event.object));
      const abort = new AbortController();
      const done = cache.start(abort.signal);
      return {
        async stop() {
          abort.abort();
          await done;
        },
      };
    },
    pool: (name) => get<MachineConfigPool>(resourcePath(POOLS, undefined, name)),
    node: (name) => get<NodeObject>(resourcePath(NODES, undefined, name)),
    async clusterOperator() {
      try {
        return await get<ClusterOperator>(`/apis/config.openshift.io/v1/clusteroperators/${MACHINE_CONFIG_CLUSTER_OPERATOR}`);
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    },
    async stop() {
      for (const op of [...operators]) await op.stop();
      await agent.stop();
      stopCache.abort();
      await cacheDone;
      await nodes.stop();
      await cloud.close();
      await server.stop();
    },
  };
  return cluster;
}

/** The worker pool spec every test starts from. */
export const WORKER_SELECTOR = { matchLabels: { 'node-role.kubernetes.io/worker': '' } } as const;

/** Waits until the pool's status says every node runs the pool's current target, and returns the pool. */
export async function waitForPoolUpdated(cluster: RolloutCluster, name: string, timeoutMs = 10_000): Promise<MachineConfigPool> {
  return waitFor(async () => {
    const pool = await cluster.pool(name);
    const updated = pool.status?.conditions?.find((c) => c.type === 'Updated')?.status === 'True';
    return updated && pool.status?.configuration?.name === pool.spec?.configuration?.name && pool.status?.observedGeneration === pool.metadata?.generation && pool;
  }, { timeoutMs, intervalMs: 20, message: `pool ${name} to be Updated` });
}
