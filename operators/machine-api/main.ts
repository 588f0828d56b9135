// The Machine API operator's command line (`npm run operator:machine-api -- …`, or the Deployment in manifests/):
//   --kubeconfig PATH          default: in-cluster when KUBERNETES_SERVICE_HOST is set, else $KUBECONFIG or ~/.kube/config
//   --namespace NS             default openshift-machine-api
//   --metrics-port N           /metrics, /healthz, /readyz (default 8081; 0 picks a free port)
//   --metrics-host ADDR        default 127.0.0.1; 0.0.0.0 in a Pod, so the kubelet's probes reach it
//   --leader-elect             compete for the Lease machine-api-operator (run two replicas: exactly one works)
//   --providers LIST           enabled providers, comma-separated (default local)
//   --machine-concurrency N    Machines reconciled at once
//   --log-level LEVEL          debug, info, warn or error (default info)
//   --release-version V        the release this operator belongs to (default $RELEASE_VERSION): when set, it reports
//                              ClusterOperator machine-api at this version, which the cluster-version operator waits on
// SIGTERM and SIGINT stop the controllers, release the Lease (the standby takes over at once) and exit 0.
import { parseArgs } from 'node:util';
import { MACHINE_API_NAMESPACE } from '../api/machine-v1beta1.ts';
import { createLogger, type LogLevel } from '../runtime/log.ts';
import { integerFlag, loadKubeConfig, logLevelFlag, operatorOptions, packageVersion, parseCommandLine, runOperator } from '../runtime/operator-cli.ts';
import { buildMachineApiOperator } from './operator.ts';
import type { ProviderFactory } from './providers/actuator.ts';

/**
 * The providers this build can enable, by --providers name. Each is imported only when enabled: the cloud SDKs
 * are most of the process's memory (about 80 MiB of module source for AWS, GCP and Azure together), and an operator
 * serves one cloud.
 */
const PROVIDERS: Readonly<Record<string, () => Promise<ProviderFactory>>> = {
  local: async () => (await import('./providers/local/index.ts')).localProviderFactory,
  aws: async () => (await import('./providers/aws/index.ts')).awsProviderFactory,
  gcp: async () => (await import('./providers/gcp/index.ts')).gcpProviderFactory,
  azure: async () => (await import('./providers/azure/index.ts')).azureProviderFactory,
};
const USAGE =
  'Usage: operators/machine-api/main.ts [--kubeconfig PATH] [--namespace NS] [--metrics-port N] [--metrics-host ADDR] [--leader-elect] [--providers local,aws,gcp,azure] [--machine-concurrency N] [--log-level LEVEL] [--release-version V]\n';

interface Flags {
  readonly kubeconfig: string | undefined;
  readonly namespace: string;
  readonly metricsPort: number;
  readonly metricsHost: string;
  readonly leaderElect: boolean;
  /** Names of the enabled providers, keys of PROVIDERS. */
  readonly providers: string[];
  readonly machineConcurrency: number | undefined;
  readonly logLevel: LogLevel;
  readonly releaseVersion: string | undefined;
  readonly help: boolean;
}

function parseFlags(argv: string[]): Flags {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...operatorOptions({ namespace: MACHINE_API_NAMESPACE, metricsPort: 8081 }),
      providers: { type: 'string', default: 'local' },
      'machine-concurrency': { type: 'string' },
      'release-version': { type: 'string' },
    },
    strict: true,
  });
  const providers = values.providers
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '')
    .map((name) => {
      if (!Object.hasOwn(PROVIDERS, name)) throw new Error(`--providers: unknown provider "${name}" (available: ${Object.keys(PROVIDERS).join(', ')})`);
      return name;
    });
  if (providers.length === 0) throw new Error('--providers: at least one provider is required');
  const logLevel = logLevelFlag(values['log-level']);
  return {
    kubeconfig: values.kubeconfig,
    namespace: values.namespace,
    metricsPort: integerFlag('metrics-port', values['metrics-port'], 0, 65535),
    metricsHost: values['metrics-host'],
    leaderElect: values['leader-elect'],
    providers,
    machineConcurrency: values['machine-concurrency'] === undefined ? undefined : integerFlag('machine-concurrency', values['machine-concurrency'], 1, 1000),
    logLevel,
    releaseVersion: values['release-version'] ?? process.env.RELEASE_VERSION,
    help: values.help,
  };
}

async function main(): Promise<void> {
  const flags = parseCommandLine('machine-api-operator', USAGE, parseFlags);
  if (!flags) return;
  const logger = createLogger({ name: 'machine-api-operator', level: flags.logLevel });
  const providers = await Promise.all(flags.providers.map((name) => PROVIDERS[name]()));
  const { manager } = buildMachineApiOperator(loadKubeConfig(flags.kubeconfig), {
    namespace: flags.namespace,
    providers,
    metricsPort: flags.metricsPort,
    metricsHost: flags.metricsHost,
    leaderElection: flags.leaderElect,
    concurrency: { machine: flags.machineConcurrency },
    logger,
    version: packageVersion(),
    releaseVersion: flags.releaseVersion,
  });
  await runOperator(manager, { logger });
}

await main();
