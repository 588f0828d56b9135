// The two children of the Machine API bench, measured from outside through /proc: the dev cluster without its
// operator (cluster-process.ts) and the operator as it ships (operators/machine-api/main.ts, with the request
// counter preloaded). Separate processes, so the operator's CPU and memory are its own.
import { fork, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { processCpuSeconds } from '../cpu.ts';
import type { ClusterCommand, ClusterReady } from './cluster-process.ts';
import type { CounterCommand, RequestReport } from './request-counter.ts';

const here = dirname(fileURLToPath(import.meta.url));
const CLUSTER_FIXTURE = join(here, 'cluster-process.ts');
const REQUEST_COUNTER = pathToFileURL(join(here, 'request-counter.ts')).href;
const OPERATOR_MAIN = join(here, '..', '..', 'operators', 'machine-api', 'main.ts');

/** A field of /proc/<pid>/status in bytes, e.g. VmRSS (resident now) or VmHWM (peak resident). */
export function procStatusBytes(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`/proc/${pid}/status has no ${field}`);
  return Number(match[1]) * 1024;
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

/** A child process measured through /proc. */
abstract class MeasuredChild {
  protected readonly child: ChildProcess;

  protected constructor(child: ChildProcess) {
    this.child = child;
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** User plus system CPU seconds used so far. */
  cpuSeconds(): number {
    return processCpuSeconds(this.pid);
  }

  rssBytes(): number {
    return procStatusBytes(this.pid, 'VmRSS');
  }

  peakRssBytes(): number {
    return procStatusBytes(this.pid, 'VmHWM');
  }
}

export class ClusterChild extends MeasuredChild {
  readonly ready: ClusterReady;
  readonly #dataDir: string;

  private constructor(child: ChildProcess, ready: ClusterReady, dataDir: string) {
    super(child);
    this.ready = ready;
    this.#dataDir = dataDir;
  }

  /** `cpuProfileDir`: write a V8 CPU profile of the cluster process into this directory when it stops. */
  static async start(leaseRenewSeconds: number, cpuProfileDir?: string): Promise<ClusterChild> {
    const dataDir = mkdtempSync(join(tmpdir(), 'machine-api-bench-'));
    // No tsx: Node 24 runs the erasable TypeScript itself, so a --cpu-prof would point at the source lines.
    const child = fork(CLUSTER_FIXTURE, ['--data-dir', dataDir, '--lease-renew-seconds', String(leaseRenewSeconds)], {
      execArgv: cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfileDir}`] : [],
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    });
    const lines = createInterface({ input: child.stdout! });
    try {
      const ready = await new Promise<ClusterReady>((resolve, reject) => {
        child.once('exit', (code) => reject(new Error(`bench cluster exited with ${code} before it was ready`)));
        lines.once('line', (line) => resolve(JSON.parse(line) as ClusterReady));
      });
      child.removeAllListeners('exit');
      return new ClusterChild(child, ready, dataDir);
    } catch (err) {
      rmSync(dataDir, { recursive: true, force: true });
      throw err;
    }
  }

  async stop(): Promise<void> {
    const done = exited(this.child);
    this.child.send({ op: 'stop' } satisfies ClusterCommand);
    await done;
    rmSync(this.#dataDir, { recursive: true, force: true });
  }
}

export interface OperatorChildOptions {
  readonly cluster: ClusterReady;
  /** Write a V8 CPU profile of the operator into this directory when it stops. */
  readonly cpuProfileDir?: string;
}

/** The Machine API operator's own command line, with its default flags but for a free metrics port. */
export class OperatorChild extends MeasuredChild {
  /** The operator's log (JSON lines, level info, as it runs by default). */
  readonly logPath: string;
  readonly #logDir: string;

  private constructor(child: ChildProcess, logDir: string) {
    super(child);
    this.#logDir = logDir;
    this.logPath = join(logDir, 'operator.log');
  }

  static start(options: OperatorChildOptions): OperatorChild {
    const logDir = mkdtempSync(join(tmpdir(), 'machine-api-bench-operator-'));
    const log = openSync(join(logDir, 'operator.log'), 'w');
    const execArgv = ['--import', REQUEST_COUNTER, ...(options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : [])];
    const child = fork(OPERATOR_MAIN, ['--kubeconfig', options.cluster.kubeconfigPath, '--metrics-port', '0'], {
      execArgv,
      env: { ...process.env, LOCAL_CLOUD_ENDPOINT: options.cluster.cloudUrl, BENCH_API_ORIGIN: new URL(options.cluster.url).origin },
      stdio: ['ignore', log, log, 'ipc'],
    });
    closeSync(log);
    return new OperatorChild(child, logDir);
  }

  /** The requests the operator has sent so far. */
  requests(): Promise<RequestReport> {
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`the operator exited with ${code}; see ${this.logPath}`));
      this.child.once('exit', onExit);
      this.child.once('message', (message) => {
        this.child.off('exit', onExit);
        resolve(message as RequestReport);
      });
      this.child.send({ op: 'requests' } satisfies CounterCommand);
    });
  }

  /** SIGTERM, as a Deployment stops it: the operator stops its controllers and exits 0 (and writes its profile). */
  async stop(options: { readonly keepLog: boolean }): Promise<void> {
    const done = exited(this.child);
    this.child.kill('SIGTERM');
    await done;
    if (!options.keepLog) rmSync(this.#logDir, { recursive: true, force: true });
  }
}
