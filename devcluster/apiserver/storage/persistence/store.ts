// Opening a data dir: snapshot + log segments → state, checked entry by entry. Damage is never skipped:
// openStore refuses to start and says how to recover, and repairStore moves the damaged bytes aside.
import { closeSync, existsSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { StoreCorruptError } from './errors.ts';
import { fsyncDir, readHeader, scanFrames, writeAll } from './frame.ts';
import type { FrameDamage } from './frame.ts';
import { acquireLock } from './lock.ts';
import { SNAPSHOT_FILE, SNAPSHOT_TEMP_FILE, listSegments, segmentFile } from './layout.ts';
import { decodeRecords } from './records.ts';
import { readSnapshotFile } from './snapshot.ts';
import { WriteAheadLog } from './wal.ts';
import type { WalOptions } from './wal.ts';

export interface OpenedStore {
  /** key → the object's JSON text, as last written. */
  readonly state: Map<string, string>;
  /** The highest resourceVersion ever written (deletes included): continue counting above it. */
  readonly resourceVersion: number;
  readonly log: WriteAheadLog;
}

export interface RepairReport {
  /** Files created by moving damaged bytes aside (absolute paths); empty when nothing was damaged. */
  readonly movedAside: string[];
  /** The resourceVersion of the last good entry: the store continues from it. */
  readonly resourceVersion: number;
  /** Objects in the store after the repair. */
  readonly objects: number;
}

/**
 * Loads the store in `dir` (created when missing) and opens its log for appending. Holds the dir's lock
 * until `log.close()`. Throws StoreCorruptError, StoreFormatError or StoreLockedError.
 */
export function openStore(dir: string, options: WalOptions = {}): OpenedStore {
  const root = resolve(dir);
  mkdirSync(root, { recursive: true, mode: 0o700 });
  const releaseLock = acquireLock(root);
  try {
    const loaded = loadStore(root);
    if ('damage' in loaded) throw corruptError(root, loaded.damage);
    removeCompactionLeftovers(root, loaded.firstSegment);
    const segment = loaded.segments.at(-1) ?? loaded.firstSegment;
    const log = new WriteAheadLog({ dir: root, segment, resourceVersion: loaded.resourceVersion, options, releaseLock });
    return { state: loaded.state, resourceVersion: loaded.resourceVersion, log };
  } catch (err) {
    releaseLock();
    throw err;
  }
}

/**
 * Makes a damaged log loadable again without deleting anything: the damaged tail of a segment is copied
 * to `<segment>.corrupt-<timestamp>` and cut off, and later segments are renamed the same way. The store
 * then continues from the last good entry. A damaged snapshot cannot be repaired (StoreCorruptError).
 */
export function repairStore(dir: string, now: Date = new Date()): RepairReport {
  const root = resolve(dir);
  if (!existsSync(root)) return { movedAside: [], resourceVersion: 0, objects: 0 };
  const releaseLock = acquireLock(root);
  try {
    const loaded = loadStore(root);
    if (!('damage' in loaded)) {
      return { movedAside: [], resourceVersion: loaded.resourceVersion, objects: loaded.state.size };
    }
    const damage = loaded.damage;
    if (!damage.repairable) throw corruptError(root, damage);
    const suffix = `.corrupt-${now.toISOString().replace(/[:.]/g, '-')}`;
    const movedAside: string[] = [];
    // Later segments go first: once the damaged one is cut, anything replayed after it would follow a
    // hole. Until it is cut, the damage stays visible, so a crash in between is repaired by a rerun.
    for (const later of damage.laterFiles.toReversed()) {
      renameSync(later, later + suffix);
      movedAside.unshift(later + suffix);
    }
    if (damage.offset === 0) {
      renameSync(damage.file, damage.file + suffix); // nothing good in it; an empty file would still be a hole
    } else {
      copyTail(damage.file, damage.offset, damage.file + suffix);
      const fd = openSync(damage.file, 'r+');
      try {
        ftruncateSync(fd, damage.offset);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    }
    movedAside.unshift(damage.file + suffix);
    fsyncDir(root);
    const repaired = loadStore(root);
    if ('damage' in repaired) throw corruptError(root, repaired.damage);
    return { movedAside, resourceVersion: repaired.resourceVersion, objects: repaired.state.size };
  } finally {
    releaseLock();
  }
}

interface LoadedStore {
  readonly state: Map<string, string>;
  readonly resourceVersion: number;
  /** The segment the snapshot names (1 without a snapshot): replay starts there. */
  readonly firstSegment: number;
  /** Segments replayed, ascending. */
  readonly segments: number[];
}

interface StoreDamage extends FrameDamage {
  readonly file: string;
  readonly fileSize: number;
  readonly repairable: boolean;
  /** Segments after the damaged one: they cannot be replayed either. */
  readonly laterFiles: string[];
  /** Good entries before the damage in `file`, and the resourceVersion they reach. */
  readonly keptEntries: number;
  readonly resourceVersion: number;
}

function loadStore(dir: string): LoadedStore | { damage: StoreDamage } {
  const snapshotFile = join(dir, SNAPSHOT_FILE);
  const snapshot = readSnapshotFile(snapshotFile);
  if (snapshot && 'damage' in snapshot) {
    const fileSize = readFileSync(snapshotFile).length;
    return {
      damage: { ...snapshot.damage, file: snapshotFile, fileSize, repairable: false, laterFiles: [], keptEntries: 0, resourceVersion: 0 },
    };
  }
  const state = snapshot?.state ?? new Map<string, string>();
  let rv = snapshot?.resourceVersion ?? 0;
  const firstSegment = snapshot?.walSegment ?? 1;
  const segments = listSegments(dir).filter((segment) => segment >= firstSegment);
  for (const [i, segment] of segments.entries()) {
    const file = join(dir, segmentFile(segment));
    const buf = readFileSync(file);
    const laterFiles = segments.slice(i + 1).map((later) => join(dir, segmentFile(later)));
    const damaged = (frameDamage: FrameDamage, keptEntries: number): { damage: StoreDamage } => ({
      damage: { ...frameDamage, file, fileSize: buf.length, repairable: true, laterFiles, keptEntries, resourceVersion: rv },
    });
    const expected = firstSegment + i;
    if (segment !== expected) {
      return damaged({ offset: 0, entry: 1, problem: `follows a missing log file ${segmentFile(expected)}` }, 0);
    }
    if (buf.length === 0) continue; // created, then killed before its header was written: empty
    const header = readHeader(buf, 'wal', file);
    if ('damage' in header) return damaged(header.damage, 0);
    const scan = scanFrames(buf, header.start, (payload) => {
      const records = decodeRecords(payload, rv);
      if (typeof records === 'string') return records;
      for (const record of records) {
        if (record.op === 'put') state.set(record.key, record.value);
        else state.delete(record.key);
        rv = record.rv;
      }
      return undefined;
    });
    if (scan.damage) return damaged(scan.damage, scan.entries);
  }
  return { state, resourceVersion: rv, firstSegment, segments };
}

/** A compaction interrupted by a crash leaves an unfinished snapshot.tmp or stale segments: both are redundant. */
function removeCompactionLeftovers(dir: string, firstSegment: number): void {
  rmSync(join(dir, SNAPSHOT_TEMP_FILE), { force: true });
  for (const segment of listSegments(dir)) {
    if (segment < firstSegment) rmSync(join(dir, segmentFile(segment)));
  }
}

function copyTail(file: string, offset: number, target: string): void {
  const tail = readFileSync(file).subarray(offset);
  const fd = openSync(target, 'wx', 0o600);
  try {
    writeAll(fd, tail);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function corruptError(dir: string, d: StoreDamage): StoreCorruptError {
  const lost =
    `${d.fileSize - d.offset} bytes from there to the end of the file` +
    (d.laterFiles.length > 0 ? ` and ${d.laterFiles.length} later log file(s) (${d.laterFiles.map((f) => basename(f)).join(', ')})` : '');
  const recovery = d.repairable
    ? `Start with --repair-store to move the damaged tail to ${d.file}.corrupt-<timestamp>` +
      (d.laterFiles.length > 0 ? ' (and the later log files beside it) ' : ' ') +
      `and continue from the last good entry (${d.keptEntries} entries of ${basename(d.file)} kept, resourceVersion ${d.resourceVersion}); nothing is deleted.`
    : `A snapshot is fsynced before it is used, so this damage came from outside (disk, manual edit) and --repair-store ` +
      `cannot rebuild it: restore ${dir} from a backup, or move it aside to start with an empty store.`;
  return new StoreCorruptError(
    `data store ${dir} is damaged: ${d.file}: entry ${d.entry} at byte offset ${d.offset} ${d.problem}; ${lost} cannot be read. ${recovery}`,
    { file: d.file, offset: d.offset, entry: d.entry, problem: d.problem, repairable: d.repairable },
  );
}
