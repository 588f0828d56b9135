// One process per data dir: two servers appending to the same log would interleave entries and hand out
// the same resourceVersions. The lock is a file holding the owner's pid; a lock left by a process that
// died (kill -9 never runs cleanup) is taken over.
import { linkSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StoreLockedError } from './errors.ts';
import { LOCK_FILE } from './layout.ts';

/** Takes the lock of `dir` and returns the function that releases it. Throws StoreLockedError. */
export function acquireLock(dir: string): () => void {
  const lockFile = join(dir, LOCK_FILE);
  // The pid is written to a private file first and then hard-linked into place: link() fails if the lock
  // exists, so creation is atomic, and a competitor never sees a lock file that is still empty.
  const staging = join(dir, `${LOCK_FILE}.${process.pid}`);
  writeFileSync(staging, `${process.pid}\n`);
  try {
    // Two rounds: the second follows the removal of a stale lock. Known gap: two servers taking over the
    // same stale lock at the same instant can both win; starting two servers on one dir at once is rare.
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        linkSync(staging, lockFile);
        return () => releaseLock(lockFile);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const holder = readPid(lockFile);
      if (holder !== undefined && isAlive(holder)) throw new StoreLockedError(dir, lockFile, holder);
      rmSync(lockFile, { force: true });
    }
    throw new StoreLockedError(dir, lockFile, readPid(lockFile) ?? 0);
  } finally {
    rmSync(staging, { force: true });
  }
}

function releaseLock(lockFile: string): void {
  if (readPid(lockFile) === process.pid) rmSync(lockFile, { force: true });
}

function readPid(lockFile: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(lockFile, 'latin1'), 10);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined; // removed in between, or unreadable: treated as stale
  }
}

/** Signal 0 checks existence only. EPERM means the pid exists but belongs to another user. */
function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
