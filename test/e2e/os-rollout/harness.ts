// What the OS rollout end-to-end tests share: a dev cluster in this process (startDevCluster, as `npm start` runs
// it) with fast timings and N hollow worker nodes, and a record of every Node state taken from the real kubectl's
// watch (`kubectl get nodes -w -o json`), from which "never more than maxUnavailable unavailable" is computed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { startDevCluster, type DevClusterHandle, type DevClusterOptions } from '../../../devcluster/cluster.ts';
import { demoManifests } from '../../../devcluster/releases/demo-manifests.ts';
import { CURRENT_CONFIG_ANNOTATION, DESIRED_CONFIG_ANNOTATION, STATE_ANNOTATION } from '../../../operators/api/machineconfiguration-v1.ts';
import { isUnavailableForTest } from '../../../operators/machine-config/integration.test-util.ts';
import type { NodeObject } from '../../../operators/machine-config/pool-node.ts';
import { waitFor } from '../../../operators/runtime/wait.ts';
import { kubectlRunner, type KubectlRunner, type RunningKubectl } from '../../support/dev-server.ts';

/** The per-node update time of these tests, in seconds. */
export const REBOOT_SECONDS = 0.3;
export const osImageOf = (version: string) => `Red Hat Enterprise Linux CoreOS ${version}`;

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

export async function getJson<T>(target: KubectlRunner, args: string[]): Promise<T> {
  return JSON.parse((await target.kubectl(['get', ...args, '-o', 'json'])).stdout) as T;
}

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

export interface NodeWatch {
  /** Most nodes unavailable at once over every event kubectl printed so far. */
  maxUnavailable(): number;
  /** Node name → the resourceVersion of the event that last showed it Done on `config` and available. */
  doneRv(config: string): Map<string, number>;
  /** Node names in the order they first got desiredConfig `config`. */
  startOrder(config: string): string[];
  stop(): Promise<void>;
}

/** Records `kubectl get nodes -w -o json` (the initial list, then each change); reads are of what it printed so far. */
export function watchNodes(target: KubectlRunner): NodeWatch {
  const running: RunningKubectl = target.kubectlStart(['get', 'nodes', '-w', '-o', 'json']);
  const nodes = new Map<string, NodeObject>();
  let max = 0;
  let consumed = 0;
  let pending = '';
  const done = new Map<string, Map<string, number>>();
  const starts = new Map<string, string[]>();
  const catchUp = () => {
    const out = running.stdout();
    pending += out.slice(consumed);
    consumed = out.length;
    const { documents, rest } = splitJsonStream(pending);
    pending = rest;
    for (const doc of documents as NodeObject[]) {
      const name = doc.metadata?.name ?? '';
      nodes.set(name, doc);
      max = Math.max(max, [...nodes.values()].filter(isUnavailableForTest).length);
      const a = doc.metadata?.annotations ?? {};
      const desired = a[DESIRED_CONFIG_ANNOTATION];
      if (!desired) continue;
      const order = starts.get(desired) ?? [];
      if (!order.includes(name)) starts.set(desired, [...order, name]);
      if (a[CURRENT_CONFIG_ANNOTATION] === desired && !isUnavailableForTest(doc)) {
        const byNode = done.get(desired) ?? new Map<string, number>();
        byNode.set(name, Number(doc.metadata?.resourceVersion));
        done.set(desired, byNode);
      }
    }
  };
  return {
    maxUnavailable: () => (catchUp(), max),
    doneRv: (config) => (catchUp(), done.get(config) ?? new Map()),
    startOrder: (config) => (catchUp(), starts.get(config) ?? []),
    async stop() {
      await running.stop();
      catchUp();
    },
  };
}
