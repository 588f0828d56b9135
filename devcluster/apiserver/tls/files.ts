// Small file helpers for the TLS material and the token, which live in the data dir.
import { chmodSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

/** Writes via a temp file and a rename, so a crash never leaves a half-written key or certificate. */
export function writeFileAtomically(file: string, content: string, mode: number): void {
  const temp = `${file}.tmp-${process.pid}`;
  writeFileSync(temp, content, { mode });
  chmodSync(temp, mode); // `mode` applies only when the file is created, and only through the umask
  renameSync(temp, file);
}

export function readTextIfExists(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
