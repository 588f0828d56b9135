// The byte format shared by write-ahead log segments and snapshots.
//
// A file starts with one header line, `devcluster-<kind> v<version>\n`, so a future format change is
// recognised (StoreFormatError) instead of being misread as damage. Then come entries, one per line:
//
//   <payload byte length>\t<crc32 of the payload, 8 lowercase hex digits>\t<payload: JSON text>\n
//
// The length says where an entry must end, so a tail cut short by a crash is told apart from a complete
// entry; the CRC catches flipped bytes; the newline is checked too and keeps the files readable with
// `less` and `tail`. JSON.stringify never emits a raw newline, so the payload has none.
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { StoreFormatError } from './errors.ts';

export type FileKind = 'wal' | 'snapshot';

/** Bumped on any incompatible change of the framing or of the payloads (records.ts). */
export const FORMAT_VERSION = 1;

export function fileHeader(kind: FileKind): string {
  return `devcluster-${kind} v${FORMAT_VERSION}\n`;
}

/** Where the damage is: `offset` is the first byte that could not be read, `entry` its 1-based number. */
export interface FrameDamage {
  readonly offset: number;
  readonly entry: number;
  readonly problem: string;
}

export interface FrameScan {
  /** Entries read and accepted before the damage (or all of them). */
  readonly entries: number;
  readonly damage?: FrameDamage;
}

/**
 * Checks the header line and returns the offset of the first entry. A different version throws
 * StoreFormatError; bytes that are not a header at all are damage at offset 0.
 */
export function readHeader(buf: Buffer, kind: FileKind, file: string): { start: number } | { damage: FrameDamage } {
  const expected = fileHeader(kind);
  if (buf.length >= expected.length && buf.toString('latin1', 0, expected.length) === expected) {
    return { start: expected.length };
  }
  const lineEnd = buf.indexOf(10);
  const firstLine = buf.toString('latin1', 0, lineEnd === -1 ? Math.min(buf.length, 64) : Math.min(lineEnd, 64));
  const other = new RegExp(`^devcluster-${kind} v(\\d+)$`).exec(firstLine);
  if (other) throw new StoreFormatError(file, kind, Number(other[1]), FORMAT_VERSION);
  const problem =
    lineEnd === -1 && expected.startsWith(firstLine)
      ? 'is cut short inside the file header (the file was being created when the process died)'
      : `does not start with the header ${JSON.stringify(expected.trimEnd())}`;
  return { damage: { offset: 0, entry: 1, problem } };
}

/** Frames one payload. One buffer, so the caller writes an entry with a single write call. */
export function encodeFrame(payload: string): Buffer {
  const length = Buffer.byteLength(payload);
  const lengthText = String(length);
  const payloadStart = lengthText.length + 10; // "<len>\t" + 8 hex digits + "\t"
  const frame = Buffer.allocUnsafe(payloadStart + length + 1);
  frame.write(payload, payloadStart, 'utf8');
  const crc = crc32(frame.subarray(payloadStart, payloadStart + length));
  frame.write(`${lengthText}\t${crc.toString(16).padStart(8, '0')}\t`, 0, 'latin1');
  frame[frame.length - 1] = 0x0a;
  return frame;
}

/**
 * Reads the entries of `buf` from `start`, handing each payload to `accept`. `accept` returns a problem
 * (or throws, e.g. JSON.parse) when a checksum-valid payload is still not a valid entry. Stops at the
 * first damage: nothing after a damaged entry is trusted, because its length cannot be trusted.
 */
export function scanFrames(buf: Buffer, start: number, accept: (payload: string) => string | undefined): FrameScan {
  let pos = start;
  let entries = 0;
  while (pos < buf.length) {
    const damage = (problem: string): FrameScan => ({ entries, damage: { offset: pos, entry: entries + 1, problem } });
    const cutShort = (): FrameScan =>
      damage(`is cut short: the file ends ${buf.length - pos} bytes into it (a write was interrupted)`);
    let length = 0;
    let cursor = pos;
    while (cursor < buf.length && cursor - pos < 16 && buf[cursor] >= 0x30 && buf[cursor] <= 0x39) {
      length = length * 10 + (buf[cursor] - 0x30);
      cursor++;
    }
    if (cursor === buf.length) return cutShort();
    if (cursor === pos || buf[cursor] !== 0x09) return damage('has a malformed entry header');
    const crcText = buf.toString('latin1', cursor + 1, Math.min(cursor + 9, buf.length));
    if (!/^[0-9a-f]*$/.test(crcText)) return damage('has a malformed entry header');
    if (cursor + 9 >= buf.length) return cutShort();
    if (buf[cursor + 9] !== 0x09) return damage('has a malformed entry header');
    const payloadStart = cursor + 10;
    const payloadEnd = payloadStart + length; // where the newline must be
    if (payloadEnd >= buf.length) return cutShort();
    if (buf[payloadEnd] !== 0x0a) return damage(`is not followed by a newline after its ${length} bytes`);
    const payloadBytes = buf.subarray(payloadStart, payloadEnd);
    const storedCrc = parseInt(crcText, 16);
    const computedCrc = crc32(payloadBytes);
    if (computedCrc !== storedCrc) {
      return damage(`fails its checksum (stored ${hex(storedCrc)}, computed ${hex(computedCrc)})`);
    }
    let problem: string | undefined;
    try {
      problem = accept(payloadBytes.toString('utf8'));
    } catch (err) {
      problem = `is not a valid entry: ${(err as Error).message}`;
    }
    if (problem !== undefined) return damage(problem);
    entries++;
    pos = payloadEnd + 1;
  }
  return { entries };
}

function hex(n: number): string {
  return n.toString(16).padStart(8, '0');
}

/** writeSync may write less than asked (a signal, a full disk); a short write must not become a torn entry. */
export function writeAll(fd: number, buf: Buffer): void {
  let offset = 0;
  while (offset < buf.length) offset += writeSync(fd, buf, offset, buf.length - offset);
}

/** Makes a create, rename or unlink in `dir` durable; the data of a renamed file needs its own fsync first. */
export function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
