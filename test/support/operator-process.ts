// The Machine API operator as its own process (operators/machine-api/main.ts, as `npm run operator:machine-api`
// runs it), against a dev cluster started with `--operators external`: tests kill it (even with SIGKILL) and start
// it again to check that it picks up where the dead one left off.
import { spawn } from 'node:child_process';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from '../../operators/runtime/wait.ts';
import { collect, type Exit } from './dev-cluster-process.ts';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** One line of the operator's JSON log (operators/runtime/log.ts). */
export interface OperatorLogLine {
  readonly ts: string;
  readonly level: string;
  readonly msg: string;
  readonly logger?: string;
  readonly [field: string]: unknown;
}

export interface OperatorProcess {
  readonly pid: number;
  /** Base URL of /metrics, /healthz and /readyz. */
  readonly url: string;
  /** The log lines printed so far (stdout); anything else it printed goes to stderr(). */
  logs(): OperatorLogLine[];
  stderr(): string;
  readonly exited: Promise<Exit>;
  /** Sends `signal` (default SIGTERM) and resolves with how it exited. */
  stop(signal?: NodeJS.Signals): Promise<Exit>;
}

export interface OperatorProcessOptions {
  readonly kubeconfigPath: string;
  /** The local cloud's URL, passed as LOCAL_CLOUD_ENDPOINT. */
  readonly localCloudEndpoint: string;
  /** More flags for main.ts. */
  readonly args?: readonly string[];
  /** How long to wait for /readyz. Default 15 s. */
  readonly timeoutMs?: number;
}

function parseLogLines(text: string): OperatorLogLine[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as OperatorLogLine];
      } catch {
        return []; // a line cut short by SIGKILL
      }
    });
}

/**
 * Starts the operator with the local provider and a free metrics port, in one node process (`node --import tsx`,
 * no tsx launcher in between, so a SIGKILL hits the operator itself), and resolves once /readyz answers 200:
 * its caches are synced and its controllers run.
 */
export async function spawnMachineApiOperator(options: OperatorProcessOptions): Promise<OperatorProcess> {
  const args = ['--import', 'tsx', 'operators/machine-api/main.ts', '--kubeconfig', options.kubeconfigPath, '--providers', 'local', '--metrics-port', '0', ...(options.args ?? [])];
  const env = { ...process.env, LOCAL_CLOUD_ENDPOINT: options.localCloudEndpoint, PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}` };
  const child = spawn(process.execPath, args, { cwd: REPO_ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
  const output = collect(child);
  let exit: Exit | undefined;
  void output.exited.then((e) => (exit = e));
  const logs = () => parseLogLines(output.stdout());
  const stop = (signal: NodeJS.Signals = 'SIGTERM') => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    return output.exited;
  };
  let url: string;
  try {
    url = await waitFor(() => {
      if (exit) throw new Error(`exited (${exit.code ?? exit.signal}) before serving /metrics`);
      const serving = logs().find((l) => l.msg === 'Serving metrics and health probes');
      return typeof serving?.url === 'string' ? serving.url : undefined;
    }, { timeoutMs: options.timeoutMs ?? 15_000, intervalMs: 50, message: 'the operator to serve /metrics' });
    await waitFor(async () => (await fetch(`${url}/readyz`)).status === 200, { timeoutMs: options.timeoutMs ?? 15_000, intervalMs: 50, message: 'the operator to be ready' });
  } catch (err) {
    await stop('SIGKILL');
    throw new Error(`machine-api operator: ${(err as Error).message}\nstdout: ${output.stdout()}\nstderr: ${output.stderr()}`, { cause: err });
  }
  return { pid: child.pid ?? -1, url, logs, stderr: output.stderr, exited: output.exited, stop };
}
