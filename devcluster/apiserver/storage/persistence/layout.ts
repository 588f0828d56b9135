// File names inside a data dir. Log segments are numbered; the snapshot names the first segment that
// follows it, so after a compaction the older segments are recognisably stale (see wal.ts, compact).
import { readdirSync } from 'node:fs';

export const LOCK_FILE = 'LOCK';
export const SNAPSHOT_FILE = 'snapshot';
/** A snapshot being written; it only becomes `snapshot` by an atomic rename once complete and fsynced. */
export const SNAPSHOT_TEMP_FILE = 'snapshot.tmp';

const SEGMENT_PATTERN = /^wal-(\d{10})\.log$/;

export function segmentFile(segment: number): string {
  return `wal-${String(segment).padStart(10, '0')}.log`;
}

/** Segment numbers present in `dir`, ascending. Moved-aside `*.corrupt-*` files do not match. */
export function listSegments(dir: string): number[] {
  const segments: number[] = [];
  for (const name of readdirSync(dir)) {
    const match = SEGMENT_PATTERN.exec(name);
    if (match) segments.push(Number(match[1]));
  }
  return segments.sort((a, b) => a - b);
}
