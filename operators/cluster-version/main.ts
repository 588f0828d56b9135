// The cluster-version operator's command line (`tsx operators/cluster-version/main.ts …`):
//   --kubeconfig PATH            default: in-cluster when KUBERNETES_SERVICE_HOST is set, else $KUBECONFIG or ~/.kube/config
//   --release-image SPEC         the release to install when the cluster has none: registry/repo@sha256:…, https://…/x.tar
//                                or file:///dir; which payload source loads it follows from its form (payload/source.ts)
//   --release-dir DIR            the same for a payload directory (file://DIR)
//   --release-version V          the version --release-image is expected to be (checked against the payload)
//   --insecure-registry HOST     a registry (host:port) reached over plain HTTP, e.g. the dev cluster's; repeatable
//   --ca-file PATH               PEM CA trusted for registries, tarballs and the update service
//   --upstream URL               update service; overrides spec.upstream
//   --channel NAME               spec.channel of the ClusterVersion created when there is none
//   --enable-auto-update         follow the ClusterVersion's auto-update policy annotation (updates/README.md)
//   --namespace NS               namespace of the leader Lease and the Events (default openshift-cluster-version)
//   --leader-elect               compete for the Lease openshift-cluster-version/version
//   --metrics-port N, --metrics-host ADDR   /metrics, /healthz, /readyz (default 9099 on 127.0.0.1; 0 picks a port)
//   --reconcile-interval-ms N    fixed reconcile interval instead of 2-4 min
//   --log-level LEVEL            debug, info, warn or error (default info)
// SIGTERM and SIGINT stop the worker, release the Lease and exit 0. A restart at any point resumes from the
// ClusterVersion's history (§3.8): kill -9 is safe.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { KubeConfig } from '@kubernetes/client-node';
import { CLUSTER_VERSION_NAMESPACE } from '../api/config-v1.ts';
import { isAlreadyExists } from '../runtime/errors.ts';
import { kubeJson } from '../runtime/kube-http.ts';
import { createLogger } from '../runtime/log.ts';
import { integerFlag, loadKubeConfig, logLevelFlag, operatorOptions, parseCommandLine, runOperator } from '../runtime/operator-cli.ts';
import { kubeConfigMapReader, buildClusterVersionOperator } from './operator.ts';
import { createPayloadSource } from './payload/source.ts';
import { createSignatureVerifier } from './signatures/verifier.ts';
import { createUpdateGraphClient } from './updates/client.ts';

const USAGE =
  'Usage: operators/cluster-version/main.ts [--kubeconfig PATH] [--release-image SPEC | --release-dir DIR] [--release-version V] ' +
  '[--insecure-registry HOST]… [--ca-file PATH] [--upstream URL] [--channel NAME] [--enable-auto-update] [--namespace NS] [--leader-elect] ' +
  '[--metrics-port N] [--metrics-host ADDR] [--reconcile-interval-ms N] [--log-level LEVEL]\n';

function parseFlags(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...operatorOptions({ namespace: CLUSTER_VERSION_NAMESPACE, metricsPort: 9099 }),
      'release-image': { type: 'string' },
      'release-dir': { type: 'string' },
      'release-version': { type: 'string' },
      'insecure-registry': { type: 'string', multiple: true, default: [] },
      'ca-file': { type: 'string' },
      upstream: { type: 'string' },
      channel: { type: 'string' },
      'enable-auto-update': { type: 'boolean', default: false },
      'reconcile-interval-ms': { type: 'string' },
    },
    strict: true,
  });
  if (values['release-image'] && values['release-dir']) throw new Error('--release-image and --release-dir are exclusive');
  const image = values['release-dir'] ? pathToFileURL(resolve(values['release-dir'])).href : values['release-image'];
  const logLevel = logLevelFlag(values['log-level']);
  return {
    kubeconfig: values.kubeconfig,
    initialRelease: image ? { image, ...(values['release-version'] ? { version: values['release-version'] } : {}) } : undefined,
    insecureRegistries: values['insecure-registry'],
    ca: values['ca-file'] ? readFileSync(values['ca-file'], 'utf8') : undefined,
    upstream: values.upstream,
    channel: values.channel,
    autoUpdate: values['enable-auto-update'],
    namespace: values.namespace,
    leaderElect: values['leader-elect'],
    metricsPort: integerFlag('metrics-port', values['metrics-port'], 0, 65535),
    metricsHost: values['metrics-host'],
    reconcileIntervalMs: values['reconcile-interval-ms'] === undefined ? undefined : integerFlag('reconcile-interval-ms', values['reconcile-interval-ms'], 1000, 24 * 3600_000),
    logLevel,
    help: values.help,
  };
}

/** The Lease lives in the operator's namespace, which a fresh cluster may not have yet. */
async function ensureNamespace(kc: KubeConfig, name: string): Promise<void> {
  await kubeJson(kc, '/api/v1/namespaces', { method: 'POST', body: { metadata: { name } } }).catch((err: unknown) => {
    if (!isAlreadyExists(err)) throw err;
  });
}

async function main(): Promise<void> {
  const flags = parseCommandLine('cluster-version-operator', USAGE, parseFlags);
  if (!flags) return;
  const logger = createLogger({ name: 'cluster-version-operator', level: flags.logLevel });
  const kc = loadKubeConfig(flags.kubeconfig);
  const { manager } = buildClusterVersionOperator(kc, {
    payloadSource: createPayloadSource({ ...(flags.ca ? { ca: flags.ca } : {}), insecureRegistries: flags.insecureRegistries }),
    verifier: createSignatureVerifier({ readConfigMaps: kubeConfigMapReader(kc) }),
    updateGraph: createUpdateGraphClient(flags.ca ? { ca: flags.ca } : {}),
    initialRelease: flags.initialRelease,
    channel: flags.channel,
    upstream: flags.upstream,
    autoUpdate: flags.autoUpdate,
    namespace: flags.namespace,
    leaderElection: flags.leaderElect,
    metricsPort: flags.metricsPort,
    metricsHost: flags.metricsHost,
    reconcileIntervalMs: flags.reconcileIntervalMs,
    logger,
  });
  if (flags.leaderElect) await ensureNamespace(kc, flags.namespace);
  await runOperator(manager, { logger });
}

await main();
