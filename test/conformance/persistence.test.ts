// Persistence of the dev cluster's store across restarts, SIGKILL and damage: objects come back with their
// uid and resourceVersion, resourceVersions keep increasing, nothing kubectl saw acknowledged is lost, and a
// damaged write-ahead log stops the start with the file and offset until --repair-store is asked for
// (apiserver.md §14 "RV persistence across restarts"; storage/persistence/).
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDevClusterToExit, spawnDevCluster, type DevClusterProcess, type SpawnOptions } from '../support/dev-cluster-process.ts';
import { configMapYaml, widgetCrdYaml } from './fixtures.ts';

interface Identity {
  uid: string;
  resourceVersion: string;
}

describe('persistence of the dev cluster store', function () {
  let dir: string;
  const started: DevClusterProcess[] = [];

  async function start(args: string[] = [], options: SpawnOptions = {}): Promise<DevClusterProcess> {
    // The store is the API server's: the operators and the local cloud stay off (--no-operators).
    const cluster = await spawnDevCluster(['--data-dir', dir, '--port', '0', '--no-operators', ...args], options);
    started.push(cluster);
    return cluster;
  }

  async function identity(cluster: DevClusterProcess, ns: string, target: string): Promise<Identity> {
    const { stdout } = await cluster.kubectl(['get', '-n', ns, target, '-o', 'jsonpath={.metadata.uid} {.metadata.resourceVersion}']);
    const [uid, resourceVersion] = stdout.split(' ');
    return { uid, resourceVersion };
  }

  beforeEach(function () {
    dir = mkdtempSync(join(tmpdir(), 'devcluster-persist-'));
  });

  afterEach(async function () {
    for (const cluster of started.splice(0)) await cluster.stop('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  it('brings objects, custom resources included, back after a restart, and resourceVersions keep increasing', async function () {
    const first = await start();
    await first.kubectl(['create', 'namespace', 'keep']);
    await first.kubectl(['apply', '-f', '-'], { input: widgetCrdYaml('persist.example.com') });
    await first.kubectl(['wait', '--for=condition=established', 'crd/widgets.persist.example.com', '--timeout=5s']);
    await first.kubectl(['apply', '-f', '-'], {
      input: [configMapYaml('keep', 'settings', { mode: 'fast' }), 'apiVersion: persist.example.com/v1\nkind: Widget\nmetadata: {name: w1, namespace: keep}\nspec: {size: 3}\n'].join('---\n'),
    });
    await first.kubectl(['create', 'secret', 'generic', 'login', '-n', 'keep', '--from-literal=password=hunter2']);
    const targets = ['configmap/settings', 'widget/w1', 'secret/login'];
    const before = await Promise.all(targets.map((t) => identity(first, 'keep', t)));
    assert.deepEqual(await first.stop('SIGTERM'), { code: 0, signal: null });

    const second = await start();
    assert.deepEqual(await Promise.all(targets.map((t) => identity(second, 'keep', t))), before);
    assert.equal((await second.kubectl(['get', '-n', 'keep', 'widget/w1', '-o', 'jsonpath={.spec.size}'])).stdout, '3');
    assert.equal((await second.kubectl(['get', '-n', 'keep', 'secret/login', '-o', 'jsonpath={.data.password}'])).stdout, Buffer.from('hunter2').toString('base64'));

    const highest = Math.max(...before.map((b) => Number(b.resourceVersion)));
    await second.kubectl(['label', '-n', 'keep', 'configmap/settings', 'restarted=yes']);
    await second.kubectl(['create', 'configmap', 'later', '-n', 'keep']);
    const relabelled = Number((await identity(second, 'keep', 'configmap/settings')).resourceVersion);
    const created = Number((await identity(second, 'keep', 'configmap/later')).resourceVersion);
    assert.ok(relabelled > highest, `the update after the restart has resourceVersion ${relabelled} > ${highest}`);
    assert.ok(created > relabelled, `the create after it has resourceVersion ${created} > ${relabelled}`);
  });

  it('keeps every create kubectl saw acknowledged when the server is killed with SIGKILL right after', async function () {
    const cluster = await start();
    await cluster.kubectl(['create', 'namespace', 'burst']);
    // Four kubectl processes at once, ten creates each.
    const batches = [0, 1, 2, 3].map((b) => Array.from({ length: 10 }, (_, i) => `burst-${b}-${i}`));
    const results = await Promise.all(batches.map((names) => cluster.kubectl(['create', '-f', '-'], { input: names.map((n) => configMapYaml('burst', n, { id: n })).join('---\n') })));
    const acknowledged = results.flatMap((r) => [...r.stdout.matchAll(/^configmap\/(\S+) created$/gm)].map((m) => m[1]));
    assert.equal(acknowledged.length, 40);
    assert.deepEqual(await cluster.stop('SIGKILL'), { code: null, signal: 'SIGKILL' });

    const restarted = await start();
    const listed = (await restarted.kubectl(['get', 'configmaps', '-n', 'burst', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.data.id}{"\\n"}{end}'])).stdout;
    assert.deepEqual(listed.trimEnd().split('\n').sort(), acknowledged.map((n) => `${n}=${n}`).sort());
  });

  describe('a damaged write-ahead log', function () {
    const NAMES = Array.from({ length: 12 }, (_, i) => `entry-${String(i + 1).padStart(2, '0')}`);

    /**
     * Flips bytes in the middle of the entry that wrote ConfigMap `name`, the middle one of the test's writes (the
     * log also holds what the server writes for itself at start, such as the Machine API CRDs). Returns where that
     * entry starts, its number, and the ConfigMaps written before it.
     */
    function damageEntryOf(wal: string, name: string): { offset: number; entry: number; survivors: string[] } {
      const bytes = readFileSync(wal);
      const key = bytes.indexOf(`"key":"/configmaps/damaged/${name}"`);
      assert.notEqual(key, -1, `the log holds the entry of ${name}`);
      // One entry per line: "<length>\t<crc32>\t<JSON>\n" after a header line (persistence/frame.ts).
      const offset = bytes.lastIndexOf(0x0a, key) + 1;
      const end = bytes.indexOf(0x0a, key);
      const at = key + Math.floor((end - key) / 2);
      // JSON text has no byte below 0x20, so XOR 1 never makes a newline.
      for (let i = at; i < at + 4; i++) bytes[i] ^= 0x01;
      writeFileSync(wal, bytes);
      let entry = 0;
      for (let i = 0; i < offset; i++) if (bytes[i] === 0x0a) entry++;
      const survivors = NAMES.filter((n) => {
        const written = bytes.indexOf(`"key":"/configmaps/damaged/${n}"`);
        return written !== -1 && written < offset;
      });
      return { offset, entry, survivors };
    }

    it('stops the start naming the file and offset, and --repair-store starts from the last good entry', async function () {
      const first = await start();
      await first.kubectl(['create', 'namespace', 'damaged']);
      await first.kubectl(['create', '-f', '-'], { input: NAMES.map((n) => configMapYaml('damaged', n, { filler: 'x'.repeat(400) })).join('---\n') });
      assert.deepEqual(await first.stop('SIGTERM'), { code: 0, signal: null });

      const store = join(dir, 'store');
      const logs = readdirSync(store).filter((f) => /^wal-\d+\.log$/.test(f));
      assert.equal(logs.length, 1);
      const wal = join(store, logs[0]);
      const damage = damageEntryOf(wal, NAMES[6]);
      assert.deepEqual(damage.survivors, NAMES.slice(0, 6), 'the ConfigMaps were logged in the order they were created');

      const refused = await runDevClusterToExit(['--data-dir', dir, '--port', '0', '--no-operators']);
      assert.equal(refused.code, 1);
      assert.equal(refused.stdout, '');
      const expected = `devcluster: cannot start: data store ${store} is damaged: ${wal}: entry ${damage.entry} at byte offset ${damage.offset} fails its checksum`;
      assert.ok(refused.stderr.startsWith(expected), `${refused.stderr}\ndoes not start with\n${expected}`);
      assert.match(refused.stderr, /Start with --repair-store to move the damaged tail to .*\.corrupt-<timestamp> and continue from the last good entry/);

      const repaired = await start(['--repair-store']);
      assert.match(repaired.stderr(), /"msg":"Repaired store: damaged records moved aside"/);
      assert.equal(readdirSync(store).filter((f) => f.startsWith(`${logs[0]}.corrupt-`)).length, 1, 'the damaged tail is kept beside the log');
      const listed = (await repaired.kubectl(['get', 'configmaps', '-n', 'damaged', '-o', 'name'])).stdout;
      assert.deepEqual(listed, damage.survivors.map((n) => `configmap/${n}\n`).join(''));
      assert.equal((await repaired.kubectl(['create', 'configmap', 'after-repair', '-n', 'damaged'])).stdout, 'configmap/after-repair created\n');
    });
  });
});
