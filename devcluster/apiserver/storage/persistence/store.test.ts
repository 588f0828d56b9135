import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StoreCorruptError, StoreFormatError, StoreLockedError } from './errors.ts';
import { benchmarkAppend, openStore, repairStore } from './index.ts';
import type { WalRecord } from './index.ts';

const WAL_1 = 'wal-0000000001.log';
const WAL_2 = 'wal-0000000002.log';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'persistence-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function put(rv: number, key: string, value: unknown = { rv }): WalRecord {
  return { rv, op: 'put', key, value: JSON.stringify(value) };
}

/** Opens, appends each batch, closes. */
function write(batches: WalRecord[][]): void {
  const { log } = openStore(dir);
  for (const batch of batches) log.append(batch);
  log.close();
}

/** Opens, returns what was loaded, closes. */
function reopen(): { state: Map<string, string>; resourceVersion: number } {
  const { state, resourceVersion, log } = openStore(dir);
  log.close();
  return { state, resourceVersion };
}

/** Byte offset at which each entry line of `file` starts (the header line excluded). */
function entryOffsets(file: string): number[] {
  const text = readFileSync(file, 'latin1');
  const offsets: number[] = [];
  for (let i = text.indexOf('\n') + 1; i < text.length; i = text.indexOf('\n', i) + 1) offsets.push(i);
  return offsets;
}

function corruptErrorOf(fn: () => unknown): StoreCorruptError {
  try {
    fn();
  } catch (err) {
    if (err instanceof StoreCorruptError) return err;
    throw err;
  }
  assert.fail('expected a StoreCorruptError');
}

const threePuts = [[put(1, 'a')], [put(2, 'b')], [put(3, 'c')]];

describe('openStore and the write-ahead log', () => {
  it('starts empty at resourceVersion 0 in a new dir', () => {
    const { state, resourceVersion } = reopen();
    assert.equal(state.size, 0);
    assert.equal(resourceVersion, 0);
  });

  it('loads back every put, delete and batch after a reopen, values verbatim', () => {
    const pretty = '{\n  "kind": "ConfigMap",\n  "data": {"k": "é\\u0000\\"q\\""}\n}';
    write([
      [put(1, '/configmaps/ns/a'), put(2, '/configmaps/ns/b')],
      [{ rv: 3, op: 'put', key: '/configmaps/ns/c', value: pretty }],
      [{ rv: 4, op: 'delete', key: '/configmaps/ns/a' }],
      [put(5, '/configmaps/ns/b', { updated: true })],
    ]);
    const { state, resourceVersion } = reopen();
    assert.deepEqual(
      [...state].sort(),
      [
        ['/configmaps/ns/b', '{"updated":true}'],
        ['/configmaps/ns/c', pretty],
      ],
    );
    assert.equal(resourceVersion, 5);
  });

  it('keeps the resourceVersion of a trailing delete across reopens, so it never goes back', () => {
    write([[put(7, 'a')], [{ rv: 9, op: 'delete', key: 'a' }]]);
    assert.equal(reopen().resourceVersion, 9);
    const { log } = openStore(dir);
    assert.throws(() => log.append([put(8, 'b')]), /resourceVersion 8 is lower than the previous one, 9/);
    log.append([put(10, 'b')]);
    log.close();
    assert.equal(reopen().resourceVersion, 10);
  });

  it('lets the records of one batch share a resourceVersion', () => {
    write([[put(4, 'a'), put(4, 'b')]]);
    assert.deepEqual(reopen(), { state: new Map([['a', '{"rv":4}'], ['b', '{"rv":4}']]), resourceVersion: 4 });
  });

  it('rejects malformed records at append without writing anything', () => {
    const { log } = openStore(dir);
    const bad: [unknown, RegExp][] = [
      [{ rv: 0, op: 'put', key: 'a', value: '{}' }, /invalid resourceVersion 0/],
      [{ rv: 1, op: 'put', key: '', value: '{}' }, /invalid key ""/],
      [{ rv: 1, op: 'put', key: 'a' }, /the put of a has no string value/],
      [{ rv: 1, op: 'patch', key: 'a' }, /unknown op "patch"/],
    ];
    const size = log.sizeBytes;
    for (const [record, message] of bad) assert.throws(() => log.append([record as WalRecord]), message);
    assert.equal(log.sizeBytes, size);
    log.close();
  });

  it('writes with fsync always and reads the same back', () => {
    const { log } = openStore(dir, { fsync: 'always' });
    log.append([put(1, 'a')]);
    log.close();
    assert.equal(reopen().state.get('a'), '{"rv":1}');
  });

  it('refuses appends after close', () => {
    const { log } = openStore(dir);
    log.close();
    assert.throws(() => log.append([put(1, 'a')]), /the log is closed/);
  });
});

describe('damage detection and repairStore', () => {
  // Each case damages the log of threePuts and names the entry where reading must stop.
  const cases: { name: string; damage: (file: string, offsets: number[]) => void; entry: number; problem: RegExp }[] = [
    {
      name: 'a tail cut inside the last payload',
      damage: (file) => truncateSync(file, readFileSync(file).length - 5),
      entry: 3,
      problem: /is cut short: the file ends \d+ bytes into it/,
    },
    {
      name: 'a tail cut inside the last entry header',
      damage: (file, offsets) => truncateSync(file, offsets[2] + 4),
      entry: 3,
      problem: /is cut short: the file ends 4 bytes into it/,
    },
    {
      name: 'a last entry missing only its newline',
      damage: (file) => truncateSync(file, readFileSync(file).length - 1),
      entry: 3,
      problem: /is cut short/,
    },
    {
      name: 'a flipped byte in the middle entry payload',
      damage: (file, offsets) => flipByte(file, offsets[2] - 4),
      entry: 2,
      problem: /fails its checksum \(stored [0-9a-f]{8}, computed [0-9a-f]{8}\)/,
    },
    {
      name: 'a flipped byte in the middle entry length',
      damage: (file, offsets) => flipByte(file, offsets[1], 0x41),
      entry: 2,
      problem: /has a malformed entry header/,
    },
    {
      name: 'garbage appended after the last entry',
      damage: (file) => writeFileSync(file, 'hello\n', { flag: 'a' }),
      entry: 4,
      problem: /has a malformed entry header/,
    },
  ];

  for (const c of cases) {
    it(`reports ${c.name} with the file, byte offset, entry number and the way to recover`, () => {
      write(threePuts);
      const file = join(dir, WAL_1);
      const offsets = entryOffsets(file);
      const expectedOffset = offsets[c.entry - 1] ?? readFileSync(file).length;
      c.damage(file, offsets);
      const err = corruptErrorOf(() => openStore(dir));
      assert.equal(err.file, file);
      assert.equal(err.entry, c.entry);
      assert.equal(err.offset, expectedOffset);
      assert.match(err.problem, c.problem);
      assert.equal(err.repairable, true);
      assert.ok(err.message.includes(`${file}: entry ${c.entry} at byte offset ${expectedOffset} `), err.message);
      assert.ok(err.message.includes(`Start with --repair-store to move the damaged tail to ${file}.corrupt-<timestamp>`), err.message);
      assert.ok(err.message.includes(`(${c.entry - 1} entries of ${WAL_1} kept, resourceVersion ${c.entry - 1})`), err.message);
    });
  }

  it('releases the lock when it refuses a damaged store, so a repair can follow', () => {
    write(threePuts);
    truncateSync(join(dir, WAL_1), readFileSync(join(dir, WAL_1)).length - 3);
    assert.throws(() => openStore(dir), StoreCorruptError);
    assert.equal(existsSync(join(dir, 'LOCK')), false);
  });

  it('repairs by moving the damaged tail aside, then opens with the good prefix and continues above it', () => {
    write(threePuts);
    const file = join(dir, WAL_1);
    const offsets = entryOffsets(file);
    const original = readFileSync(file);
    flipByte(file, offsets[2] - 4); // entry 2
    const damagedBytes = readFileSync(file).subarray(offsets[1]);

    const report = repairStore(dir, new Date('2025-01-02T03:04:05.678Z'));
    const aside = `${file}.corrupt-2025-01-02T03-04-05-678Z`;
    assert.deepEqual(report, { movedAside: [aside], resourceVersion: 1, objects: 1 });
    assert.deepEqual(readFileSync(aside), damagedBytes);
    assert.deepEqual(readFileSync(file), original.subarray(0, offsets[1]));

    const { state, resourceVersion, log } = openStore(dir);
    assert.deepEqual([...state.keys()], ['a']);
    assert.equal(resourceVersion, 1);
    log.append([put(2, 'd')]);
    log.close();
    assert.deepEqual([...reopen().state.keys()], ['a', 'd']);
  });

  it('leaves an undamaged store as it is when asked to repair it', () => {
    write(threePuts);
    const before = readFileSync(join(dir, WAL_1));
    assert.deepEqual(repairStore(dir), { movedAside: [], resourceVersion: 3, objects: 3 });
    assert.deepEqual(readFileSync(join(dir, WAL_1)), before);
  });

  it('reports a log segment that follows a missing one, and repair moves it aside', () => {
    write(threePuts);
    writeFileSync(join(dir, 'wal-0000000003.log'), readFileSync(join(dir, WAL_1)));
    const err = corruptErrorOf(() => openStore(dir));
    assert.equal(err.file, join(dir, 'wal-0000000003.log'));
    assert.equal(err.offset, 0);
    assert.equal(err.problem, `follows a missing log file ${WAL_2}`);
    const report = repairStore(dir, new Date(0));
    assert.deepEqual(report.movedAside, [join(dir, 'wal-0000000003.log.corrupt-1970-01-01T00-00-00-000Z')]);
    assert.equal(reopen().resourceVersion, 3);
  });

  it('moves later segments aside too when an earlier one is damaged', () => {
    write(threePuts);
    // A second live segment exists when a compaction created it but failed before its rename.
    writeFileSync(join(dir, WAL_2), 'devcluster-wal v1\n');
    const { log } = openStore(dir);
    log.append([put(4, 'd')]);
    log.close();
    flipByte(join(dir, WAL_1), readFileSync(join(dir, WAL_1)).length - 4); // entry 3
    const err = corruptErrorOf(() => openStore(dir));
    assert.match(err.message, /and 1 later log file\(s\) \(wal-0000000002\.log\) cannot be read/);
    const report = repairStore(dir, new Date(0));
    assert.equal(report.movedAside.length, 2);
    assert.deepEqual(reopen(), { state: new Map([['a', '{"rv":1}'], ['b', '{"rv":2}']]), resourceVersion: 2 });
  });

  it('reports a file of another format version as such, not as damage', () => {
    write(threePuts);
    const file = join(dir, WAL_1);
    writeFileSync(file, readFileSync(file, 'latin1').replace('devcluster-wal v1', 'devcluster-wal v2'), 'latin1');
    assert.throws(() => openStore(dir), (err: unknown) => {
      assert.ok(err instanceof StoreFormatError);
      assert.equal(
        err.message,
        `${file} is a wal file of format version 2, but this build reads version 1 only: run the build that wrote it, or move the data dir aside to start with an empty store`,
      );
      return true;
    });
  });

  it('reports a damaged snapshot as not repairable', () => {
    const { log } = openStore(dir);
    log.append([put(1, 'a')]);
    log.compact([['a', '{"rv":1}']], 1);
    log.close();
    const snapshot = join(dir, 'snapshot');
    flipByte(snapshot, readFileSync(snapshot).length - 10);
    const err = corruptErrorOf(() => openStore(dir));
    assert.equal(err.file, snapshot);
    assert.equal(err.repairable, false);
    assert.match(err.message, /--repair-store cannot rebuild it: restore .* from a backup/);
    assert.throws(() => repairStore(dir), StoreCorruptError);
  });
});

describe('compaction', () => {
  function compactedStore(): void {
    const { state, log } = openStore(dir);
    for (const batch of threePuts) {
      log.append(batch);
      for (const r of batch) if (r.op === 'put') state.set(r.key, r.value);
    }
    log.append([{ rv: 4, op: 'delete', key: 'b' }]);
    state.delete('b');
    log.compact(state.entries(), 4);
    log.append([put(5, 'e')]);
    log.close();
  }
  const afterCompaction = { state: new Map([['a', '{"rv":1}'], ['c', '{"rv":3}'], ['e', '{"rv":5}']]), resourceVersion: 5 };

  it('replaces the log by a snapshot plus a new segment and loads the same state', () => {
    compactedStore();
    assert.deepEqual(readdirSync(dir).sort(), ['snapshot', WAL_2]);
    assert.deepEqual(reopen(), afterCompaction);
  });

  it('signals when the segment reaches the compaction threshold', () => {
    const { log } = openStore(dir, { compactionThresholdBytes: 100 });
    assert.equal(log.needsCompaction, false);
    log.append([put(1, 'a', { pad: 'x'.repeat(100) })]);
    assert.equal(log.needsCompaction, true);
    log.compact([], 1);
    assert.equal(log.needsCompaction, false);
    log.close();
  });

  it('refuses a snapshot older than the last appended record', () => {
    const { log } = openStore(dir);
    log.append([put(3, 'a')]);
    assert.throws(() => log.compact([], 2), /resourceVersion 2 is older than the last appended one, 3/);
    log.close();
  });

  it('ignores and removes a half-written snapshot.tmp left by a crash during step 1', () => {
    write(threePuts);
    writeFileSync(join(dir, 'snapshot.tmp'), 'devcluster-snapshot v1\n12\tdeadbeef\t{"rv"');
    assert.deepEqual(reopen().resourceVersion, 3);
    assert.equal(existsSync(join(dir, 'snapshot.tmp')), false);
  });

  for (const content of ['', 'devcluster-wal v1\n']) {
    it(`replays a new segment created by a crash during step 2 (${content ? 'header only' : 'empty file'}) after the current one`, () => {
      write(threePuts);
      writeFileSync(join(dir, WAL_2), content);
      const { log } = openStore(dir);
      log.append([put(4, 'd')]); // goes to the last segment
      log.close();
      assert.equal(readFileSync(join(dir, WAL_1), 'latin1').includes('"key":"d"'), false);
      assert.equal(reopen().state.get('d'), '{"rv":4}');
    });
  }

  it('skips and removes segments older than the snapshot, left by a crash during step 3', () => {
    const staleCopy = join(dir, 'stale');
    const { log } = openStore(dir);
    log.append([put(1, 'a')]);
    log.append([put(2, 'b')]);
    copyFileSync(join(dir, WAL_1), staleCopy);
    log.compact([['b', '{"rv":2}']], 3); // as if 'a' had been deleted at rv 3
    log.close();
    copyFileSync(staleCopy, join(dir, WAL_1));
    rmSync(staleCopy);
    assert.deepEqual(reopen(), { state: new Map([['b', '{"rv":2}']]), resourceVersion: 3 });
    assert.equal(existsSync(join(dir, WAL_1)), false);
  });

  it('survives two compactions in a row and keeps only the newest files', () => {
    compactedStore();
    const { state, log } = openStore(dir);
    log.compact(state.entries(), 5);
    log.close();
    assert.deepEqual(readdirSync(dir).sort(), ['snapshot', 'wal-0000000003.log']);
    assert.deepEqual(reopen(), afterCompaction);
  });
});

describe('the data dir lock', () => {
  it('refuses a second open of the same dir while the first is open', () => {
    const { log } = openStore(dir);
    assert.throws(() => openStore(dir), (err: unknown) => err instanceof StoreLockedError && err.pid === process.pid);
    log.close();
    reopen();
  });

  it('refuses a dir locked by another live process and names its pid', () => {
    writeFileSync(join(dir, 'LOCK'), `${process.ppid}\n`);
    assert.throws(() => openStore(dir), new RegExp(`data dir .* is in use by process ${process.ppid}: stop that server`));
  });

  it('takes over a lock left by a dead process', () => {
    writeFileSync(join(dir, 'LOCK'), '2147483646\n'); // above pid_max: never alive
    const { log } = openStore(dir);
    assert.equal(readFileSync(join(dir, 'LOCK'), 'latin1'), `${process.pid}\n`);
    log.close();
    assert.equal(existsSync(join(dir, 'LOCK')), false);
  });
});

describe('benchmarkAppend', () => {
  it('appends the requested records and reports a rate', () => {
    const result = benchmarkAppend(dir, 200, 1024);
    assert.equal(result.records, 200);
    assert.ok(result.recordsPerSecond > 0);
    const { state, resourceVersion } = reopen();
    assert.equal(state.size, 200);
    assert.equal(resourceVersion, 200);
    assert.ok((state.get('/configmaps/bench/cm-0') ?? '').length >= 1024);
  });
});

function flipByte(file: string, offset: number, to?: number): void {
  const buf = readFileSync(file);
  buf[offset] = to ?? buf[offset] ^ 0x01;
  writeFileSync(file, buf);
}
