// A document kept on disk as a snapshot plus an append-only journal of changes, so that a change costs a write of
// its own size, not of the whole document: rewriting the whole instance list on every change made persistence the
// local cloud's largest cost once it held a thousand instances (bench machine-api).
//
//   <path>           the snapshot: JSON, replaced atomically (temporary file, then rename)
//   <path>.journal   one JSON entry per line, appended after the snapshot was taken
//
// Entries appended in the same turn of the event loop go out as one write, and each caller learns when its change
// is on disk. After `compactAfter` entries the snapshot is rewritten and the journal emptied. A kill -9 between the
// two leaves entries the new snapshot already holds: replaying them must give the same document, so entries are
// whole-record upserts and removals (idempotent), never deltas. A torn last line (the machine, not the process,
// died mid-append) is dropped; a torn line anywhere else is an error, as the file was written by someone else.
import { appendFileSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** Entries between snapshots by default. */
export const DEFAULT_COMPACT_AFTER = 4096;

export interface JournalContents<S, E> {
  readonly snapshot: S | undefined;
  /** In the order they were appended. */
  readonly entries: readonly E[];
}

interface Waiter {
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
}

export class JournalFile<S, E> {
  readonly path: string;
  readonly journalPath: string;
  readonly #compactAfter: number;
  #journaled = 0;
  #pending: { entries: E[]; snapshot: () => S; waiters: Waiter[] } | undefined;

  constructor(path: string, options: { readonly compactAfter?: number } = {}) {
    this.path = path;
    this.journalPath = `${path}.journal`;
    this.#compactAfter = options.compactAfter ?? DEFAULT_COMPACT_AFTER;
  }

  /** What is on disk: the snapshot (undefined when there is none yet) and the entries appended since. */
  read(): JournalContents<S, E> {
    const text = readIfExists(this.path);
    let snapshot: S | undefined;
    if (text !== undefined) {
      try {
        snapshot = JSON.parse(text) as S;
      } catch (err) {
        throw new Error(`${this.path} is not valid JSON: ${(err as Error).message}`, { cause: err });
      }
    }
    const lines = (readIfExists(this.journalPath) ?? '').split('\n');
    const entries: E[] = [];
    lines.forEach((line, i) => {
      if (line === '') return;
      try {
        entries.push(JSON.parse(line) as E);
      } catch (err) {
        if (i === lines.length - 1) return; // torn by a crash mid-append: that change was never acknowledged
        throw new Error(`${this.journalPath}:${i + 1} is not valid JSON: ${(err as Error).message}`, { cause: err });
      }
    });
    this.#journaled = entries.length;
    return { snapshot, entries };
  }

  /**
   * Appends `entries` at the end of this turn; resolves once they are on disk. `snapshot` gives the whole document
   * including them, for when the journal is compacted.
   */
  append(entries: readonly E[], snapshot: () => S): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.#pending) {
        this.#pending.entries.push(...entries);
        this.#pending.snapshot = snapshot;
        this.#pending.waiters.push({ resolve, reject });
        return;
      }
      this.#pending = { entries: [...entries], snapshot, waiters: [{ resolve, reject }] };
      setImmediate(() => this.#flush());
    });
  }

  #flush(): void {
    const pending = this.#pending;
    this.#pending = undefined;
    if (!pending) return;
    try {
      mkdirSync(dirname(this.path), { recursive: true });
      if (this.#journaled + pending.entries.length > this.#compactAfter) this.#compact(pending.snapshot());
      else {
        appendFileSync(this.journalPath, pending.entries.map((e) => `${JSON.stringify(e)}\n`).join(''));
        this.#journaled += pending.entries.length;
      }
      for (const waiter of pending.waiters) waiter.resolve();
    } catch (err) {
      for (const waiter of pending.waiters) waiter.reject(err);
    }
  }

  #compact(snapshot: S): void {
    const temporary = `${this.path}.tmp`;
    writeFileSync(temporary, JSON.stringify(snapshot));
    renameSync(temporary, this.path);
    writeFileSync(this.journalPath, '');
    this.#journaled = 0;
  }
}

function readIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
