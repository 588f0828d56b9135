// Integration harness of the Replace strategy: the dev cluster in this process (embedded API server, local cloud with
// the demo releases' boot images, hollow nodes) with the Machine API operator and the machine-config operator started
// here, so that a test can stop and restart the latter mid-rollout. Releases are the demo payloads' ConfigMaps
// (osimageurl, coreos-bootimages), applied as the CVO would. A watch of Machines and Nodes records every state, from
// which the bounds (most Machines at once, fewest available Nodes) and "cordoned before it went" are computed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { startDevCluster, type DevClusterHandle } from '../../../devcluster/cluster.ts';
import { demoManifests } from '../../../devcluster/releases/demo-manifests.ts';
import { MACHINE_API_NAMESPACE, type Machine, type MachineSet } from '../../api/machine-v1beta1.ts';
import { MACHINE_CONFIG_OPERATOR_NAMESPACE, type MachineConfigPool, type MachineConfigPoolSpec } from '../../api/machineconfiguration-v1.ts';
import { buildMachineApiOperator } from '../../machine-api/operator.ts';
import { createLocalProviderFactory } from '../../machine-api/providers/local/index.ts';
import { createCache } from '../../runtime/cache.ts';
import { isNotFound } from '../../runtime/errors.ts';
import { kubeJson } from '../../runtime/kube-http.ts';
import { createLogger } from '../../runtime/log.ts';
import { resourcePath } from '../../runtime/resource-client.ts';
import { waitFor } from '../../runtime/wait.ts';
import { MACHINE_SETS, MACHINES, NODES, POOLS } from '../context.ts';
import { isUnavailableForTest, startTestOperator, type RunningOperator } from '../integration.test-util.ts';
import type { NodeObject } from '../pool-node.ts';


/** What the watch saw since it was (re)started. */
export interface ReplaceRecord {
  /** Most Machines of the MachineSet at once, those being deleted included. */
  maxMachines(): number;
  /** Fewest available Nodes at once (Ready, schedulable, not updating; isUnavailableForTest). */
  minAvailable(): number;
  /** Nodes that were deleted, and whether each was seen cordoned before. */
  deletedNodes(): ReadonlyMap<string, { readonly cordonedBefore: boolean }>;
  /** Starts counting from the current state. */
  reset(): void;
}

export interface ReplaceCluster {
  readonly dev: DevClusterHandle;
  readonly kc: KubeConfig;
  readonly record: ReplaceRecord;
  startMachineConfigOperator(): Promise<RunningOperator>;
  /** Applies the demo payload's osimageurl and coreos-bootimages ConfigMaps of `version`, optionally with another stream. */
  setRelease(version: string, options?: { readonly localBootImage?: string }): Promise<void>;
  /** A MachineSet `name` of local Machines booting `image`, in zones local-a/b in turn by Machine. */
  createMachineSet(name: string, replicas: number, image: string): Promise<void>;
  patchPool(name: string, spec: Partial<MachineConfigPoolSpec>): Promise<void>;
  pool(name: string): Promise<MachineConfigPool>;
  machineSet(name: string): Promise<MachineSet>;
  machines(): Promise<Machine[]>;
  nodes(): Promise<NodeObject[]>;
  stop(): Promise<void>;
}

const CM_PATH = `/api/v1/namespaces/${MACHINE_CONFIG_OPERATOR_NAMESPACE}/configmaps`;

export async function startReplaceCluster(): Promise<ReplaceCluster> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mc-replace-'));
  // MC_TEST_LOG=1 shows the warnings and errors of the operators and the cluster.
  const logger = createLogger({
    sink: (line) => {
      if (process.env.MC_TEST_LOG && /"level":"(warn|error)"/.test(line)) process.stderr.write(`${line}\n`);
    },
  });
  const dev = await startDevCluster({
    port: 0, dataDir, ephemeral: true, inProcessOperator: false, logger,
    cloud: { terminateDelayMs: 20 },
    hollowNodes: { leaseRenewSeconds: 0.5 },
  });
  const kc = dev.kubeConfig;
  const stops: Array<() => Promise<void>> = [];
  const machineApi = buildMachineApiOperator(kc, {
    providers: [createLocalProviderFactory({ endpoint: dev.cloud!.url, deletePollMs: 50 })],
    minRequeueAfterMs: 20,
    logger: logger.child('machine-api-operator'),
  });
  const stopMachineApi = new AbortController();
  const machineApiDone = machineApi.manager.start(stopMachineApi.signal);
  stops.push(async () => {
    stopMachineApi.abort();
    await machineApiDone;
  });

  const record = recordReplacement(kc, logger);
  stops.push(() => record.stop());
  const get = <T>(path: string) => kubeJson<T>(kc, path);
  const operators = new Set<RunningOperator>();

  const put = async (name: string, data: Record<string, string>) => {
    const body = { metadata: { name, namespace: MACHINE_CONFIG_OPERATOR_NAMESPACE }, data };
    try {
      await kubeJson(kc, `${CM_PATH}/${name}`, { method: 'PUT', body });
    } catch (err) {
      if (!isNotFound(err)) throw err;
      await kubeJson(kc, CM_PATH, { method: 'POST', body });
    }
  };

  return {
    dev, kc, record,
    async startMachineConfigOperator() {
      return startTestOperator(kc, logger.child('machine-config-operator'), operators);
    },
    async setRelease(version, options = {}) {
      const manifests = demoManifests(version);
      const data = (file: string) => (parse(manifests[file]!) as { data: Record<string, string> }).data;
      await put('machine-config-osimageurl', data('0000_80_machine-config_05_osimageurl.yaml'));
      const boot = data('0000_80_machine-config_06_coreos-bootimages.yaml');
      if (options.localBootImage) {
        const stream = JSON.parse(boot.stream);
        stream.architectures.x86_64.images.local.image = options.localBootImage;
        boot.stream = JSON.stringify(stream);
      }
      await put('coreos-bootimages', boot);
    },
    async createMachineSet(name, replicas, image) {
      const labels = { 'machine.openshift.io/cluster-api-cluster': 'local', 'machine.openshift.io/cluster-api-machineset': name };
      await kubeJson(kc, resourcePath(MACHINE_SETS, MACHINE_API_NAMESPACE), {
        method: 'POST',
        body: {
          apiVersion: 'machine.openshift.io/v1beta1', kind: 'MachineSet', metadata: { name, namespace: MACHINE_API_NAMESPACE },
          spec: {
            replicas, deletePolicy: 'Oldest', selector: { matchLabels: labels },
            template: {
              metadata: { labels },
              spec: {
                metadata: { labels: { 'node-role.kubernetes.io/worker': '' } },
                providerSpec: { value: { apiVersion: 'machine.openshift.io/v1beta1', kind: 'LocalMachineProviderSpec', instanceType: 'local.small', zone: 'local-a', image } },
              },
            },
          },
        },
      });
    },
    async patchPool(name, spec) {
      await kubeJson(kc, resourcePath(POOLS, undefined, name), { method: 'PATCH', contentType: 'application/merge-patch+json', body: { spec } });
    },
    pool: (name) => get<MachineConfigPool>(resourcePath(POOLS, undefined, name)),
    machineSet: (name) => get<MachineSet>(resourcePath(MACHINE_SETS, MACHINE_API_NAMESPACE, name)),
    machines: async () => (await get<{ items: Machine[] }>(resourcePath(MACHINES, MACHINE_API_NAMESPACE))).items,
    nodes: async () => (await get<{ items: NodeObject[] }>(resourcePath(NODES, undefined))).items,
    async stop() {
      for (const op of [...operators]) await op.stop();
      for (const stop of stops.splice(0).reverse()) await stop();
      await dev.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function recordReplacement(kc: KubeConfig, logger: ReturnType<typeof createLogger>): ReplaceRecord & { stop(): Promise<void> } {
  const machines = createCache<Machine>(kc, resourcePath(MACHINES, MACHINE_API_NAMESPACE), { name: 'test-machines', logger });
  const nodes = createCache<NodeObject>(kc, resourcePath(NODES, undefined), { name: 'test-nodes', logger });
  let maxMachines = 0;
  let minAvailable = Infinity;
  const cordoned = new Set<string>();
  const deleted = new Map<string, { cordonedBefore: boolean }>();
  const available = () => nodes.store.list().filter((n) => !isUnavailableForTest(n)).length;
  // Registering Nodes are NotReady until their first status post, so availability counts from the first full state.
  let counting = false;
  const observe = () => {
    maxMachines = Math.max(maxMachines, machines.store.list().length);
    if (counting) minAvailable = Math.min(minAvailable, available());
  };
  machines.subscribe(observe);
  nodes.subscribe((event) => {
    const name = event.object.metadata?.name ?? '';
    if (event.type === 'delete') deleted.set(name, { cordonedBefore: cordoned.has(name) });
    else if (event.object.spec?.unschedulable) cordoned.add(name);
    observe();
  });
  const stop = new AbortController();
  const done = Promise.all([machines.start(stop.signal), nodes.start(stop.signal)]);
  return {
    maxMachines: () => maxMachines,
    minAvailable: () => minAvailable,
    deletedNodes: () => deleted,
    reset() {
      counting = true;
      maxMachines = machines.store.list().length;
      minAvailable = available();
      deleted.clear();
    },
    async stop() {
      stop.abort();
      await done;
    },
  };
}

/** Waits until the pool is Updated on its current target with observedGeneration caught up; returns it. */
export async function waitForPoolUpdated(cluster: ReplaceCluster, name: string, timeoutMs = 30_000): Promise<MachineConfigPool> {
  return waitFor(async () => {
    const pool = await cluster.pool(name);
    const updated = pool.status?.conditions?.find((c) => c.type === 'Updated')?.status === 'True';
    return updated && pool.status?.configuration?.name === pool.spec?.configuration?.name && pool.status?.observedGeneration === pool.metadata?.generation && pool;
  }, { timeoutMs, intervalMs: 50, message: `pool ${name} to be Updated` });
}

