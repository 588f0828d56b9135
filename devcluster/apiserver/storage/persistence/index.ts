// On-disk persistence of the embedded API server: a write-ahead log plus snapshots in a data dir.
// Typical use by the in-memory store:
//   const { state, resourceVersion, log } = openStore(dataDir);      // refuses damaged stores
//   log.append([{ rv, op: 'put', key, value: json }]);               // before acknowledging a write
//   if (log.needsCompaction) log.compact(state.entries(), rv);        // the whole state at rv
//   log.close();                                                      // at shutdown
export { benchmarkAppend } from './bench.ts';
export type { AppendBenchmark } from './bench.ts';
export { StoreCorruptError, StoreFormatError, StoreLockedError } from './errors.ts';
export type { WalRecord } from './records.ts';
export { openStore, repairStore } from './store.ts';
export type { OpenedStore, RepairReport } from './store.ts';
export { DEFAULT_COMPACTION_THRESHOLD_BYTES, WriteAheadLog } from './wal.ts';
export type { FsyncPolicy, WalOptions } from './wal.ts';
