// The machine-config operator's command line (`tsx operators/machine-config/main.ts …`, or its Deployment):
//   --kubeconfig PATH      default: in-cluster when KUBERNETES_SERVICE_HOST is set, else $KUBECONFIG or ~/.kube/config
//   --namespace NS         where the osimageurl ConfigMap and the Lease live (default openshift-machine-config-operator)
//   --metrics-port N       /metrics, /healthz, /readyz (default 8082; 0 picks a free port)
//   --metrics-host ADDR    default 127.0.0.1; 0.0.0.0 in a Pod, so the kubelet's probes reach it
//   --leader-elect         compete for the Lease machine-config (run two replicas: exactly one works)
//   --log-level LEVEL      debug, info, warn or error (default info)
// SIGTERM and SIGINT stop the controllers, release the Lease and exit 0. kill -9 is safe too: every decision is
// recomputed from the API state by the next leader (README.md, "Restarts").
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import { MACHINE_CONFIG_OPERATOR_NAMESPACE } from '../api/machineconfiguration-v1.ts';
import { createLogger, type LogLevel } from '../runtime/log.ts';
import { buildMachineConfigOperator } from './operator.ts';

const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];
const USAGE =
  'Usage: operators/machine-config/main.ts [--kubeconfig PATH] [--namespace NS] [--metrics-port N] [--metrics-host ADDR] [--leader-elect] [--log-level LEVEL]\n';

interface Flags {
  readonly kubeconfig: string | undefined;
  readonly namespace: string;
  readonly metricsPort: number;
  readonly metricsHost: string;
  readonly leaderElect: boolean;
  readonly logLevel: LogLevel;
  readonly help: boolean;
}

function parseFlags(argv: string[]): Flags {
  const { values } = parseArgs({
    args: argv,
    options: {
      kubeconfig: { type: 'string' },
      namespace: { type: 'string', default: MACHINE_CONFIG_OPERATOR_NAMESPACE },
      'metrics-port': { type: 'string', default: '8082' },
      'metrics-host': { type: 'string', default: '127.0.0.1' },
      'leader-elect': { type: 'boolean', default: false },
      'log-level': { type: 'string', default: 'info' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  const port = Number(values['metrics-port']);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--metrics-port: "${values['metrics-port']}" must be an integer from 0 to 65535`);
  const logLevel = values['log-level'] as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) throw new Error(`--log-level: "${logLevel}" is not one of ${LOG_LEVELS.join(', ')}`);
  return {
    kubeconfig: values.kubeconfig,
    namespace: values.namespace,
    metricsPort: port,
    metricsHost: values['metrics-host'],
    leaderElect: values['leader-elect'],
    logLevel,
    help: values.help,
  };
}

function loadKubeConfig(path: string | undefined): KubeConfig {
  const kc = new KubeConfig();
  if (path) kc.loadFromFile(path);
  else if (process.env.KUBERNETES_SERVICE_HOST) kc.loadFromCluster();
  else kc.loadFromDefault();
  return kc;
}

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
  return pkg.version ?? 'unknown';
}

async function main(): Promise<void> {
  let flags: Flags;
  try {
    flags = parseFlags(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`machine-config-operator: ${(err as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  if (flags.help) {
    process.stdout.write(USAGE);
    return;
  }
  const logger = createLogger({ name: 'machine-config-operator', level: flags.logLevel });
  const { manager } = buildMachineConfigOperator(loadKubeConfig(flags.kubeconfig), {
    namespace: flags.namespace,
    metricsPort: flags.metricsPort,
    metricsHost: flags.metricsHost,
    leaderElection: flags.leaderElect,
    logger,
    version: packageVersion(),
  });
  const stop = new AbortController();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      logger.info('Stopping', { signal });
      stop.abort();
    });
  }
  try {
    await manager.start(stop.signal);
  } catch (err) {
    logger.error('Operator failed', { error: err });
    process.exit(1);
  }
  logger.info('Stopped');
  process.exit(0);
}

await main();
