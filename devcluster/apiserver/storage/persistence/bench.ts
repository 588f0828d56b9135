// Append throughput for the bench suite: the store pays this cost synchronously on every write.
import { performance } from 'node:perf_hooks';
import { openStore } from './store.ts';
import type { FsyncPolicy } from './wal.ts';

export interface AppendBenchmark {
  readonly records: number;
  readonly recordsPerSecond: number;
  readonly microsecondsPerRecord: number;
}

/**
 * Appends `n` single-record puts of a ConfigMap-like value of about `valueBytes` bytes to the store in
 * `dir` (created when missing) and times them. The store is closed afterwards.
 */
export function benchmarkAppend(dir: string, n: number, valueBytes: number, fsync: FsyncPolicy = 'never'): AppendBenchmark {
  const { log } = openStore(dir, { fsync });
  try {
    const value = (name: string): string =>
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name, namespace: 'bench', resourceVersion: String(log.resourceVersion + 1) },
        data: { payload: 'x'.repeat(Math.max(0, valueBytes - 120)) },
      });
    const start = performance.now();
    for (let i = 0; i < n; i++) {
      const name = `cm-${i}`;
      log.append([{ rv: log.resourceVersion + 1, op: 'put', key: `/configmaps/bench/${name}`, value: value(name) }]);
    }
    const seconds = (performance.now() - start) / 1000;
    return { records: n, recordsPerSecond: n / seconds, microsecondsPerRecord: (seconds * 1e6) / n };
  } finally {
    log.close();
  }
}
