// `npm start`: the local dev cluster in the foreground. Flags:
//   --data-dir DIR   where state, certificates, token and kubeconfig live (default .devcluster)
//   --port N         API server port (default 6443; 0 picks a free one)
//   --ephemeral      keep objects in memory only
//   --insecure-http  plain HTTP without authentication, loopback only (for debugging with curl)
//   --repair-store   move a damaged store tail aside instead of refusing to start
import { parseArgs } from 'node:util';
import { startApiServer } from './apiserver/index.ts';

function parseFlags(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      'data-dir': { type: 'string', default: '.devcluster' },
      port: { type: 'string', default: '6443' },
      ephemeral: { type: 'boolean', default: false },
      'insecure-http': { type: 'boolean', default: false },
      'repair-store': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port: "${values.port}" is not a port number`);
  return { dataDir: values['data-dir'], port, ephemeral: values.ephemeral, insecureHttp: values['insecure-http'], repairStore: values['repair-store'], help: values.help };
}

async function main(): Promise<void> {
  let flags: ReturnType<typeof parseFlags>;
  try {
    flags = parseFlags(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`devcluster: ${(err as Error).message}\nUsage: npm start -- [--data-dir DIR] [--port N] [--ephemeral] [--insecure-http] [--repair-store]\n`);
    process.exit(2);
  }
  if (flags.help) {
    process.stdout.write('Usage: npm start -- [--data-dir DIR] [--port N] [--ephemeral] [--insecure-http] [--repair-store]\n');
    return;
  }
  let server;
  try {
    server = await startApiServer(flags);
  } catch (err) {
    process.stderr.write(`devcluster: cannot start: ${(err as Error).message}\n`);
    process.exit(1);
  }
  process.stdout.write([
    `Dev cluster API server listening on ${server.url}`,
    `Kubeconfig: ${server.kubeconfigPath}`,
    '',
    'Try:',
    `  export KUBECONFIG=${server.kubeconfigPath}`,
    '  kubectl version',
    '  kubectl api-resources',
    '  kubectl create namespace demo',
    '  kubectl get namespaces',
    '',
    'Stop with Ctrl-C.',
    '',
  ].join('\n'));
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`Received ${signal}, stopping\n`);
    server.stop().then(() => process.exit(0), (err: unknown) => {
      process.stderr.write(`devcluster: error while stopping: ${(err as Error).message}\n`);
      process.exit(1);
    });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

await main();
