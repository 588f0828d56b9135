// The write-ahead log: the store calls `append` synchronously before it acknowledges a write.
//
// Durability: an entry is written with write(2) to a file opened O_APPEND. Once write returns, the bytes
// are in the kernel's page cache, which outlives the process, so an acknowledged write survives kill -9
// without fsync. A power loss or kernel crash can still lose the last seconds of writes (the kernel flushes
// dirty pages after ~30 s) unless `fsync: 'always'` is set, which fdatasyncs every entry (about a
// millisecond each on an SSD: fine for a single client, too slow for the dev benchmarks' targets).
import { closeSync, fdatasyncSync, fstatSync, ftruncateSync, openSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { encodeFrame, fileHeader, fsyncDir, writeAll } from './frame.ts';
import { SNAPSHOT_FILE, SNAPSHOT_TEMP_FILE, listSegments, segmentFile } from './layout.ts';
import { encodeRecords, recordProblem } from './records.ts';
import type { WalRecord } from './records.ts';
import { writeSnapshotFile } from './snapshot.ts';

export type FsyncPolicy = 'always' | 'never';

export interface WalOptions {
  /** 'never' (default): survives a process kill, not a power loss. 'always': survives both, slower. */
  readonly fsync?: FsyncPolicy;
  /** `needsCompaction` turns true once the current segment is this large. */
  readonly compactionThresholdBytes?: number;
}

/** 64 MiB of log replays in well under a second at start, and a compaction is rare at that size. */
export const DEFAULT_COMPACTION_THRESHOLD_BYTES = 64 * 1024 * 1024;

export interface WalInit {
  readonly dir: string;
  /** The segment to append to: the last one present, or the one the snapshot names. */
  readonly segment: number;
  /** The highest resourceVersion in the store: appends may not go below it. */
  readonly resourceVersion: number;
  readonly options: WalOptions;
  /** Releases the data dir's lock; called by close. */
  readonly releaseLock: () => void;
}

export class WriteAheadLog {
  readonly #dir: string;
  readonly #fsync: FsyncPolicy;
  readonly #threshold: number;
  #releaseLock: (() => void) | undefined;
  #segment: number;
  #fd: number;
  #size: number;
  #rv: number;
  /** Set when a failed write could not be undone: appending after a torn entry would hide it mid-log. */
  #failure: Error | undefined;
  #closed = false;

  constructor(init: WalInit) {
    this.#dir = init.dir;
    this.#fsync = init.options.fsync ?? 'never';
    this.#threshold = init.options.compactionThresholdBytes ?? DEFAULT_COMPACTION_THRESHOLD_BYTES;
    this.#releaseLock = init.releaseLock;
    this.#segment = init.segment;
    this.#rv = init.resourceVersion;
    const opened = openSegment(init.dir, init.segment, this.#fsync === 'always');
    this.#fd = opened.fd;
    this.#size = opened.size;
  }

  /** Bytes in the current segment, header included. */
  get sizeBytes(): number {
    return this.#size;
  }

  /** The resourceVersion of the last record appended (or of the store as loaded). */
  get resourceVersion(): number {
    return this.#rv;
  }

  /** True once the current segment has reached the compaction threshold: call `compact` soon. */
  get needsCompaction(): boolean {
    return this.#size >= this.#threshold;
  }

  /**
   * Appends the records as one entry with one write call, so a multi-object write is all-or-nothing
   * after a crash. Returns once the entry is in the page cache (or on disk, with fsync 'always').
   * Records must not go below the current resourceVersion; a batch may share one.
   */
  append(records: readonly WalRecord[]): void {
    this.#assertUsable('append');
    if (records.length === 0) return;
    let rv = this.#rv;
    for (const record of records) {
      const problem = recordProblem(record, rv);
      if (problem !== undefined) throw new TypeError(`WriteAheadLog.append: ${problem}`);
      rv = record.rv;
    }
    const frame = encodeFrame(encodeRecords(records));
    try {
      writeAll(this.#fd, frame);
      if (this.#fsync === 'always') fdatasyncSync(this.#fd);
    } catch (err) {
      // Not acknowledged, so it must not be replayed either, and a partial entry must not stay in the
      // middle of the log: cut the file back to where the entry started.
      try {
        ftruncateSync(this.#fd, this.#size);
      } catch {
        this.#failure = err as Error;
      }
      throw err;
    }
    this.#size += frame.length;
    this.#rv = rv;
  }

  /**
   * Replaces the log by a snapshot of `entries` (the whole state, every key with its value JSON) taken at
   * `rv`, which must include every record appended so far. Crash-safe at every step:
   *   1. the snapshot is written to snapshot.tmp and fsynced (a crash leaves the old snapshot and log);
   *   2. the next segment is created empty (a crash replays it as empty after the current one);
   *   3. snapshot.tmp is renamed over snapshot and the dir fsynced: from here the snapshot names the new
   *      segment, so older segments are stale and are deleted now, or at the next open after a crash.
   * Synchronous: the caller's event loop waits while the state is written.
   */
  compact(entries: Iterable<readonly [string, string]>, rv: number): void {
    this.#assertUsable('compact');
    if (!Number.isSafeInteger(rv) || rv < this.#rv) {
      throw new RangeError(`WriteAheadLog.compact: resourceVersion ${rv} is older than the last appended one, ${this.#rv}`);
    }
    const next = this.#segment + 1;
    const temp = join(this.#dir, SNAPSHOT_TEMP_FILE);
    let opened: { fd: number; size: number } | undefined;
    try {
      writeSnapshotFile(temp, entries, rv, next);
      opened = openSegment(this.#dir, next, true);
      renameSync(temp, join(this.#dir, SNAPSHOT_FILE));
    } catch (err) {
      if (opened) closeSync(opened.fd);
      rmSync(temp, { force: true });
      throw err;
    }
    // The snapshot now names `next`: appends must go there even if what follows fails.
    closeSync(this.#fd);
    this.#fd = opened.fd;
    this.#size = opened.size;
    this.#segment = next;
    this.#rv = rv;
    fsyncDir(this.#dir);
    for (const segment of listSegments(this.#dir)) {
      if (segment < next) rmSync(join(this.#dir, segmentFile(segment)));
    }
  }

  /** Flushes to disk (a clean stop is durable even against power loss), closes, releases the lock. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      if (this.#failure === undefined) fdatasyncSync(this.#fd);
    } finally {
      closeSync(this.#fd);
      this.#releaseLock?.();
      this.#releaseLock = undefined;
    }
  }

  #assertUsable(operation: string): void {
    if (this.#closed) throw new Error(`WriteAheadLog.${operation}: the log is closed`);
    if (this.#failure) {
      throw new Error(`WriteAheadLog.${operation}: the log is unusable after a failed write (${this.#failure.message}); restart the server`);
    }
  }
}

/** Opens a segment for appending, creating it with its header when absent or empty. */
function openSegment(dir: string, segment: number, durable: boolean): { fd: number; size: number } {
  const fd = openSync(join(dir, segmentFile(segment)), 'a', 0o600);
  try {
    let size = fstatSync(fd).size;
    if (size === 0) {
      const header = Buffer.from(fileHeader('wal'));
      writeAll(fd, header);
      size = header.length;
      if (durable) {
        fdatasyncSync(fd);
        fsyncDir(dir);
      }
    }
    return { fd, size };
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}
