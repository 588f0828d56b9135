// What the operators' command lines (operators/*/main.ts) have in common: the flags every operator takes
// (--kubeconfig, --namespace, --metrics-port, --metrics-host, --leader-elect, --log-level, --help), where the
// kubeconfig comes from, and running the manager until SIGTERM/SIGINT. Each main.ts keeps its own flags and the
// order in which it checks them, so its messages stay its own.
import { readFileSync } from 'node:fs';
import type { ParseArgsOptionsConfig } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import type { Logger, LogLevel } from './log.ts';
import type { Manager } from './manager.ts';

const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

/** The parseArgs options every operator takes; spread them into the operator's own. */
export function operatorOptions(defaults: { readonly namespace: string; readonly metricsPort: number }) {
  return {
    kubeconfig: { type: 'string' },
    namespace: { type: 'string', default: defaults.namespace },
    'metrics-port': { type: 'string', default: String(defaults.metricsPort) },
    // 127.0.0.1: metrics are scraped through a proxy; a Pod passes 0.0.0.0 so the kubelet's probes reach it.
    'metrics-host': { type: 'string', default: '127.0.0.1' },
    'leader-elect': { type: 'boolean', default: false },
    'log-level': { type: 'string', default: 'info' },
    help: { type: 'boolean', short: 'h', default: false },
  } as const satisfies ParseArgsOptionsConfig;
}

/** The value of an integer flag within [min, max]; throws the message the command prints otherwise. */
export function integerFlag(flag: string, raw: string, min: number, max: number): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${flag}: "${raw}" must be an integer from ${min} to ${max}`);
  return n;
}

/** The value of --log-level; throws the message the command prints when it is not a level. */
export function logLevelFlag(raw: string): LogLevel {
  const level = raw as LogLevel;
  if (!LOG_LEVELS.includes(level)) throw new Error(`--log-level: "${raw}" is not one of ${LOG_LEVELS.join(', ')}`);
  return level;
}

/**
 * The command's flags, or undefined when --help asked for the usage (printed here). A flag error prints
 * `<command>: <message>` and the usage on stderr and exits 2, the convention of Go's flag package.
 */
export function parseCommandLine<F extends { readonly help: boolean }>(command: string, usage: string, parse: (argv: string[]) => F): F | undefined {
  let flags: F;
  try {
    flags = parse(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${command}: ${(err as Error).message}\n${usage}`);
    process.exit(2);
  }
  if (flags.help) {
    process.stdout.write(usage);
    return undefined;
  }
  return flags;
}

/** --kubeconfig PATH when given; else in-cluster when KUBERNETES_SERVICE_HOST is set; else $KUBECONFIG or ~/.kube/config. */
export function loadKubeConfig(path?: string): KubeConfig {
  const kc = new KubeConfig();
  if (path) kc.loadFromFile(path);
  else if (process.env.KUBERNETES_SERVICE_HOST) kc.loadFromCluster();
  else kc.loadFromDefault();
  return kc;
}

/** The version in this repository's package.json, "unknown" when it has none. */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
  return pkg.version ?? 'unknown';
}

/**
 * Runs the manager until SIGINT or SIGTERM, then exits 0 once it has stopped (the controllers are done and the
 * Lease released, so a standby takes over at once); a manager that fails exits 1.
 */
export async function runOperator(manager: Pick<Manager, 'start'>, options: { readonly logger: Logger }): Promise<never> {
  const { logger } = options;
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
