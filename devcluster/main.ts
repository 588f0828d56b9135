// `npm start`: the local dev cluster in the foreground. Flags:
//   --data-dir DIR   where state, certificates, token and kubeconfig live (default .devcluster)
//   --port N         API server port (default 6443; 0 picks a free one)
//   --ephemeral      keep objects in memory only
//   --insecure-http  plain HTTP without authentication, loopback only (for debugging with curl)
//   --repair-store   move a damaged store tail aside instead of refusing to start
//   --operators MODE in-process (default): the local cloud, a hollow kubelet per instance and the Machine API
//                    operator with the local provider (cluster.ts), so MachineSets turn into Machines, instances
//                    and Nodes; external: the same without the operator, which then runs as its own process
//                    (operators/machine-api/main.ts, so it can be killed and restarted alone); none: the API
//                    server alone, no CRDs either. The machine-config operator follows the same mode (external:
//                    operators/machine-config/main.ts); the hollow nodes' OS agent runs with the hollow kubelets
//   --no-operators   the same as --operators none
//   --no-cluster-version  without the release machinery that otherwise runs with the operators: demo releases
//                    4.1.0/4.2.0/4.3.0 in DATA_DIR/releases (signed with a dev key the cluster trusts), the
//                    update-graph server (channel stable-4), the cluster-version operator installing 4.1.0 and the
//                    demo operator (releases/cluster-version.ts); the upgrade commands are printed
//   --cloud NAME     where Machines run: local (default: the local cloud), or an emulated aws (moto_server, which
//                    must be on PATH, behind the EC2 fault proxy), gcp or azure (wire fakes in this process). The
//                    emulators are the test fakes (test/e2e/clouds/emulators.ts), loaded only for this flag; they
//                    keep nothing across restarts. The credentials Secrets are created and an example MachineSet is
//                    written to the data dir; the endpoints are printed.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createLogger } from '../operators/runtime/log.ts';
import type { EmulatedCloud } from '../test/e2e/clouds/emulators.ts';
import { startDevCluster, type DevClusterHandle } from './cluster.ts';

const USAGE = 'Usage: npm start -- [--data-dir DIR] [--port N] [--ephemeral] [--insecure-http] [--repair-store] [--no-operators] [--operators in-process|external|none] [--no-cluster-version] [--cloud local|aws|gcp|azure]\n';

/** The web console's bundle (`npm run build:console`, which `npm start` runs first), served at /console/. */
const CONSOLE_DIR = join(import.meta.dirname, '..', 'console', 'dist');

const OPERATOR_MODES: readonly string[] = ['in-process', 'external', 'none'];
const CLOUDS = ['local', 'aws', 'gcp', 'azure'] as const;

function parseFlags(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      'data-dir': { type: 'string', default: '.devcluster' },
      port: { type: 'string', default: '6443' },
      ephemeral: { type: 'boolean', default: false },
      'insecure-http': { type: 'boolean', default: false },
      'repair-store': { type: 'boolean', default: false },
      'no-operators': { type: 'boolean', default: false },
      'no-cluster-version': { type: 'boolean', default: false },
      operators: { type: 'string', default: 'in-process' },
      cloud: { type: 'string', default: 'local' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port: "${values.port}" is not a port number`);
  const mode = values['no-operators'] ? 'none' : values.operators;
  if (!OPERATOR_MODES.includes(mode)) throw new Error(`--operators: "${mode}" is not one of ${OPERATOR_MODES.join(', ')}`);
  const cloud = CLOUDS.find((c) => c === values.cloud);
  if (!cloud) throw new Error(`--cloud: "${values.cloud}" is not one of ${CLOUDS.join(', ')}`);
  if (cloud !== 'local' && mode === 'none') throw new Error(`--cloud ${cloud} needs the Machine API (--operators in-process or external)`);
  return {
    dataDir: values['data-dir'], port, ephemeral: values.ephemeral, insecureHttp: values['insecure-http'], repairStore: values['repair-store'],
    operators: mode !== 'none', inProcessOperator: mode === 'in-process', cloudName: cloud, help: values.help,
    clusterVersion: mode !== 'none' && !values['no-cluster-version'],
  };
}

async function main(): Promise<void> {
  let flags: ReturnType<typeof parseFlags>;
  try {
    flags = parseFlags(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`devcluster: ${(err as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  if (flags.help) {
    process.stdout.write(USAGE);
    return;
  }
  // The components log JSON lines to stderr, like the API server, so stdout stays the instructions below.
  const logger = createLogger({ sink: (line) => process.stderr.write(`${line}\n`) });
  let cluster: DevClusterHandle;
  let emulated: EmulatedCloud | undefined;
  let cloudLines: string[] = [];
  // Signals can arrive while the cluster is still starting (/readyz answers as soon as the API server listens):
  // remember them and stop cleanly once startup is done, instead of dying half-started on the default handler.
  let pendingSignal: string | undefined;
  let onSignal = (signal: string): void => {
    pendingSignal ??= signal;
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  try {
    const { cloudName, ...options } = flags;
    const emulators = cloudName === 'local' ? undefined : await import('../test/e2e/clouds/emulators.ts');
    emulated = await emulators?.startEmulatedCloud(cloudName as EmulatedCloud['name']);
    cluster = await startDevCluster({ ...options, emulatedCloud: emulated, logger, consoleDir: CONSOLE_DIR });
    if (emulators && emulated) {
      cloudLines = await emulators.prepareDevClusterCloud(emulated, cluster.kubeConfig, { dataDir: flags.dataDir, kubeconfigPath: cluster.api.kubeconfigPath, externalOperator: !flags.inProcessOperator });
    }
  } catch (err) {
    await emulated?.stop();
    process.stderr.write(`devcluster: cannot start: ${(err as Error).message}\n`);
    process.exit(1);
  }
  const server = cluster.api;
  const lines = [`Dev cluster API server listening on ${server.url}`, `Kubeconfig: ${server.kubeconfigPath}`];
  // The token rides in the fragment, which browsers never send to a server; the page moves it into sessionStorage
  // and strips it from the address bar (console/src/auth.ts). The browser must trust the dev CA (ca.crt in the data dir).
  lines.push(existsSync(join(CONSOLE_DIR, 'index.html'))
    ? `Console: ${server.url}/console/${server.token ? `#token=${encodeURIComponent(server.token)}` : ''}`
    : 'Console: not built (npm run build:console)');
  if (emulated) {
    if (cluster.operator) lines.push(`Machine API operator metrics: ${cluster.operator.manager.url}/metrics`);
    lines.push('', ...cloudLines);
  } else if (cluster.cloud) {
    lines.push(`Local cloud: ${cluster.cloud.url}`);
    if (cluster.operator) lines.push(`Machine API operator metrics: ${cluster.operator.manager.url}/metrics`);
    else lines.push('', 'Start the Machine API operator:', `  LOCAL_CLOUD_ENDPOINT=${cluster.cloud.url} npm run operator:machine-api -- --kubeconfig ${server.kubeconfigPath} --metrics-port 0`);
    if (cluster.machineConfigOperator) lines.push(`Machine-config operator metrics: ${cluster.machineConfigOperator.manager.url}/metrics`);
    else lines.push('Start the machine-config operator (node OS rollout):', `  npm run operator:machine-config -- --kubeconfig ${server.kubeconfigPath} --metrics-port 0`);
    lines.push(
      '',
      'Try:',
      `  export KUBECONFIG=${server.kubeconfigPath}`,
      '  kubectl apply -f examples/local/machineset.yaml',
      '  kubectl get machinesets,machines -n openshift-machine-api -o wide',
      '  kubectl get nodes',
      '  kubectl scale machineset local-worker -n openshift-machine-api --replicas=5',
    );
  } else {
    lines.push(
      '',
      'Try:',
      `  export KUBECONFIG=${server.kubeconfigPath}`,
      '  kubectl version',
      '  kubectl api-resources',
      '  kubectl create namespace demo',
      '  kubectl get namespaces',
    );
  }
  if (cluster.clusterVersion) {
    const { releases, updateGraph } = cluster.clusterVersion;
    lines.push(
      '',
      `Releases ${releases.releases.map((r) => r.version).join(', ')} (channel stable-4) in ${releases.dir}, update graph at ${updateGraph.url}`,
      'Upgrade the cluster:',
      `  export KUBECONFIG=${server.kubeconfigPath}`,
      '  kubectl get clusterversion',
      `  kubectl patch clusterversion version --type merge -p '{"spec":{"desiredUpdate":{"version":"4.2.0"}}}'`,
      '  kubectl get clusterversion,clusteroperators',
      '  kubectl get machineconfigpools,nodes -o wide     (the nodes roll to the new OS, maxUnavailable at a time)',
      `  npm run upgrade -- --to 4.3.0 --watch     (once 4.2.0 is Completed; or --to 4.2.0 instead of the patch)`,
    );
  }
  process.stdout.write([...lines, '', 'Stop with Ctrl-C.', ''].join('\n'));
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`Received ${signal}, stopping\n`);
    cluster.stop().then(() => emulated?.stop()).then(() => process.exit(0), (err: unknown) => {
      process.stderr.write(`devcluster: error while stopping: ${(err as Error).message}\n`);
      process.exit(1);
    });
  };
  onSignal = stop;
  if (pendingSignal) stop(pendingSignal);
}

await main();
