// Child process of crash.test.ts: appends forever, compacting often, and prints each resourceVersion on
// stdout only after `append` returned, i.e. once the write counts as acknowledged. The test kills it -9.
import { writeSync } from 'node:fs';
import { openStore } from '../store.ts';

/** stdout is a pipe the busy test process may drain late: retry on EAGAIN instead of dying. */
function printLine(text: string): void {
  for (;;) {
    try {
      writeSync(1, text);
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
    }
  }
}

const { state, log } = openStore(process.argv[2], { compactionThresholdBytes: 32 * 1024 });
for (let rv = log.resourceVersion + 1; ; rv++) {
  const key = `/configmaps/default/cm-${rv}`;
  const value = JSON.stringify({ metadata: { name: `cm-${rv}`, resourceVersion: String(rv) }, data: { pad: 'x'.repeat(rv % 200) } });
  log.append([{ rv, op: 'put', key, value }]);
  state.set(key, value);
  printLine(`${rv}\n`);
  if (log.needsCompaction) log.compact(state.entries(), rv);
}
