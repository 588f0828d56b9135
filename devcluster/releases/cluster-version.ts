// The dev cluster's release machinery: the demo releases written once into DATA_DIR/releases, the dev signing key
// trusted through openshift-config-managed/release-verification with a signature ConfigMap per release, the
// update-graph server offering them in channel stable-4, the cluster-version operator installing 4.1.0, and the
// demo operator. The update-graph server listens on a new port at each start, so its URL reaches the CVO as the
// `upstream` override rather than being stored in spec.upstream (which would point at a dead port after a restart).
import type { KubeConfig } from '@kubernetes/client-node';
import { buildClusterVersionOperator, kubeConfigMapReader, type ClusterVersionOperator, type ClusterVersionOperatorOptions } from '../../operators/cluster-version/operator.ts';
import { createPayloadSource } from '../../operators/cluster-version/payload/index.ts';
import { createSignatureVerifier, type ConfigMap } from '../../operators/cluster-version/signatures/index.ts';
import { createUpdateGraphClient } from '../../operators/cluster-version/updates/client.ts';
import { errorMessage, isAlreadyExists } from '../../operators/runtime/errors.ts';
import { kubeJson } from '../../operators/runtime/kube-http.ts';
import type { Logger } from '../../operators/runtime/log.ts';
import { startUpdateGraphServer, type UpdateGraphServer } from '../update-graph/server.ts';
import { DEMO_CHANNEL } from './demo-manifests.ts';
import { ensureDemoReleases, initialReleaseOf, type DemoReleases } from './demo-releases.ts';
import { runDemoOperator } from './release-followers.ts';

/** CVO settings a dev cluster may change (tests shorten the intervals). */
export type ClusterVersionTuning = Omit<ClusterVersionOperatorOptions, 'payloadSource' | 'verifier' | 'updateGraph' | 'initialRelease' | 'channel' | 'upstream' | 'logger'>;

export interface DevClusterVersion {
  readonly releases: DemoReleases;
  readonly updateGraph: UpdateGraphServer;
  readonly operator: ClusterVersionOperator;
  /** Settles once the CVO has stopped; rejects if it failed. */
  readonly done: Promise<void>;
  stop(): Promise<void>;
}

async function ensureNamespace(kc: KubeConfig, name: string): Promise<void> {
  await kubeJson(kc, '/api/v1/namespaces', { method: 'POST', body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name } } }).catch((err: unknown) => {
    if (!isAlreadyExists(err)) throw err;
  });
}

/** Creates or replaces a ConfigMap. */
export async function putConfigMap(kc: KubeConfig, configMap: ConfigMap): Promise<void> {
  const namespace = configMap.metadata?.namespace ?? 'default';
  const collection = `/api/v1/namespaces/${namespace}/configmaps`;
  try {
    await kubeJson(kc, collection, { method: 'POST', body: configMap });
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
    await kubeJson(kc, `${collection}/${configMap.metadata?.name}`, { method: 'PUT', body: configMap });
  }
}

export async function startDevClusterVersion(kc: KubeConfig, options: { dataDir: string; tuning?: ClusterVersionTuning; logger: Logger }): Promise<DevClusterVersion> {
  const { logger } = options;
  const releases = await ensureDemoReleases(options.dataDir);
  await ensureNamespace(kc, 'openshift-config-managed');
  for (const configMap of releases.configMaps) await putConfigMap(kc, configMap);
  const updateGraph = await startUpdateGraphServer({ dir: releases.graphDir, port: 0, host: '127.0.0.1', log: logger.child('update-graph') });

  const operator = buildClusterVersionOperator(kc, {
    // A whole number of ms: the sync worker's default (2 min × [1, 2)) is fractional, and AbortSignal.timeout,
    // which it derives its apply deadline from, refuses fractions (reported to the CVO's owner).
    reconcileIntervalMs: Math.round(120_000 * (1 + Math.random())),
    ...options.tuning,
    payloadSource: createPayloadSource(),
    verifier: createSignatureVerifier({ readConfigMaps: kubeConfigMapReader(kc) }),
    updateGraph: createUpdateGraphClient(),
    initialRelease: initialReleaseOf(releases),
    channel: DEMO_CHANNEL,
    upstream: updateGraph.url,
    logger: logger.child('cluster-version-operator'),
  });
  const abort = new AbortController();
  const done = operator.manager.start(abort.signal);
  done.catch((err: unknown) => logger.error('Cluster-version operator failed', { error: errorMessage(err) }));
  const demo = runDemoOperator(kc, abort.signal, logger.child('demo-operator'));
  demo.catch((err: unknown) => logger.error('Demo operator failed', { error: errorMessage(err) }));
  return {
    releases,
    updateGraph,
    operator,
    done,
    async stop() {
      abort.abort();
      await Promise.allSettled([done, demo]);
      await updateGraph.stop();
    },
  };
}
