// The update-graph server on its own (README.md in this folder):
//   tsx devcluster/update-graph/main.ts --dir DIR [--port N] [--host H] [--tls-cert FILE --tls-key FILE] [--verbose]
// It logs one JSON line "Serving update graph" with the endpoint URL, then serves until SIGINT or SIGTERM.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { createLogger } from '../../operators/runtime/log.ts';
import { startUpdateGraphServer } from './server.ts';

const USAGE =
  'Usage: tsx devcluster/update-graph/main.ts --dir DIR [--port N] [--host H] [--tls-cert FILE --tls-key FILE] [--verbose]\n';

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      dir: { type: 'string' },
      port: { type: 'string', default: '8080' },
      host: { type: 'string', default: '127.0.0.1' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  if (!values.dir) throw new Error('--dir: required, the directory with releases/ and channels/');
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port: "${values.port}" is not a port number`);
  if ((values['tls-cert'] === undefined) !== (values['tls-key'] === undefined)) throw new Error('--tls-cert and --tls-key: give both or neither');
  const tls =
    values['tls-cert'] && values['tls-key']
      ? { cert: await readFile(values['tls-cert']), key: await readFile(values['tls-key']) }
      : undefined;

  const log = createLogger({ name: 'update-graph', level: values.verbose ? 'debug' : 'info' });
  const server = await startUpdateGraphServer({ dir: values.dir, port, host: values.host, log, ...(tls ? { tls } : {}) });
  log.info('Serving update graph', { url: server.url, dir: values.dir });

  const shutdown = () => {
    log.info('Stopping update graph server');
    server.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n${USAGE}`);
  process.exit(2);
});
