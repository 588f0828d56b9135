// A JSON document kept on disk, replaced atomically (write a temporary file, then rename over the old
// one) so that a kill -9 leaves either the old or the new version, never a torn one. Writes requested in
// the same turn of the event loop go out as one: a burst of 1,000 creates writes the file a few times,
// not 1,000 times, and each caller still learns when its change is on disk.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export class StateFile<T> {
  readonly path: string;
  #pending: { snapshot: () => T; waiters: Array<{ resolve: () => void; reject: (err: unknown) => void }> } | undefined;

  constructor(path: string) {
    this.path = path;
  }

  /** The stored document, or undefined when there is none yet. */
  read(): T | undefined {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    try {
      return JSON.parse(text) as T;
    } catch (err) {
      throw new Error(`${this.path} is not valid JSON: ${(err as Error).message}`, { cause: err });
    }
  }

  /** Writes what `snapshot` returns at the end of this turn; resolves once it is on disk. */
  write(snapshot: () => T): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.#pending) {
        this.#pending.snapshot = snapshot;
        this.#pending.waiters.push({ resolve, reject });
        return;
      }
      this.#pending = { snapshot, waiters: [{ resolve, reject }] };
      setImmediate(() => this.#flush());
    });
  }

  #flush(): void {
    const pending = this.#pending;
    this.#pending = undefined;
    if (!pending) return;
    try {
      mkdirSync(dirname(this.path), { recursive: true });
      const temporary = `${this.path}.tmp`;
      writeFileSync(temporary, JSON.stringify(pending.snapshot()));
      renameSync(temporary, this.path);
      for (const waiter of pending.waiters) waiter.resolve();
    } catch (err) {
      for (const waiter of pending.waiters) waiter.reject(err);
    }
  }
}
