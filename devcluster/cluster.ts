// The whole dev cluster in one process, as `npm start` runs it and tests start it: the embedded API server, the
// Machine API CRDs applied through the API (as `kubectl apply -f crds/` would), the openshift-machine-api namespace,
// the local cloud with a hollow kubelet for each running instance, and the Machine API operator with the local
// provider pointed at that cloud; with `clusterVersion`, the release machinery too (releases/cluster-version.ts: demo
// payloads, update-graph server, cluster-version operator, demo operator). Stopping goes in reverse: the operator first (so it does not log a dead API server
// as an error), then the kubelets, the cloud and the API server.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { MACHINE_API_NAMESPACE } from '../operators/api/machine-v1beta1.ts';
import { buildMachineApiOperator, type MachineApiOperator } from '../operators/machine-api/operator.ts';
import type { ProviderFactory } from '../operators/machine-api/providers/actuator.ts';
import { createLocalProviderFactory } from '../operators/machine-api/providers/local/index.ts';
import { errorMessage, isAlreadyExists } from '../operators/runtime/errors.ts';
import { kubeJson } from '../operators/runtime/kube-http.ts';
import { discardLogger, type Logger } from '../operators/runtime/log.ts';
import { waitFor } from '../operators/runtime/wait.ts';
import { startApiServer, type ApiServerHandle, type ApiServerOptions } from './apiserver/index.ts';
import { demoLocalImages } from './releases/demo-manifests.ts';
import { releaseFollowingReporter } from './releases/release-followers.ts';
import { startDevClusterVersion, type ClusterVersionTuning, type DevClusterVersion } from './releases/cluster-version.ts';
import { HollowNodeManager, type HollowNodeOptions, type InstanceSource } from './hollow-nodes/index.ts';
import { startLocalCloud, type LocalCloudHandle, type StartLocalCloudOptions } from './local-cloud/index.ts';
import { MACHINE_CONFIG_OPERATOR_NAMESPACE, MACHINE_CONFIG_POOL_RESOURCE, WORKER_ROLE_LABEL } from '../operators/api/machineconfiguration-v1.ts';
import { buildMachineConfigOperator, type MachineConfigOperator } from '../operators/machine-config/operator.ts';
import { resourcePath } from '../operators/runtime/resource-client.ts';
import { HollowOsAgent, type OsAgentOptions } from './hollow-nodes/os-agent.ts';

const CRD_DIR = join(import.meta.dirname, '..', 'crds');
const CRDS_PATH = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
/** How long to wait for the CRDs to be served, in ms. */
const CRD_ESTABLISHED_TIMEOUT_MS = 10_000;

export interface DevClusterOptions extends ApiServerOptions {
  /** false: the API server alone (`--no-operators`). Default true. */
  readonly operators?: boolean;
  /**
   * false: the local cloud and hollow nodes run but the Machine API operator does not; it runs as its own process
   * (operators/machine-api/main.ts with LOCAL_CLOUD_ENDPOINT=cloud.url), so it can be killed and restarted on its
   * own (`--operators external`). Default true.
   */
  readonly inProcessOperator?: boolean;
  /** Port of the operator's /metrics, /healthz and /readyz. Default 0 (a free one). */
  readonly operatorMetricsPort?: number;
  /**
   * Machines run on an emulated AWS, GCP or Azure (test/e2e/clouds/emulators.ts, `npm start -- --cloud aws`) instead
   * of the local cloud, which then does not start: the hollow kubelets follow `source`, and the in-process operator
   * gets `provider`, already pointed at the emulator. Default: the local cloud.
   */
  readonly emulatedCloud?: { readonly provider: ProviderFactory; readonly source: InstanceSource };
  /** Local cloud timings (terminateDelayMs, …). */
  readonly cloud?: Pick<StartLocalCloudOptions, 'terminateDelayMs' | 'terminatedRetentionMs'>;
  readonly hollowNodes?: Omit<HollowNodeOptions, 'logger'>;
  /** Floor of the operator's requeues, in ms; lower only in tests. */
  readonly minRequeueAfterMs?: number;
  /**
   * Run the cluster-version operator on the demo releases (4.1.0 installed, 4.2.0 and 4.3.0 offered in stable-4),
   * with the demo operator; `true` or CVO tuning (tests shorten intervals). Needs `operators`. Default false;
   * `npm start` turns it on. The in-process Machine API operator then reports ClusterOperator machine-api at the
   * release the payload applied (releases/release-followers.ts).
   */
  readonly clusterVersion?: boolean | ClusterVersionTuning;
  /** The hollow nodes' OS agent (the per-node update time rebootSeconds, drain timings); tests shorten them. */
  readonly osAgent?: Omit<OsAgentOptions, 'logger' | 'now'>;
  /** For the cloud, the hollow nodes and the operator. Default: discard. */
  readonly logger?: Logger;
}

export interface RunningOperator extends MachineApiOperator {
  /** Settles once the operator has stopped; rejects if it failed. */
  readonly done: Promise<void>;
}

export interface DevClusterHandle {
  readonly api: ApiServerHandle;
  /** Credentials of the API server's kubeconfig (api.kubeconfigPath). */
  readonly kubeConfig: KubeConfig;
  /** Undefined with `operators: false` or an emulatedCloud. */
  readonly cloud: LocalCloudHandle | undefined;
  /** Undefined with `operators: false`. */
  readonly hollowNodes: HollowNodeManager | undefined;
  /** Undefined with `operators: false` or `inProcessOperator: false`. */
  readonly operator: RunningOperator | undefined;
  /** The release machinery; undefined without `clusterVersion` or with `operators: false`. */
  readonly clusterVersion?: DevClusterVersion;
  /** The hollow nodes' OS agent (operators/machine-config/PROTOCOL.md); undefined with `operators: false`. */
  readonly osAgent?: HollowOsAgent;
  /** Undefined with `operators: false` or `inProcessOperator: false` (then: `npm run operator:machine-config`). */
  readonly machineConfigOperator?: RunningMachineConfigOperator;
  stop(): Promise<void>;
}

export interface RunningMachineConfigOperator extends MachineConfigOperator {
  /** Settles once the operator has stopped; rejects if it failed. */
  readonly done: Promise<void>;
}

interface Crd {
  readonly metadata: { readonly name: string; resourceVersion?: string };
  readonly status?: { readonly conditions?: readonly { readonly type: string; readonly status: string }[] };
}

/**
 * Creates or updates every CRD in crds/ and waits until each is Established. Plain YAML to JSON, not client-node's
 * models: those would drop the `x-kubernetes-*` extensions a plain parse keeps.
 */
export async function applyMachineApiCrds(kc: KubeConfig): Promise<void> {
  const crds = readdirSync(CRD_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .flatMap((f) => parseAllDocuments(readFileSync(join(CRD_DIR, f), 'utf8')).map((d) => d.toJS() as Crd));
  for (const crd of crds) {
    try {
      await kubeJson(kc, CRDS_PATH, { method: 'POST', body: crd });
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      // A data dir from an earlier run: bring the schema up to date, as apply would.
      const current = await kubeJson<Crd>(kc, `${CRDS_PATH}/${crd.metadata.name}`);
      const body = { ...crd, metadata: { ...crd.metadata, resourceVersion: current.metadata.resourceVersion } };
      await kubeJson(kc, `${CRDS_PATH}/${crd.metadata.name}`, { method: 'PUT', body });
    }
  }
  for (const crd of crds) {
    await waitFor(async () => {
      const current = await kubeJson<Crd>(kc, `${CRDS_PATH}/${crd.metadata.name}`);
      return current.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
    }, { timeoutMs: CRD_ESTABLISHED_TIMEOUT_MS, intervalMs: 20, message: `CRD ${crd.metadata.name} to be Established` });
  }
}

async function ensureNamespace(kc: KubeConfig, name: string): Promise<void> {
  try {
    await kubeJson(kc, '/api/v1/namespaces', { method: 'POST', body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name } } });
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
  }
}

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'package.json'), 'utf8')) as { version?: string };
  return pkg.version ?? 'unknown';
}

export async function startDevCluster(options: DevClusterOptions): Promise<DevClusterHandle> {
  const logger = options.logger ?? discardLogger;
  const api = await startApiServer(options);
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(api.kubeconfigPath);
  if (options.operators === false) {
    return { api, kubeConfig, cloud: undefined, hollowNodes: undefined, operator: undefined, stop: () => api.stop() };
  }

  // Whatever started is stopped again if a later step fails, so a failed start leaves no port or timer behind.
  const stops: Array<() => Promise<void>> = [() => api.stop()];
  const stopAll = async () => {
    for (const stop of stops.splice(0).reverse()) {
      try {
        await stop();
      } catch (err) {
        logger.warn('Failed to stop a dev cluster component', { error: errorMessage(err) });
      }
    }
  };
  try {
    await applyMachineApiCrds(kubeConfig);
    await ensureNamespace(kubeConfig, MACHINE_API_NAMESPACE);

    const emulated = options.emulatedCloud;
    // The demo releases' local boot images (their coreos-bootimages `local` entries) are in the catalogue, so that
    // Machines of a MachineSet the machine-config operator moved to a release's image boot that release's OS.
    const cloud = emulated ? undefined : await startLocalCloud({
      dataDir: options.dataDir, ephemeral: options.ephemeral, ...options.cloud, images: demoLocalImages(), logger: logger.child('local-cloud'),
    });
    if (cloud) stops.push(() => cloud.stop());
    const hollowNodes = new HollowNodeManager({ ...options.hollowNodes, logger: logger.child('hollow-nodes') });
    await hollowNodes.start(kubeConfig, emulated?.source ?? cloud!.cloud);
    stops.push(() => hollowNodes.stop());
    const osAgent = await startOsAgent(kubeConfig, hollowNodes, options, logger);
    stops.push(() => osAgent.stop());
    // Started last, it is stopped first: the CVO must not see its operators vanish as a failure.
    const startClusterVersion = async (): Promise<DevClusterVersion | undefined> => {
      if (!options.clusterVersion) return undefined;
      const tuning = options.clusterVersion === true ? {} : options.clusterVersion;
      const started = await startDevClusterVersion(kubeConfig, { dataDir: options.dataDir, tuning, logger });
      stops.push(() => started.stop());
      return started;
    };
    if (options.inProcessOperator === false) {
      const clusterVersion = await startClusterVersion();
      return { api, kubeConfig, cloud, hollowNodes, operator: undefined, clusterVersion, osAgent, stop: stopAll };
    }
    const machineApiStatus = options.clusterVersion ? releaseFollowingReporter(kubeConfig, packageVersion(), logger.child('machine-api-status')) : undefined;

    // The provider gets the cloud's URL directly rather than through LOCAL_CLOUD_ENDPOINT: the environment is
    // shared by everything in this process (tests start several clusters).
    const built = buildMachineApiOperator(kubeConfig, {
      providers: [emulated?.provider ?? createLocalProviderFactory({ endpoint: cloud!.url })],
      metricsPort: options.operatorMetricsPort ?? 0,
      logger: logger.child('machine-api-operator'),
      version: packageVersion(),
      minRequeueAfterMs: options.minRequeueAfterMs,
      ...(machineApiStatus ? { statusReporter: machineApiStatus.reporter } : {}),
    });
    const abort = new AbortController();
    const done = built.manager.start(abort.signal);
    done.catch((err: unknown) => logger.error('Machine API operator failed', { error: errorMessage(err) }));
    const following = machineApiStatus?.run(abort.signal);
    following?.catch((err: unknown) => logger.error('machine-api ClusterOperator reporter failed', { error: errorMessage(err) }));
    stops.push(async () => {
      abort.abort();
      await Promise.allSettled([done, following]);
    });
    await waitFor(() => built.manager.url, { timeoutMs: 5_000, message: 'the operator to serve /metrics' });
    const machineConfigOperator = startMachineConfigOperator(kubeConfig, options, logger);
    stops.push(async () => {
      machineConfigOperator.abort.abort();
      await machineConfigOperator.running.done.catch(() => {});
    });
    const clusterVersion = await startClusterVersion();

    return {
      api,
      kubeConfig,
      cloud,
      hollowNodes,
      operator: { ...built, done },
      clusterVersion,
      osAgent,
      machineConfigOperator: machineConfigOperator.running,
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/**
 * The node side of OS updates: the machine-config operator's namespace, the hollow nodes' OS agent and, without the
 * cluster-version operator (whose payload carries it, create-only), the worker MachineConfigPool.
 */
async function startOsAgent(kc: KubeConfig, nodes: HollowNodeManager, options: DevClusterOptions, logger: Logger): Promise<HollowOsAgent> {
  await ensureNamespace(kc, MACHINE_CONFIG_OPERATOR_NAMESPACE);
  if (!options.clusterVersion) {
    const pool = {
      apiVersion: 'machineconfiguration.openshift.io/v1',
      kind: 'MachineConfigPool',
      metadata: { name: 'worker' },
      spec: { nodeSelector: { matchLabels: { [WORKER_ROLE_LABEL]: '' } }, maxUnavailable: 2 },
    };
    await kubeJson(kc, resourcePath(MACHINE_CONFIG_POOL_RESOURCE, undefined), { method: 'POST', body: pool }).catch((err: unknown) => {
      if (!isAlreadyExists(err)) throw err;
    });
  }
  const agent = new HollowOsAgent(nodes, { ...options.osAgent, logger: logger.child('os-agent') });
  await agent.start(kc);
  return agent;
}

/** The machine-config operator in this process (`--operators in-process`). */
function startMachineConfigOperator(kc: KubeConfig, options: DevClusterOptions, logger: Logger): { running: RunningMachineConfigOperator; abort: AbortController } {
  const built = buildMachineConfigOperator(kc, {
    metricsPort: 0,
    logger: logger.child('machine-config-operator'),
    version: packageVersion(),
    minRequeueAfterMs: options.minRequeueAfterMs,
  });
  const abort = new AbortController();
  const done = built.manager.start(abort.signal);
  done.catch((err: unknown) => logger.error('Machine-config operator failed', { error: errorMessage(err) }));
  return { running: { ...built, done }, abort };
}
