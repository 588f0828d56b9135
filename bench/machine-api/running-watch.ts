// Watches the bench's Machines from the bench process and notes, per Machine, when it first appeared and when it
// was first seen Running with a nodeRef. The watch is the operator's own list+watch (operators/runtime/watcher.ts),
// so what it sees is what any client of the API server sees.
import { performance } from 'node:perf_hooks';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Machine } from '../../operators/api/machine-v1beta1.ts';
import { kubeListerWatcher, watcher } from '../../operators/runtime/watcher.ts';
import { isRunningWithNode, MACHINES_PATH } from './machine-set.ts';

/** performance.now() of a Machine's milestones. */
export interface MachineTimes {
  readonly seenAt: number;
  runningAt?: number;
}

export class RunningWatch {
  /** By Machine name. */
  readonly times = new Map<string, MachineTimes>();
  readonly #abort = new AbortController();
  #running = 0;
  #waiter: { readonly count: number; readonly resolve: () => void } | undefined;
  #loop: Promise<void> | undefined;

  /** Resolves once the initial list is in. */
  async start(kc: KubeConfig): Promise<void> {
    const events = watcher<Machine>(kubeListerWatcher(kc, MACHINES_PATH), this.#abort.signal);
    let synced!: () => void;
    const initialList = new Promise<void>((resolve) => (synced = resolve));
    this.#loop = (async () => {
      for await (const event of events) {
        if (event.type === 'InitDone') synced();
        else if (event.type === 'InitApply' || event.type === 'Apply') this.#observe(event.object);
      }
    })();
    await initialList;
  }

  get runningCount(): number {
    return this.#running;
  }

  /** Resolves once `count` Machines have been seen Running with a nodeRef; rejects after `timeoutMs`. */
  async waitForRunning(count: number, timeoutMs: number): Promise<void> {
    if (this.#running >= count) return;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        new Promise<void>((resolve) => (this.#waiter = { count, resolve })),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`only ${this.#running} of ${count} Machines were Running with a nodeRef after ${timeoutMs / 1000} s`)), timeoutMs);
        }),
      ]);
    } finally {
      clearTimeout(timer);
      this.#waiter = undefined;
    }
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#loop;
  }

  #observe(machine: Machine): void {
    const name = machine.metadata.name ?? '';
    const now = performance.now();
    let times = this.times.get(name);
    if (!times) {
      times = { seenAt: now };
      this.times.set(name, times);
    }
    if (times.runningAt === undefined && isRunningWithNode(machine)) {
      times.runningAt = now;
      this.#running++;
      if (this.#waiter && this.#running >= this.#waiter.count) this.#waiter.resolve();
    }
  }
}
