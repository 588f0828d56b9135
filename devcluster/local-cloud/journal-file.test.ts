import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JournalFile } from './journal-file.ts';

interface Doc {
  readonly items: Record<string, number>;
}
type Change = { readonly set: string; readonly value: number } | { readonly delete: string };

/** The document a reader rebuilds: the snapshot, then every entry replayed. */
function rebuild(file: JournalFile<Doc, Change>): Doc {
  const { snapshot, entries } = file.read();
  const items = { ...snapshot?.items };
  for (const change of entries) {
    if ('set' in change) items[change.set] = change.value;
    else delete items[change.delete];
  }
  return { items };
}

describe('JournalFile', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'journal-file-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('appends the entries of one turn in one write and resolves every caller once they are on disk', async () => {
    const file = new JournalFile<Doc, Change>(join(dir, 'state.json'));
    const doc: Doc = { items: { a: 1, b: 2 } };
    const writes = [file.append([{ set: 'a', value: 1 }], () => doc), file.append([{ set: 'b', value: 2 }], () => doc)];
    assert.throws(() => readFileSync(file.journalPath), /ENOENT/, 'nothing is written before the end of the turn');
    await Promise.all(writes);
    assert.equal(readFileSync(file.journalPath, 'utf8'), '{"set":"a","value":1}\n{"set":"b","value":2}\n');
    assert.deepEqual(rebuild(new JournalFile(file.path)), doc);
  });

  it('compacts into a snapshot after compactAfter entries, and replaying entries the snapshot holds changes nothing', async () => {
    const file = new JournalFile<Doc, Change>(join(dir, 'state.json'), { compactAfter: 3 });
    const items: Record<string, number> = {};
    for (const [key, value] of [['a', 1], ['b', 2], ['c', 3], ['a', 4]] as const) {
      items[key] = value;
      await file.append([{ set: key, value }], () => ({ items: { ...items } }));
    }
    assert.deepEqual(JSON.parse(readFileSync(file.path, 'utf8')), { items: { a: 4, b: 2, c: 3 } });
    assert.equal(readFileSync(file.journalPath, 'utf8'), '', 'the journal is emptied by the compaction');
    // A kill -9 between the snapshot's rename and the journal's truncation leaves the old entries behind.
    appendFileSync(file.journalPath, '{"set":"a","value":1}\n{"set":"a","value":4}\n');
    assert.deepEqual(rebuild(new JournalFile(file.path)), { items: { a: 4, b: 2, c: 3 } });
  });

  it('drops a torn last line and refuses a torn line before it', () => {
    const path = join(dir, 'state.json');
    writeFileSync(`${path}.journal`, '{"set":"a","value":1}\n{"set":"b","va');
    assert.deepEqual(rebuild(new JournalFile(path)), { items: { a: 1 } });
    writeFileSync(`${path}.journal`, '{"set":"a","va\n{"set":"b","value":2}\n');
    assert.throws(() => new JournalFile(path).read(), /state\.json\.journal:1 is not valid JSON/);
  });

  it('reads an empty document when neither file exists, and names a corrupt snapshot', () => {
    const path = join(dir, 'state.json');
    assert.deepEqual(new JournalFile(path).read(), { snapshot: undefined, entries: [] });
    writeFileSync(path, '{');
    assert.throws(() => new JournalFile(path).read(), /state\.json is not valid JSON/);
  });
});
