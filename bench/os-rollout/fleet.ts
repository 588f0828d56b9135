// The cluster the OS rollout bench runs on, in this process: the embedded API server (ephemeral), the CRDs, the
// openshift-machine-config-operator namespace, a local cloud whose instances boot as hollow nodes (zones a/b/c,
// all on 4.1.0), the hollow OS agent with the per-node update time T, and the machine-config operator with its
// production timings. Unlike operators/machine-config/integration.test-util.ts (six nodes, 0.2 s Lease renewals),
// the kubelets renew their Leases at the real 10 s, so the API server's load is the rollout's, not heartbeats'.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { applyMachineApiCrds } from '../../devcluster/cluster.ts';
import { startApiServer, type ApiServerHandle } from '../../devcluster/apiserver/index.ts';
import { HollowNodeManager } from '../../devcluster/hollow-nodes/manager.ts';
import { HollowOsAgent } from '../../devcluster/hollow-nodes/os-agent.ts';
import { LocalCloud } from '../../devcluster/local-cloud/cloud.ts';
import { MACHINE_CONFIG_OPERATOR_NAMESPACE, OSIMAGEURL_CONFIG_MAP, WORKER_ROLE_LABEL } from '../../operators/api/machineconfiguration-v1.ts';
import { NODES, POOLS } from '../../operators/machine-config/context.ts';
import { osImageUrlData, type TestRelease } from '../../operators/machine-config/integration.test-util.ts';
import { buildMachineConfigOperator } from '../../operators/machine-config/operator.ts';
import type { NodeObject } from '../../operators/machine-config/pool-node.ts';
import { createCache, type Cache } from '../../operators/runtime/cache.ts';
import { isNotFound } from '../../operators/runtime/errors.ts';
import { kubeJson } from '../../operators/runtime/kube-http.ts';
import { discardLogger } from '../../operators/runtime/log.ts';
import { resourcePath } from '../../operators/runtime/resource-client.ts';
import { waitFor } from '../../operators/runtime/wait.ts';

const ZONES = ['zone-a', 'zone-b', 'zone-c'] as const;
const CONFIG_MAPS_PATH = `/api/v1/namespaces/${MACHINE_CONFIG_OPERATOR_NAMESPACE}/configmaps`;

export interface FleetOptions {
  readonly nodes: number;
  readonly maxUnavailable: number;
  /** The per-node update time T (the agent's reboot), in seconds. */
  readonly rebootSeconds: number;
}

export interface Fleet {
  readonly kc: KubeConfig;
  /** Every Node, kept current by a watch (subscribe to see each transition). */
  readonly nodes: Cache<NodeObject>;
  /** Creates or replaces the osimageurl ConfigMap, as the CVO does when it applies a release's payload. */
  setRelease(release: TestRelease): Promise<void>;
  /** The worker pool's target config (spec.configuration.name). */
  poolTarget(): Promise<string | undefined>;
  stop(): Promise<void>;
}

export async function startFleet(options: FleetOptions): Promise<Fleet> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-os-rollout-'));
  const api: ApiServerHandle = await startApiServer({ port: 0, ephemeral: true, dataDir });
  const stops: Array<() => Promise<void>> = [async () => rmSync(dataDir, { recursive: true, force: true }), () => api.stop()];
  const stop = async () => {
    for (const s of stops.splice(0).reverse()) await s();
  };
  try {
    const kc = new KubeConfig();
    kc.loadFromFile(api.kubeconfigPath);
    await applyMachineApiCrds(kc);
    await kubeJson(kc, '/api/v1/namespaces', { method: 'POST', body: { metadata: { name: MACHINE_CONFIG_OPERATOR_NAMESPACE } } });

    const cloud = new LocalCloud({ terminateDelayMs: 10 });
    stops.push(() => cloud.close());
    for (let i = 0; i < options.nodes; i++) {
      const zone = ZONES[i % ZONES.length]!;
      const name = `worker-${String(i).padStart(3, '0')}`;
      cloud.create({ clientToken: `uid-${name}`, name, tags: {}, spec: { instanceType: 'local.small', region: 'local', zone } });
    }
    const hollow = new HollowNodeManager({ logger: discardLogger });
    await hollow.start(kc, cloud);
    stops.push(() => hollow.stop());

    const nodes = createCache<NodeObject>(kc, resourcePath(NODES, undefined), { name: 'bench-nodes', logger: discardLogger });
    const abortCache = new AbortController();
    const cacheDone = nodes.start(abortCache.signal);
    stops.push(async () => {
      abortCache.abort();
      await cacheDone;
    });
    await waitFor(() => nodes.store.list().filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length === options.nodes, {
      timeoutMs: 60_000, intervalMs: 100, message: `${options.nodes} hollow nodes to be Ready`,
    });

    const agent = new HollowOsAgent(hollow, { rebootSeconds: options.rebootSeconds, logger: discardLogger });
    await agent.start(kc);
    stops.push(() => agent.stop());

    const { manager } = buildMachineConfigOperator(kc, { version: 'bench', metricsPort: 0, logger: discardLogger });
    const abortOperator = new AbortController();
    const operatorDone = manager.start(abortOperator.signal);
    stops.push(async () => {
      abortOperator.abort();
      await operatorDone;
    });

    await kubeJson(kc, resourcePath(POOLS, undefined), {
      method: 'POST',
      body: {
        apiVersion: 'machineconfiguration.openshift.io/v1',
        kind: 'MachineConfigPool',
        metadata: { name: 'worker' },
        spec: { nodeSelector: { matchLabels: { [WORKER_ROLE_LABEL]: '' } }, maxUnavailable: options.maxUnavailable },
      },
    });

    return {
      kc,
      nodes,
      async setRelease(release) {
        const body = { metadata: { name: OSIMAGEURL_CONFIG_MAP }, data: osImageUrlData(release) };
        try {
          await kubeJson(kc, `${CONFIG_MAPS_PATH}/${OSIMAGEURL_CONFIG_MAP}`, { method: 'PUT', body });
        } catch (err) {
          if (!isNotFound(err)) throw err;
          await kubeJson(kc, CONFIG_MAPS_PATH, { method: 'POST', body });
        }
      },
      async poolTarget() {
        const pool = await kubeJson<{ spec?: { configuration?: { name?: string } } }>(kc, resourcePath(POOLS, undefined, 'worker'));
        return pool.spec?.configuration?.name;
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
