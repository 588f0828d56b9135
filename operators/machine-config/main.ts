// The machine-config operator's command line (`tsx operators/machine-config/main.ts …`, or its Deployment):
//   --kubeconfig PATH      default: in-cluster when KUBERNETES_SERVICE_HOST is set, else $KUBECONFIG or ~/.kube/config
//   --namespace NS         where the osimageurl ConfigMap and the Lease live (default openshift-machine-config-operator)
//   --metrics-port N       /metrics, /healthz, /readyz (default 8082; 0 picks a free port)
//   --metrics-host ADDR    default 127.0.0.1; 0.0.0.0 in a Pod, so the kubelet's probes reach it
//   --leader-elect         compete for the Lease machine-config (run two replicas: exactly one works)
//   --log-level LEVEL      debug, info, warn or error (default info)
// SIGTERM and SIGINT stop the controllers, release the Lease and exit 0. kill -9 is safe too: every decision is
// recomputed from the API state by the next leader (README.md, "Restarts").
import { parseArgs } from 'node:util';
import { MACHINE_CONFIG_OPERATOR_NAMESPACE } from '../api/machineconfiguration-v1.ts';
import { createLogger, type LogLevel } from '../runtime/log.ts';
import { integerFlag, loadKubeConfig, logLevelFlag, operatorOptions, packageVersion, parseCommandLine, runOperator } from '../runtime/operator-cli.ts';
import { buildMachineConfigOperator } from './operator.ts';

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
    options: operatorOptions({ namespace: MACHINE_CONFIG_OPERATOR_NAMESPACE, metricsPort: 8082 }),
    strict: true,
  });
  const port = integerFlag('metrics-port', values['metrics-port'], 0, 65535);
  const logLevel = logLevelFlag(values['log-level']);
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

async function main(): Promise<void> {
  const flags = parseCommandLine('machine-config-operator', USAGE, parseFlags);
  if (!flags) return;
  const logger = createLogger({ name: 'machine-config-operator', level: flags.logLevel });
  const { manager } = buildMachineConfigOperator(loadKubeConfig(flags.kubeconfig), {
    namespace: flags.namespace,
    metricsPort: flags.metricsPort,
    metricsHost: flags.metricsHost,
    leaderElection: flags.leaderElect,
    logger,
    version: packageVersion(),
  });
  await runOperator(manager, { logger });
}

await main();
