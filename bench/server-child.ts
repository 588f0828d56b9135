// Starts bench/fixtures/server-process.ts as a child process and measures it from outside: resident memory
// from /proc/<pid>/status and CPU time from /proc/<pid>/stat (cpu.ts), so that the load generator's own use
// is not counted.
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { MemoryReport, ServerCommand, ServerReady } from './fixtures/server-process.ts';
import { processCpuSeconds } from './cpu.ts';
import type { Endpoint } from './http-client.ts';

const FIXTURE = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'server-process.ts');

export interface ServerChildOptions {
  readonly ephemeral: boolean;
  readonly fsync?: 'always' | 'never';
  /** Write a V8 CPU profile of the server into this directory when it stops. */
  readonly cpuProfileDir?: string;
}

export interface ServerMemory {
  /** VmRSS of the server process, bytes. */
  readonly rss: number;
  readonly heapUsed: number;
  /** Memory outside the V8 heap held by JS objects (Buffers, ArrayBuffers). */
  readonly external: number;
}

export class ServerChild {
  readonly endpoint: Endpoint;
  readonly #child: ChildProcess;
  readonly #dataDir: string;

  private constructor(child: ChildProcess, endpoint: Endpoint, dataDir: string) {
    this.#child = child;
    this.endpoint = endpoint;
    this.#dataDir = dataDir;
  }

  static async start(options: ServerChildOptions): Promise<ServerChild> {
    // The data dir sits on the same disk as the project, so fsync costs what it costs in real use.
    const dataDir = mkdtempSync(join(tmpdir(), 'apiserver-bench-'));
    const args = ['--data-dir', dataDir, ...(options.ephemeral ? ['--ephemeral'] : []), ...(options.fsync ? ['--fsync', options.fsync] : [])];
    // Node 24 runs the erasable TypeScript directly, so profiles point at the real source lines.
    const execArgv = ['--expose-gc', ...(options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : [])];
    const child = fork(FIXTURE, args, { execArgv, stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
    const lines = createInterface({ input: child.stdout! });
    const ready = await new Promise<ServerReady>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`bench server exited with ${code} before it was ready`)));
      lines.once('line', (line) => resolve(JSON.parse(line) as ServerReady));
    });
    child.removeAllListeners('exit');
    return new ServerChild(child, ready, dataDir);
  }

  get pid(): number {
    return this.#child.pid!;
  }

  /** User plus system CPU time the server process has used so far, in seconds. */
  cpuSeconds(): number {
    return processCpuSeconds(this.pid);
  }

  /** Collects garbage in the server, lets it settle, then reads its resident set size. */
  async memory(settleMs: number): Promise<ServerMemory> {
    await new Promise((resolve) => setTimeout(resolve, settleMs));
    const report = await this.#ask({ op: 'memory' });
    const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
    const kib = /^VmRSS:\s+(\d+) kB$/m.exec(status);
    return { rss: kib ? Number(kib[1]) * 1024 : report.rss, heapUsed: report.heapUsed, external: report.external };
  }

  async stop(): Promise<void> {
    const exited = new Promise<void>((resolve) => this.#child.once('exit', () => resolve()));
    this.#send({ op: 'stop' });
    await exited;
    rmSync(this.#dataDir, { recursive: true, force: true });
  }

  #ask(command: ServerCommand): Promise<MemoryReport> {
    return new Promise((resolve) => {
      this.#child.once('message', (message) => resolve(message as MemoryReport));
      this.#send(command);
    });
  }

  #send(command: ServerCommand): void {
    this.#child.send(command);
  }
}
