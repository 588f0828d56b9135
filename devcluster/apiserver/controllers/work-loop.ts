// A minimal keyed work loop for the in-server controllers (the parts of kube-controller-manager the dev
// cluster needs). Work never runs inside a store listener: a nested write there would reach some watchers
// before the event that caused it. Keys are de-duplicated; a failing key is retried after a delay.
export const RETRY_DELAY_MS = 1000;

export class WorkLoop {
  private readonly pending = new Set<string>();
  private scheduled = false;
  private stopped = false;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly name: string;
  private readonly handle: (key: string) => void;

  constructor(name: string, handle: (key: string) => void) {
    this.name = name;
    this.handle = handle;
  }

  enqueue(key: string): void {
    if (this.stopped) return;
    this.pending.add(key);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.drain());
    }
  }

  enqueueAfter(key: string, delayMs: number): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.enqueue(key);
    }, delayMs);
    timer.unref();
    this.timers.add(timer);
  }

  private drain(): void {
    this.scheduled = false;
    const keys = [...this.pending];
    this.pending.clear();
    for (const key of keys) {
      if (this.stopped) return;
      try {
        this.handle(key);
      } catch (err) {
        console.error(JSON.stringify({ level: 'error', logger: `apiserver.${this.name}`, msg: 'Reconcile failed, retrying', key, error: (err as Error).message }));
        this.enqueueAfter(key, RETRY_DELAY_MS);
      }
    }
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}
