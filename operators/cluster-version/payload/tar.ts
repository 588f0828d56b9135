// A small tar reader and a canonical tar writer: enough for release payloads (regular files under a couple of
// directories), with no dependency. The reader accepts what common tools write: POSIX ustar (name + prefix),
// pax extended headers (`path`) and GNU long names (`L`); links, devices and directories are skipped, since a
// payload is only regular files. The writer is canonical, so that equal file sets give equal bytes and the sha256
// of its output can serve as a payload digest (see payload.ts).
import { gunzipSync } from 'node:zlib';

const BLOCK = 512;

/** One regular file: its path relative to the archive root (no leading "./" or "/"), and its bytes. */
export interface TarFile {
  readonly path: string;
  readonly data: Uint8Array;
}

/** True when the bytes start with the gzip magic number, whatever the file or URL is called. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Regular files of a tar archive, gzip-compressed or not, in archive order. Throws on a truncated or corrupt archive. */
export function readTar(archive: Uint8Array): TarFile[] {
  const tar = isGzip(archive) ? new Uint8Array(gunzipSync(archive)) : archive;
  if (tar.length === 0) throw new Error('tar: empty archive');
  const files: TarFile[] = [];
  let offset = 0;
  let longName: string | undefined; // from a preceding GNU `L` or pax `x` entry
  while (offset + BLOCK <= tar.length) {
    const header = tar.subarray(offset, offset + BLOCK);
    if (header.every((b) => b === 0)) break; // end-of-archive marker
    checkHeaderChecksum(header, offset);
    const size = parseOctal(header.subarray(124, 136), offset);
    const type = String.fromCharCode(header[156] || 0x30);
    const dataStart = offset + BLOCK;
    if (dataStart + size > tar.length) throw new Error(`tar: entry at byte ${offset} runs past the end of the archive`);
    const data = tar.subarray(dataStart, dataStart + size);
    offset = dataStart + Math.ceil(size / BLOCK) * BLOCK;

    if (type === 'L') { longName = text(data); continue; }
    if (type === 'x') { longName = paxPath(data) ?? longName; continue; }
    const name = longName ?? ustarName(header);
    longName = undefined;
    if (type !== '0' && type !== '7') continue; // directories, links, devices, pax globals: not payload content
    files.push({ path: normalizePath(name), data: new Uint8Array(data) });
  }
  if (offset < tar.length && offset + BLOCK > tar.length) throw new Error(`tar: truncated header at byte ${offset}`);
  return files;
}

/**
 * The canonical ustar archive of `files`: sorted by path (byte order), regular files only, mode 0644, uid/gid 0,
 * mtime 0, no user or group names, no directory entries, two zero blocks at the end. Paths up to 255 bytes are
 * supported through the ustar prefix field.
 */
export function writeCanonicalTar(files: readonly TarFile[]): Uint8Array {
  const sorted = [...files].sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)));
  const chunks: Uint8Array[] = [];
  for (const file of sorted) {
    chunks.push(ustarHeader(file.path, file.data.length), file.data);
    const pad = (BLOCK - (file.data.length % BLOCK)) % BLOCK;
    if (pad > 0) chunks.push(new Uint8Array(pad));
  }
  chunks.push(new Uint8Array(2 * BLOCK));
  return new Uint8Array(Buffer.concat(chunks));
}

function ustarHeader(path: string, size: number): Uint8Array {
  const header = Buffer.alloc(BLOCK);
  const [prefix, name] = splitUstarPath(path);
  header.write(name, 0, 100, 'utf8');
  header.write('0000644\0', 100, 'ascii'); // mode
  header.write('0000000\0', 108, 'ascii'); // uid
  header.write('0000000\0', 116, 'ascii'); // gid
  header.write(size.toString(8).padStart(11, '0') + '\0', 124, 'ascii');
  header.write('00000000000\0', 136, 'ascii'); // mtime
  header.write('        ', 148, 'ascii'); // checksum placeholder: spaces while summing
  header.write('0', 156, 'ascii'); // regular file
  header.write('ustar\0', 257, 'ascii');
  header.write('00', 263, 'ascii');
  header.write(prefix, 345, 155, 'utf8');
  const sum = header.reduce((acc, b) => acc + b, 0);
  header.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'ascii');
  return header;
}

/** ustar keeps up to 100 bytes of name and 155 of prefix, split at a "/". */
function splitUstarPath(path: string): [prefix: string, name: string] {
  if (Buffer.byteLength(path) <= 100) return ['', path];
  for (let i = path.indexOf('/'); i !== -1; i = path.indexOf('/', i + 1)) {
    const prefix = path.slice(0, i);
    const name = path.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100) return [prefix, name];
  }
  throw new Error(`tar: path ${JSON.stringify(path)} is too long for a ustar header (100 bytes of name, 155 of directory)`);
}

function ustarName(header: Uint8Array): string {
  const name = text(header.subarray(0, 100));
  const isUstar = text(header.subarray(257, 262)) === 'ustar';
  const prefix = isUstar ? text(header.subarray(345, 500)) : '';
  return prefix ? `${prefix}/${name}` : name;
}

/** The `path` record of a pax extended header ("<len> path=<value>\n" records). */
function paxPath(data: Uint8Array): string | undefined {
  let path: string | undefined;
  let offset = 0;
  while (offset < data.length) {
    const space = data.indexOf(0x20, offset);
    if (space === -1) break;
    const length = Number(text(data.subarray(offset, space)));
    if (!Number.isInteger(length) || length <= 0) throw new Error('tar: malformed pax extended header');
    const record = Buffer.from(data.subarray(space + 1, offset + length - 1)).toString('utf8');
    const eq = record.indexOf('=');
    if (record.slice(0, eq) === 'path') path = record.slice(eq + 1);
    offset += length;
  }
  return path;
}

function checkHeaderChecksum(header: Uint8Array, offset: number): void {
  const stored = parseOctal(header.subarray(148, 156), offset);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : header[i];
  if (sum !== stored) throw new Error(`tar: bad header checksum at byte ${offset}: not a tar archive, or a corrupt one`);
}

function parseOctal(field: Uint8Array, offset: number): number {
  const digits = text(field).trim();
  if (digits === '') return 0;
  if (!/^[0-7]+$/.test(digits)) throw new Error(`tar: bad numeric field ${JSON.stringify(digits)} in the header at byte ${offset}`);
  return parseInt(digits, 8);
}

/** A NUL-terminated header field as UTF-8. */
function text(field: Uint8Array): string {
  const end = field.indexOf(0);
  return Buffer.from(end === -1 ? field : field.subarray(0, end)).toString('utf8');
}

function normalizePath(name: string): string {
  return name.replace(/^(\.\/|\/)+/, '');
}
