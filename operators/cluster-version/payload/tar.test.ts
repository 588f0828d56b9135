import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { mergeLayers } from './registry.ts';
import { isGzip, readTar, writeCanonicalTar, type TarFile } from './tar.ts';

const text = (files: TarFile[]) => files.map((f) => [f.path, Buffer.from(f.data).toString()]);

describe('tar', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'tar-test-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads back what it writes, sorted by path, gzipped or not', () => {
    const files = [{ path: 'b/2.yaml', data: Buffer.from('two') }, { path: 'a/1.yaml', data: Buffer.alloc(0) }, { path: 'a/big', data: Buffer.alloc(1500, 'x') }];
    const tar = writeCanonicalTar(files);
    assert.equal(tar.length % 512, 0);
    const expected = [['a/1.yaml', ''], ['a/big', 'x'.repeat(1500)], ['b/2.yaml', 'two']];
    assert.deepEqual(text(readTar(tar)), expected);
    const gz = gzipSync(tar);
    assert.ok(isGzip(gz) && !isGzip(tar));
    assert.deepEqual(text(readTar(gz)), expected);
  });

  it('writes identical bytes for the same files in any order', () => {
    const a = { path: 'x/a', data: Buffer.from('1') };
    const b = { path: 'x/b', data: Buffer.from('2') };
    assert.deepEqual(writeCanonicalTar([a, b]), writeCanonicalTar([b, a]));
  });

  it('writes a ustar archive GNU tar lists, with a long path split into prefix and name', () => {
    const long = `release-manifests/${'0000_50_cluster-monitoring-operator_'.padEnd(95, 'x')}.yaml`;
    writeFileSync(join(dir, 'p.tar'), writeCanonicalTar([{ path: long, data: Buffer.from('x') }]));
    assert.equal(execFileSync('tar', ['-tf', join(dir, 'p.tar')], { encoding: 'utf8' }), `${long}\n`);
  });

  for (const format of ['gnu', 'pax'] as const) {
    it(`reads GNU tar's ${format} format, long names included, skipping directories`, () => {
      const longName = `${'n'.repeat(120)}.yaml`;
      mkdirSync(join(dir, 'root', 'release-manifests'), { recursive: true });
      writeFileSync(join(dir, 'root', 'release-manifests', longName), 'long');
      writeFileSync(join(dir, 'root', 'release-manifests', 'release-metadata'), '{}');
      execFileSync('tar', [`--format=${format}`, '-czf', join(dir, 'p.tgz'), '-C', join(dir, 'root'), '.']);
      const files = readTar(readFileSync(join(dir, 'p.tgz')));
      assert.deepEqual(text(files).sort(), [[`release-manifests/${longName}`, 'long'], ['release-manifests/release-metadata', '{}']]);
    });
  }

  it('refuses bytes that are not a tar archive', () => {
    assert.throws(() => readTar(Buffer.alloc(1024, 'z')), /bad numeric field|bad header checksum/);
  });

  it('refuses a truncated archive', () => {
    const tar = writeCanonicalTar([{ path: 'a', data: Buffer.alloc(2000, 'x') }]);
    assert.throws(() => readTar(tar.subarray(0, 1024)), /runs past the end/);
  });
});

describe('mergeLayers', () => {
  const f = (path: string, content = path): TarFile => ({ path, data: Buffer.from(content) });
  it('lets upper layers replace files, and their whiteouts and opaque markers hide lower layers only', () => {
    const merged = mergeLayers([
      [f('release-manifests/a.yaml', 'old'), f('release-manifests/b.yaml'), f('manifests/x'), f('manifests/sub/y'), f('etc/z')],
      [f('release-manifests/a.yaml', 'new'), f('manifests/w'), f('release-manifests/.wh.b.yaml'), f('manifests/.wh..wh..opq'), f('.wh.etc')],
    ]);
    assert.deepEqual(text(merged).sort(), [['manifests/w', 'manifests/w'], ['release-manifests/a.yaml', 'new']]);
  });
});
