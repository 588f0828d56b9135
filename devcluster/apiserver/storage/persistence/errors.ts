// Errors raised when a data dir cannot be opened. Each message says what is wrong, where, and what the
// operator can do about it: the issue asks that a damaged store is "reported clearly at start, never
// silently dropped".

/** A file of the store cannot be read back entirely: a torn tail (the process or machine died in the
 * middle of a write), a flipped byte, a missing log file, or content that is not a log entry. */
export class StoreCorruptError extends Error {
  /** Absolute path of the damaged file. */
  readonly file: string;
  /** Byte offset in `file` where the damage starts: everything before it was read. */
  readonly offset: number;
  /** 1-based number of the damaged entry in `file` (the file header is not counted). */
  readonly entry: number;
  /** What is wrong, e.g. "fails its checksum (stored 1a2b3c4d, computed 5e6f7a8b)". */
  readonly problem: string;
  /** True when `repairStore` can fix it (write-ahead log damage); false for a damaged snapshot. */
  readonly repairable: boolean;
  constructor(message: string, details: { file: string; offset: number; entry: number; problem: string; repairable: boolean }) {
    super(message);
    this.name = 'StoreCorruptError';
    this.file = details.file;
    this.offset = details.offset;
    this.entry = details.entry;
    this.problem = details.problem;
    this.repairable = details.repairable;
  }
}

/** A file was written by another version of the on-disk format. Not damage: nothing is moved aside. */
export class StoreFormatError extends Error {
  readonly file: string;
  readonly version: number;
  constructor(file: string, kind: string, version: number, supported: number) {
    super(
      `${file} is a ${kind} file of format version ${version}, but this build reads version ${supported} only: ` +
        `run the build that wrote it, or move the data dir aside to start with an empty store`,
    );
    this.name = 'StoreFormatError';
    this.file = file;
    this.version = version;
  }
}

/** Another live process holds the data dir's lock file: two servers appending to one log would interleave. */
export class StoreLockedError extends Error {
  readonly lockFile: string;
  readonly pid: number;
  constructor(dir: string, lockFile: string, pid: number) {
    const holder = pid === process.pid ? 'this process (the store is already open)' : `process ${pid}`;
    super(
      `data dir ${dir} is in use by ${holder}: stop that server or use another data dir. ` +
        `If no server is running on it, the pid was reused by an unrelated process: delete ${lockFile}`,
    );
    this.name = 'StoreLockedError';
    this.lockFile = lockFile;
    this.pid = pid;
  }
}
