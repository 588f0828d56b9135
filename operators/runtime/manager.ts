// The process shell, after controller-runtime pkg/manager: every component is a Runnable. Caches and
// the HTTP endpoints (/metrics, /healthz, /readyz) run on every replica; runnables that need the lease
// (controllers) start once it is won. Losing the lease exits the process, so two leaders never write at
// once; a clean shutdown stops the controllers first, then releases the lease for a fast takeover.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { errorMessage } from './errors.ts';
import type { LeaderElector } from './leader-election.ts';
import { listen } from './listen.ts';
import { discardLogger, type Logger } from './log.ts';

export interface Runnable {
  readonly name: string;
  /** True: start only on the replica holding the lease. */
  readonly needsLeader: boolean;
  /** Runs until `signal` aborts, then resolves once stopped. A rejection stops the whole manager. */
  start(signal: AbortSignal): Promise<void>;
  /** Readiness (e.g. a cache has synced); /readyz fails until every runnable that has it says true. */
  isReady?(): boolean;
}

export type Check = () => boolean | Promise<boolean>;

export interface ManagerOptions {
  readonly logger?: Logger;
  /** Where /metrics reads from. Default: a new Registry. */
  readonly registry?: Registry;
  /** HTTP port for /metrics, /healthz and /readyz; 0 picks a free one; unset: no server. */
  readonly port?: number;
  /** Default 127.0.0.1: metrics are scraped through a proxy (kube-rbac-proxy in MAO). */
  readonly host?: string;
  /** Without one, this replica always leads (single-replica deployments and tests). */
  readonly leaderElector?: LeaderElector;
  /** Called when the lease is lost while running. Default: exit the process with status 1. */
  readonly onLeadershipLost?: () => void;
}

export class Manager {
  readonly registry: Registry;
  readonly #options: ManagerOptions;
  readonly #log: Logger;
  readonly #runnables: Runnable[] = [];
  readonly #healthChecks = new Map<string, Check>();
  readonly #readyChecks = new Map<string, Check>();
  #server: Server | undefined;
  #leading = false;

  constructor(options: ManagerOptions = {}) {
    this.#options = options;
    this.registry = options.registry ?? new Registry();
    this.#log = (options.logger ?? discardLogger).child('manager');
  }

  add(runnable: Runnable): void {
    this.#runnables.push(runnable);
  }

  addHealthCheck(name: string, check: Check): void {
    this.#healthChecks.set(name, check);
  }

  addReadyCheck(name: string, check: Check): void {
    this.#readyChecks.set(name, check);
  }

  /** Base URL of the HTTP server once started, e.g. "http://127.0.0.1:8081". */
  get url(): string | undefined {
    const address = this.#server?.address() as AddressInfo | null | undefined;
    return address ? `http://${address.address}:${address.port}` : undefined;
  }

  /** True while this replica runs the leader runnables. */
  get leading(): boolean {
    return this.#leading;
  }

  /** Runs everything until `signal` aborts (resolves) or a runnable fails (rejects, after stopping the rest). */
  async start(signal: AbortSignal): Promise<void> {
    const stopAll = new AbortController();
    const onAbort = () => stopAll.abort(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    let failure: unknown;
    const fail = (name: string) => (err: unknown) => {
      if (failure === undefined) failure = err;
      this.#log.error('Runnable failed', { runnable: name, error: errorMessage(err) });
      stopAll.abort(err);
    };
    const runAll = (runnables: Runnable[], runSignal: AbortSignal) =>
      Promise.all(runnables.map((r) => r.start(runSignal).catch(fail(r.name))));

    try {
      if (this.#options.port !== undefined) await this.#listen(this.#options.port, this.#options.host ?? '127.0.0.1');
      const everywhere = runAll(this.#runnables.filter((r) => !r.needsLeader), stopAll.signal);
      const leaderOnly = this.#runnables.filter((r) => r.needsLeader);
      const lead = async (leaderSignal: AbortSignal) => {
        this.#leading = true;
        try {
          await runAll(leaderOnly, AbortSignal.any([stopAll.signal, leaderSignal]));
        } finally {
          this.#leading = false;
        }
      };
      const elector = this.#options.leaderElector;
      const leadership = elector
        ? elector.run(stopAll.signal, lead).then((end) => {
            if (end === 'lost' && !stopAll.signal.aborted) this.#leadershipLost();
          })
        : lead(new AbortController().signal);
      await Promise.all([everywhere, leadership.catch(fail('leader-election'))]);
    } finally {
      signal.removeEventListener('abort', onAbort);
      stopAll.abort();
      await this.#close();
    }
    if (failure !== undefined) throw failure;
  }

  #leadershipLost(): void {
    this.#log.error('Leader lease lost, exiting');
    (this.#options.onLeadershipLost ?? (() => process.exit(1)))();
  }

  async #listen(port: number, host: string): Promise<void> {
    const server = createServer((req, res) => {
      void this.#serve(req.url ?? '/').then(
        ({ status, contentType, body }) => {
          res.writeHead(status, { 'Content-Type': contentType });
          res.end(body);
        },
        (err: unknown) => {
          res.writeHead(500, { 'Content-Type': 'text/plain' });
          res.end(errorMessage(err));
        },
      );
    });
    await listen(server, port, host);
    this.#server = server;
    this.#log.info('Serving metrics and health probes', { url: this.url });
  }

  async #serve(url: string): Promise<{ status: number; contentType: string; body: string }> {
    const path = new URL(url, 'http://localhost').pathname;
    switch (path) {
      case '/metrics':
        return { status: 200, contentType: this.registry.contentType, body: await this.registry.metrics() };
      case '/healthz':
        return probe(this.#healthChecks);
      case '/readyz': {
        const checks = new Map(this.#readyChecks);
        for (const r of this.#runnables) {
          if (r.isReady) checks.set(r.name, () => r.isReady!());
        }
        return probe(checks);
      }
      default:
        return { status: 404, contentType: 'text/plain', body: 'not found\n' };
    }
  }

  async #close(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

// The kube-apiserver probe format: one "[+]name ok" / "[-]name failed" line per check, then the verdict.
async function probe(checks: ReadonlyMap<string, Check>): Promise<{ status: number; contentType: string; body: string }> {
  const lines: string[] = [];
  let ok = true;
  for (const [name, check] of checks) {
    let passed: boolean;
    try {
      passed = await check();
    } catch {
      passed = false;
    }
    ok &&= passed;
    lines.push(passed ? `[+]${name} ok` : `[-]${name} failed`);
  }
  lines.push(ok ? 'healthz check passed' : 'healthz check failed');
  return { status: ok ? 200 : 500, contentType: 'text/plain; charset=utf-8', body: lines.join('\n') + '\n' };
}
