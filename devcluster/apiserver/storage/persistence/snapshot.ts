// A snapshot is the whole state at one resourceVersion, so the log before it can be dropped. Framed like
// the log (frame.ts); its entries are, in order:
//   {"rv":<resourceVersion>,"walSegment":<first log segment to replay after it>}
//   ["<key>","<value JSON text>"]            one per object
//   {"entries":<count>}                      the trailer: a snapshot without it is incomplete
import { closeSync, existsSync, fsyncSync, openSync, readFileSync } from 'node:fs';
import { encodeFrame, fileHeader, readHeader, scanFrames, writeAll } from './frame.ts';
import type { FrameDamage } from './frame.ts';

export interface SnapshotContent {
  readonly state: Map<string, string>;
  readonly resourceVersion: number;
  readonly walSegment: number;
}

/** Frames are gathered into writes of about this size: one write per object would cost a syscall each. */
const WRITE_CHUNK_BYTES = 1 << 20;

/** Writes a complete snapshot to `file` and fsyncs it. The caller renames it into place. */
export function writeSnapshotFile(file: string, entries: Iterable<readonly [string, string]>, rv: number, walSegment: number): void {
  const fd = openSync(file, 'w', 0o600);
  try {
    let chunk: Buffer[] = [Buffer.from(fileHeader('snapshot')), encodeFrame(JSON.stringify({ rv, walSegment }))];
    let chunkBytes = 0;
    let count = 0;
    for (const [key, value] of entries) {
      const frame = encodeFrame(JSON.stringify([key, value]));
      chunk.push(frame);
      chunkBytes += frame.length;
      count++;
      if (chunkBytes >= WRITE_CHUNK_BYTES) {
        writeAll(fd, Buffer.concat(chunk));
        chunk = [];
        chunkBytes = 0;
      }
    }
    chunk.push(encodeFrame(JSON.stringify({ entries: count })));
    writeAll(fd, Buffer.concat(chunk));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Reads `file`; undefined when there is none. Throws StoreFormatError for another format version. */
export function readSnapshotFile(file: string): SnapshotContent | { damage: FrameDamage } | undefined {
  if (!existsSync(file)) return undefined;
  const buf = readFileSync(file);
  const header = readHeader(buf, 'snapshot', file);
  if ('damage' in header) return header;
  const state = new Map<string, string>();
  let meta: { rv: number; walSegment: number } | undefined;
  let trailer: { entries: number } | undefined;
  const scan = scanFrames(buf, header.start, (payload) => {
    const parsed: unknown = JSON.parse(payload);
    if (trailer) return 'follows the closing entry';
    if (!meta) {
      const m = parsed as { rv?: unknown; walSegment?: unknown };
      if (!isCount(m.rv) || !isCount(m.walSegment) || m.walSegment < 1) return 'is not the snapshot description';
      meta = { rv: m.rv, walSegment: m.walSegment };
      return undefined;
    }
    if (Array.isArray(parsed)) {
      const [key, value] = parsed as unknown[];
      if (parsed.length !== 2 || typeof key !== 'string' || typeof value !== 'string') return 'is not a [key, value] pair';
      state.set(key, value);
      return undefined;
    }
    const t = parsed as { entries?: unknown };
    if (!isCount(t.entries) || t.entries !== state.size) {
      return `closes the snapshot with ${JSON.stringify(t.entries)} entries, but ${state.size} were read`;
    }
    trailer = { entries: t.entries };
    return undefined;
  });
  if (scan.damage) return { damage: scan.damage };
  if (!meta || !trailer) {
    return { damage: { offset: buf.length, entry: scan.entries + 1, problem: 'is missing: the snapshot ends early' } };
  }
  return { state, resourceVersion: meta.rv, walSegment: meta.walSegment };
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
